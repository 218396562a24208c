/*
 * puppet_uffd.c - the puppet's userfaultfd: the one userfaultfd of its
 * process, the handler thread that serves it (slot UFFD_SLOT, see
 * puppet.c), its registrations, UFFDIO_COPY and the other fills,
 * write-protection, and the events a scenario reads back.
 *
 * State: uffd_fd, uffd_features, and the event list (uffd_events,
 * nr_uffd_events) with fork_ufd, both under uffd_lock (uffd_cond signals
 * fork_ufd).  puppet.c shares uffd_fd, the lock and the list: the child of
 * PP_FORK resets them, and the request loop dispatches PP_UFFD_*.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "puppet.h"

/* The userfaultfd ioctls newer than the build host's headers (6.6) */
#ifndef UFFDIO_POISON
struct uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define UFFDIO_POISON			_IOWR(UFFDIO, 0x08, struct uffdio_poison)
#define UFFDIO_POISON_MODE_DONTWAKE	((__u64)1 << 0)
#endif
#ifndef UFFDIO_MOVE
struct uffdio_move {
	__u64 dst;
	__u64 src;
	__u64 len;
	__u64 mode;
	__s64 move;
};
#define UFFDIO_MOVE			_IOWR(UFFDIO, 0x05, struct uffdio_move)
#define UFFDIO_MOVE_MODE_DONTWAKE	((__u64)1 << 0)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES ((__u64)1 << 1)
#endif
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP		((__u64)1 << 1)
#endif

#define MAX_EVENTS	4096

/* userfaultfd: one per process, a handler thread in UFFD_SLOT.  With
 * EVENT_FORK the handler takes the child's userfaultfd from the fork event
 * (fork_ufd, under uffd_lock) and PP_FORK hands it to the child. */
int uffd_fd = -1;
uint64_t uffd_features;
pthread_mutex_t uffd_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t uffd_cond = PTHREAD_COND_INITIALIZER;
static struct pp_uffd_ev uffd_events[MAX_EVENTS];
int nr_uffd_events;
static int fork_ufd = -1;

/* Append @e to the event list; the caller holds uffd_lock. */
static void uffd_note_locked(struct pp_uffd_ev e)
{
	if (nr_uffd_events < MAX_EVENTS)
		uffd_events[nr_uffd_events++] = e;
}

/* The event list's entry for @m, noted under uffd_lock (held). */
static void uffd_note_msg_locked(const struct uffd_msg *m)
{
	uint64_t addr = m->arg.pagefault.address & ~4095ULL;

	switch (m->event) {
	case UFFD_EVENT_REMAP:
		uffd_note_locked((struct pp_uffd_ev){ .addr = m->arg.remap.from,
			.kind = SC_UFFD_REMAP, .to = m->arg.remap.to, .len = m->arg.remap.len });
		break;
	case UFFD_EVENT_REMOVE:
		uffd_note_locked((struct pp_uffd_ev){ .addr = m->arg.remove.start,
			.kind = SC_UFFD_REMOVE, .len = m->arg.remove.end - m->arg.remove.start });
		break;
	case UFFD_EVENT_FORK:
		uffd_note_locked((struct pp_uffd_ev){ .kind = SC_UFFD_FORK });
		fork_ufd = (int)m->arg.fork.ufd;
		pthread_cond_signal(&uffd_cond);
		break;
	case UFFD_EVENT_PAGEFAULT:
		uffd_note_locked((struct pp_uffd_ev){ .addr = addr,
			.kind = m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR ? SC_UFFD_MINOR :
				m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP ? SC_UFFD_WP :
				SC_UFFD_MISSING });
		break;
	}
}

/* Answer a fault: a minor one with UFFDIO_CONTINUE, a write-protect one by
 * un-protecting, a missing one with the zero page (a page mapped meanwhile,
 * EEXIST, is answered with a wake). */
