/*
 * backend_linux.c - the "linux" backend: each Process is a puppet (a
 * helper process, puppet.c) that makes the real system calls and accesses,
 * driven over one socket per task (puppet_proto.h).
 *
 * The runner keeps the bookkeeping the puppet must not do itself: it
 * places the scenario's mappings (top-down inside PP_AREA, as the kernel
 * would place them below mmap_base, so that they never touch the puppet's
 * own memory), reads pagemap, status and smaps from /proc/PID, waits on a
 * pidfd until an exiting puppet is gone, and at the end kills what is left
 * and restores the host (linux_sys.c).  The pid table is static so that a
 * signal handler can kill every puppet.
 *
 * This file holds the puppets, their sockets and tasks, the accesses, the
 * /proc views and the backend's table; the calls are in
 * backend_linux_mm.c, backend_linux_file.c, backend_linux_gup.c and
 * backend_linux_uffd.c (shared declarations in backend_linux.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "linux_sys.h"
#include "backend_linux.h"

#define MAX_PUPPETS	1024
#define HELLO_TIMEOUT_MS 20000

static pid_t pids[MAX_PUPPETS];		/* for the signal path */
static struct sc_proc *procs[MAX_PUPPETS];
static volatile int nr_procs;
static char **puppet_env;
unsigned long mmap_min_addr = 65536;

static void lost(struct sc_proc *p, const char *what)
{
	int status;

	fprintf(stderr, "mmlab run: linux backend: puppet %d died during %s",
		p->pid, what);
	if (p->direct && waitpid(p->pid, &status, WNOHANG) == p->pid) {
		if (WIFSIGNALED(status))
			fprintf(stderr, " (killed by signal %d)",
				WTERMSIG(status));
		p->dead = true;
	}
	fputc('\n', stderr);
}

static int send_req(int sock, const struct pp_req *req, const void *payload,
		    int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov[2] = {
		{ .iov_base = (void *)req, .iov_len = sizeof(*req) },
		{ .iov_base = (void *)payload, .iov_len = req->len },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = req->len ? 2 : 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = sizeof(cm.b);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/* Read one response; payload (up to rmax bytes) into rbuf. */
static int recv_resp(int sock, struct pp_resp *resp, void *rbuf, size_t rmax,
		     int timeout_ms)
{
	struct iovec iov[2] = {
		{ .iov_base = resp, .iov_len = sizeof(*resp) },
		{ .iov_base = rbuf, .iov_len = rmax },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = rbuf ? 2 : 1 };
	ssize_t n;

	if (timeout_ms >= 0) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int r;

		do {
			r = poll(&pfd, 1, timeout_ms);
		} while (r < 0 && errno == EINTR);
		if (r == 0)
			return -ETIMEDOUT;
	}
	do {
		n = recvmsg(sock, &mh, 0);
	} while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(*resp))
		return -EPIPE;
	return 0;
}

int call(struct sc_task *t, struct pp_req *req, const void *payload,
	 int fd, struct pp_resp *resp, void *rbuf, size_t rmax,
	 const char *what)
{
	if (send_req(t->sock, req, payload, fd) ||
	    recv_resp(t->sock, resp, rbuf, rmax, -1)) {
		lost(t->p, what);
		return SC_EBACKEND;
	}
	return 0;
}

static void add_proc(struct sc_proc *p)
{
	if (nr_procs >= MAX_PUPPETS)
		return;
	procs[nr_procs] = p;
	pids[nr_procs] = p->pid;
	__atomic_store_n(&nr_procs, nr_procs + 1, __ATOMIC_RELEASE);
}

static int wait_hello(int sock, pid_t *pid)
{
	struct pp_resp r;
	int ret = recv_resp(sock, &r, NULL, 0, HELLO_TIMEOUT_MS);

	if (ret)
		return ret;
	if (r.ret)
		fprintf(stderr, "mmlab run: linux backend: puppet %d could not "
			"pin itself to its CPU: %s\n", (int)r.v[0],
			sc_errno_name((int)-r.ret));
	*pid = (pid_t)r.v[0];
	return 0;
}

