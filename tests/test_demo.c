/* synthehr — GPL-3.0-or-later.
 * Tests of the built-in demo cohort: its statistics against the targets
 * taken from SPEC §2 and the paper's Table 1 (with tolerances that allow
 * for sampling noise at 20,000 patients), sex exclusivity, the phecode
 * hierarchy, a predictable label, determinism, and a CSV round trip. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/csvio.h"
#include "synthehr/demo.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

#define N 20000

static double
col_mean(const struct cohort *c, const char *name)
{
	int j = cohort_find(c, name);
	double s = 0;
	size_t r, m = 0;

	if (j < 0)
		return NAN;
	for (r = 0; r < c->nrows; r++) {
		if (cohort_is_missing(&c->cols[j], r))
			continue;
		s += cohort_value(c, j, r);
		m++;
	}
	return s / m;
}

/* AUROC of score for a 0/1 label by the rank-sum formula (ties averaged). */
static int
cmp_pair(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static double
auroc(const double *score, const uint8_t *y, size_t n)
{
	double *p = xcalloc(n, 2 * sizeof(double)), ranksum = 0, npos = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		p[2 * i] = score[i];
		p[2 * i + 1] = y[i];
	}
	qsort(p, n, 2 * sizeof(double), cmp_pair);
	for (i = 0; i < n; i = j) {
		double r;
		size_t k;

		for (j = i; j < n && p[2 * j] == p[2 * i]; j++)
			;
		r = (i + 1 + j) / 2.0;
		for (k = i; k < j; k++)
			if (p[2 * k + 1] != 0) {
				ranksum += r;
				npos++;
			}
	}
	free(p);
	return (ranksum - npos * (npos + 1) / 2) / (npos * (n - npos));
}

