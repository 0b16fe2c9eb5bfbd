/* synthehr — GPL-3.0-or-later.
 * Privacy metrics (SPEC §4.8 membership inference, §4.9 attribute inference,
 * §4.10 NNAA) as the tutorial's mem_risk_tutorial.py / att_risk_tutorial.py
 * and BENCH's Synthetic_risk_model_nnaa.py compute them.
 *
 * All three reduce to "for every target row x and every attacker row s, a
 * distance = Hamming over some 0/1 columns + a few continuous terms".  The
 * Hamming part is produced block by block by one of three interchangeable
 * engines (pw_run): cblas_sgemm on float copies of the 0/1 columns through
 * |x| + |s| − 2 x·s, posting lists over S's ones (EHR rows are sparse: a
 * target's dot products cost the total length of the lists of its few 1s),
 * or plain pair loops for the tests.  The engines hand blocks of distances
 * [nt × ns] to a consumer that adds the continuous terms and keeps what it
 * needs (running minima, 1-NN tie sets), so memory stays flat: no n × n
 * matrix is ever held.  Hamming counts are integers < 2^24, exact in float. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/eval_privacy.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

/* One side of the pairwise computation: rows idx[0..n-1] of m (idx NULL:
 * rows 0..n-1). */
struct pw_side {
	const struct mtx *m;
	const size_t *idx;
	size_t n;
};

static size_t
pw_row(const struct pw_side *s, size_t i)
{
	return s->idx != NULL ? s->idx[i] : i;
}

/* Consumer of a block: ham [nt × ns], rows t0.. of X against rows s0.. of S
 * (positions within the sides). */
typedef void (*pw_fn)(void *arg, size_t t0, size_t nt, size_t s0, size_t ns, const float *ham);

struct pw_progress {
	const struct privacy_opts *o;
	double p0, p1;
};

static void
pw_report(const struct pw_progress *pg, double frac)
{
	if (pg != NULL && pg->o != NULL && pg->o->progress != NULL)
		pg->o->progress(pg->o->progress_arg, pg->p0 + (pg->p1 - pg->p0) * frac);
}

static int
pw_interrupted(char **cause)
{
	if (util_interrupted)
		return util_fail(cause, "interrupted");
	return 0;
}

/* 0/1 values of the selected byte slots of side rows [r0, r0+n) as floats
 * into out [n × nsel]; row sums into w[n]. */
static void
pw_fill(const struct pw_side *sd, size_t r0, size_t n, const int *sel, int nsel, float *out, float *w)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		const uint8_t *b = sd->m->b + pw_row(sd, r0 + i) * (size_t)sd->m->nb;
		float *o = out + i * (size_t)nsel;
		int sum = 0;

		for (k = 0; k < nsel; k++) {
			o[k] = (float)b[sel[k]];
			sum += b[sel[k]];
		}
		w[i] = (float)sum;
	}
}

static int
pw_gemm(const struct pw_side *X, const struct pw_side *S, const int *sel, int nsel, pw_fn fn, void *arg,
    const struct pw_progress *pg, char **cause)
{
	enum { TB = 1024, SB = 4096 };
	float *xb = xmalloc_aligned((size_t)TB * (nsel > 0 ? nsel : 1) * sizeof(float));  /* [TB × nsel] */
	float *sb = xmalloc_aligned((size_t)SB * (nsel > 0 ? nsel : 1) * sizeof(float));  /* [SB × nsel] */
	float *c = xmalloc_aligned((size_t)TB * SB * sizeof(float));                      /* [TB × SB] */
	float xw[TB], *sw = xmalloc(SB * sizeof(float));
	size_t t0, s0, i, j;
	int rc = 0;

	for (t0 = 0; t0 < X->n && rc == 0; t0 += TB) {
		size_t nt = SH_MIN((size_t)TB, X->n - t0);

		pw_fill(X, t0, nt, sel, nsel, xb, xw);
		for (s0 = 0; s0 < S->n; s0 += SB) {
			size_t ns = SH_MIN((size_t)SB, S->n - s0);

			pw_fill(S, s0, ns, sel, nsel, sb, sw);
			if (nsel > 0)
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nt, (int)ns, nsel,
				    1.0f, xb, nsel, sb, nsel, 0.0f, c, (int)ns);
			else
				memset(c, 0, nt * ns * sizeof(float));
			for (i = 0; i < nt; i++) {
				float *ci = c + i * ns;

				for (j = 0; j < ns; j++)
					ci[j] = xw[i] + sw[j] - 2.0f * ci[j];
			}
			fn(arg, t0, nt, s0, ns, c);
		}
		pw_report(pg, (double)(t0 + nt) / (double)X->n);
		rc = pw_interrupted(cause);
	}
	free(xb);
	free(sb);
	free(c);
	free(sw);
	return rc;
}

