/*
 * replay_syscall.c - replaying a trace's address-space events through the
 * model's system calls: the mappings a program starts with (SEGMENT), then
 * mmap, munmap, mprotect, madvise, mremap, brk, mlock and friends, msync,
 * System V shm and fork.  A call is made at the address the program got
 * (MAP_FIXED for mmap, MREMAP_FIXED for a move), and its result must be the
 * host's: a different one stops the replay.  A call that failed on the host
 * changed nothing there and is skipped.  Files are memfds of the model,
 * one per recorded (device, inode), as large as the largest use seen.
 * Runs on the replay's one host thread (replay.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "record/replay.h"

#define NR_MMAP		9
#define NR_MPROTECT	10
#define NR_MUNMAP	11
#define NR_BRK		12
#define NR_MREMAP	25
#define NR_MSYNC	26
#define NR_MADVISE	28
#define NR_SHMGET	29
#define NR_SHMAT	30
#define NR_CLONE	56
#define NR_FORK		57
#define NR_VFORK	58
#define NR_EXIT		60
#define NR_SHMDT	67
#define NR_MLOCK	149
#define NR_MUNLOCK	150
#define NR_MLOCKALL	151
#define NR_MUNLOCKALL	152
#define NR_EXIT_GROUP	231
#define NR_MEMFD_CREATE	319
#define NR_MLOCK2	325
#define NR_CLONE3	435

#define CLONE_VM_FLAG	0x100
#define SHM_RDONLY_FLAG	010000

static const struct { uint64_t nr; const char *name; } names[] = {
	{ NR_MMAP, "mmap" }, { NR_MPROTECT, "mprotect" }, { NR_MUNMAP, "munmap" },
	{ NR_BRK, "brk" }, { NR_MREMAP, "mremap" }, { NR_MSYNC, "msync" },
	{ NR_MADVISE, "madvise" }, { NR_SHMGET, "shmget" }, { NR_SHMAT, "shmat" },
	{ NR_CLONE, "clone" }, { NR_FORK, "fork" }, { NR_VFORK, "vfork" },
	{ NR_EXIT, "exit" }, { NR_SHMDT, "shmdt" }, { NR_MLOCK, "mlock" },
	{ NR_MUNLOCK, "munlock" }, { NR_MLOCKALL, "mlockall" },
	{ NR_MUNLOCKALL, "munlockall" }, { NR_EXIT_GROUP, "exit_group" },
	{ NR_MEMFD_CREATE, "memfd_create" }, { NR_MLOCK2, "mlock2" },
	{ NR_CLONE3, "clone3" }, { 216, "remap_file_pages" },
	{ 323, "userfaultfd" }, { 329, "pkey_mprotect" }, { 440, "process_madvise" },
	{ 462, "mseal" },
};

const char *mmt_syscall_name(uint64_t nr)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	return NULL;
}

static const char *name_of(uint64_t nr)
{
	const char *n = mmt_syscall_name(nr);

	return n ? n : "unknown system call";
}

/* The model's memfd for a recorded file, at least @need bytes long. */
static int file_fd(struct replay *rp, const struct mmt_rec *f, uint64_t need)
{
	struct replay_file *rf = NULL;
	uint64_t size = f->fsize > need ? f->fsize : need;
	const char *base = strrchr(f->path, '/');
	char name[200];
	int ret;

	size = (size + MMLAB_PAGE_SIZE - 1) & ~(MMLAB_PAGE_SIZE - 1);
	for (unsigned int i = 0; i < rp->nfiles; i++)
		if (rp->files[i].dev == f->dev && rp->files[i].ino == f->ino)
			rf = &rp->files[i];
	if (rf) {
		if (size > rf->size) {
			ret = mmlab_ftruncate(rp->proc, rf->fd, (int64_t)size);
			if (ret)
				return ret;
			rf->size = size;
		}
		return rf->fd;
	}
	snprintf(name, sizeof(name), "%.190s", base ? base + 1 : f->path);
	ret = mmlab_memfd(rp->proc, name, size);
	if (ret < 0)
		return ret;
	rp->files = realloc(rp->files, (rp->nfiles + 1) * sizeof(*rp->files));
	rp->files[rp->nfiles++] = (struct replay_file){ f->dev, f->ino, ret, size };
	return ret;
}

