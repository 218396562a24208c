/*
 * backend_linux_uffd.c - the linux backend's userfaultfd calls:
 * UFFDIO_API, registration, the filling ioctls, write-protection and the
 * events read back, all made by the puppet on its one userfaultfd
 * (puppet_uffd.c).
 *
 * State: none here (a static buffer for the events, used from the
 * runner's one thread); requests go through call() and simple_call().
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

int lx_uffd_register(struct sc_proc *p, uint64_t addr, uint64_t len,
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

int lx_uffd_unregister(struct sc_proc *p, uint64_t addr, uint64_t len)
{
	return (int)simple_call(&p->main, PP_UFFD_UNREGISTER, "uffd_unregister",
				addr, len, 0, 0);
}

/* The filling ioctls run in the puppet, on its userfaultfd. */
int lx_uffd_fill(struct sc_proc *p, int op, uint64_t dst, uint64_t src,
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

int lx_uffd_wp(struct sc_proc *p, uint64_t addr, uint64_t len, bool on)
{
	return (int)simple_call(&p->main, PP_UFFD_WP, "uffd_wp", addr, len, on, 0);
}

int lx_uffd_api(struct sc_proc *p, uint64_t features)
{
	return (int)simple_call(&p->main, PP_UFFD_API, "uffd_api", features, 0, 0, 0);
}

int lx_uffd_events(struct sc_proc *p, struct sc_uffd_event *ev, int max)
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
