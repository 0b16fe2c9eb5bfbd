/* synthehr — GPL-3.0-or-later.
 * The Review screen's column summaries (skim.h) on hand-computed cases:
 * the one type-7 quantile, util_quantile_sorted (and where the workbench's old "element ⌊p(n−1)⌋"
 * rule differed from it: the reason BMI's p1 read 14.30 in the workbench
 * and 14.41 in 'synthehr review'), the profile of 'synthehr review' using
 * the same function, a numeric and a 0/1 column's summary, sparklines,
 * compact numbers, the zoom window, the after-rule histogram and
 * co-missingness. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/cohort.h"
#include "synthehr/profile.h"
#include "synthehr/skim.h"
#include "synthehr/util.h"
#include "tap.h"

static void
test_quantile(void)
{
	static const double s4[] = { 1, 2, 3, 4 }, s2[] = { 10, 20 };
	double *v = xmalloc(200 * sizeof *v);
	int i;

	tap_ok(isnan(util_quantile_sorted(s4, 0, 0.5)), "quantile of nothing is NaN");
	tap_near(util_quantile_sorted(s4, 1, 0.3), 1, 0, "one value: itself");
	tap_near(util_quantile_sorted(s4, 4, 0), 1, 0, "p0 = min");
	tap_near(util_quantile_sorted(s4, 4, 1), 4, 0, "p100 = max");
	tap_near(util_quantile_sorted(s4, 4, 0.25), 1.75, 1e-12, "p25 of 1..4: h = 0.75, 1 + 0.75 = 1.75");
	tap_near(util_quantile_sorted(s4, 4, 0.5), 2.5, 1e-12, "median of 1..4 = 2.5");
	tap_near(util_quantile_sorted(s4, 4, 0.01), 1.03, 1e-12, "p1 of 1..4: h = 0.03, 1.03");
	tap_near(util_quantile_sorted(s2, 2, 0.01), 10.1, 1e-12,
	    "p1 of {10, 20} = 10.1 (the old workbench rule took element 0: 10)");
	/* 200 values 0, 1, ..., 198 and 5000: p1 at h = 1.99: 1.99; the old rule
	 * (element ⌊0.01·199⌋ = 1) gave 1 */
	for (i = 0; i < 199; i++)
		v[i] = i;
	v[199] = 5000;
	tap_near(util_quantile_sorted(v, 200, 0.01), 1.99, 1e-12, "p1 of 0..198, 5000 = 1.99 (interpolated)");
	tap_near(util_quantile_sorted(v, 200, 0.99), 197 + 0.01 * 1, 1e-9, "p99: h = 197.01, 197.01");
	free(v);
}

static struct cohort *
small_cohort(void)
{
	/* A: 1 2 . 4 100   B (0/1): 0 1 1 . 0 (binary kind)   C: . . 3 . 5 */
	static const double a[] = { 1, 2, NAN, 4, 100 }, cc[] = { NAN, NAN, 3, NAN, 5 };
	static const int b[] = { 0, 1, 1, -1, 0 };
	struct cohort *c = cohort_new(5);
	int ja = cohort_add_column(c, "A", ROLE_CONTINUOUS, KIND_NUMERIC);
	int jb = cohort_add_column(c, "B", ROLE_BINARY, KIND_BINARY);
	int jc = cohort_add_column(c, "C", ROLE_CONTINUOUS, KIND_NUMERIC);
	size_t r;

	for (r = 0; r < 5; r++) {
		if (isnan(a[r]))
			cohort_set_missing(c, ja, r);
		else
			c->cols[ja].num[r] = a[r];
		if (b[r] < 0)
			cohort_set_missing(c, jb, r);
		else
			c->cols[jb].bin[r] = (uint8_t)b[r];
		if (isnan(cc[r]))
			cohort_set_missing(c, jc, r);
		else
			c->cols[jc].num[r] = cc[r];
	}
	return c;
}