static void
test_shape(void)
{
	struct demo_opts o;
	struct cohort *c;
	char *cause = NULL;
	size_t r, lo = 0, hi = 0, zero = 0, dlo = 0;
	int j, ok, race, nconc = 0, sorted = 1, rare = 0;
	double s = 0, s2 = 0, amin = 1e9, amax = -1e9, cnt[6] = { 0 };
	static const double race_p[6] = {
		85133 / 126522.0, 16743 / 126522.0, 5338 / 126522.0, 6945 / 126522.0,
		5264 / 126522.0, 7099 / 126522.0
	};

	demo_opts_init(&o);
	o.rows = N;
	o.seed = 7;
	ok = demo_generate(&o, &c, &cause) == 0;
	tap_ok(ok, "demo_generate %d x %d", N, o.concepts);
	if (!ok)
		return;
	tap_ok(c->nrows == N && c->ncols == 7 + DEMO_QUICK_CONCEPTS + DEMO_EXTRACT_COLS, "shape %zu x %d",
	    c->nrows, c->ncols);
	tap_ok(strcmp(c->cols[0].name, "DIE_1y") == 0 && c->cols[0].role == ROLE_LABEL, "DIE_1y is the label");
	tap_ok(c->cols[2].role == ROLE_SEX && strcmp(c->cols[2].name, "GENDER") == 0, "GENDER is sex");
	for (j = 7; j < 7 + DEMO_QUICK_CONCEPTS; j++) {
		nconc += c->cols[j].role == ROLE_CONCEPT;
		if (j > 7 && strcmp(c->cols[j - 1].name, c->cols[j].name) >= 0)
			sorted = 0;
		rare += col_mean(c, c->cols[j].name) < 5e-5;
	}
	tap_ok(nconc == DEMO_QUICK_CONCEPTS && sorted, "%d concept columns in string order", nconc);
	tap_ok(rare >= 5, "%d codes rarer than 5e-5 (low-prevalence removal has work)", rare);

	/* SPEC §2.1: 20,493 / 181,294 = 11.3 % */
	tap_near(col_mean(c, "DIE_1y"), 0.113, 0.008, "label rate ≈ 11.3%% (%.4f)", col_mean(c, "DIE_1y"));
	for (r = 0; r < c->nrows; r++) {
		double a = c->cols[1].num[r];

		s += a;
		s2 += a * a;
		amin = fmin(amin, a);
		amax = fmax(amax, a);
	}
	s /= N;
	tap_near(s, 56.2, 1.2, "AGE mean ≈ 56.2 (%.2f)", s);
	tap_near(sqrt(s2 / N - s * s), 20.4, 1.2, "AGE SD ≈ 20.4 (%.2f)", sqrt(s2 / N - s * s));
	tap_ok(amin >= 18 && amax == 91, "AGE in 18..91, capped at 91 (%g..%g)", amin, amax);
	tap_near(col_mean(c, "GENDER"), 0.533, 0.012, "53.3%% female (%.4f)", col_mean(c, "GENDER"));
	race = cohort_find(c, "RACE");
	tap_ok(race == 3 && c->cols[race].nlevels == 6 && strcmp(c->cols[race].levels[0], "WHITE") == 0,
	    "RACE has the tutorial's six levels, WHITE first");
	for (r = 0; r < c->nrows; r++)
		cnt[c->cols[race].cat[r]]++;
	for (j = 0, ok = 1; j < 6; j++)
		ok &= fabs(cnt[j] / N - race_p[j]) < 0.012;
	tap_ok(ok, "race proportions as the tutorial's training set (WHITE %.3f, want %.3f)",
	    cnt[0] / N, race_p[0]);

	/* PAPER: missing 38.6 / 43.5 / 43.5 % */
	tap_near((double)c->cols[4].nmissing / N, 0.386, 0.015, "BMI missing ≈ 38.6%%");
	tap_near((double)c->cols[5].nmissing / N, 0.435, 0.015, "DIASTOLIC missing ≈ 43.5%%");
	tap_near((double)c->cols[6].nmissing / N, 0.435, 0.015, "SYSTOLIC missing ≈ 43.5%%");
	for (r = 0; r < c->nrows; r++) {
		if (!cohort_is_missing(&c->cols[4], r)) {
			hi += c->cols[4].num[r] > 60;
			lo += c->cols[4].num[r] < 10;
			zero += c->cols[4].num[r] == 0;
		}
		if (!cohort_is_missing(&c->cols[5], r))
			dlo += c->cols[5].num[r] < 30;
	}
	/* 366, 120 and 62 of 181,294, scaled to N rows */
	tap_ok(hi == (size_t)floor(366.0 * N / 181294 + 0.5), "BMI > 60 in %zu rows (366 scaled)", hi);
	tap_ok(lo == (size_t)floor(120.0 * N / 181294 + 0.5) && zero > 0, "BMI < 10 in %zu rows, %zu of them 0", lo, zero);
	tap_ok(dlo == (size_t)floor(62.0 * N / 181294 + 0.5), "DIASTOLIC < 30 in %zu rows (62 scaled)", dlo);

	/* PAPER Table 1 / SPEC: top phecodes */
	tap_near(col_mean(c, "401"), 0.316, 0.02, "401 ≈ 31.6%% (%.4f)", col_mean(c, "401"));
	tap_near(col_mean(c, "272"), 0.216, 0.02, "272 ≈ 21.6%% (%.4f)", col_mean(c, "272"));
	tap_near(col_mean(c, "285"), 0.187, 0.02, "285 ≈ 18.7%% (%.4f)", col_mean(c, "285"));
	tap_near(col_mean(c, "401.1"), 0.175, 0.02, "401.1 ≈ 17.5%% (%.4f)", col_mean(c, "401.1"));
	{
		int a = cohort_find(c, "401.1"), b = cohort_find(c, "401"), viol = 0, k, p;

		for (r = 0; r < c->nrows; r++)
			viol += c->cols[a].bin[r] && !c->cols[b].bin[r];
		tap_ok(viol == 0, "401.1 implies 401 (%d violations)", viol);
		/* every kept child implies its nearest kept ancestor */
		viol = 0;
		for (k = 7; k < 7 + DEMO_QUICK_CONCEPTS; k++) {
			char anc[32];
			size_t L;

			snprintf(anc, sizeof anc, "%s", c->cols[k].name);
			for (p = -1; p < 0 && strchr(anc, '.') != NULL;) {
				L = strlen(anc) - 1;
				anc[L] = '\0';
				if (anc[L - 1] == '.')
					anc[L - 1] = '\0';
				p = cohort_find(c, anc);
			}
			if (p < 0)
				continue;
			for (r = 0; r < c->nrows; r++)
				viol += c->cols[k].bin[r] && !c->cols[p].bin[r];
		}
		tap_ok(viol == 0, "every child code implies its parent (%d violations)", viol);
	}
	{
		static const char *const male[] = { "600", "185", "605" }, *const female[] = { "649", "655", "646" };
		int k, bad = 0, empty = 0;

		for (k = 0; k < 3; k++) {
			int m = cohort_find(c, male[k]), f = cohort_find(c, female[k]);
			size_t pm = 0, pf = 0;

			for (r = 0; r < c->nrows; r++) {
				bad += c->cols[m].bin[r] && c->cols[2].bin[r];
				bad += c->cols[f].bin[r] && !c->cols[2].bin[r];
				pm += c->cols[m].bin[r];
				pf += c->cols[f].bin[r];
			}
			empty += pm == 0 || pf == 0;
		}
		tap_ok(bad == 0 && empty == 0, "600/185/605 male only, 649/655/646 female only");
		tap_near(col_mean(c, "600"), 4392 / 126522.0, 0.006, "600 ≈ 3.5%% (%.4f)", col_mean(c, "600"));
	}
	/* signal: age and codes predict the label; codes correlate */
	{
		double *score = xcalloc(N, sizeof(double)), a;
		static const struct { const char *code; double w; } sc[] = {
			{ "198", 2.2 }, { "585", .65 }, { "428", .9 }, { "285", .55 }, { "480", .65 },
			{ "290", .7 }, { "276", .55 }, { "707", .55 }, { "348", .55 }, { "496", .5 },
		};
		int k, x, y;
		double n11 = 0, n1x = 0, n1y = 0;

		for (r = 0; r < c->nrows; r++)
			score[r] = c->cols[1].num[r];
		a = auroc(score, c->cols[0].bin, N);
		tap_ok(a > 0.72, "AGE alone predicts DIE_1y (AUROC %.3f)", a);
		for (k = 0; k < (int)SH_NELEM(sc); k++) {
			int cc = cohort_find(c, sc[k].code);

			for (r = 0; r < c->nrows; r++)
				score[r] += 20 / 1.8 * sc[k].w * c->cols[cc].bin[r];
		}
		a = auroc(score, c->cols[0].bin, N);
		tap_ok(a > 0.85, "age + 10 codes predict DIE_1y (AUROC %.3f)", a);
		free(score);
		x = cohort_find(c, "428");
		y = cohort_find(c, "585");
		for (r = 0; r < c->nrows; r++) {
			n11 += c->cols[x].bin[r] && c->cols[y].bin[r];
			n1x += c->cols[x].bin[r];
			n1y += c->cols[y].bin[r];
		}
		tap_ok(n11 / N > 1.3 * (n1x / N) * (n1y / N), "428 and 585 co-occur more than by chance "
		    "(lift %.2f)", (n11 / N) / ((n1x / N) * (n1y / N)));
	}
	cohort_free(c);
}