static int
pw_sparse(const struct pw_side *X, const struct pw_side *S, const int *sel, int nsel, pw_fn fn, void *arg,
    const struct pw_progress *pg, char **cause)
{
	enum { TB = 16 };
	size_t *off = xcalloc((size_t)nsel + 1, sizeof *off);  /* [nsel+1] posting list offsets */
	uint32_t *post;                                        /* [nnz] S positions holding a 1 */
	int32_t *sw = xmalloc((S->n + 1) * sizeof *sw);        /* [S->n] row weights */
	int32_t *dot = xmalloc((S->n + 1) * sizeof *dot);      /* [S->n] x·s of one target */
	float *ham = xmalloc((size_t)TB * (S->n + 1) * sizeof *ham);  /* [TB × S->n] */
	size_t *fillp, s, t0, i, p;
	int k, rc = 0;

	for (s = 0; s < S->n; s++) {
		const uint8_t *b = S->m->b + pw_row(S, s) * (size_t)S->m->nb;
		int sum = 0;

		for (k = 0; k < nsel; k++) {
			off[k + 1] += b[sel[k]];
			sum += b[sel[k]];
		}
		sw[s] = sum;
	}
	for (k = 0; k < nsel; k++)
		off[k + 1] += off[k];
	post = xmalloc((off[nsel] + 1) * sizeof *post);
	fillp = xmalloc(((size_t)nsel + 1) * sizeof *fillp);
	memcpy(fillp, off, (size_t)nsel * sizeof *fillp);
	for (s = 0; s < S->n; s++) {
		const uint8_t *b = S->m->b + pw_row(S, s) * (size_t)S->m->nb;

		for (k = 0; k < nsel; k++)
			if (b[sel[k]])
				post[fillp[k]++] = (uint32_t)s;
	}
	free(fillp);
	for (t0 = 0; t0 < X->n && rc == 0; t0 += TB) {
		size_t nt = SH_MIN((size_t)TB, X->n - t0);

		for (i = 0; i < nt; i++) {
			const uint8_t *b = X->m->b + pw_row(X, t0 + i) * (size_t)X->m->nb;
			float *h = ham + i * S->n;
			int32_t xw = 0;

			memset(dot, 0, S->n * sizeof *dot);
			for (k = 0; k < nsel; k++) {
				if (!b[sel[k]])
					continue;
				xw++;
				for (p = off[k]; p < off[k + 1]; p++)
					dot[post[p]]++;
			}
			for (s = 0; s < S->n; s++)
				h[s] = (float)(xw + sw[s] - 2 * dot[s]);
		}
		fn(arg, t0, nt, 0, S->n, ham);
		if ((t0 / TB) % 64 == 0 || t0 + nt == X->n) {
			pw_report(pg, (double)(t0 + nt) / (double)X->n);
			rc = pw_interrupted(cause);
		}
	}
	free(off);
	free(post);
	free(sw);
	free(dot);
	free(ham);
	return rc;
}

static int
pw_brute(const struct pw_side *X, const struct pw_side *S, const int *sel, int nsel, pw_fn fn, void *arg,
    const struct pw_progress *pg, char **cause)
{
	float *ham = xmalloc((S->n + 1) * sizeof *ham);
	size_t t, s;
	int k;

	for (t = 0; t < X->n; t++) {
		const uint8_t *a = X->m->b + pw_row(X, t) * (size_t)X->m->nb;

		for (s = 0; s < S->n; s++) {
			const uint8_t *b = S->m->b + pw_row(S, s) * (size_t)S->m->nb;
			int h = 0;

			for (k = 0; k < nsel; k++)
				h += a[sel[k]] != b[sel[k]];
			ham[s] = (float)h;
		}
		fn(arg, t, 1, 0, S->n, ham);
		if (pw_interrupted(cause) != 0) {
			free(ham);
			return -1;
		}
	}
	pw_report(pg, 1.0);
	free(ham);
	return 0;
}

static int
pw_run(const struct pw_side *X, const struct pw_side *S, const int *sel, int nsel, enum priv_backend be,
    pw_fn fn, void *arg, const struct pw_progress *pg, char **cause)
{
	if (X->n == 0 || S->n == 0)
		return 0;
	switch (be) {
	case PRIV_GEMM:
		return pw_gemm(X, S, sel, nsel, fn, arg, pg, cause);
	case PRIV_BRUTE:
		return pw_brute(X, S, sel, nsel, fn, arg, pg, cause);
	default:
		return pw_sparse(X, S, sel, nsel, fn, arg, pg, cause);
	}
}

/* ---- Shared helpers --------------------------------------------------- */

/* Continuous value of row r, column j in cohort units. */
static double
cunits(const struct layout *l, const struct mtx *m, size_t r, int j)
{
	double v = mtx_getd(m, r, j);   /* the float64 original when R carries one */

	return m->scaled ? (1.0 - v) * l->lo[j] + v * l->hi[j] : v;
}

/* Every byte column's slot, in model order. */
static int *
all_byte_slots(const struct layout *l, const struct mtx *m, int *n)
{
	int *sel = xmalloc(((size_t)l->D + 1) * sizeof *sel);
	int j;

	*n = 0;
	for (j = 0; j < l->D; j++)
		if (!m->is_float[j])
			sel[(*n)++] = m->slot[j];
	return sel;
}

/* Continuous columns scaled by S's range (the tutorial's MI/NNAA scaling):
 * cols[nc] model columns, lo/span[nc]; a constant column gets span 1. */
struct cscale {
	int nc;
	int *cols;
	double *lo, *span;
};