static void
test_columns(void)
{
	struct cohort *c = small_cohort();
	struct skim sk;
	const struct skim_col *a, *b;
	struct profile *p;

	skim_compute(c, &sk);
	a = &sk.cols[0];
	b = &sk.cols[1];
	tap_ok(a->type == SKIM_NUMERIC && a->n == 4 && a->nmissing == 1, "A: numeric, 4 observed, 1 missing");
	tap_near(a->complete, 0.8, 1e-12, "A: complete rate 4/5");
	tap_near(a->mean, 26.75, 1e-12, "A: mean (1+2+4+100)/4 = 26.75");
	/* squares of deviations 663.0625 + 612.5625 + 517.5625 + 5365.5625 = 7158.75; /3 */
	tap_near(a->sd, sqrt(7158.75 / 3), 1e-12, "A: sd with n-1 = sqrt(2386.25)");
	tap_ok(a->p0 == 1 && a->p100 == 100, "A: p0 1, p100 100");
	tap_near(a->p25, 1.75, 1e-12, "A: p25 = 1.75");
	tap_near(a->p50, 3, 1e-12, "A: p50 = 3");
	tap_near(a->p75, 28, 1e-12, "A: p75 = 4 + 0.25*96 = 28");
	tap_near(a->p1, 1.03, 1e-12, "A: p1 = 1.03");
	tap_near(a->p99, 97.12, 1e-9, "A: p99 = 4 + 0.97*96 = 97.12");
	tap_ok(a->nspark == SKIM_SPARK && a->spark[0] == 3 && a->spark[7] == 1 && a->spark[3] == 0,
	    "A: sparkline bins of width 99/8: 1, 2, 4 in the first, 100 in the last");
	tap_ok(!a->stretched, "A: range 99 is not 5 x (p99 - p1) = 480: no zoom needed");
	tap_ok(b->type == SKIM_BINARY && b->n == 4, "B: binary, 4 observed");
	tap_near(b->prevalence, 0.5, 1e-12, "B: prevalence 2/4");
	tap_near(b->sd, sqrt(0.25 * 4 / 3), 1e-12, "B: sd sqrt(p(1-p) n/(n-1))");
	tap_ok(b->p0 == 0 && b->p50 == 0.5 && b->p100 == 1 && b->p25 == 0 && b->p75 == 1,
	    "B: quartiles of 0 0 1 1: 0, 0.5, 1 (p25 h=0.75 -> 0, p75 h=2.25 -> 1)");
	/* 'synthehr review' (profile.c) prints the same p1 and p99 */
	p = profile_compute(c, NULL);
	tap_ok(p != NULL && p->cols[0].p1 == a->p1 && p->cols[0].p99 == a->p99 && p->cols[0].median == a->p50,
	    "profile (synthehr review) and skim agree on p1, p99, median");
	profile_free(p);
	skim_done(&sk);
	cohort_free(c);
}

#define tap_str_eq(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!tap_ok(strcmp(g_, w_) == 0, __VA_ARGS__)) \
		tap_diag("got '%s', want '%s'", g_, w_); \
} while (0)

static void
test_text(void)
{
	static const size_t cnt[] = { 0, 1, 8, 4 };
	char b[64];

	tap_str_eq(skim_spark_text(cnt, 4, 0, b, sizeof b), " \u2581\u2588\u2584", "sparkline: blank, lowest, full, half");
	tap_str_eq(skim_spark_text(cnt, 4, 1, b, sizeof b), " .#-", "ASCII sparkline");
	tap_str_eq(skim_fmt(b, sizeof b, 1866, 6), "1866", "1866 whole");
	tap_str_eq(skim_fmt(b, sizeof b, 29.7512, 6), "29.75", "4 significant digits");
	tap_str_eq(skim_fmt(b, sizeof b, 181294, 6), "181294", "181294 fits 6");
	tap_str_eq(skim_fmt(b, sizeof b, 181294, 5), "181k", "181294 in 5: 181k");
	tap_str_eq(skim_fmt(b, sizeof b, 1234567, 6), "1.23M", "1234567 in 6: 1.23M");
	tap_str_eq(skim_fmt(b, sizeof b, 0.30914, 6), "0.3091", "0.30914 in 6");
	tap_str_eq(skim_fmt(b, sizeof b, NAN, 6), "-", "NaN: -");
	hist_format_num(b, sizeof b, 10000);
	tap_str_eq(b, "10000", "axis label 10000 (it read 1e+04)");
	hist_format_num(b, sizeof b, 12345.6);
	tap_str_eq(b, "12346", "axis label 12345.6: 12346, no exponent below 1e6");
	hist_format_num(b, sizeof b, 29.75);
	tap_str_eq(b, "29.75", "axis label 29.75");
}

