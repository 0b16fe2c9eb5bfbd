/* synthehr — GPL-3.0-or-later.
 * Known-answer and property tests of the utility metrics: prevalence sum,
 * Wasserstein-1 (against a brute-force CDF integral), the tutorial's DWD
 * from SPEC §5's per-run numbers, correlations against a naive double loop,
 * PCA on a hand-made covariance, LCA on separated and identical sets, MCA
 * and CKV on hand-counted data. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/eval_utility.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "tap.h"

/* Layout: ng group levels (one group), then label, sex, nconc concepts,
 * then ncont continuous columns with range [0, 100]. */
static struct layout *
mk_layout(int ng, int nconc, int ncont)
{
	int D = ng + 2 + nconc + ncont, j, c = 0;
	struct layout *l = layout_new(D);
	char **gn = NULL;

	for (j = 0; j < ng; j++) {
		l->kind[j] = MCOL_GROUP;
		l->group_of[j] = 0;
		l->name[j] = xsprintf("g%d", j);
	}
	l->label = ng;
	l->name[ng] = xstrdup("label");
	l->sex = ng + 1;
	l->name[ng + 1] = xstrdup("sex");
	for (j = ng + 2; j < ng + 2 + nconc; j++) {
		l->concept[j] = 1;
		l->name[j] = xsprintf("%d", 100 + c++);
	}
	for (; j < D; j++) {
		l->kind[j] = MCOL_CONT;
		l->lo[j] = 0;
		l->hi[j] = 100;
		l->name[j] = xsprintf("x%d", j);
	}
	if (ng) {
		gn = xcalloc(1, sizeof *gn);
		gn[0] = xstrdup("grp");
	}
	layout_finish(l, ng ? 1 : 0, gn);
	return l;
}

static void
test_sd2d(void)
{
	struct layout *l = mk_layout(2, 2, 0);   /* g0 g1 label sex c0 c1 */
	struct mtx *R = mtx_new(4, l), *S = mtx_new(4, l), *S2 = mtx_new(2, l);
	/* R: g0 3/4, g1 1/4, label 2/4, sex 2/4, c0 1/4, c1 0/4 */
	float r[4][6] = { { 1, 0, 1, 1, 1, 0 }, { 1, 0, 1, 0, 0, 0 }, { 1, 0, 0, 1, 0, 0 }, { 0, 1, 0, 0, 0, 0 } };
	/* S: g0 2/4, g1 2/4, label 0/4 (ignored), sex 3/4, c0 1/4, c1 2/4 */
	float s[4][6] = { { 1, 0, 0, 1, 0, 1 }, { 0, 1, 0, 1, 1, 0 }, { 1, 0, 0, 1, 0, 1 }, { 0, 1, 0, 0, 0, 0 } };
	double p[6];
	int i;

	for (i = 0; i < 4; i++) {
		mtx_set_row(R, i, r[i]);
		mtx_set_row(S, i, s[i]);
	}
	/* |.5−.75| + |.5−.25| + |.75−.5| + 0 + |.5−0| = 1.25 */
	tap_near(eval_sd2d(l, R, S), 1.25, 1e-12, "sd2d by hand (label excluded)");
	tap_near(eval_sd2d(l, R, R), 0, 0, "sd2d of identical sets is 0");
	eval_prevalence(l, R, p);
	tap_ok(p[0] == 0.75 && p[4] == 0.25 && p[5] == 0, "prevalences");
	/* Unequal sizes: S2 = two rows of S → g0 1/2 g1 1/2 sex 1 c0 1/2 c1 1/2 */
	mtx_set_row(S2, 0, s[0]);
	mtx_set_row(S2, 1, s[1]);
	tap_near(eval_sd2d(l, R, S2), 0.25 + 0.25 + 0.5 + 0.25 + 0.5, 1e-12,
	    "sd2d divides S by |S|");
	mtx_free(R);
	mtx_free(S);
	mtx_free(S2);
	layout_free(l);
}

/* Brute force: ∫ |F_a − F_b| with CDFs counted directly at each point of
 * the merged support (O(n²)). */
static double
w1_brute(const double *a, int na, const double *b, int nb)
{
	double *u = xmalloc((size_t)(na + nb) * sizeof *u), s = 0;
	int n = 0, i, j, q;

	for (i = 0; i < na; i++)
		u[n++] = a[i];
	for (i = 0; i < nb; i++)
		u[n++] = b[i];
	for (i = 1; i < n; i++)         /* insertion sort */
		for (j = i; j > 0 && u[j - 1] > u[j]; j--) {
			double t = u[j];

			u[j] = u[j - 1];
			u[j - 1] = t;
		}
	for (i = 0; i + 1 < n; i++) {
		int ca = 0, cb = 0;

		for (q = 0; q < na; q++)
			ca += a[q] <= u[i];
		for (q = 0; q < nb; q++)
			cb += b[q] <= u[i];
		s += fabs((double)ca / na - (double)cb / nb) * (u[i + 1] - u[i]);
	}
	free(u);
	return s;
}

