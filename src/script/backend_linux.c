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

#define MAX_PUPPETS	1024
#define HELLO_TIMEOUT_MS 20000

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

static pid_t pids[MAX_PUPPETS];		/* for the signal path */
static struct sc_proc *procs[MAX_PUPPETS];
static volatile int nr_procs;
static char **puppet_env;
static unsigned long mmap_min_addr = 65536;

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

static int call(struct sc_task *t, struct pp_req *req, const void *payload,
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

static struct sc_task *lx_main_task(struct sc_proc *p)
{
	return &p->main;
}

static unsigned int lx_task_cpu(struct sc_task *t)
{
	return t->cpu;
}

/*
 * Where the kernel would put a mapping of len bytes if the puppet's own
 * memory were not there: the highest gap in PP_AREA; private anonymous
 * mappings whose length is a multiple of PMD_SIZE are PMD-aligned (as
 * __get_unmapped_area does for THP).  0 when nothing fits.
 */
static uint64_t place(pid_t pid, uint64_t len, bool thp_align)
{
	int n;
	struct lx_vma *v = lx_vmas(pid, PP_AREA_LO, PP_AREA_HI, &n);
	uint64_t top = PP_AREA_HI, found = 0;
	uint64_t need = thp_align ? len + SC_PMD_SIZE : len;

	for (int i = n; i >= 0; i--) {
		uint64_t bottom = i > 0 ? v[i - 1].hi : PP_AREA_LO;

		if (bottom < PP_AREA_LO)
			bottom = PP_AREA_LO;
		if (top > bottom && top - bottom >= need) {
			found = top - len;
			if (thp_align)
				found &= ~(SC_PMD_SIZE - 1);
			break;
		}
		if (i > 0)
			top = v[i - 1].lo;
	}
	free(v);
	if (!found && thp_align)
		return place(pid, len, false);
	return found;
}

/* Is @fd of @pid a regular file made by p:file (in /var/tmp)? */
static bool fd_is_disk_file(pid_t pid, int fd)
{
	char path[64], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = 0;
	return !strncmp(target, "/var/tmp/", 9);
}

/*
 * thp_get_unmapped_area for a disk file, as the model's: when the file
 * range [off, off + len) holds a whole PMD-aligned stretch, the highest gap
 * of len + PMD_SIZE, the mapping placed in it where address and file
 * offset agree modulo PMD_SIZE.  0 when it does not apply or nothing fits.
 */
static uint64_t place_file(pid_t pid, uint64_t len, uint64_t off)
{
	uint64_t off_align = (off + SC_PMD_SIZE - 1) & ~(SC_PMD_SIZE - 1), r, sub;

	if (off + len <= off_align || off + len - off_align < SC_PMD_SIZE)
		return 0;
	r = place(pid, len + SC_PMD_SIZE, false);
	if (!r)
		return 0;
	sub = (off - r) & (SC_PMD_SIZE - 1);
	return sub ? r + sub : r + SC_PMD_SIZE;
}

static bool range_free(pid_t pid, uint64_t addr, uint64_t len)
{
	int n;
	struct lx_vma *v = lx_vmas(pid, addr, addr + len, &n);

	free(v);
	return n == 0;
}

/* A call with no payload: its result, or SC_EBACKEND. */
static long simple_call(struct sc_task *t, enum pp_op op, const char *what,
			uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct pp_req req = { .op = op, .a = { a0, a1, a2, a3 } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, what);

	return ret ? ret : (long)resp.ret;
}

static int mmap_call(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
		     int flags, int fd, uint64_t off, uint64_t *out)
{
	struct pp_req req = { .op = PP_MMAP,
			      .a = { addr, len, (uint64_t)prot, (uint64_t)flags,
				     (uint64_t)(int64_t)fd, off } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "mmap");

	if (ret)
		return ret;
	*out = resp.v[0];
	return (int)resp.ret;
}

/*
 * mmap(2).  A mapping whose address the kernel would choose goes where the
 * model would put it (place(): the scenario's area, not beside the
 * puppet's libraries), with the caller's flags unchanged: that address is
 * passed as the hint, which the kernel takes as it is when the range is
 * free.  Except for a private anonymous mapping of whole PMDs without a
 * hint: the kernel then wants a PMD more than the length free at a hint
 * (thp_get_unmapped_area) and would search elsewhere, so the range is
 * reserved first (PROT_NONE, MAP_FIXED_NOREPLACE) and the mapping made
 * over it (MAP_FIXED), as the kernel would have placed it.  The same for a
 * disk file holding a whole PMD-aligned stretch (place_file).
 */
static int lx_mmap(struct sc_task *t, uint64_t addr, uint64_t len, int prot,
		   int flags, int fd, uint64_t off, uint64_t *out)
{
	uint64_t plen = (len + 4095) & ~4095ULL, at = 0, r;
	bool thp_align = false;
	int ret;

	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && len && plen >= len &&
	    (flags & (MAP_PRIVATE | MAP_SHARED | SC_MAP_DROPPABLE))) {
		uint64_t hint = (addr + 4095) & ~4095ULL;

		if (addr && hint < mmap_min_addr)
			hint = (mmap_min_addr + 4095) & ~4095ULL;
		if (addr && hint + plen > hint &&
		    range_free(t->p->pid, hint, plen))
			at = hint;
		thp_align = !addr && fd < 0 && ((flags & MAP_TYPE) == MAP_PRIVATE ||
						 (flags & MAP_TYPE) == SC_MAP_DROPPABLE) &&
			    (flags & MAP_ANONYMOUS) && !(plen & (SC_PMD_SIZE - 1));
		/* a disk file: the kernel wants a PMD more at a hint too */
		if (!at && fd >= 0 && fd_is_disk_file(t->p->pid, fd)) {
			at = place_file(t->p->pid, plen, off);
			thp_align = at != 0;
		}
		if (!at)
			at = place(t->p->pid, plen, thp_align);
	}
	if (at && thp_align &&
	    !mmap_call(t, at, plen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0, &r)) {
		ret = mmap_call(t, at, len, prot, flags | MAP_FIXED, fd, off, out);
		if (ret)
			simple_call(t, PP_MUNMAP, "munmap", at, plen, 0, 0);
		return ret;
	}
	ret = mmap_call(t, at ? at : addr, len, prot, flags, fd, off, out);
	if (!ret && at && *out != at)
		fprintf(stderr, "mmlab run: linux backend: the kernel placed a "
			"mapping at 0x%" PRIx64 ", not at its hint 0x%" PRIx64 "\n",
			*out, at);
	return ret;
}