static void
test_hist(void)
{
	double s[11], v[5] = { 5, 50, NAN, 15, 0 };
	struct hist h, before, after;
	struct skim_bound bd = { 1, 20, 0 };
	size_t below, above, aff, hid, i, tot;
	uint8_t out[HIST_MAX_BINS];
	int k;

	for (i = 0; i < 10; i++)
		s[i] = (double)(i + 1);
	s[10] = 1000;
	skim_hist(s, 11, 1, 10, 20, &h, &below, &above);
	tap_ok(h.total == 10 && below == 0 && above == 1, "zoom [1, 10]: 10 values drawn, 1000 left out");
	tap_ok(hist_edge(&h, h.nbins) < 20 && hist_edge(&h, 0) >= -1, "zoom bins span about 1..10 (whole-number bins of 5 from -0.5 to 14.5), not to 1000");
	if (!(hist_edge(&h, h.nbins) < 20))
		tap_diag("bins %d from %g width %g", h.nbins, h.lo, h.width);
	hist_done(&h);
	/* after: values 5 50 15 0 with bounds [1, 20], drop: 50 and 0 go */
	/* bins of width 5 from 0: 0 in bin 0, 5 in 1, 15 in 3, 50 in 10 */
	memset(&h, 0, sizeof h);
	h.nbins = 11;
	h.width = 5;
	h.count = xcalloc(11, sizeof *h.count);
	hist_copy(&before, &h);
	hist_done(&h);
	skim_after(v, 5, NULL, &bd, 1, &before, NAN, NAN, &after, out, &aff, &hid);
	tap_ok(aff == 2 && after.total == 2 && hid == 0, "drop [1, 20]: 2 affected, 2 kept");
	tap_ok(out[0] && out[10] && !out[1] && !out[3] && after.count[1] == 1 && after.count[3] == 1,
	    "bins 0 and 10 (values 0 and 50) marked, 5's and 15's not; 5 and 15 kept");
	hist_done(&after);
	bd.clip = 1;
	skim_after(v, 5, NULL, &bd, 1, &before, NAN, NAN, &after, out, &aff, &hid);
	tap_ok(aff == 2 && after.total == 4 && after.count[4] == 1 && after.count[0] == 1,
	    "clip [1, 20]: 4 kept, 50 moved to 20 (bin 4), 0 to 1 (bin 0)");
	hist_done(&after);
	/* a row mask (a cross rule) drops row 0 (value 5); a window [1, 20]
	 * hides the affected 50 and 0 */
	bd.clip = 0;
	skim_after(v, 5, (const uint8_t[]){ 1, 0, 0, 0, 0 }, &bd, 1, &before, 1, 20, &after, out, &aff, &hid);
	for (k = 0, tot = 0; k < after.nbins; k++)
		tot += after.count[k];
	tap_ok(aff == 3 && hid == 2 && tot == 1, "row mask: 3 affected, 2 outside the window, 15 kept");
	hist_done(&after);
	hist_done(&before);
	{
		double kept[5];
		size_t m;

		bd.clip = 0;
		m = skim_kept(v, 5, NULL, &bd, 1, kept);
		tap_ok(m == 2 && kept[0] == 5 && kept[1] == 15, "kept by drop [1, 20]: 5, 15 (sorted)");
		bd.clip = 1;
		m = skim_kept(v, 5, NULL, &bd, 1, kept);
		tap_ok(m == 4 && kept[0] == 1 && kept[1] == 5 && kept[2] == 15 && kept[3] == 20,
		    "kept by clip [1, 20]: 1 (from 0), 5, 15, 20 (from 50)");
	}
}

static void
test_comissing(void)
{
	struct cohort *c = small_cohort();
	struct skim_pair *p;
	int n;

	/* A missing in row 2; B in row 3; C in rows 0 1 3 */
	n = skim_comissing(c, 1, &p);
	tap_ok(n == 2 && p[0].col == 2 && p[0].both == 1, "B with C: both missing in row 3");
	tap_near(p[0].jaccard, 1.0 / 3, 1e-12, "B-C Jaccard 1 / (1 + 3 - 1)");
	tap_ok(p[1].col == 0 && p[1].both == 0 && p[1].jaccard == 0, "B with A: never together");
	free(p);
	n = skim_comissing(c, 2, &p);
	tap_ok(n == 2 && p[0].col == 1, "C: B first (Jaccard 1/3 > 0)");
	free(p);
	cohort_free(c);
}

static void
test_patterns(void)
{
	struct cohort *c = small_cohort();
	static const int cols[] = { 0, 1, 2 };
	struct skim_pattern *p;
	int n;

	/* rows: 0 C, 1 C, 2 A, 3 B+C, 4 nothing (A = bit 0, B = 1, C = 2) */
	n = skim_patterns(c, cols, 3, &p);
	tap_ok(n == 4, "four patterns: C, A, B+C, none (%d)", n);
	tap_ok(n == 4 && p[0].mask == 4 && p[0].rows == 2, "C alone in 2 rows, first");
	tap_ok(n == 4 && p[1].mask == 6 && p[1].rows == 1 && p[1].ncols == 2, "then B+C (1 row, 2 columns before 1)");
	tap_ok(n == 4 && p[2].mask == 1 && p[2].rows == 1, "then A (1 row)");
	tap_ok(n == 4 && p[3].mask == 0 && p[3].rows == 1 && p[3].ncols == 0, "then the complete row");
	free(p);
	cohort_free(c);
}

int
main(void)
{
	test_quantile();
	test_columns();
	test_text();
	test_hist();
	test_comissing();
	test_patterns();
	return tap_done();
}
