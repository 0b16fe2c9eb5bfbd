/* synthehr — GPL-3.0-or-later.
 * The evaluation driver: loads the study's real split (prep/) and every
 * synthetic set (runs/NAME and eval/external/NAME), computes every metric of the
 * tutorial per set (cached per set by file hash + settings, so adding a run
 * recomputes nothing else), the "release the real data" privacy baseline,
 * the relative DWD across the compared sets, bootstrap rank stability, and
 * writes eval/metrics.json.  It never prints: progress goes through a
 * callback and util_interrupted cancels, so the TUI can run it in a worker
 * thread. */
#ifndef SYNTHEHR_EVAL_H
#define SYNTHEHR_EVAL_H

#include <jansson.h>

#include "synthehr/eval_predict.h"
#include "synthehr/eval_privacy.h"
#include "synthehr/rank.h"
#include "synthehr/study.h"

/* Metric families for --only. */
enum eval_family {
	EVAL_F_DWD = 1 << 0,   /* DWD, DWD_abs (sd2d + Wasserstein) */
	EVAL_F_CWC = 1 << 1,
	EVAL_F_LCA = 1 << 2,
	EVAL_F_MCA = 1 << 3,
	EVAL_F_CKV = 1 << 4,
	EVAL_F_PRED = 1 << 5,  /* TSTR, TRTS, feature importance */
	EVAL_F_MI = 1 << 6,
	EVAL_F_AI = 1 << 7,
	EVAL_F_NNAA = 1 << 8,
	EVAL_F_ALL = (1 << 9) - 1
};

struct eval_progress {
	int set, nsets;         /* set index (0-based), count; set == nsets: shared work */
	const char *name;       /* set name */
	const char *metric;     /* metric being computed */
	double frac;            /* within that metric, [0,1] */
};

struct eval_opts {
	char preset[16];              /* "fast" | "tutorial" */
	unsigned only;                /* EVAL_F_* mask */
	struct privacy_opts priv;
	struct predict_opts pred;
	int lca_k, lca_restarts;      /* restarts < 0: deterministic PCA-Part start */
	int lca_boot;                 /* LCA's SE: bootstrap resamples of the rows (5) */
	size_t lca_rows;              /* rows of R and of S used by LCA (0 = all) */
	int fi_k;                     /* feature-importance top-k (20) */
	int boot;                     /* bootstrap resamples for stability (0 = off) */
	uint64_t seed;
	int force;                    /* ignore cached per-set results */
	int real_baseline;            /* evaluate the S := R privacy baseline (1) */
	const char *only_set;         /* evaluate only this set into its cache; no metrics.json (NULL: all) */
	char *sex_restriction_csv;    /* broad CKV check, or NULL */
	void (*progress)(void *arg, const struct eval_progress *p);
	void *progress_arg;
};

/* Defaults of a preset ("fast" or "tutorial"), then study.json "eval" keys
 * (boot, seed, lca_rows, sex_restrictions); -1 for an unknown preset. */
int eval_opts_init(struct eval_opts *o, const char *preset, json_t *eval_cfg, char **cause);
void eval_opts_done(struct eval_opts *o);
/* Reseed everything random in an evaluation (samplers, attacks, k-means,
 * bootstrap, the prediction models: 2021 + seed). */
void eval_opts_seed(struct eval_opts *o, uint64_t seed);
/* "dwd,cwc,tstr,mi" → mask (metric names or family names); -1 naming the
 * unknown entry. */
int eval_parse_only(const char *list, unsigned *mask, char **cause);

/* A synthetic set found in the study. */
struct eval_set {
	char *name;     /* directory name */
	char *kind;     /* "run", "peer" (runs/peer-*: a classical synthesizer), "baseline", "external" */
	char *path;     /* synthetic.mtx */
};
/* Every set: runs/ (run-N in numeric order, then peer-*, then baseline-*),
 * eval/external/. */
int eval_list_sets(const struct study *s, struct eval_set **out, int *n, char **cause);
void eval_sets_free(struct eval_set *sets, int n);

/* Import an external CSV (same schema as the study: either the layout's
 * model columns or the cohort's columns, any order) as
 * eval/external/NAME/synthetic.mtx.  NAME NULL: the file's base name.  A
 * header that does not match gets a cause listing the differences. */
int eval_import_external(struct study *s, const char *csv, const char *name, char **name_out, char **cause);

/* Run the whole evaluation; writes eval/metrics.json and returns it in
 * *out (may be NULL).  -2: a damaged or foreign input (layout, split,
 * a synthetic set); -1: any other failure. */
int eval_run(struct study *s, const struct eval_opts *o, json_t **out, char **cause);

/* Metrics table from metrics.json: the ranked sets (kind != "real"),
 * values[nsets × RANK_COUNT] (NaN = missing), names[nsets] (borrowed from
 * the JSON).  Caller frees *values and *names (not the strings). */
int eval_metrics_table(json_t *metrics, double **values, const char ***names, int *nsets, char **cause);
/* Standard errors [nsets × RANK_COUNT] of the ranked sets, in the order of
 * eval_metrics_table (NaN where a metric has none): each set's "se" object
 * in metrics.json.  Caller frees *se. */
int eval_metrics_se(json_t *metrics, double **se, int *nsets);
/* Bootstrap values [boot × nsets × RANK_COUNT] from metrics.json, or 0. */
int eval_metrics_boot(json_t *metrics, int nsets, double **values, int *boot);

#endif
