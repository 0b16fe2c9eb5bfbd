/* synthehr — GPL-3.0-or-later.
 * Column-wise correlation (SPEC §4.2): Pearson correlation matrices of the
 * real and the synthetic set over all model columns, computed by SYRK on
 * centred float row blocks accumulated in double, and the tutorial's
 * ‖C_R − C_S‖_F / D² · 10⁶ with the paper's mean-absolute variant.  A
 * study wider than EVAL_FULL_D columns is done in column blocks (the sum of
 * squares needs no whole D × D matrix). */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_int.h"
#include "synthehr/eval_utility.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

size_t
evalu_block_rows(int D)
{
	size_t r = (size_t)4 * 1024 * 1024 / (size_t)(D > 0 ? D : 1);

	return r < 256 ? 256 : r;
}

void
evalu_rows(const struct layout *l, const struct mtx *m, size_t r0, size_t nr, float *out)
{
	size_t i;
	int j;

	mtx_get_rows(m, r0, nr, out);
	if (!m->scaled)
		return;
	for (j = 0; j < l->D; j++) {
		if (l->kind[j] != MCOL_CONT)
			continue;
		for (i = 0; i < nr; i++) {
			float *v = out + i * (size_t)l->D + j;

			*v = (float)((1.0 - *v) * l->lo[j] + *v * l->hi[j]);
		}
	}
}

void
evalu_syrk_acc(const float *X, size_t nr, int d, float *tmp, double *acc)
{
	int i, j;

	if (nr == 0)
		return;
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, d, (int)nr, 1.0f, X, d, 0.0f, tmp, d);
	for (i = 0; i < d; i++)
		for (j = i; j < d; j++)
			acc[(size_t)i * d + j] += tmp[(size_t)i * d + j];
}

/* Pass 1 of the correlation, shared by the whole and the blocked routes:
 * each column's mean over m's rows (read in row blocks of bs through X
 * [bs × D]), whether it is constant, and for a constant column with a
 * noise seed the mean of its noise (U − 1) (the tutorial's 1e-8 jitter,
 * see eval_corr). */
