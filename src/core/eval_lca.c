/* synthehr — GPL-3.0-or-later.
 * Latent cluster analysis (SPEC §4.3): each set's continuous columns
 * min–max scaled by its own range, the two sets stacked, PCA to 80 %
 * explained variance by a LAPACK eigendecomposition of the covariance
 * (dsyevr), k-means (greedy k-means++ as scikit-learn, Lloyd iterations
 * with scikit-learn's tolerance, seeded restarts) on the projected rows,
 * and the log2 latent deviation of the real share of each cluster. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval_int.h"
#include "synthehr/eval_utility.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

/* LAPACK (Fortran) symmetric eigensolver, shipped by OpenBLAS. */
extern void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n,
    double *a, const int *lda, const double *vl, const double *vu, const int *il,
    const int *iu, const double *abstol, int *m, double *w, double *z, const int *ldz,
    int *isuppz, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
    size_t jobz_len, size_t range_len, size_t uplo_len);

/* Eigendecomposition of the symmetric a [d × d] (destroyed): eigenvalues
 * descending into evals[d] (may be NULL), LAPACK's eigenvectors (ascending
 * order, eigenvector q in z[q·d ..]) into *zout (caller frees; NULL on
 * failure); returns the components reaching frac, -1 on failure. */
static int
pca_core(double *a, int d, double frac, double *evals, double **zout)
{
	double *w = xmalloc((size_t)d * sizeof *w);
	double *z = xmalloc((size_t)d * d * sizeof *z), wq, *work, vl = 0, vu = 0, abstol = 0;
	double total = 0, cum = 0;
	int *isuppz = xmalloc(2 * (size_t)d * sizeof *isuppz), iwq, *iwork, lwork = -1, liwork = -1;
	int info = 0, m = 0, il = 1, iu = d, i, ncomp = -1;

	dsyevr_("V", "A", "U", &d, a, &d, &vl, &vu, &il, &iu, &abstol, &m, w, z, &d, isuppz,
	    &wq, &lwork, &iwq, &liwork, &info, 1, 1, 1);
	if (info == 0) {
		lwork = (int)wq;
		liwork = iwq;
		work = xmalloc((size_t)lwork * sizeof *work);
		iwork = xmalloc((size_t)liwork * sizeof *iwork);
		dsyevr_("V", "A", "U", &d, a, &d, &vl, &vu, &il, &iu, &abstol, &m, w, z, &d, isuppz,
		    work, &lwork, iwork, &liwork, &info, 1, 1, 1);
		free(work);
		free(iwork);
	}
	if (info == 0 && m == d) {
		/* LAPACK: ascending eigenvalues, eigenvector q in z[q·d ..]. */
		for (i = 0; i < d; i++)
			total += w[i] > 0 ? w[i] : 0;
		for (i = 0; i < d; i++) {
			int q = d - 1 - i;

			if (evals)
				evals[i] = w[q];
			cum += w[q] > 0 ? w[q] : 0;
			if (ncomp < 0 && total > 0 && cum / total >= frac - 1e-12)
				ncomp = i + 1;
		}
		if (ncomp < 0)
			ncomp = d;
	}
	free(w);
	free(isuppz);
	if (ncomp < 0) {
		free(z);
		z = NULL;
	}
	*zout = z;
	return ncomp;
}

int
eval_pca_cov(const double *cov, int d, double frac, double *evals, double *evecs)
{
	double *a = xmalloc((size_t)d * d * sizeof *a), *z;
	int ncomp, i, j;

	memcpy(a, cov, (size_t)d * d * sizeof *a);
	ncomp = pca_core(a, d, frac, evals, &z);
	free(a);
	if (z != NULL && evecs != NULL)
		for (i = 0; i < d; i++)
			for (j = 0; j < d; j++)
				evecs[(size_t)j * d + i] = z[(size_t)(d - 1 - i) * d + j];
	free(z);
	return ncomp;
}

