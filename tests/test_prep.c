/* synthehr — GPL-3.0-or-later.
 * Preprocessing tests: every rule type on hand-made data with hand-counted
 * results, drop vs clip, missingness (drop columns, imputation from the
 * observed marginal with a chi-square check, median/mean), low prevalence,
 * split sizes and stratification, the layout order and names, encode/decode
 * round trips and their errors, plan JSON round trip and errors, prep_run
 * writing byte-identical files twice, and the demo cohort's Table-1 pattern. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/csvio.h"
#include "synthehr/demo.h"
#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

static int
col_of(struct cohort *c, const char *name)
{
	int j = cohort_find(c, name);

	if (j < 0)
		fatalx("no column %s", name);
	return j;
}

static void
set_num(struct cohort *c, const char *name, const double *v)
{
	int j = col_of(c, name);
	size_t r;

	for (r = 0; r < c->nrows; r++) {
		if (isnan(v[r]))
			cohort_set_missing(c, j, r);
		else
			c->cols[j].num[r] = v[r];
	}
}

/* 12 patients: RACE (3 levels), DIE_1y, GENDER, two concepts, AGE, BMI,
 * DIASTOLIC, SYSTOLIC. */
static struct cohort *
small_cohort(void)
{
	static const double age[12] = { 30, 40, 50, 60, 70, 80, 35, 45, 55, 65, 75, 85 };
	static const double bmi[12] = { 22, 5, 30, 75, NAN, 28, 24, 26, 61, 9.9, 10, 60 };
	static const double dbp[12] = { 80, 70, 25, 90, 85, NAN, 75, 140, 72, 29.9, 30, 65 };
	static const double sbp[12] = { 120, 130, 110, 140, 80, NAN, 125, 135, NAN, 120, 115, 65 };
	static const uint8_t die[12] = { 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1 };
	static const uint8_t sex[12] = { 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1 };
	static const uint8_t c1[12] = { 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1 };
	static const uint8_t c2[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
	static const int32_t race[12] = { 0, 1, 2, 0, 0, 1, 0, 2, 0, 1, 0, 0 };
	const char *lv[3] = { "WHITE", "BLACK", "OTHER" };
	struct cohort *c = cohort_new(12);
	int j;

	j = cohort_add_column(c, "DIE_1y", ROLE_LABEL, KIND_BINARY);
	memcpy(c->cols[j].bin, die, 12);
	j = cohort_add_column(c, "AGE", ROLE_CONTINUOUS, KIND_NUMERIC);
	set_num(c, "AGE", age);
	j = cohort_add_column(c, "GENDER", ROLE_SEX, KIND_BINARY);
	memcpy(c->cols[j].bin, sex, 12);
	j = cohort_add_column(c, "RACE", ROLE_CATEGORICAL, KIND_CATEGORICAL);
	memcpy(c->cols[j].cat, race, sizeof race);
	cohort_set_levels(c, j, 3, lv);
	cohort_add_column(c, "BMI", ROLE_CONTINUOUS, KIND_NUMERIC);
	set_num(c, "BMI", bmi);
	cohort_add_column(c, "DIASTOLIC", ROLE_CONTINUOUS, KIND_NUMERIC);
	set_num(c, "DIASTOLIC", dbp);
	cohort_add_column(c, "SYSTOLIC", ROLE_CONTINUOUS, KIND_NUMERIC);
	set_num(c, "SYSTOLIC", sbp);
	j = cohort_add_column(c, "401.1", ROLE_CONCEPT, KIND_BINARY);
	memcpy(c->cols[j].bin, c1, 12);
	j = cohort_add_column(c, "250", ROLE_CONCEPT, KIND_BINARY);
	memcpy(c->cols[j].bin, c2, 12);
	return c;
}

static struct prep_rule
mkrule(enum prep_rule_type t, const char *col, double a, double b, enum prep_action act)
{
	struct prep_rule r;

	memset(&r, 0, sizeof r);
	r.type = t;
	memcpy(&r.column, &col, sizeof col);   /* the rule only reads it */
	r.min = r.lo = a;
	r.max = r.hi = b;
	r.k = a;
	r.action = act;
	r.enabled = 1;
	return r;
}

static void
test_rule_counts(void)
{
	struct cohort *c = small_cohort();
	struct prep_count n;
	struct prep_rule r;
	char *cause = NULL;

	/* BMI: 5 and 9.9 below 10 (10 itself stays), 75 and 61 above 60 (60 stays), NaN never */
	r = mkrule(PREP_RULE_RANGE, "BMI", 10, 60, PREP_ACTION_DROP);
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.below == 2 && n.above == 2 && n.affected == 4,
	    "range BMI [10,60]: 2 below, 2 above");
	/* DIASTOLIC ≥ 30: 25 and 29.9 */
	r = mkrule(PREP_RULE_RANGE, "diastolic", 30, NAN, PREP_ACTION_DROP);
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.affected == 2 && n.above == 0,
	    "open range DIASTOLIC >= 30 (case-insensitive name): 2");
	/* cross DIASTOLIC < SYSTOLIC fails where both present and dbp ≥ sbp:
	 * row 4 (85 ≥ 80), row 7 (140 ≥ 135), row 11 (65 ≥ 65); rows with a NaN never */
	r = mkrule(PREP_RULE_CROSS, "DIASTOLIC", 0, 0, PREP_ACTION_DROP);
	{
		const char *right = "SYSTOLIC";

		memcpy(&r.right, &right, sizeof right);
	}
	r.op = PREP_CMP_LT;
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.affected == 3, "cross DIASTOLIC < SYSTOLIC: 3 (%zu)",
	    n.affected);
	r.op = PREP_CMP_LE;
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.affected == 2, "cross DIASTOLIC <= SYSTOLIC: 2");
	/* IQR on AGE 30..85: sorted 30 35 40 45 50 55 60 65 70 75 80 85; q1 = 43.75, q3 = 71.25,
	 * IQR 27.5; k = 0.4 → [32.75, 82.25]: 30 below, 85 above */
	r = mkrule(PREP_RULE_IQR, "AGE", 0.4, 0, PREP_ACTION_DROP);
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.below == 1 && n.above == 1, "iqr k=0.4 on AGE: 1+1");
	tap_near(n.lo, 32.75, 1e-9, "iqr lower bound 43.75 - 0.4*27.5");
	/* percentiles 10/90 on AGE: positions 1.1 and 9.9 → 35.5 and 79.5 */
	r = mkrule(PREP_RULE_PERCENTILE, "AGE", 10, 90, PREP_ACTION_DROP);
	tap_ok(prep_rule_count(c, &r, &n, &cause) == 0 && n.below == 2 && n.above == 2,
	    "percentile P10-P90 on AGE: 30,35 below; 80,85 above");
	tap_near(n.hi, 79.5, 1e-9, "P90 = 79.5");
	r = mkrule(PREP_RULE_RANGE, "NOPE", 1, 2, PREP_ACTION_DROP);
	tap_ok(prep_rule_count(c, &r, &n, &cause) != 0 && cause && strstr(cause, "NOPE"),
	    "unknown column named in the error");
	free(cause);
	cohort_free(c);
}

