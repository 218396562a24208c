/*
 * phys.c - the machine's physical memory: see phys.h.  Built once at machine
 * creation, never resized; no locks (mm/ guards struct page fields).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "phys.h"

struct phys_mem phys;

static void *map_noreserve(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

int phys_init(unsigned int nr_nodes, const uint64_t *node_bytes,
	      const unsigned int *latency_ns, const bool *slow, bool no_data)
{
	unsigned long pfn = 0;

	memset(&phys, 0, sizeof(phys));
	if (!nr_nodes || nr_nodes > MAX_NUMNODES)
		return -EINVAL;
	for (unsigned int n = 0; n < nr_nodes; n++) {
		unsigned long nr = node_bytes[n] >> PAGE_SHIFT;

		/* whole max-order blocks per node keep the buddy simple */
		nr &= ~1023UL;
		if (!nr)
			return -EINVAL;
		phys.node[n].start_pfn = pfn;
		phys.node[n].nr_frames = nr;
		phys.node[n].latency_ns = latency_ns[n];
		phys.node[n].slow = slow[n];
		pfn += nr;
	}
	phys.nr_nodes = nr_nodes;
	phys.nr_frames = pfn;
	phys.no_data = no_data;
	phys.pages_len = pfn * sizeof(struct page);
	phys.bytes_len = pfn << PAGE_SHIFT;
	phys.pages = map_noreserve(phys.pages_len);
	phys.bytes = map_noreserve(phys.bytes_len);
	if (!phys.pages || !phys.bytes) {
		phys_exit();
		return -ENOMEM;
	}
	/* fewer host faults: a host huge page backs 512 frames */
	if (!getenv("MMLAB_NO_HOST_THP"))
		madvise(phys.bytes, phys.bytes_len, MADV_HUGEPAGE);
	for (unsigned int n = 0; n < nr_nodes; n++) {
		for (unsigned long i = 0; i < phys.node[n].nr_frames; i++) {
			struct page *p = pfn_to_page(phys.node[n].start_pfn + i);

			p->flags = (unsigned long)n << NODE_SHIFT;
			p->_mapcount = -1;
		}
	}
	return 0;
}

void phys_exit(void)
{
	if (phys.pages)
		munmap(phys.pages, phys.pages_len);
	if (phys.bytes)
		munmap(phys.bytes, phys.bytes_len);
	memset(&phys, 0, sizeof(phys));
}

void frame_copy(unsigned long dst_pfn, unsigned long src_pfn)
{
	uint64_t *d = pfn_to_virt(dst_pfn), *s = pfn_to_virt(src_pfn);

	if (phys.no_data)
		return;
	for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
		__atomic_store_n(&d[i], __atomic_load_n(&s[i], __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
}

/*
 * Only for a frame nobody else can reach (just allocated).  Non-temporal
 * stores: a new page is rarely read back at once, and skipping the read for
 * ownership halves the memory traffic, as clear_page does on x86.
 */
void frame_clear(unsigned long pfn)
{
#if defined(__x86_64__) && !defined(MMLAB_TSAN)
	long long *d = pfn_to_virt(pfn);

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i += 4) {
		__builtin_ia32_movnti64(d + i, 0);
		__builtin_ia32_movnti64(d + i + 1, 0);
		__builtin_ia32_movnti64(d + i + 2, 0);
		__builtin_ia32_movnti64(d + i + 3, 0);
	}
	__builtin_ia32_sfence();
#else
	memset(pfn_to_virt(pfn), 0, PAGE_SIZE);
#endif
}
