/*
 * trace_writer.c - writing a `.mmt` file: the magic, version and header
 * text, then the record stream compressed in independent zstd frames of at
 * most MMT_FRAME_RAW bytes each, every frame with its content checksum (so
 * the reader can name the frame where corruption starts).  One writer is
 * used by one thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <zstd.h>

#include "record/trace.h"

#define MMT_FRAME_RAW	(1u << 20)

struct mmt_writer {
	int fd;
	ZSTD_CCtx *cctx;
	unsigned char *raw;
	size_t raw_len;
	void *out;
	size_t out_cap;
	uint64_t bytes;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

struct mmt_writer *mmt_writer_open(const char *path, const char *hdr,
				   char *err, size_t errlen)
{
	struct mmt_writer *w = calloc(1, sizeof(*w));
	unsigned char pre[16];
	size_t hlen = strlen(hdr);

	if (!w || hlen > MMT_MAX_HEADER) {
		snprintf(err, errlen, "%s: header too large or out of memory", path);
		free(w);
		return NULL;
	}
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(w);
		return NULL;
	}
	w->cctx = ZSTD_createCCtx();
	w->raw = malloc(MMT_FRAME_RAW);
	w->out_cap = ZSTD_compressBound(MMT_FRAME_RAW);
	w->out = malloc(w->out_cap);
	if (!w->cctx || !w->raw || !w->out) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	memcpy(pre, MMT_MAGIC, 8);
	put_le32(pre + 8, MMT_VERSION);
	put_le32(pre + 12, (uint32_t)hlen);
	if (write_all(w->fd, pre, sizeof(pre)) || write_all(w->fd, hdr, hlen)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	w->bytes = sizeof(pre) + hlen;
	return w;
fail:
	close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->out);
	free(w);
	return NULL;
}

static int flush_frame(struct mmt_writer *w)
{
	size_t n;
	int ret;

	if (!w->raw_len)
		return 0;
	n = ZSTD_compress2(w->cctx, w->out, w->out_cap, w->raw, w->raw_len);
	if (ZSTD_isError(n))
		return -EIO;
	ret = write_all(w->fd, w->out, n);
	if (ret)
		return ret;
	w->bytes += n;
	w->raw_len = 0;
	return 0;
}

int mmt_writer_put(struct mmt_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		size_t n = MMT_FRAME_RAW - w->raw_len;
		int ret;

		if (n > len)
			n = len;
		memcpy(w->raw + w->raw_len, p, n);
		w->raw_len += n;
		p += n;
		len -= n;
		if (w->raw_len == MMT_FRAME_RAW && (ret = flush_frame(w)))
			return ret;
	}
	return 0;
}

uint64_t mmt_writer_bytes(const struct mmt_writer *w)
{
	return w->bytes;
}

int mmt_writer_close(struct mmt_writer *w)
{
	int ret = flush_frame(w);

	if (close(w->fd) && !ret)
		ret = -errno;
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->out);
	free(w);
	return ret;
}
