/* synthehr — GPL-3.0-or-later.
 * The built-in demo cohort (see demo.h), shaped like the tutorial's MIMIC-IV
 * cohort: SPEC §2 and the paper's Table 1.
 *
 * The model.  Each patient has an age, a sex, a race, a global illness
 * burden G ~ N(0,1) and one latent condition F_g ~ N(0,1) per phecode group
 * (circulatory, neoplasms, ...).  A code of group g fires with
 *   P = sigmoid(b_c + w_c * u_g),  u_g = a_g*A + 0.5*G + c_g*F_g,
 * where A = (age - 56)/20, a_g is the group's age loading and c_g makes u_g
 * roughly unit-variance.  b_c is fitted (Newton steps on a subsample) so the
 * code's prevalence matches the embedded table.  A child code (401.1) is
 * drawn only for patients with its parent (401), with the conditional
 * prevalence p_child/p_parent, so child ⇒ parent.  Sex-restricted codes
 * are drawn only for that sex.  DIE_1y depends on age, burden, sex, BMI and
 * a handful of codes (metastatic cancer, renal and heart failure, ...),
 * with its intercept fitted to 11.3 %.  Codes, age and the label thus
 * share structure the GAN and the prediction metrics can learn.
 *
 * The extract's columns (on by default, off for --full, which keeps the
 * tutorial's shape) are what a hospital extract adds and what min–max
 * scaling handles badly.  They come after everything above, from a second
 * stream of the same seed:
 *   ED_VISITS    emergency visits in the prior year: zero-inflated count
 *                (about 55 % zero), more with burden, age and the label
 *   ADMISSIONS   prior admissions: zero-inflated count (about 70 % zero)
 *                tied to ED_VISITS and burden
 *   N_MEDS       active medications: a count that grows with the number of
 *                codes the patient has (0..60)
 *   CREATININE   right-skewed lab (log-normal, mg/dL, 2 decimals): up with
 *                585 (renal failure), 428 (heart failure), age and the label;
 *                missing for 12 %
 *   ADMISSION_TYPE  nominal: EMERGENCY, URGENT, ELECTIVE, OBSERVATION,
 *                DIRECT (multinomial on burden, the label and ED_VISITS)
 *   HEART_RATE, RESP_RATE  vitals missing together (22 %), up with burden
 *                and the label, RESP_RATE following HEART_RATE
 * With the extract the group latents also load more on the shared burden
 * (0.7 instead of 0.5) and codes more on their latent (×1.35), so codes,
 * counts, age and the label depend on each other as in a hospital
 * population; age, sex and race are drawn the same way either way.
 * Everything is generated column by column from one seeded generator, so
 * the same options give the same cohort. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synthehr/csvio.h"
#include "synthehr/demo.h"
#include "synthehr/phecode.h"
#include "synthehr/prep.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

struct demo_code {
	const char *code;     /* phecode, the column name */
	double prev;          /* overall prevalence, fraction of all patients */
	int group;            /* phecode group 1..18 */
	int w10;              /* loading on the group's latent, x10 */
	int sex;              /* 0 any, 1 male only, 2 female only */
	int parent;           /* index of the nearest kept ancestor, -1 none */
	const char *desc;     /* phecode_info.csv's description */
};

#include "demo_codes.h"

#define NCODES ((int)SH_NELEM(demo_codes))
#define NGROUPS 19
#define CALIB_ROWS 4096

/* Age loading of each phecode group's latent condition (index = groupnum). */
static const double group_age[NGROUPS] = {
	0, .30, .40, .50, .35, -.10, .20, .50, .65, .30, .25, .40, -.60, .20, .35, -.30, 0, .20, 0
};

/* Codes that move the label (log-odds per positive code). */
static const struct { const char *code; double beta; } label_codes[] = {
	{ "198", 2.2 }, { "585", .65 }, { "428", .90 }, { "285", .55 }, { "480", .65 },
	{ "496", .50 }, { "276", .55 }, { "707", .55 }, { "317", .40 }, { "316", .25 },
	{ "591", .20 }, { "290", .70 }, { "348", .55 }, { "272", -.35 }, { "401.1", -.25 },
	{ "418", -.50 },
};

