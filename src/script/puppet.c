/*
 * puppet.c - a helper process of the linux backend: the real process a
 * scenario's Process stands for.
 *
 * The runner execs `mmlab run --puppet FD`; the puppet then makes, on
 * request, the real system calls and the real loads and stores the scenario
 * asks for, so that the kernel sees an ordinary program.  To keep what a
 * scenario measures about its own process exact (RSS, VmPTE, smaps), the
 * puppet
 *  - prefaults all of its own memory at start (stack, heap, static buffers,
 *    text of every library, with lazy binding off) and allocates or maps
 *    nothing between operations: message buffers, thread stacks and signal
 *    stacks are static (the exceptions a scenario asks for: the rings of
 *    p:io_uring(), mapped at setup, and PIN_LONGTERM_TEST_READ's scratch
 *    buffer, unmapped again);
 *  - pins its main thread to CPU 0 and each Task thread to its CPU;
 *  - turns SIGSEGV/SIGBUS during an access into a reply (sigsetjmp), and
 *    stays alive;
 *  - after fork() the child faults its own text in again before it reports
 *    ready, so that its first operation does not allocate page tables.
 * The runner places the scenario's mappings in PP_AREA (puppet_proto.h).
 *
 * Memory locks: a scenario's process is an ordinary program: the puppet
 * drops CAP_IPC_LOCK from its effective set (p:setcap raises it again
 * where the runner is root) and starts with RLIMIT_MEMLOCK at 8 MiB, the
 * kernel's default (or the hard limit, when lower).  The heap: brk starts
 * where the C library left the break when the puppet was ready; a request
 * below that is answered as the kernel answers one below start_brk (the
 * old break), so that a scenario never unmaps the puppet's own heap.
 *
 * Threads: slot 0 is the main thread, slots 1..PP_MAX_THREADS the Tasks,
 * each serving its own socket; the last slot is the userfaultfd handler.
 * Nothing is shared between slots but the uffd event list (uffd_lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"

#ifndef SYS_mseal
#define SYS_mseal_nr	462	/* x86-64 */
#else
#define SYS_mseal_nr	SYS_mseal
#endif

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

#define NR_TASK_SLOTS	(PP_MAX_THREADS + 1)
#define UFFD_SLOT	NR_TASK_SLOTS
#define NR_SLOTS	(NR_TASK_SLOTS + 1)
#define STACK_SIZE	(128 * 1024)
#define ALTSTACK_SIZE	(32 * 1024)
#define RESP_MAX	(sizeof(struct pp_resp) + PP_PAYLOAD_MAX)
#define MAX_EVENTS	4096

struct slot {
	int sock;
	bool used;
};

static struct slot slots[NR_TASK_SLOTS];
static uint8_t in_buf[NR_TASK_SLOTS][PP_MSG_MAX] __attribute__((aligned(4096)));
static uint8_t out_buf[NR_TASK_SLOTS][RESP_MAX] __attribute__((aligned(4096)));
static uint8_t stacks[NR_SLOTS][STACK_SIZE] __attribute__((aligned(4096)));
static uint8_t altstacks[NR_SLOTS][ALTSTACK_SIZE] __attribute__((aligned(4096)));
static char maps_buf[128 * 1024];
static cpu_set_t allowed_cpus;
static uint64_t brk_floor;	/* the break when the puppet was ready */

/* The puppet's own mappings, recorded at start (inherited by fork). */
static struct own_range {
	uint64_t lo, hi;
	bool r, w;
} own[1024];
static int nr_own;

/* userfaultfd: one per process, a handler thread in UFFD_SLOT.  With
 * EVENT_FORK the handler takes the child's userfaultfd from the fork event
 * (fork_ufd, under uffd_lock) and PP_FORK hands it to the child. */
static int uffd_fd = -1;
static uint64_t uffd_features;
static pthread_mutex_t uffd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t uffd_cond = PTHREAD_COND_INITIALIZER;
static struct pp_uffd_ev uffd_events[MAX_EVENTS];
static int nr_uffd_events;
static int fork_ufd = -1;

/* Per-thread state of the access in progress (see on_fault). */
static __thread sigjmp_buf t_jb;
static __thread volatile sig_atomic_t t_armed;
static __thread volatile uint64_t t_fault;
static __thread volatile int t_sig;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!t_armed) {
		/* A bug in the puppet itself: die of it. */
		signal(sig, SIG_DFL);
		return;
	}
	t_armed = 0;
	t_fault = (uint64_t)si->si_addr;
	t_sig = sig;
	siglongjmp(t_jb, 1);
}

static void set_altstack(int s)
{
	stack_t ss = {
		.ss_sp = altstacks[s],
		.ss_size = ALTSTACK_SIZE,
	};

	sigaltstack(&ss, NULL);
}

/* The loops of the access operations: real loads and stores, forward, so
 * that the bytes before a faulting address have been accessed. */