static void
test_preview(void)
{
	struct cohort *c = small_cohort();
	struct prep_rule r = mkrule(PREP_RULE_RANGE, "BMI", 10, 60, PREP_ACTION_DROP);
	struct hist before, after;
	uint8_t out[HIST_MAX_BINS];
	int i, marked = 0;

	{
		double v[12];

		for (i = 0; i < 12; i++)
			v[i] = cohort_value(c, col_of(c, "BMI"), i);
		hist_build(&before, v, 12, 0);
	}
	tap_ok(prep_rule_preview(c, &r, &before, &after, out, NULL) == 0 && after.total == 7,
	    "preview drop: 11 observed - 4 affected = 7");
	for (i = 0; i < before.nbins; i++)
		marked += out[i];
	tap_ok(marked >= 2 && out[0] && out[before.nbins - 1], "preview marks the end bins");
	hist_done(&after);
	r.action = PREP_ACTION_CLIP;
	tap_ok(prep_rule_preview(c, &r, &before, &after, out, NULL) == 0 && after.total == 11,
	    "preview clip keeps every value");
	hist_done(&after);
	hist_done(&before);
	cohort_free(c);
}

static void
plan_tutorial(struct prep_plan *p)
{
	struct prep_rule r;

	prep_plan_default(p, NULL);
	r = mkrule(PREP_RULE_RANGE, "BMI", 10, 60, PREP_ACTION_DROP);
	prep_plan_add_rule(p, &r);
	r = mkrule(PREP_RULE_RANGE, "DIASTOLIC", 30, NAN, PREP_ACTION_DROP);
	prep_plan_add_rule(p, &r);
}

