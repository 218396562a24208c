/*
 * backend_linux.h - what the files of the linux backend share (private to
 * them): backend_linux.c (puppets, their sockets and tasks, accesses,
 * views, the backend's table), backend_linux_mm.c (calls on an address
 * space), backend_linux_file.c (calls on files), backend_linux_gup.c
 * (pipes, io_uring, gup_test pins, /proc/PID/mem), backend_linux_uffd.c
 * (userfaultfd).
 *
 * Shared state: a process's puppet (struct sc_proc) and its tasks' sockets
 * (struct sc_task), owned by backend_linux.c and used from the runner's one
 * thread; every request goes through call().
 */
#ifndef MMLAB_BACKEND_LINUX_H
#define MMLAB_BACKEND_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "script.h"
#include "puppet_proto.h"

struct sc_task {
	struct sc_proc *p;
	int sock;
	unsigned int cpu;
};

struct sc_proc {
	pid_t pid;
	int pidfd;
	bool direct;		/* our child (spawned), not a puppet's */
	bool dead;
	struct sc_task main;
	struct sc_task *threads[PP_MAX_THREADS];
	int nr_threads;
};

/* backend_linux.c */
extern unsigned long mmap_min_addr;	/* vm.mmap_min_addr, read at start */
int call(struct sc_task *t, struct pp_req *req, const void *payload,
	 int fd, struct pp_resp *resp, void *rbuf, size_t rmax,
	 const char *what);
long simple_call(struct sc_task *t, enum pp_op op, const char *what,
		 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
struct sc_task *lx_main_task(struct sc_proc *p);

/* backend_linux_mm.c */
int lx_mmap(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
	    int flags, int fd, uint64_t off, uint64_t *out);
int lx_mremap(struct sc_task *t, uint64_t addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
int lx_msync(struct sc_task *t, uint64_t addr, uint64_t len, int flags);
long lx_process_madvise(struct sc_task *t, struct sc_proc *target,
			const struct sc_iovec *iov, int n, int advice,
			unsigned int flags);
int lx_mlock(struct sc_task *t, uint64_t addr, uint64_t len, int flags);
int lx_munlock(struct sc_task *t, uint64_t addr, uint64_t len);
int lx_mlockall(struct sc_task *t, int flags);
int lx_munlockall(struct sc_task *t);
int lx_brk(struct sc_task *t, uint64_t addr, uint64_t *out);
int lx_setrlimit(struct sc_proc *p, int resource, uint64_t soft);
int lx_setcap(struct sc_proc *p, int cap, bool on);
int lx_prctl_pt_reclaim(struct sc_proc *p, bool on);
int lx_mseal(struct sc_task *t, uint64_t addr, uint64_t len, uint64_t flags);
int lx_mbind(struct sc_task *t, uint64_t addr, uint64_t len, unsigned long mode,
	     const uint64_t *nodes, unsigned long maxnode, unsigned int flags);
int lx_set_mempolicy(struct sc_task *t, unsigned long mode, const uint64_t *nodes,
		     unsigned long maxnode);
int lx_get_mempolicy(struct sc_task *t, int *policy, uint64_t *nodes, uint64_t addr,
		     unsigned long flags);
long lx_prctl(struct sc_proc *p, int option, const uint64_t a[4]);

/* backend_linux_file.c */
int lx_memfd(struct sc_proc *p, const char *name, uint64_t size,
	     unsigned int flags);
int lx_close(struct sc_proc *p, int fd);
int lx_regfile(struct sc_proc *p, uint64_t size);
long lx_pread(struct sc_proc *p, int fd, void *buf, size_t len, int64_t off);
long lx_pwrite(struct sc_proc *p, int fd, const void *buf, size_t len, int64_t off);
int lx_reopen(struct sc_proc *p, int fd, int flags);
int lx_ftruncate(struct sc_proc *p, int fd, int64_t len);
int lx_fallocate(struct sc_proc *p, int fd, int mode, int64_t off, int64_t len);
int lx_add_seals(struct sc_proc *p, int fd, unsigned int seals);
int lx_get_seals(struct sc_proc *p, int fd);

/* backend_linux_gup.c */
int lx_pipe(struct sc_proc *p, int fds[2]);
long lx_vmsplice(struct sc_task *t, int fd, uint64_t addr, uint64_t len);
long lx_read_fd(struct sc_proc *p, int fd, void *buf, uint64_t len);
int lx_io_uring_setup(struct sc_proc *p);
int lx_io_uring_register(struct sc_task *t, int ring, uint64_t addr, uint64_t len);
int lx_io_uring_unregister(struct sc_proc *p, int ring);
long lx_io_uring_write_fixed(struct sc_proc *p, int ring, int fd, uint64_t addr,
			     uint64_t len, int64_t off);
int lx_gup_test_open(struct sc_proc *p);
int lx_pin_longterm_start(struct sc_task *t, int fd, uint64_t addr, uint64_t size,
			  unsigned int flags);
int lx_pin_longterm_read(struct sc_proc *p, int fd, void *buf, uint64_t len);
int lx_pin_longterm_stop(struct sc_proc *p, int fd);
long lx_mem_write(struct sc_proc *p, uint64_t addr, const void *buf, uint64_t len);

/* backend_linux_uffd.c */
int lx_uffd_register(struct sc_proc *p, uint64_t addr, uint64_t len,
		     int modes, uint64_t *ioctls);
int lx_uffd_unregister(struct sc_proc *p, uint64_t addr, uint64_t len);
int lx_uffd_fill(struct sc_proc *p, int op, uint64_t dst, uint64_t src,
		 uint64_t len, unsigned int mode, int64_t *filled);
int lx_uffd_wp(struct sc_proc *p, uint64_t addr, uint64_t len, bool on);
int lx_uffd_api(struct sc_proc *p, uint64_t features);
int lx_uffd_events(struct sc_proc *p, struct sc_uffd_event *ev, int max);

#endif
