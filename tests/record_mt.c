/*
 * record_mt.c - the program test_record.c records: two threads each write
 * their own 64-page region, the main thread grows the heap with sbrk and a
 * buffer with realloc (glibc moves a large one with mremap), maps 8 MiB,
 * writes it and discards it with MADV_DONTNEED (page-table reclaim frees
 * its 4 emptied PTE tables), then unmaps the regions.  argv[1]: a file to
 * write the regions' addresses to.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGES	64

static char *region[2];

static void *worker(void *arg)
{
	char *r = region[(long)arg];

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < PAGES; i++)
			r[i * 4096 + round] = (char)i;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[2];
	FILE *f = argc > 1 ? fopen(argv[1], "w") : NULL;
	char *heap, *buf = NULL;

	for (int k = 0; k < 2; k++) {
		region[k] = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region[k] == MAP_FAILED)
			return 1;
	}
	for (long k = 0; k < 2; k++)
		pthread_create(&t[k], NULL, worker, (void *)k);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	heap = sbrk(16 * 4096);
	if (heap == (void *)-1)
		return 1;
	for (int i = 0; i < 16; i++)
		heap[i * 4096] = 1;
	for (size_t size = 1 << 20; size <= 8 << 20; size += 1 << 20) {
		buf = realloc(buf, size);
		if (!buf)
			return 1;
		for (size_t i = size - (1 << 20); i < size; i += 4096)
			buf[i] = 1;
	}
	if (f) {
		fprintf(f, "%p %p %p %d\n", (void *)region[0], (void *)region[1],
			(void *)buf, PAGES);
		fclose(f);
	}
	free(buf);
	buf = mmap(NULL, 10 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	/* 8 MiB on PMD boundaries: four whole PTE tables */
	heap = (char *)(((unsigned long)buf + (2 << 20) - 1) & ~((2UL << 20) - 1));
	for (size_t i = 0; i < (8 << 20); i += 4096)
		heap[i] = 1;
	madvise(heap, 8 << 20, MADV_DONTNEED);
	munmap(region[0], PAGES * 4096);
	munmap(region[1], PAGES * 4096);
	return 0;
}