static void
test_apply_small(void)
{
	struct cohort *c = small_cohort();
	struct prep_plan p;
	struct layout *l;
	struct mtx *tr, *te;
	json_t *log = json_object(), *e;
	char *cause = NULL;
	int j;

	plan_tutorial(&p);
	p.low_prevalence = 0.2;   /* drops "250" (1 of the remaining rows) */
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, &cause) == 0, "apply the tutorial plan: %s",
	    cause ? cause : "ok");
	e = json_object_get(log, "outliers");
	/* BMI drops rows 1,3,8,9 (4); DIASTOLIC then drops row 2 (25); 29.9 was in row 9, gone */
	tap_ok(json_integer_value(json_object_get(json_array_get(e, 0), "removed")) == 4 &&
	    json_integer_value(json_object_get(json_array_get(e, 1), "removed")) == 1,
	    "rows removed per rule: BMI 4, then DIASTOLIC 1");
	tap_ok(c->nrows == 7, "7 patients left");
	tap_ok(tr->n == 4 && te->n == 3, "split 70/30 of 7: floor(4.9) = 4 train, 3 test");
	/* layout: RACE levels, DIE_1y, GENDER, 401.1, AGE, BMI, DIASTOLIC, SYSTOLIC */
	tap_ok(l->D == 3 + 2 + 1 + 4 && l->ngroups == 1 && l->group_start[0] == 0 && l->group_width[0] == 3,
	    "layout width 10 with one 3-wide group first");
	tap_ok(strcmp(l->name[0], "WHITE") == 0 && strcmp(l->source[0], "RACE") == 0 &&
	    strcmp(l->name[3], "DIE_1y") == 0 && l->label == 3 && l->sex == 4 &&
	    strcmp(l->name[5], "401.1") == 0 && l->concept[5] && strcmp(l->name[6], "AGE") == 0 &&
	    l->kind[9] == MCOL_CONT, "tutorial order: group, label, sex, concepts, continuous");
	j = layout_find(l, "BMI");
	tap_ok(j >= 0 && l->lo[j] == 10 && l->hi[j] == 60, "BMI range [10,60] after the rules (min and max kept)");
	e = json_object_get(json_object_get(log, "low_prevalence"), "dropped");
	tap_ok(json_array_size(e) == 1 && strcmp(json_string_value(json_object_get(json_array_get(e, 0), "column")),
	    "250") == 0, "low prevalence dropped \"250\" with its count");
	{
		size_t r;
		int ok = 1;

		for (r = 0; r < tr->n; r++)
			for (j = 0; j < l->D; j++)
				if (l->kind[j] == MCOL_CONT)
					ok &= mtx_get(tr, r, j) >= 0 && mtx_get(tr, r, j) <= 1;
		tap_ok(ok && tr->scaled, "training continuous values in [0,1]");
	}
	e = json_object_get(json_object_get(log, "missing"), "imputed");
	tap_ok(json_array_size(e) >= 1, "imputation recorded per column");
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);

	/* clip instead of drop: nothing removed, values at the bounds */
	c = small_cohort();
	log = json_object();
	prep_plan_default(&p, NULL);
	{
		struct prep_rule r = mkrule(PREP_RULE_RANGE, "BMI", 10, 60, PREP_ACTION_CLIP);

		prep_plan_add_rule(&p, &r);
	}
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, &cause) == 0 && c->nrows == 12, "clip keeps all 12");
	j = layout_find(l, "BMI");
	tap_ok(l->lo[j] == 10 && l->hi[j] == 60, "clipped range is exactly [10,60]");
	e = json_array_get(json_object_get(log, "outliers"), 0);
	tap_ok(json_integer_value(json_object_get(e, "clipped")) == 4, "4 values clipped");
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);
}

