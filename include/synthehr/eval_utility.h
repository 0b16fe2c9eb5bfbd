/* synthehr — GPL-3.0-or-later.
 * Utility metrics of the tutorial (SPEC §4.1–4.5): dimension-wise distance
 * parts (binary prevalence sum and per-column Wasserstein-1), column-wise
 * correlation, latent cluster analysis, medical concept abundance and
 * clinical knowledge violation.  Inputs are model matrices in cohort units
 * (scaled matrices are unscaled on a private copy of each row block, the
 * caller's matrix is never modified); R is the real training set, S one
 * synthetic set.  Every function reads rows in blocks through
 * mtx_get_rows() so memory stays flat.  Formulas and variants:
 * doc/eval_utility.md. */
#ifndef SYNTHEHR_EVAL_UTILITY_H
#define SYNTHEHR_EVAL_UTILITY_H

#include <stddef.h>
#include <stdint.h>

#include "synthehr/mtx.h"

/* Σ_c |p_S(c) − p_R(c)| over every group and binary column except the label
 * (SPEC 4.1).  p_S = ΣS/|S|, p_R = ΣR/|R|; the tutorial divides both by |R|,
 * which is the same when |S| = |R| (always so after §3.2).  Lower is better,
 * range [0, number of columns]. */
double eval_sd2d(const struct layout *l, const struct mtx *R, const struct mtx *S);

/* Per-column binary prevalences: p[D] = column mean (NAN for continuous
 * columns).  Helper shared with the DWD/independent-marginals baseline. */
void eval_prevalence(const struct layout *l, const struct mtx *m, double *p);

/* wd[ncont]: exact 1-D Wasserstein-1 distance per continuous column in
 * layout order (scipy.stats.wasserstein_distance; unequal sizes allowed),
 * cohort units. */
void eval_wd(const struct layout *l, const struct mtx *R, const struct mtx *S, double *wd);

/* Exact W1 between two samples (sorted copies are made); a[na], b[nb]. */
double eval_wasserstein1(const double *a, size_t na, const double *b, size_t nb);

/* DWD of the tutorial from per-run sd2d[nruns] and wd[nruns × ncont]:
 * continuous WD min–max normalised across the runs (÷10), summed, then
 * dwd[r] = (sd2d[r] + cont[r]) / (D − 1) · 1000.  A column whose WD is the
 * same for every run contributes 0.  cont may be NULL. */
void eval_dwd_runs(int D, int nruns, int ncont, const double *sd2d, const double *wd,
    double *dwd, double *cont);

/* Absolute per-dataset DWD variant that does not move when runs are added:
 * (sd2d + Σ_c wd_c / (hi_c − lo_c)) / (D − 1) · 1000, with lo/hi the layout's
 * (real) range of each continuous column. */
double eval_dwd_abs(const struct layout *l, double sd2d, const double *wd);

/* CWC = ‖C_R − C_S‖_F / D / D · 1e6 (SPEC 4.2) over all D columns, with the
 * tutorial's constant-column handling: S gets the seeded noise
 * (U[0,1) − 1)·1e-8 (stream EVAL_CWC_NOISE, identical for every S) in its
 * constant columns, which then correlate like noise (elsewhere the noise
 * moves a correlation by ~1e-8 and is left out); a column that is constant
 * in R (the tutorial would produce NaN) is defined to correlate 0 with
 * every other column and 1 with itself.
 * *paper_mae (if not NULL) = mean |C_R − C_S| over all D² cells, the paper's
 * stated variant.  Lower is better, both ≥ 0. */
double eval_cwc(const struct layout *l, const struct mtx *R, const struct mtx *S, double *paper_mae);
/* The same with the real correlation matrix corr_r[D × D] (from eval_corr
 * with noise_seed 0) computed once and reused across synthetic sets. */
double eval_cwc_from(const struct layout *l, const double *corr_r, const struct mtx *S, double *paper_mae);

/* Whole D × D matrices up to this many columns; wider: column blocks. */
#define EVAL_FULL_D 4096
#define EVAL_COL_BLOCK 2048
/* Column block width for the columns² work (D: one block, the whole
 * matrix); SYNTHEHR_EVAL_COL_BLOCK or eval_col_block_force (> 0) force it. */
extern int eval_col_block_force;
int eval_col_block(int D);
/* Bytes CWC needs at its peak for D columns, LCA for D columns and n
 * stacked rows (the memory estimates before evaluating). */
size_t eval_cwc_need(int D);
size_t eval_lca_need(int D, size_t n);

