/* synthehr — GPL-3.0-or-later.
 * Preprocessing: the plan (outlier rules, missingness, low prevalence,
 * scaling, split) as read from and written to study.json "prep"; counting
 * what each rule affects (cheap, for live previews); applying the plan in
 * the tutorial's order (outliers → impute → scale fit → low prevalence →
 * split); the model-matrix layout and encode/decode between cohorts and
 * model rows; and a Table-1-shaped cohort summary. */
#ifndef SYNTHEHR_PREP_H
#define SYNTHEHR_PREP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/cohort.h"
#include "synthehr/encode.h"
#include "synthehr/hist.h"
#include "synthehr/mtx.h"
#include "synthehr/study.h"

enum prep_rule_type {
	PREP_RULE_RANGE,       /* column outside [min, max] (clinical plausibility) */
	PREP_RULE_CROSS,       /* "left op right" must hold (e.g. DIASTOLIC < SYSTOLIC) */
	PREP_RULE_IQR,         /* outside [Q1 − k·IQR, Q3 + k·IQR] */
	PREP_RULE_PERCENTILE,  /* outside [P_lo, P_hi] (percent) */
	PREP_RULE_TYPE_COUNT
};

enum prep_action {
	PREP_ACTION_DROP,      /* remove the patient (the tutorial's choice) */
	PREP_ACTION_CLIP,      /* clip the value into the bounds (not for cross rules) */
	PREP_ACTION_COUNT
};

enum prep_cmp { PREP_CMP_LT, PREP_CMP_LE, PREP_CMP_GT, PREP_CMP_GE, PREP_CMP_COUNT };

struct prep_rule {
	enum prep_rule_type type;
	char *column;          /* range/iqr/percentile: the column; cross: the left column */
	char *right;           /* cross: the right column */
	enum prep_cmp op;      /* cross: the relation that must hold */
	double min, max;       /* range bounds in cohort units; NAN = unbounded */
	double k;              /* iqr multiplier */
	double lo, hi;         /* percentile bounds in percent (0–100) */
	enum prep_action action;
	int enabled;
};

enum prep_impute {
	PREP_IMPUTE_SAMPLE,    /* random draw from the observed values (the tutorial) */
	PREP_IMPUTE_MEDIAN,    /* numeric: median; coded columns: most frequent level */
	PREP_IMPUTE_MEAN,      /* numeric: mean; coded columns: most frequent level */
	PREP_IMPUTE_DROP,      /* remove patients with a missing value in the column */
	PREP_IMPUTE_COUNT
};

struct prep_plan {
	int nrules;
	struct prep_rule *rules;    /* [nrules], applied in order */
	double drop_above;          /* drop columns with missing fraction > this (default 0.5) */
	enum prep_impute impute;    /* default method (sample) */
	int nimp;
	char **imp_col;             /* [nimp] per-column overrides */
	enum prep_impute *imp_method;
	uint64_t impute_seed;       /* default 4 (the tutorial's random.seed(4)) */
	double low_prevalence;      /* drop binary/concept columns with prevalence < this (5e-5) */
	int scale_fit_train;        /* 0: min–max fitted on the full cohort (tutorial); 1: train only */
	double train_frac;          /* 0.7 */
	uint64_t split_seed;        /* 0 */
	int stratify;               /* stratify the split by the label */
	struct enc_request enc;     /* generator encodings: default (auto) and per-column kinds */
};

/* Built-in table of plausible clinical ranges, matched by column name
 * (case-insensitive) or alias. */
struct prep_clinical {
	const char *name;        /* canonical name */
	const char *aliases;     /* comma-separated */
	double min, max;         /* NAN = unbounded */
	const char *unit;
	int enabled;             /* on by default (the tutorial's rules) */
	const char *why;
};
const struct prep_clinical *prep_clinical_table(int *n);
const struct prep_clinical *prep_clinical_find(const char *column);

/* Plan: defaults are the tutorial's.  With c != NULL and no "outliers" key,
 * the outlier list is the built-in table's entries whose name matches a
 * continuous column of c (enabled as the table says). */
void prep_plan_default(struct prep_plan *p, const struct cohort *c);
int prep_plan_from_json(json_t *prep, const struct cohort *c, struct prep_plan *p, char **cause);
json_t *prep_plan_to_json(const struct prep_plan *p);
/* study.json "prep" section (creating defaults when absent). */
int prep_plan_load(struct study *s, const struct cohort *c, struct prep_plan *p, char **cause);
/* Write the plan into study.json "prep" and save study.json. */
int prep_plan_save(struct study *s, const struct prep_plan *p, char **cause);
void prep_plan_done(struct prep_plan *p);
void prep_plan_copy(struct prep_plan *dst, const struct prep_plan *src);
/* Set the generator encoding of a column (col NULL: the default); ENC_AUTO
 * removes a column's override. */
void prep_plan_set_encoding(struct prep_plan *p, const char *col, int kind);
/* Append a rule (strings copied). */
void prep_plan_add_rule(struct prep_plan *p, const struct prep_rule *r);
void prep_rule_done(struct prep_rule *r);
int prep_rule_from_json(json_t *j, struct prep_rule *r, char **cause);
json_t *prep_rule_to_json(const struct prep_rule *r);
/* "BMI outside [10, 60]: drop" */
void prep_rule_describe(const struct prep_rule *r, char *buf, size_t size);
const char *prep_impute_name(enum prep_impute m);