static void
test_missing(void)
{
	size_t n = 2000, r, cnt[4] = { 0 }, ocnt[4] = { 0 }, bad = 0, imputed = 0;
	struct cohort *c = cohort_new(n), *keep;
	struct prep_plan p;
	struct layout *l;
	struct mtx *tr, *te;
	struct rng g;
	json_t *log = json_object();
	char *cause = NULL;
	int x, y, lab;
	uint8_t *was_missing = xcalloc(n, 1);
	double chi = 0;

	lab = cohort_add_column(c, "Y", ROLE_LABEL, KIND_BINARY);
	x = cohort_add_column(c, "X", ROLE_CONTINUOUS, KIND_NUMERIC);
	y = cohort_add_column(c, "MOSTLY_MISSING", ROLE_CONTINUOUS, KIND_NUMERIC);
	rng_seed(&g, 9);
	for (r = 0; r < n; r++) {
		double u = rng_uniform(&g);

		c->cols[lab].bin[r] = r % 4 == 0;
		/* observed marginal: 1 (50 %), 2 (30 %), 3 (20 %) */
		c->cols[x].num[r] = u < 0.5 ? 1 : u < 0.8 ? 2 : 3;
		if (rng_uniform(&g) < 0.4) {
			cohort_set_missing(c, x, r);
			was_missing[r] = 1;
		} else
			ocnt[(int)c->cols[x].num[r]]++;
		c->cols[y].num[r] = (double)r;
		if (r % 10 < 6)
			cohort_set_missing(c, y, r);   /* 60 % missing */
	}
	prep_plan_default(&p, NULL);
	p.train_frac = 0.99;
	keep = c;
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, &cause) == 0, "apply with missing values");
	tap_ok(cohort_find(keep, "MOSTLY_MISSING") < 0 && layout_find(l, "MOSTLY_MISSING") < 0,
	    "column with 60%% missing dropped (threshold 0.5)");
	tap_ok(json_array_size(json_object_get(json_object_get(log, "missing"), "columns_dropped")) == 1,
	    "dropped column logged");
	x = cohort_find(keep, "X");
	for (r = 0; r < n; r++) {
		double v = keep->cols[x].num[r];

		if (!was_missing[r])
			continue;
		imputed++;
		if (v == 1 || v == 2 || v == 3)
			cnt[(int)v]++;
		else
			bad++;
	}
	tap_ok(bad == 0 && keep->cols[x].nmissing == 0 && keep->cols[x].missing == NULL,
	    "imputed values come only from the observed values");
	{
		size_t nobs = ocnt[1] + ocnt[2] + ocnt[3];
		int k;

		for (k = 1; k <= 3; k++) {
			double e = (double)imputed * ocnt[k] / nobs;

			chi += (cnt[k] - e) * (cnt[k] - e) / e;
		}
	}
	/* df 2: P(chi2 > 13.8) = 0.001 */
	tap_ok(chi < 13.8, "imputed distribution matches the observed marginal (chi2 %.2f, df 2)", chi);
	{
		json_t *im = json_array_get(json_object_get(json_object_get(log, "missing"), "imputed"), 0);

		tap_ok(json_integer_value(json_object_get(im, "count")) == (json_int_t)imputed &&
		    strcmp(json_string_value(json_object_get(im, "method")), "sample") == 0,
		    "imputed count logged (%zu)", imputed);
	}
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);
	free(was_missing);

	/* median and per-column "drop" */
	{
		static const double v[9] = { 1, 2, NAN, 4, 100, NAN, 7, 8, 9 };
		static const double w[9] = { 1, NAN, 3, 4, 5, 6, 7, 8, 9 };
		struct cohort *d = cohort_new(9);
		json_t *pj;
		int q;

		q = cohort_add_column(d, "V", ROLE_CONTINUOUS, KIND_NUMERIC);
		(void)q;
		set_num(d, "V", v);
		cohort_add_column(d, "W", ROLE_CONTINUOUS, KIND_NUMERIC);
		set_num(d, "W", w);
		pj = json_pack("{s:{s:s,s:{s:s}}}", "missing", "impute", "median", "columns", "W", "drop");
		tap_ok(prep_plan_from_json(pj, NULL, &p, &cause) == 0, "plan with median and a drop column");
		log = json_object();
		tap_ok(prep_apply(d, &p, &l, &tr, &te, log, &cause) == 0 && d->nrows == 8,
		    "\"drop\" removed the row missing W");
		q = cohort_find(d, "V");
		/* observed V after dropping row 1: 1 4 100 7 8 9 → median 7.5 */
		tap_ok(d->cols[q].num[1] == 7.5 && d->cols[q].num[4] == 7.5, "median imputation 7.5");
		json_decref(pj);
		json_decref(log);
		layout_free(l);
		mtx_free(tr);
		mtx_free(te);
		prep_plan_done(&p);
		cohort_free(d);
	}
}

static void
test_split_stratified(void)
{
	size_t n = 1000, r, pos = 0;
	struct cohort *c = cohort_new(n);
	struct prep_plan p;
	struct layout *l;
	struct mtx *tr, *te;
	json_t *log = json_object();
	int lab, x;

	lab = cohort_add_column(c, "Y", ROLE_LABEL, KIND_BINARY);
	x = cohort_add_column(c, "X", ROLE_CONTINUOUS, KIND_NUMERIC);
	for (r = 0; r < n; r++) {
		c->cols[lab].bin[r] = r % 10 == 0;   /* 100 positives */
		c->cols[x].num[r] = (double)r;
	}
	prep_plan_default(&p, NULL);
	p.stratify = 1;
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, NULL) == 0, "stratified split");
	for (r = 0; r < tr->n; r++)
		pos += mtx_get(tr, r, l->label) >= 0.5f;
	tap_ok(tr->n == 700 && te->n == 300 && pos == 70, "stratified: 630 + 70 positives in train (%zu)", pos);
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);
}

