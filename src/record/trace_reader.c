/*
 * trace_reader.c - reading a `.mmt` file record by record (trace_format.h).
 *
 * The zstd frames are decompressed as a stream into a window; a record is
 * decoded once the window holds MMT_MAX_RECORD bytes or everything that is
 * left.  Every way a file can be wrong ends with a message that names the
 * byte offset in the file: a bad magic, version or header length; a zstd
 * frame that does not decompress or whose checksum fails (the frame's first
 * byte); an unknown record tag or a record that runs past the stream (the
 * record's offset in the decompressed stream and its frame); a file that
 * ends inside a frame or without the END record (the file's size); bytes
 * after END.  One reader is used by one thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "record/trace.h"
#include "record/trace_varint.h"

#define IN_CAP		(128u << 10)
#define OUT_CAP		(1u << 20)

struct mmt_reader {
	int fd;
	const char *path;
	uint64_t file_size;
	uint32_t version;
	char *hdr;
	ZSTD_DCtx *dctx;
	unsigned char in[IN_CAP];
	ZSTD_inBuffer inb;
	uint64_t in_base;	/* file offset of in[0] */
	unsigned char *out;
	size_t pos, len;	/* decode position and end in out[] */
	uint64_t stream_base;	/* stream offset of out[0] */
	uint64_t frame_start;	/* file offset of the current frame */
	bool in_frame;		/* a frame started and has not ended */
	bool eof, drained, done, failed;
	uint64_t last_addr, records;
	char err[512];
};

static int fail(struct mmt_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->path);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	r->failed = true;
	return -1;
}

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool read_exact(int fd, void *buf, size_t len)
{
	return pread(fd, buf, len, 0) == (ssize_t)len;
}

static int open_header(struct mmt_reader *r)
{
	unsigned char pre[16];
	uint32_t hlen;

	if (r->file_size < 16 || !read_exact(r->fd, pre, 16))
		return fail(r, "truncated at byte %" PRIu64 ": shorter than the "
			    "16-byte preamble", r->file_size);
	if (memcmp(pre, MMT_MAGIC, 8))
		return fail(r, "bad magic at byte 0: not an mmlab trace");
	r->version = get_le32(pre + 8);
	if (r->version != MMT_VERSION)
		return fail(r, "unsupported version %u at byte 8 (this mmlab reads "
			    "version %u)", r->version, MMT_VERSION);
	hlen = get_le32(pre + 12);
	if (hlen > MMT_MAX_HEADER)
		return fail(r, "bad header length %u at byte 12", hlen);
	if (16 + (uint64_t)hlen > r->file_size)
		return fail(r, "truncated at byte %" PRIu64 ": the header ends at "
			    "byte %u", r->file_size, 16 + hlen);
	r->hdr = malloc(hlen + 1);
	if (!r->hdr || pread(r->fd, r->hdr, hlen, 16) != (ssize_t)hlen)
		return fail(r, "cannot read the header at byte 16");
	r->hdr[hlen] = 0;
	if (memchr(r->hdr, 0, hlen))
		return fail(r, "corrupt header: a NUL byte at byte %zu",
			    16 + (size_t)((char *)memchr(r->hdr, 0, hlen) - r->hdr));
	r->in_base = 16 + hlen;
	r->frame_start = r->in_base;
	return 0;
}

struct mmt_reader *mmt_reader_open(const char *path, char *err, size_t errlen)
{
	struct mmt_reader *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->path = path;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return NULL;
	}
	r->file_size = (uint64_t)st.st_size;
	r->dctx = ZSTD_createDCtx();
	r->out = malloc(OUT_CAP);
	if (!r->dctx || !r->out)
		fail(r, "out of memory");
	else
		open_header(r);
	if (r->failed) {
		snprintf(err, errlen, "%s", r->err);
		mmt_reader_close(r);
		return NULL;
	}
	if (lseek(r->fd, (off_t)r->in_base, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		mmt_reader_close(r);
		return NULL;
	}
	return r;
}

/* Decompress until the window holds MMT_MAX_RECORD bytes or the input is
 * all used.  -1 on a zstd error. */
static int fill(struct mmt_reader *r)
{
	if (r->pos) {
		memmove(r->out, r->out + r->pos, r->len - r->pos);
		r->stream_base += r->pos;
		r->len -= r->pos;
		r->pos = 0;
	}
	while (r->len < OUT_CAP / 2 && !r->drained) {
		ZSTD_outBuffer ob = { r->out, OUT_CAP, r->len };
		size_t ret;

		if (r->inb.pos == r->inb.size) {
			ssize_t n;

			if (r->eof) {
				r->drained = true;
				break;
			}
			r->in_base += r->inb.size;
			n = read(r->fd, r->in, IN_CAP);
			if (n < 0)
				return fail(r, "read error at byte %" PRIu64 ": %s",
					    r->in_base, strerror(errno));
			r->inb = (ZSTD_inBuffer){ r->in, (size_t)n, 0 };
			if (!n)
				r->eof = true;
			continue;
		}
		if (!r->in_frame) {
			r->frame_start = r->in_base + r->inb.pos;
			r->in_frame = true;
		}
		ret = ZSTD_decompressStream(r->dctx, &ob, &r->inb);
		r->len = ob.pos;
		if (ZSTD_isError(ret))
			return fail(r, "corrupt zstd frame at byte %" PRIu64 " (%s; "
				    "detected by byte %" PRIu64 ")", r->frame_start,
				    ZSTD_getErrorName(ret), r->in_base + r->inb.pos);
		if (ret == 0)
			r->in_frame = false;
	}
	return 0;
}