static int lx_start(const struct sc_options *o)
{
	extern char **environ;
	char buf[64];
	int n = 0;

	(void)o;
	for (char **e = environ; *e; e++)
		n++;
	puppet_env = calloc(n + 2, sizeof(char *));
	if (!puppet_env)
		return -ENOMEM;
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "LD_BIND_NOW=", 12))
			puppet_env[n++] = *e;
	/* No lazy binding: a puppet's first call of a function must not
	 * write its GOT during the scenario. */
	puppet_env[n++] = "LD_BIND_NOW=1";
	puppet_env[n] = NULL;
	/* The kernel rounds hints up to max(vm.mmap_min_addr,
	 * CONFIG_LSM_MMAP_MIN_ADDR), 64 KiB by default on x86. */
	if (!lx_knob_get("/proc/sys/vm/mmap_min_addr", buf, sizeof(buf)) &&
	    strtoul(buf, NULL, 10) > mmap_min_addr)
		mmap_min_addr = strtoul(buf, NULL, 10);
	return 0;
}

static void lx_emergency(void)
{
	for (int i = 0; i < nr_procs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	lx_swapoff_all();
	lx_restore_all();
}

static void wait_gone(struct sc_proc *p)
{
	struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };
	int r;

	if (p->pidfd >= 0) {
		do {
			r = poll(&pfd, 1, 10000);
		} while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(p->pid, SIGKILL);
			poll(&pfd, 1, 10000);
		}
		close(p->pidfd);
		p->pidfd = -1;
	}
	if (p->direct)
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
}

static void close_socks(struct sc_proc *p)
{
	close(p->main.sock);
	for (int i = 0; i < p->nr_threads; i++) {
		close(p->threads[i]->sock);
		free(p->threads[i]);
	}
	p->nr_threads = 0;
}

static void forget(struct sc_proc *p)
{
	for (int i = 0; i < nr_procs; i++)
		if (procs[i] == p)
			pids[i] = 0;
}

static void lx_finish(void)
{
	for (int i = 0; i < nr_procs; i++) {
		struct sc_proc *p = procs[i];

		if (p->dead)
			continue;
		kill(p->pid, SIGKILL);
		close_socks(p);
		wait_gone(p);
		p->dead = true;
		pids[i] = 0;
	}
	lx_swapoff_all();
	lx_restore_all();
}

static unsigned int lx_nr_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set);
}

static struct sc_proc *new_proc(pid_t pid, int sock, bool direct)
{
	struct sc_proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->direct = direct;
	p->main = (struct sc_task){ .p = p, .sock = sock, .cpu = 0 };
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	add_proc(p);
	return p;
}

static int lx_spawn(struct sc_proc **out)
{
	char fdarg[16];
	char *argv[] = { "mmlab", "run", "--puppet", fdarg, NULL };
	int sv[2], ret;
	pid_t pid, hello_pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	snprintf(fdarg, sizeof(fdarg), "%d", 3);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		return ret;
	}
	if (pid == 0) {
		if (sv[1] == 3)
			fcntl(3, F_SETFD, 0);
		else if (dup2(sv[1], 3) < 0)
			_exit(127);
		signal(SIGINT, SIG_IGN);	/* the runner cleans up */
		execve("/proc/self/exe", argv, puppet_env);
		_exit(127);
	}
	close(sv[1]);
	if (wait_hello(sv[0], &hello_pid)) {
		fprintf(stderr, "mmlab run: linux backend: the puppet did not "
			"start\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(sv[0]);
		return SC_EBACKEND;
	}
	*out = new_proc(pid, sv[0], true);
	return *out ? 0 : -ENOMEM;
}

/*
 * Send @req, which starts a new puppet (a fork, a thread), with one end of
 * a new socket pair for it: the other end, or the error.
 */
static int call_new_puppet(struct sc_task *via, struct pp_req *req, struct pp_resp *resp,
			   const char *what)
{
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	ret = call(via, req, NULL, sv[1], resp, NULL, 0, what);
	close(sv[1]);
	if (ret || resp->ret) {
		close(sv[0]);
		return ret ? ret : (int)resp->ret;
	}
	return sv[0];
}

