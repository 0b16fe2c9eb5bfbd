/* synthehr — GPL-3.0-or-later.
 * Float64 sidecar of a model matrix (see mtx.h): the continuous columns'
 * original values, written by prep beside train.mtx and test.mtx and read
 * by evaluation, so the real rows are evaluated exactly as prep left them
 * rather than through the float32 [0,1] scaling the generator trains on.
 *
 * Format: magic "SHF64\0\0\1", then little-endian-as-stored uint64 n, nc and
 * the 64-bit hash of the matrix's float block (as in its .mtx), then n × nc
 * doubles row-major.  Atomic write, file 0600. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/mtx.h"
#include "synthehr/util.h"

#define F64_MAGIC "SHF64\0\0\1"

struct f64_header {
	char magic[8];
	uint64_t n, nc, hash;
};

static uint64_t
f64_block_hash(const struct mtx *m)
{
	return util_hash64(m->c, m->n * (size_t)m->nc * sizeof(float), 0x4636345f6d747831ULL);
}

void
mtx_f64_alloc(struct mtx *m)
{
	free(m->c64);
	m->c64 = xcalloc(m->n * (size_t)m->nc + 1, sizeof(double));
}

int
mtx_f64_write(const char *path, const struct mtx *m, char **cause)
{
	struct atomic_file af;
	struct f64_header h;
	size_t cells = m->n * (size_t)m->nc;

	if (m->c64 == NULL)
		return util_fail(cause, "%s: the matrix carries no float64 values", path);
	memset(&h, 0, sizeof h);
	memcpy(h.magic, F64_MAGIC, 8);
	h.n = m->n;
	h.nc = (uint64_t)m->nc;
	h.hash = f64_block_hash(m);
	if (atomic_open(&af, path, cause) != 0)
		return -1;
	if (fwrite(&h, sizeof h, 1, af.fp) != 1 ||
	    (cells > 0 && fwrite(m->c64, sizeof(double), cells, af.fp) != cells) || ferror(af.fp)) {
		int e = errno;

		atomic_abort(&af);
		return util_fail(cause, "%s: write failed: %s", path, strerror(e ? e : EIO));
	}
	return atomic_commit(&af, cause);
}

int
mtx_f64_attach(const char *path, struct mtx *m, char **cause)
{
	FILE *fp = fopen(path, "rb");
	struct f64_header h;
	size_t cells = m->n * (size_t)m->nc;
	double *v;

	if (fp == NULL)
		return util_fail_errno(cause, path);
	if (fread(&h, sizeof h, 1, fp) != 1 || memcmp(h.magic, F64_MAGIC, 8) != 0) {
		fclose(fp);
		return util_fail(cause, "%s: not a synthehr float64 sidecar (bad magic)", path);
	}
	if (h.n != m->n || h.nc != (uint64_t)m->nc || h.hash != f64_block_hash(m)) {
		fclose(fp);
		return util_fail(cause, "%s: does not belong to its matrix (re-run prep)", path);
	}
	v = xmalloc((cells + 1) * sizeof *v);
	if (cells > 0 && fread(v, sizeof(double), cells, fp) != cells) {
		free(v);
		fclose(fp);
		return util_fail(cause, "%s: truncated float64 sidecar", path);
	}
	fclose(fp);
	free(m->c64);
	m->c64 = v;
	return 0;
}