static void __attribute__((noinline))
access_loops(int op, uint64_t addr, uint64_t end, uint64_t arg,
	     const uint8_t *in, uint8_t *out, uint64_t *mismatch)
{
	switch (op) {
	case SC_OP_TOUCH:
		for (uint64_t a = addr; a < end; a = (a | 4095) + 1) {
			if (arg)
				*(volatile uint8_t *)a = ((a >> 12) & 0xff) | 1;
			else
				(void)*(volatile uint8_t *)a;
		}
		break;
	case SC_OP_FILL:
		for (uint64_t a = addr; a < end; a += 8)
			*(volatile uint64_t *)a = sc_splitmix64(arg ^ (a >> 3));
		break;
	case SC_OP_VERIFY:
		for (uint64_t a = addr; a < end; a += 8) {
			if (*(volatile uint64_t *)a !=
			    sc_splitmix64(arg ^ (a >> 3))) {
				*mismatch = a;
				break;
			}
		}
		break;
	case SC_OP_READ:
		for (uint64_t i = 0; i < end - addr; i++)
			out[i] = *(volatile uint8_t *)(addr + i);
		break;
	case SC_OP_WRITE:
		for (uint64_t i = 0; i < end - addr; i++)
			*(volatile uint8_t *)(addr + i) = in[i];
		break;
	}
}

/* One access operation.  Returns 0, -errno for bad arguments, or the
 * signal the access raised (the puppet lives on). */
static int do_access(int op, uint64_t addr, uint64_t len, uint64_t arg,
		     const uint8_t *in, uint8_t *out, uint64_t *fault,
		     uint64_t *mismatch)
{
	*mismatch = UINT64_MAX;
	if (addr + len < addr)
		return -EINVAL;
	if ((op == SC_OP_FILL || op == SC_OP_VERIFY) && ((addr | len) & 7))
		return -EINVAL;
	if (sigsetjmp(t_jb, 1)) {
		*fault = t_fault;
		return t_sig;
	}
	t_armed = 1;
	access_loops(op, addr, addr + len, arg, in, out, mismatch);
	t_armed = 0;
	return 0;
}

static int neg_errno(long r)
{
	return r < 0 ? -errno : 0;
}

/* One item (an operation, rep times). */
static int do_item(const struct pp_item *it, const uint8_t *in, uint8_t *out,
		   uint64_t *fault, uint64_t *mismatch)
{
	int ret = 0;

	*mismatch = UINT64_MAX;
	for (uint32_t r = 0; r < it->rep && !ret; r++) {
		switch (it->op) {
		case SC_OP_MADVISE:
			ret = neg_errno(madvise((void *)it->addr, it->len,
						(int)it->arg));
			break;
		case SC_OP_MUNMAP:
			ret = neg_errno(munmap((void *)it->addr, it->len));
			break;
		case SC_OP_MPROTECT:
			ret = neg_errno(mprotect((void *)it->addr, it->len,
						 (int)it->arg));
			break;
		default:
			ret = do_access(it->op, it->addr, it->len, it->arg, in,
					out, fault, mismatch);
			if (*mismatch != UINT64_MAX)
				return 0;
		}
	}
	return ret;
}

static void do_batch(const uint8_t *payload, size_t plen,
		     struct pp_resp *resp, uint8_t *out)
{
	const struct pp_item *items = (const void *)payload;
	struct pp_item_res *res = (void *)out;
	size_t n, data_off, read_off;
	bool stop = false;

	if (plen < sizeof(uint32_t)) {
		resp->ret = -EINVAL;
		return;
	}
	n = resp->v[0];
	data_off = n * sizeof(*items);
	read_off = n * sizeof(*res);
	if (n > PP_BATCH_MAX || data_off > plen) {
		resp->ret = -EINVAL;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct pp_item *it = &items[i];
		const uint8_t *in = payload + data_off;
		uint8_t *rd = out + read_off;

		res[i] = (struct pp_item_res){ .mismatch = UINT64_MAX };
		if (it->op == SC_OP_WRITE)
			data_off += it->len;
		if (it->op == SC_OP_READ)
			read_off += it->len;
		if (data_off > plen || read_off > PP_PAYLOAD_MAX) {
			resp->ret = -EINVAL;
			return;
		}
		if (stop)
			continue;
		res[i].ret = do_item(it, in, rd, &res[i].fault_addr,
				     &res[i].mismatch);
		stop = res[i].ret != 0;
	}
	resp->len = (uint32_t)read_off;
}

/* Touch every page of one of the puppet's own mappings: read, and when
 * write is set, write back what was read (private writable ones only).
 * A page past the end of a file would SIGBUS: stop there. */
/* Reading its own pages includes the sanitizer's red zones between
 * globals: ASan must not instrument these reads (nor inline them into a
 * function it does instrument). */
#if defined(__SANITIZE_ADDRESS__)
#define PUPPET_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PUPPET_ASAN 1
#endif
#endif
#ifdef PUPPET_ASAN
#define NO_ASAN __attribute__((no_sanitize_address, noinline))
#else
#define PUPPET_ASAN 0
#define NO_ASAN
#endif

static NO_ASAN void prefault_range(const struct own_range *o, bool write)
{
	if (!o->r || sigsetjmp(t_jb, 1))
		return;
	t_armed = 1;
	for (uint64_t a = o->lo; a < o->hi; a += 4096) {
		volatile uint8_t *p = (volatile uint8_t *)a;
		uint8_t v = *p;

		if (write && o->w)
			*p = v;
	}
	t_armed = 0;
}

static void prefault_own(bool write)
{
	for (int i = 0; i < nr_own; i++)
		prefault_range(&own[i], write);
}

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