/* One set's rows, continuous columns scaled by (v − lo)/(hi − lo) with the
 * set's own range (0 when the range is empty, as MinMaxScaler). */
struct lca_src {
	const struct mtx *m;
	const struct layout *l;
	double *lo, *hi;         /* [D] own range of continuous columns */
};

static void
lca_src_init(struct lca_src *s, const struct layout *l, const struct mtx *m)
{
	size_t r;
	int j;

	s->m = m;
	s->l = l;
	s->lo = xmalloc((size_t)l->D * sizeof *s->lo);
	s->hi = xmalloc((size_t)l->D * sizeof *s->hi);
	for (j = 0; j < l->D; j++) {
		s->lo[j] = INFINITY;
		s->hi[j] = -INFINITY;
		if (l->kind[j] != MCOL_CONT)
			continue;
		/* Own min–max is affine-invariant: the stored value (scaled or
		 * not) gives the same result as cohort units. */
		for (r = 0; r < m->n; r++) {
			double v = m->c[r * (size_t)m->nc + m->slot[j]];

			s->lo[j] = v < s->lo[j] ? v : s->lo[j];
			s->hi[j] = v > s->hi[j] ? v : s->hi[j];
		}
	}
}

static void
lca_src_rows(const struct lca_src *s, size_t r0, size_t nr, float *out)
{
	int D = s->l->D, j;
	size_t i;

	mtx_get_rows(s->m, r0, nr, out);
	for (j = 0; j < D; j++) {
		double span;

		if (s->l->kind[j] != MCOL_CONT)
			continue;
		span = s->hi[j] - s->lo[j];
		for (i = 0; i < nr; i++) {
			float *v = out + i * (size_t)D + j;

			*v = span > 0 ? (float)((*v - s->lo[j]) / span) : 0.0f;
		}
	}
}

static void
lca_src_done(struct lca_src *s)
{
	free(s->lo);
	free(s->hi);
}

/* Four floats as one vector (GCC vector extension; SSE on x86-64). */
typedef float lca_v4 __attribute__((vector_size(16)));

static inline lca_v4
lca_load4(const float *x)
{
	lca_v4 v;

	memcpy(&v, x, sizeof v);
	return v;
}

/* Dot product of two float vectors of length p, 8 lanes in flight. */
static inline float
lca_dot(const float *a, const float *b, int p)
{
	lca_v4 s0 = { 0, 0, 0, 0 }, s1 = { 0, 0, 0, 0 };
	int q = 0;
	float s;

	for (; q + 8 <= p; q += 8) {
		s0 += lca_load4(a + q) * lca_load4(b + q);
		s1 += lca_load4(a + q + 4) * lca_load4(b + q + 4);
	}
	s0 += s1;
	s = s0[0] + s0[1] + s0[2] + s0[3];
	for (; q < p; q++)
		s += a[q] * b[q];
	return s;
}

/* Squared distances of every row of Z [n × p] to the k centres C [k × p]:
 * dist[n × k] = |z|² − 2 z·c + |c|².  With k this small a direct kernel
 * (each row stays in L1 while it meets every centre) is several times
 * faster than a GEMM with k columns. */
static void
lca_dist(const float *Z, const float *zsq, size_t n, int p, const float *C, int k, float *dist)
{
	float csq[64];
	size_t i;
	int c;

	for (c = 0; c < k; c++)
		csq[c] = lca_dot(C + (size_t)c * p, C + (size_t)c * p, p);
	for (i = 0; i < n; i++) {
		const float *z = Z + i * (size_t)p;

		for (c = 0; c < k; c++) {
			float d = zsq[i] - 2.0f * lca_dot(z, C + (size_t)c * p, p) + csq[c];

			dist[i * (size_t)k + c] = d > 0 ? d : 0;
		}
	}
}

