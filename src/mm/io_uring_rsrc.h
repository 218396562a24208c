/*
 * io_uring_rsrc.h - io_uring's registered buffers (io_uring_rsrc.c).
 */
#ifndef MMLAB_IO_URING_RSRC_H
#define MMLAB_IO_URING_RSRC_H

#include <stdint.h>

struct file;
struct mm_struct;

/* io_uring_setup: a ring file (one reference) */
int io_uring_setup_file(struct file **out);
/* IORING_REGISTER_BUFFERS of one buffer: pins [addr, addr + len) of @mm
 * (FOLL_WRITE | FOLL_LONGTERM).  -EBUSY: one is registered already;
 * -EFAULT: a page could not be pinned */
int io_sqe_buffer_register(struct mm_struct *mm, struct file *ring, uint64_t addr,
			   uint64_t len);
/* IORING_UNREGISTER_BUFFERS: -ENXIO when none is registered */
int io_sqe_buffers_unregister(struct file *ring);
/* IORING_OP_WRITE_FIXED of [addr, addr + len) of the registered buffer
 * into the shmem file @dst at @off: the completion's res (bytes or
 * -errno; -EFAULT outside the buffer) */
long io_write_fixed(struct file *ring, struct file *dst, uint64_t addr, uint64_t len,
		    int64_t off);

#endif