static void
test_determinism(void)
{
	struct demo_opts o;
	char dir[] = "/tmp/synthehr-demo.XXXXXX", *a, *b, *cz, *cause = NULL, ha[65], hb[65], hc[65];
	struct cohort *c;
	json_t *side;
	int ok;

	if (mkdtemp(dir) == NULL) {
		tap_ok(0, "mkdtemp");
		return;
	}
	a = xsprintf("%s/a.csv", dir);
	b = xsprintf("%s/b.csv", dir);
	cz = xsprintf("%s/c.csv.gz", dir);
	demo_opts_init(&o);
	o.rows = 1500;
	o.concepts = 80;
	o.seed = 42;
	ok = demo_write(&o, a, &cause) == 0 && demo_write(&o, b, &cause) == 0;
	tap_ok(ok, "demo_write twice%s%s", cause ? ": " : "", cause ? cause : "");
	util_sha256_file(a, ha, NULL);
	util_sha256_file(b, hb, NULL);
	tap_ok(strcmp(ha, hb) == 0, "same seed, same bytes");
	o.seed = 43;
	demo_write(&o, b, NULL);
	util_sha256_file(b, hb, NULL);
	tap_ok(strcmp(ha, hb) != 0, "another seed, other bytes");
	o.seed = 42;
	tap_ok(demo_write(&o, cz, NULL) == 0, "gzip output");
	{
		char *sp = xsprintf("%s/a.csv.schema.json", dir);

		ok = js_read_file(sp, &side, NULL) == 0;
		free(sp);
	}
	tap_ok(ok && strcmp(js_str(json_object_get(side, "roles"), "DIE_1y", ""), "label") == 0 &&
	    strcmp(js_str(side, "default_role", ""), "concept") == 0 &&
	    json_array_size(json_object_get(json_object_get(side, "prep"), "outliers")) == 3,
	    "sidecar names roles, default role and the tutorial's outlier rules");
	if (ok)
		json_decref(side);
	/* read back: inference alone gives the demo's roles; values round-trip */
	ok = csv_read_cohort(cz, NULL, &c, &cause) == 0;
	tap_ok(ok, "read the demo back%s%s", cause ? ": " : "", cause ? cause : "");
	if (ok) {
		int j, nconc = 0;

		tap_ok(c->nrows == 1500 && c->ncols == 87 + DEMO_EXTRACT_COLS, "1500 x 94 read back");
		tap_ok(c->cols[0].role == ROLE_LABEL && c->cols[1].role == ROLE_CONTINUOUS &&
		    c->cols[2].role == ROLE_SEX && c->cols[3].role == ROLE_CATEGORICAL &&
		    c->cols[3].nlevels == 6 && c->cols[4].role == ROLE_CONTINUOUS,
		    "inferred: DIE_1y label, AGE continuous, GENDER sex, RACE categorical, BMI continuous");
		for (j = 7; j < c->ncols; j++)
			nconc += c->cols[j].role == ROLE_CONCEPT;
		tap_ok(nconc == 80, "phecode columns inferred as concepts (%d)", nconc);
		tap_ok(csv_write_cohort(a, c, NULL) == 0, "write it again as plain CSV");
		util_sha256_file(a, hc, NULL);
		cohort_free(c);
		demo_write(&o, b, NULL);
		util_sha256_file(b, hb, NULL);
		tap_ok(strcmp(hc, hb) == 0, "read + write reproduces the generated bytes");
	}
	free(a);
	free(b);
	free(cz);
	{
		char *cmd = xsprintf("rm -rf '%s'", dir);

		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		free(cmd);
	}
}

