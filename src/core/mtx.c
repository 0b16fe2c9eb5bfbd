/* synthehr — GPL-3.0-or-later.
 * The compact row store of the model matrix (see mtx.h); the layout
 * itself is in layout.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "synthehr/csvio.h"
#include "synthehr/mtx.h"
#include "synthehr/util.h"

struct mtx *
mtx_new(size_t n, const struct layout *l)
{
	struct mtx *m = xcalloc(1, sizeof *m);
	int j;

	m->n = n;
	m->D = l->D;
	m->slot = xcalloc(l->D, sizeof(int));
	m->is_float = xcalloc(l->D, 1);
	for (j = 0; j < l->D; j++) {
		if (l->kind[j] == MCOL_CONT) {
			m->is_float[j] = 1;
			m->slot[j] = m->nc++;
		} else
			m->slot[j] = m->nb++;
	}
	m->b = xcalloc(n * (size_t)m->nb + 1, 1);
	m->c = xcalloc(n * (size_t)m->nc + 1, sizeof(float));
	m->lhash = layout_hash(l);
	return m;
}

void
mtx_free(struct mtx *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m->is_float);
	free(m->b);
	free(m->c);
	free(m->c64);
	free(m);
}

static void
mtx_row_out(const struct mtx *m, size_t r, float *out)
{
	const uint8_t *b = m->b + r * m->nb;
	const float *c = m->c + r * m->nc;
	int j;

	for (j = 0; j < m->D; j++)
		out[j] = m->is_float[j] ? c[m->slot[j]] : (float)b[m->slot[j]];
}

void
mtx_get_rows(const struct mtx *m, size_t r0, size_t nr, float *out)
{
	size_t i;

	for (i = 0; i < nr; i++)
		mtx_row_out(m, r0 + i, out + i * m->D);
}

void
mtx_gather_rows(const struct mtx *m, const size_t *idx, size_t nr, float *out)
{
	size_t i;

	for (i = 0; i < nr; i++)
		mtx_row_out(m, idx[i], out + i * m->D);
}

void
mtx_set_row(struct mtx *m, size_t r, const float *row)
{
	uint8_t *b = m->b + r * m->nb;
	float *c = m->c + r * m->nc;
	int j;

	for (j = 0; j < m->D; j++) {
		if (m->is_float[j])
			c[m->slot[j]] = row[j];
		else
			b[m->slot[j]] = row[j] >= 0.5f;
	}
}

float
mtx_get(const struct mtx *m, size_t r, int j)
{
	if (m->is_float[j])
		return m->c[r * m->nc + m->slot[j]];
	return m->b[r * m->nb + m->slot[j]];
}

double
mtx_getd(const struct mtx *m, size_t r, int j)
{
	if (m->is_float[j])
		return m->c64 != NULL && !m->scaled ? m->c64[r * m->nc + m->slot[j]] : m->c[r * m->nc + m->slot[j]];
	return m->b[r * m->nb + m->slot[j]];
}

void
mtx_set(struct mtx *m, size_t r, int j, float v)
{
	if (m->is_float[j])
		m->c[r * m->nc + m->slot[j]] = v;
	else
		m->b[r * m->nb + m->slot[j]] = v >= 0.5f;
}

void
mtx_get_col(const struct mtx *m, int j, double *out)
{
	size_t r;

	for (r = 0; r < m->n; r++)
		out[r] = mtx_getd(m, r, j);
}

void
mtx_scale(struct mtx *m, const struct layout *l)
{
	size_t r;
	int j;

	if (m->scaled)
		return;
	for (j = 0; j < m->D; j++) {
		double lo = l->lo[j], span = l->hi[j] - l->lo[j];

		if (!m->is_float[j])
			continue;
		for (r = 0; r < m->n; r++) {
			float *v = &m->c[r * m->nc + m->slot[j]];

			*v = span > 0 ? (float)((*v - lo) / span) : 0.0f;
		}
	}
	m->scaled = 1;
}

void
mtx_unscale(struct mtx *m, const struct layout *l)
{
	size_t r;
	int j;

	if (!m->scaled)
		return;
	for (j = 0; j < m->D; j++) {
		if (!m->is_float[j])
			continue;
		for (r = 0; r < m->n; r++) {
			float *v = &m->c[r * m->nc + m->slot[j]];
			double s = *v;

			/* The original value when there is one: a float32 round
			 * trip through [0,1] moves about 7 % of real cells by one
			 * float step (75 → 74.999996). */
			if (m->c64 != NULL)
				*v = (float)m->c64[r * m->nc + m->slot[j]];
			else
				*v = (float)((1.0 - s) * l->lo[j] + s * l->hi[j]);
		}
	}
	m->scaled = 0;
}