/* Squared distance of every row to one point x [p] into d[n]. */
static void
lca_dist1(const float *Z, const float *zsq, size_t n, int p, const float *x, double *d)
{
	float *tmp = xmalloc(n * sizeof *tmp);
	double xs = 0;
	size_t i;
	int q;

	for (q = 0; q < p; q++)
		xs += (double)x[q] * x[q];
	cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, p, -2.0f, Z, p, x, 1, 0.0f, tmp, 1);
	for (i = 0; i < n; i++) {
		double v = tmp[i] + zsq[i] + xs;

		d[i] = v > 0 ? v : 0;
	}
	free(tmp);
}

static size_t
lca_search(const double *cum, size_t n, double v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cum[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? lo : n - 1;
}

/* Greedy k-means++ (scikit-learn's _kmeans_plusplus, 2 + ⌊ln k⌋ trials). */
static void
lca_init(const float *Z, const float *zsq, size_t n, int p, int k, struct rng *g, float *C)
{
	double *closest = xmalloc(n * sizeof *closest), *cum = xmalloc(n * sizeof *cum);
	double *cand = xmalloc(n * sizeof *cand), *best_d = xmalloc(n * sizeof *best_d);
	int trials = 2 + (int)log((double)k), c, t;
	size_t i, first = rng_below(g, n);

	memcpy(C, Z + first * (size_t)p, (size_t)p * sizeof *C);
	lca_dist1(Z, zsq, n, p, C, closest);
	for (c = 1; c < k; c++) {
		double pot = 0, best_pot = INFINITY;
		size_t best = 0;

		for (i = 0; i < n; i++) {
			pot += closest[i];
			cum[i] = pot;
		}
		for (t = 0; t < trials; t++) {
			size_t id = pot > 0 ? lca_search(cum, n, rng_uniform(g) * pot) : rng_below(g, n);
			double cp = 0;

			lca_dist1(Z, zsq, n, p, Z + id * (size_t)p, cand);
			for (i = 0; i < n; i++) {
				cand[i] = cand[i] < closest[i] ? cand[i] : closest[i];
				cp += cand[i];
			}
			if (cp < best_pot) {
				best_pot = cp;
				best = id;
				memcpy(best_d, cand, n * sizeof *cand);
			}
		}
		memcpy(C + (size_t)c * p, Z + best * (size_t)p, (size_t)p * sizeof *C);
		memcpy(closest, best_d, n * sizeof *closest);
	}
	free(closest);
	free(cum);
	free(cand);
	free(best_d);
}

/* Deterministic start (PCA-Part, Su & Dy 2007): from one cluster of all
 * rows, split the cluster with the largest sum of squares at its mean along
 * its first principal direction (power iteration from a fixed vector, sign
 * fixed by its largest component) until there are k; C = their means.  No
 * random draw, so LCA does not depend on the seed (issue 13: with k-means++
 * restarts the marginals baseline's LD moved from -5.6 to -16.6 between
 * seeds on the demo).  lab [n] is scratch. */
static void
lca_init_pcapart(const float *Z, size_t n, int p, int k, float *C, int *lab)
{
	double *m = xmalloc((size_t)p * sizeof *m), *v = xmalloc((size_t)p * sizeof *v);
	double *w = xmalloc((size_t)p * sizeof *w), *sse = xcalloc((size_t)k, sizeof *sse);
	size_t *cnt = xcalloc((size_t)k, sizeof *cnt), i;
	int nc = 1, c, q, it;

	for (i = 0; i < n; i++)
		lab[i] = 0;
	for (;;) {
		int big = 0;

		/* means and sums of squares of the clusters so far */
		memset(C, 0, (size_t)k * p * sizeof *C);
		for (c = 0; c < nc; c++) {
			double *acc = xcalloc((size_t)p, sizeof *acc);

			cnt[c] = 0;
			sse[c] = 0;
			for (i = 0; i < n; i++)
				if (lab[i] == c) {
					cnt[c]++;
					for (q = 0; q < p; q++)
						acc[q] += Z[i * (size_t)p + q];
				}
			for (q = 0; q < p; q++)
				C[(size_t)c * p + q] = (float)(cnt[c] ? acc[q] / (double)cnt[c] : 0);
			for (i = 0; i < n; i++)
				if (lab[i] == c)
					for (q = 0; q < p; q++) {
						double d = Z[i * (size_t)p + q] - C[(size_t)c * p + q];

						sse[c] += d * d;
					}
			free(acc);
			if (sse[c] > sse[big])
				big = c;
		}
		if (nc == k || sse[big] <= 0)
			break;
		for (q = 0; q < p; q++) {
			m[q] = C[(size_t)big * p + q];
			v[q] = 1.0 / sqrt((double)p);
		}
		for (it = 0; it < 100; it++) {
			double norm = 0, diff = 0;

			memset(w, 0, (size_t)p * sizeof *w);
			for (i = 0; i < n; i++) {
				double t = 0;

				if (lab[i] != big)
					continue;
				for (q = 0; q < p; q++)
					t += (Z[i * (size_t)p + q] - m[q]) * v[q];
				for (q = 0; q < p; q++)
					w[q] += t * (Z[i * (size_t)p + q] - m[q]);
			}
			for (q = 0; q < p; q++)
				norm += w[q] * w[q];
			norm = sqrt(norm);
			if (norm <= 0)
				break;
			for (q = 0; q < p; q++) {
				double u = w[q] / norm;

				diff += fabs(u - v[q]);
				v[q] = u;
			}
			if (diff < 1e-10)
				break;
		}
		{
			int amax = 0;
			size_t moved = 0;

			for (q = 1; q < p; q++)
				if (fabs(v[q]) > fabs(v[amax]))
					amax = q;
			for (i = 0; i < n; i++) {
				double t = 0;

				if (lab[i] != big)
					continue;
				for (q = 0; q < p; q++)
					t += (Z[i * (size_t)p + q] - m[q]) * v[q];
				if ((v[amax] >= 0 ? t : -t) > 0) {
					lab[i] = nc;
					moved++;
				}
			}
			if (moved == 0 || moved == cnt[big])
				break;   /* cannot split further: fewer than k starts */
		}
		nc++;
	}
	/* clusters never formed keep the first mean (Lloyd handles empties) */
	for (c = nc; c < k; c++)
		memcpy(C + (size_t)c * p, C, (size_t)p * sizeof *C);
	free(m);
	free(v);
	free(w);
	free(sse);
	free(cnt);
}

/* Assign labels; returns inertia; *changed (if not NULL) += labels that
 * moved. */
static double
lca_assign_ch(const float *dist, size_t n, int k, int *lab, size_t *changed)
{
	double inertia = 0;
	size_t i;
	int c;

	for (i = 0; i < n; i++) {
		const float *d = dist + i * (size_t)k;
		int b = 0;

		for (c = 1; c < k; c++)
			if (d[c] < d[b])
				b = c;
		if (changed && lab[i] != b)
			(*changed)++;
		lab[i] = b;
		inertia += d[b];
	}
	return inertia;
}

static double
lca_assign(const float *dist, size_t n, int k, int *lab)
{
	return lca_assign_ch(dist, n, k, lab, NULL);
}

/* Lloyd iterations from C; returns the final inertia, labels in lab.  Each
 * iteration is one pass over Z in row blocks: SGEMM distances, assignment
 * and the sums for the new centres while the block is still in cache. */
static double
lca_lloyd(const float *Z, const float *zsq, size_t n, int p, int k, double tol, float *C,
    int *lab, float *dist, int *iters)
{
	double *sum = xmalloc((size_t)k * p * sizeof *sum);
	float *bsum = xmalloc((size_t)k * p * sizeof *bsum);     /* [k × p] one block's sums */
	size_t cnt[64], i, bs = SH_MAX((size_t)256, ((size_t)1 << 20) / (size_t)p), r0;
	double inertia = 0;
	int it, c, q;

	for (i = 0; i < n; i++)
		lab[i] = -1;
	for (it = 0; it < 300; it++) {
		double shift = 0;
		size_t changed = 0;

		memset(sum, 0, (size_t)k * p * sizeof *sum);
		memset(cnt, 0, sizeof cnt);
		for (r0 = 0; r0 < n; r0 += bs) {
			size_t nb = SH_MIN(bs, n - r0);

			lca_dist(Z + r0 * (size_t)p, zsq + r0, nb, p, C, k, dist + r0 * (size_t)k);
			lca_assign_ch(dist + r0 * (size_t)k, nb, k, lab + r0, &changed);
			/* Block sums in float (vectorised), then into double. */
			memset(bsum, 0, (size_t)k * p * sizeof *bsum);
			for (i = r0; i < r0 + nb; i++) {
				float *s = bsum + (size_t)lab[i] * p;
				const float *z = Z + i * (size_t)p;

				cnt[lab[i]]++;
				for (q = 0; q + 4 <= p; q += 4) {
					lca_v4 v = lca_load4(s + q) + lca_load4(z + q);

					memcpy(s + q, &v, sizeof v);
				}
				for (; q < p; q++)
					s[q] += z[q];
			}
			for (q = 0; q < k * p; q++)
				sum[q] += bsum[q];
		}
		(*iters)++;
		if (changed == 0)          /* strict convergence: centres are final */
			break;
		for (c = 0; c < k; c++) {
			float *cc = C + (size_t)c * p;

			if (cnt[c] == 0) {
				/* Empty cluster: move it to the point farthest from its
				 * centre (scikit-learn relocates likewise). */
				size_t far = 0;
				float fd = -1;

				for (i = 0; i < n; i++)
					if (dist[i * (size_t)k + lab[i]] > fd) {
						fd = dist[i * (size_t)k + lab[i]];
						far = i;
					}
				for (q = 0; q < p; q++) {
					double dq = Z[far * (size_t)p + q] - cc[q];

					shift += dq * dq;
					cc[q] = Z[far * (size_t)p + q];
				}
				dist[far * (size_t)k + lab[far]] = 0;
				continue;
			}
			for (q = 0; q < p; q++) {
				double v = sum[(size_t)c * p + q] / (double)cnt[c], dq = v - cc[q];

				shift += dq * dq;
				cc[q] = (float)v;
			}
		}
		if (shift <= tol)
			break;
	}
	lca_dist(Z, zsq, n, p, C, k, dist);
	inertia = lca_assign(dist, n, k, lab);
	free(sum);
	free(bsum);
	return inertia;
}

/* Columns per block of the Gram route: a block of every row [n × B]
 * doubles stays within 256 MiB. */
static int
lca_gram_block(size_t n)
{
	size_t b = ((size_t)32 << 20) / (n ? n : 1);

	return (int)SH_MAX((size_t)1, SH_MIN(b, (size_t)EVAL_COL_BLOCK));
}

size_t
eval_lca_need(int D, size_t n)
{
	size_t d = (size_t)(D > 0 ? D : 0), p = SH_MIN(n, d);

	/* the projected rows [n × p] and k-means' distances and labels */
	p = n * p * sizeof(float) + n * (64 * sizeof(float) + 16);
	if (eval_col_block(D) < D && n < d)
		/* the Gram matrix and LAPACK's eigenvectors (n × n doubles) and
		 * a column block of the rows */
		return p + n * n * (8 + 8) + n * (size_t)lca_gram_block(n) * 8;
	/* covariance: float product, accumulator, eigenvectors, LAPACK's copies */
	return p + d * d * (4 + 8 + 8 + 8 + 8);
}

/* Mean of the stacked, scaled rows into mean[D]. */
static void
lca_mean(struct lca_src *src, int D, size_t n, float *X, size_t bs, double *mean)
{
	size_t r0, i;
	int s, q;

	for (s = 0; s < 2; s++)
		for (r0 = 0; r0 < src[s].m->n; r0 += bs) {
			size_t nb = SH_MIN(bs, src[s].m->n - r0);

			lca_src_rows(&src[s], r0, nb, X);
			for (i = 0; i < nb; i++)
				for (q = 0; q < D; q++)
					mean[q] += X[i * (size_t)D + q];
		}
	for (q = 0; q < D; q++)
		mean[q] /= (double)n;
}

/* PCA in row space (issue 18), for a study with more columns than stacked
 * rows: the Gram matrix G = X_c X_c^T [n × n] of the centred rows, summed
 * over column blocks (no D × D matrix), has the covariance's nonzero
 * eigenvalues times n − 1, and the projected rows are Z = U Λ^½ (U its
 * eigenvectors) — the covariance route's (X − mean) V up to each
 * component's sign, which k-means does not see.  Returns p (≤ 0: failure)
 * with *Zout [n × p], *total and *cum the explained-variance sums. */
static int
lca_pca_gram(struct lca_src *src, int D, size_t n, const double *mean, float **Zout, double *total,
    double *cum)
{
	int B = lca_gram_block(n), j0, q, s, p, c;
	double *G = xcalloc(n * n, sizeof *G), *xj = xmalloc(n * (size_t)B * sizeof *xj), *z = NULL;
	double *evals = xmalloc(n * sizeof *evals);
	size_t i, r, off;
	float *Z;

	for (j0 = 0; j0 < D; j0 += B) {
		int w = SH_MIN(B, D - j0);

		/* the block's columns of every row, scaled and centred as the
		 * covariance route makes them (float), as doubles */
		off = 0;
		for (s = 0; s < 2; s++)
			for (r = 0; r < src[s].m->n; r++, off++)
				for (q = 0; q < w; q++) {
					int j = j0 + q;
					float v = mtx_get(src[s].m, r, j);

					if (src[s].l->kind[j] == MCOL_CONT) {
						double span = src[s].hi[j] - src[s].lo[j];

						v = span > 0 ? (float)((v - src[s].lo[j]) / span) : 0.0f;
					}
					xj[off * (size_t)w + q] = (float)(v - mean[j]);
				}
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, w, 1.0, xj, w, 1.0, G, (int)n);
	}
	free(xj);
	for (i = 0; i < n; i++)
		for (r = i; r < n; r++)
			G[r * n + i] = G[i * n + r] /= (double)(n > 1 ? n - 1 : 1);
	p = pca_core(G, (int)n, 0.8, evals, &z);
	free(G);
	*total = *cum = 0;
	if (p <= 0) {
		free(evals);
		free(z);
		return p;
	}
	for (i = 0; i < n; i++) {
		*total += evals[i] > 0 ? evals[i] : 0;
		if (i < (size_t)p)
			*cum += evals[i] > 0 ? evals[i] : 0;
	}
	Z = xmalloc(n * (size_t)p * sizeof *Z);
	for (c = 0; c < p; c++) {
		/* component c: eigenvector n-1-c of LAPACK's ascending order */
		const double *u = z + (n - 1 - (size_t)c) * n;
		double sc = sqrt((evals[c] > 0 ? evals[c] : 0) * (double)(n > 1 ? n - 1 : 1));

		for (i = 0; i < n; i++)
			Z[i * (size_t)p + c] = (float)(u[i] * sc);
	}
	free(z);
	free(evals);
	*Zout = Z;
	return p;
}

