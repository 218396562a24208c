/*
 * puppet_gup.c - the puppet's calls that reach its memory through GUP:
 * pipes and vmsplice, io_uring with fixed (registered) buffers,
 * CONFIG_GUP_TEST's long-term pins, and writes through /proc/self/mem.
 *
 * State: the io_uring rings (rings[]) and pinned_bytes, without a lock:
 * the runner sends these requests one at a time (mm.parallel's batches
 * carry only accesses, madvise, munmap and mprotect); nothing here is
 * shared with the rest of the puppet.
 */
#include <linux/io_uring.h>
#include <sys/uio.h>
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
bool handle_gup_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
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