struct mtx *
mtx_subset(const struct mtx *m, const size_t *idx, size_t nr)
{
	struct mtx *s = xcalloc(1, sizeof *s);
	size_t i;

	*s = *m;
	s->n = nr;
	s->slot = xmalloc(m->D * sizeof(int));
	memcpy(s->slot, m->slot, m->D * sizeof(int));
	s->is_float = xmalloc(m->D);
	memcpy(s->is_float, m->is_float, m->D);
	s->b = xmalloc(nr * (size_t)m->nb + 1);
	s->c = xmalloc((nr * (size_t)m->nc + 1) * sizeof(float));
	s->c64 = m->c64 != NULL ? xmalloc((nr * (size_t)m->nc + 1) * sizeof(double)) : NULL;
	for (i = 0; i < nr; i++) {
		memcpy(s->b + i * m->nb, m->b + idx[i] * m->nb, m->nb);
		memcpy(s->c + i * m->nc, m->c + idx[i] * m->nc, m->nc * sizeof(float));
		if (s->c64 != NULL)
			memcpy(s->c64 + i * m->nc, m->c64 + idx[i] * m->nc, m->nc * sizeof(double));
	}
	return s;
}

#define MTX_MAGIC "SHMTX\0\0"
#define MTX_VERSION 2

/* 128 bytes, host byte order (as format 1). */
struct mtx_header {
	char magic[8];
	uint32_t version;
	uint32_t D;
	uint64_t n;
	uint32_t nb, nc;
	uint32_t scaled;
	uint32_t role;            /* format 1: padding */
	uint64_t layout_hash;
	uint64_t source, plan, seed, parent, train;
	uint32_t sum;             /* CRC-32 of kinds, byte block, float block */
	uint32_t hsum;            /* CRC-32 of this header with hsum = 0 */
	uint64_t companion;
	uint8_t reserved[128 - 104];
};

static uLong
crc_block(uLong crc, const void *p, size_t n)
{
	const Bytef *b = p;

	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;

		crc = crc32(crc, b, k);
		b += k;
		n -= k;
	}
	return crc;
}

uint64_t
mtx_checksum(const struct mtx *m)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc_block(crc, m->is_float, (size_t)m->D);
	crc = crc_block(crc, m->b, m->n * (size_t)m->nb);
	crc = crc_block(crc, m->c, m->n * (size_t)m->nc * sizeof(float));
	return (uint64_t)crc;
}

static uint32_t
header_crc(const struct mtx_header *h)
{
	struct mtx_header t = *h;

	t.hsum = 0;
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)&t, sizeof t);
}

const char *
mtx_role_name(uint32_t role)
{
	static const char *names[] = { "unknown", "training rows", "test rows", "synthetic rows",
	    "external synthetic rows" };

	return role < SH_NELEM(names) ? names[role] : "unknown";
}

/* A header for n rows shaped and provenanced as m, with the data's CRC
 * sum; the header's own CRC last. */
static void
header_fill(struct mtx_header *h, const struct mtx *m, size_t n, uint32_t sum)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, MTX_MAGIC, 8);
	h->version = MTX_VERSION;
	h->D = m->D;
	h->n = n;
	h->nb = m->nb;
	h->nc = m->nc;
	h->scaled = m->scaled;
	h->role = m->prov.role;
	h->layout_hash = m->lhash;
	h->source = m->prov.source;
	h->plan = m->prov.plan;
	h->seed = m->prov.seed;
	h->parent = m->prov.parent;
	h->train = m->prov.train;
	h->companion = m->prov.companion;
	h->sum = sum;
	h->hsum = header_crc(h);
}