static void
test_roundtrip(void)
{
	struct cohort *c = small_cohort(), *d;
	struct layout *l;
	struct mtx *m, *m2;
	char *cause = NULL;
	size_t r;
	int j, ok = 1;

	/* complete the cohort (encode wants every value) */
	for (j = 0; j < c->ncols; j++) {
		free(c->cols[j].missing);
		c->cols[j].missing = NULL;
		c->cols[j].nmissing = 0;
	}
	c->cols[col_of(c, "BMI")].num[0] = 22.123456789;
	tap_ok(prep_layout_build(c, NULL, 0, &l, &cause) == 0, "layout of the small cohort");
	tap_ok(prep_encode(l, c, &m, &cause) == 0 && m->scaled == 0, "encode: %s", cause ? cause : "ok");
	mtx_scale(m, l);
	d = prep_decode(l, m);
	tap_ok(d->ncols == c->ncols, "decode gives back every column (%d)", d->ncols);
	for (j = 0; j < d->ncols; j++) {
		const struct column *a = &d->cols[j], *b = &c->cols[col_of(c, a->name)];

		for (r = 0; r < c->nrows; r++) {
			double x = cohort_value(d, j, r), y = cohort_value(c, col_of(c, a->name), r);

			if (a->kind == KIND_NUMERIC)
				ok &= fabs(x - y) <= 1e-5 * fabs(y) + 1e-5;
			else if (a->kind == KIND_CATEGORICAL)
				ok &= strcmp(a->levels[a->cat[r]], b->levels[b->cat[r]]) == 0;
			else
				ok &= x == y;
		}
	}
	tap_ok(ok, "decode(encode(x)) == x (continuous within float precision, categories exact)");
	tap_ok(prep_encode(l, d, &m2, &cause) == 0, "re-encode the decoded cohort");
	for (r = 0, ok = 1; r < c->nrows; r++)
		for (j = 0; j < l->D; j++)
			if (l->kind[j] != MCOL_CONT)
				ok &= mtx_get(m2, r, j) == mtx_get(m, r, j);
	tap_ok(ok, "group and binary cells identical after decode/encode");
	mtx_free(m2);

	/* errors: a missing value, a missing column, an unknown level */
	cohort_set_missing(d, col_of(d, "AGE"), 3);
	tap_ok(prep_encode(l, d, &m2, &cause) != 0 && cause && strstr(cause, "data row 4") &&
	    strstr(cause, "AGE"), "missing value named by row and column: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	cohort_remove_column(d, col_of(d, "BMI"));
	cohort_add_column(d, "EXTRA", ROLE_CONTINUOUS, KIND_NUMERIC);
	tap_ok(prep_encode(l, d, &m2, &cause) != 0 && cause && strstr(cause, "missing column \"BMI\"") &&
	    strstr(cause, "unexpected column \"EXTRA\""), "column differences listed: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	cohort_free(d);
	d = prep_decode(l, m);
	{
		const char *lv[3] = { "WHITE", "BLACK", "MARTIAN" };

		cohort_set_levels(d, col_of(d, "RACE"), 3, lv);
		d->cols[col_of(d, "RACE")].cat[5] = 2;
	}
	tap_ok(prep_encode(l, d, &m2, &cause) != 0 && cause && strstr(cause, "level"), "unknown level refused");
	free(cause);
	cohort_free(d);
	mtx_free(m);
	layout_free(l);

	/* level names colliding with a column are qualified */
	{
		const char *lv[3] = { "AGE", "BLACK", "OTHER" };

		cohort_set_levels(c, col_of(c, "RACE"), 3, lv);
		prep_layout_build(c, NULL, 0, &l, NULL);
		tap_ok(strcmp(l->name[0], "RACE=AGE") == 0 && strcmp(l->name[1], "BLACK") == 0,
		    "colliding level named RACE=AGE, others keep their label");
		layout_free(l);
	}
	cohort_free(c);
}

/* Two-level and numeric columns given the role categorical become groups. */
static void
test_categorical_kinds(void)
{
	struct cohort *c = cohort_new(10);
	struct prep_plan p;
	struct layout *l;
	struct mtx *tr, *te;
	json_t *log = json_object();
	const char *yn[2] = { "no", "yes" };
	char *cause = NULL;
	size_t r;
	int a, b, y;

	y = cohort_add_column(c, "Y", ROLE_LABEL, KIND_BINARY);
	a = cohort_add_column(c, "SMOKER", ROLE_CATEGORICAL, KIND_BINARY);
	cohort_set_levels(c, a, 2, yn);
	b = cohort_add_column(c, "STAGE", ROLE_CATEGORICAL, KIND_NUMERIC);
	for (r = 0; r < 10; r++) {
		c->cols[y].bin[r] = r % 2;
		c->cols[a].bin[r] = r % 3 == 0;
		c->cols[b].num[r] = 1 + r % 4;
	}
	prep_plan_default(&p, NULL);
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, &cause) == 0, "apply with categorical binary/numeric: %s",
	    cause ? cause : "ok");
	tap_ok(l->ngroups == 2 && l->group_width[0] == 2 && l->group_width[1] == 4 &&
	    strcmp(l->name[0], "no") == 0 && strcmp(l->name[2], "STAGE=1") != 0 && strcmp(l->level[2], "1") == 0 &&
	    strcmp(l->name[6], "Y") == 0, "SMOKER (no/yes) and STAGE (1..4) become groups, label after");
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);
}