int replay_segment(struct replay *rp, const struct mmt_rec *rec)
{
	int flags = MAP_FIXED | MAP_PRIVATE, fd = -1, ret;
	uint64_t out;

	if (rec->kind == MMT_SEG_FILE) {
		fd = file_fd(rp, rec, rec->offset + rec->len);
		if (fd < 0)
			return replay_stop(rp, "SEGMENT %s: cannot make its file: %s",
					   rec->path, strerror(-fd));
	} else {
		flags |= MAP_ANONYMOUS;
	}
	ret = mmlab_mmap(replay_task(rp), rec->start, rec->len, (int)rec->prot,
			 flags, fd, fd < 0 ? 0 : rec->offset, &out);
	if (ret || out != rec->start)
		return replay_stop(rp, "SEGMENT [0x%" PRIx64 ", +0x%" PRIx64 ") %s: "
				   "mmap gives %s", rec->start, rec->len,
				   rec->kind == MMT_SEG_FILE ? rec->path : "anon",
				   ret ? strerror(-ret) : "another address");
	return 0;
}

static int do_mmap(struct replay *rp, const struct mmt_rec *rec)
{
	const uint64_t *a = rec->args;
	int flags = (int)((a[3] & ~(uint64_t)MAP_FIXED_NOREPLACE) | MAP_FIXED);
	int fd = -1, ret;
	uint64_t out;

	if (!(a[3] & MAP_ANONYMOUS)) {
		if (!rp->have_file)
			return replay_stop(rp, "mmap of fd %d without its FILE record",
					   (int)a[4]);
		fd = file_fd(rp, &rp->pending_file, a[5] + a[1]);
		if (fd < 0)
			return replay_stop(rp, "mmap of %s: cannot make its file: %s",
					   rp->pending_file.path, strerror(-fd));
	}
	rp->have_file = false;
	ret = mmlab_mmap(replay_task(rp), (uint64_t)rec->result, a[1], (int)a[2],
			 flags, fd, fd < 0 ? 0 : a[5], &out);
	if (ret || out != (uint64_t)rec->result)
		return replay_stop(rp, "mmap(0x%" PRIx64 ", 0x%" PRIx64 ", %d, 0x%x) "
				   "gave 0x%" PRIx64 " on the host, %s on the model",
				   a[0], a[1], (int)a[2], (int)a[3], rec->result,
				   ret ? strerror(-ret) : "another address");
	return 0;
}

static int do_mremap(struct replay *rp, const struct mmt_rec *rec)
{
	const uint64_t *a = rec->args;
	uint64_t res = (uint64_t)rec->result, out;
	int flags = (int)a[3], ret;

	/* the host's choice: in place, or moved to where it went */
	if (res == a[0] && !(flags & MMLAB_MREMAP_FIXED))
		flags &= ~MMLAB_MREMAP_MAYMOVE;
	else
		flags |= MMLAB_MREMAP_MAYMOVE | MMLAB_MREMAP_FIXED;
	ret = mmlab_mremap(replay_task(rp), a[0], a[1], a[2], flags, res, &out);
	if (ret || out != res)
		return replay_stop(rp, "mremap(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
				   ", %d) gave 0x%" PRIx64 " on the host, %s on the model",
				   a[0], a[1], a[2], (int)a[3], res,
				   ret ? strerror(-ret) : "another address");
	return 0;
}

static int do_brk(struct replay *rp, const struct mmt_rec *rec)
{
	uint64_t res = (uint64_t)rec->result, out;

	if (!rp->have_brk) {
		/* a program's first brk reads where the heap starts */
		rp->rec_brk_start = rp->rec_brk_end = res;
		rp->have_brk = true;
	}
	if (res < rp->rec_brk_start)
		return replay_stop(rp, "brk below the heap's start");
	if (res > rp->rec_brk_end)
		rp->rec_brk_end = res;
	mmlab_brk(replay_task(rp), res - rp->rec_brk_start + rp->model_brk_start, &out);
	if (out != res - rp->rec_brk_start + rp->model_brk_start)
		return replay_stop(rp, "brk(0x%" PRIx64 ") gave 0x%" PRIx64 " on the "
				   "host, the model refused it", rec->args[0], res);
	return 0;
}

static struct replay_shm *shm_find(struct replay *rp, int64_t id, uint64_t addr)
{
	for (unsigned int i = 0; i < rp->nshms; i++)
		if ((id >= 0 && rp->shms[i].id == id) || (id < 0 && rp->shms[i].addr == addr))
			return &rp->shms[i];
	return NULL;
}