/* Codes every demo keeps, whatever --concepts says: the ones Table 1, the
 * label and the metrics (CKV's sex-exclusive codes) name. */
static const char *const pinned_codes[] = {
	"401", "272", "285", "401.1", "272.1", "250", "530", "300", "296", "418", "276", "411",
	"327", "318", "585", "428", "591", "480", "496", "316", "317", "198", "707", "290", "348",
	"600", "185", "605", "649", "655", "646", NULL
};

static const char *const race_names[] = { "WHITE", "BLACK", "ASIAN", "HISPANIC", "UN", "OTHER" };
/* Training-set race counts (SPEC §2.6). */
static const double race_count[] = { 85133, 16743, 5338, 6945, 5264, 7099 };

static const char *const admit_names[] = { "EMERGENCY", "URGENT", "ELECTIVE", "OBSERVATION", "DIRECT" };

void
demo_opts_init(struct demo_opts *o)
{
	o->rows = DEMO_QUICK_ROWS;
	o->concepts = DEMO_QUICK_CONCEPTS;
	o->seed = 1;
	o->extract = 1;
}

void
demo_opts_full(struct demo_opts *o)
{
	o->rows = DEMO_FULL_ROWS;
	o->concepts = DEMO_FULL_CONCEPTS;
	o->seed = 1;
	o->extract = 0;
}

static double sigmoid(double x);

/* Poisson draw (Knuth for small means, normal approximation above 30). */
static int
poisson(struct rng *r, double mu)
{
	double l, p = 1;
	int k = 0;

	if (mu <= 0)
		return 0;
	if (mu > 30)
		return (int)fmax(0, floor(mu + sqrt(mu) * rng_normal(r) + 0.5));
	l = exp(-mu);
	do {
		k++;
		p *= rng_uniform(r);
	} while (p > l);
	return k - 1;
}

/* The extract's columns (see the top of the file); the label, codes and
 * latents are those already drawn. */