static void
test_plan_json(void)
{
	struct prep_plan p, q;
	json_t *j, *k;
	char *cause = NULL;
	const char *text =
	    "{\"outliers\":[{\"type\":\"range\",\"column\":\"BMI\",\"min\":10,\"max\":60,\"action\":\"drop\"},"
	    "{\"type\":\"cross\",\"left\":\"DIASTOLIC\",\"op\":\"<\",\"right\":\"SYSTOLIC\",\"enabled\":false},"
	    "{\"type\":\"iqr\",\"column\":\"X\",\"k\":3,\"action\":\"clip\",\"enabled\":false},"
	    "{\"type\":\"percentile\",\"column\":\"X\",\"lo\":0.5,\"hi\":99.5,\"action\":\"clip\"}],"
	    "\"missing\":{\"drop_above\":0.4,\"impute\":\"mean\",\"columns\":{\"BMI\":\"sample\"},\"seed\":7},"
	    "\"low_prevalence\":0.001,\"scale_fit\":\"train\",\"split\":{\"train\":0.8,\"seed\":3,\"stratify\":true}}";
	static const char *bad[] = {
		"{\"outliers\":[{\"type\":\"box\",\"column\":\"X\"}]}",
		"{\"outliers\":[{\"type\":\"range\",\"column\":\"X\"}]}",
		"{\"outliers\":[{\"type\":\"cross\",\"left\":\"A\",\"right\":\"B\",\"action\":\"clip\"}]}",
		"{\"outliers\":[{\"type\":\"range\",\"column\":\"X\",\"min\":5,\"max\":1}]}",
		"{\"missing\":{\"impute\":\"magic\"}}",
		"{\"scale_fit\":\"test\"}",
		"{\"split\":{\"train\":1.5}}",
		"{\"outliers\":[{\"type\":\"percentile\",\"column\":\"X\",\"lo\":90,\"hi\":10}]}",
	};
	size_t i;

	j = json_loads(text, 0, NULL);
	tap_ok(prep_plan_from_json(j, NULL, &p, &cause) == 0, "full plan parses");
	tap_ok(p.nrules == 4 && p.rules[1].type == PREP_RULE_CROSS && !p.rules[1].enabled &&
	    p.rules[2].action == PREP_ACTION_CLIP && p.drop_above == 0.4 && p.impute == PREP_IMPUTE_MEAN &&
	    p.nimp == 1 && p.impute_seed == 7 && p.low_prevalence == 0.001 && p.scale_fit_train &&
	    p.train_frac == 0.8 && p.split_seed == 3 && p.stratify, "every field read");
	k = prep_plan_to_json(&p);
	tap_ok(prep_plan_from_json(k, NULL, &q, &cause) == 0, "written plan parses back");
	{
		json_t *k2 = prep_plan_to_json(&q);

		tap_ok(json_equal(k, k2), "plan JSON round trip is exact");
		json_decref(k2);
	}
	json_decref(k);
	json_decref(j);
	prep_plan_done(&p);
	prep_plan_done(&q);
	for (i = 0; i < SH_NELEM(bad); i++) {
		j = json_loads(bad[i], 0, NULL);
		tap_ok(prep_plan_from_json(j, NULL, &p, &cause) != 0 && cause != NULL && strstr(cause, "study.json"),
		    "bad plan %zu refused: %s", i, cause ? cause : "(no message)");
		free(cause);
		cause = NULL;
		json_decref(j);
	}
	/* defaults: the tutorial's */
	prep_plan_default(&p, NULL);
	tap_ok(p.drop_above == 0.5 && p.impute == PREP_IMPUTE_SAMPLE && p.impute_seed == 4 &&
	    p.low_prevalence == 5e-5 && !p.scale_fit_train && p.train_frac == 0.7 && p.split_seed == 0 &&
	    !p.stratify && p.nrules == 0, "defaults follow the tutorial");
	prep_plan_done(&p);
	{
		const struct prep_clinical *t = prep_clinical_find("dbp"), *u = prep_clinical_find("Systolic");

		tap_ok(t && strcmp(t->name, "DIASTOLIC") == 0 && t->min == 30 && isnan(t->max) && t->enabled,
		    "alias dbp → DIASTOLIC >= 30, on");
		tap_ok(u && !u->enabled, "SYSTOLIC in the table but off (the tutorial has no SBP filter)");
	}
}