static int lx_fork(struct sc_proc *p, struct sc_proc **child)
{
	struct pp_req req = { .op = PP_FORK };
	struct pp_resp resp;
	int sock = call_new_puppet(&p->main, &req, &resp, "fork");
	pid_t pid;

	if (sock < 0)
		return sock;
	if (wait_hello(sock, &pid)) {
		fprintf(stderr, "mmlab run: linux backend: forked puppet %d "
			"did not start\n", (int)resp.v[0]);
		close(sock);
		return SC_EBACKEND;
	}
	*child = new_proc((pid_t)resp.v[0], sock, false);
	return *child ? 0 : -ENOMEM;
}

static int lx_exit(struct sc_proc *p)
{
	struct pp_req req = { .op = PP_EXIT };

	send_req(p->main.sock, &req, NULL, -1);
	close_socks(p);
	wait_gone(p);
	p->dead = true;
	forget(p);
	return 0;
}

static int lx_pid(struct sc_proc *p)
{
	return p->pid;
}

static int lx_thread(struct sc_proc *p, unsigned int cpu, struct sc_task **out)
{
	struct pp_req req = { .op = PP_THREAD, .a = { cpu } };
	struct pp_resp resp;
	struct sc_task *t;
	int sock;
	pid_t tid;

	if (p->nr_threads == PP_MAX_THREADS)
		return -EAGAIN;
	sock = call_new_puppet(&p->main, &req, &resp, "thread");
	if (sock < 0)
		return sock;
	if (wait_hello(sock, &tid)) {
		lost(p, "thread start");
		close(sock);
		return SC_EBACKEND;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(sock);
		return -ENOMEM;
	}
	*t = (struct sc_task){ .p = p, .sock = sock, .cpu = cpu };
	p->threads[p->nr_threads++] = t;
	*out = t;
	return 0;
}

struct sc_task *lx_main_task(struct sc_proc *p)
{
	return &p->main;
}

static unsigned int lx_task_cpu(struct sc_task *t)
{
	return t->cpu;
}

/* A call with no payload: its result, or SC_EBACKEND. */
long simple_call(struct sc_task *t, enum pp_op op, const char *what,
		 uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pp_req req = { .op = op, .a = { a0, a1, a2, a3 } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, what);

	return ret ? ret : (long)resp.ret;
}

/* One access or call; reads and writes go in chunks of PP_PAYLOAD_MAX. */
static int run_once(struct sc_item *it)
{
	bool chunked = it->op == SC_OP_READ || it->op == SC_OP_WRITE;
	uint64_t done = 0;

	do {
		uint64_t n = chunked && it->len - done > PP_PAYLOAD_MAX ?
			PP_PAYLOAD_MAX : it->len - done;
		struct pp_req req = {
			.op = PP_ACCESS,
			.a = { it->op, it->addr + (chunked ? done : 0),
			       chunked ? n : it->len, it->arg },
		};
		struct pp_resp resp;
		int ret;

		if (it->op == SC_OP_WRITE)
			req.len = (uint32_t)n;
		ret = call(it->task, &req, (const char *)it->in + done, -1,
			   &resp, it->op == SC_OP_READ ?
			   (char *)it->out + done : NULL,
			   it->op == SC_OP_READ ? n : 0, sc_op_names[it->op]);
		if (ret)
			return ret;
		it->fault_addr = resp.v[0];
		it->mismatch = resp.v[1];
		if (resp.ret)
			return (int)resp.ret;
		done += n;
	} while (chunked && done < it->len);
	return 0;
}

static int lx_run(struct sc_item *it)
{
	it->ret = 0;
	it->mismatch = UINT64_MAX;
	for (unsigned int r = 0; r < it->rep && !it->ret; r++) {
		it->ret = run_once(it);
		if (it->op == SC_OP_VERIFY && it->mismatch != UINT64_MAX)
			break;
	}
	return it->ret;
}