static int do_shm(struct replay *rp, const struct mmt_rec *rec)
{
	struct replay_shm *s;
	uint64_t out;
	int ret;

	if (rec->nr == NR_SHMGET) {
		if (shm_find(rp, rec->result, 0))
			return 0;
		ret = mmlab_memfd(rp->proc, "SYSV", rec->args[1]);
		if (ret < 0)
			return replay_stop(rp, "shmget: %s", strerror(-ret));
		rp->shms = realloc(rp->shms, (rp->nshms + 1) * sizeof(*rp->shms));
		rp->shms[rp->nshms++] = (struct replay_shm){ rec->result, ret,
			(rec->args[1] + MMLAB_PAGE_SIZE - 1) & ~(MMLAB_PAGE_SIZE - 1), 0 };
		return 0;
	}
	if (rec->nr == NR_SHMAT) {
		s = shm_find(rp, (int64_t)rec->args[0], 0);
		if (!s)
			return replay_stop(rp, "shmat of segment %" PRId64 " that no "
					   "shmget made", (int64_t)rec->args[0]);
		ret = mmlab_mmap(replay_task(rp), (uint64_t)rec->result, s->size,
				 PROT_READ | (rec->args[2] & SHM_RDONLY_FLAG ? 0 : PROT_WRITE),
				 MAP_SHARED | MAP_FIXED, s->fd, 0, &out);
		if (ret)
			return replay_stop(rp, "shmat: %s", strerror(-ret));
		s->addr = (uint64_t)rec->result;
		return 0;
	}
	s = shm_find(rp, -1, rec->args[0]);
	if (!s)
		return replay_stop(rp, "shmdt of 0x%" PRIx64 " that no shmat mapped",
				   rec->args[0]);
	ret = mmlab_munmap(replay_task(rp), s->addr, s->size);
	return ret ? replay_stop(rp, "shmdt: %s", strerror(-ret)) : 0;
}

static int do_fork(struct replay *rp, const struct mmt_rec *rec)
{
	struct mmlab_proc *child;
	int ret;

	/* The child is not recorded: it gets the parent's copy-on-write
	 * address space and exits at once, as a child that execs does. */
	ret = mmlab_fork(rp->proc, &child);
	if (ret)
		return replay_stop(rp, "fork: %s", strerror(-ret));
	rp->res->forks++;
	mmlab_exit(child);
	return 0;
}

/* The simple calls: the model's result must be the host's. */
static int do_simple(struct replay *rp, const struct mmt_rec *rec)
{
	struct mmlab_task *t = replay_task(rp);
	const uint64_t *a = rec->args;
	int ret;

	switch (rec->nr) {
	case NR_MUNMAP:	ret = mmlab_munmap(t, a[0], a[1]); break;
	case NR_MPROTECT: ret = mmlab_mprotect(t, a[0], a[1], (int)a[2]); break;
	case NR_MADVISE: ret = mmlab_madvise(t, a[0], a[1], (int)a[2]); break;
	case NR_MSYNC:	ret = mmlab_msync(t, a[0], a[1], (int)a[2]); break;
	case NR_MLOCK:	ret = mmlab_mlock(t, a[0], a[1], 0); break;
	case NR_MLOCK2:	ret = mmlab_mlock(t, a[0], a[1], (int)a[2]); break;
	case NR_MUNLOCK: ret = mmlab_munlock(t, a[0], a[1]); break;
	case NR_MLOCKALL: ret = mmlab_mlockall(t, (int)a[0]); break;
	case NR_MUNLOCKALL: ret = mmlab_munlockall(t); break;
	default:
		return replay_stop(rp, "system call %s (%" PRIu64 ") cannot be replayed",
				   name_of(rec->nr), rec->nr);
	}
	if (ret != rec->result)
		return replay_stop(rp, "%s(0x%" PRIx64 ", 0x%" PRIx64 ", ...) returned "
				   "%" PRId64 " on the host, %d (%s) on the model",
				   name_of(rec->nr), a[0], a[1], rec->result, ret,
				   ret < 0 ? strerror(-ret) : "ok");
	return 0;
}

int replay_syscall(struct replay *rp, const struct mmt_rec *rec)
{
	rp->res->syscalls++;
	if (rec->nr == NR_BRK)
		return do_brk(rp, rec);
	if (rec->result < 0 && rec->result > -4096) {
		rp->res->skipped_failed++;
		rp->have_file = false;
		return 0;
	}
	switch (rec->nr) {
	case NR_MMAP:
		return do_mmap(rp, rec);
	case NR_MREMAP:
		return do_mremap(rp, rec);
	case NR_SHMGET:
	case NR_SHMAT:
	case NR_SHMDT:
		return do_shm(rp, rec);
	case NR_CLONE:
	case NR_CLONE3:
		/* a thread (CLONE_VM) comes as THREAD_NEW; clone3's flags are
		 * behind a pointer, the recorder marks a process clone as fork */
		if (rec->nr == NR_CLONE3 || (rec->args[0] & CLONE_VM_FLAG))
			return 0;
		return rec->result > 0 ? do_fork(rp, rec) : 0;
	case NR_FORK:
	case NR_VFORK:
		return rec->result > 0 ? do_fork(rp, rec) : 0;
	case NR_EXIT:
	case NR_EXIT_GROUP:
	case NR_MEMFD_CREATE:
		return 0;	/* THREAD_EXIT ends a thread; a memfd is made at its mmap */
	default:
		return do_simple(rp, rec);
	}
}
