/*
 * backend_linux_file.c - the linux backend's calls on files: memfd,
 * close, regular files (p:file), pread and pwrite in messages of
 * PP_PAYLOAD_MAX bytes, reopen, ftruncate, fallocate and memfd seals,
 * each made by the process's puppet on its main task.
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

int lx_memfd(struct sc_proc *p, const char *name, uint64_t size,
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

int lx_close(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_CLOSE, "close", (uint64_t)fd, 0, 0, 0);
}

int lx_regfile(struct sc_proc *p, uint64_t size)
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

long lx_pread(struct sc_proc *p, int fd, void *buf, size_t len, int64_t off)
{
	return lx_rw(p, fd, buf, len, off, false);
}

long lx_pwrite(struct sc_proc *p, int fd, const void *buf, size_t len, int64_t off)
{
	return lx_rw(p, fd, (uint8_t *)buf, len, off, true);
}

int lx_reopen(struct sc_proc *p, int fd, int flags)
{
	return (int)simple_call(&p->main, PP_REOPEN, "reopen", (uint64_t)fd,
				(uint64_t)flags, 0, 0);
}

int lx_ftruncate(struct sc_proc *p, int fd, int64_t len)
{
	return (int)simple_call(&p->main, PP_FTRUNCATE, "ftruncate", (uint64_t)fd,
				(uint64_t)len, 0, 0);
}

int lx_fallocate(struct sc_proc *p, int fd, int mode, int64_t off, int64_t len)
{
	return (int)simple_call(&p->main, PP_FALLOCATE, "fallocate", (uint64_t)fd,
				(uint64_t)mode, (uint64_t)off, (uint64_t)len);
}

int lx_add_seals(struct sc_proc *p, int fd, unsigned int seals)
{
	return (int)simple_call(&p->main, PP_ADD_SEALS, "add_seals", (uint64_t)fd,
				seals, 0, 0);
}

int lx_get_seals(struct sc_proc *p, int fd)
{
	return (int)simple_call(&p->main, PP_GET_SEALS, "get_seals", (uint64_t)fd,
				0, 0, 0);
}
