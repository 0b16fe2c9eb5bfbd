/* synthehr — GPL-3.0-or-later.
 * Checkpoint files.  Layout (all little-endian):
 *
 *   0   magic "SHCKPT\r\n"            8 bytes
 *   8   version                       u32
 *   12  header bytes that follow      u32 (HDR_REST)
 *   16  settings_hash, layout_hash    u64, u64
 *   32  D, zdim, width, depth, ngroups, epoch   6 × i32
 *   56  rng s[4] (u64), have_spare (i32), pad (i32), spare (f64)
 *   104 score, best_score (f64), best_epoch (i32), pad (i32)
 *   128 nfloats                       u64
 *   136 float32 payload               nfloats × 4 bytes
 *   end CRC-32 (zlib) of bytes 0 .. end of payload   u32
 *
 * Files are written through atomic_open/atomic_commit, so a crash leaves
 * either the old file or the new one, never a torn one. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "synthehr/ckpt.h"
#include "synthehr/util.h"

#define HDR_SIZE 136

static void
put_u32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_f64(uint8_t *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	put_u64(p, u);
}

static uint32_t
get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static double
get_f64(const uint8_t *p)
{
	uint64_t u = get_u64(p);
	double v;

	memcpy(&v, &u, 8);
	return v;
}

static void
header_pack(const struct ckpt_header *h, uint8_t *b)
{
	int i;

	memset(b, 0, HDR_SIZE);
	memcpy(b, CKPT_MAGIC, 8);
	put_u32(b + 8, CKPT_VERSION);
	put_u32(b + 12, HDR_SIZE - 16);
	put_u64(b + 16, h->settings_hash);
	put_u64(b + 24, h->layout_hash);
	put_u32(b + 32, (uint32_t)h->D);
	put_u32(b + 36, (uint32_t)h->zdim);
	put_u32(b + 40, (uint32_t)h->width);
	put_u32(b + 44, (uint32_t)h->depth);
	put_u32(b + 48, (uint32_t)h->ngroups);
	put_u32(b + 52, (uint32_t)h->epoch);
	for (i = 0; i < 4; i++)
		put_u64(b + 56 + 8 * i, h->rng.s[i]);
	put_u32(b + 88, (uint32_t)h->rng.have_spare);
	put_u32(b + 92, (uint32_t)h->data_hash);           /* spare bytes of format 1: */
	put_u32(b + 124, (uint32_t)(h->data_hash >> 32));  /* zero there means "not recorded" */
	put_f64(b + 96, h->rng.spare);
	put_f64(b + 104, h->score);
	put_f64(b + 112, h->best_score);
	put_u32(b + 120, (uint32_t)h->best_epoch);
	put_u64(b + 128, h->nfloats);
}

static void
header_unpack(const uint8_t *b, struct ckpt_header *h)
{
	int i;

	memset(h, 0, sizeof *h);
	h->version = get_u32(b + 8);
	h->settings_hash = get_u64(b + 16);
	h->layout_hash = get_u64(b + 24);
	h->D = (int32_t)get_u32(b + 32);
	h->zdim = (int32_t)get_u32(b + 36);
	h->width = (int32_t)get_u32(b + 40);
	h->depth = (int32_t)get_u32(b + 44);
	h->ngroups = (int32_t)get_u32(b + 48);
	h->epoch = (int32_t)get_u32(b + 52);
	for (i = 0; i < 4; i++)
		h->rng.s[i] = get_u64(b + 56 + 8 * i);
	h->rng.have_spare = (int)get_u32(b + 88);
	h->data_hash = get_u32(b + 92) | (uint64_t)get_u32(b + 124) << 32;
	h->rng.spare = get_f64(b + 96);
	h->score = get_f64(b + 104);
	h->best_score = get_f64(b + 112);
	h->best_epoch = (int32_t)get_u32(b + 120);
	h->nfloats = get_u64(b + 128);
}

int
ckpt_write(const char *path, const struct ckpt_header *h, const float *data, char **cause)
{
	struct atomic_file af;
	uint8_t hdr[HDR_SIZE], tail[4];
	uLong crc;
	size_t i, chunk = 1 << 16;
	uint8_t *buf;

	header_pack(h, hdr);
	if (atomic_open(&af, path, cause) != 0)
		return -1;
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, hdr, HDR_SIZE);
	if (fwrite(hdr, 1, HDR_SIZE, af.fp) != HDR_SIZE)
		goto fail;
	/* Floats as little-endian bytes, in chunks. */
	buf = xmalloc(chunk * 4);
	for (i = 0; i < h->nfloats; i += chunk) {
		size_t n = SH_MIN(chunk, (size_t)h->nfloats - i), k;

		for (k = 0; k < n; k++) {
			uint32_t u;

			memcpy(&u, &data[i + k], 4);
			put_u32(buf + 4 * k, u);
		}
		crc = crc32(crc, buf, (uInt)(n * 4));
		if (fwrite(buf, 4, n, af.fp) != n) {
			free(buf);
			goto fail;
		}
	}
	free(buf);
	put_u32(tail, (uint32_t)crc);
	if (fwrite(tail, 1, 4, af.fp) != 4)
		goto fail;
	return atomic_commit(&af, cause);
fail:
	util_fail_errno(cause, path);
	atomic_abort(&af);
	return -1;
}

/* A damaged or foreign checkpoint is bad input (-2, exit status 2); an I/O
 * error is a failure (-1). */
