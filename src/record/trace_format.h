/*
 * trace_format.h - the record stream of a `.mmt` trace (docs/record-replay.md).
 *
 * Macros only, no includes: the valgrind tool that records (mmtrace.c,
 * built against valgrind's headers, without libc) and mmlab's reader and
 * writer both use it.
 *
 * A trace file is
 *   "MMLTRACE"  u32 version (little-endian)  u32 header length H
 *   H bytes of header text, "key=value" lines
 *   zstd frames, each with its content checksum, holding the record stream
 *
 * The record stream is a sequence of records, each a tag byte and LEB128
 * varints ("u" below; "s" is a zigzag-encoded signed varint):
 *
 *   0x00..0x0f  ACCESS: bit 0 write, bits 1..3 size code (size 1 << code
 *               for 0..6; 7: u size follows), then s address delta from the
 *               previous access (of any thread); the current thread's
 *   THREAD      u tid: the records that follow are this thread's
 *   THREAD_NEW  u parent tid, u child tid (clone with CLONE_VM)
 *   THREAD_EXIT u tid
 *   SYSCALL     u number (x86-64), u nargs (<= 6), u args..., s result:
 *               an address-space system call of the current thread
 *   FILE        u dev, u ino, u size, u path length, path bytes: the file
 *               behind the fd of the next SYSCALL (an mmap)
 *   SEGMENT     u start, u length, u prot, u kind, u offset, then as FILE
 *               (dev, ino, size, path) when kind is SEG_FILE: a mapping the
 *               program had before its first instruction
 *   BRK_START   u address: where the heap starts
 *   END         u accesses, u events: the last record; a stream without it
 *               is truncated
 *
 * Threads are numbered 1, 2, ... in order of creation, never reused.
 */
#ifndef MMLAB_RECORD_TRACE_FORMAT_H
#define MMLAB_RECORD_TRACE_FORMAT_H

#define MMT_MAGIC		"MMLTRACE"
#define MMT_VERSION		1
#define MMT_MAX_HEADER		(1u << 20)

#define MMT_ACCESS_MAX		0x0f
#define MMT_ACCESS_WRITE	0x01
#define MMT_SIZE_SHIFT		1
#define MMT_SIZE_EXPLICIT	7

#define MMT_THREAD		0x40
#define MMT_THREAD_NEW		0x41
#define MMT_THREAD_EXIT		0x42
#define MMT_SYSCALL		0x43
#define MMT_FILE		0x44
#define MMT_SEGMENT		0x45
#define MMT_BRK_START		0x46
#define MMT_END			0x7f

#define MMT_SEG_ANON		0
#define MMT_SEG_FILE		1
#define MMT_SEG_STACK		2

#define MMT_MAX_PATH		4096

#endif
