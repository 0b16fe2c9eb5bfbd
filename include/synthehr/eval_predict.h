/* synthehr — GPL-3.0-or-later.
 * Prediction utility (SPEC §4.6–4.7): gradient-boosted trees through the
 * XGBoost C API (hist method) standing in for the tutorial's LightGBM,
 * AUROC and PR-AUC on a test set, mean |SHAP| feature importance by exact
 * TreeSHAP (pred_contribs) and the top-k importance overlap. */
#ifndef SYNTHEHR_EVAL_PREDICT_H
#define SYNTHEHR_EVAL_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "synthehr/mtx.h"

struct predict_opts {
	int trees;              /* boosting rounds */
	double eta;             /* learning rate */
	int max_depth;          /* 0 = unlimited */
	int max_leaves;         /* 0 = unlimited; > 0 → grow_policy lossguide */
	double colsample;       /* colsample_bytree */
	double subsample;
	double alpha;           /* L1 (reg_alpha) */
	double min_split_gain;  /* gamma */
	int threads;            /* nthread; ≤ 0 → 2 */
	uint64_t seed;
	double lambda;          /* L2 (LightGBM reg_lambda default 0) */
	int shap_rows;          /* SHAP on at most this many test rows (seeded
	                           sample); 0 = every test row */
	double min_child_weight; /* minimum hessian sum in a leaf: LightGBM's
	                            min_sum_hessian_in_leaf default 1e-3
	                            (XGBoost's own default is 1) */
};

/* "tutorial": SPEC 4.6's LightGBM settings on XGBoost hist (2000 trees,
 * eta 0.01, max_depth 15, max_leaves 50, lossguide, colsample 0.9,
 * subsample 0.9, alpha 1.3, gamma 0.3, min_child_weight 1e-3 (LightGBM's
 * leaf constraint), seed 2021); "fast" (default for any
 * other name, NULL included): 300 trees at eta 0.08, same tree shape. */
void predict_opts_preset(struct predict_opts *o, const char *preset);

struct predict_result {
	double auroc, prauc;
	int nfeatures;
	int *feature_col;       /* [nfeatures] model column of each feature */
	double *importance;     /* [nfeatures] mean |SHAP| on the test set, or NULL */
	double auroc_se;        /* bootstrap standard error of auroc over the test
	                           rows (PREDICT_SE_REPS resamples, seeded) */
	int ngroups;            /* importance_groups: mean |SHAP| of each of
	                           ngroups disjoint groups of the SHAP rows */
	double *importance_groups;   /* [ngroups × nfeatures] or NULL */
};

/* Resamples behind every standard error of the prediction metrics, and the
 * groups of SHAP rows the feature-importance SE resamples. */
#define PREDICT_SE_REPS 200
#define PREDICT_SE_GROUPS 10

/* Train on `train`, score `test`.  Label = layout label; features = every
 * column except the label and the group (race) columns, raw units; train
 * rows shuffled with o->seed.  want_shap: fill importance.  -1 with *cause
 * for a missing label, a one-class label (train or test), no features, an
 * empty set or an XGBoost error. */
int eval_predict(const struct layout *l, const struct mtx *train, const struct mtx *test,
    const struct predict_opts *o, int want_shap, struct predict_result *out, char **cause);
void predict_result_done(struct predict_result *r);

/* Lower level: a trained booster with its feature map. */
struct predict_model;
int predict_train(const struct layout *l, const struct mtx *train, const struct predict_opts *o,
    struct predict_model **out, char **cause);
int predict_model_nfeatures(const struct predict_model *pm);
const int *predict_model_features(const struct predict_model *pm);   /* [nfeatures] model columns */
/* Scores of rows r0..r0+nr-1 of m: margin (log-odds) if margin, else
 * probability; out[nr]. */
int predict_scores(struct predict_model *pm, const struct mtx *m, size_t r0, size_t nr, int margin,
    float *out, char **cause);
/* Exact TreeSHAP contributions of rows r0..r0+nr-1: out[nr × (nfeatures + 1)],
 * the last column being the bias; each row sums to the margin. */
int predict_contribs(struct predict_model *pm, const struct mtx *m, size_t r0, size_t nr,
    float *out, char **cause);
void predict_model_free(struct predict_model *pm);
/* Bytes that training a model on n rows like m's holds at its peak (issue
 * 18): the rows' CSR as built here (row pointers, and column indices and
 * values that grow by doubling) beside XGBoost's copy of it, then its
 * quantised histogram index, per-row labels, gradients and scores.  The
 * stored cells a row (continuous features and the 1s of binary ones) are
 * counted on up to 10,000 of m's rows. */
size_t predict_need(const struct layout *l, const struct mtx *m, size_t n);

/* |top-k(trtr) ∩ top-k(tstr)| / k by importance (features matched by model
 * column); ties broken by lower column.  k ≤ 0 → 20.  NAN if either has no
 * importance. */
double eval_fi_overlap(const struct predict_result *trtr, const struct predict_result *tstr, int k);

/* Top-k feature model columns of r by importance into cols[k]; returns the
 * number written (≤ nfeatures). */
int predict_top_features(const struct predict_result *r, int k, int *cols);
/* Standard error of eval_fi_overlap(trtr, tstr, k): a paired bootstrap over
 * the groups of SHAP rows (both models explained on the same rows); NAN
 * without groups in both. */
double eval_fi_overlap_se(const struct predict_result *trtr, const struct predict_result *tstr, int k,
    uint64_t seed);
/* Bootstrap standard error of eval_auroc over the rows (reps resamples). */
double eval_auroc_se(const float *score, const uint8_t *y, size_t n, int reps, uint64_t seed);

/* AUROC with ties counted ½ (sklearn roc_auc_score); NAN if one class. */
double eval_auroc(const float *score, const uint8_t *y, size_t n);
/* PR-AUC as sklearn average_precision_score; NAN if no positives. */
double eval_prauc(const float *score, const uint8_t *y, size_t n);

#endif