static void
test_wd(void)
{
	double a[3] = { 0, 1, 3 }, b[3] = { 5, 6, 8 };
	double c[4] = { 3.4, 3.9, 7.5, 7.8 }, d[2] = { 4.5, 1.4 };
	double x[157], y[91], wd[2], eq = 0;
	struct layout *l = mk_layout(0, 1, 2);
	struct mtx *R = mtx_new(157, l), *S = mtx_new(91, l), *Rs;
	struct rng g;
	int i, ok = 1;

	tap_near(eval_wasserstein1(a, 3, b, 3), 5.0, 1e-12, "W1 [0,1,3] vs [5,6,8] = 5 (scipy doc)");
	/* equal sizes: mean |sorted difference| = (|1.4−3.4|+|1.4−3.9|+|4.5−7.5|+|4.5−7.8|)/4 */
	tap_near(eval_wasserstein1(c, 4, d, 2), w1_brute(c, 4, d, 2), 1e-12, "W1 unequal sizes vs brute force");
	tap_near(eval_wasserstein1(c, 4, d, 2), (2.0 + 2.5 + 3.0 + 3.3) / 4, 1e-12, "W1 4 vs 2 by hand");
	rng_seed(&g, 7);
	for (i = 0; i < 157; i++) {
		x[i] = floor(rng_uniform(&g) * 20);   /* many ties */
		mtx_set(R, i, 3, (float)x[i]);
		mtx_set(R, i, 4, (float)(50 + 10 * rng_normal(&g)));
	}
	for (i = 0; i < 91; i++) {
		y[i] = floor(rng_uniform(&g) * 25) - 2;
		mtx_set(S, i, 3, (float)y[i]);
		mtx_set(S, i, 4, (float)(55 + 12 * rng_normal(&g)));
	}
	tap_near(eval_wasserstein1(x, 157, y, 91), w1_brute(x, 157, y, 91), 1e-9, "W1 with ties vs brute force");
	{
		/* issue 18: a NaN or an infinity once made this loop spin forever */
		double na[4] = { 1, NAN, 3, 2 }, nb[3] = { 0, 5, NAN }, ia[3] = { 1, INFINITY, 2 },
		    ib[3] = { -INFINITY, 0, 1 }, fa[2] = { 0, 1 };

		tap_ok(isnan(eval_wasserstein1(na, 4, fa, 2)), "W1 with a NaN in the first sample ends: NaN");
		tap_ok(isnan(eval_wasserstein1(fa, 2, nb, 3)), "W1 with a NaN in the second sample ends: NaN");
		tap_ok(!isfinite(eval_wasserstein1(ia, 3, ib, 3)), "W1 with infinities ends: not finite");
	}
	eval_wd(l, R, S, wd);
	tap_near(wd[0], w1_brute(x, 157, y, 91), 1e-9, "eval_wd column 1 in layout order");
	{
		double u[157], v[91];

		mtx_get_col(R, 4, u);
		mtx_get_col(S, 4, v);
		tap_near(wd[1], w1_brute(u, 157, v, 91), 1e-6, "eval_wd column 2");
	}
	/* A scaled copy is read in cohort units. */
	{
		size_t *idx = xmalloc(157 * sizeof *idx);
		double wd2[2];

		for (i = 0; i < 157; i++)
			idx[i] = (size_t)i;
		Rs = mtx_subset(R, idx, 157);
		free(idx);
		mtx_scale(Rs, l);
		eval_wd(l, Rs, S, wd2);
		tap_near(wd2[0], wd[0], 1e-4, "eval_wd unscales a scaled matrix");
		eval_wd(l, Rs, R, wd2);
		eq = wd2[0] + wd2[1];
		ok = eq < 1e-3;
	}
	tap_ok(ok, "WD of a set with its own scaled copy ~ 0 (%g)", eq);
	eval_wd(l, R, R, wd);
	tap_ok(wd[0] == 0 && wd[1] == 0, "WD of identical sets is 0");
	mtx_free(Rs);
	mtx_free(R);
	mtx_free(S);
	layout_free(l);
}

