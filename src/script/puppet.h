/*
 * puppet.h - what the files of the puppet share (private to them):
 * puppet.c (the request loop, task threads, accesses, fork),
 * puppet_uffd.c (its userfaultfd), puppet_mm.c (calls on the address
 * space), puppet_file.c (calls on files), puppet_gup.c (pipes, io_uring,
 * gup_test pins, /proc/self/mem).
 *
 * Shared state: the userfaultfd's (puppet_uffd.c; the event list under
 * uffd_lock) and brk_floor (puppet.c, written once before the first
 * request).
 */
#ifndef MMLAB_PUPPET_H
#define MMLAB_PUPPET_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "puppet_proto.h"

#define NR_TASK_SLOTS	(PP_MAX_THREADS + 1)
#define UFFD_SLOT	NR_TASK_SLOTS

static inline int neg_errno(long r)
{
	return r < 0 ? -errno : 0;
}

/* puppet.c */
extern uint64_t brk_floor;	/* the break when the puppet was ready */
void set_altstack(int s);
int start_thread(int s, void *(*fn)(void *), unsigned int cpu);

/* puppet_uffd.c */
extern int uffd_fd;
extern uint64_t uffd_features;
extern pthread_mutex_t uffd_lock;
extern pthread_cond_t uffd_cond;
extern int nr_uffd_events;
int uffd_serve(int fd);
int uffd_open(uint64_t features);
void uffd_fork_parent(int sock);
int do_uffd_register(uint64_t addr, uint64_t len, int modes, uint64_t *ioctls);
int do_uffd_fill(int op, uint64_t dst, uint64_t src, uint64_t len,
		 unsigned int mode, int64_t *res);
int do_uffd_wp(uint64_t addr, uint64_t len, bool on);
int take_uffd_events(struct pp_uffd_ev *out, int max);

/* puppet_mm.c */
enum cap_change { CAP_RAISE, CAP_LOWER, CAP_DROP };
int set_cap(uint64_t cap, enum cap_change how);
long do_process_madvise(pid_t pid, const uint8_t *payload, size_t plen,
			uint64_t n, int advice, unsigned int flags);
bool handle_mm_op(const struct pp_req *req, struct pp_resp *resp);
void plain_program(void);

/* puppet_file.c */
bool handle_file_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
		    struct pp_resp *resp, uint8_t *out);

/* puppet_gup.c */
bool handle_gup_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
		   struct pp_resp *resp, uint8_t *out);

#endif