static void record_own(void)
{
	char *line, *save;

	if (read_file("/proc/self/maps", maps_buf, sizeof(maps_buf)) < 0)
		return;
	for (line = strtok_r(maps_buf, "\n", &save); line && nr_own < 1024;
	     line = strtok_r(NULL, "\n", &save)) {
		char *end, *perms;
		uint64_t lo = strtoull(line, &end, 16);
		uint64_t hi = strtoull(end + 1, &end, 16);

		perms = end + 1;
		if (strstr(line, "[vvar") || strstr(line, "[vsyscall]"))
			continue;
		/* ASan's shadow: terabytes reserved, touched as needed */
		if (PUPPET_ASAN && hi - lo > (1ULL << 30))
			continue;
		own[nr_own++] = (struct own_range){
			.lo = lo, .hi = hi,
			.r = perms[0] == 'r',
			.w = perms[1] == 'w' && perms[3] == 'p',
		};
	}
}

/* Grow the main stack now, so that deep calls later fault nothing. */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile uint8_t pad[512 * 1024];

	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 1;
	pad[sizeof(pad) - 1] = 1;
}

/* The model's fresh process has a stack VMA with its top page touched:
 * keep the same above the scenario's area (see PP_STACK_TOP). */
static void map_stack_anchor(void)
{
	void *p = mmap((void *)(PP_STACK_TOP - PP_STACK_SIZE), PP_STACK_SIZE,
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED)
		*(volatile uint8_t *)(PP_STACK_TOP - 8) = 1;
}

static ssize_t recv_req(int sock, void *buf, size_t len, int *rfd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.b, .msg_controllen = sizeof(cm.b),
	};
	ssize_t n;

	*rfd = -1;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
		     c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS)
				memcpy(rfd, CMSG_DATA(c), sizeof(int));
	}
	return n;
}

static void send_hello(int sock, int ret)
{
	struct pp_resp r = { .ret = ret, .v = { (uint64_t)getpid(), 0 } };

	send(sock, &r, sizeof(r), MSG_NOSIGNAL);
}

static void serve(int s) __attribute__((noreturn));

static void *thread_main(void *arg)
{
	int s = (int)(intptr_t)arg;

	set_altstack(s);
	send_hello(slots[s].sock, 0);
	serve(s);
}

static int start_thread(int s, void *(*fn)(void *), unsigned int cpu)
{
	pthread_attr_t attr;
	pthread_t th;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, stacks[s], STACK_SIZE);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, fn, (void *)(intptr_t)s);
	pthread_attr_destroy(&attr);
	return -err;
}

static int do_thread(unsigned int cpu, int fd)
{
	int s;

	if (fd < 0)
		return -EBADF;
	if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed_cpus))
		return -EINVAL;
	for (s = 1; s < NR_TASK_SLOTS; s++)
		if (!slots[s].used)
			break;
	if (s == NR_TASK_SLOTS)
		return -EAGAIN;
	slots[s].sock = fd;
	slots[s].used = true;
	if (start_thread(s, thread_main, cpu)) {
		slots[s].used = false;
		return -EAGAIN;
	}
	return 0;
}

/* A non-cooperative event (EVENT_REMAP, EVENT_REMOVE): noted for
 * uffd_events; the kernel's side went on once it was read. */
static void uffd_note_event(const struct uffd_msg *m)
{
	struct pp_uffd_ev e = { .kind = SC_UFFD_REMOVE };

	if (m->event == UFFD_EVENT_REMAP) {
		e = (struct pp_uffd_ev){ .addr = m->arg.remap.from, .kind = SC_UFFD_REMAP,
					 .to = m->arg.remap.to, .len = m->arg.remap.len };
	} else {
		e.addr = m->arg.remove.start;
		e.len = m->arg.remove.end - m->arg.remove.start;
	}
	pthread_mutex_lock(&uffd_lock);
	if (nr_uffd_events < MAX_EVENTS)
		uffd_events[nr_uffd_events++] = e;
	pthread_mutex_unlock(&uffd_lock);
}

/* A minor fault: noted, and answered with UFFDIO_CONTINUE (a page mapped
 * meanwhile, EEXIST, is answered with a wake). */
static void uffd_minor_fault(uint64_t addr)
{
	struct uffdio_continue c = { .range = { .start = addr, .len = 4096 } };

	pthread_mutex_lock(&uffd_lock);
	if (nr_uffd_events < MAX_EVENTS)
		uffd_events[nr_uffd_events++] = (struct pp_uffd_ev){ .addr = addr,
								     .kind = SC_UFFD_MINOR };
	pthread_mutex_unlock(&uffd_lock);
	if (ioctl(uffd_fd, UFFDIO_CONTINUE, &c) && errno == EEXIST)
		ioctl(uffd_fd, UFFDIO_WAKE, &c.range);
}