static int
same_file(const char *a, const char *b)
{
	char *x, *y;
	size_t nx, ny;
	int same;

	if (util_read_file(a, &x, &nx, NULL) != 0)
		return 0;
	if (util_read_file(b, &y, &ny, NULL) != 0) {
		free(x);
		return 0;
	}
	same = nx == ny && memcmp(x, y, nx) == 0;
	free(x);
	free(y);
	return same;
}

static void
test_run_twice(void)
{
	char tmpl[] = "/tmp/synthehr-prep-XXXXXX", *dir, *d1, *d2, *cause = NULL;
	static const char *files[] = { "layout.json", "train.mtx", "test.mtx", "train.csv", "test.csv", "log.json" };
	struct study *s1, *s2;
	struct prep_report rep;
	struct layout *l;
	struct mtx *a, *b;
	struct cohort *c1, *c2;
	size_t i;
	int ok = 1;

	dir = mkdtemp(tmpl);
	d1 = util_path_join(dir, "s1");
	d2 = util_path_join(dir, "s2");
	study_create(d1, &s1, NULL);
	study_create(d2, &s2, NULL);
	c1 = small_cohort();
	c2 = small_cohort();

	tap_ok(prep_run_cohort(s1, c1, &rep, &cause) == 0, "prep_run_cohort: %s", cause ? cause : "ok");
	prep_report_done(&rep);
	tap_ok(prep_run_cohort(s2, c2, &rep, &cause) == 0, "again in a second study");
	cohort_free(c1);
	cohort_free(c2);
	tap_ok(rep.rows_in == 12 && rep.before.n == 12 && rep.after.n == rep.rows_out && rep.ntrain + rep.ntest ==
	    rep.rows_out, "report counts agree");
	prep_report_done(&rep);
	for (i = 0; i < SH_NELEM(files); i++) {
		char *r = xsprintf("prep/%s", files[i]), *p1 = study_path(s1, r), *p2 = study_path(s2, r);

		ok &= same_file(p1, p2);
		free(r);
		free(p1);
		free(p2);
	}
	tap_ok(ok, "same study.json: byte-identical prep/ files");
	tap_ok(prep_load_layout(s1, &l, &cause) == 0 && prep_load_split(s1, l, &a, &b, &cause) == 0 &&
	    a->scaled && a->n + b->n == 12 - 5, "layout and split load back");
	{
		char *p = study_path(s1, "prep/train.csv"), *text;
		size_t n;

		util_read_file(p, &text, &n, NULL);
		tap_ok(strncmp(text, "RACE,DIE_1y,GENDER,AGE,BMI,DIASTOLIC,SYSTOLIC", 45) == 0 ||
		    strncmp(text, "RACE,DIE_1y,GENDER,401.1", 24) == 0, "train.csv header has original names");
		tap_ok(strstr(text, "WHITE") != NULL, "train.csv has category labels");
		free(text);
		free(p);
	}
	/* a synthetic set made elsewhere comes back as a CSV: train.csv read with
	 * type inference encodes to the same rows as train.mtx */
	{
		char *p = study_path(s1, "prep/train.csv");
		struct cohort *rc = NULL;
		struct mtx *e = NULL;
		size_t r;
		int j, same = 1;

		tap_ok(csv_read_cohort(p, NULL, &rc, &cause) == 0, "train.csv reads back: %s", cause ? cause : "ok");
		tap_ok(rc && prep_encode(l, rc, &e, &cause) == 0, "and encodes with the layout "
		    "(numbers inferred as categories in a 4-row file included)");
		if (cause)
			tap_diag("%s", cause);
		if (e != NULL) {
			mtx_scale(e, l);
			for (r = 0; r < a->n && same; r++)
				for (j = 0; j < l->D; j++)
					same &= fabsf(mtx_get(e, r, j) - mtx_get(a, r, j)) <= 1e-5f;
			tap_ok(e->n == a->n && same, "to the same rows as train.mtx");
		}
		mtx_free(e);
		cohort_free(rc);
		free(p);
	}
	/* the TUI's edit cycle: load the plan, change a rule, save, re-open */
	{
		struct prep_plan p, q;
		struct study *s3;
		json_t *j1, *j2;
		char pk[65], pk2[65];

		tap_ok(profile_study_key(s1, pk, NULL) == 0, "profile key");
		tap_ok(prep_plan_load(s1, NULL, &p, &cause) == 0, "plan loads from study.json");
		{
			struct prep_rule r = mkrule(PREP_RULE_PERCENTILE, "AGE", 1, 99, PREP_ACTION_CLIP);

			prep_plan_add_rule(&p, &r);
		}
		p.rules[0].enabled = 0;
		p.stratify = 1;
		tap_ok(prep_plan_save(s1, &p, &cause) == 0, "plan saved into study.json");
		tap_ok(study_open(s1->dir, &s3, &cause) == 0 && prep_plan_load(s3, NULL, &q, &cause) == 0,
		    "saved plan re-read");
		j1 = prep_plan_to_json(&p);
		j2 = prep_plan_to_json(&q);
		tap_ok(json_equal(j1, j2) && !q.rules[0].enabled && q.stratify, "saved plan equals the edited one");
		tap_ok(profile_study_key(s3, pk2, NULL) == 0 && strcmp(pk, pk2) != 0,
		    "changing the rules invalidates the cached profile");
		json_decref(j1);
		json_decref(j2);
		prep_plan_done(&p);
		prep_plan_done(&q);
		study_free(s3);
	}
	{
		struct profile *pr = NULL;
		char pk[65];

		profile_study_key(s2, pk, NULL);
		tap_ok(profile_load_cached(s2, pk, &pr, &cause) == 1 && pr->nrows == 12,
		    "prep cached the source profile (12 rows)");
		profile_free(pr);
		tap_ok(profile_load_cached(s2, "0000", &pr, &cause) == 0 && pr == NULL, "stale key: cache miss");
	}
	layout_free(l);
	mtx_free(a);
	mtx_free(b);
	study_free(s1);
	study_free(s2);
	{
		char *cmd = xsprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		free(cmd);
	}
	free(d1);
	free(d2);
}