#define CKPT_BAD(...) (util_fail(__VA_ARGS__), -2)

int
ckpt_read(const char *path, struct ckpt_header *h, float **data, char **cause)
{
	FILE *fp;
	uint8_t hdr[HDR_SIZE], tail[4];
	uLong crc;
	long size;
	uint64_t want;
	float *out = NULL;
	uint8_t *buf = NULL;
	size_t i, chunk = 1 << 16;

	if (data != NULL)
		*data = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return util_fail_errno(cause, path);
	if (fread(hdr, 1, 16, fp) != 16 || memcmp(hdr, CKPT_MAGIC, 8) != 0) {
		fclose(fp);
		return CKPT_BAD(cause, "%s: not a synthehr checkpoint (bad magic; expected \"SHCKPT\")", path);
	}
	if (get_u32(hdr + 8) != CKPT_VERSION) {
		fclose(fp);
		return CKPT_BAD(cause, "%s: checkpoint format version %u, this synthehr reads version %d"
		    " (retrain with --restart, or use the synthehr that wrote it)",
		    path, get_u32(hdr + 8), CKPT_VERSION);
	}
	if (get_u32(hdr + 12) != HDR_SIZE - 16 || fread(hdr + 16, 1, HDR_SIZE - 16, fp) != HDR_SIZE - 16) {
		fclose(fp);
		return CKPT_BAD(cause, "%s: checkpoint header is truncated or damaged", path);
	}
	header_unpack(hdr, h);
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0) {
		fclose(fp);
		return util_fail_errno(cause, path);
	}
	want = HDR_SIZE + 4 * h->nfloats + 4;
	if ((uint64_t)size != want) {
		fclose(fp);
		return CKPT_BAD(cause, "%s: checkpoint is %ld bytes, its header says %llu"
		    " (truncated or damaged file)", path, size, (unsigned long long)want);
	}
	if (data == NULL) {
		fclose(fp);
		return 0;
	}
	if (fseek(fp, HDR_SIZE, SEEK_SET) != 0) {
		fclose(fp);
		return util_fail_errno(cause, path);
	}
	crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, hdr, HDR_SIZE);
	out = xmalloc_aligned((h->nfloats ? h->nfloats : 1) * sizeof(float));
	buf = xmalloc(chunk * 4);
	for (i = 0; i < h->nfloats; i += chunk) {
		size_t n = SH_MIN(chunk, (size_t)h->nfloats - i), k;

		if (fread(buf, 4, n, fp) != n)
			goto short_read;
		crc = crc32(crc, buf, (uInt)(n * 4));
		for (k = 0; k < n; k++) {
			uint32_t u = get_u32(buf + 4 * k);

			memcpy(&out[i + k], &u, 4);
		}
	}
	if (fread(tail, 1, 4, fp) != 4)
		goto short_read;
	fclose(fp);
	free(buf);
	if (get_u32(tail) != (uint32_t)crc) {
		free(out);
		return CKPT_BAD(cause, "%s: checkpoint checksum mismatch (the file is damaged)", path);
	}
	*data = out;
	return 0;
short_read:
	fclose(fp);
	free(buf);
	free(out);
	return CKPT_BAD(cause, "%s: checkpoint is truncated", path);
}

int
ckpt_check(const char *path, const struct ckpt_header *got, const struct ckpt_header *want,
    char **cause)
{
	char msg[1024];
	size_t len = 0;

#define CK_DIM(f, name) do { \
	if (got->f != want->f) \
		len += (size_t)snprintf(msg + len, sizeof msg - SH_MIN(len, sizeof msg - 1), \
		    "%s%s is %d, expected %d", len ? "; " : "", name, (int)got->f, (int)want->f); \
} while (0)
	msg[0] = '\0';
	CK_DIM(D, "columns (D)");
	CK_DIM(zdim, "noise size (zdim)");
	CK_DIM(width, "width");
	CK_DIM(depth, "depth");
	CK_DIM(ngroups, "one-hot groups");
#undef CK_DIM
	if (len == 0 && got->nfloats != want->nfloats && want->nfloats != 0)
		len += (size_t)snprintf(msg, sizeof msg, "state has %llu floats, expected %llu",
		    (unsigned long long)got->nfloats, (unsigned long long)want->nfloats);
	if (len > 0)
		return CKPT_BAD(cause, "%s: checkpoint dimensions do not match the model: %s", path, msg);
	if (got->data_hash != 0 && want->data_hash != 0 && got->data_hash != want->data_hash)
		return CKPT_BAD(cause, "%s: trained on other training rows (train.mtx checksum %016llx, the "
		    "study's is %016llx: another cohort, or prep changed the rows); retrain with --restart",
		    path, (unsigned long long)got->data_hash, (unsigned long long)want->data_hash);
	if (got->layout_hash != want->layout_hash)
		return CKPT_BAD(cause, "%s: checkpoint was trained on another column layout"
		    " (layout hash %016llx, prep/layout.json has %016llx); rerun training with --restart",
		    path, (unsigned long long)got->layout_hash, (unsigned long long)want->layout_hash);
	if (got->settings_hash != want->settings_hash)
		return CKPT_BAD(cause, "%s: checkpoint was made with other training settings"
		    " (settings hash %016llx, expected %016llx); restore the settings or retrain with --restart",
		    path, (unsigned long long)got->settings_hash, (unsigned long long)want->settings_hash);
	return 0;
}