static int mremap_call(struct sc_task *t, uint64_t addr, uint64_t old_len,
		       uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	struct pp_req req = { .op = PP_MREMAP,
			      .a = { addr, old_len, new_len, (uint64_t)flags, new_addr } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, "mremap");

	if (ret)
		return ret;
	*out = resp.v[0];
	return (int)resp.ret;
}

/*
 * mremap(2).  A move whose address the kernel would choose goes where the
 * model would put it (place(): the scenario's area, not beside the
 * puppet's libraries), as a MREMAP_FIXED move there: first the call
 * without MREMAP_MAYMOVE, which resizes in place when the kernel can and
 * fails with ENOMEM, changing nothing, when it would have to move.
 */
static int lx_mremap(struct sc_task *t, uint64_t addr, uint64_t old_len,
		     uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	uint64_t plen = (new_len + 4095) & ~4095ULL, at = 0;
	struct lx_vma *v;
	bool anon_private = false;
	int n, ret;

	if (flags != SC_MREMAP_MAYMOVE && flags != (SC_MREMAP_MAYMOVE | SC_MREMAP_DONTUNMAP))
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	if (flags == SC_MREMAP_MAYMOVE) {
		ret = mremap_call(t, addr, old_len, new_len, 0, 0, out);
		if (ret != -ENOMEM)
			return ret;
	}
	if (!new_len || plen < new_len || (addr & 4095))
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	/* a DONTUNMAP hint is taken when the range there is free */
	if ((flags & SC_MREMAP_DONTUNMAP) && new_addr && !(new_addr & 4095) &&
	    new_addr + plen > new_addr && range_free(t->p->pid, new_addr, plen))
		at = new_addr;
	/* __get_unmapped_area aligns a private anonymous range of whole
	 * PMDs when no hint is given */
	v = lx_vmas(t->p->pid, addr, addr + 1, &n);
	anon_private = n == 1 && v[0].anon_private;
	free(v);
	if (!at)
		at = place(t->p->pid, plen, anon_private && !new_addr &&
			   !(plen & (SC_PMD_SIZE - 1)));
	if (!at)
		return mremap_call(t, addr, old_len, new_len, flags, new_addr, out);
	return mremap_call(t, addr, old_len, new_len, flags | SC_MREMAP_FIXED, at, out);
}