static void
corr_col_stats(const struct layout *l, const struct mtx *m, uint64_t noise_seed, float *X, size_t bs,
    double *mean, double *noise_mean, int *konst)
{
	int D = l->D, j;
	size_t r0, i;
	float *lo = xmalloc((size_t)D * sizeof *lo), *hi = xmalloc((size_t)D * sizeof *hi);

	for (j = 0; j < D; j++) {
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	for (r0 = 0; r0 < m->n; r0 += bs) {
		size_t nb = SH_MIN(bs, m->n - r0);

		evalu_rows(l, m, r0, nb, X);
		for (i = 0; i < nb; i++) {
			const float *x = X + i * (size_t)D;

			for (j = 0; j < D; j++) {
				mean[j] += x[j];
				lo[j] = x[j] < lo[j] ? x[j] : lo[j];
				hi[j] = x[j] > hi[j] ? x[j] : hi[j];
			}
		}
	}
	for (j = 0; j < D; j++) {
		mean[j] = m->n ? mean[j] / (double)m->n : 0;
		konst[j] = !(hi[j] > lo[j]);
		if (konst[j] && noise_seed) {
			struct rng g;
			double t = 0;

			rng_seed_stream(&g, noise_seed, (uint64_t)j);
			for (i = 0; i < m->n; i++)
				t += rng_uniform(&g) - 1.0;
			noise_mean[j] = m->n ? t / (double)m->n : 0;
		}
	}
	free(lo);
	free(hi);
}

void
eval_corr(const struct layout *l, const struct mtx *m, uint64_t noise_seed, double *corr)
{
	int D = l->D, j, k, nconst = 0;
	size_t bs = evalu_block_rows(D), r0, i;
	float *X = xmalloc(bs * (size_t)D * sizeof *X);         /* [bs × D] row block */
	float *tmp = xmalloc((size_t)D * D * sizeof *tmp);       /* [D × D] */
	double *acc = xcalloc((size_t)D * D, sizeof *acc);       /* [D × D] upper */
	double *mean = xcalloc((size_t)D, sizeof *mean);         /* [D] */
	double *noise_mean = xcalloc((size_t)D, sizeof *noise_mean);
	int *konst = xmalloc((size_t)D * sizeof *konst);
	int *cidx = xmalloc((size_t)D * sizeof *cidx);           /* constant columns */
	struct rng *nr = NULL;                                   /* [nconst] noise streams */

	/* Pass 1: means, constant columns and their noise means. */
	corr_col_stats(l, m, noise_seed, X, bs, mean, noise_mean, konst);
	for (j = 0; j < D; j++)
		if (konst[j])
			cidx[nconst++] = j;
	/* The tutorial adds (U − 1)·1e-8 to every synthetic cell.  It only
	 * matters for constant columns (elsewhere it moves a correlation by
	 * ~1e-8), and correlation is scale-free, so those columns become their
	 * centred noise (U − 1) − mean; other columns are left as they are. */
	if (noise_seed && nconst) {
		nr = xmalloc((size_t)nconst * sizeof *nr);
		for (k = 0; k < nconst; k++)
			rng_seed_stream(&nr[k], noise_seed, (uint64_t)cidx[k]);
	}
	/* Pass 2: X^T X of the centred blocks. */
	for (r0 = 0; r0 < m->n; r0 += bs) {
		size_t nb = SH_MIN(bs, m->n - r0);

		evalu_rows(l, m, r0, nb, X);
		for (i = 0; i < nb; i++) {
			float *x = X + i * (size_t)D;

			for (j = 0; j < D; j++)
				x[j] = (float)(x[j] - mean[j]);
		}
		for (k = 0; k < nconst; k++) {
			j = cidx[k];
			for (i = 0; i < nb; i++)
				X[i * (size_t)D + j] = nr ?
				    (float)(rng_uniform(&nr[k]) - 1.0 - noise_mean[j]) : 0.0f;
		}
		evalu_syrk_acc(X, nb, D, tmp, acc);
	}
	/* Correlations; a column with zero variance (constant, no noise) is
	 * defined as uncorrelated with everything (0) and 1 with itself where
	 * numpy would give NaN. */
	for (j = 0; j < D; j++) {
		for (k = j; k < D; k++) {
			double vj = acc[(size_t)j * D + j], vk = acc[(size_t)k * D + k], c;

			if (j == k)
				c = 1.0;
			else if (vj > 0 && vk > 0) {
				c = acc[(size_t)j * D + k] / sqrt(vj * vk);
				c = c > 1 ? 1 : (c < -1 ? -1 : c);
			} else
				c = 0.0;
			corr[(size_t)j * D + k] = corr[(size_t)k * D + j] = c;
		}
	}
	free(X);
	free(tmp);
	free(acc);
	free(mean);
	free(noise_mean);
	free(konst);
	free(cidx);
	free(nr);
}

/* Column blocks (issue 18): up to EVAL_FULL_D columns the D × D matrices
 * are held whole; wider studies work on EVAL_COL_BLOCK-column blocks, so
 * the columns² memory is a few block products instead of D² doubles.
 * SYNTHEHR_EVAL_COL_BLOCK=N (or eval_col_block_force) forces N-column
 * blocks whatever D (the tests compare both ways on small studies). */
int eval_col_block_force;

int
eval_col_block(int D)
{
	const char *e = getenv("SYNTHEHR_EVAL_COL_BLOCK");
	int b = eval_col_block_force;

	if (b <= 0 && e != NULL && *e != '\0')
		b = atoi(e);
	if (b <= 0)
		b = D <= EVAL_FULL_D ? D : EVAL_COL_BLOCK;
	return b < D ? b : (D > 0 ? D : 1);
}

size_t
eval_cwc_need(int D)
{
	size_t d = (size_t)(D > 0 ? D : 0), b = (size_t)eval_col_block(D);

	if (b >= d)     /* whole: C_R and C_S (double), the float product, the accumulator */
		return d * d * (8 + 8 + 4 + 8);
	/* blocks: two accumulators (double) and a float product per block
	 * pair, two row blocks per set, the per-column statistics */
	return b * b * (8 + 8 + 4) + 4 * evalu_block_rows(D) * b * sizeof(float) + d * 64;
}

/* Per-column statistics of one set for the blocked correlation: means,
 * constant columns and their noise (as eval_corr), the centred sums of
 * squares (filled by the diagonal blocks). */
struct corr_cols {
	const struct layout *l;
	const struct mtx *m;
	uint64_t noise_seed;
	double *mean, *noise_mean, *var;   /* [D] */
	int *konst;                        /* [D] 1: constant in m */
};

static void
corr_cols_init(struct corr_cols *s, const struct layout *l, const struct mtx *m, uint64_t noise_seed)
{
	int D = l->D;
	size_t bs = evalu_block_rows(D);
	float *X = xmalloc(bs * (size_t)D * sizeof *X);

	s->l = l;
	s->m = m;
	s->noise_seed = noise_seed;
	s->mean = xcalloc((size_t)D, sizeof *s->mean);
	s->noise_mean = xcalloc((size_t)D, sizeof *s->noise_mean);
	s->var = xcalloc((size_t)D, sizeof *s->var);
	s->konst = xcalloc((size_t)D, sizeof *s->konst);
	corr_col_stats(l, m, noise_seed, X, bs, s->mean, s->noise_mean, s->konst);
	free(X);
}

static void
corr_cols_done(struct corr_cols *s)
{
	free(s->mean);
	free(s->noise_mean);
	free(s->var);
	free(s->konst);
}

/* Columns j0..j0+w-1 of rows r0..r0+nr-1, centred, as eval_corr's pass 2
 * makes them (constant columns: their noise from g[], or 0), into out
 * [nr × w].  g[q] is column j0+q's noise stream, positioned at row r0. */
static void
corr_cols_get(const struct corr_cols *s, size_t r0, size_t nr, int j0, int w, struct rng *g, float *out)
{
	const struct layout *l = s->l;
	const struct mtx *m = s->m;
	size_t i;
	int q;

	for (i = 0; i < nr; i++)
		for (q = 0; q < w; q++) {
			int j = j0 + q;
			float v = mtx_get(m, r0 + i, j);

			if (m->scaled && l->kind[j] == MCOL_CONT)
				v = (float)((1.0 - v) * l->lo[j] + v * l->hi[j]);
			out[i * (size_t)w + q] = (float)(v - s->mean[j]);
		}
	for (q = 0; q < w; q++) {
		int j = j0 + q;

		if (!s->konst[j])
			continue;
		for (i = 0; i < nr; i++)
			out[i * (size_t)w + q] = s->noise_seed ?
			    (float)(rng_uniform(&g[q]) - 1.0 - s->noise_mean[j]) : 0.0f;
	}
}

/* acc [wj × wk] = Σ over row blocks of X_J^T X_K (float products summed in
 * double, the row blocks of eval_corr); j0 == k0: the upper triangle by
 * SYRK as eval_corr. */
static void
corr_block(const struct corr_cols *s, int j0, int wj, int k0, int wk, float *xj, float *xk,
    float *tmp, double *acc)
{
	int D = s->l->D, q;
	size_t bs = evalu_block_rows(D), r0, t;
	struct rng *gj = xmalloc((size_t)wj * sizeof *gj), *gk = xmalloc((size_t)wk * sizeof *gk);

	for (q = 0; q < wj; q++)
		rng_seed_stream(&gj[q], s->noise_seed, (uint64_t)(j0 + q));
	for (q = 0; q < wk; q++)
		rng_seed_stream(&gk[q], s->noise_seed, (uint64_t)(k0 + q));
	memset(acc, 0, (size_t)wj * wk * sizeof *acc);
	for (r0 = 0; r0 < s->m->n; r0 += bs) {
		size_t nb = SH_MIN(bs, s->m->n - r0);

		corr_cols_get(s, r0, nb, j0, wj, gj, xj);
		if (j0 == k0) {
			evalu_syrk_acc(xj, nb, wj, tmp, acc);
			continue;
		}
		corr_cols_get(s, r0, nb, k0, wk, gk, xk);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, wj, wk, (int)nb, 1.0f, xj, wj, xk, wk,
		    0.0f, tmp, wk);
		for (t = 0; t < (size_t)wj * wk; t++)
			acc[t] += tmp[t];
	}
	free(gj);
	free(gk);
}