/* SPEC §5: per-run sd2d and Wasserstein distances give the DWD values. */
static void
test_dwd_reference(void)
{
	const double sd2d[5] = { 1.4544506093801868, 0.6742226648329936, 2.1091272664042617,
	    1.5138869129479458, 1.16013815779074 };
	const double wdc[4][5] = {
		{ 1.1937850705457331, 0.7299580089291527, 1.8845565517790546, 1.2572501878685198, 1.0272469898128063 },
		{ 0.6790634877678603, 1.154722648992723, 1.154076944843463, 1.917514544873061, 1.111290351130316 },
		{ 1.8886651485516257, 2.645264896888435, 2.1384315854337284, 3.828403435890693, 2.087041844456488 },
		{ 2.606737967817816, 3.4336466856556522, 3.5545387166157845, 9.380067745509097, 3.6001272879471315 } };
	const double want[5] = { 1.024415873644543, 0.5235392767153383, 1.5588431385697294,
	    1.2745413222278763, 0.8537903943627151 };
	const double want_cont[5] = { 0.04017215, 0.08962114, 0.16522487, 0.34566888, 0.08554203 };
	double wd[5 * 4], dwd[5], cont[5];
	int r, c, ok = 1, okc = 1;

	for (r = 0; r < 5; r++)
		for (c = 0; c < 4; c++)
			wd[r * 4 + c] = wdc[c][r];
	eval_dwd_runs(1460, 5, 4, sd2d, wd, dwd, cont);
	for (r = 0; r < 5; r++) {
		ok &= fabs(dwd[r] - want[r]) < 1e-12;
		okc &= fabs(cont[r] - want_cont[r]) < 1e-8;
		if (fabs(dwd[r] - want[r]) >= 1e-12)
			tap_diag("run %d: dwd %.17g want %.17g", r + 1, dwd[r], want[r]);
	}
	tap_ok(ok, "DWD reproduces SPEC §5 for all 5 runs");
	tap_ok(okc, "continuous term reproduces SPEC §5");
	/* Absolute variant: (sd2d + Σ wd/(hi−lo)) / (D−1) · 1000 */
	{
		struct layout *l = mk_layout(0, 1, 2);
		double w2[2] = { 5, 20 };

		tap_near(eval_dwd_abs(l, 0.5, w2), (0.5 + 0.05 + 0.2) / (l->D - 1) * 1000, 1e-12,
		    "absolute DWD variant by hand");
		layout_free(l);
	}
}

/* Naive Pearson in double. */
static double
corr_naive(const struct mtx *m, int a, int b)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t i;

	for (i = 0; i < m->n; i++) {
		ma += mtx_get(m, i, a);
		mb += mtx_get(m, i, b);
	}
	ma /= m->n;
	mb /= m->n;
	for (i = 0; i < m->n; i++) {
		double x = mtx_get(m, i, a) - ma, y = mtx_get(m, i, b) - mb;

		sab += x * y;
		saa += x * x;
		sbb += y * y;
	}
	return sab / sqrt(saa * sbb);
}