static int lx_memfd(struct sc_proc *p, const char *name, uint64_t size,
		    unsigned int flags)
{
	struct pp_req req = { .op = PP_MEMFD, .a = { size, flags } };
	struct pp_resp resp;
	int ret;

	/* the whole name: the kernel refuses one over 249 bytes */
	if (strlen(name) >= PP_NAME_MAX)
		return -EINVAL;
	req.len = (uint32_t)strlen(name) + 1;
	ret = call(&p->main, &req, name, -1, &resp, NULL, 0, "memfd");
	return ret ? ret : (int)resp.ret;
}

static int lx_close(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_CLOSE, "close", (uint64_t)fd, 0, 0, 0);
}

static int lx_pipe(struct sc_proc *p, int fds[2])
{
	struct pp_req req = { .op = PP_PIPE };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "pipe");

	if (ret)
		return ret;
	fds[0] = (int)resp.v[0];
	fds[1] = (int)resp.v[1];
	return (int)resp.ret;
}

static long lx_vmsplice(struct sc_task *t, int fd, uint64_t addr, uint64_t len)
{
	return simple_call(t, PP_VMSPLICE, "vmsplice", (uint64_t)fd, addr, len, 0);
}

/* read(2) of up to one payload of bytes */
static long read_call(struct sc_proc *p, enum pp_op op, int fd, void *buf, uint64_t len,
		      int64_t off, const char *what)
{
	struct pp_req req = { .op = op, .a = { (uint64_t)fd, len, (uint64_t)off } };
	struct pp_resp resp;
	int ret;

	if (len > PP_PAYLOAD_MAX)
		req.a[1] = len = PP_PAYLOAD_MAX;
	ret = call(&p->main, &req, NULL, -1, &resp, buf, len, what);
	return ret ? ret : resp.ret;
}

static long lx_read_fd(struct sc_proc *p, int fd, void *buf, uint64_t len)
{
	return read_call(p, PP_READ_FD, fd, buf, len, 0, "read_fd");
}

static int lx_io_uring_setup(struct sc_proc *p)
{
	return (int)simple_call(&p->main, PP_IOURING_SETUP, "io_uring_setup", 0, 0, 0, 0);
}

static int lx_io_uring_register(struct sc_task *t, int ring, uint64_t addr, uint64_t len)
{
	return (int)simple_call(t, PP_IOURING_REGISTER, "io_uring_register", (uint64_t)ring,
				addr, len, 0);
}

static int lx_io_uring_unregister(struct sc_proc *p, int ring)
{
	return (int)simple_call(&p->main, PP_IOURING_UNREGISTER, "io_uring_register",
				(uint64_t)ring, 0, 0, 0);
}

