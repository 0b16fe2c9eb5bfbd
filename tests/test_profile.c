/* synthehr — GPL-3.0-or-later.
 * Profile and histogram tests: binning rules on hand-computed data, the
 * renderer's geometry and roles, column statistics and flags, and the
 * profile.json round trip. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "synthehr/hist.h"
#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/util.h"
#include "tap.h"

static void
test_binning(void)
{
	double x[1001];
	struct hist h;
	size_t tot;
	int i;

	/* 1..100 (integers): FD width 2·49.5/100^(1/3) = 21.3 → nice 25, bins
	 * centred on integers from -0.5: [-0.5,24.5) [24.5,49.5) ... */
	for (i = 0; i < 100; i++)
		x[i] = i + 1;
	hist_build(&h, x, 100, 0);
	tap_ok(h.integer, "integer data detected");
	tap_near(h.width, 25, 0, "integer FD width rounded to a nice 25");
	tap_near(h.lo, -0.5, 0, "integer bins start half a unit below");
	tap_ok(h.nbins == 5 && h.count[0] == 24 && h.count[1] == 25 && h.count[2] == 25 &&
	    h.count[3] == 25 && h.count[4] == 1, "integer bin counts 24,25,25,25,1");
	hist_done(&h);

	/* 0.0, 0.1, ..., 9.9: FD 2·4.95/100^(1/3) = 2.13 → 2.5; four bins of 25 */
	for (i = 0; i < 100; i++)
		x[i] = i / 10.0;
	hist_build(&h, x, 100, 0);
	tap_ok(!h.integer && h.width == 2.5 && h.lo == 0 && h.nbins == 4, "real data: 4 bins of 2.5 from 0");
	tap_ok(h.count[0] == 25 && h.count[1] == 25 && h.count[2] == 25 && h.count[3] == 25,
	    "real bin counts 25 each");
	hist_done(&h);

	/* a wild outlier: the bin count is capped and nothing is lost */
	for (i = 0; i < 1000; i++)
		x[i] = i + 0.5;
	x[1000] = 1e6;
	hist_build(&h, x, 1001, 0);
	for (i = 0, tot = 0; i < h.nbins; i++)
		tot += h.count[i];
	tap_ok(h.nbins <= HIST_MAX_BINS && h.nbins >= 2, "bins capped at %d (got %d)", HIST_MAX_BINS, h.nbins);
	tap_ok(tot == 1001 && h.total == 1001 && h.count[h.nbins - 1] == 1, "all values binned, outlier alone");
	hist_done(&h);

	/* constant and NaN-only */
	for (i = 0; i < 10; i++)
		x[i] = i < 7 ? 5 : NAN;
	hist_build(&h, x, 10, 0);
	tap_ok(h.nbins == 1 && h.count[0] == 7 && h.total == 7, "constant column: one bin, NaN skipped");
	hist_done(&h);
	for (i = 0; i < 3; i++)
		x[i] = NAN;
	hist_build(&h, x, 3, 0);
	tap_ok(h.total == 0, "no values: empty histogram");
	hist_done(&h);

	/* maxbins honoured */
	for (i = 0; i < 1000; i++)
		x[i] = i;
	hist_build(&h, x, 1000, 8);
	tap_ok(h.nbins <= 8, "maxbins 8 honoured (%d)", h.nbins);
	hist_done(&h);
}

static int
ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 128)
			return 0;
	return 1;
}