static void
test_cwc(void)
{
	struct layout *l = mk_layout(3, 4, 2);   /* D = 11 */
	int D = l->D, n = 300, i, j, k, ok = 1;
	struct mtx *R = mtx_new((size_t)n, l), *S = mtx_new((size_t)n, l);
	double *cr = xmalloc((size_t)D * D * sizeof *cr), *cs = xmalloc((size_t)D * D * sizeof *cs);
	double fro = 0, mae = 0, got_mae, cwc, maxerr = 0;
	struct rng g;

	rng_seed(&g, 11);
	for (i = 0; i < n; i++) {
		for (k = 0; k < 2; k++) {
			struct mtx *m = k ? S : R;
			int grp = (int)rng_below(&g, 3);
			double age = 20 + 60 * rng_uniform(&g);

			mtx_set(m, (size_t)i, grp, 1);
			mtx_set(m, (size_t)i, 3, rng_uniform(&g) < 0.1 + age / 200);
			mtx_set(m, (size_t)i, 4, rng_uniform(&g) < 0.5);
			for (j = 5; j < 9; j++)
				mtx_set(m, (size_t)i, j, rng_uniform(&g) < (k ? 0.3 : 0.2) * (j - 4) / 2);
			mtx_set(m, (size_t)i, 9, (float)age);
			mtx_set(m, (size_t)i, 10, (float)(25 + 5 * rng_normal(&g) + (k ? 0 : age / 20)));
		}
	}
	eval_corr(l, R, 0, cr);
	eval_corr(l, S, 0, cs);
	for (j = 0; j < D; j++)
		for (k = 0; k < D; k++) {
			double want = j == k ? 1 : corr_naive(R, j, k), d;

			maxerr = SH_MAX(maxerr, fabs(cr[j * D + k] - want));
			want = j == k ? 1 : corr_naive(S, j, k);
			maxerr = SH_MAX(maxerr, fabs(cs[j * D + k] - want));
			d = (j == k ? 1 : corr_naive(R, j, k)) - (j == k ? 1 : corr_naive(S, j, k));
			fro += d * d;
			mae += fabs(d);
		}
	tap_ok(maxerr < 1e-5, "correlations match a naive double loop (max err %.2g)", maxerr);
	cwc = eval_cwc(l, R, S, &got_mae);
	tap_near(cwc, sqrt(fro) / D / D * 1e6, 1e-3 * cwc, "CWC = ‖C_R − C_S‖_F / D² · 1e6");
	tap_near(got_mae, mae / (D * D), 1e-6, "paper variant: mean |C_R − C_S|");
	tap_near(eval_cwc(l, R, R, &got_mae), 0, 0, "CWC of identical sets is 0");
	tap_ok(got_mae == 0, "paper variant of identical sets is 0");

	/* Baselines: independent marginals (each column permuted on its own)
	 * keep every prevalence and distribution exactly but lose the
	 * correlations; a lightly perturbed copy keeps them. */
	{
		struct mtx *M = mtx_new((size_t)n, l), *P = mtx_new((size_t)n, l);
		size_t *perm = xmalloc((size_t)n * sizeof *perm);
		double wdm[2], cm, cp;

		for (j = 0; j < D; j++) {
			for (i = 0; i < n; i++)
				perm[i] = (size_t)i;
			rng_shuffle(&g, perm, (size_t)n);
			for (i = 0; i < n; i++) {
				float v = mtx_get(R, (size_t)i, j);

				mtx_set(M, perm[i], j, v);
				if (l->kind[j] == MCOL_CONT)
					mtx_set(P, (size_t)i, j, (float)(v + rng_normal(&g)));
				else
					mtx_set(P, (size_t)i, j, rng_uniform(&g) < 0.02 ? 1 - v : v);
			}
		}
		eval_wd(l, R, M, wdm);
		tap_ok(eval_sd2d(l, R, M) == 0 && wdm[0] == 0 && wdm[1] == 0,
		    "independent marginals: prevalence and WD error exactly 0");
		cm = eval_cwc(l, R, M, NULL);
		cp = eval_cwc(l, R, P, NULL);
		tap_ok(cm > 2 * cp, "independent marginals: CWC %.0f much worse than a perturbed copy's %.0f", cm, cp);
		free(perm);
		mtx_free(M);
		mtx_free(P);
	}

	/* Constant columns: real → 0 off the diagonal; synthetic → noise
	 * correlations (small, finite). */
	for (i = 0; i < n; i++) {
		mtx_set(R, (size_t)i, 5, 0);
		mtx_set(S, (size_t)i, 6, 1);
	}
	eval_corr(l, R, 0, cr);
	ok = cr[5 * D + 5] == 1;
	for (k = 0; k < D; k++)
		if (k != 5)
			ok &= cr[5 * D + k] == 0 && cr[k * D + 5] == 0;
	tap_ok(ok, "constant real column: 0 off the diagonal, 1 on it");
	eval_corr(l, S, EVAL_CWC_NOISE, cs);
	ok = cs[6 * D + 6] == 1;
	maxerr = 0;
	for (k = 0; k < D; k++)
		if (k != 6) {
			ok &= isfinite(cs[6 * D + k]) && cs[6 * D + k] != 0;
			maxerr = SH_MAX(maxerr, fabs(cs[6 * D + k]));
		}
	tap_ok(ok && maxerr < 0.3, "constant synthetic column gets noise correlations (max |r| %.3f)", maxerr);
	cwc = eval_cwc(l, R, S, NULL);
	tap_ok(isfinite(cwc) && cwc > 0, "CWC finite with constant columns (%g)", cwc);
	tap_near(eval_cwc(l, R, S, NULL), cwc, 0, "noise is seeded: CWC repeats exactly");
	free(cr);
	free(cs);
	mtx_free(R);
	mtx_free(S);
	layout_free(l);
}

/* Issue 18: CWC in column blocks and LCA's row-space (Gram) PCA give what
 * the whole D × D matrices give, to rounding, whatever the block width
 * (forced tiny here; a real study switches beyond EVAL_FULL_D columns). */