/* The demo cohort under the tutorial's rules shows Table 1's pattern:
 * BMI's mean/SD are inflated by outliers before and ≈ 28 (7) after. */
static void
test_demo_table1(void)
{
	struct demo_opts o;
	struct cohort *c;
	struct prep_plan p;
	struct prep_summary before, after;
	struct layout *l;
	struct mtx *tr, *te;
	json_t *log = json_object(), *schema;
	char *cause = NULL;
	int i, bi = -1, ai = -1;

	demo_opts_init(&o);
	o.rows = 40000;         /* reduced from 181,294 to keep the test fast */
	o.concepts = 200;
	if (demo_generate(&o, &c, &cause) != 0) {
		tap_ok(0, "demo_generate: %s", cause);
		free(cause);
		json_decref(log);
		return;
	}
	schema = demo_schema();
	tap_ok(prep_plan_from_json(json_object_get(schema, "prep"), c, &p, &cause) == 0,
	    "demo schema's rules parse");
	json_decref(schema);
	prep_summary(c, &before);
	tap_ok(prep_apply(c, &p, &l, &tr, &te, log, &cause) == 0, "tutorial plan on the demo cohort: %s",
	    cause ? cause : "ok");
	prep_summary(c, &after);
	for (i = 0; i < before.ncont; i++)
		if (strcmp(before.cont_name[i], "BMI") == 0)
			bi = i;
	for (i = 0; i < after.ncont; i++)
		if (strcmp(after.cont_name[i], "BMI") == 0)
			ai = i;
	tap_ok(bi >= 0 && ai >= 0, "BMI in both summaries");
	if (bi >= 0 && ai >= 0) {
		tap_diag("BMI before %.1f (%.1f), after %.1f (%.1f)", before.cont_mean[bi], before.cont_sd[bi],
		    after.cont_mean[ai], after.cont_sd[ai]);
		tap_ok(before.cont_sd[bi] > 3 * after.cont_sd[ai], "BMI SD inflated by outliers before");
		tap_near(after.cont_mean[ai], 28.4, 1.5, "BMI mean after ≈ 28");
		tap_near(after.cont_sd[ai], 6.8, 1.5, "BMI SD after ≈ 7");
	}
	tap_ok(after.n < before.n && after.n > before.n * 0.99, "a few patients removed (%zu of %zu)",
	    before.n - after.n, before.n);
	prep_summary_done(&before);
	prep_summary_done(&after);
	layout_free(l);
	mtx_free(tr);
	mtx_free(te);
	json_decref(log);
	prep_plan_done(&p);
	cohort_free(c);
}

int
main(void)
{
	test_rule_counts();
	test_preview();
	test_apply_small();
	test_missing();
	test_split_stratified();
	test_roundtrip();
	test_categorical_kinds();
	test_plan_json();
	test_run_twice();
	test_demo_table1();
	return tap_done();
}