/* Correlation of columns j and k from their centred cross product a and
 * sums of squares, as eval_corr defines it. */
static double
corr_of(double a, double vj, double vk, int same)
{
	double c;

	if (same)
		return 1.0;
	if (!(vj > 0 && vk > 0))
		return 0.0;
	c = a / sqrt(vj * vk);
	return c > 1 ? 1 : (c < -1 ? -1 : c);
}

/* ‖C_R − C_S‖²_F and Σ|C_R − C_S| over all D² cells, block pair by block
 * pair: the diagonal blocks first (they give every column's sum of
 * squares), then the blocks above them, each counted twice. */
static void
cwc_blocked(const struct layout *l, const struct mtx *R, const struct mtx *S, int B, double *ss, double *sa)
{
	int D = l->D, nblk = (D + B - 1) / B, bj, bk, pass;
	size_t bs = evalu_block_rows(D);
	struct corr_cols c[2];
	float *xj = xmalloc(bs * (size_t)B * sizeof *xj), *xk = xmalloc(bs * (size_t)B * sizeof *xk);
	float *tmp = xmalloc((size_t)B * B * sizeof *tmp);
	double *ar = xmalloc((size_t)B * B * sizeof *ar), *as = xmalloc((size_t)B * B * sizeof *as);

	corr_cols_init(&c[0], l, R, 0);
	corr_cols_init(&c[1], l, S, EVAL_CWC_NOISE);
	*ss = *sa = 0;
	for (pass = 0; pass < 2; pass++)
		for (bj = 0; bj < nblk; bj++)
			for (bk = pass ? bj + 1 : bj; bk < (pass ? nblk : bj + 1); bk++) {
				int j0 = bj * B, k0 = bk * B, wj = SH_MIN(B, D - j0), wk = SH_MIN(B, D - k0);
				int a, b, s;

				corr_block(&c[0], j0, wj, k0, wk, xj, xk, tmp, ar);
				corr_block(&c[1], j0, wj, k0, wk, xj, xk, tmp, as);
				if (bj == bk)
					for (s = 0; s < 2; s++)
						for (a = 0; a < wj; a++)
							c[s].var[j0 + a] = (s ? as : ar)[(size_t)a * wj + a];
				for (a = 0; a < wj; a++)
					for (b = bj == bk ? a + 1 : 0; b < wk; b++) {
						size_t t = (size_t)a * wk + b;
						double cr = corr_of(ar[t], c[0].var[j0 + a], c[0].var[k0 + b], 0);
						double cs = corr_of(as[t], c[1].var[j0 + a], c[1].var[k0 + b], 0);
						double d = cr - cs;

						/* (j,k) and (k,j); the diagonal differs by 0 */
						*ss += 2 * d * d;
						*sa += 2 * fabs(d);
					}
			}
	corr_cols_done(&c[0]);
	corr_cols_done(&c[1]);
	free(xj);
	free(xk);
	free(tmp);
	free(ar);
	free(as);
}