static void
test_blocked(void)
{
	struct layout *l = mk_layout(3, 14, 3);   /* D = 22 */
	int D = l->D, n = 200, i, j, k, b, bw[] = { 1, 3, 5, 21 };
	struct mtx *R = mtx_new((size_t)n, l), *S = mtx_new((size_t)n, l);
	struct mtx *Rs = mtx_new(9, l), *Ss = mtx_new(8, l);   /* 17 stacked rows < D */
	double whole, mw, got, mg, lw, lg, lw2, lg2;
	struct eval_lca_info iw, ig;
	struct rng g;

	rng_seed(&g, 23);
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++) {
			struct mtx *m = k ? S : R;
			double age = 20 + 60 * rng_uniform(&g);

			mtx_set(m, (size_t)i, (int)rng_below(&g, 3), 1);
			mtx_set(m, (size_t)i, 3, rng_uniform(&g) < 0.1 + age / 200);
			mtx_set(m, (size_t)i, 4, rng_uniform(&g) < 0.5);
			for (j = 5; j < 19; j++)
				mtx_set(m, (size_t)i, j, rng_uniform(&g) < (k ? 0.3 : 0.2) * (1 + j % 4) / 2);
			mtx_set(m, (size_t)i, 19, (float)age);
			mtx_set(m, (size_t)i, 20, (float)(25 + 5 * rng_normal(&g) + (k ? 0 : age / 20)));
			mtx_set(m, (size_t)i, 21, (float)(rng_uniform(&g) * 100));
		}
	/* a constant column in R (correlates 0) and another in S (noise) */
	for (i = 0; i < n; i++) {
		mtx_set(R, (size_t)i, 7, 0);
		mtx_set(S, (size_t)i, 12, 1);
	}
	eval_col_block_force = 0;
	tap_ok(eval_col_block(D) == D && eval_col_block(EVAL_FULL_D + 1) == EVAL_COL_BLOCK,
	    "whole matrices up to %d columns, %d-column blocks beyond", EVAL_FULL_D, EVAL_COL_BLOCK);
	whole = eval_cwc(l, R, S, &mw);
	for (b = 0; b < 4; b++) {
		eval_col_block_force = bw[b];
		got = eval_cwc(l, R, S, &mg);
		tap_near(got, whole, 1e-9 * whole, "CWC in %d-column blocks = whole (%.9g vs %.9g)", bw[b], got, whole);
		tap_near(mg, mw, 1e-12, "paper variant in %d-column blocks = whole", bw[b]);
	}
	eval_col_block_force = 0;
	got = eval_cwc(l, S, S, NULL);
	eval_col_block_force = 4;
	tap_near(eval_cwc(l, S, S, NULL), got, 1e-9 * got, "blocked CWC of identical sets (only the noise of"
	    " a constant column: %.4g) = whole", got);
	/* scaled rows (as prep stores them) give the same */
	mtx_scale(R, l);
	tap_near(eval_cwc(l, R, S, NULL), whole, 1e-4 * whole, "blocked CWC of scaled rows = whole");
	mtx_unscale(R, l);
	eval_col_block_force = 0;
	tap_ok(eval_cwc_need(EVAL_FULL_D * 12) < ((size_t)1 << 30),
	    "a 49,152-column CWC needs %.0f MiB in blocks (whole: %.1f GiB)",
	    eval_cwc_need(EVAL_FULL_D * 12) / 1048576.0, (double)EVAL_FULL_D * 12 * EVAL_FULL_D * 12 * 28 / 1073741824.0);
	eval_col_block_force = 0;

	/* LCA with fewer stacked rows than columns: the Gram route */
	for (i = 0; i < 9; i++)
		for (j = 0; j < D; j++)
			mtx_set(Rs, (size_t)i, j, mtx_get(R, (size_t)(i * 7), j));
	for (i = 0; i < 8; i++)
		for (j = 0; j < D; j++)
			mtx_set(Ss, (size_t)i, j, mtx_get(S, (size_t)(i * 11), j));
	lw = eval_lca_ex(l, Rs, Ss, 1, 3, -1, &iw);
	lw2 = eval_lca_ex(l, Rs, Ss, 4, 3, 3, NULL);
	eval_col_block_force = 5;
	lg = eval_lca_ex(l, Rs, Ss, 1, 3, -1, &ig);
	lg2 = eval_lca_ex(l, Rs, Ss, 4, 3, 3, NULL);
	eval_col_block_force = 0;
	tap_ok(ig.ncomp == iw.ncomp, "LCA Gram route keeps the same components (%d, whole %d)", ig.ncomp, iw.ncomp);
	tap_near(ig.explained, iw.explained, 1e-6, "LCA Gram route: same explained share (%.6f)", ig.explained);
	tap_near(ig.inertia, iw.inertia, 1e-4 * iw.inertia, "LCA Gram route: same k-means inertia");
	tap_near(lg, lw, 1e-9, "LCA Gram route (PCA-Part start) = covariance route (%g)", lw);
	tap_near(lg2, lw2, 1e-9, "LCA Gram route (k-means++ restarts) = covariance route (%g)", lw2);
	tap_ok(eval_lca_need(49002, 4000) < ((size_t)1 << 30),
	    "a 49,002-column LCA of 4,000 rows needs %.0f MiB", eval_lca_need(49002, 4000) / 1048576.0);
	mtx_free(R);
	mtx_free(S);
	mtx_free(Rs);
	mtx_free(Ss);
	layout_free(l);
}