static long lx_io_uring_write_fixed(struct sc_proc *p, int ring, int fd, uint64_t addr,
				    uint64_t len, int64_t off)
{
	struct pp_req req = { .op = PP_IOURING_WRITE_FIXED,
			      .a = { (uint64_t)ring, (uint64_t)fd, addr, len, (uint64_t)off } };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "io_uring_enter");

	return ret ? ret : resp.ret;
}

static int lx_gup_test_open(struct sc_proc *p)
{
	return (int)simple_call(&p->main, PP_GUP_TEST_OPEN, "open gup_test", 0, 0, 0, 0);
}

static int lx_pin_longterm_start(struct sc_task *t, int fd, uint64_t addr, uint64_t size,
				 unsigned int flags)
{
	return (int)simple_call(t, PP_PIN_START, "PIN_LONGTERM_TEST_START", (uint64_t)fd, addr,
				size, flags);
}

/* PIN_LONGTERM_TEST_READ, one payload at a time */
static int lx_pin_longterm_read(struct sc_proc *p, int fd, void *buf, uint64_t len)
{
	for (uint64_t off = 0; off < len; off += PP_PAYLOAD_MAX) {
		uint64_t n = len - off < PP_PAYLOAD_MAX ? len - off : PP_PAYLOAD_MAX;
		struct pp_req req = { .op = PP_PIN_READ, .a = { (uint64_t)fd, n, off } };
		struct pp_resp resp;
		int ret = call(&p->main, &req, NULL, -1, &resp, (uint8_t *)buf + off, n,
			       "PIN_LONGTERM_TEST_READ");

		if (ret || resp.ret)
			return ret ? ret : (int)resp.ret;
	}
	return 0;
}

static int lx_pin_longterm_stop(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_PIN_STOP, "PIN_LONGTERM_TEST_STOP", (uint64_t)fd,
				0, 0, 0);
}

static long lx_mem_write(struct sc_proc *p, uint64_t addr, const void *buf, uint64_t len)
{
	struct pp_req req = { .op = PP_MEM_WRITE, .a = { addr } };
	struct pp_resp resp;
	int ret;

	if (len > PP_PAYLOAD_MAX)
		len = PP_PAYLOAD_MAX;
	req.len = (uint32_t)len;
	ret = call(&p->main, &req, buf, -1, &resp, NULL, 0, "write /proc/PID/mem");
	return ret ? ret : resp.ret;
}

static int lx_regfile(struct sc_proc *p, uint64_t size)
{
	return (int)simple_call(&p->main, PP_REGFILE, "file", size, 0, 0, 0);
}

/* pread/pwrite in messages of at most PP_PAYLOAD_MAX bytes each: the
 * bytes done (short at the end of the file), or the first -errno. */
static long lx_rw(struct sc_proc *p, int fd, uint8_t *buf, size_t len, int64_t off,
		  bool write)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < PP_PAYLOAD_MAX ? len - done : PP_PAYLOAD_MAX;
		struct pp_req req = { .op = write ? PP_PWRITE : PP_PREAD,
				      .len = write ? (uint32_t)n : 0,
				      .a = { (uint64_t)fd, (uint64_t)off + done, n } };
		struct pp_resp resp;
		int ret = call(&p->main, &req, write ? buf + done : NULL, -1, &resp,
			       write ? NULL : buf + done, write ? 0 : n,
			       write ? "pwrite" : "pread");

		if (ret || resp.ret < 0)
			return done ? (long)done : ret ? ret : (long)resp.ret;
		done += (size_t)resp.ret;
		if ((size_t)resp.ret < n)
			break;
	}
	return (long)done;
}

static long lx_pread(struct sc_proc *p, int fd, void *buf, size_t len, int64_t off)
{
	return lx_rw(p, fd, buf, len, off, false);
}

static long lx_pwrite(struct sc_proc *p, int fd, const void *buf, size_t len, int64_t off)
{
	return lx_rw(p, fd, (uint8_t *)buf, len, off, true);
}

