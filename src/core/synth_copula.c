/* synthehr — GPL-3.0-or-later.
 * Gaussian copula, as SDV's GaussianCopula does it with empirical
 * marginals.  A variable is a categorical group, a binary column or a
 * continuous column.  Fitting turns every training value into a normal
 * score z = Φ⁻¹(u): u is drawn uniformly inside the value's interval of the
 * empirical CDF, [F(v−), F(v)) — for a category the interval its frequency
 * gives it when the categories are laid out most frequent first (SDV's
 * frequency / uniform encoders), for a continuous value the interval of its
 * ties, so point masses such as a count's zeros keep their weight.  The
 * scores' correlation matrix is factored by Cholesky (LAPACK dpotrf); a
 * ridge (C + εI)/(1 + ε) is added until it succeeds.  Sampling draws
 * z = L·e with e standard normal, u = Φ(z) and maps u back through the
 * empirical quantile, so every value is one of the training values. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/synth.h"
#include "synthehr/util.h"

extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
    size_t uplo_len);

#define COP_BATCH 1024

/* One variable's empirical distribution. */
struct cvar {
	int kind;          /* MCOL_GROUP (a whole group), MCOL_BINARY, MCOL_CONT */
	int col;           /* first model column (group: group_start) */
	int nlev;          /* categories: levels (group width, or 2 for binary) */
	int *order;        /* [nlev] level index, most frequent first */
	double *cut;       /* [nlev + 1] CDF bounds in `order`; cut[0] = 0, cut[nlev] = 1 */
	double *pos;       /* [nlev] categories: CDF start of each level (by level index) */
	double *w;         /* [nlev] categories: probability of each level (by level index) */
	float *sorted;     /* [n] continuous: training values ascending (cohort units) */
};


static const double *lev_freq;   /* qsort context for levels_by_freq */

static int
cmp_level(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	if (lev_freq[x] != lev_freq[y])
		return lev_freq[x] > lev_freq[y] ? -1 : 1;
	return x - y;
}

/* Column j of train in cohort units (continuous unscaled). */
static void
col_units(const struct mtx *train, const struct layout *l, int j, double *out)
{
	size_t i;

	mtx_get_col(train, j, out);
	if (train->scaled && l->kind[j] == MCOL_CONT)
		for (i = 0; i < train->n; i++)
			out[i] = (1 - out[i]) * l->lo[j] + out[i] * l->hi[j];
}

/* Level of row i of a categorical variable (groups: the set column; none
 * set counts as the last level, as the marginals baseline draws it). */
static int
cvar_level(const struct mtx *train, const struct cvar *v, size_t i)
{
	int t;

	if (v->kind == MCOL_BINARY)
		return mtx_get(train, i, v->col) >= 0.5f;
	for (t = 0; t < v->nlev; t++)
		if (mtx_get(train, i, v->col + t) >= 0.5f)
			return t;
	return v->nlev - 1;
}

/* Normal score of row i of variable x: u uniform in the value's CDF
 * interval, z = Φ⁻¹(u). */
static double
cvar_score(const struct mtx *train, const struct layout *l, const struct cvar *x, size_t i,
    struct rng *r)
{
	size_t n = train->n, lo = 0, hi = n, a;
	float val;
	int lev;

	if (x->kind != MCOL_CONT) {
		lev = cvar_level(train, x, i);
		return enc_norm_ppf(x->pos[lev] + rng_uniform(r) * x->w[lev]);
	}
	val = mtx_get(train, i, x->col);
	if (train->scaled)
		val = (float)((1 - (double)val) * l->lo[x->col] + (double)val * l->hi[x->col]);
	/* a = #values < val, then lo = #values <= val */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x->sorted[mid] < val)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (x->sorted[mid] <= val)
			lo = mid + 1;
		else
			hi = mid;
	}
	return enc_norm_ppf(((double)a + rng_uniform(r) * (double)(lo - a)) / (double)n);
}