static void
test_pca(void)
{
	double cov1[4] = { 4, 0, 0, 1 }, cov2[4] = { 3, 0, 0, 1 }, cov3[4] = { 2.5, 1.5, 1.5, 2.5 };
	double ev[2], vec[4];

	tap_ok(eval_pca_cov(cov1, 2, 0.8, ev, NULL) == 1 && ev[0] == 4 && ev[1] == 1,
	    "PCA: variances 4,1 → 1 component reaches 80%%");
	tap_ok(eval_pca_cov(cov2, 2, 0.8, ev, NULL) == 2, "PCA: variances 3,1 (75%%) → 2 components");
	tap_ok(eval_pca_cov(cov3, 2, 0.8, ev, vec) == 1, "PCA: rotated set → 1 component");
	tap_near(ev[0], 4, 1e-12, "rotated set: first eigenvalue 4");
	tap_near(ev[1], 1, 1e-12, "rotated set: second eigenvalue 1");
	tap_near(fabs(vec[0 * 2 + 0]), M_SQRT1_2, 1e-12, "first eigenvector (1,1)/√2 (x)");
	tap_near(vec[0 * 2 + 0] * vec[1 * 2 + 0], 0.5, 1e-12, "first eigenvector (1,1)/√2 (same sign)");
}

static void
test_lca(void)
{
	struct layout *l = mk_layout(0, 6, 1);   /* label sex c0..c5 x */
	int n = 400, i;
	struct mtx *R = mtx_new((size_t)n, l), *S = mtx_new((size_t)n, l);
	struct eval_lca_info info;
	struct rng g;
	double ld;

	rng_seed(&g, 5);
	/* Real rows: c0..c3 = 1; synthetic rows: c0..c3 = 0; c4, c5, label,
	 * sex random in both.  Between-set squared distance ≥ 4, within ≤ 4
	 * + a little, so every cluster is pure: ρ ∈ {0, 1}, LD = log2(0.25). */
	for (i = 0; i < n; i++) {
		int j;

		for (j = 2; j < 6; j++)
			mtx_set(R, (size_t)i, j, 1);
		for (j = 0; j < 2; j++) {
			mtx_set(R, (size_t)i, j, rng_uniform(&g) < 0.5);
			mtx_set(S, (size_t)i, j, rng_uniform(&g) < 0.5);
		}
		for (j = 6; j < 8; j++) {
			mtx_set(R, (size_t)i, j, rng_uniform(&g) < 0.5);
			mtx_set(S, (size_t)i, j, rng_uniform(&g) < 0.5);
		}
		mtx_set(R, (size_t)i, 8, (float)(rng_uniform(&g) * 100));
		mtx_set(S, (size_t)i, 8, (float)(rng_uniform(&g) * 100));
	}
	ld = eval_lca_ex(l, R, S, 1, 5, 3, &info);
	tap_near(ld, -2.0, 1e-12, "LCA of separated sets: log2(0.25)");
	tap_ok(info.ncomp >= 1 && info.explained >= 0.8, "PCA kept %d components, %.3f explained",
	    info.ncomp, info.explained);
	ld = eval_lca(l, R, R, 1, 5, 3);
	tap_ok(isinf(ld) && ld < 0, "LCA of identical sets is −∞ (every cluster half real)");
	tap_near(eval_lca(l, R, S, 9, 5, 2), eval_lca(l, R, S, 9, 5, 2), 0, "LCA is reproducible with a seed");
	/* The deterministic PCA-Part start (the fast preset's): no seed
	 * dependence at all, and the same answers on the known cases. */
	tap_near(eval_lca(l, R, S, 1, 5, -1), -2.0, 1e-12, "deterministic start: separated sets log2(0.25)");
	tap_ok(eval_lca(l, R, S, 1, 5, -1) == eval_lca(l, R, S, 12345, 5, -1), "deterministic start: seed-free");
	ld = eval_lca(l, R, R, 3, 5, -1);
	tap_ok(isinf(ld) && ld < 0, "deterministic start: identical sets −∞");
	mtx_free(R);
	mtx_free(S);
	layout_free(l);
}

