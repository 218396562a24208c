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
 *
 * This file holds the request loop, the task threads, the accesses and
 * fork; the calls are in puppet_mm.c, puppet_file.c, puppet_gup.c and
 * puppet_uffd.c (shared declarations in puppet.h).
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
#include "puppet.h"

#define NR_SLOTS	(NR_TASK_SLOTS + 1)
#define STACK_SIZE	(128 * 1024)
#define ALTSTACK_SIZE	(32 * 1024)
#define RESP_MAX	(sizeof(struct pp_resp) + PP_PAYLOAD_MAX)

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
uint64_t brk_floor;	/* the break when the puppet was ready */

/* The puppet's own mappings, recorded at start (inherited by fork). */
static struct own_range {
	uint64_t lo, hi;
	bool r, w;
} own[1024];
static int nr_own;

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

void set_altstack(int s)
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

int start_thread(int s, void *(*fn)(void *), unsigned int cpu)
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