static void
test_render(void)
{
	double x[200];
	struct hist h;
	struct hist_style st = { .width = 80, .height = 6 };
	struct hist_lines hl;
	uint8_t out[HIST_MAX_BINS];
	int i, ok = 1, has_out = 0, has_bar = 0;

	for (i = 0; i < 200; i++)
		x[i] = (i % 50) + (i / 50) * 3;
	hist_build(&h, x, 200, 0);
	hist_render(&h, &st, &hl);
	tap_ok(hl.n == 6 + 2, "vertical: height + axis + labels = 8 lines (%d)", hl.n);
	for (i = 0; i < hl.n; i++)
		ok &= hl.cells[i] == 80;
	tap_ok(ok, "every line is exactly 80 cells");
	tap_ok(strstr(hl.text[0], "█") != NULL, "UTF-8 block characters used");
	tap_ok(strstr(hl.text[hl.n - 2], "└") != NULL, "axis line");
	hist_lines_free(&hl);

	memset(out, 0, sizeof out);
	out[0] = 1;
	st.bin_out = out;
	st.ascii = 1;
	hist_render(&h, &st, &hl);
	for (i = 0, ok = 1; i < hl.n; i++) {
		ok &= ascii_only(hl.text[i]) && (int)strlen(hl.text[i]) == hl.cells[i];
		for (int k = 0; k < hl.cells[i]; k++) {
			has_out |= hl.role[i][k] == HIST_ROLE_BAR_OUT;
			has_bar |= hl.role[i][k] == HIST_ROLE_BAR;
		}
	}
	tap_ok(ok, "ASCII fallback: one byte per cell, nothing above 127");
	tap_ok(has_out && has_bar, "roles: marked bin drawn as BAR_OUT, others as BAR");
	hist_lines_free(&hl);

	st.bin_out = NULL;
	st.ascii = 0;
	st.horizontal = 1;
	st.height = 0;
	hist_render(&h, &st, &hl);
	tap_ok(hl.n == h.nbins, "horizontal: one line per bin (%d)", hl.n);
	{
		char want[32];

		snprintf(want, sizeof want, "%zu", h.count[0]);
		tap_ok(strstr(hl.text[0], want) != NULL, "horizontal line carries its count");
	}
	hist_lines_free(&hl);
	hist_done(&h);

	memset(&h, 0, sizeof h);
	hist_render(&h, NULL, &hl);
	tap_ok(hl.n == 1 && strstr(hl.text[0], "no values"), "empty histogram renders a note");
	hist_lines_free(&hl);

	/* narrow width still fits */
	for (i = 0; i < 200; i++)
		x[i] = i;
	hist_build(&h, x, 200, 0);
	st.horizontal = 0;
	st.width = 30;
	st.height = 3;
	hist_render(&h, &st, &hl);
	for (i = 0, ok = 1; i < hl.n; i++)
		ok &= hl.cells[i] == 30;
	tap_ok(ok, "30-cell budget respected (bins merged)");
	hist_lines_free(&hl);
	hist_done(&h);
}