static struct mtx *
mk_counts(const struct layout *l, const int *cnt, int n)
{
	struct mtx *m = mtx_new((size_t)n, l);
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < cnt[i]; j++)
			mtx_set(m, (size_t)i, 2 + j, 1);
	return m;
}

static void
test_mca(void)
{
	struct layout *l = mk_layout(0, 25, 0);
	int r1[4] = { 0, 0, 10, 20 }, s1[4] = { 0, 5, 10, 25 }, r2[2] = { 0, 3 }, s2[2] = { 0, 1 };
	struct mtx *R = mk_counts(l, r1, 4), *S = mk_counts(l, s1, 4);

	/* width 1: R bins 0,0,10,19; S bins 0,5,10,19 (25 clipped) */
	tap_near(eval_mca(l, R, S), 0.25, 1e-12, "MCA by hand (width 1, overflow into last bin)");
	tap_near(eval_mca(l, R, R), 0, 0, "MCA of identical sets is 0");
	mtx_free(R);
	mtx_free(S);
	/* width 0.15: R bins 0, 19; S: 1/0.15 → bin 6 */
	R = mk_counts(l, r2, 2);
	S = mk_counts(l, s2, 2);
	tap_near(eval_mca(l, R, S), 0.5, 1e-12, "MCA by hand (fractional width)");
	mtx_free(R);
	mtx_free(S);
	layout_free(l);
}