/* What a rule does to a cohort now. */
struct prep_count {
	size_t affected;       /* patients matched (NaN never matches) */
	size_t below, above;   /* range/iqr/percentile: under lo / over hi */
	double lo, hi;         /* the bounds used (range: min/max; stat rules: computed) */
};
/* O(n) for range and cross rules, O(n log n) for statistical rules. */
int prep_rule_count(const struct cohort *c, const struct prep_rule *r, struct prep_count *out,
    char **cause);
/* The histogram after applying one rule to the rule's column (same bins as
 * before): dropped patients leave, clipped values move to the bounds.
 * bin_out[nbins] (may be NULL) marks bins holding affected values. */
int prep_rule_preview(const struct cohort *c, const struct prep_rule *r,
    const struct hist *before, struct hist *after, uint8_t *bin_out, char **cause);

/* A Table-1-shaped summary of a cohort. */
#define PREP_SUMMARY_TOP 10
struct prep_summary {
	size_t n;
	int has_age;
	double age_mean, age_sd;
	int has_sex;
	double female_pct;
	char *race_name;            /* first categorical group, NULL if none */
	int nrace;
	char **race_level;          /* [nrace] */
	size_t *race_count;         /* [nrace] */
	char *label_name;           /* NULL if no label */
	size_t label_count;
	double label_pct;
	int ncont;
	char **cont_name;           /* [ncont] continuous columns */
	double *cont_mean, *cont_sd;/* [ncont] over observed values; sd with n−1 */
	size_t *cont_missing;       /* [ncont] */
	int ntop;
	char **top_name;            /* [ntop] most prevalent concepts */
	double *top_prev;           /* [ntop] */
	size_t *top_count;          /* [ntop] */
	int ncols;                  /* model-matrix width: groups count their levels; ids excluded */
};
void prep_summary(const struct cohort *c, struct prep_summary *out);
void prep_summary_done(struct prep_summary *s);
/* The tutorial's outlier rules as a study.json "prep.outliers" list (the
 * demo's and the MIMIC-IV importer's sidecars). */
json_t *prep_default_outliers(void);
json_t *prep_summary_to_json(const struct prep_summary *s);

/* Applying the plan. */
struct prep_report {
	size_t rows_in, rows_out, ntrain, ntest;
	int cols_in, cols_out;      /* model-matrix widths before and after */
	struct prep_summary before, after;
	json_t *log;                /* what prep/log.json holds */
	double seconds;
};
void prep_report_done(struct prep_report *r);

/* Load the study's cohort, apply its plan, write prep/ (layout.json,
 * train.mtx, test.mtx, train.csv, test.csv, log.json). */
int prep_run(struct study *s, struct prep_report *rep, char **cause);
/* The same on a cohort already loaded (consumed: modified in place). */
int prep_run_cohort(struct study *s, struct cohort *c, struct prep_report *rep, char **cause);
/* Apply the plan to c in place and build the layout and the scaled train
 * and test matrices (no files).  log: a JSON object filled with the record. */
int prep_apply(struct cohort *c, const struct prep_plan *p, struct layout **lout,
    struct mtx **train, struct mtx **test, json_t *log, char **cause);

int prep_load_layout(const struct study *s, struct layout **out, char **cause);
/* Attach prep/SPLIT.f64 ("train" or "test": the continuous columns'
 * original float64 values) to the matrix just read from prep/SPLIT.mtx;
 * -1 with cause when it is absent (a study prepared before it existed) or
 * does not belong to the matrix. */
int prep_attach_f64(const struct study *s, const char *split, struct mtx *m, char **cause);
int prep_load_split(const struct study *s, const struct layout *l, struct mtx **train,
    struct mtx **test, char **cause);

/* Layout of a prepared cohort in the tutorial's order: categorical groups,
 * label, sex, other binary columns, concepts, continuous.  Continuous ranges
 * are the cohort's min/max over rows fit[0..nfit-1] (all rows when NULL). */
int prep_layout_build(const struct cohort *c, const size_t *fit, size_t nfit,
    struct layout **out, char **cause);
/* Model rows → cohort in original units and labels (groups by argmax,
 * binary ≥ 0.5); columns in layout order. */
struct cohort *prep_decode(const struct layout *l, const struct mtx *m);
/* Cohort with the layout's source columns → model rows, unscaled (scaled=0). */
int prep_encode(const struct layout *l, const struct cohort *c, struct mtx **out, char **cause);
/* Model rows as a CSV in cohort units with original names and labels. */
int prep_write_csv(const char *path, const struct layout *l, const struct mtx *m, char **cause);
/* The same in row blocks (generate streams its rows): open with any matrix
 * of the layout (its slots), then rows of matrices in order, then commit
 * (atomic) or abort. */
struct prep_csv;
struct prep_csv *prep_csv_open(const char *path, const struct layout *l, const struct mtx *m, char **cause);
int prep_csv_rows(struct prep_csv *pc, const struct mtx *m, char **cause);
int prep_csv_commit(struct prep_csv *pc, char **cause);
void prep_csv_abort(struct prep_csv *pc);

/* prep/encoding.json into l->enc (absent file: l->enc stays NULL). */
int prep_load_encoding(const struct study *s, struct layout *l, char **cause);


#endif