static void *uffd_main(void *arg)
{
	(void)arg;
	set_altstack(UFFD_SLOT);
	for (;;) {
		struct uffd_msg msg;
		ssize_t n = read(uffd_fd, &msg, sizeof(msg));
		uint64_t addr;
		bool wp;

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != sizeof(msg))
			return NULL;
		if (msg.event == UFFD_EVENT_REMAP || msg.event == UFFD_EVENT_REMOVE) {
			uffd_note_event(&msg);
			continue;
		}
		if (msg.event != UFFD_EVENT_PAGEFAULT && msg.event != UFFD_EVENT_FORK)
			continue;
		addr = msg.arg.pagefault.address & ~4095ULL;
		wp = msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP;
		if (msg.event == UFFD_EVENT_PAGEFAULT &&
		    (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR)) {
			uffd_minor_fault(addr);
			continue;
		}
		pthread_mutex_lock(&uffd_lock);
		if (nr_uffd_events < MAX_EVENTS)
			uffd_events[nr_uffd_events++] = (struct pp_uffd_ev){
				.addr = msg.event == UFFD_EVENT_FORK ? 0 : addr,
				.kind = msg.event == UFFD_EVENT_FORK ? SC_UFFD_FORK :
					wp ? SC_UFFD_WP : SC_UFFD_MISSING,
			};
		if (msg.event == UFFD_EVENT_FORK) {
			fork_ufd = (int)msg.arg.fork.ufd;
			pthread_cond_signal(&uffd_cond);
		}
		pthread_mutex_unlock(&uffd_lock);
		if (msg.event == UFFD_EVENT_FORK)
			continue;
		if (wp) {
			struct uffdio_writeprotect w = {
				.range = { .start = addr, .len = 4096 },
				.mode = 0,	/* un-protect and wake */
			};

			ioctl(uffd_fd, UFFDIO_WRITEPROTECT, &w);
		} else {
			struct uffdio_zeropage z = {
				.range = { .start = addr, .len = 4096 },
			};
			struct uffdio_range r = { .start = addr, .len = 4096 };

			if (ioctl(uffd_fd, UFFDIO_ZEROPAGE, &z) &&
			    errno == EEXIST)
				ioctl(uffd_fd, UFFDIO_WAKE, &r);
		}
	}
}

/* Serve @fd (a new userfaultfd, or the child's from a fork event). */
static int uffd_serve(int fd)
{
	int err;

	uffd_fd = fd;
	err = start_thread(UFFD_SLOT, uffd_main, 0);
	if (err) {
		close(fd);
		uffd_fd = -1;
	}
	return err;
}

/* userfaultfd(2) and UFFDIO_API with @features (SC_UFFD_FEATURE_*: the
 * kernel's bits). */
static int uffd_open(uint64_t features)
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
static void uffd_fork_parent(int sock)
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

static int do_uffd_register(uint64_t addr, uint64_t len, int modes, uint64_t *ioctls)
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
static int do_uffd_fill(int op, uint64_t dst, uint64_t src, uint64_t len,
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

static int do_uffd_wp(uint64_t addr, uint64_t len, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { .start = addr, .len = len },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (uffd_fd < 0)
		return -EINVAL;
	return neg_errno(ioctl(uffd_fd, UFFDIO_WRITEPROTECT, &w));
}

static int take_uffd_events(struct pp_uffd_ev *out, int max)
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

enum cap_change { CAP_RAISE, CAP_LOWER, CAP_DROP };

/* Raise or lower @cap in the effective set, or drop it for good: 0 or
 * -errno (-EPERM: not permitted). */
static int set_cap(uint64_t cap, enum cap_change how)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	uint32_t bit;

	if (cap > CAP_LAST_CAP)
		return -EINVAL;
	bit = 1U << (cap % 32);
	if (syscall(SYS_capget, &h, d))
		return -errno;
	if (how == CAP_RAISE) {
		d[cap / 32].effective |= bit;
	} else {
		d[cap / 32].effective &= ~bit;
		if (how == CAP_DROP) {
			d[cap / 32].permitted &= ~bit;
			d[cap / 32].inheritable &= ~bit;
		}
	}
	return neg_errno(syscall(SYS_capset, &h, d));
}

/* open("/proc/self/fd/FD", flags): another open file on the same one */
/* A regular file on this host's root filesystem (ext4: not tmpfs), of
 * @size bytes: created in /var/tmp and unlinked at once, so that it goes
 * with its last fd however the run ends. */