static void
add_extract(struct cohort *c, uint64_t seed, const double *age_std, const double *burden,
    int ncodes_first, int ncodes)
{
	struct rng r;
	size_t n = c->nrows, i;
	int ed, adm, meds, cr, at, hr, rr, j, c585 = cohort_find(c, "585"), c428 = cohort_find(c, "428");
	const uint8_t *y = c->cols[0].bin;

	rng_seed_stream(&r, seed, 14);
	ed = cohort_add_column(c, "ED_VISITS", ROLE_CONTINUOUS, KIND_NUMERIC);
	adm = cohort_add_column(c, "ADMISSIONS", ROLE_CONTINUOUS, KIND_NUMERIC);
	meds = cohort_add_column(c, "N_MEDS", ROLE_CONTINUOUS, KIND_NUMERIC);
	cr = cohort_add_column(c, "CREATININE", ROLE_CONTINUOUS, KIND_NUMERIC);
	at = cohort_add_column(c, "ADMISSION_TYPE", ROLE_CATEGORICAL, KIND_CATEGORICAL);
	cohort_set_levels(c, at, 5, admit_names);
	hr = cohort_add_column(c, "HEART_RATE", ROLE_CONTINUOUS, KIND_NUMERIC);
	rr = cohort_add_column(c, "RESP_RATE", ROLE_CONTINUOUS, KIND_NUMERIC);
	for (i = 0; i < n; i++) {
		double b = burden[i], a = age_std[i], lab = y[i], nc = 0, s[5], tot = 0, x, v;
		int k, e;

		for (j = ncodes_first; j < ncodes_first + ncodes; j++)
			nc += c->cols[j].bin[i];
		/* ED visits: any with P = σ(·), then 1 + Poisson. */
		e = 0;
		if (rng_uniform(&r) < sigmoid(-0.55 + 0.9 * b + 0.25 * a + 1.0 * lab))
			e = 1 + poisson(&r, exp(0.2 + 0.45 * b + 0.35 * lab + 0.3 * rng_normal(&r)));
		c->cols[ed].num[i] = fmin(e, 40);
		k = 0;
		if (rng_uniform(&r) < sigmoid(-1.4 + 0.7 * b + 0.35 * fmin(e, 6) + 0.3 * a + 0.6 * lab))
			k = 1 + poisson(&r, exp(-0.3 + 0.35 * b + 0.25 * lab));
		c->cols[adm].num[i] = fmin(k, 20);
		c->cols[meds].num[i] = fmin(poisson(&r, exp(1.3 + 0.09 * fmin(nc, 25) + 0.2 * b + 0.15 * a)), 60);
		x = log(0.85) + 0.06 * a + 0.2 * rng_normal(&r) + 0.12 * lab;
		if (c585 >= 0 && c->cols[c585].bin[i])
			x += 0.75 + 0.35 * fabs(rng_normal(&r));
		if (c428 >= 0 && c->cols[c428].bin[i])
			x += 0.25;
		c->cols[cr].num[i] = floor(fmin(fmax(exp(x), 0.2), 15) * 100 + 0.5) / 100;
		/* Admission type: multinomial logit. */
		s[0] = 1.0 + 0.6 * b + 0.8 * lab + 0.25 * fmin(e, 4);
		s[1] = 0.1 + 0.3 * b + 0.3 * lab;
		s[2] = 0.3 - 0.7 * b - 1.2 * lab;
		s[3] = -0.4 - 0.2 * b;
		s[4] = -1.1 + 0.1 * a;
		for (k = 0; k < 5; k++)
			tot += s[k] = exp(s[k]);
		v = rng_uniform(&r) * tot;
		for (k = 0; k < 4 && v >= s[k]; k++)
			v -= s[k];
		c->cols[at].cat[i] = k;
		/* Vitals, missing together. */
		v = 82 + 7 * b + 9 * lab + 12 * rng_normal(&r);
		c->cols[hr].num[i] = fmin(fmax(floor(v + 0.5), 35), 190);
		v = 17 + 0.12 * (v - 82) + 1.5 * lab + 2.5 * rng_normal(&r);
		c->cols[rr].num[i] = fmin(fmax(floor(v + 0.5), 6), 45);
		if (rng_uniform(&r) < 0.22) {
			cohort_set_missing(c, hr, i);
			cohort_set_missing(c, rr, i);
		}
		if (rng_uniform(&r) < 0.12)
			cohort_set_missing(c, cr, i);
	}
}

const char *
demo_code_name(int i)
{
	return i >= 0 && i < NCODES ? demo_codes[i].code : NULL;
}

void
demo_phecode_info(struct phecode_info *pi)
{
	int i;

	pi->n = NCODES;
	pi->code = xmalloc(NCODES * sizeof *pi->code);
	pi->desc = xmalloc(NCODES * sizeof *pi->desc);
	for (i = 0; i < NCODES; i++) {
		pi->code[i] = xstrdup(demo_codes[i].code);
		pi->desc[i] = xstrdup(demo_codes[i].desc);
	}
}

static double
sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

static double
logit(double p)
{
	return log(p / (1 - p));
}

/* Intercept b with mean sigmoid(b + w*u[i]) = q over the n values u[]
 * (Newton's method from the logistic-normal approximation). */
static double
fit_intercept(const float *u, size_t n, double w, double q)
{
	double b, f, df, s;
	size_t i;
	int it;

	if (q <= 0)
		return -40;
	if (q >= 1)
		return 40;
	b = logit(q) * sqrt(1 + M_PI * w * w / 8);
	for (it = 0; it < 30 && n > 0; it++) {
		f = df = 0;
		for (i = 0; i < n; i++) {
			s = sigmoid(b + w * u[i]);
			f += s;
			df += s * (1 - s);
		}
		f = f / n - q;
		df /= n;
		if (df < 1e-12)
			break;
		s = f / df;
		if (s > 3) s = 3;
		if (s < -3) s = -3;
		b -= s;
		if (fabs(s) < 1e-6)
			break;
	}
	return b;
}