int
mtx_write(const char *path, const struct mtx *m, char **cause)
{
	struct atomic_file af;
	struct mtx_header h;

	header_fill(&h, m, m->n, (uint32_t)mtx_checksum(m));
	if (atomic_open(&af, path, cause) != 0)
		return -1;
	errno = 0;
	if (fwrite(&h, sizeof h, 1, af.fp) != 1 ||
	    fwrite(m->is_float, 1, m->D, af.fp) != (size_t)m->D ||
	    (m->n * m->nb > 0 && fwrite(m->b, m->nb, m->n, af.fp) != m->n) ||
	    (m->n * m->nc > 0 && fwrite(m->c, sizeof(float) * m->nc, m->n, af.fp) != m->n)) {
		util_fail(cause, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af, cause);
}

/* A matrix written row block by row block (generate, issue 18): the byte
 * block and the float block are filled at their final offsets, their CRCs
 * run along and are combined at the end, and the header goes in last. */
struct mtx_stream {
	struct atomic_file af;
	size_t n, done;
	int D, nb, nc;
	uLong crc_b, crc_c;
	char *path;
};

struct mtx_stream *
mtx_stream_open(const char *path, const struct mtx *proto, size_t n, char **cause)
{
	struct mtx_stream *st = xcalloc(1, sizeof *st);
	struct mtx_header h;

	if (atomic_open(&st->af, path, cause) != 0) {
		free(st);
		return NULL;
	}
	st->n = n;
	st->D = proto->D;
	st->nb = proto->nb;
	st->nc = proto->nc;
	st->path = xstrdup(path);
	st->crc_b = crc_block(crc32(0L, Z_NULL, 0), proto->is_float, (size_t)proto->D);
	st->crc_c = crc32(0L, Z_NULL, 0);
	memset(&h, 0, sizeof h);   /* a placeholder: the real header is written last */
	errno = 0;
	if (fwrite(&h, sizeof h, 1, st->af.fp) != 1 || fwrite(proto->is_float, 1, (size_t)proto->D, st->af.fp) !=
	    (size_t)proto->D) {
		util_fail(cause, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
		mtx_stream_abort(st);
		return NULL;
	}
	return st;
}

int
mtx_stream_rows(struct mtx_stream *st, const struct mtx *blk, char **cause)
{
	off_t ob = (off_t)(sizeof(struct mtx_header) + (size_t)st->D + st->done * (size_t)st->nb);
	off_t oc = (off_t)(sizeof(struct mtx_header) + (size_t)st->D + st->n * (size_t)st->nb +
	    st->done * (size_t)st->nc * sizeof(float));

	if (blk->n == 0)
		return 0;
	if (st->done + blk->n > st->n || blk->nb != st->nb || blk->nc != st->nc)
		return util_fail(cause, "%s: internal error: %zu rows beyond the %zu announced", st->path,
		    st->done + blk->n, st->n);
	errno = 0;
	if ((st->nb > 0 && (fseeko(st->af.fp, ob, SEEK_SET) != 0 ||
	    fwrite(blk->b, (size_t)st->nb, blk->n, st->af.fp) != blk->n)) ||
	    (st->nc > 0 && (fseeko(st->af.fp, oc, SEEK_SET) != 0 ||
	    fwrite(blk->c, sizeof(float) * (size_t)st->nc, blk->n, st->af.fp) != blk->n)))
		return util_fail(cause, "%s: write failed: %s", st->path, strerror(errno ? errno : EIO));
	st->crc_b = crc_block(st->crc_b, blk->b, blk->n * (size_t)st->nb);
	st->crc_c = crc_block(st->crc_c, blk->c, blk->n * (size_t)st->nc * sizeof(float));
	st->done += blk->n;
	return 0;
}

int
mtx_stream_commit(struct mtx_stream *st, const struct mtx *proto, char **cause)
{
	struct mtx_header h;
	int rc;

	if (st->done != st->n) {
		util_fail(cause, "%s: internal error: %zu of %zu rows written", st->path, st->done, st->n);
		mtx_stream_abort(st);
		return -1;
	}
	header_fill(&h, proto, st->n,
	    (uint32_t)crc32_combine(st->crc_b, st->crc_c, (z_off_t)(st->n * (size_t)st->nc * sizeof(float))));
	errno = 0;
	if (fseeko(st->af.fp, 0, SEEK_SET) != 0 || fwrite(&h, sizeof h, 1, st->af.fp) != 1 ||
	    fseeko(st->af.fp, 0, SEEK_END) != 0) {
		util_fail(cause, "%s: write failed: %s", st->path, strerror(errno ? errno : EIO));
		mtx_stream_abort(st);
		return -1;
	}
	rc = atomic_commit(&st->af, cause);
	free(st->path);
	free(st);
	return rc;
}

void
mtx_stream_abort(struct mtx_stream *st)
{
	if (st == NULL)
		return;
	atomic_abort(&st->af);
	free(st->path);
	free(st);
}

int
mtx_read_header(const char *path, struct mtx_prov *prov, uint64_t *sum, uint64_t *lhash, char **cause)
{
	FILE *fp = fopen(path, "rb");
	struct mtx_header h;
	int ok;

	if (fp == NULL)
		return util_fail_errno(cause, path);
	ok = fread(&h, sizeof h, 1, fp) == 1 && memcmp(h.magic, MTX_MAGIC, 8) == 0;
	fclose(fp);
	if (!ok)
		return util_fail(cause, "%s: not a synthehr matrix file (bad magic)", path);
	if (h.version != MTX_VERSION)
		return util_fail(cause, "%s: matrix format %u%s; re-run 'synthehr prep' (and train/generate)",
		    path, h.version, h.version == 1 ? " (written before checksums and provenance)" : "");
	if (header_crc(&h) != h.hsum)
		return util_fail(cause, "%s: damaged matrix header (checksum mismatch)", path);
	memset(prov, 0, sizeof *prov);
	prov->role = h.role;
	prov->source = h.source;
	prov->plan = h.plan;
	prov->seed = h.seed;
	prov->parent = h.parent;
	prov->train = h.train;
	prov->companion = h.companion;
	if (sum != NULL)
		*sum = h.sum;
	if (lhash != NULL)
		*lhash = h.layout_hash;
	return 0;
}

static char *
hex16(uint64_t v, char buf[17])
{
	snprintf(buf, 17, "%016llx", (unsigned long long)v);
	return buf;
}

int
mtx_expect(const struct mtx *m, const char *path, enum mtx_role role, const struct mtx *train,
    char **cause)
{
	char a[17], b[17];

	if (m->prov.role != (uint32_t)role)
		return util_fail(cause, "%s: holds %s, expected %s (a file swapped or copied from elsewhere?); "
		    "re-run the stage that writes it", path, mtx_role_name(m->prov.role), mtx_role_name(role));
	if (train != NULL && m->prov.train != train->sum)
		return util_fail(cause, "%s: made from other training rows (train.mtx checksum %s, the study's "
		    "is %s): it is stale; re-run %s", path, hex16(m->prov.train, a), hex16(train->sum, b),
		    role == MTX_ROLE_TEST ? "prep" : role == MTX_ROLE_SYNTH ? "generate" : "the stage that writes it");
	if (train != NULL && (m->prov.source != train->prov.source || m->prov.plan != train->prov.plan) &&
	    role != MTX_ROLE_EXTERNAL)
		return util_fail(cause, "%s: made from another cohort or plan (source %s, the study's "
		    "train.mtx %s); re-run the stage that writes it", path, hex16(m->prov.source, a),
		    hex16(train->prov.source, b));
	return 0;
}

/* Every byte cell 0 or 1 and every float cell finite: a damaged or
 * hand-edited file never reaches the numerical code. */
int
mtx_validate(const struct mtx *m, const struct layout *l, const char *path, char **cause)
{
	size_t r;
	int j;

	for (r = 0; r < m->n; r++) {
		const uint8_t *b = m->b + r * (size_t)m->nb;
		const float *c = m->c + r * (size_t)m->nc;

		for (j = 0; j < m->D; j++) {
			if (m->is_float[j] ? isfinite(c[m->slot[j]]) : b[m->slot[j]] <= 1)
				continue;
			return util_fail(cause, "%s: damaged matrix: row %zu, column \"%s\" is %s (expected %s); "
			    "re-run the stage that wrote it",
			    path, r + 1, l->name[j], m->is_float[j] ? "not a finite number" : "neither 0 nor 1",
			    m->is_float[j] ? "a finite number" : "0 or 1");
		}
	}
	return 0;
}

int
mtx_read(const char *path, const struct layout *l, struct mtx **out, char **cause)
{
	FILE *fp = fopen(path, "rb");
	struct mtx_header h;
	struct mtx *m;
	uint8_t *isf;

	if (fp == NULL)
		return util_fail_errno(cause, path);
	if (fread(&h, sizeof h, 1, fp) != 1 || memcmp(h.magic, MTX_MAGIC, 8) != 0) {
		fclose(fp);
		return util_fail(cause, "%s: not a synthehr matrix file (bad magic)", path);
	}
	if (h.version == 1) {
		fclose(fp);
		return util_fail(cause, "%s: matrix format 1 (written before checksums and provenance); "
		    "re-run 'synthehr prep' (and train/generate) to rewrite it", path);
	}
	if (h.version != MTX_VERSION) {
		fclose(fp);
		return util_fail(cause, "%s: matrix format version %u, expected %d", path, h.version, MTX_VERSION);
	}
	if (header_crc(&h) != h.hsum) {
		fclose(fp);
		return util_fail(cause, "%s: damaged matrix header (checksum mismatch); re-run the stage "
		    "that wrote it", path);
	}
	if ((int)h.D != l->D) {
		fclose(fp);
		return util_fail(cause, "%s: matrix has %u columns, the study's layout has %d", path, h.D, l->D);
	}
	if (h.layout_hash != layout_hash(l)) {
		fclose(fp);
		return util_fail(cause, "%s: made for another column layout (layout hash %016llx, "
		    "prep/layout.json has %016llx); re-run the stage that wrote it", path,
		    (unsigned long long)h.layout_hash, (unsigned long long)layout_hash(l));
	}
	if (h.n > ((uint64_t)1 << 40)) {
		fclose(fp);
		return util_fail(cause, "%s: implausible row count %llu", path, (unsigned long long)h.n);
	}
	{
		char *what = xsprintf("reading %s (%llu rows)", path, (unsigned long long)h.n);
		int rc = util_mem_check(h.n * (h.nb + 4 * (size_t)h.nc), what, cause);

		free(what);
		if (rc != 0) {
			fclose(fp);
			return -1;
		}
	}
	m = mtx_new(h.n, l);
	isf = xmalloc(h.D);
	if (fread(isf, 1, h.D, fp) != h.D || memcmp(isf, m->is_float, h.D) != 0 ||
	    (int)h.nb != m->nb || (int)h.nc != m->nc) {
		free(isf);
		mtx_free(m);
		fclose(fp);
		return util_fail(cause, "%s: column kinds differ from the study's layout", path);
	}
	free(isf);
	if ((m->n * m->nb > 0 && fread(m->b, m->nb, m->n, fp) != m->n) ||
	    (m->n * m->nc > 0 && fread(m->c, sizeof(float) * m->nc, m->n, fp) != m->n)) {
		mtx_free(m);
		fclose(fp);
		return util_fail(cause, "%s: truncated matrix file", path);
	}
	fclose(fp);
	m->sum = mtx_checksum(m);
	if (m->sum != h.sum) {
		mtx_free(m);
		return util_fail(cause, "%s: damaged matrix (payload checksum mismatch); re-run the stage "
		    "that wrote it", path);
	}
	if (mtx_validate(m, l, path, cause) != 0) {
		mtx_free(m);
		return -1;
	}
	m->prov.role = h.role;
	m->prov.source = h.source;
	m->prov.plan = h.plan;
	m->prov.seed = h.seed;
	m->prov.parent = h.parent;
	m->prov.train = h.train;
	m->prov.companion = h.companion;
	m->scaled = h.scaled != 0;
	*out = m;
	return 0;
}

int
mtx_write_csv(const char *path, const struct mtx *m, const struct layout *l, char **cause)
{
	struct csv_writer *w = csvw_open(path, cause);
	float *row;
	size_t r;
	int j;

	if (w == NULL)
		return -1;
	for (j = 0; j < l->D; j++)
		csvw_field(w, l->name[j]);
	csvw_end_row(w);
	row = xmalloc(sizeof(float) * l->D);
	for (r = 0; r < m->n; r++) {
		mtx_get_rows(m, r, 1, row);
		for (j = 0; j < l->D; j++) {
			double v = row[j];

			if (l->kind[j] == MCOL_CONT && m->scaled)
				v = (1.0 - v) * l->lo[j] + v * l->hi[j];
			if (l->kind[j] == MCOL_CONT) {
				char buf[64];

				util_format_float(buf, sizeof buf, (float)v);
				csvw_field(w, buf);
			} else
				csvw_field(w, v >= 0.5 ? "1" : "0");
		}
		csvw_end_row(w);
	}
	free(row);
	return csvw_commit(w, cause);
}

int
mtx_read_csv(const char *path, const struct layout *l, struct mtx **out, char **cause)
{
	struct csv_reader *r = csvr_open(path, cause);
	char **f, *diff = NULL;
	size_t *len, row = 0, cap = 1024;
	int nf, rc, j, *map = NULL, nmissing = 0, nextra = 0;
	struct mtx *m = NULL;
	float *buf;

	if (r == NULL)
		return -1;
	rc = csvr_next(r, &f, &len, &nf, cause);
	if (rc <= 0) {
		if (rc == 0)
			util_fail(cause, "%s: empty file, expected a header row", path);
		csvr_close(r);
		return -1;
	}
	map = xmalloc(sizeof(int) * nf);
	{
		uint8_t *seen = xcalloc(l->D, 1);
		size_t dlen = 0;

		for (j = 0; j < nf; j++) {
			int k = layout_find(l, f[j]);

			map[j] = k;
			if (k < 0 || seen[k]) {
				if (nextra++ < 10) {
					char *t = xsprintf("%s%s%s\"%s\"", diff ? diff : "", diff ? ", " : "",
					    k < 0 ? "unexpected column " : "duplicate column ", f[j]);
					free(diff);
					diff = t;
				}
			} else
				seen[k] = 1;
		}
		for (j = 0; j < l->D; j++) {
			if (!seen[j] && nmissing++ < 10) {
				char *t = xsprintf("%s%smissing column \"%s\"", diff ? diff : "", diff ? ", " : "", l->name[j]);
				free(diff);
				diff = t;
			}
		}
		free(seen);
		(void)dlen;
	}
	if (nmissing || nextra) {
		util_fail(cause, "%s: columns do not match the study's schema (%d missing, %d unexpected): %s%s",
		    path, nmissing, nextra, diff, (nmissing > 10 || nextra > 10) ? ", ..." : "");
		free(diff);
		free(map);
		csvr_close(r);
		return -1;
	}
	buf = xmalloc(sizeof(float) * l->D);
	m = mtx_new(cap, l);
	m->n = 0;
	while ((rc = csvr_next(r, &f, &len, &nf, cause)) == 1) {
		if (nf != l->D) {
			util_fail(cause, "%s:%zu: expected %d fields, found %d", path, csvr_line(r), l->D, nf);
			rc = -1;
			break;
		}
		for (j = 0; j < nf; j++) {
			double v;

			if (util_parse_double(f[j], len[j], &v) != 0) {
				util_fail(cause, "%s:%zu:%d: expected a number in column \"%s\"", path,
				    csvr_line(r), j + 1, l->name[map[j]]);
				rc = -1;
				break;
			}
			if (!isfinite((float)v)) {
				util_fail(cause, "%s:%zu:%d: number out of range in column \"%s\" (expected a "
				    "finite number between -3.4e38 and 3.4e38)", path, csvr_line(r), j + 1,
				    l->name[map[j]]);
				rc = -1;
				break;
			}
			buf[map[j]] = (float)v;
		}
		if (rc < 0)
			break;
		if (row == cap) {
			cap *= 2;
			m->b = xrealloc(m->b, cap * (size_t)m->nb + 1);
			m->c = xrealloc(m->c, (cap * (size_t)m->nc + 1) * sizeof(float));
		}
		m->n = row + 1;
		mtx_set_row(m, row, buf);
		row++;
	}
	free(buf);
	free(map);
	csvr_close(r);
	if (rc < 0) {
		mtx_free(m);
		return -1;
	}
	m->scaled = 0;
	*out = m;
	return 0;
}
