/*
 * trace.h - reading and writing `.mmt` traces (format: trace_format.h,
 * docs/record-replay.md).  The writer (trace_writer.c) takes the record
 * stream as bytes and compresses it into zstd frames; the encoder
 * (trace_encode.c) builds a record stream in memory (the recorder's tests
 * and synthetic traces); the reader (trace_reader.c) decodes a file record
 * by record and refuses a truncated or corrupt one with the byte offset
 * where it goes wrong.
 */
#ifndef MMLAB_RECORD_TRACE_H
#define MMLAB_RECORD_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/trace_format.h"

/* Header keys: one "key=value" line each; "arg" repeats, one per argv
 * word of the recorded command (tabs, newlines and backslashes escaped). */
struct mmt_header {
	char *text;		/* the whole header, NUL-terminated */
	size_t len;
};

/* One decoded record. */
struct mmt_rec {
	int type;		/* MMT_ACCESS_MAX for accesses, else the tag */
	bool write;
	uint32_t size;
	uint64_t addr;		/* ACCESS: absolute address */
	uint64_t tid, tid2;	/* THREAD, THREAD_EXIT: tid; THREAD_NEW: parent, child */
	uint64_t nr;		/* SYSCALL number */
	unsigned int nargs;
	uint64_t args[6];
	int64_t result;
	/* FILE and SEGMENT */
	uint64_t start, len, prot, kind, offset;
	uint64_t dev, ino, fsize;
	char path[MMT_MAX_PATH + 1];
	/* END */
	uint64_t accesses, events;
};

/* ---- writer ---- */
struct mmt_writer;
/* Create @path with the header text @hdr (key=value lines).  NULL and a
 * message in @err on failure. */
struct mmt_writer *mmt_writer_open(const char *path, const char *hdr,
				   char *err, size_t errlen);
/* Append record-stream bytes; 0 or -errno. */
int mmt_writer_put(struct mmt_writer *w, const void *buf, size_t len);
/* Compressed bytes written so far (header included). */
uint64_t mmt_writer_bytes(const struct mmt_writer *w);
/* Flush and close: 0 or -errno. */
int mmt_writer_close(struct mmt_writer *w);

/* ---- encoder: a record stream in memory ---- */
struct mmt_enc {
	unsigned char *buf;
	size_t len, cap;
	uint64_t last_addr;
	uint64_t accesses, events;
};
void mmt_enc_access(struct mmt_enc *e, uint64_t addr, uint32_t size, bool write);
void mmt_enc_thread(struct mmt_enc *e, uint64_t tid);
void mmt_enc_thread_new(struct mmt_enc *e, uint64_t parent, uint64_t child);
void mmt_enc_thread_exit(struct mmt_enc *e, uint64_t tid);
void mmt_enc_syscall(struct mmt_enc *e, uint64_t nr, unsigned int nargs,
		     const uint64_t *args, int64_t result);
void mmt_enc_brk_start(struct mmt_enc *e, uint64_t addr);
void mmt_enc_end(struct mmt_enc *e);
void mmt_enc_free(struct mmt_enc *e);

/* ---- decoding one record ---- */
/* The longest record. */
#define MMT_MAX_RECORD	(MMT_MAX_PATH + 16 * 10)
/* Decode the record at @buf (@avail bytes there): its length, 0 when it
 * runs past @avail, -1 for an unknown tag or a bad field.  *last_addr is
 * the previous access's address (updated). */
long mmt_decode(const unsigned char *buf, size_t avail, uint64_t *last_addr,
		struct mmt_rec *rec);

/* ---- reader ---- */
struct mmt_reader;
/* Open and check the file's magic, version and header.  NULL and a message
 * naming the byte offset in @err on failure. */
struct mmt_reader *mmt_reader_open(const char *path, char *err, size_t errlen);
const char *mmt_reader_header(const struct mmt_reader *r);
uint32_t mmt_reader_version(const struct mmt_reader *r);
/* The value of header key @key (first occurrence) copied to @buf; false
 * when absent. */
bool mmt_header_get(const char *hdr, const char *key, char *buf, size_t len);
/* Next record: 1, 0 after END (and the file ends there), -1 on error with
 * mmt_reader_error() naming the byte offset. */
int mmt_reader_next(struct mmt_reader *r, struct mmt_rec *rec);
const char *mmt_reader_error(const struct mmt_reader *r);
/* The replay's fast lane: decode the access records that come next (at
 * most @max) into @out; 0 when the next record is another kind, or is too
 * near the end of the decompressed window (mmt_reader_next then reads it). */
struct mmt_access {
	uint64_t addr;
	uint32_t size;
	uint32_t write;
};
size_t mmt_reader_accesses(struct mmt_reader *r, struct mmt_access *out, size_t max);
/* Records read so far (the position a replay error names), file size. */
uint64_t mmt_reader_records(const struct mmt_reader *r);
uint64_t mmt_reader_file_size(const struct mmt_reader *r);
void mmt_reader_close(struct mmt_reader *r);

/* x86-64 system call name, or NULL. */
const char *mmt_syscall_name(uint64_t nr);

#endif
