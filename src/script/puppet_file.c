/*
 * puppet_file.c - the puppet's calls on files: memfd_create, regular
 * files on the host's root filesystem (made and unlinked in /var/tmp),
 * reopening through /proc/self/fd, close, pread, pwrite, ftruncate,
 * fallocate and memfd seals.
 *
 * No state: each task thread calls these for its own request, on the
 * descriptors the scenario holds.
 */
#include <linux/falloc.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "script.h"
#include "puppet_proto.h"
#include "puppet.h"

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

/* open("/proc/self/fd/FD", flags): another open file on the same one */
static int do_reopen(int fd, int flags)
{
	char path[32];
	int n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = open(path, flags);
	return n < 0 ? -errno : n;
}

/* The calls on files (memfd and regular): create, reopen, size, seals,
 * pread (into out) and pwrite.  False: not one of them. */
bool handle_file_op(const struct pp_req *req, const uint8_t *payload, size_t plen,
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