static int lx_reopen(struct sc_proc *p, int fd, int flags)
{
	return (int)simple_call(&p->main, PP_REOPEN, "reopen", (uint64_t)fd,
				(uint64_t)flags, 0, 0);
}

static int lx_ftruncate(struct sc_proc *p, int fd, int64_t len)
{
	return (int)simple_call(&p->main, PP_FTRUNCATE, "ftruncate", (uint64_t)fd,
				(uint64_t)len, 0, 0);
}

static int lx_fallocate(struct sc_proc *p, int fd, int mode, int64_t off, int64_t len)
{
	return (int)simple_call(&p->main, PP_FALLOCATE, "fallocate", (uint64_t)fd,
				(uint64_t)mode, (uint64_t)off, (uint64_t)len);
}

static int lx_add_seals(struct sc_proc *p, int fd, unsigned int seals)
{
	return (int)simple_call(&p->main, PP_ADD_SEALS, "add_seals", (uint64_t)fd,
				seals, 0, 0);
}

static int lx_get_seals(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_GET_SEALS, "get_seals", (uint64_t)fd,
				0, 0, 0);
}

static int lx_msync(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return (int)simple_call(t, PP_MSYNC, "msync", addr, len, (uint64_t)flags, 0);
}

/* The caller's puppet opens a pidfd of the target and makes the call. */
static long lx_process_madvise(struct sc_task *t, struct sc_proc *target,
			       const struct sc_iovec *iov, int n, int advice,
			       unsigned int flags)
{
	struct pp_req req = { .op = PP_PROCESS_MADVISE,
			      .a = { (uint64_t)target->pid, (uint64_t)n, (uint64_t)advice,
				     flags } };
	struct pp_resp resp;
	int ret;

	if ((size_t)n * sizeof(*iov) > PP_PAYLOAD_MAX)
		return -EINVAL;
	req.len = (uint32_t)(n * sizeof(*iov));
	ret = call(t, &req, iov, -1, &resp, NULL, 0, "process_madvise");
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

static int lx_uffd_register(struct sc_proc *p, uint64_t addr, uint64_t len,
			    int modes, uint64_t *ioctls)
{
	struct pp_req req = { .op = PP_UFFD_REGISTER, .a = { addr, len, (uint64_t)modes } };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "uffd_register");

	if (ret)
		return ret;
	if (ioctls)
		*ioctls = resp.v[0];
	return (int)resp.ret;
}

static int lx_uffd_unregister(struct sc_proc *p, uint64_t addr, uint64_t len)
{
	return (int)simple_call(&p->main, PP_UFFD_UNREGISTER, "uffd_unregister",
				addr, len, 0, 0);
}

/* The filling ioctls run in the puppet, on its userfaultfd. */
static int lx_uffd_fill(struct sc_proc *p, int op, uint64_t dst, uint64_t src,
			uint64_t len, unsigned int mode, int64_t *filled)
{
	struct pp_req req = { .op = PP_UFFD_FILL,
			      .a = { (uint64_t)op, dst, src, len, mode } };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "uffd_fill");

	if (ret)
		return ret;
	*filled = (int64_t)resp.v[0];
	return (int)resp.ret;
}

static int lx_uffd_wp(struct sc_proc *p, uint64_t addr, uint64_t len, bool on)
{
	return (int)simple_call(&p->main, PP_UFFD_WP, "uffd_wp", addr, len, on, 0);
}

static int lx_uffd_api(struct sc_proc *p, uint64_t features)
{
	return (int)simple_call(&p->main, PP_UFFD_API, "uffd_api", features, 0, 0, 0);
}

/* The runner makes the ioctl on the puppet's pagemap: vec is ours. */
static long lx_pagemap_scan_p(struct sc_proc *p, struct sc_pm_scan_arg *arg)
{
	return lx_pagemap_scan(p->pid, arg);
}