/* Correlation matrix corr[D × D] (double, row-major) of m over all columns,
 * Pearson, computed by SYRK on centred float row blocks accumulated in
 * double.  noise_seed != 0: columns constant in m get the tutorial's noise
 * (U−1)·1e-8 from streams of that seed (pass EVAL_CWC_NOISE, as eval_cwc
 * does for S); noise_seed 0: a constant column correlates 0 with the others
 * and 1 with itself. */
#define EVAL_CWC_NOISE 0x5eedULL
void eval_corr(const struct layout *l, const struct mtx *m, uint64_t noise_seed, double *corr);

/* LCA latent deviation (SPEC 4.3): continuous columns min–max scaled by
 * each set's own range, stack R over S, PCA to ≥ 80 % explained variance
 * (covariance eigendecomposition with LAPACK dsyevr), k-means (k clusters,
 * k-means++, `restarts` seeded restarts, best inertia kept),
 * LD = log2(mean_j (ρ_j − 0.5)²) with ρ_j the real share of cluster j.
 * Lower (more negative) is better; range (−∞, −2]; −∞ when every cluster is
 * exactly half real.  k ≤ 0 → 5, restarts 0 → 10; restarts < 0: one
 * k-means from a deterministic PCA-Part start (no random draw at all). */
double eval_lca(const struct layout *l, const struct mtx *R, const struct mtx *S, uint64_t seed, int k, int restarts);

/* Details of the last LCA computation (optional out-parameter version). */
struct eval_lca_info {
	int ncomp;             /* principal components kept */
	double explained;      /* their cumulative explained-variance ratio */
	double inertia;        /* k-means inertia of the kept solution */
	double rho[64];        /* [k] real share per cluster (k ≤ 64) */
	size_t size[64];       /* [k] cluster sizes */
	int k;
	int iters;             /* Lloyd iterations over all restarts */
};
double eval_lca_ex(const struct layout *l, const struct mtx *R, const struct mtx *S, uint64_t seed,
    int k, int restarts, struct eval_lca_info *info);

/* PCA helper: eigenvalues (descending) of the covariance of X[n × d]
 * (row-major doubles); returns the number of components whose cumulative
 * explained-variance ratio first reaches frac, -1 on LAPACK failure.
 * evals[d] and evecs[d × d] (column j = eigenvector j, row-major [i*d+j])
 * may be NULL. */
int eval_pca_cov(const double *cov, int d, double frac, double *evals, double *evecs);

/* MCA (SPEC 4.4): per-record concept count n, real histogram of 20 bins
 * over [min n_R, max n_R] (numpy's rule), synthetic counts binned by
 * floor(n_S / w) clipped to the last bin (the tutorial's rule, which assumes
 * min n_R = 0), MCA = ½ Σ_b |h_S(b)/|S| − h_R(b)/|R||.  Lower is better,
 * range [0, 1]. */
double eval_mca(const struct layout *l, const struct mtx *R, const struct mtx *S);

/* CKV (SPEC 4.5). */
struct eval_ckv {
	double male_viol, female_viol, ckv;   /* ckv = male_viol + female_viol, range [0, 2] */
	int nmale, nfemale;                   /* codes used (≤ 3 each) */
	int nmissing;                         /* of them, codes S never produces */
	char male_codes[3][32], female_codes[3][32];
	int broad_ncodes;                     /* sex-restricted phecodes S produces (broad check) */
	int broad_missing;                    /* restricted phecodes of the layout S never produces */
	double broad_viol;                    /* mean wrong-sex share over the produced ones (NAN if none) */
};
/* Top-3 sex-exclusive concept codes by count in R (all positives one sex);
 * per code: share of synthetic positives of the wrong sex; a code with 0
 * synthetic positives gets the worst value, 1 (the tutorial gives NaN),
 * and is counted in nmissing.  With
 * sex_restriction_csv (phecode,male_only,female_only) also the broader
 * check over every restricted phecode among the concept columns.  -1 with
 * *cause when the layout has no sex column or the CSV is unreadable. */
int eval_ckv(const struct layout *l, const struct mtx *R, const struct mtx *S,
    const char *sex_restriction_csv, struct eval_ckv *out, char **cause);
/* CKV with the codes given (e.g. from a rules file) instead of found in R:
 * male_cols[nmale], female_cols[nfemale] model columns (≤ 3 each are
 * named in out; all count).  broad_* are left empty. -1 without a sex
 * column or with a column that is not a binary one. */
int eval_ckv_with(const struct layout *l, const struct mtx *S, const int *male_cols, int nmale,
    const int *female_cols, int nfemale, struct eval_ckv *out, char **cause);

#endif