static void
test_profile(void)
{
	struct cohort *c = cohort_new(8);
	struct profile *p, *q;
	struct prep_plan plan;
	json_t *j;
	char *cause = NULL;
	int a, b, k, bmi, i;
	static const uint8_t bins[8] = { 1, 0, 0, 1, 1, 0, 0, 0 };
	static const int32_t cats[8] = { 0, 1, 2, 0, 0, 1, 0, 0 };
	static const double bmiv[8] = { 22, 25, 5, 30, 75, 28, 24, 26 };
	const char *lv[3] = { "A", "B", "C" };

	a = cohort_add_column(c, "X", ROLE_CONTINUOUS, KIND_NUMERIC);
	for (i = 0; i < 8; i++)
		c->cols[a].num[i] = i + 1;
	for (i = 4; i < 8; i++)
		cohort_set_missing(c, a, i);    /* observed: 1 2 3 4 */
	b = cohort_add_column(c, "FLAG", ROLE_BINARY, KIND_BINARY);
	memcpy(c->cols[b].bin, bins, 8);
	k = cohort_add_column(c, "RACE", ROLE_CATEGORICAL, KIND_CATEGORICAL);
	memcpy(c->cols[k].cat, cats, sizeof cats);
	cohort_set_levels(c, k, 3, lv);
	bmi = cohort_add_column(c, "bmi", ROLE_CONTINUOUS, KIND_NUMERIC);
	memcpy(c->cols[bmi].num, bmiv, sizeof bmiv);

	prep_plan_default(&plan, c);
	tap_ok(plan.nrules == 1 && plan.rules[0].enabled && plan.rules[0].min == 10 && plan.rules[0].max == 60,
	    "default plan: BMI 10-60 from the clinical table (matched case-insensitively)");
	p = profile_compute(c, &plan);
	tap_ok(p->cols[a].n == 8 && p->cols[a].nmissing == 4 && p->cols[a].pmissing == 50, "n, missing, %");
	tap_near(p->cols[a].mean, 2.5, 1e-12, "mean of 1..4");
	tap_near(p->cols[a].sd, sqrt(5.0 / 3.0), 1e-12, "sample SD of 1..4");
	tap_near(p->cols[a].median, 2.5, 1e-12, "median");
	tap_near(p->cols[a].p1, 1.03, 1e-12, "p1 by linear interpolation");
	tap_near(p->cols[a].p99, 3.97, 1e-12, "p99");
	tap_ok(p->cols[a].min == 1 && p->cols[a].max == 4 && p->cols[a].distinct == 4, "min, max, distinct");
	tap_ok(p->cols[a].has_hist && p->cols[a].hist.total == 4, "histogram of observed values");
	tap_ok(p->cols[b].binary && p->cols[b].npos == 3, "binary: 3 positives");
	tap_near(p->cols[b].prevalence, 0.375, 1e-12, "prevalence 3/8");
	tap_near(p->cols[b].sd, sqrt(0.375 * 0.625 * 8 / 7), 1e-12, "binary SD from counts");
	tap_ok(p->cols[k].nlevels == 3 && p->cols[k].level_count[0] == 5 && p->cols[k].level_count[1] == 2 &&
	    p->cols[k].level_count[2] == 1 && p->cols[k].distinct == 3, "categorical level counts 5/2/1");
	tap_ok(p->cols[bmi].nflags == 2 && p->cols[bmi].flags[0].affected == 2 &&
	    p->cols[bmi].flags[0].below == 1 && p->cols[bmi].flags[0].above == 1 && p->cols[bmi].flags[0].enabled,
	    "BMI flag: 1 below 10, 1 above 60, enabled");
	/* 3·IQR: sorted 5 22 24 25 26 28 30 75: q1 = 23.5, q3 = 28.5 → [8.5, 43.5] */
	tap_ok(p->cols[bmi].flags[1].below == 1 && p->cols[bmi].flags[1].above == 1, "3*IQR flag counts");
	tap_near(p->cols[bmi].flags[1].lo, 8.5, 1e-12, "3*IQR lower bound");

	memcpy(p->key, "abc", 4);
	j = profile_to_json(p);
	tap_ok(profile_from_json(j, &q, &cause) == 0, "profile.json parses back");
	json_decref(j);
	tap_ok(strcmp(q->key, "abc") == 0 && q->ncols == 4 && q->cols[a].mean == p->cols[a].mean &&
	    q->cols[a].hist.nbins == p->cols[a].hist.nbins && q->cols[k].level_count[0] == 5 &&
	    q->cols[bmi].nflags == 2 && q->cols[bmi].flags[0].above == 1 && isinf(q->cols[bmi].flags[1].hi) == 0,
	    "round trip keeps statistics, histograms, levels and flags");
	{
		json_t *j1 = profile_to_json(p), *j2 = profile_to_json(q);

		tap_ok(json_equal(j1, j2), "round trip is exact");
		json_decref(j1);
		json_decref(j2);
	}
	j = json_pack("{s:i}", "synthehr_profile", 2);
	tap_ok(profile_from_json(j, &q, &cause) != 0 && cause && strstr(cause, "version"), "bad version refused");
	free(cause);
	json_decref(j);
	profile_free(q);
	profile_free(p);
	prep_plan_done(&plan);
	cohort_free(c);
}

static void
test_core_hist(void)
{
	struct cohort *c = cohort_new(200);
	struct profile *p, *q;
	json_t *j;
	int k, i;

	k = cohort_add_column(c, "W", ROLE_CONTINUOUS, KIND_NUMERIC);
	for (i = 0; i < 200; i++)
		c->cols[k].num[i] = i < 198 ? 50 + i % 20 : 5000;   /* two wild values */
	p = profile_compute(c, NULL);
	tap_ok(p->cols[0].has_core && p->cols[0].core.total <= 200 && p->cols[0].core.total >= 190,
	    "outlier-stretched range gets a p1-p99 zoom histogram (%zu values)", p->cols[0].core.total);
	tap_ok(hist_edge(&p->cols[0].core, p->cols[0].core.nbins) < 100, "zoom excludes the outliers");
	j = profile_to_json(p);
	tap_ok(profile_from_json(j, &q, NULL) == 0 && q->cols[0].has_core &&
	    q->cols[0].core.nbins == p->cols[0].core.nbins, "zoom histogram cached");
	json_decref(j);
	profile_free(q);
	profile_free(p);
	cohort_free(c);
}

int
main(void)
{
	test_binning();
	test_render();
	test_profile();
	test_core_hist();
	return tap_done();
}