static void uffd_resolve(const struct uffd_msg *m)
{
	uint64_t addr = m->arg.pagefault.address & ~4095ULL;
	struct uffdio_range r = { .start = addr, .len = 4096 };

	if (m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
		struct uffdio_continue c = { .range = r };

		if (ioctl(uffd_fd, UFFDIO_CONTINUE, &c) && errno == EEXIST)
			ioctl(uffd_fd, UFFDIO_WAKE, &r);
	} else if (m->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) {
		struct uffdio_writeprotect w = { .range = r, .mode = 0 };

		ioctl(uffd_fd, UFFDIO_WRITEPROTECT, &w);
	} else {
		struct uffdio_zeropage z = { .range = r };

		if (ioctl(uffd_fd, UFFDIO_ZEROPAGE, &z) && errno == EEXIST)
			ioctl(uffd_fd, UFFDIO_WAKE, &r);
	}
}

/* The handler.  The kernel lets the thread behind a non-cooperative event
 * (madvise's EVENT_REMOVE, mremap's EVENT_REMAP, fork's EVENT_FORK) go on
 * as soon as the message is read, so the message is read and noted under
 * uffd_lock, the lock take_uffd_events takes: whatever that thread does
 * next sees the event in the list.  The fd is non-blocking; the wait for a
 * message is a poll() outside the lock. */
static void *uffd_main(void *arg)
{
	struct pollfd pfd = { .fd = uffd_fd, .events = POLLIN };

	(void)arg;
	set_altstack(UFFD_SLOT);
	for (;;) {
		struct uffd_msg msg;
		ssize_t n;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
			return NULL;
		pthread_mutex_lock(&uffd_lock);
		n = read(uffd_fd, &msg, sizeof(msg));
		if (n == sizeof(msg))
			uffd_note_msg_locked(&msg);
		pthread_mutex_unlock(&uffd_lock);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != sizeof(msg))
			return NULL;
		if (msg.event == UFFD_EVENT_PAGEFAULT)
			uffd_resolve(&msg);
	}
}

/* Serve @fd (a new userfaultfd, or the child's from a fork event). */
int uffd_serve(int fd)
{
	int err;

	uffd_fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	err = start_thread(UFFD_SLOT, uffd_main, 0);
	if (err) {
		close(fd);
		uffd_fd = -1;
	}
	return err;
}

/* userfaultfd(2) and UFFDIO_API with @features (SC_UFFD_FEATURE_*: the
 * kernel's bits). */
int uffd_open(uint64_t features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd, err;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = -errno;
		close(fd);
		return err;
	}
	uffd_features = features;
	return uffd_serve(fd);
}

/* Send @fd over @sock (SCM_RIGHTS) with one byte. */
static void send_fd(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.b, .msg_controllen = sizeof(cm.b),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	memset(&cm, 0, sizeof(cm));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	sendmsg(sock, &mh, MSG_NOSIGNAL);
}

/* The parent of an EVENT_FORK fork: the handler has read the fork event
 * (the kernel waited for it); give the child's userfaultfd to the child. */
void uffd_fork_parent(int sock)
{
	struct timespec until;
	int fd;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&uffd_lock);
	while (fork_ufd < 0 &&
	       pthread_cond_timedwait(&uffd_cond, &uffd_lock, &until) != ETIMEDOUT)
		;
	fd = fork_ufd;
	fork_ufd = -1;
	pthread_mutex_unlock(&uffd_lock);
	if (fd >= 0) {
		send_fd(sock, fd);
		close(fd);
	}
	close(sock);
}

int do_uffd_register(uint64_t addr, uint64_t len, int modes, uint64_t *ioctls)
{
	struct uffdio_register reg = {
		.range = { .start = addr, .len = len },
	};
	int err;

	if (uffd_fd < 0 && (err = uffd_open(0)))
		return err;
	if (modes & SC_UFFD_MISSING)
		reg.mode |= UFFDIO_REGISTER_MODE_MISSING;
	if (modes & SC_UFFD_WP)
		reg.mode |= UFFDIO_REGISTER_MODE_WP;
	if (modes & SC_UFFD_MINOR_MODE)
		reg.mode |= UFFDIO_REGISTER_MODE_MINOR;
	err = neg_errno(ioctl(uffd_fd, UFFDIO_REGISTER, &reg));
	*ioctls = err ? 0 : reg.ioctls;
	return err;
}

