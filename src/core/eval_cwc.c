/* synthehr — GPL-3.0-or-later.
 * Column-wise correlation (SPEC §4.2): Pearson correlation matrices of the
 * real and the synthetic set over all model columns, computed by SYRK on
 * centred float row blocks accumulated in double, and the tutorial's
 * ‖C_R − C_S‖_F / D² · 10⁶ with the paper's mean-absolute variant. */
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
	float *lo = xmalloc((size_t)D * sizeof *lo), *hi = xmalloc((size_t)D * sizeof *hi);
	int *cidx = xmalloc((size_t)D * sizeof *cidx);           /* constant columns */
	struct rng *nr = NULL;                                   /* [nconst] noise streams */

	for (j = 0; j < D; j++) {
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	/* Pass 1: means and ranges. */
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
		if (!(hi[j] > lo[j]))
			cidx[nconst++] = j;
	}
	/* The tutorial adds (U − 1)·1e-8 to every synthetic cell.  It only
	 * matters for constant columns (elsewhere it moves a correlation by
	 * ~1e-8), and correlation is scale-free, so those columns become their
	 * centred noise (U − 1) − mean; other columns are left as they are. */
	if (noise_seed && nconst) {
		nr = xmalloc((size_t)nconst * sizeof *nr);
		for (k = 0; k < nconst; k++) {
			struct rng g;
			double s = 0;

			rng_seed_stream(&g, noise_seed, (uint64_t)cidx[k]);
			for (i = 0; i < m->n; i++)
				s += rng_uniform(&g) - 1.0;
			noise_mean[cidx[k]] = m->n ? s / (double)m->n : 0;
			rng_seed_stream(&nr[k], noise_seed, (uint64_t)cidx[k]);
		}
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
	free(lo);
	free(hi);
	free(cidx);
	free(nr);
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
	double *cr = xmalloc((size_t)l->D * l->D * sizeof *cr);
	double v;

	eval_corr(l, R, 0, cr);
	v = eval_cwc_from(l, cr, S, paper_mae);
	free(cr);
	return v;
}