/* PCA by the covariance [D × D] of the centred rows (the route up to
 * EVAL_FULL_D columns): Z = (X − mean) V. */
static int
lca_pca_cov(struct lca_src *src, int D, size_t n, const double *mean, float **Zout, double *total,
    double *cum)
{
	size_t bs = evalu_block_rows(D), r0, i, off;
	float *X = xmalloc(bs * (size_t)D * sizeof *X), *tmp = xmalloc((size_t)D * D * sizeof *tmp), *V, *Z;
	double *acc = xcalloc((size_t)D * D, sizeof *acc), *evals = xmalloc((size_t)D * sizeof *evals), *z;
	int p, q, c, s;

	for (s = 0; s < 2; s++)
		for (r0 = 0; r0 < src[s].m->n; r0 += bs) {
			size_t nb = SH_MIN(bs, src[s].m->n - r0);

			lca_src_rows(&src[s], r0, nb, X);
			for (i = 0; i < nb; i++)
				for (q = 0; q < D; q++)
					X[i * (size_t)D + q] = (float)(X[i * (size_t)D + q] - mean[q]);
			evalu_syrk_acc(X, nb, D, tmp, acc);
		}
	free(tmp);
	for (q = 0; q < D; q++)
		for (c = q; c < D; c++) {
			double v = acc[(size_t)q * D + c] / (double)(n > 1 ? n - 1 : 1);

			acc[(size_t)q * D + c] = acc[(size_t)c * D + q] = v;
		}
	/* in place: the accumulator is LAPACK's work matrix */
	p = pca_core(acc, D, 0.8, evals, &z);
	free(acc);
	*total = *cum = 0;
	if (p <= 0) {
		free(X);
		free(evals);
		free(z);
		return p;
	}
	for (q = 0; q < D; q++) {
		*total += evals[q] > 0 ? evals[q] : 0;
		if (q < p)
			*cum += evals[q] > 0 ? evals[q] : 0;
	}
	/* Project: Z [n × p] = (X − mean) V, V [D × p]. */
	V = xmalloc((size_t)D * p * sizeof *V);
	for (q = 0; q < D; q++)
		for (c = 0; c < p; c++)
			V[(size_t)q * p + c] = (float)z[(size_t)(D - 1 - c) * D + q];
	free(z);
	free(evals);
	Z = xmalloc(n * (size_t)p * sizeof *Z);
	off = 0;
	for (s = 0; s < 2; s++)
		for (r0 = 0; r0 < src[s].m->n; r0 += bs) {
			size_t nb = SH_MIN(bs, src[s].m->n - r0);

			lca_src_rows(&src[s], r0, nb, X);
			for (i = 0; i < nb; i++)
				for (q = 0; q < D; q++)
					X[i * (size_t)D + q] = (float)(X[i * (size_t)D + q] - mean[q]);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, p, D, 1.0f,
			    X, D, V, p, 0.0f, Z + off * (size_t)p, p);
			off += nb;
		}
	free(X);
	free(V);
	*Zout = Z;
	return p;
}