static int make_regfile(uint64_t size)
{
	char path[] = "/var/tmp/mmlab-file-XXXXXX";
	int fd = mkstemp(path), err;

	if (fd < 0)
		return -errno;
	unlink(path);
	if (ftruncate(fd, (off_t)size)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int do_reopen(int fd, int flags)
{
	char path[32];
	int n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = open(path, flags);
	return n < 0 ? -errno : n;
}

/* process_madvise through a pidfd of @pid, opened for the call. */
static long do_process_madvise(pid_t pid, const uint8_t *payload, size_t plen,
			       uint64_t n, int advice, unsigned int flags)
{
	long r;
	int pidfd;

	if (plen != n * sizeof(struct sc_iovec))
		return -EINVAL;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	/* struct sc_iovec is struct iovec's layout */
	r = syscall(SYS_process_madvise, pidfd, payload, (size_t)n, advice, flags);
	r = r < 0 ? -errno : r;
	close(pidfd);
	return r;
}

/* In the child of PP_FORK: only this thread exists; start over on fd.
 * With EVENT_FORK its own userfaultfd comes over @usock. */
static void __attribute__((noreturn)) child_after_fork(int fd, int usock)
{
	for (int s = 0; s < NR_TASK_SLOTS; s++) {
		if (slots[s].used || s == 0)
			close(slots[s].sock);
		slots[s].used = false;
	}
	if (uffd_fd >= 0)
		close(uffd_fd);
	uffd_fd = -1;
	nr_uffd_events = 0;
	pthread_mutex_init(&uffd_lock, NULL);
	pthread_cond_init(&uffd_cond, NULL);
	if (usock >= 0) {
		char byte;
		int ufd;

		if (recv_req(usock, &byte, 1, &ufd) == 1 && ufd >= 0)
			uffd_serve(ufd);
		close(usock);
	}
	slots[0].sock = fd;
	slots[0].used = true;
	/* fork() copied no page tables for our file-backed text: fault it
	 * in now, not during the scenario's first operation. */
	prefault_own(false);
	send_hello(fd, 0);
	serve(0);
}

/* PP_FORK: the child serves @rfd (closed here); with EVENT_FORK it gets
 * its userfaultfd over a socket pair.  0 and the child's pid in *pid, or
 * -errno. */
static int do_fork(int rfd, uint64_t *pid_out)
{
	int usv[2] = { -1, -1 }, err;
	pid_t pid;

	if (uffd_fd >= 0 && (uffd_features & SC_UFFD_FEATURE_EVENT_FORK) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, usv)) {
		err = -errno;
		close(rfd);
		return err;
	}
	pid = fork();
	err = pid < 0 ? -errno : 0;
	if (pid == 0) {
		if (usv[0] >= 0)
			close(usv[0]);
		child_after_fork(rfd, usv[1]);
	}
	if (usv[1] >= 0) {
		close(usv[1]);
		if (pid > 0)
			uffd_fork_parent(usv[0]);
		else
			close(usv[0]);
	}
	close(rfd);
	*pid_out = (uint64_t)pid;
	return err;
}

/* The calls on the address space: mmap and its neighbours, and the
 * limits and switches they obey.  False: not one of them. */
static bool handle_mm_op(const struct pp_req *req, struct pp_resp *resp)
{
	const uint64_t *a = req->a;
	void *p;

	switch (req->op) {
	case PP_MMAP:
		p = mmap((void *)a[0], a[1], (int)a[2], (int)a[3], (int)a[4],
			 (off_t)a[5]);
		resp->ret = p == MAP_FAILED ? -errno : 0;
		resp->v[0] = (uint64_t)p;
		break;
	case PP_MREMAP: {
		/* the raw call: flags the C library would not pass through */
		long r = syscall(SYS_mremap, a[0], a[1], a[2], a[3], a[4]);

		resp->ret = r == -1 ? -errno : 0;
		resp->v[0] = (uint64_t)r;
		break;
	}
	case PP_MUNMAP:
		resp->ret = neg_errno(munmap((void *)a[0], a[1]));
		break;
	case PP_MLOCK:
		resp->ret = neg_errno(syscall(SYS_mlock2, a[0], a[1], a[2]));
		break;
	case PP_MUNLOCK:
		resp->ret = neg_errno(munlock((void *)a[0], a[1]));
		break;
	case PP_MLOCKALL:
		resp->ret = neg_errno(mlockall((int)a[0]));
		break;
	case PP_MUNLOCKALL:
		resp->ret = neg_errno(munlockall());
		break;
	case PP_BRK:
		/* the raw call: it returns the break, never an errno */
		resp->v[0] = (uint64_t)syscall(SYS_brk, a[0] && a[0] < brk_floor ? 0 : a[0]);
		break;
	case PP_SETRLIMIT: {
		struct rlimit rl;

		if (a[0] != RLIMIT_MEMLOCK) {
			resp->ret = -EINVAL;
			break;
		}
		getrlimit(RLIMIT_MEMLOCK, &rl);
		rl.rlim_cur = a[1];
		resp->ret = neg_errno(setrlimit(RLIMIT_MEMLOCK, &rl));
		break;
	}
	case PP_SETCAP:
		resp->ret = set_cap(a[0], a[1] ? CAP_RAISE : CAP_LOWER);
		break;
	case PP_MPROTECT:
		resp->ret = neg_errno(mprotect((void *)a[0], a[1], (int)a[2]));
		break;
	case PP_MADVISE:
		resp->ret = neg_errno(madvise((void *)a[0], a[1], (int)a[2]));
		break;
	case PP_MSEAL:
		resp->ret = neg_errno(syscall(SYS_mseal_nr, a[0], a[1], a[2]));
		break;
	case PP_PRCTL:
		/* the runner passes only the mm's options (SC_PR_*) */
		resp->ret = prctl((int)a[0], a[1], a[2], a[3], a[4]);
		if (resp->ret < 0)
			resp->ret = -errno;
		break;
	case PP_MSYNC:
		resp->ret = neg_errno(msync((void *)a[0], a[1], (int)a[2]));
		break;
	default:
		return false;
	}
	return true;
}

/* The calls on files (memfd and regular): create, reopen, size, seals,
 * pread (into out) and pwrite.  False: not one of them. */
static bool handle_file_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
			   struct pp_resp *resp, uint8_t *out)
{
	const uint64_t *a = req->a;