/* Which codes to keep for K concepts: the pinned ones, then codes spread
 * evenly over the prevalence ranks so the long tail keeps its shape. */
static void
choose_codes(int K, uint8_t *keep)
{
	int order[NCODES], n = 0, i, j, npin = 0, rest;

	memset(keep, 0, NCODES);
	if (K >= NCODES) {
		memset(keep, 1, NCODES);
		return;
	}
	for (i = 0; i < NCODES; i++) {
		int pin = 0;

		for (j = 0; pinned_codes[j] != NULL && !pin; j++)
			pin = strcmp(pinned_codes[j], demo_codes[i].code) == 0;
		if (pin && npin < K) {
			keep[i] = 1;
			npin++;
		} else if (!pin)
			order[n++] = i;
	}
	/* insertion sort by prevalence, descending (stable, n ≈ 1,600) */
	for (i = 1; i < n; i++) {
		int x = order[i];

		for (j = i; j > 0 && demo_codes[order[j - 1]].prev < demo_codes[x].prev; j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
	rest = K - npin;
	for (i = 0; i < rest; i++)
		keep[order[(int)((double)i * n / rest)]] = 1;
}

static int
pick_rows(struct rng *r, size_t n, size_t k, const uint8_t *eligible, uint8_t *mark, size_t *out)
{
	size_t got = 0, tries = 0, e = 0, i;

	for (i = 0; i < n; i++)
		e += eligible[i] && !mark[i];
	if (k > e)
		k = e;
	while (got < k && tries < 100 * n + 1000) {
		size_t x = rng_below(r, n);

		tries++;
		if (!eligible[x] || mark[x])
			continue;
		mark[x] = 1;
		out[got++] = x;
	}
	return (int)got;
}

int
demo_generate(const struct demo_opts *o, struct cohort **out, char **cause)
{
	struct demo_opts d;
	struct rng r;
	struct cohort *c;
	size_t n, i, k;
	uint8_t keep[NCODES], *sex, *obs, *mark, *elig;
	int col_code[NCODES], K, g, j, ci, race_col;
	float *u, *calib;      /* u: [n × NGROUPS] latent per patient and group */
	double *age_std, *burden, *bmi_true, *eta, rc_total = 0, bl, wm;
	size_t *pick;

	if (o == NULL)
		demo_opts_init(&d);
	else
		d = *o;
	if (d.rows == 0)
		d.rows = DEMO_QUICK_ROWS;
	if (d.concepts == 0)
		d.concepts = DEMO_QUICK_CONCEPTS;
	if (d.rows < 10 || d.rows > 10000000)
		return util_fail(cause, "demo: --rows %zu is out of range (expected 10 to 10,000,000)", d.rows);
	if (d.concepts < 0 || d.concepts > NCODES)
		return util_fail(cause, "demo: --concepts %d is out of range (expected 1 to %d)",
		    d.concepts, NCODES);
	n = d.rows;
	K = d.concepts;
	/* The extract demo has the stronger shared illness burden of a
	 * hospital population: codes load more on it and on their group. */
	bl = d.extract ? 0.7 : 0.5;
	wm = d.extract ? 1.35 : 1.0;
	/* per patient: a byte per concept column, the 7 base columns, the
	 * latent u[NGROUPS] and the scratch arrays, with missing masks */
	if (util_mem_check(n * (2 * (size_t)K + 7 * 9 + NGROUPS * sizeof(float) + 8 * sizeof(double) + 64),
	    "the demo cohort", cause) != 0)
		return -1;
	rng_seed(&r, d.seed);
	c = cohort_new(n);
	c->source = xstrdup("demo");
	cohort_add_column(c, "DIE_1y", ROLE_LABEL, KIND_BINARY);
	cohort_add_column(c, "AGE", ROLE_CONTINUOUS, KIND_NUMERIC);
	cohort_add_column(c, "GENDER", ROLE_SEX, KIND_BINARY);
	race_col = cohort_add_column(c, "RACE", ROLE_CATEGORICAL, KIND_CATEGORICAL);
	cohort_set_levels(c, race_col, 6, race_names);
	cohort_add_column(c, "BMI", ROLE_CONTINUOUS, KIND_NUMERIC);
	cohort_add_column(c, "DIASTOLIC", ROLE_CONTINUOUS, KIND_NUMERIC);
	cohort_add_column(c, "SYSTOLIC", ROLE_CONTINUOUS, KIND_NUMERIC);
	choose_codes(K, keep);
	for (i = 0; i < (size_t)NCODES; i++)
		col_code[i] = keep[i] ? cohort_add_column(c, demo_codes[i].code, ROLE_CONCEPT, KIND_BINARY) : -1;

	/* Patients: age, sex, race, burden and the group latents. */
	age_std = xcalloc(n, sizeof(double));
	burden = xcalloc(n, sizeof(double));
	u = xcalloc(n * NGROUPS, sizeof(float));
	sex = c->cols[2].bin;
	for (j = 0; j < 6; j++)
		rc_total += race_count[j];
	for (i = 0; i < n; i++) {
		double a, x;

		/* N(56.2, 23) folded at 18 and capped at 91 (as MIMIC-IV caps
		 * ages): mean ≈ 56.2, SD ≈ 20.4, about 6 % at 91. */
		a = 56.2 + 23.0 * rng_normal(&r);
		if (a < 18)
			a = 18 + (18 - a) * 0.5;
		a = fmin(fmax(floor(a + 0.5), 18), 91);
		c->cols[1].num[i] = a;
		age_std[i] = (a - 56) / 20;
		sex[i] = rng_uniform(&r) < 0.533;
		x = rng_uniform(&r) * rc_total;
		for (j = 0; j < 5 && x >= race_count[j]; j++)
			x -= race_count[j];
		c->cols[race_col].cat[i] = j;
		burden[i] = rng_normal(&r);
		for (g = 1; g < NGROUPS; g++) {
			double a_g = group_age[g], c_g = sqrt(fmax(0.05, 1 - a_g * a_g - bl * bl));

			u[i * NGROUPS + g] = (float)(a_g * age_std[i] + bl * burden[i] + c_g * rng_normal(&r));
		}
	}

	/* Codes, in column order (parents before children). */
	calib = xcalloc(CALIB_ROWS, sizeof(float));
	elig = xcalloc(n, 1);
	for (ci = 0; ci < NCODES; ci++) {
		const struct demo_code *dc = &demo_codes[ci];
		double q = dc->prev, w = wm * dc->w10 / 10.0, b, psex = 1;
		uint8_t *x, *par = NULL;
		size_t ne = 0, nc = 0;
		int p = dc->parent;

		if (!keep[ci])
			continue;
		while (p >= 0 && !keep[p])
			p = demo_codes[p].parent;
		if (p >= 0) {
			par = c->cols[col_code[p]].bin;
			q = dc->prev / demo_codes[p].prev;
		} else if (dc->sex != 0)
			psex = dc->sex == 2 ? 0.533 : 0.467;
		q = fmin(q / psex, 1);
		for (i = 0; i < n; i++) {
			elig[i] = (par == NULL || par[i]) && (dc->sex == 0 || sex[i] == (dc->sex == 2));
			if (elig[i] && nc < CALIB_ROWS)
				calib[nc++] = u[i * NGROUPS + dc->group];
			ne += elig[i];
		}
		b = fit_intercept(calib, nc, w, q);
		x = c->cols[col_code[ci]].bin;
		for (i = 0; i < n; i++)
			x[i] = elig[i] && rng_uniform(&r) < sigmoid(b + w * u[i * NGROUPS + dc->group]);
		(void)ne;
	}

	/* BMI, blood pressure: true values first (the label uses BMI). */
	bmi_true = xcalloc(n, sizeof(double));
	{
		int c401 = cohort_find(c, "401");
		const uint8_t *h = c401 >= 0 ? c->cols[c401].bin : NULL;
		double *bmi = c->cols[4].num, *dbp = c->cols[5].num, *sbp = c->cols[6].num;

		for (i = 0; i < n; i++) {
			double e = rng_normal(&r), e1 = rng_normal(&r), e2 = rng_normal(&r);
			double hy = h ? (h[i] - .316) / .465 : 0, v;

			v = 28.4 + 6.8 * (0.35 * u[i * NGROUPS + 3] - 0.15 * age_std[i] + 0.9 * e);
			v = floor(fmin(fmax(v, 12.0), 59.9) * 10 + 0.5) / 10;
			bmi[i] = bmi_true[i] = v;
			v = 126.6 + 18.2 * (0.30 * age_std[i] + 0.35 * hy + 0.85 * e1);
			sbp[i] = fmin(fmax(floor(v + 0.5), 63), 243);
			v = 73.6 + 11.8 * (-0.30 * age_std[i] + 0.25 * hy + 0.5 * e1 + 0.75 * e2);
			dbp[i] = fmin(fmax(floor(v + 0.5), 30), 168);
			if (dbp[i] >= sbp[i] - 10)
				dbp[i] = fmax(30, sbp[i] - 20);
		}
	}

	/* The label. */
	eta = xcalloc(n, sizeof(double));
	for (i = 0; i < n; i++)
		eta[i] = 1.8 * age_std[i] + 0.6 * burden[i] - 0.25 * sex[i] - 0.035 * (bmi_true[i] - 28.4);
	for (j = 0; j < (int)SH_NELEM(label_codes); j++) {
		int cc = cohort_find(c, label_codes[j].code);

		if (cc < 0)
			continue;
		for (i = 0; i < n; i++)
			eta[i] += label_codes[j].beta * c->cols[cc].bin[i];
	}
	{
		float *ef = xcalloc(n, sizeof(float));
		double b0;

		for (i = 0; i < n; i++)
			ef[i] = (float)eta[i];
		b0 = fit_intercept(ef, n, 1.0, 20493.0 / 181294.0);
		free(ef);
		for (i = 0; i < n; i++)
			c->cols[0].bin[i] = rng_uniform(&r) < sigmoid(b0 + eta[i]);
	}

	/* Missing values: no measurement record at all (both missing), then
	 * BMI or blood pressure alone: 38.6 % and 43.5 % overall. */
	for (i = 0; i < n; i++) {
		double none = rng_uniform(&r), mb = rng_uniform(&r), mp = rng_uniform(&r);

		if (none < 0.35 || mb < 0.0554)
			cohort_set_missing(c, 4, i);
		if (none < 0.35 || mp < 0.1308) {
			cohort_set_missing(c, 5, i);
			cohort_set_missing(c, 6, i);
		}
	}

	/* The paper's outliers, scaled to the row count: 366 BMI > 60, 120
	 * BMI < 10 (some exactly 0), 62 DIASTOLIC < 30, in different rows. */
	obs = xcalloc(n, 1);
	mark = xcalloc(n, 1);
	pick = xcalloc(n, sizeof(size_t));
	for (i = 0; i < n; i++)
		obs[i] = !cohort_is_missing(&c->cols[4], i);
	k = pick_rows(&r, n, (size_t)floor(366.0 * n / 181294 + 0.5), obs, mark, pick);
	for (i = 0; i < k; i++) {
		double t = rng_uniform(&r), v;

		if (t < 0.6)
			v = 60.1 + rng_uniform(&r) * 30;
		else if (t < 0.85)
			v = 90 + rng_uniform(&r) * 410;
		else
			v = exp(log(500) + rng_uniform(&r) * (log(20000) - log(500)));
		c->cols[4].num[pick[i]] = floor(v * 10 + 0.5) / 10;
	}
	k = pick_rows(&r, n, (size_t)floor(120.0 * n / 181294 + 0.5), obs, mark, pick);
	for (i = 0; i < k; i++)
		c->cols[4].num[pick[i]] = rng_uniform(&r) < 0.4 ? 0 :
		    floor((1 + rng_uniform(&r) * 8.9) * 10 + 0.5) / 10;
	for (i = 0; i < n; i++)
		obs[i] = !cohort_is_missing(&c->cols[5], i);
	k = pick_rows(&r, n, (size_t)floor(62.0 * n / 181294 + 0.5), obs, mark, pick);
	for (i = 0; i < k; i++)
		c->cols[5].num[pick[i]] = 1 + (double)rng_below(&r, 29);

	if (d.extract)
		add_extract(c, d.seed, age_std, burden, 7, K);
	free(obs);
	free(mark);
	free(pick);
	free(eta);
	free(bmi_true);
	free(calib);
	free(elig);
	free(u);
	free(age_std);
	free(burden);
	*out = c;
	return 0;
}

json_t *
demo_schema(void)
{
	return demo_schema_for(NULL);
}

json_t *
demo_schema_for(const struct demo_opts *o)
{
	json_t *j = json_object(), *roles = json_object(), *prep = json_object();
	json_t *levels = json_object(), *race = json_array();
	int i;

	json_object_set_new(j, "synthehr_schema", json_integer(1));
	json_object_set_new(roles, "DIE_1y", json_string("label"));
	json_object_set_new(roles, "AGE", json_string("continuous"));
	json_object_set_new(roles, "GENDER", json_string("sex"));
	json_object_set_new(roles, "RACE", json_string("categorical"));
	json_object_set_new(roles, "BMI", json_string("continuous"));
	json_object_set_new(roles, "DIASTOLIC", json_string("continuous"));
	json_object_set_new(roles, "SYSTOLIC", json_string("continuous"));
	if (o == NULL || o->extract) {
		static const char *const cont[] = { "ED_VISITS", "ADMISSIONS", "N_MEDS", "CREATININE",
			"HEART_RATE", "RESP_RATE" };
		json_t *at = json_array();

		for (i = 0; i < (int)SH_NELEM(cont); i++)
			json_object_set_new(roles, cont[i], json_string("continuous"));
		json_object_set_new(roles, "ADMISSION_TYPE", json_string("categorical"));
		for (i = 0; i < 5; i++)
			json_array_append_new(at, json_string(admit_names[i]));
		json_object_set_new(levels, "ADMISSION_TYPE", at);
	}
	json_object_set_new(j, "roles", roles);
	json_object_set_new(j, "default_role", json_string("concept"));
	json_object_set_new(j, "sex_female", json_string("1"));
	for (i = 0; i < 6; i++)
		json_array_append_new(race, json_string(race_names[i]));
	json_object_set_new(levels, "RACE", race);
	json_object_set_new(j, "levels", levels);
	json_object_set_new(prep, "outliers", prep_default_outliers());
	json_object_set_new(j, "prep", prep);
	return j;
}

int
demo_write(const struct demo_opts *o, const char *path, char **cause)
{
	struct cohort *c;
	json_t *schema;
	char *side;
	int rc;

	if (demo_generate(o, &c, cause) != 0)
		return -1;
	rc = csv_write_cohort(path, c, cause);
	cohort_free(c);
	if (rc != 0)
		return -1;
	xasprintf(&side, "%s.schema.json", path);
	schema = demo_schema_for(o);
	rc = js_write_file(side, schema, cause);
	json_decref(schema);
	free(side);
	if (rc != 0)
		unlink(path);
	return rc;
}