/* Variables and their empirical distributions. */
static struct cvar *
cvars_fit(const struct mtx *train, const struct layout *l, int *nv_out)
{
	size_t n = train->n, i;
	int nv = 0, g, j, t, k;
	struct cvar *v = xcalloc((size_t)l->D, sizeof *v);
	double *col = xmalloc((n ? n : 1) * sizeof *col);

	for (g = 0; g < l->ngroups; g++) {
		v[nv].kind = MCOL_GROUP;
		v[nv].col = l->group_start[g];
		v[nv].nlev = l->group_width[g];
		nv++;
	}
	for (j = 0; j < l->D; j++)
		if (l->kind[j] == MCOL_BINARY) {
			v[nv].kind = MCOL_BINARY;
			v[nv].col = j;
			v[nv].nlev = 2;
			nv++;
		}
	for (j = 0; j < l->D; j++)
		if (l->kind[j] == MCOL_CONT) {
			v[nv].kind = MCOL_CONT;
			v[nv].col = j;
			nv++;
		}
	for (k = 0; k < nv; k++) {
		struct cvar *x = &v[k];

		if (x->kind == MCOL_CONT) {
			x->sorted = xmalloc((n ? n : 1) * sizeof *x->sorted);
			col_units(train, l, x->col, col);
			for (i = 0; i < n; i++)
				x->sorted[i] = (float)col[i];
			qsort(x->sorted, n, sizeof *x->sorted, util_cmp_float);
			continue;
		}
		x->order = xmalloc((size_t)x->nlev * sizeof *x->order);
		x->cut = xcalloc((size_t)x->nlev + 1, sizeof *x->cut);
		x->pos = xcalloc((size_t)x->nlev, sizeof *x->pos);
		x->w = xcalloc((size_t)x->nlev, sizeof *x->w);
		for (i = 0; i < n; i++)
			x->w[cvar_level(train, x, i)] += 1;
		for (t = 0; t < x->nlev; t++) {
			x->w[t] /= (double)n;
			x->order[t] = t;
		}
		lev_freq = x->w;
		qsort(x->order, (size_t)x->nlev, sizeof *x->order, cmp_level);
		for (t = 0; t < x->nlev; t++) {
			x->pos[x->order[t]] = x->cut[t];
			x->cut[t + 1] = x->cut[t] + x->w[x->order[t]];
		}
		x->cut[x->nlev] = 1;
	}
	free(col);
	*nv_out = nv;
	return v;
}

static void
cvars_free(struct cvar *v, int nv)
{
	int k;

	for (k = 0; k < nv; k++) {
		free(v[k].order);
		free(v[k].cut);
		free(v[k].pos);
		free(v[k].w);
		free(v[k].sorted);
	}
	free(v);
}

/* Correlation [nv × nv] of the training rows' normal scores, computed in
 * row blocks (memory stays at a block of scores): the scores' cross
 * products accumulate by dsyrk, then C = (Σ zzᵀ/n − μμᵀ) / (σσᵀ).  A
 * constant variable gets unit variance and no correlation. */
static double *
scores_corr(const struct mtx *train, const struct layout *l, const struct cvar *v, int nv,
    struct rng *r)
{
	size_t n = train->n, i0, i;
	double *c = xcalloc((size_t)nv * nv, sizeof *c), *mu = xcalloc((size_t)nv, sizeof *mu);
	double *sd = xcalloc((size_t)nv, sizeof *sd);
	double *zb = xmalloc((size_t)COP_BATCH * (size_t)(nv ? nv : 1) * sizeof *zb);
	int a, b;

	for (i0 = 0; i0 < n; i0 += COP_BATCH) {
		size_t nb = SH_MIN((size_t)COP_BATCH, n - i0);

		for (i = 0; i < nb; i++)
			for (a = 0; a < nv; a++) {
				double z = cvar_score(train, l, &v[a], i0 + i, r);

				zb[i * (size_t)nv + (size_t)a] = z;
				mu[a] += z;
			}
		if (nv > 0)
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, nv, (int)nb, 1.0, zb, nv, 1.0, c, nv);
	}
	for (a = 0; a < nv; a++)
		mu[a] /= n ? (double)n : 1;
	for (a = 0; a < nv; a++) {
		double var = (n ? c[(size_t)a * nv + a] / (double)n : 0) - mu[a] * mu[a];

		sd[a] = var > 1e-12 ? sqrt(var) : 0;
	}
	for (a = 0; a < nv; a++) {
		for (b = a + 1; b < nv; b++) {
			double cov = c[(size_t)a * nv + b] / (double)n - mu[a] * mu[b], rho;

			rho = sd[a] > 0 && sd[b] > 0 ? cov / (sd[a] * sd[b]) : 0;
			rho = rho > 1 ? 1 : rho < -1 ? -1 : rho;
			c[(size_t)a * nv + b] = c[(size_t)b * nv + a] = rho;
		}
		c[(size_t)a * nv + a] = 1;
	}
	free(mu);
	free(sd);
	free(zb);
	return c;
}