	switch (req->op) {
	case PP_MEMFD: {
		char name[PP_NAME_MAX];
		int fd;

		memcpy(name, payload, plen < sizeof(name) ? plen : sizeof(name));
		name[sizeof(name) - 1] = 0;
		fd = memfd_create(name, (unsigned int)a[1]);
		if (fd < 0) {
			resp->ret = -errno;
			break;
		}
		if (ftruncate(fd, (off_t)a[0])) {
			resp->ret = -errno;
			close(fd);
			break;
		}
		resp->ret = fd;
		break;
	}
	case PP_CLOSE:
		resp->ret = neg_errno(close((int)a[0]));
		break;
	case PP_REGFILE:
		resp->ret = make_regfile(a[0]);
		break;
	case PP_PREAD: {
		ssize_t n = a[2] > PP_PAYLOAD_MAX ? -1 :
			    pread((int)a[0], out, (size_t)a[2], (off_t)a[1]);

		resp->ret = a[2] > PP_PAYLOAD_MAX ? -EINVAL : n < 0 ? -errno : n;
		resp->len = n > 0 ? (uint32_t)n : 0;
		break;
	}
	case PP_PWRITE: {
		ssize_t n = pwrite((int)a[0], payload, plen, (off_t)a[1]);

		resp->ret = n < 0 ? -errno : n;
		break;
	}
	case PP_REOPEN:
		resp->ret = do_reopen((int)a[0], (int)a[1]);
		break;
	case PP_FTRUNCATE:
		resp->ret = neg_errno(ftruncate((int)a[0], (off_t)a[1]));
		break;
	case PP_FALLOCATE:
		resp->ret = neg_errno(fallocate((int)a[0], (int)a[1], (off_t)a[2],
					       (off_t)a[3]));
		break;
	case PP_ADD_SEALS:
		resp->ret = neg_errno(fcntl((int)a[0], F_ADD_SEALS, (int)a[1]));
		break;
	case PP_GET_SEALS: {
		int r = fcntl((int)a[0], F_GET_SEALS);

		resp->ret = r < 0 ? -errno : r;
		break;
	}
	default:
		return false;
	}
	return true;
}

/*
 * io_uring through the raw system calls: a ring of one entry, its SQ and
 * CQ rings and SQE array mapped at setup (the only mappings a puppet makes
 * on its own, and only when a scenario asks for a ring).
 */
#define MAX_RINGS	4
static struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
} rings[MAX_RINGS];

static int ring_setup(void)
{
	struct io_uring_params prm;
	struct ring *r = NULL;
	size_t sq_sz, cq_sz;
	uint8_t *sq, *cq;
	void *sqes;
	int fd;

	for (int i = 0; i < MAX_RINGS && !r; i++)
		if (!rings[i].sqes)
			r = &rings[i];
	if (!r)
		return -EMFILE;
	memset(&prm, 0, sizeof(prm));
	fd = (int)syscall(SYS_io_uring_setup, 1U, &prm);
	if (fd < 0)
		return -errno;
	sq_sz = prm.sq_off.array + prm.sq_entries * sizeof(unsigned int);
	cq_sz = prm.cq_off.cqes + prm.cq_entries * sizeof(struct io_uring_cqe);
	if (prm.features & IORING_FEAT_SINGLE_MMAP)
		sq_sz = cq_sz = sq_sz > cq_sz ? sq_sz : cq_sz;
	sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	cq = (prm.features & IORING_FEAT_SINGLE_MMAP) || sq == MAP_FAILED ? sq :
	     mmap(NULL, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_CQ_RING);
	sqes = cq == MAP_FAILED ? MAP_FAILED :
	       mmap(NULL, prm.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	r->fd = fd;
	r->sq_tail = (unsigned int *)(sq + prm.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + prm.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + prm.sq_off.array);
	r->cq_head = (unsigned int *)(cq + prm.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + prm.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + prm.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + prm.cq_off.cqes);
	r->sqes = sqes;
	return fd;
}

/* IORING_OP_WRITE_FIXED from buffer 0, submitted and waited for */
static int64_t ring_write_fixed(int fd, int file, uint64_t addr, uint64_t len, uint64_t off)
{
	struct ring *r = NULL;
	struct io_uring_sqe *sqe;
	unsigned int tail, head, idx;
	int64_t res;

	for (int i = 0; i < MAX_RINGS && !r; i++)
		if (rings[i].sqes && rings[i].fd == fd)
			r = &rings[i];
	if (!r)
		return -EBADF;
	tail = *r->sq_tail;
	idx = tail & *r->sq_mask;
	sqe = &r->sqes[idx];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_WRITE_FIXED;
	sqe->fd = file;
	sqe->addr = addr;
	sqe->len = (uint32_t)len;
	sqe->off = off;
	sqe->buf_index = 0;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, fd, 1U, 1U, IORING_ENTER_GETEVENTS, NULL, 0UL) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EIO;	/* no completion after GETEVENTS */
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static void io_uring_req(const struct pp_req *req, struct pp_resp *resp)
{
	const uint64_t *a = req->a;
	struct iovec iov = { .iov_base = (void *)a[1], .iov_len = a[2] };

	switch (req->op) {
	case PP_IOURING_SETUP:
		resp->ret = ring_setup();
		break;
	case PP_IOURING_REGISTER:
		resp->ret = neg_errno(syscall(SYS_io_uring_register, (int)a[0],
					      IORING_REGISTER_BUFFERS, &iov, 1U));
		break;
	case PP_IOURING_UNREGISTER:
		resp->ret = neg_errno(syscall(SYS_io_uring_register, (int)a[0],
					      IORING_UNREGISTER_BUFFERS, NULL, 0U));
		break;
	case PP_IOURING_WRITE_FIXED:
		resp->ret = ring_write_fixed((int)a[0], (int)a[1], a[2], a[3], a[4]);
		break;
	}
}

/*
 * CONFIG_GUP_TEST's pin interface (mm/gup_test.h's ioctls).  READ copies
 * every pinned page to the puppet: into a scratch mapping made for the
 * call and unmapped again, of which the request's slice is answered.
 */
struct pin_longterm_test_arg {
	uint64_t addr, size;
	uint32_t flags;
};
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test_arg)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define PIN_LONGTERM_TEST_READ	_IOW('g', 9, uint64_t)