static void
test_ckv(void)
{
	/* concepts: 100..103 male-only in R with counts 5,4,3,1; 104,105
	 * female-only with 6,2; 106 mixed; names are phecodes. */
	struct layout *l = mk_layout(0, 7, 0);
	int cnt_m[7] = { 5, 4, 3, 1, 0, 0, 2 }, cnt_f[7] = { 0, 0, 0, 0, 6, 2, 2 };
	struct mtx *R = mtx_new(20, l), *S = mtx_new(20, l);
	struct eval_ckv o;
	char *cause = NULL, path[] = "/tmp/sh-ckv-XXXXXX";
	int i, j, fd;
	FILE *fp;

	/* rows 0..9 male, 10..19 female */
	for (i = 10; i < 20; i++) {
		mtx_set(R, (size_t)i, 1, 1);
		mtx_set(S, (size_t)i, 1, 1);
	}
	for (j = 0; j < 7; j++) {
		for (i = 0; i < cnt_m[j]; i++)
			mtx_set(R, (size_t)i, 2 + j, 1);
		for (i = 0; i < cnt_f[j]; i++)
			mtx_set(R, (size_t)(10 + i), 2 + j, 1);
	}
	/* S: code 100: 3 male + 1 female → 0.25; 101: none → 0; 102: 2 + 2 → 0.5;
	 * 104: 4 female + 1 male → 0.2; 105: 1 female → 0; 103 (4th male code,
	 * not in the top 3): 0 + 5 female. */
	for (i = 0; i < 3; i++)
		mtx_set(S, (size_t)i, 2, 1);
	mtx_set(S, 10, 2, 1);
	for (i = 0; i < 2; i++) {
		mtx_set(S, (size_t)i, 4, 1);
		mtx_set(S, (size_t)(10 + i), 4, 1);
	}
	for (i = 0; i < 5; i++)
		mtx_set(S, (size_t)(12 + i), 5, 1);
	for (i = 0; i < 4; i++)
		mtx_set(S, (size_t)(10 + i), 6, 1);
	mtx_set(S, 0, 6, 1);
	mtx_set(S, 10, 7, 1);

	tap_ok(eval_ckv(l, R, S, NULL, &o, &cause) == 0, "CKV runs");
	tap_ok(o.nmale == 3 && strcmp(o.male_codes[0], "100") == 0 && strcmp(o.male_codes[1], "101") == 0 &&
	    strcmp(o.male_codes[2], "102") == 0, "top-3 male-only codes by count in R");
	tap_ok(o.nfemale == 2 && strcmp(o.female_codes[0], "104") == 0 && strcmp(o.female_codes[1], "105") == 0,
	    "female-only codes by count in R");
	/* 101 has no synthetic positives: the worst value, 1 */
	tap_near(o.male_viol, (0.25 + 1 + 0.5) / 3, 1e-12, "male violation by hand (a code never produced is 1)");
	tap_near(o.female_viol, (0.2 + 0) / 2, 1e-12, "female violation by hand");
	tap_near(o.ckv, (0.25 + 1 + 0.5) / 3 + 0.1, 1e-12, "CKV is the sum");
	tap_ok(o.nmissing == 1, "one checked code never produced (%d)", o.nmissing);
	tap_ok(eval_ckv(l, R, R, NULL, &o, &cause) == 0 && o.ckv == 0 && o.nmissing == 0,
	    "CKV of the real set itself is 0");
	{
		/* A generator that never emits the sex-specific codes must score
		 * worse than one that emits them with few violations. */
		struct mtx *E = mtx_new(20, l), *F = mtx_new(20, l);
		struct eval_ckv oe, of;
		int k;

		for (i = 0; i < 20; i++) {
			mtx_set(E, (size_t)i, 1, i >= 10);
			mtx_set(F, (size_t)i, 1, i >= 10);
			for (k = 0; k < 7; k++) {
				/* F: R's counts plus one wrong-sex positive on 100 and 104 */
				mtx_set(F, (size_t)i, 2 + k, mtx_get(R, (size_t)i, 2 + k));
				mtx_set(E, (size_t)i, 2 + k, k == 6 ? mtx_get(R, (size_t)i, 2 + k) : 0);
			}
		}
		mtx_set(F, 15, 2, 1);
		mtx_set(F, 9, 6, 1);
		tap_ok(eval_ckv(l, R, E, NULL, &oe, &cause) == 0 && eval_ckv(l, R, F, NULL, &of, &cause) == 0,
		    "CKV of an empty and a near-perfect generator");
		tap_ok(oe.nmissing == 5 && of.nmissing == 0, "codes never produced: %d and %d", oe.nmissing,
		    of.nmissing);
		tap_ok(of.ckv > 0 && of.ckv < oe.ckv, "never emitting the codes ranks below few violations "
		    "(%.3f vs %.3f)", oe.ckv, of.ckv);
		mtx_free(E);
		mtx_free(F);
	}
	{
		int mc[4] = { 2, 3, 4, 5 }, fc[1] = { 6 };

		/* given codes 100..103 (103: 5/5 female → 1) and 104 */
		tap_ok(eval_ckv_with(l, S, mc, 4, fc, 1, &o, &cause) == 0, "CKV with given codes");
		tap_near(o.ckv, (0.25 + 1 + 0.5 + 1) / 4 + 0.2, 1e-12, "CKV with given codes by hand");
		mc[0] = -1;
		i = eval_ckv_with(l, S, mc, 4, fc, 1, &o, &cause);
		tap_ok(i == -1 && cause != NULL, "CKV with a bad column: %s", cause ? cause : "");
		free(cause);
		cause = NULL;
	}

	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fprintf(fp, "\"phecode\",\"male_only\",\"female_only\"\n\"100\",1,0\n\"103\",1,0\n\"104.0\",0,1\n"
	    "\"106\",0,0\n\"999\",1,0\n");
	fclose(fp);
	tap_ok(eval_ckv(l, R, S, path, &o, &cause) == 0, "CKV with the restriction file");
	/* 100: 0.25; 103: 5/5 female = 1; 104.0 = 104: 0.2; 999 absent */
	tap_ok(o.broad_ncodes == 3, "broad check finds 3 restricted codes (%d)", o.broad_ncodes);
	tap_near(o.broad_viol, (0.25 + 1 + 0.2) / 3, 1e-12, "broad violation by hand");
	fp = fopen(path, "w");
	fprintf(fp, "a,b\n1,2\n");
	fclose(fp);
	i = eval_ckv(l, R, S, path, &o, &cause);
	tap_ok(i == -1 && cause && strstr(cause, "phecode"), "bad restriction file: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	unlink(path);
	i = eval_ckv(l, R, S, "/nonexistent/x.csv", &o, &cause);
	tap_ok(i == -1 && cause, "missing file: %s", cause ? cause : "(none)");
	free(cause);
	cause = NULL;
	l->sex = -1;
	i = eval_ckv(l, R, S, NULL, &o, &cause);
	tap_ok(i == -1 && cause && strstr(cause, "sex"), "no sex column: %s", cause ? cause : "(none)");
	free(cause);
	mtx_free(R);
	mtx_free(S);
	layout_free(l);
}

int
main(void)
{
	test_sd2d();
	test_wd();
	test_dwd_reference();
	test_cwc();
	test_blocked();
	test_pca();
	test_lca();
	test_mca();
	test_ckv();
	return tap_done();
}