static void
test_bad_opts(void)
{
	struct demo_opts o;
	struct cohort *c;
	char *cause = NULL;

	demo_opts_init(&o);
	o.concepts = DEMO_FULL_CONCEPTS + 1;
	tap_ok(demo_generate(&o, &c, &cause) != 0 && cause != NULL && strstr(cause, "concepts"),
	    "too many concepts refused");
	free(cause);
	cause = NULL;
	o.concepts = 10;
	tap_ok(demo_write(&o, "/nonexistent-dir/x.csv", &cause) != 0 && cause != NULL,
	    "unwritable path refused");
	free(cause);
}

/* The extract's columns: present with their properties, dependent on the
 * label, and the tutorial's columns unchanged by them (--full leaves them
 * out, so SPEC §2's model matrix is as before). */
static void
test_extract(void)
{
	struct demo_opts o;
	struct cohort *c, *t;
	char *cause = NULL;
	size_t r, n, zeros, ints, both, hrm, rrm, crm;
	int ed, adm, meds, cr, at, hr, rr, j, same = 1;
	double *score, a, mean, sd, med, *v;

	demo_opts_init(&o);
	o.rows = 8000;
	o.seed = 3;
	if (demo_generate(&o, &c, &cause) != 0) {
		tap_ok(0, "demo_generate: %s", cause);
		free(cause);
		return;
	}
	n = c->nrows;
	ed = cohort_find(c, "ED_VISITS");
	adm = cohort_find(c, "ADMISSIONS");
	meds = cohort_find(c, "N_MEDS");
	cr = cohort_find(c, "CREATININE");
	at = cohort_find(c, "ADMISSION_TYPE");
	hr = cohort_find(c, "HEART_RATE");
	rr = cohort_find(c, "RESP_RATE");
	tap_ok(ed == 7 + o.concepts && adm == ed + 1 && meds == ed + 2 && cr == ed + 3 && at == ed + 4 &&
	    hr == ed + 5 && rr == ed + 6, "the extract's 7 columns follow the concepts");
	if (ed < 0 || adm < 0 || meds < 0 || cr < 0 || at < 0 || hr < 0 || rr < 0) {
		cohort_free(c);
		return;
	}
	/* zero-inflated counts */
	zeros = ints = 0;
	for (r = 0; r < n; r++) {
		zeros += c->cols[ed].num[r] == 0;
		ints += c->cols[ed].num[r] == floor(c->cols[ed].num[r]) && c->cols[adm].num[r] ==
		    floor(c->cols[adm].num[r]) && c->cols[meds].num[r] == floor(c->cols[meds].num[r]);
	}
	tap_ok(zeros > 0.45 * n && zeros < 0.7 * n, "ED_VISITS is zero-inflated (%.1f%% zero)", 100.0 * zeros / n);
	tap_ok(ints == n, "ED_VISITS, ADMISSIONS, N_MEDS are whole numbers");
	zeros = 0;
	for (r = 0; r < n; r++)
		zeros += c->cols[adm].num[r] == 0;
	tap_ok(zeros > 0.6 * n && zeros < 0.8 * n, "ADMISSIONS is zero-inflated (%.1f%% zero)", 100.0 * zeros / n);
	/* skewed lab: mean above median, long right tail */
	v = xcalloc(n, sizeof *v);
	crm = 0;
	mean = 0;
	for (r = 0, j = 0; r < n; r++)
		if (!cohort_is_missing(&c->cols[cr], r)) {
			v[j++] = c->cols[cr].num[r];
			mean += c->cols[cr].num[r];
		} else
			crm++;
	mean /= j;
	sd = 0;
	for (r = 0; r < (size_t)j; r++)
		sd += (v[r] - mean) * (v[r] - mean);
	sd = sqrt(sd / j);
	{
		double m3 = 0;

		for (r = 0; r < (size_t)j; r++)
			m3 += pow((v[r] - mean) / sd, 3);
		m3 /= j;
		tap_ok(m3 > 1.5, "CREATININE is right-skewed (skewness %.2f)", m3);
	}
	(void)med;
	tap_near((double)crm / n, 0.12, 0.02, "CREATININE missing ≈ 12%%");
	free(v);
	/* nominal admission type */
	tap_ok(c->cols[at].kind == KIND_CATEGORICAL && c->cols[at].nlevels == 5 &&
	    strcmp(c->cols[at].levels[0], "EMERGENCY") == 0, "ADMISSION_TYPE: 5 nominal levels, EMERGENCY first");
	/* vitals missing together */
	both = hrm = rrm = 0;
	for (r = 0; r < n; r++) {
		int mh = cohort_is_missing(&c->cols[hr], r), mr = cohort_is_missing(&c->cols[rr], r);

		hrm += mh;
		rrm += mr;
		both += mh && mr;
	}
	tap_ok(hrm == both && rrm == both && both > 0.18 * n && both < 0.26 * n,
	    "HEART_RATE and RESP_RATE are missing together (%.1f%%)", 100.0 * both / n);
	/* dependence: the counts and vitals carry the label */
	score = xcalloc(n, sizeof *score);
	for (r = 0; r < n; r++)
		score[r] = c->cols[ed].num[r] + c->cols[adm].num[r];
	a = auroc(score, c->cols[0].bin, n);
	tap_ok(a > 0.65, "ED_VISITS + ADMISSIONS predict DIE_1y (AUROC %.3f)", a);
	for (r = 0; r < n; r++)
		score[r] = c->cols[meds].num[r];
	{
		/* N_MEDS grows with the number of codes */
		double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, k;

		for (r = 0; r < n; r++) {
			double x = 0, y = score[r];

			for (j = 7; j < 7 + o.concepts; j++)
				x += c->cols[j].bin[r];
			sx += x;
			sy += y;
			sxx += x * x;
			syy += y * y;
			sxy += x * y;
		}
		k = (sxy / n - sx / n * sy / n) / sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
		tap_ok(k > 0.3, "N_MEDS correlates with the number of codes (r = %.2f)", k);
	}
	free(score);
	/* codes share more with each other in the extract demo (stronger burden) */
	{
		int x = cohort_find(c, "401"), y = cohort_find(c, "285");
		double n11 = 0, n1x = 0, n1y = 0, lift;

		for (r = 0; r < n; r++) {
			n11 += c->cols[x].bin[r] && c->cols[y].bin[r];
			n1x += c->cols[x].bin[r];
			n1y += c->cols[y].bin[r];
		}
		lift = (n11 / n) / ((n1x / n) * (n1y / n));
		tap_ok(lift > 1.25, "codes of different groups co-occur through the shared burden (401 and 285: lift %.2f)",
		    lift);
	}
	/* the tutorial's columns are the same without the extract */
	o.extract = 0;
	if (demo_generate(&o, &t, &cause) != 0) {
		tap_ok(0, "demo_generate without extract: %s", cause);
		free(cause);
		cohort_free(c);
		return;
	}
	tap_ok(t->ncols == 7 + o.concepts, "without the extract: the tutorial's shape (%d columns)", t->ncols);
	/* Age, sex and race are drawn the same way; codes, BMI and the label
	 * follow the extract's stronger shared burden. */
	for (j = 1; j < 4 && same; j++)
		for (r = 0; r < n && same; r++) {
			double x = cohort_is_missing(&c->cols[j], r) ? -1 : c->cols[j].kind == KIND_NUMERIC ?
			    c->cols[j].num[r] : c->cols[j].kind == KIND_BINARY ? c->cols[j].bin[r] : c->cols[j].cat[r];
			double y = cohort_is_missing(&t->cols[j], r) ? -1 : t->cols[j].kind == KIND_NUMERIC ?
			    t->cols[j].num[r] : t->cols[j].kind == KIND_BINARY ? t->cols[j].bin[r] : t->cols[j].cat[r];

			same = x == y;
		}
	tap_ok(same, "AGE, GENDER and RACE are identical with and without the extract");
	demo_opts_full(&o);
	tap_ok(!o.extract, "the full (tutorial-size) demo leaves the extract out");
	cohort_free(t);
	cohort_free(c);
}

int
main(void)
{
	test_shape();
	test_extract();
	test_determinism();
	test_bad_opts();
	return tap_done();
}
