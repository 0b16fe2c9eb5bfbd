/* synthehr — GPL-3.0-or-later.
 * Column profiles of a cohort: counts, missingness, moments, percentiles,
 * distinct values, prevalence, level counts, histograms and outlier flags
 * (how many patients each applicable rule would affect).  Computed once and
 * cached in STUDY/prep/profile.json, keyed by the source's sha256. */
#ifndef SYNTHEHR_PROFILE_H
#define SYNTHEHR_PROFILE_H

#include <stddef.h>
#include <jansson.h>

#include "synthehr/cohort.h"
#include "synthehr/hist.h"
#include "synthehr/study.h"

struct prep_plan;

struct profile_flag {
	char *rule;              /* description, e.g. "BMI outside [10, 60]: drop" */
	char *origin;            /* "plan" (study.json), "builtin" (clinical table), "stat" (3·IQR) */
	int enabled;             /* the rule is on in the plan */
	size_t affected, below, above;
	double lo, hi;           /* bounds used (±inf/NaN when open) */
};

struct col_profile {
	char *name;
	int role;                /* enum col_role */
	int kind;                /* enum col_kind */
	size_t n;                /* rows */
	size_t nmissing;
	double pmissing;         /* percent */
	int numeric;             /* the moments below are valid */
	double mean, sd, min, p1, p5, median, p95, p99, max;   /* observed values; sd with n−1 */
	size_t distinct;
	int binary;              /* prevalence is valid */
	size_t npos;
	double prevalence;       /* fraction of observed values equal to 1 */
	int nlevels;
	char **levels;           /* [nlevels] categorical level labels */
	size_t *level_count;     /* [nlevels] */
	int has_hist;
	struct hist hist;        /* numeric, non-binary columns */
	int has_core;
	struct hist core;        /* values within [p1, p99] when outliers stretch the range
	                            more than 5-fold (a zoomed view) */
	int nflags;
	struct profile_flag *flags;
};

struct profile {
	char key[65];            /* study_source_key() of what was profiled */
	size_t nrows;
	int ncols;
	struct col_profile *cols; /* [ncols] */
};

/* Profile every column; flags from the plan's rules (may be NULL), the
 * built-in clinical table and a 3·IQR statistical flag. */
struct profile *profile_compute(const struct cohort *c, const struct prep_plan *plan);
void profile_free(struct profile *p);
int profile_find(const struct profile *p, const char *name);   /* case-insensitive fallback */
json_t *profile_to_json(const struct profile *p);
int profile_from_json(json_t *j, struct profile **out, char **cause);
/* STUDY/prep/profile.json when its key matches key: 1 and *out; 0 when
 * absent or stale; -1 on a read error. */
int profile_load_cached(const struct study *s, const char *key, struct profile **out, char **cause);
int profile_save(const struct study *s, const struct profile *p, char **cause);
/* Cache key: the source key (study_source_key) plus the plan's rules. */
int profile_study_key(const struct study *s, char out[65], char **cause);

#endif