double
eval_cwc_from(const struct layout *l, const double *corr_r, const struct mtx *S, double *paper_mae)
{
	int D = l->D;
	size_t i, dd = (size_t)D * D;
	double *cs = xmalloc(dd * sizeof *cs);
	double ss = 0, sa = 0;

	eval_corr(l, S, EVAL_CWC_NOISE, cs);
	for (i = 0; i < dd; i++) {
		double d = corr_r[i] - cs[i];

		ss += d * d;
		sa += fabs(d);
	}
	free(cs);
	if (paper_mae)
		*paper_mae = sa / (double)dd;
	return sqrt(ss) / D / D * 1e6;
}

double
eval_cwc(const struct layout *l, const struct mtx *R, const struct mtx *S, double *paper_mae)
{
	int B = eval_col_block(l->D);
	double *cr, v;

	if (B < l->D) {
		double ss, sa, dd = (double)l->D * l->D;

		cwc_blocked(l, R, S, B, &ss, &sa);
		if (paper_mae)
			*paper_mae = sa / dd;
		return sqrt(ss) / l->D / l->D * 1e6;
	}
	cr = xmalloc((size_t)l->D * l->D * sizeof *cr);
	eval_corr(l, R, 0, cr);
	v = eval_cwc_from(l, cr, S, paper_mae);
	free(cr);
	return v;
}
