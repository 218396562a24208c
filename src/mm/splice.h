/*
 * splice.h - pipes and vmsplice (splice.c).
 */
#ifndef MMLAB_SPLICE_H
#define MMLAB_SPLICE_H

struct file;
struct mm_struct;

/* pipe(2): res[0] the read end, res[1] the write end (one reference each) */
int create_pipe_files(struct file **res);
/* vmsplice(2) of [addr, addr + len) of @mm into the pipe end @f: the bytes
 * moved, or -errno (-EAGAIN: the pipe is full) */
long vmsplice_to_pipe(struct mm_struct *mm, struct file *f, unsigned long addr,
		      unsigned long len);
/* read(2) of the pipe's read end @f: the bytes read (0: no writer left),
 * or -errno (-EAGAIN: empty, a writer is left; -EINVAL: not a pipe) */
long pipe_read(struct file *f, void *buf, unsigned long len);

#endif