/* How many of the @n items are in group @g. */
static size_t group_items(const struct sc_item *items, int n, int g)
{
	size_t k = 0;

	for (int i = 0; i < n; i++)
		if (items[i].group == g)
			k++;
	return k;
}

/* Build the PP_BATCH message of one group: items, then write data. */
static int build_batch(struct sc_item *items, int n, int g, uint8_t *buf,
		       uint32_t *len, uint32_t *count, size_t *reads)
{
	struct pp_item *pi = (struct pp_item *)buf;
	size_t data = 0, k = 0, rd = 0;

	k = group_items(items, n, g);
	if (k > PP_BATCH_MAX)
		return -E2BIG;
	data = k * sizeof(*pi);
	k = 0;
	for (int i = 0; i < n; i++) {
		struct sc_item *it = &items[i];

		if (it->group != g)
			continue;
		pi[k++] = (struct pp_item){
			.op = it->op, .rep = it->rep,
			.addr = it->addr, .len = it->len, .arg = it->arg,
		};
		if (it->op == SC_OP_WRITE) {
			if (data + it->len > PP_PAYLOAD_MAX)
				return -E2BIG;
			memcpy(buf + data, it->in, it->len);
			data += it->len;
		}
		if (it->op == SC_OP_READ)
			rd += it->len;
	}
	if (rd + k * sizeof(struct pp_item_res) > PP_PAYLOAD_MAX)
		return -E2BIG;
	*len = (uint32_t)data;
	*count = (uint32_t)k;
	*reads = rd;
	return 0;
}

static int lx_parallel(struct sc_item *items, int n)
{
	static uint8_t buf[PP_PAYLOAD_MAX];
	int ngroups = 0, ret = 0;
	struct sc_task **task;

	for (int i = 0; i < n; i++)
		if (items[i].group + 1 > ngroups)
			ngroups = items[i].group + 1;
	task = calloc(ngroups, sizeof(*task));
	if (!task)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		task[items[i].group] = items[i].task;

	/* Start every task, then collect: they run at the same time. */
	for (int g = 0; g < ngroups; g++) {
		struct pp_req req = { .op = PP_BATCH };
		uint32_t count;
		size_t reads;

		if (build_batch(items, n, g, buf, &req.len, &count, &reads)) {
			fprintf(stderr, "mm.parallel: too much for one task on "
				"the linux backend (at most %d elements and %d "
				"bytes of read and write data)\n",
				PP_BATCH_MAX, PP_PAYLOAD_MAX / 2);
			ngroups = g;
			ret = SC_EBACKEND;
			break;
		}
		req.a[0] = count;
		if (send_req(task[g]->sock, &req, buf, -1)) {
			lost(task[g]->p, "mm.parallel");
			ngroups = g;
			ret = SC_EBACKEND;
			break;
		}
	}
	for (int g = 0; g < ngroups; g++) {
		struct pp_resp resp;
		struct pp_item_res *res = (struct pp_item_res *)buf;
		size_t k = 0, rd;

		if (recv_resp(task[g]->sock, &resp, buf, sizeof(buf), -1)) {
			lost(task[g]->p, "mm.parallel");
			ret = SC_EBACKEND;
			continue;
		}
		if (resp.ret) {
			fprintf(stderr, "mm.parallel: the puppet refused the "
				"batch: %s\n", sc_errno_name((int)-resp.ret));
			ret = SC_EBACKEND;
			continue;
		}
		rd = group_items(items, n, g) * sizeof(*res);
		k = 0;
		for (int i = 0; i < n; i++) {
			struct sc_item *it = &items[i];

			if (it->group != g)
				continue;
			it->ret = (int)res[k].ret;
			it->fault_addr = res[k].fault_addr;
			it->mismatch = res[k].mismatch;
			k++;
			if (it->op == SC_OP_READ) {
				memcpy(it->out, buf + rd, it->len);
				rd += it->len;
			}
		}
	}
	free(task);
	return ret;
}

static int lx_pagemap_p(struct sc_proc *p, uint64_t addr, uint64_t n,
			uint64_t *out)
{
	return lx_pagemap(p->pid, addr, n, out);
}

