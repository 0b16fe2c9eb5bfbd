/* synthehr — GPL-3.0-or-later.
 * Ranking synthetic sets: the metric table (name, direction, range), the
 * per-metric ranks with the tutorial's tie rule (scipy rankdata 'average'
 * truncated with astype(int); higher-is-better metrics use (n+1) − int(rank)),
 * optional fractional ties, weight profiles (A = ML development,
 * B = education, plus custom ones from study.json "rank"), the weighted sum,
 * and bootstrap rank stability counts.  Everything here is a pure function of
 * a metrics table and a weight vector, cheap enough to call per keystroke. */
#ifndef SYNTHEHR_RANK_H
#define SYNTHEHR_RANK_H

#include <jansson.h>

/* The ranked metrics, in the tutorial's table order (SPEC §4.11); NNAA and
 * the absolute DWD variant are extra metrics, weight 0 in A and B. */
enum rank_metric {
	RANK_DWD,
	RANK_CWC,
	RANK_LCA,
	RANK_MCA,
	RANK_CKV,
	RANK_TSTR,
	RANK_TRTS,
	RANK_FI,
	RANK_MI,
	RANK_AI,
	RANK_NNAA,
	RANK_DWDABS,
	RANK_COUNT
};

struct rank_metric_info {
	const char *key;        /* JSON / profile key: "DWD", "TSTR_auroc", ... */
	const char *label;      /* short column label (≤ 6 characters) */
	const char *title;      /* one-line description */
	int higher_better;      /* 1: ↑ higher is better; 0: ↓ lower is better */
	const char *range;      /* e.g. "[0, 2]" */
};

extern const struct rank_metric_info rank_metrics[RANK_COUNT];
/* Index of a metric by key (case-insensitive; "TSTR" and "FI" aliases), -1. */
int rank_metric_find(const char *key);
/* "↓" or "↑". */
const char *rank_arrow(int metric);

struct rank_profile {
	char name[64];
	double w[RANK_COUNT];   /* weights; the overall score is Σ w·rank */
};

/* Built-in profiles: "A" (ML development) and "B" (education); 0 if found. */
int rank_profile_builtin(const char *name, struct rank_profile *p);
/* Profile from a JSON object {"DWD": 0.1, ...}; unknown keys and
 * non-numbers are errors naming the key; missing metrics weigh 0. */
int rank_profile_from_json(json_t *obj, const char *name, struct rank_profile *p, char **cause);
json_t *rank_profile_to_json(const struct rank_profile *p);
/* Resolve a --profile argument: A, B, a custom profile saved in the study's
 * "rank" section (rank_cfg["profiles"][NAME]), or a JSON file holding
 * either the weight object or {"name":..., "weights": {...}}. */
int rank_profile_resolve(const char *arg, json_t *rank_cfg, struct rank_profile *p, char **cause);

/* scipy.stats.rankdata(v, 'average'): 1-based average ranks into out[n].
 * NaN values rank after every number (worst), tied among themselves. */
void rank_rankdata(const double *v, int n, double *out);
/* One metric's ranks (1 = best) into out[n]: lower-is-better metrics use
 * rankdata, higher-is-better ones n+1−rankdata; with fractional == 0 the
 * average rank is truncated first (the tutorial's astype(int)). */
void rank_metric_ranks(const double *v, int n, int higher_better, int fractional, double *out);

/* values [nsets × RANK_COUNT] (NaN = not computed) → ranks [nsets ×
 * RANK_COUNT] and overall [nsets] (Σ w·rank; lower is better).  Returns the
 * index of the best set (smallest overall; first on ties), -1 if nsets = 0. */
int rank_compute(const double *values, int nsets, const struct rank_profile *p, int fractional,
    double *ranks, double *overall);

/* Ties within the uncertainty on metric m: sets sorted by value, and two
 * neighbours tie when |v_a − v_b| ≤ sqrt(se_a² + se_b²) (one standard error
 * of their difference; a missing SE counts 0); ties chain.  group[nsets]
 * receives a group number (0, 1, ...) for every set in a tie of two or more
 * and -1 for the others; returns the number of groups. */
int rank_ties(const double *values, const double *se, int nsets, int m, int *group);

/* Overall scores (sums of weight × place) within RANK_TIE_EPS are equal
 * up to rounding: the same place.  rank_overall_place: 1 + the number of
 * sets scoring better than set k by more than that (tied sets share a
 * place); rank_count_best adds 1 to count[s] for every set in place 1. */
#define RANK_TIE_EPS 1e-9
int rank_overall_place(const double *overall, int nsets, int k);
void rank_count_best(const double *overall, int nsets, int *count);

/* Rank stability: values [nboot × nsets × RANK_COUNT] from bootstrap
 * resamples; best_count[nsets] receives how often each set came out best
 * (a resample where sets tie for best counts for each of them, so the
 * counts can add up to more than nboot). */
void rank_stability(const double *values, int nboot, int nsets, const struct rank_profile *p,
    int fractional, int *best_count);

#endif