/* UFFDIO_COPY, _ZEROPAGE, _POISON, _CONTINUE, _MOVE (SC_UFFDIO_*): *res the
 * ioctl's result field (bytes filled, or -errno). */
int do_uffd_fill(int op, uint64_t dst, uint64_t src, uint64_t len,
		 unsigned int mode, int64_t *res)
{
	struct uffdio_range r = { .start = dst, .len = len };
	struct uffdio_copy c = { .dst = dst, .src = src, .len = len,
		.mode = (mode & SC_UFFDIO_MODE_DONTWAKE ? UFFDIO_COPY_MODE_DONTWAKE : 0) |
			(mode & SC_UFFDIO_MODE_WP ? UFFDIO_COPY_MODE_WP : 0) };
	struct uffdio_zeropage z = { .range = r,
		.mode = mode & SC_UFFDIO_MODE_DONTWAKE ? UFFDIO_ZEROPAGE_MODE_DONTWAKE : 0 };
	struct uffdio_poison po = { .range = r,
		.mode = mode & SC_UFFDIO_MODE_DONTWAKE ? UFFDIO_POISON_MODE_DONTWAKE : 0 };
	struct uffdio_continue co = { .range = r,
		.mode = (mode & SC_UFFDIO_MODE_DONTWAKE ? UFFDIO_CONTINUE_MODE_DONTWAKE : 0) |
			(mode & SC_UFFDIO_MODE_WP ? UFFDIO_CONTINUE_MODE_WP : 0) };
	int err;

	*res = 0;
	if (uffd_fd < 0)
		return -EINVAL;
	switch (op) {
	case SC_UFFDIO_COPY:
		err = neg_errno(ioctl(uffd_fd, UFFDIO_COPY, &c));
		*res = c.copy;
		break;
	case SC_UFFDIO_ZEROPAGE:
		err = neg_errno(ioctl(uffd_fd, UFFDIO_ZEROPAGE, &z));
		*res = z.zeropage;
		break;
	case SC_UFFDIO_POISON:
		err = neg_errno(ioctl(uffd_fd, UFFDIO_POISON, &po));
		*res = po.updated;
		break;
	case SC_UFFDIO_CONTINUE:
		err = neg_errno(ioctl(uffd_fd, UFFDIO_CONTINUE, &co));
		*res = co.mapped;
		break;
	case SC_UFFDIO_MOVE: {
		struct uffdio_move mv = { .dst = dst, .src = src, .len = len,
			.mode = (mode & SC_UFFDIO_MODE_DONTWAKE ? UFFDIO_MOVE_MODE_DONTWAKE : 0) |
				(mode & SC_UFFDIO_MOVE_ALLOW_SRC_HOLES ?
				 UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES : 0) };

		err = neg_errno(ioctl(uffd_fd, UFFDIO_MOVE, &mv));
		*res = mv.move;
		break;
	}
	default:
		err = -EINVAL;
	}
	return err;
}

int do_uffd_wp(uint64_t addr, uint64_t len, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { .start = addr, .len = len },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (uffd_fd < 0)
		return -EINVAL;
	return neg_errno(ioctl(uffd_fd, UFFDIO_WRITEPROTECT, &w));
}

int take_uffd_events(struct pp_uffd_ev *out, int max)
{
	int n;

	pthread_mutex_lock(&uffd_lock);
	n = nr_uffd_events < max ? nr_uffd_events : max;
	memcpy(out, uffd_events, n * sizeof(*out));
	memmove(uffd_events, uffd_events + n,
		(nr_uffd_events - n) * sizeof(*out));
	nr_uffd_events -= n;
	pthread_mutex_unlock(&uffd_lock);
	return n;
}