static int lx_uffd_events(struct sc_proc *p, struct sc_uffd_event *ev, int max)
{
	static struct pp_uffd_ev buf[PP_PAYLOAD_MAX / sizeof(struct pp_uffd_ev)];
	struct pp_req req = { .op = PP_UFFD_EVENTS };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, buf, sizeof(buf),
		       "uffd_events");

	if (ret)
		return ret;
	if (resp.ret < 0)
		return (int)resp.ret;
	for (int i = 0; i < resp.ret && i < max; i++) {
		ev[i].addr = buf[i].addr;
		ev[i].kind = (int)buf[i].kind;
		ev[i].to = buf[i].to;
		ev[i].len = buf[i].len;
	}
	return resp.ret < max ? (int)resp.ret : max;
}

/* A call with no payload that also answers v[0] (in *out): 0 or -errno. */
static int simple_call_out(struct sc_task *t, uint32_t op, uint64_t a0, uint64_t a1,
			   uint64_t a2, uint64_t *out, const char *what)
{
	struct pp_req req = { .op = op, .a = { a0, a1, a2 } };
	struct pp_resp resp;
	int ret = call(t, &req, NULL, -1, &resp, NULL, 0, what);

	if (ret)
		return ret;
	if (out)
		*out = resp.v[0];
	return (int)resp.ret;
}

static int lx_mlock(struct sc_task *t, uint64_t addr, uint64_t len, int flags)
{
	return simple_call_out(t, PP_MLOCK, addr, len, (uint64_t)(unsigned int)flags, NULL, "mlock");
}

static int lx_munlock(struct sc_task *t, uint64_t addr, uint64_t len)
{
	return simple_call_out(t, PP_MUNLOCK, addr, len, 0, NULL, "munlock");
}

static int lx_mlockall(struct sc_task *t, int flags)
{
	return simple_call_out(t, PP_MLOCKALL, (uint64_t)(unsigned int)flags, 0, 0, NULL, "mlockall");
}

static int lx_munlockall(struct sc_task *t)
{
	return simple_call_out(t, PP_MUNLOCKALL, 0, 0, 0, NULL, "munlockall");
}

static int lx_brk(struct sc_task *t, uint64_t addr, uint64_t *out)
{
	return simple_call_out(t, PP_BRK, addr, 0, 0, out, "brk");
}

static int lx_setrlimit(struct sc_proc *p, int resource, uint64_t soft)
{
	return simple_call_out(lx_main_task(p), PP_SETRLIMIT, (uint64_t)resource, soft, 0, NULL,
			   "setrlimit");
}

static int lx_setcap(struct sc_proc *p, int cap, bool on)
{
	return simple_call_out(lx_main_task(p), PP_SETCAP, (uint64_t)cap, on, 0, NULL, "setcap");
}

/* Linux has no per-process page-table reclaim switch: an unknown prctl
 * option is EINVAL there, and so it is here. */
static int lx_prctl_pt_reclaim(struct sc_proc *p, bool on)
{
	(void)p;
	(void)on;
	return -EINVAL;
}

static int lx_mseal(struct sc_task *t, uint64_t addr, uint64_t len, uint64_t flags)
{
	return (int)simple_call(t, PP_MSEAL, "mseal", addr, len, flags, 0);
}

static long lx_prctl(struct sc_proc *p, int option, const uint64_t a[4])
{
	struct pp_req req = { .op = PP_PRCTL,
			      .a = { (uint64_t)option, a[0], a[1], a[2], a[3] } };
	struct pp_resp resp;
	int ret;

	/* only the memory manager's options reach the puppet */
	if (option != SC_PR_SET_THP_DISABLE && option != SC_PR_GET_THP_DISABLE &&
	    option != SC_PR_SET_MEMORY_MERGE && option != SC_PR_GET_MEMORY_MERGE)
		return -EINVAL;
	ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "prctl");
	return ret ? ret : (long)resp.ret;
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