static void
cscale_init(struct cscale *cs, const struct layout *l, const struct mtx *S)
{
	int j, k = 0;
	size_t r;

	cs->nc = layout_count(l, MCOL_CONT);
	cs->cols = xmalloc(((size_t)cs->nc + 1) * sizeof(int));
	cs->lo = xmalloc(((size_t)cs->nc + 1) * sizeof(double));
	cs->span = xmalloc(((size_t)cs->nc + 1) * sizeof(double));
	for (j = 0; j < l->D; j++) {
		double lo = INFINITY, hi = -INFINITY;

		if (l->kind[j] != MCOL_CONT)
			continue;
		for (r = 0; r < S->n; r++) {
			double v = cunits(l, S, r, j);

			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		if (S->n == 0)
			lo = 0, hi = 1;
		cs->cols[k] = j;
		cs->lo[k] = lo;
		cs->span[k] = hi > lo ? hi - lo : 1.0;
		k++;
	}
}

static void
cscale_done(struct cscale *cs)
{
	free(cs->cols);
	free(cs->lo);
	free(cs->span);
}

/* Scaled continuous values of a side: [n × nc]. */
static double *
cscale_side(const struct cscale *cs, const struct layout *l, const struct pw_side *sd)
{
	double *out = xmalloc((sd->n * (size_t)cs->nc + 1) * sizeof *out);
	size_t i;
	int k;

	for (i = 0; i < sd->n; i++)
		for (k = 0; k < cs->nc; k++)
			out[i * cs->nc + k] = (cunits(l, sd->m, pw_row(sd, i), cs->cols[k]) - cs->lo[k]) / cs->span[k];
	return out;
}

/* n distinct indices from [0, N) (all of them when n ≥ N), ascending. */
static size_t *
sample_rows(size_t N, size_t n, uint64_t seed, uint64_t stream, size_t *got)
{
	size_t *idx = xmalloc((N + 1) * sizeof *idx), i;
	struct rng r;

	for (i = 0; i < N; i++)
		idx[i] = i;
	if (n == 0 || n >= N) {
		*got = N;
		return idx;
	}
	rng_seed_stream(&r, seed, stream);
	/* partial Fisher–Yates: the first n places */
	for (i = 0; i < n; i++) {
		size_t j = i + (size_t)rng_below(&r, N - i), t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
	*got = n;
	{
		/* ascending for locality */
		size_t a, b;

		for (a = 1; a < n; a++) {
			size_t v = idx[a];

			for (b = a; b > 0 && idx[b - 1] > v; b--)
				idx[b] = idx[b - 1];
			idx[b] = v;
		}
	}
	return idx;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static size_t *
sample_sorted(size_t N, size_t n, uint64_t seed, uint64_t stream, size_t *got)
{
	size_t *idx;

	if (n != 0 && n < N && n > 4096) {
		/* insertion sort above is for small n only */
		struct rng r;
		size_t i;

		idx = xmalloc((N + 1) * sizeof *idx);
		for (i = 0; i < N; i++)
			idx[i] = i;
		rng_seed_stream(&r, seed, stream);
		for (i = 0; i < n; i++) {
			size_t j = i + (size_t)rng_below(&r, N - i), t = idx[i];

			idx[i] = idx[j];
			idx[j] = t;
		}
		qsort(idx, n, sizeof *idx, size_cmp);
		*got = n;
		return idx;
	}
	return sample_rows(N, n, seed, stream, got);
}

/* ---- Nearest squared Euclidean distances (MI, NNAA) -------------------- */

struct near_ctx {
	const double *xc, *sc;   /* [nx × nc], [ns × nc] scaled continuous values */
	int nc;
	double *rowmin;          /* [nx] */
	double *colmin;          /* [ns] or NULL */
	int self;                /* X and S are the same rows: skip t == s */
};

static void
near_block(void *arg, size_t t0, size_t nt, size_t s0, size_t ns, const float *ham)
{
	struct near_ctx *c = arg;
	size_t i, j;
	int k;

	for (i = 0; i < nt; i++) {
		size_t t = t0 + i;
		const double *xc = c->xc + t * c->nc;

		for (j = 0; j < ns; j++) {
			size_t s = s0 + j;
			double h = ham[i * ns + j], d;

			if (c->self && s == t)
				continue;
			if (h >= c->rowmin[t] && (c->colmin == NULL || h >= c->colmin[s]))
				continue;
			d = h;
			for (k = 0; k < c->nc; k++) {
				double e = xc[k] - c->sc[s * c->nc + k];

				d += e * e;
			}
			if (d < c->rowmin[t])
				c->rowmin[t] = d;
			if (c->colmin != NULL && d < c->colmin[s])
				c->colmin[s] = d;
		}
	}
}

/* Nearest distances between sides X and S with continuous scaling cs;
 * rowmin[X->n] (and colmin[S->n] when not NULL) receive the minima. */
static int
near_run(const struct layout *l, const struct pw_side *X, const struct pw_side *S, const struct cscale *cs,
    int self, enum priv_backend be, double *rowmin, double *colmin, const struct pw_progress *pg, char **cause)
{
	struct near_ctx c;
	int nsel, rc;
	int *sel = all_byte_slots(l, X->m, &nsel);
	double *xc = cscale_side(cs, l, X), *sc = cscale_side(cs, l, S);
	size_t i;

	c.xc = xc;
	c.sc = sc;
	c.nc = cs->nc;
	c.rowmin = rowmin;
	c.colmin = colmin;
	c.self = self;
	for (i = 0; i < X->n; i++)
		rowmin[i] = INFINITY;
	if (colmin != NULL)
		for (i = 0; i < S->n; i++)
			colmin[i] = INFINITY;
	rc = pw_run(X, S, sel, nsel, be, near_block, &c, pg, cause);
	free(xc);
	free(sc);
	free(sel);
	return rc;
}

int
privacy_nearest(const struct layout *l, const struct mtx *X, const struct mtx *S, enum priv_backend b,
    double *dmin, char **cause)
{
	struct pw_side xs = { X, NULL, X->n }, ss = { S, NULL, S->n };
	struct cscale cs;
	int rc;

	cscale_init(&cs, l, S);
	rc = near_run(l, &xs, &ss, &cs, 0, b, dmin, NULL, NULL, cause);
	cscale_done(&cs);
	return rc;
}

int
privacy_opts_preset(struct privacy_opts *o, const char *preset)
{
	memset(o, 0, sizeof *o);
	o->mi_threshold = 5;
	o->ai_top = 0;           /* scale with the cohort (SPEC 4.9's share) */
	o->ai_tol = 0.1;
	o->backend = PRIV_AUTO;
	o->seed = 0;
	if (preset == NULL || strcasecmp(preset, "fast") == 0) {
		o->mi_members = 5000;
		o->ai_targets = 5000;
		o->nnaa_n = 2000;
		o->nnaa_rounds = 3;
		return 0;
	}
	if (strcasecmp(preset, "tutorial") == 0)
		return 0;
	return -1;
}

/* ---- Membership inference (SPEC §4.8) -------------------------------- */


/* Bootstrap SE of MI's F1: members and non-members resampled apart. */
static double
mi_se(const double *dm, size_t nm, const double *dn, size_t nn, double thr, uint64_t seed)
{
	double v[PRIVACY_SE_REPS];
	struct rng g;
	int b;
	size_t i;

	if (nm == 0)
		return NAN;
	rng_seed_stream(&g, seed, 0x4d495345ULL);
	for (b = 0; b < PRIVACY_SE_REPS; b++) {
		size_t tp = 0, fp = 0;

		for (i = 0; i < nm; i++)
			tp += dm[rng_below(&g, nm)] <= thr;
		for (i = 0; i < nn; i++)
			fp += dn[rng_below(&g, nn)] <= thr;
		v[b] = tp + fp + (nm - tp) > 0 ? (double)tp / ((double)tp + 0.5 * (double)(fp + nm - tp)) : 0;
	}
	return util_sample_sd(v, PRIVACY_SE_REPS);
}

int
eval_mi(const struct layout *l, const struct mtx *R, const struct mtx *T, const struct mtx *S,
    const struct privacy_opts *o, struct mi_result *out, char **cause)
{
	size_t nm, nn, want_nn, i, *im, *in;
	struct pw_side xm, xn, ss = { S, NULL, S->n };
	struct pw_progress pg = { o, 0, 0 };
	struct cscale cs;
	double *dm, *dn;
	int rc;

	memset(out, 0, sizeof *out);
	if (R->D != l->D || T->D != l->D || S->D != l->D)
		return util_fail(cause, "membership inference: matrices do not match the layout");
	if (S->n == 0)
		return util_fail(cause, "membership inference: the synthetic set is empty");
	im = sample_sorted(R->n, o->mi_members, o->seed, 1, &nm);
	want_nn = o->mi_nonmembers;
	if (want_nn == 0 && o->mi_members != 0 && o->mi_members < R->n)
		want_nn = (size_t)llround((double)o->mi_members * (double)T->n / (double)R->n);
	if (want_nn == 0 && o->mi_members != 0)
		want_nn = T->n;
	in = sample_sorted(T->n, want_nn, o->seed, 2, &nn);
	xm = (struct pw_side){ R, im, nm };
	xn = (struct pw_side){ T, in, nn };
	dm = xmalloc((nm + 1) * sizeof *dm);
	dn = xmalloc((nn + 1) * sizeof *dn);
	cscale_init(&cs, l, S);
	pg.p0 = 0;
	pg.p1 = (double)nm / (double)(nm + nn);
	rc = near_run(l, &xm, &ss, &cs, 0, o->backend, dm, NULL, &pg, cause);
	if (rc == 0) {
		pg.p0 = pg.p1;
		pg.p1 = 1;
		rc = near_run(l, &xn, &ss, &cs, 0, o->backend, dn, NULL, &pg, cause);
	}
	if (rc == 0) {
		for (i = 0; i < nm; i++)
			out->tp += dm[i] <= o->mi_threshold;
		out->fn = nm - out->tp;
		for (i = 0; i < nn; i++)
			out->fp += dn[i] <= o->mi_threshold;
		out->tn = nn - out->fp;
		out->nmembers = nm;
		out->nnonmembers = nn;
		out->f1 = out->tp + out->fp + out->fn > 0 ?
		    (double)out->tp / ((double)out->tp + 0.5 * (double)(out->fp + out->fn)) : 0;
		out->precision = out->tp + out->fp > 0 ? (double)out->tp / (double)(out->tp + out->fp) : 0;
		out->recall = nm > 0 ? (double)out->tp / (double)nm : 0;
		out->se = mi_se(dm, nm, dn, nn, o->mi_threshold, o->seed);
	}
	cscale_done(&cs);
	free(im);
	free(in);
	free(dm);
	free(dn);
	return rc;
}

/* ---- Attribute inference (SPEC §4.9) --------------------------------- */

int
privacy_age_column(const struct layout *l)
{
	int j;

	for (j = 0; j < l->D; j++)
		if (l->kind[j] == MCOL_CONT && strcasecmp(l->name[j], "AGE") == 0)
			return j;
	for (j = 0; j < l->D; j++)
		if (l->kind[j] == MCOL_CONT)
			return j;
	return -1;
}

struct prev_item {
	size_t count;
	int col;
};

static int
prev_cmp(const void *a, const void *b)
{
	const struct prev_item *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->col - y->col;
}

/* AI's parts from the per-group counts [PRIVACY_SE_GROUPS × nsens] of the
 * groups pick[0..PRIVACY_SE_GROUPS-1] (a group may repeat). */
static void
ai_score(const struct layout *l, const int *sens, int nsens, const double *w, double wsum, const size_t *tp,
    const size_t *fp, const size_t *fn, const size_t *cacc, const size_t *gsize, const int *pick,
    double *bin_part, double *cont_part)
{
	size_t nt = 0;
	int k, q;

	*bin_part = *cont_part = 0;
	for (q = 0; q < PRIVACY_SE_GROUPS; q++)
		nt += gsize[pick[q]];
	for (k = 0; k < nsens; k++) {
		double score, wk = wsum > 0 ? w[k] / wsum : 0;
		size_t a = 0, b = 0, c = 0, ca = 0;

		for (q = 0; q < PRIVACY_SE_GROUPS; q++) {
			size_t o = (size_t)pick[q] * (size_t)nsens + (size_t)k;

			a += tp[o];
			b += fp[o];
			c += fn[o];
			ca += cacc[o];
		}
		if (l->kind[sens[k]] == MCOL_CONT) {
			score = nt > 0 ? (double)ca / (double)nt : 0;
			*cont_part += wk * score;
		} else {
			double den = (double)a + 0.5 * (double)(b + c);

			score = den > 0 ? (double)a / den : 0;
			*bin_part += wk * score;
		}
	}
}

int
privacy_ai_known(int concepts, int top)
{
	int k;

	if (concepts <= 0)
		return 0;
	/* SPEC 4.9: 2^8 = 256 of the tutorial's 1,448 phecodes are known; a
	 * fixed 256 made every concept known on smaller cohorts, so the binary
	 * part of AI was always 0 (issue 13). */
	k = top > 0 ? top : (int)floor((double)concepts * 256.0 / 1448.0 + 0.5);
	return SH_MAX(1, SH_MIN(k, concepts));
}

int
privacy_known_columns(const struct layout *l, const struct mtx *R, int top, uint8_t *known)
{
	struct prev_item *it = xmalloc(((size_t)l->D + 1) * sizeof *it);
	int j, n = 0, nc = 0, any_concept = 0, age = privacy_age_column(l);
	size_t r;

	memset(known, 0, (size_t)l->D);
	for (j = 0; j < l->D; j++)
		any_concept |= l->concept[j];
	for (j = 0; j < l->D; j++) {
		int is_concept;

		if (l->kind[j] == MCOL_GROUP || j == l->label || j == l->sex || j == age) {
			known[j] = 1;
			continue;
		}
		is_concept = any_concept ? l->concept[j] : l->kind[j] == MCOL_BINARY;
		if (!is_concept || l->kind[j] != MCOL_BINARY)
			continue;
		it[nc].col = j;
		it[nc].count = 0;
		for (r = 0; r < R->n; r++)
			it[nc].count += R->b[r * (size_t)R->nb + R->slot[j]];
		nc++;
	}
	qsort(it, (size_t)nc, sizeof *it, prev_cmp);
	if (top <= 0)
		top = privacy_ai_known(nc, 0);
	for (j = 0; j < nc && j < top; j++)
		known[it[j].col] = 1;
	for (j = 0; j < l->D; j++)
		n += known[j];
	free(it);
	return n;
}

struct nbr_set {
	uint32_t *v;
	size_t n, cap;
};

struct ai_ctx {
	const double *xage;   /* [nt] target ages (cohort units), NULL without age */
	const double *sage;   /* [ns] */
	const double *div;    /* [nt] max(max_s |age_s − age_t|, 1) */
	double *dmin;         /* [nt] */
	struct nbr_set *nb;   /* [nt] */
};

static void
nbr_push(struct nbr_set *s, uint32_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = v;
}

static void
ai_block(void *arg, size_t t0, size_t nt, size_t s0, size_t ns, const float *ham)
{
	struct ai_ctx *c = arg;
	size_t i, j;

	for (i = 0; i < nt; i++) {
		size_t t = t0 + i;

		for (j = 0; j < ns; j++) {
			double d = ham[i * ns + j];

			if (d > c->dmin[t])
				continue;
			if (c->xage != NULL)
				d += fabs(c->sage[s0 + j] - c->xage[t]) / c->div[t];
			if (d < c->dmin[t]) {
				c->dmin[t] = d;
				c->nb[t].n = 0;
			}
			if (d == c->dmin[t])
				nbr_push(&c->nb[t], (uint32_t)(s0 + j));
		}
	}
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* scipy.stats.mode of v[n]: the most frequent value, the smallest on ties. */
static double
mode_smallest(double *v, size_t n)
{
	size_t i, run = 1, best_run = 0;
	double best = NAN;

	qsort(v, n, sizeof *v, dbl_cmp);
	for (i = 0; i < n; i++) {
		run = (i > 0 && v[i] == v[i - 1]) ? run + 1 : 1;
		if (run > best_run) {
			best_run = run;
			best = v[i];
		}
	}
	return best;
}

/* Entropy (natural log) of a column of R with unit-width bins
 * np.arange(min, max+2), as att_risk_tutorial.py computes the weights. */
static double
entropy_units(const double *v, size_t n)
{
	double lo = INFINITY, hi = -INFINITY, h = 0;
	size_t i, nbins, *cnt;

	for (i = 0; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	if (n == 0)
		return 0;
	nbins = (size_t)ceil(hi + 2 - lo) - 1;
	if (nbins < 1)
		nbins = 1;
	if (nbins > 10000000)
		nbins = 10000000;
	cnt = xcalloc(nbins, sizeof *cnt);
	for (i = 0; i < n; i++) {
		size_t b = (size_t)floor(v[i] - lo);

		cnt[b < nbins ? b : nbins - 1]++;
	}
	for (i = 0; i < nbins; i++)
		if (cnt[i] > 0) {
			double p = (double)cnt[i] / (double)n;

			h -= p * log(p);
		}
	free(cnt);
	return h;
}

int
eval_ai(const struct layout *l, const struct mtx *R, const struct mtx *S, const struct privacy_opts *o,
    struct ai_result *out, char **cause)
{
	enum { CHUNK = 4096 };
	uint8_t *known = xmalloc((size_t)l->D + 1);
	int *sel, nsel = 0, *sens, nsens = 0, j, k, age, rc = 0;
	size_t *tidx, nt, c0, i, r, *tp, *fp, *fn, *cacc, *gsize;
	double *w, wsum = 0, *sage = NULL, sagemin = INFINITY, sagemax = -INFINITY, *vals = NULL;
	size_t vals_cap = 0;
	double nbr_total = 0, tol = o->ai_tol > 0 ? o->ai_tol : 0.1;
	struct pw_side ss = { S, NULL, S->n };

	memset(out, 0, sizeof *out);
	if (R->D != l->D || S->D != l->D)
		return util_fail(cause, "attribute inference: matrices do not match the layout");
	if (S->n == 0 || R->n == 0)
		return util_fail(cause, "attribute inference: empty set");
	if (S->n > UINT32_MAX)
		return util_fail(cause, "attribute inference: too many synthetic rows");
	out->nknown = privacy_known_columns(l, R, o->ai_top, known);
	age = out->age_col = privacy_age_column(l);
	{
		int any = 0;

		for (j = 0; j < l->D; j++)
			any |= l->concept[j];
		for (j = 0; j < l->D; j++)
			if (l->kind[j] == MCOL_BINARY && j != l->label && j != l->sex &&
			    (any ? l->concept[j] : 1)) {
				out->concepts++;
				out->known_concepts += known[j];
			}
	}
	sel = xmalloc(((size_t)l->D + 1) * sizeof *sel);
	sens = xmalloc(((size_t)l->D + 1) * sizeof *sens);
	for (j = 0; j < l->D; j++) {
		if (known[j] && l->kind[j] != MCOL_CONT)
			sel[nsel++] = R->slot[j];
		else if (!known[j])
			sens[nsens++] = j;
	}
	out->nsensitive = nsens;
	/* Entropy weights over all of R. */
	w = xcalloc((size_t)nsens + 1, sizeof *w);
	{
		double *col = xmalloc((R->n + 1) * sizeof *col);

		for (k = 0; k < nsens; k++) {
			j = sens[k];
			if (l->kind[j] == MCOL_CONT) {
				for (r = 0; r < R->n; r++)
					col[r] = cunits(l, R, r, j);
				w[k] = entropy_units(col, R->n);
			} else {
				size_t ones = 0;
				double p;

				for (r = 0; r < R->n; r++)
					ones += R->b[r * (size_t)R->nb + R->slot[j]];
				p = (double)ones / (double)R->n;
				w[k] = (p > 0 && p < 1) ? -p * log(p) - (1 - p) * log(1 - p) : 0;
			}
			wsum += w[k];
		}
		free(col);
	}
	if (age >= 0) {
		sage = xmalloc((S->n + 1) * sizeof *sage);
		for (r = 0; r < S->n; r++) {
			sage[r] = cunits(l, S, r, age);
			sagemin = sage[r] < sagemin ? sage[r] : sagemin;
			sagemax = sage[r] > sagemax ? sage[r] : sagemax;
		}
	}
	tidx = sample_sorted(R->n, o->ai_targets, o->seed, 3, &nt);
	out->ntargets = nt;
	tp = xcalloc((size_t)nsens * PRIVACY_SE_GROUPS + 1, sizeof *tp);
	fp = xcalloc((size_t)nsens * PRIVACY_SE_GROUPS + 1, sizeof *fp);
	fn = xcalloc((size_t)nsens * PRIVACY_SE_GROUPS + 1, sizeof *fn);
	cacc = xcalloc((size_t)nsens * PRIVACY_SE_GROUPS + 1, sizeof *cacc);
	gsize = xcalloc(PRIVACY_SE_GROUPS, sizeof *gsize);
	for (c0 = 0; c0 < nt && rc == 0; c0 += CHUNK) {
		size_t n = SH_MIN((size_t)CHUNK, nt - c0);
		struct pw_side xs = { R, tidx + c0, n };
		struct pw_progress pg = { o, (double)c0 / (double)nt, (double)(c0 + n) / (double)nt };
		struct ai_ctx c;
		double *xage = NULL, *div = NULL;

		c.dmin = xmalloc(n * sizeof *c.dmin);
		c.nb = xcalloc(n, sizeof *c.nb);
		if (age >= 0) {
			xage = xmalloc(n * sizeof *xage);
			div = xmalloc(n * sizeof *div);
			for (i = 0; i < n; i++) {
				double a = cunits(l, R, tidx[c0 + i], age), m = SH_MAX(a - sagemin, sagemax - a);

				xage[i] = a;
				div[i] = m > 1 ? m : 1;
			}
		}
		c.xage = xage;
		c.sage = sage;
		c.div = div;
		for (i = 0; i < n; i++)
			c.dmin[i] = INFINITY;
		rc = pw_run(&xs, &ss, sel, nsel, o->backend, ai_block, &c, &pg, cause);
		for (i = 0; i < n && rc == 0; i++) {
			const struct nbr_set *ns = &c.nb[i];
			size_t t = tidx[c0 + i], q, go = ((c0 + i) % PRIVACY_SE_GROUPS) * (size_t)nsens;

			/* counts by group of targets (the SE resamples groups) */
			gsize[(c0 + i) % PRIVACY_SE_GROUPS]++;
			nbr_total += (double)ns->n;
			for (k = 0; k < nsens; k++) {
				j = sens[k];
				if (l->kind[j] == MCOL_CONT) {
					double truth = cunits(l, R, t, j), pred;

					if (vals_cap < ns->n) {
						vals_cap = ns->n;
						vals = xreallocarray(vals, vals_cap, sizeof *vals);
					}
					for (q = 0; q < ns->n; q++)
						vals[q] = cunits(l, S, ns->v[q], j);
					pred = mode_smallest(vals, ns->n);
					cacc[go + k] += pred >= (1 - tol) * truth && pred <= (1 + tol) * truth;
				} else {
					size_t ones = 0;
					int slot = S->slot[j], pred, truth = R->b[t * (size_t)R->nb + slot];

					for (q = 0; q < ns->n; q++)
						ones += S->b[(size_t)ns->v[q] * S->nb + slot];
					pred = 2 * ones > ns->n;   /* mode, 0 on ties */
					tp[go + k] += pred && truth;
					fp[go + k] += pred && !truth;
					fn[go + k] += !pred && truth;
				}
			}
		}
		for (i = 0; i < n; i++)
			free(c.nb[i].v);
		free(c.nb);
		free(c.dmin);
		free(xage);
		free(div);
	}
	if (rc == 0) {
		int pick[PRIVACY_SE_GROUPS], b, q;
		double reps[PRIVACY_SE_REPS], bp, cp;
		struct rng g;

		for (q = 0; q < PRIVACY_SE_GROUPS; q++)
			pick[q] = q;
		ai_score(l, sens, nsens, w, wsum, tp, fp, fn, cacc, gsize, pick, &out->bin_part, &out->cont_part);
		out->risk = out->bin_part + out->cont_part;
		out->mean_neighbours = nt > 0 ? nbr_total / (double)nt : 0;
		/* SE: a bootstrap over the groups of targets */
		rng_seed_stream(&g, o->seed, 0x41495345ULL);
		for (b = 0; b < PRIVACY_SE_REPS; b++) {
			for (q = 0; q < PRIVACY_SE_GROUPS; q++)
				pick[q] = (int)rng_below(&g, PRIVACY_SE_GROUPS);
			ai_score(l, sens, nsens, w, wsum, tp, fp, fn, cacc, gsize, pick, &bp, &cp);
			reps[b] = bp + cp;
		}
		out->se = nt >= PRIVACY_SE_GROUPS ? util_sample_sd(reps, PRIVACY_SE_REPS) : NAN;
	}
	free(known);
	free(sel);
	free(sens);
	free(w);
	free(sage);
	free(tidx);
	free(tp);
	free(fp);
	free(fn);
	free(cacc);
	free(gsize);
	free(vals);
	return rc;
}

/* ---- NNAA (SPEC §4.10, BENCH) --------------------------------------- */

/* AA of sample A against synthetic sample Ss: 0.5·[mean(d_AS > d_AA) +
 * mean(d_SA > d_SS)], d_SS precomputed. */
static int
nnaa_aa(const struct layout *l, const struct pw_side *A, const struct pw_side *Ss, const struct cscale *cs,
    const double *dss, enum priv_backend be, double *aa, char **cause)
{
	double *das = xmalloc((A->n + 1) * sizeof *das), *dsa = xmalloc((Ss->n + 1) * sizeof *dsa);
	double *daa = xmalloc((A->n + 1) * sizeof *daa);
	size_t i, c1 = 0, c2 = 0;
	int rc;

	rc = near_run(l, A, Ss, cs, 0, be, das, dsa, NULL, cause);
	if (rc == 0)
		rc = near_run(l, A, A, cs, 1, be, daa, NULL, NULL, cause);
	if (rc == 0) {
		for (i = 0; i < A->n; i++)
			c1 += das[i] > daa[i];
		for (i = 0; i < Ss->n; i++)
			c2 += dsa[i] > dss[i];
		*aa = 0.5 * ((double)c1 / (double)A->n + (double)c2 / (double)Ss->n);
	}
	free(das);
	free(dsa);
	free(daa);
	return rc;
}

int
eval_nnaa(const struct layout *l, const struct mtx *R, const struct mtx *T, const struct mtx *S,
    const struct privacy_opts *o, struct nnaa_result *out, char **cause)
{
	size_t m, nr_, nt_, ns_;
	int rounds, k, rc = 0;
	struct cscale cs;
	double loss[64];

	memset(out, 0, sizeof *out);
	if (R->n < 2 || T->n < 2 || S->n < 2)
		return util_fail(cause, "NNAA: each set needs at least 2 rows");
	m = T->n;
	m = SH_MIN(m, R->n);
	m = SH_MIN(m, S->n);
	if (o->nnaa_n > 0 && o->nnaa_n < m)
		m = o->nnaa_n;
	rounds = o->nnaa_rounds > 0 ? o->nnaa_rounds : (int)((R->n + T->n - 1) / T->n);
	cscale_init(&cs, l, S);
	for (k = 0; k < rounds && rc == 0; k++) {
		size_t *ir = sample_sorted(R->n, m, o->seed + (uint64_t)k, 11, &nr_);
		size_t *it = sample_sorted(T->n, m, o->seed + (uint64_t)k, 12, &nt_);
		size_t *is = sample_sorted(S->n, m, o->seed + (uint64_t)k, 13, &ns_);
		struct pw_side a_r = { R, ir, m }, a_t = { T, it, m }, ss = { S, is, m };
		double *dss = xmalloc((m + 1) * sizeof *dss), aa_tr = 0, aa_te = 0;

		rc = near_run(l, &ss, &ss, &cs, 1, o->backend, dss, NULL, NULL, cause);
		if (rc == 0)
			rc = nnaa_aa(l, &a_r, &ss, &cs, dss, o->backend, &aa_tr, cause);
		if (rc == 0)
			rc = nnaa_aa(l, &a_t, &ss, &cs, dss, o->backend, &aa_te, cause);
		out->aa_train += aa_tr;
		out->aa_test += aa_te;
		if (k < 64)
			loss[k] = aa_te - aa_tr;
		free(dss);
		free(ir);
		free(it);
		free(is);
		if (o->progress != NULL)
			o->progress(o->progress_arg, (double)(k + 1) / rounds);
	}
	cscale_done(&cs);
	if (rc != 0)
		return rc;
	out->aa_train /= rounds;
	out->aa_test /= rounds;
	out->privacy_loss = out->aa_test - out->aa_train;
	out->se = rounds >= 2 && rounds <= 64 ? util_sample_sd(loss, rounds) / sqrt((double)rounds) : NAN;
	out->rounds = rounds;
	out->n = m;
	return 0;
}

size_t
privacy_need(const struct layout *l, const struct mtx *m, size_t nx, size_t ns, enum priv_backend be)
{
	size_t step = m->n > 10000 ? m->n / 10000 : 1, rows = 0, i, need;
	size_t nsel = (size_t)m->nb, nc = (size_t)layout_count(l, MCOL_CONT);
	double ones = 0, per;

	for (i = 0; i < m->n; i += step, rows++) {
		const uint8_t *b = m->b + i * (size_t)m->nb;
		size_t k;

		for (k = 0; k < nsel; k++)
			ones += b[k] != 0;
	}
	per = rows > 0 ? ones / (double)rows : (double)nsel;
	/* scaled continuous values of both sides; per target and per row:
	 * sample index, distance, minimum */
	need = (nx + ns) * nc * 8 + (nx + ns) * 24;
	if (be == PRIV_GEMM)   /* pw_gemm: [1024 × nsel], [4096 × nsel], [1024 × 4096] floats */
		need += (size_t)(1024 + 4096) * nsel * 4 + (size_t)1024 * 4096 * 4;
	else if (be != PRIV_BRUTE)   /* pw_sparse: posting lists, offsets, [16 × ns] distances */
		need += (size_t)(per * (double)ns * 4.0) + nsel * 16 + ns * (4 + 4 + 16 * 4);
	return need;
}