/* Each component's sign made canonical: the first row whose coordinate is
 * clearly away from 0 (over 1e-3 of the largest) is positive.  An
 * eigenvector's sign is LAPACK's choice, and the two PCA routes choose
 * differently; k-means' distances do not see it, but PCA-Part's power
 * iteration starts from a fixed vector and does, in near-ties. */
static void
lca_canon_signs(float *Z, size_t n, int p)
{
	size_t i;
	int c;

	for (c = 0; c < p; c++) {
		float mx = 0;

		for (i = 0; i < n; i++)
			mx = SH_MAX(mx, fabsf(Z[i * (size_t)p + c]));
		for (i = 0; i < n; i++) {
			float v = Z[i * (size_t)p + c];

			if (fabsf(v) > 1e-3f * mx) {
				if (v < 0)
					for (i = 0; i < n; i++)
						Z[i * (size_t)p + c] = -Z[i * (size_t)p + c];
				break;
			}
		}
	}
}

double
eval_lca_ex(const struct layout *l, const struct mtx *R, const struct mtx *S, uint64_t seed,
    int k, int restarts, struct eval_lca_info *info)
{
	struct lca_src src[2];
	int D = l->D, p, c, q, rs;
	size_t n = R->n + S->n, bs = evalu_block_rows(D), i;
	double *mean, total = 0, cum = 0, tol, best_in = INFINITY, ld = 0;
	float *X, *Z = NULL, *zsq, *C, *dist;
	int *lab, *bestlab;
	size_t real[64] = { 0 }, size[64] = { 0 };
	int used = 0, iters = 0;

	if (k <= 0)
		k = 5;
	if (k > 64)
		k = 64;
	if (restarts == 0)
		restarts = 10;
	if (info)
		memset(info, 0, sizeof *info);
	if (R->n == 0 || S->n == 0 || n < (size_t)k)
		return NAN;
	lca_src_init(&src[0], l, R);
	lca_src_init(&src[1], l, S);
	mean = xcalloc((size_t)D, sizeof *mean);
	X = xmalloc(bs * (size_t)D * sizeof *X);
	lca_mean(src, D, n, X, bs, mean);
	free(X);
	if (eval_col_block(D) < D && n < (size_t)D)
		p = lca_pca_gram(src, D, n, mean, &Z, &total, &cum);
	else
		p = lca_pca_cov(src, D, n, mean, &Z, &total, &cum);
	lca_src_done(&src[0]);
	lca_src_done(&src[1]);
	free(mean);
	if (p <= 0)
		return NAN;
	lca_canon_signs(Z, n, p);

	/* k-means: scikit-learn's tolerance is 1e-4 × mean feature variance. */
	zsq = xmalloc(n * sizeof *zsq);
	{
		double vs = 0;

		for (c = 0; c < p; c++) {
			double m1 = 0, m2 = 0;

			for (i = 0; i < n; i++) {
				double v = Z[i * (size_t)p + c];

				m1 += v;
				m2 += v * v;
			}
			m1 /= (double)n;
			vs += m2 / (double)n - m1 * m1;
		}
		tol = 1e-4 * vs / p;
	}
	for (i = 0; i < n; i++) {
		double sq = 0;

		for (q = 0; q < p; q++)
			sq += (double)Z[i * (size_t)p + q] * Z[i * (size_t)p + q];
		zsq[i] = (float)sq;
	}
	C = xmalloc((size_t)k * p * sizeof *C);
	dist = xmalloc(n * (size_t)k * sizeof *dist);
	lab = xmalloc(n * sizeof *lab);
	bestlab = xmalloc(n * sizeof *bestlab);
	for (rs = 0; rs < (restarts < 0 ? 1 : restarts); rs++) {
		struct rng g;
		double in;

		rng_seed_stream(&g, seed, (uint64_t)rs);
		if (restarts < 0)
			lca_init_pcapart(Z, n, p, k, C, lab);
		else
			lca_init(Z, zsq, n, p, k, &g, C);
		in = lca_lloyd(Z, zsq, n, p, k, tol, C, lab, dist, &iters);
		/* lca_lloyd ends with the labels of its final centres: keep the
		 * best restart's instead of assigning every row again */
		if (in < best_in) {
			best_in = in;
			memcpy(bestlab, lab, n * sizeof *lab);
		}
	}
	memcpy(lab, bestlab, n * sizeof *lab);
	for (i = 0; i < n; i++) {
		size[lab[i]]++;
		if (i < R->n)
			real[lab[i]]++;
	}
	for (c = 0; c < k; c++) {
		double rho;

		if (size[c] == 0)
			continue;
		rho = (double)real[c] / (double)size[c];
		ld += (rho - 0.5) * (rho - 0.5);
		used++;
		if (info)
			info->rho[c] = rho;
	}
	ld = used ? log2(ld / used) : NAN;
	if (info) {
		info->ncomp = p;
		info->explained = total > 0 ? cum / total : 0;
		info->inertia = best_in;
		info->k = k;
		info->iters = iters;
		memcpy(info->size, size, sizeof size);
	}
	free(Z);
	free(zsq);
	free(C);
	free(dist);
	free(lab);
	free(bestlab);
	return ld;
}

double
eval_lca(const struct layout *l, const struct mtx *R, const struct mtx *S, uint64_t seed, int k, int restarts)
{
	return eval_lca_ex(l, R, S, seed, k, restarts, NULL);
}