static int lx_status_p(struct sc_proc *p, struct sc_status *st)
{
	return lx_status(p->pid, st);
}

static int lx_smaps_p(struct sc_proc *p, uint64_t addr, struct sc_smaps *sm)
{
	return lx_smaps(p->pid, addr, sm);
}

static int lx_clear_refs_p(struct sc_proc *p, int v)
{
	return lx_clear_refs(p->pid, v);
}

/* The runner makes the ioctl on the puppet's pagemap: vec is ours. */
static long lx_pagemap_scan_p(struct sc_proc *p, struct sc_pm_scan_arg *arg)
{
	return lx_pagemap_scan(p->pid, arg);
}

const struct sc_backend sc_backend_linux = {
	.name = "linux",
	.start = lx_start,
	.finish = lx_finish,
	.emergency = lx_emergency,
	.knob_set = lx_knob_set,
	.knob_get = lx_knob_get,
	.swapon = lx_swapon,
	.vmstat = lx_vmstat,
	.khugepaged_scan = lx_khugepaged_scan,
	.nr_cpus = lx_nr_cpus,
	.spawn = lx_spawn,
	.fork = lx_fork,
	.exit = lx_exit,
	.pid = lx_pid,
	.thread = lx_thread,
	.main_task = lx_main_task,
	.task_cpu = lx_task_cpu,
	.mmap = lx_mmap,
	.mremap = lx_mremap,
	.mlock = lx_mlock,
	.munlock = lx_munlock,
	.mlockall = lx_mlockall,
	.munlockall = lx_munlockall,
	.brk = lx_brk,
	.setrlimit = lx_setrlimit,
	.setcap = lx_setcap,
	.memfd = lx_memfd,
	.close = lx_close,
	.reopen = lx_reopen,
	.regfile = lx_regfile,
	.pread = lx_pread,
	.pwrite = lx_pwrite,
	.ftruncate = lx_ftruncate,
	.fallocate = lx_fallocate,
	.add_seals = lx_add_seals,
	.get_seals = lx_get_seals,
	.msync = lx_msync,
	.process_madvise = lx_process_madvise,
	.run = lx_run,
	.parallel = lx_parallel,
	.pagemap = lx_pagemap_p,
	.status = lx_status_p,
	.smaps = lx_smaps_p,
	.clear_refs = lx_clear_refs_p,
	.uffd_register = lx_uffd_register,
	.uffd_wp = lx_uffd_wp,
	.uffd_events = lx_uffd_events,
	.uffd_api = lx_uffd_api,
	.uffd_fill = lx_uffd_fill,
	.uffd_unregister = lx_uffd_unregister,
	.pagemap_scan = lx_pagemap_scan_p,
	.prctl_pt_reclaim = lx_prctl_pt_reclaim,
	.mseal = lx_mseal,
	.prctl = lx_prctl,
	.nodes = sc_lx_nodes,
	.move_pages = sc_lx_move_pages,
	.mbind = lx_mbind,
	.get_mempolicy = lx_get_mempolicy,
	.set_mempolicy = lx_set_mempolicy,
	.now_ns = sc_lx_now_ns,
	.cpu_cycles = sc_lx_cpu_cycles,
	.settle = sc_lx_settle,
	.pipe = lx_pipe,
	.vmsplice = lx_vmsplice,
	.read_fd = lx_read_fd,
	.io_uring_setup = lx_io_uring_setup,
	.io_uring_register = lx_io_uring_register,
	.io_uring_unregister = lx_io_uring_unregister,
	.io_uring_write_fixed = lx_io_uring_write_fixed,
	.gup_test_open = lx_gup_test_open,
	.pin_longterm_start = lx_pin_longterm_start,
	.pin_longterm_read = lx_pin_longterm_read,
	.pin_longterm_stop = lx_pin_longterm_stop,
	.mem_write = lx_mem_write,
	.split_huge_pages = lx_split_huge_pages,
	.kpageflags = lx_kpageflags,
};
