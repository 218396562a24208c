/*
 * puppet_proto.h - the messages between the linux backend (runner side,
 * backend_linux.c) and a puppet (puppet.c), over SOCK_SEQPACKET socketpairs.
 *
 * Every task of a puppet (its main thread and each p:thread) has its own
 * socket: the runner sends a request (struct pp_req, then `len` bytes of
 * payload) and reads one response (struct pp_resp, then `len` bytes).
 * New sockets (for a thread or a forked child) travel as SCM_RIGHTS.
 */
#ifndef MMLAB_PUPPET_PROTO_H
#define MMLAB_PUPPET_PROTO_H

#include <stdint.h>

#define PP_PAYLOAD_MAX	(64 * 1024)	/* bytes of payload per message */
#define PP_MAX_THREADS	14		/* p:thread()s per puppet */
#define PP_BATCH_MAX	1024		/* items per PP_BATCH */
#define PP_NAME_MAX	1024		/* bytes of a memfd name, its NUL too */

/*
 * The range where the runner places the scenario's mappings (without
 * MAP_FIXED), top-down as the kernel would: far from the puppet's own
 * executable, libraries, heap and stacks, so that no scenario VMA ever
 * touches one of the puppet's.  Its top mimics the model's fresh process
 * (src/mm/fork.c): a 132 KiB "stack" VMA ending at PP_STACK_TOP with its top
 * page touched, and mappings placed below PP_STACK_TOP - 128 MiB, at the
 * same offsets within their PUD and PMD as in the model, so that page
 * table counts (VmPTE) grow alike on both backends.
 */
#define PP_AREA_LO	0x100000000000ULL
#define PP_STACK_TOP	0x1ffffffff000ULL
#define PP_STACK_SIZE	(132ULL << 10)
#define PP_AREA_HI	(PP_STACK_TOP - (128ULL << 20))

enum pp_op {
	PP_HELLO = 1,	/* puppet -> runner when ready: v[0] = pid */
	PP_MMAP,	/* a: addr len prot flags fd off -> v[0] addr */
	PP_MUNMAP,	/* a: addr len */
	PP_MPROTECT,	/* a: addr len prot */
	PP_MADVISE,	/* a: addr len advice */
	PP_MEMFD,	/* a: size flags; payload: name -> ret fd */
	PP_CLOSE,	/* a: fd */
	PP_ACCESS,	/* a: sc_op addr len arg; payload: write data
			 * -> v[0] fault addr, v[1] mismatch; payload:
			 * read data */
	PP_BATCH,	/* payload: pp_item[], then write data
			 * -> payload: pp_item_res[] */
	PP_FORK,	/* SCM_RIGHTS: the child's socket -> v[0] child pid */
	PP_EXIT,	/* no response: the puppet exits */
	PP_THREAD,	/* a: cpu; SCM_RIGHTS: the thread's socket */
	PP_UFFD_REGISTER, /* a: addr len modes (SC_UFFD_*) -> v[0] ioctls */
	PP_UFFD_WP,	/* a: addr len on */
	PP_UFFD_EVENTS,	/* -> payload: struct pp_uffd_ev[], ret = count */
	PP_MREMAP,	/* a: addr old_len new_len flags new_addr -> v[0] addr */
	PP_MLOCK,	/* a: addr len flags (mlock2) */
	PP_MUNLOCK,	/* a: addr len */
	PP_MLOCKALL,	/* a: flags */
	PP_MUNLOCKALL,
	PP_BRK,		/* a: addr -> v[0] the break (see puppet.c) */
	PP_SETRLIMIT,	/* a: resource soft (the hard limit stays) */
	PP_SETCAP,	/* a: cap on (the effective set) */
	PP_REOPEN,	/* a: fd flags -> ret new fd */
	PP_FTRUNCATE,	/* a: fd len */
	PP_FALLOCATE,	/* a: fd mode off len */
	PP_ADD_SEALS,	/* a: fd seals */
	PP_GET_SEALS,	/* a: fd -> ret seals */
	PP_MSYNC,	/* a: addr len flags */
	PP_PROCESS_MADVISE, /* a: target pid, n, advice, flags; payload:
			 * struct sc_iovec[n] -> ret bytes advised */
	PP_UFFD_API,	/* a: features (SC_UFFD_FEATURE_*): open the uffd */
	PP_MSEAL,	/* a: addr len flags */
	PP_PRCTL,	/* a: option arg2 arg3 arg4 arg5 -> ret */
	PP_PIPE,	/* pipe2(O_NONBLOCK) -> v[0] read fd, v[1] write fd */
	PP_VMSPLICE,	/* a: fd addr len -> ret bytes (SPLICE_F_NONBLOCK) */
	PP_READ_FD,	/* a: fd len -> ret bytes; payload: the bytes */
	PP_IOURING_SETUP, /* -> ret ring fd (its rings mapped) */
	PP_IOURING_REGISTER, /* a: ring addr len (IORING_REGISTER_BUFFERS) */
	PP_IOURING_UNREGISTER, /* a: ring */
	PP_IOURING_WRITE_FIXED, /* a: ring fd addr len off -> ret cqe res */
	PP_GUP_TEST_OPEN, /* open /sys/kernel/debug/gup_test -> ret fd */
	PP_PIN_START,	/* a: fd addr size flags (PIN_LONGTERM_TEST_START) */
	PP_PIN_READ,	/* a: fd len off (PIN_LONGTERM_TEST_READ) -> payload:
			 * bytes [off, off + len) of what the pins hold */
	PP_PIN_STOP,	/* a: fd (PIN_LONGTERM_TEST_STOP) */
	PP_MEM_WRITE,	/* a: addr; payload: bytes -> ret bytes written to
			 * /proc/self/mem */
	PP_REGFILE,	/* a: size -> ret fd of a new unlinked file */
	PP_PREAD,	/* a: fd off len -> ret bytes; payload: them */
	PP_PWRITE,	/* a: fd off; payload: the bytes -> ret bytes */
	PP_UFFD_FILL,	/* a: op dst src len mode -> ret, v[0] the result field */
	PP_UFFD_UNREGISTER, /* a: addr len */
	PP_MBIND,	/* a: addr len mode mask-word maxnode flags (|HAS_MASK) */
	PP_GET_MEMPOLICY, /* a: addr flags -> v[0] policy, v[1] mask word */
	PP_SET_MEMPOLICY, /* a: mode mask-word maxnode HAS_MASK */
};
#define PP_MBIND_HAS_MASK	(1ULL << 32)	/* PP_MBIND: pass a mask */

struct pp_req {
	uint32_t op;
	uint32_t len;		/* payload bytes that follow */
	uint64_t a[6];
};

struct pp_resp {
	int64_t ret;		/* 0, -errno, or a signal number (access) */
	uint64_t v[2];
	uint32_t len;		/* payload bytes that follow */
	uint32_t pad;
};

struct pp_item {
	uint32_t op;		/* enum sc_op */
	uint32_t rep;
	uint64_t addr, len, arg;
};

struct pp_item_res {
	int64_t ret;
	uint64_t fault_addr, mismatch;
};

struct pp_uffd_ev {
	uint64_t addr;
	uint64_t kind;		/* SC_UFFD_MISSING, _WP, _FORK, _REMAP, _REMOVE */
	uint64_t to, len;	/* as struct sc_uffd_event */
};

#define PP_MSG_MAX	(sizeof(struct pp_req) + PP_PAYLOAD_MAX)

/* puppet.c: the puppet's main, on the socket at fd. */
int sc_puppet_main(int fd);

#endif