static uint64_t pinned_bytes;	/* of the last START that succeeded */

static void gup_test_req(const struct pp_req *req, struct pp_resp *resp, uint8_t *out)
{
	const uint64_t *a = req->a;
	struct pin_longterm_test_arg arg = { a[1], a[2], (uint32_t)a[3] };
	uint64_t user;
	void *scratch;

	switch (req->op) {
	case PP_GUP_TEST_OPEN:
		resp->ret = neg_errno(open("/sys/kernel/debug/gup_test", O_RDWR | O_CLOEXEC));
		break;
	case PP_PIN_START:
		resp->ret = neg_errno(ioctl((int)a[0], PIN_LONGTERM_TEST_START, &arg));
		if (!resp->ret)
			pinned_bytes = a[2];
		break;
	case PP_PIN_STOP:
		resp->ret = neg_errno(ioctl((int)a[0], PIN_LONGTERM_TEST_STOP));
		break;
	case PP_PIN_READ:
		if (a[1] > PP_PAYLOAD_MAX || a[2] + a[1] > pinned_bytes || !pinned_bytes) {
			resp->ret = -EINVAL;
			break;
		}
		scratch = mmap(NULL, pinned_bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch == MAP_FAILED) {
			resp->ret = -errno;
			break;
		}
		user = (uint64_t)(uintptr_t)scratch;
		resp->ret = neg_errno(ioctl((int)a[0], PIN_LONGTERM_TEST_READ, &user));
		if (!resp->ret) {
			memcpy(out, (uint8_t *)scratch + a[2], a[1]);
			resp->len = (uint32_t)a[1];
		}
		munmap(scratch, pinned_bytes);
		break;
	}
}

/* pipes and vmsplice: the raw calls, never blocking */
static void pipe_io(const struct pp_req *req, struct pp_resp *resp, uint8_t *out)
{
	const uint64_t *a = req->a;
	long r;

	switch (req->op) {
	case PP_PIPE: {
		int fds[2];

		resp->ret = neg_errno(pipe2(fds, O_NONBLOCK));
		if (!resp->ret) {
			resp->v[0] = (uint64_t)fds[0];
			resp->v[1] = (uint64_t)fds[1];
		}
		break;
	}
	case PP_VMSPLICE: {
		struct iovec iov = { .iov_base = (void *)a[1], .iov_len = a[2] };

		r = syscall(SYS_vmsplice, (int)a[0], &iov, 1UL, 2U /* SPLICE_F_NONBLOCK */);
		resp->ret = r < 0 ? -errno : r;
		break;
	}
	case PP_READ_FD:
		r = read((int)a[0], out, a[1] < PP_PAYLOAD_MAX ? a[1] : PP_PAYLOAD_MAX);
		resp->ret = r < 0 ? -errno : r;
		resp->len = r > 0 ? (uint32_t)r : 0;
		break;
	}
}

/* The calls GUP serves: pipes and vmsplice, io_uring, gup_test's pins,
 * /proc/self/mem.  False: not one of them. */
static bool handle_gup_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
			  struct pp_resp *resp, uint8_t *out)
{
	switch (req->op) {
	case PP_PIPE:
	case PP_VMSPLICE:
	case PP_READ_FD:
		pipe_io(req, resp, out);
		return true;
	case PP_IOURING_SETUP:
	case PP_IOURING_REGISTER:
	case PP_IOURING_UNREGISTER:
	case PP_IOURING_WRITE_FIXED:
		io_uring_req(req, resp);
		return true;
	case PP_GUP_TEST_OPEN:
	case PP_PIN_START:
	case PP_PIN_READ:
	case PP_PIN_STOP:
		gup_test_req(req, resp, out);
		return true;
	case PP_MEM_WRITE: {
		/* as ptrace writes: FOLL_FORCE, through read-only mappings */
		int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		ssize_t w = fd < 0 ? -1 : pwrite(fd, payload, plen, (off_t)req->a[0]);

		resp->ret = w < 0 ? -errno : w;
		if (fd >= 0)
			close(fd);
		return true;
	}
	default:
		return false;
	}
}