double *
synth_copula_corr(const struct mtx *train, const struct layout *l, int *nv, struct rng *r)
{
	struct cvar *v = cvars_fit(train, l, nv);
	double *c = scores_corr(train, l, v, *nv, r);

	cvars_free(v, *nv);
	return c;
}

/* Lower Cholesky factor of a correlation matrix, row-major L [nv × nv]
 * (upper part zero), with the smallest ridge that makes it succeed. */
static double *
chol_ridge(const double *c, int nv)
{
	double *a = xmalloc((size_t)nv * nv * sizeof *a), eps = 0;
	int info = 1, i, j, tries;

	for (tries = 0; tries < 14 && info != 0; tries++) {
		for (i = 0; i < nv; i++)
			for (j = 0; j < nv; j++)
				a[(size_t)i * nv + j] = (c[(size_t)i * nv + j] + (i == j ? eps : 0)) / (1 + eps);
		/* Row-major lower = column-major upper of the same storage. */
		dpotrf_("U", &nv, a, &nv, &info, 1);
		eps = eps == 0 ? 1e-9 : eps * 10;
	}
	if (info != 0) {
		/* Give up on the dependence rather than fail: identity. */
		memset(a, 0, (size_t)nv * nv * sizeof *a);
		for (i = 0; i < nv; i++)
			a[(size_t)i * nv + i] = 1;
	}
	for (i = 0; i < nv; i++)
		for (j = i + 1; j < nv; j++)
			a[(size_t)i * nv + j] = 0;
	return a;
}

/* The value of variable x at uniform u, written into row (cohort units). */
static void
cvar_draw(const struct cvar *x, double u, size_t n, float *row)
{
	int t;

	if (x->kind == MCOL_CONT) {
		size_t i = (size_t)(u * (double)n);

		row[x->col] = x->sorted[i < n ? i : n - 1];
		return;
	}
	for (t = 0; t < x->nlev - 1; t++)
		if (u < x->cut[t + 1])
			break;
	if (x->kind == MCOL_BINARY)
		row[x->col] = (float)x->order[t];
	else
		row[x->col + x->order[t]] = 1;
}

struct mtx *
synth_copula(const struct mtx *train, const struct layout *l, size_t rows, int stratify,
    size_t npos, struct rng *r)
{
	size_t n = train->n, got = 0, drawn = 0, have[2] = { 0, 0 }, want[2], limit, i;
	int nv, k, D = l->D, strat = stratify && l->label >= 0, lab_var = -1;
	double *c, *L, *e, *y;
	struct cvar *v = cvars_fit(train, l, &nv);
	struct mtx *m = mtx_new(rows, l);
	float *row = xmalloc((size_t)D * sizeof *row);

	m->scaled = 0;
	c = scores_corr(train, l, v, nv, r);
	L = chol_ridge(c, nv);
	free(c);
	for (k = 0; k < nv; k++)
		if (v[k].kind == MCOL_BINARY && v[k].col == l->label)
			lab_var = k;
	if (lab_var < 0)
		strat = 0;
	if (npos > rows)
		npos = rows;
	want[1] = npos;
	want[0] = rows - npos;
	limit = 50 * rows + 100000;
	e = xmalloc((size_t)COP_BATCH * nv * sizeof *e);
	y = xmalloc((size_t)COP_BATCH * nv * sizeof *y);
	while (got < rows && n > 0) {
		size_t nb = COP_BATCH;

		for (i = 0; i < nb * (size_t)nv; i++)
			e[i] = rng_normal(r);
		/* y = e · Lᵀ: each row is L times that row of e. */
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, nv, nv, 1.0, e, nv, L, nv,
		    0.0, y, nv);
		for (i = 0; i < nb && got < rows; i++) {
			const double *yi = y + i * (size_t)nv;

			drawn++;
			if (strat && drawn <= limit) {
				/* The label's class at this score, before filling the row. */
				int cls = enc_norm_cdf(yi[lab_var]) >= v[lab_var].cut[1] ? v[lab_var].order[1] :
				    v[lab_var].order[0];

				if (have[cls] >= want[cls])
					continue;
				have[cls]++;
			}
			memset(row, 0, (size_t)D * sizeof *row);
			for (k = 0; k < nv; k++)
				cvar_draw(&v[k], enc_norm_cdf(yi[k]), n, row);
			mtx_set_row(m, got++, row);
		}
	}
	free(e);
	free(y);
	free(L);
	free(row);
	cvars_free(v, nv);
	return m;
}
