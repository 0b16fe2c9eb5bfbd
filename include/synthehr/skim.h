/* synthehr — GPL-3.0-or-later.
 * A column summary in the manner of R's skimr, for the workbench's Review
 * screen: per column the complete rate, mean, sd, p0/p25/p50/p75/p100 (and
 * p1/p99 for the zoom), an inline sparkline histogram and, for 0/1 columns,
 * the prevalence; the zoomed and after-rule histograms of one column; and
 * co-missingness (which columns are missing in the same rows).
 *
 * Quantiles are util_quantile_sorted, the one definition of the profile
 * ('synthehr review') and the workbench: linear interpolation between
 * order statistics, Hyndman & Fan type 7 (R's default, numpy's "linear"). */
#ifndef SYNTHEHR_SKIM_H
#define SYNTHEHR_SKIM_H

#include <stddef.h>
#include <stdint.h>

#include "synthehr/cohort.h"
#include "synthehr/hist.h"

#define SKIM_SPARK 8   /* sparkline bins */

enum skim_type { SKIM_NUMERIC, SKIM_BINARY, SKIM_CATEGORICAL, SKIM_TEXT };

struct skim_col {
	int col;                 /* index in the cohort */
	enum skim_type type;
	size_t n, nmissing;      /* observed and missing values */
	double complete;         /* n / rows (1 for an empty cohort) */
	int stats;               /* mean … p100 are valid (a numeric or binary column with values) */
	double mean, sd;         /* sd with n − 1 (NaN for n < 2) */
	double p0, p1, p25, p50, p75, p99, p100;
	double prevalence;       /* binary: fraction of observed values equal to 1 */
	size_t spark[SKIM_SPARK];/* numeric: counts in equal bins over [p0, p100];
	                            categorical: the first SKIM_SPARK levels' counts */
	int nspark;              /* bins used (numeric: 1 when p0 == p100) */
	int stretched;           /* p100 − p0 > 5·(p99 − p1) > 0: the p1–p99 zoom shows
	                            more (the rule of 'synthehr review') */
};

struct skim {
	size_t nrows;
	int ncols;
	struct skim_col *cols;   /* [ncols], in the cohort's order */
};

/* One column's summary. */
void skim_column(const struct cohort *c, int col, struct skim_col *out);
/* Every column's. */
void skim_compute(const struct cohort *c, struct skim *out);
void skim_done(struct skim *s);

/* Observed values of a column (numeric: the values; binary 0/1; categorical
 * the level index), sorted; *out is malloc'd (caller frees); returns the count. */
size_t skim_sorted(const struct cohort *c, int col, double **out);

/* Sparkline of k counts (scaled to the largest) into buf: one block glyph
 * per count ("▁▂▃▄▅▆▇█", an empty bin a space; a non-empty one never
 * blank), or in ASCII one of " .,:-=+*#".  Returns buf. */
char *skim_spark_text(const size_t *cnt, int k, int ascii, char *buf, size_t size);

/* A number in at most width (≥ 5) characters: "%.4g"-like, then fewer
 * digits, then k/M suffixes; "-" for NaN.  Returns buf. */
char *skim_fmt(char *buf, size_t size, double v, int width);

/* A histogram of the sorted values s[n] that lie in [lo, hi] (NaN or ±inf
 * bounds: no limit), binned as 'synthehr review' bins them (hist_layout on
 * those values); *below and *above count the values left out (may be NULL).
 * The histogram owns its counts; hist_done frees. */
void skim_hist(const double *s, size_t n, double lo, double hi, int maxbins, struct hist *h,
    size_t *below, size_t *above);

/* What the rules do to one column, value by value: a row is dropped when
 * drop[row] is set, or when its value lies outside a bound [lo[k], hi[k]]
 * (NaN: open) with clip[k] 0; with clip[k] 1 the value moves to the bound.
 * Bounds apply in order.  Over the bins of before (whose window is
 * [wlo, whi], NaN: open), after gets the values kept (clipped ones at their
 * bound), out[bin] = 1 where a value of the window was dropped or clipped;
 * *hidden counts the affected values outside the window.  v[n] holds the
 * column's values by row, NaN when missing. */
struct skim_bound { double lo, hi; int clip; };
void skim_after(const double *v, size_t n, const uint8_t *drop, const struct skim_bound *b, int nb,
    const struct hist *before, double wlo, double whi, struct hist *after, uint8_t *out,
    size_t *affected, size_t *hidden);
/* The values the same rules keep (clipped ones at their bound), sorted,
 * into out[≤ n]; returns their count. */
size_t skim_kept(const double *v, size_t n, const uint8_t *drop, const struct skim_bound *b, int nb,
    double *out);

/* Co-missingness of column col with every other column that has missing
 * values: the rows where both are missing and the Jaccard index
 * both / (rows where either is missing).  Sorted by Jaccard, then both,
 * descending (then by column order).  *out is malloc'd; returns the count. */
struct skim_pair {
	int col;
	size_t both;
	double jaccard;
};
int skim_comissing(const struct cohort *c, int col, struct skim_pair **out);

/* Missingness patterns (as R's mice::md.pattern or naniar's upset plot):
 * over columns cols[k] (k ≤ 64), each combination of missing columns that
 * some row has, bit j of mask set when cols[j] is missing, with its rows;
 * most rows first, then more columns first, then by mask.  The pattern of
 * rows with nothing missing (mask 0) is included.  *out is malloc'd;
 * returns the count. */
struct skim_pattern {
	uint64_t mask;
	size_t rows;
	int ncols;          /* bits set in mask */
};
int skim_patterns(const struct cohort *c, const int *cols, int k, struct skim_pattern **out);

#endif