static void handle(int s, const struct pp_req *req, const uint8_t *payload,
		   size_t plen, int rfd, struct pp_resp *resp, uint8_t *out)
{
	const uint64_t *a = req->a;

	switch (req->op) {
	case PP_UFFD_UNREGISTER: {
		struct uffdio_range r = { .start = a[0], .len = a[1] };

		resp->ret = uffd_fd < 0 ? -EINVAL : neg_errno(ioctl(uffd_fd, UFFDIO_UNREGISTER, &r));
		break;
	}
	case PP_UFFD_FILL: {
		int64_t res;

		resp->ret = do_uffd_fill((int)a[0], a[1], a[2], a[3], (unsigned int)a[4], &res);
		resp->v[0] = (uint64_t)res;
		break;
	}
	case PP_PROCESS_MADVISE:
		resp->ret = do_process_madvise((pid_t)a[0], payload, plen, a[1],
					       (int)a[2], (unsigned int)a[3]);
		break;
	case PP_ACCESS: {
		struct pp_item it = {
			.op = (uint32_t)a[0], .rep = 1,
			.addr = a[1], .len = a[2], .arg = a[3],
		};

		if (it.op >= SC_NR_OPS ||
		    (it.op == SC_OP_READ && it.len > PP_PAYLOAD_MAX) ||
		    (it.op == SC_OP_WRITE && it.len != plen)) {
			resp->ret = -EINVAL;
			break;
		}
		resp->ret = do_item(&it, payload, out, &resp->v[0],
				    &resp->v[1]);
		if (it.op == SC_OP_READ && !resp->ret)
			resp->len = (uint32_t)it.len;
		break;
	}
	case PP_BATCH:
		resp->v[0] = a[0];
		do_batch(payload, plen, resp, out);
		break;
	case PP_FORK:
		if (s != 0 || rfd < 0) {
			resp->ret = -EINVAL;
			break;
		}
		resp->ret = do_fork(rfd, &resp->v[0]);
		return;
	case PP_EXIT:
		_exit(0);
	case PP_THREAD:
		resp->ret = s ? -EINVAL : do_thread((unsigned int)a[0], rfd);
		if (resp->ret && rfd >= 0)
			close(rfd);
		return;
	case PP_UFFD_REGISTER:
		resp->ret = do_uffd_register(a[0], a[1], (int)a[2], &resp->v[0]);
		break;
	case PP_UFFD_WP:
		resp->ret = do_uffd_wp(a[0], a[1], a[2]);
		break;
	case PP_UFFD_API:
		/* one UFFDIO_API per userfaultfd; the first registration
		 * opened it without features */
		resp->ret = uffd_fd >= 0 ? -EINVAL : uffd_open(a[0]);
		break;
	case PP_UFFD_EVENTS:
		resp->ret = take_uffd_events((struct pp_uffd_ev *)out,
					     PP_PAYLOAD_MAX /
					     sizeof(struct pp_uffd_ev));
		resp->len = (uint32_t)(resp->ret * sizeof(struct pp_uffd_ev));
		break;
	default:
		if (!handle_mm_op(req, resp) && !handle_file_op(req, payload, plen, resp, out) &&
		    !handle_gup_op(req, payload, plen, resp, out))
			resp->ret = -ENOSYS;
	}
	if (rfd >= 0)
		close(rfd);
}

static void serve(int s)
{
	for (;;) {
		struct pp_req *req = (struct pp_req *)in_buf[s];
		struct pp_resp *resp = (struct pp_resp *)out_buf[s];
		int rfd;
		ssize_t n = recv_req(slots[s].sock, in_buf[s], PP_MSG_MAX,
				     &rfd);

		if (n <= 0)
			_exit(0);	/* the runner is gone */
		memset(resp, 0, sizeof(*resp));
		if ((size_t)n < sizeof(*req) || req->len != n - sizeof(*req))
			resp->ret = -EPROTO;
		else
			handle(s, req, in_buf[s] + sizeof(*req), req->len, rfd,
			       resp, out_buf[s] + sizeof(*resp));
		send(slots[s].sock, out_buf[s], sizeof(*resp) + resp->len,
		     MSG_NOSIGNAL);
	}
}

/*
 * A scenario's process is a plain program: without CAP_SYS_RAWIO, so that
 * vm.mmap_min_addr holds for it even when the runner is root (the model
 * refuses MAP_FIXED below it too), and without CAP_IPC_LOCK in effect, so
 * that RLIMIT_MEMLOCK holds for it (at 8 MiB, the kernel's default, as on
 * the model).  Reading /proc/PID/pagemap with PFNs is the runner's
 * business, not the puppet's.
 */
static void plain_program(void)
{
	struct rlimit rl;

	set_cap(CAP_SYS_RAWIO, CAP_DROP);
	set_cap(CAP_IPC_LOCK, CAP_LOWER);
	if (!getrlimit(RLIMIT_MEMLOCK, &rl)) {
		rl.rlim_cur = rl.rlim_max < (8 << 20) ? rl.rlim_max : (8 << 20);
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

int sc_puppet_main(int fd)
{
	struct sigaction sa;
	cpu_set_t cpu0;
	void *warm;
	int ret = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	plain_program();
	slots[0].sock = fd;
	slots[0].used = true;

	sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus);
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0))
		ret = -errno;

	/* One arena, never trimmed: what little glibc allocates later
	 * (pthread_create) comes from memory faulted in here. */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_TOP_PAD, 1 << 20);
	warm = malloc(2 << 20);
	if (warm) {
		memset(warm, 1, 2 << 20);
		free(warm);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* Children exit on their own; the runner waits on their pidfds. */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	set_altstack(0);

	grow_stack();
	record_own();
	prefault_own(true);
	map_stack_anchor();
	brk_floor = (uint64_t)syscall(SYS_brk, 0);
	send_hello(fd, ret);
	serve(0);
}
