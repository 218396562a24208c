/*
 * backend_linux_gup.c - the linux backend's calls that reach a puppet's
 * memory through GUP: pipes, vmsplice and read(2), io_uring with a fixed
 * buffer, CONFIG_GUP_TEST's long-term pins, and writes through
 * /proc/PID/mem, each made by the puppet (puppet_gup.c).
 *
 * State: none; requests go through call() and simple_call()
 * (backend_linux.c), from the runner's one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "linux_sys.h"
#include "backend_linux.h"

int lx_pipe(struct sc_proc *p, int fds[2])
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

long lx_vmsplice(struct sc_task *t, int fd, uint64_t addr, uint64_t len)
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

long lx_read_fd(struct sc_proc *p, int fd, void *buf, uint64_t len)
{
	return read_call(p, PP_READ_FD, fd, buf, len, 0, "read_fd");
}

int lx_io_uring_setup(struct sc_proc *p)
{
	return (int)simple_call(&p->main, PP_IOURING_SETUP, "io_uring_setup", 0, 0, 0, 0);
}

int lx_io_uring_register(struct sc_task *t, int ring, uint64_t addr, uint64_t len)
{
	return (int)simple_call(t, PP_IOURING_REGISTER, "io_uring_register", (uint64_t)ring,
				addr, len, 0);
}

int lx_io_uring_unregister(struct sc_proc *p, int ring)
{
	return (int)simple_call(&p->main, PP_IOURING_UNREGISTER, "io_uring_register",
				(uint64_t)ring, 0, 0, 0);
}

long lx_io_uring_write_fixed(struct sc_proc *p, int ring, int fd, uint64_t addr,
			     uint64_t len, int64_t off)
{
	struct pp_req req = { .op = PP_IOURING_WRITE_FIXED,
			      .a = { (uint64_t)ring, (uint64_t)fd, addr, len, (uint64_t)off } };
	struct pp_resp resp;
	int ret = call(&p->main, &req, NULL, -1, &resp, NULL, 0, "io_uring_enter");

	return ret ? ret : resp.ret;
}

int lx_gup_test_open(struct sc_proc *p)
{
	return (int)simple_call(&p->main, PP_GUP_TEST_OPEN, "open gup_test", 0, 0, 0, 0);
}

int lx_pin_longterm_start(struct sc_task *t, int fd, uint64_t addr, uint64_t size,
			  unsigned int flags)
{
	return (int)simple_call(t, PP_PIN_START, "PIN_LONGTERM_TEST_START", (uint64_t)fd, addr,
				size, flags);
}

/* PIN_LONGTERM_TEST_READ, one payload at a time */
int lx_pin_longterm_read(struct sc_proc *p, int fd, void *buf, uint64_t len)
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

int lx_pin_longterm_stop(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_PIN_STOP, "PIN_LONGTERM_TEST_STOP", (uint64_t)fd,
				0, 0, 0);
}

long lx_mem_write(struct sc_proc *p, uint64_t addr, const void *buf, uint64_t len)
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