/* Where a record starts, for messages. */
static int bad_record(struct mmt_reader *r, size_t at, const char *what, bool short_read)
{
	if (short_read && r->drained && !r->in_frame)
		return fail(r, "truncated at byte %" PRIu64 ": %s at record stream "
			    "byte %" PRIu64, r->file_size, what, r->stream_base + at);
	if (short_read && r->drained)
		return fail(r, "truncated at byte %" PRIu64 ": the zstd frame from "
			    "byte %" PRIu64 " is incomplete", r->file_size,
			    r->frame_start);
	return fail(r, "corrupt record at record stream byte %" PRIu64 " (zstd "
		    "frame at byte %" PRIu64 "): %s", r->stream_base + at,
		    r->frame_start, what);
}

int mmt_reader_next(struct mmt_reader *r, struct mmt_rec *rec)
{
	long n;

	if (r->failed)
		return -1;
	if (r->done)
		return 0;
	if (r->len - r->pos < MMT_MAX_RECORD && fill(r))
		return -1;
	if (r->pos == r->len) {
		if (r->in_frame)
			return bad_record(r, r->pos, "incomplete frame", true);
		return fail(r, "truncated at byte %" PRIu64 ": the record stream "
			    "ends without its END record", r->file_size);
	}
	n = mmt_decode(r->out + r->pos, r->len - r->pos, &r->last_addr, rec);
	if (n < 0) {
		char what[64];

		snprintf(what, sizeof(what), "unknown record tag 0x%02x", r->out[r->pos]);
		return bad_record(r, r->pos, what, false);
	}
	if (n == 0)
		return bad_record(r, r->pos, "a record runs past the end of the stream", true);
	r->pos += (size_t)n;
	r->records++;
	if (rec->type == MMT_END) {
		if (fill(r))
			return -1;
		if (r->pos != r->len || r->in_frame || r->inb.pos != r->inb.size)
			return fail(r, "trailing data after the END record (record "
				    "stream byte %" PRIu64 ")", r->stream_base + r->pos);
		r->done = true;
	}
	return 1;
}

/* A varint of the window: the common one- and two-byte cases inline. */
static inline bool fast_u(const unsigned char **pp, uint64_t *v)
{
	const unsigned char *p = *pp;
	uint64_t x = 0;

	if (p[0] < 0x80) {
		*v = p[0];
		*pp = p + 1;
		return true;
	}
	if (p[1] < 0x80) {
		*v = (p[0] & 0x7f) | (uint64_t)p[1] << 7;
		*pp = p + 2;
		return true;
	}
	for (unsigned int i = 0; i < MMT_VARINT_MAX; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			*pp = p + i + 1;
			return true;
		}
	}
	return false;
}

size_t mmt_reader_accesses(struct mmt_reader *r, struct mmt_access *out, size_t max)
{
	const unsigned char *p = r->out + r->pos, *end = r->out + r->len;
	uint64_t addr = r->last_addr;
	size_t n = 0;

	if (r->failed || r->done)
		return 0;
	/* room for the longest access record: tag and two varints */
	while (n < max && end - p >= 1 + 2 * MMT_VARINT_MAX && *p <= MMT_ACCESS_MAX) {
		unsigned int tag = *p, code = (tag >> MMT_SIZE_SHIFT) & 7;
		const unsigned char *q = p + 1;
		uint64_t size = 1u << code, d;

		if ((code == MMT_SIZE_EXPLICIT && !fast_u(&q, &size)) || !fast_u(&q, &d))
			break;	/* mmt_reader_next reports it */
		addr += (uint64_t)mmt_unzigzag(d);
		out[n++] = (struct mmt_access){ addr, (uint32_t)size, tag & MMT_ACCESS_WRITE };
		p = q;
	}
	r->last_addr = addr;
	r->pos = (size_t)(p - r->out);
	r->records += n;
	return n;
}

const char *mmt_reader_header(const struct mmt_reader *r) { return r->hdr; }
uint32_t mmt_reader_version(const struct mmt_reader *r) { return r->version; }
const char *mmt_reader_error(const struct mmt_reader *r) { return r->err; }
uint64_t mmt_reader_records(const struct mmt_reader *r) { return r->records; }
uint64_t mmt_reader_file_size(const struct mmt_reader *r) { return r->file_size; }

bool mmt_header_get(const char *hdr, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *l = hdr; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		size_t n;

		if (strncmp(l, key, klen) || l[klen] != '=')
			continue;
		l += klen + 1;
		n = e ? (size_t)(e - l) : strlen(l);
		if (n >= len)
			n = len - 1;
		memcpy(buf, l, n);
		buf[n] = 0;
		return true;
	}
	return false;
}

void mmt_reader_close(struct mmt_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->out);
	free(r->hdr);
	free(r);
}
