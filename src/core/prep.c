/* synthehr — GPL-3.0-or-later.
 * Preprocessing plan and rules: the built-in table of plausible clinical
 * ranges, the study.json "prep" format (doc/internals.md, doc/prep.md),
 * counting what a rule affects and previewing it on a histogram, and the
 * Table-1-shaped cohort summary.  Applying the plan is in prep_apply.c. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "prep_int.h"

/* Plausible ranges for common measurements (adult, conventional US units).
 * Only the tutorial's two rules are on by default; the others flag values
 * in `synthehr review` and can be enabled in study.json. */
static const struct prep_clinical clinical[] = {
	{ "BMI", "BODY_MASS_INDEX,BMI_KG_M2", 10, 60, "kg/m2", 1,
	  "the tutorial drops BMI > 60 and BMI < 10" },
	{ "DIASTOLIC", "DBP,DIASTOLIC_BP,DIABP,DIA_BP,DIASTOLIC_BLOOD_PRESSURE,BP_DIASTOLIC,DIA",
	  30, NAN, "mmHg", 1, "the tutorial drops DIASTOLIC < 30 (not in the paper)" },
	{ "SYSTOLIC", "SBP,SYSTOLIC_BP,SYSBP,SYS_BP,SYSTOLIC_BLOOD_PRESSURE,BP_SYSTOLIC,SYS",
	  50, 300, "mmHg", 0, "the tutorial has no systolic filter" },
	{ "AGE", "AGE_YEARS,ANCHOR_AGE", 0, 120, "years", 0, "human lifespan" },
	{ "HEART_RATE", "HR,PULSE,HEARTRATE,PULSE_RATE", 20, 300, "/min", 0, "survivable rates" },
	{ "RESP_RATE", "RR,RESPIRATORY_RATE,RESPRATE", 4, 80, "/min", 0, "survivable rates" },
	{ "TEMPERATURE", "TEMP,TEMP_C,BODY_TEMPERATURE", 25, 45, "degC", 0, "survivable core temperature" },
	{ "SPO2", "O2SAT,SAO2,OXYGEN_SATURATION", 50, 100, "%", 0, "saturation is a percentage" },
	{ "HEIGHT", "HEIGHT_CM", 50, 250, "cm", 0, "adult height" },
	{ "WEIGHT", "WEIGHT_KG", 2, 400, "kg", 0, "body weight" },
	{ "GLUCOSE", "GLU,BLOOD_GLUCOSE,GLUCOSE_MG_DL", 10, 2000, "mg/dL", 0, "survivable glucose" },
	{ "CREATININE", "CREAT,SCR,SERUM_CREATININE", 0.1, 25, "mg/dL", 0, "survivable creatinine" },
	{ "SODIUM", "NA,SERUM_SODIUM", 100, 180, "mmol/L", 0, "survivable sodium" },
	{ "POTASSIUM", "K,SERUM_POTASSIUM", 1.5, 10, "mmol/L", 0, "survivable potassium" },
	{ "HEMOGLOBIN", "HGB,HB,HAEMOGLOBIN", 2, 25, "g/dL", 0, "survivable haemoglobin" },
	{ "HBA1C", "A1C,HEMOGLOBIN_A1C", 3, 20, "%", 0, "assay range" },
	{ "ALBUMIN", "ALB,SERUM_ALBUMIN", 0.5, 7, "g/dL", 0, "assay range" },
	{ "PLATELETS", "PLT,PLATELET,PLATELET_COUNT", 1, 2000, "10^9/L", 0, "assay range" },
	{ "WBC", "WHITE_BLOOD_CELLS,LEUKOCYTES", 0, 500, "10^9/L", 0, "assay range" },
};

const struct prep_clinical *
prep_clinical_table(int *n)
{
	*n = (int)SH_NELEM(clinical);
	return clinical;
}

/* Upper case, anything but letters and digits becomes '_'. */
static void
norm_name(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)s[i]) ? (char)toupper((unsigned char)s[i]) : '_';
	out[i] = '\0';
}

const struct prep_clinical *
prep_clinical_find(const char *column)
{
	char n[128], a[128];
	size_t i;

	norm_name(column, n, sizeof n);
	for (i = 0; i < SH_NELEM(clinical); i++) {
		const char *p = clinical[i].aliases;

		if (strcmp(n, clinical[i].name) == 0)
			return &clinical[i];
		while (p && *p) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);

			if (len < sizeof a) {
				memcpy(a, p, len);
				a[len] = '\0';
				if (strcmp(n, a) == 0)
					return &clinical[i];
			}
			p = e ? e + 1 : NULL;
		}
	}
	return NULL;
}

/* ---- model width ---- */

static size_t
count_distinct_num(const struct column *k, size_t n)
{
	double *s;
	size_t m = column_sorted_values(k, n, &s), d = 0, i;

	for (i = 0; i < m; i++)
		d += i == 0 || s[i] != s[i - 1];
	free(s);
	return d;
}

int
prep_model_width(const struct cohort *c)
{
	int j, w = 0;

	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (!column_is_modelled(k))
			continue;
		if (k->group != NULL)     /* one of the separate 0/1 columns of a group */
			w++;
		else if (column_is_group(k) && k->kind == KIND_BINARY)
			w += 2;
		else if (column_is_group(k))
			w += k->kind == KIND_CATEGORICAL ? k->nlevels : (int)count_distinct_num(k, c->nrows);
		else
			w++;
	}
	return w;
}

/* ---- rules ---- */

static const char *type_names[PREP_RULE_TYPE_COUNT] = { "range", "cross", "iqr", "percentile" };
static const char *action_names[PREP_ACTION_COUNT] = { "drop", "clip" };
static const char *cmp_names[PREP_CMP_COUNT] = { "<", "<=", ">", ">=" };
static const char *impute_names[PREP_IMPUTE_COUNT] = { "sample", "median", "mean", "drop" };

const char *
prep_impute_name(enum prep_impute m)
{
	return (unsigned)m < PREP_IMPUTE_COUNT ? impute_names[m] : "?";
}

static int
parse_name(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void
prep_rule_done(struct prep_rule *r)
{
	free(r->column);
	free(r->right);
	r->column = r->right = NULL;
}

static void
rule_copy(struct prep_rule *dst, const struct prep_rule *src)
{
	*dst = *src;
	dst->column = src->column ? xstrdup(src->column) : NULL;
	dst->right = src->right ? xstrdup(src->right) : NULL;
}

void
prep_plan_add_rule(struct prep_plan *p, const struct prep_rule *r)
{
	p->rules = xreallocarray(p->rules, p->nrules + 1, sizeof *p->rules);
	rule_copy(&p->rules[p->nrules++], r);
}

/* Optional number: NaN when absent or null. */
static int
opt_num(json_t *j, const char *key, double *out, const char *where, char **cause)
{
	json_t *v = json_object_get(j, key);

	*out = NAN;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return util_fail(cause, "%s: \"%s\" must be a number", where, key);
	*out = json_number_value(v);
	return 0;
}

static int
rule_from_json_at(json_t *j, struct prep_rule *r, const char *where, char **cause)
{
	const char *t, *a, *col;
	json_t *v;
	int k;

	memset(r, 0, sizeof *r);
	r->min = r->max = NAN;
	r->enabled = 1;
	if (!json_is_object(j))
		return util_fail(cause, "%s: expected an object", where);
	t = js_str(j, "type", "range");
	if ((k = parse_name(t, type_names, PREP_RULE_TYPE_COUNT)) < 0)
		return util_fail(cause, "%s: unknown rule type \"%s\" (expected range, cross, iqr or percentile)",
		    where, t);
	r->type = k;
	a = js_str(j, "action", "drop");
	if ((k = parse_name(a, action_names, PREP_ACTION_COUNT)) < 0)
		return util_fail(cause, "%s: unknown action \"%s\" (expected drop or clip)", where, a);
	r->action = k;
	if ((v = json_object_get(j, "enabled")) != NULL) {
		if (!json_is_boolean(v))
			return util_fail(cause, "%s: \"enabled\" must be true or false", where);
		r->enabled = json_is_true(v);
	}
	if (r->type == PREP_RULE_CROSS) {
		const char *l = js_str(j, "left", NULL), *rt = js_str(j, "right", NULL);
		const char *op = js_str(j, "op", "<");

		if (l == NULL || rt == NULL)
			return util_fail(cause, "%s: a cross rule needs \"left\" and \"right\" column names", where);
		if ((k = parse_name(op, cmp_names, PREP_CMP_COUNT)) < 0)
			return util_fail(cause, "%s: unknown \"op\" \"%s\" (expected <, <=, > or >=)", where, op);
		if (r->action != PREP_ACTION_DROP)
			return util_fail(cause, "%s: a cross rule can only drop patients (\"action\": \"drop\")", where);
		r->op = k;
		r->column = xstrdup(l);
		r->right = xstrdup(rt);
		return 0;
	}
	col = js_str(j, "column", NULL);
	if (col == NULL)
		return util_fail(cause, "%s: expected a \"column\" name", where);
	switch (r->type) {
	case PREP_RULE_RANGE:
		if (opt_num(j, "min", &r->min, where, cause) || opt_num(j, "max", &r->max, where, cause))
			return -1;
		if (isnan(r->min) && isnan(r->max))
			return util_fail(cause, "%s: a range rule needs \"min\", \"max\" or both", where);
		if (!isnan(r->min) && !isnan(r->max) && r->min > r->max)
			return util_fail(cause, "%s: \"min\" (%g) is above \"max\" (%g)", where, r->min, r->max);
		break;
	case PREP_RULE_IQR:
		r->k = js_num(j, "k", 3);
		if (!(r->k > 0))
			return util_fail(cause, "%s: \"k\" must be a positive number", where);
		break;
	case PREP_RULE_PERCENTILE:
		r->lo = js_num(j, "lo", 0.5);
		r->hi = js_num(j, "hi", 99.5);
		if (!(r->lo >= 0 && r->hi <= 100 && r->lo < r->hi))
			return util_fail(cause, "%s: expected 0 <= \"lo\" < \"hi\" <= 100 (percent)", where);
		break;
	default:
		break;
	}
	r->column = xstrdup(col);
	return 0;
}

int
prep_rule_from_json(json_t *j, struct prep_rule *r, char **cause)
{
	return rule_from_json_at(j, r, "prep rule", cause);
}

json_t *
prep_rule_to_json(const struct prep_rule *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type_names[r->type]));
	if (r->type == PREP_RULE_CROSS) {
		json_object_set_new(o, "left", json_string(r->column));
		json_object_set_new(o, "op", json_string(cmp_names[r->op]));
		json_object_set_new(o, "right", json_string(r->right));
	} else
		json_object_set_new(o, "column", json_string(r->column));
	switch (r->type) {
	case PREP_RULE_RANGE:
		if (!isnan(r->min))
			json_object_set_new(o, "min", json_real(r->min));
		if (!isnan(r->max))
			json_object_set_new(o, "max", json_real(r->max));
		break;
	case PREP_RULE_IQR:
		json_object_set_new(o, "k", json_real(r->k));
		break;
	case PREP_RULE_PERCENTILE:
		json_object_set_new(o, "lo", json_real(r->lo));
		json_object_set_new(o, "hi", json_real(r->hi));
		break;
	default:
		break;
	}
	json_object_set_new(o, "action", json_string(action_names[r->action]));
	json_object_set_new(o, "enabled", json_boolean(r->enabled));
	return o;
}

void
prep_rule_describe(const struct prep_rule *r, char *buf, size_t size)
{
	char a[32], b[32];
	const char *act = action_names[r->action];

	switch (r->type) {
	case PREP_RULE_RANGE:
		hist_format_num(a, sizeof a, r->min);
		hist_format_num(b, sizeof b, r->max);
		if (isnan(r->max))
			snprintf(buf, size, "%s < %s: %s", r->column, a, act);
		else if (isnan(r->min))
			snprintf(buf, size, "%s > %s: %s", r->column, b, act);
		else
			snprintf(buf, size, "%s outside [%s, %s]: %s", r->column, a, b, act);
		break;
	case PREP_RULE_CROSS:
		snprintf(buf, size, "not %s %s %s: %s", r->column, cmp_names[r->op], r->right, act);
		break;
	case PREP_RULE_IQR:
		hist_format_num(a, sizeof a, r->k);
		snprintf(buf, size, "%s beyond %s*IQR: %s", r->column, a, act);
		break;
	case PREP_RULE_PERCENTILE:
		hist_format_num(a, sizeof a, r->lo);
		hist_format_num(b, sizeof b, r->hi);
		snprintf(buf, size, "%s outside P%s-P%s: %s", r->column, a, b, act);
		break;
	default:
		snprintf(buf, size, "?");
	}
}

/* ---- plan ---- */

void
prep_plan_default(struct prep_plan *p, const struct cohort *c)
{
	int j;

	memset(p, 0, sizeof *p);
	p->drop_above = 0.5;
	p->impute = PREP_IMPUTE_SAMPLE;
	p->impute_seed = 4;
	p->low_prevalence = 5e-5;
	p->train_frac = 0.7;
	p->split_seed = 0;
	p->enc.def = ENC_AUTO;
	for (j = 0; c != NULL && j < c->ncols; j++) {
		const struct column *k = &c->cols[j];
		const struct prep_clinical *t;
		struct prep_rule r;

		if (k->role != ROLE_CONTINUOUS || (t = prep_clinical_find(k->name)) == NULL)
			continue;
		memset(&r, 0, sizeof r);
		r.type = PREP_RULE_RANGE;
		r.column = k->name;
		r.min = t->min;
		r.max = t->max;
		r.action = PREP_ACTION_DROP;
		r.enabled = t->enabled;
		prep_plan_add_rule(p, &r);
	}
}

void
prep_plan_done(struct prep_plan *p)
{
	int i;

	for (i = 0; i < p->nrules; i++)
		prep_rule_done(&p->rules[i]);
	free(p->rules);
	for (i = 0; i < p->nimp; i++)
		free(p->imp_col[i]);
	free(p->imp_col);
	free(p->imp_method);
	for (i = 0; i < p->enc.n; i++)
		free(p->enc.col[i]);
	free(p->enc.col);
	free(p->enc.kind);
	memset(p, 0, sizeof *p);
}

void
prep_plan_copy(struct prep_plan *dst, const struct prep_plan *src)
{
	int i;

	*dst = *src;
	dst->rules = xcalloc(src->nrules + 1, sizeof *dst->rules);
	for (i = 0; i < src->nrules; i++)
		rule_copy(&dst->rules[i], &src->rules[i]);
	dst->imp_col = xcalloc(src->nimp + 1, sizeof(char *));
	dst->imp_method = xcalloc(src->nimp + 1, sizeof *dst->imp_method);
	for (i = 0; i < src->nimp; i++) {
		dst->imp_col[i] = xstrdup(src->imp_col[i]);
		dst->imp_method[i] = src->imp_method[i];
	}
	dst->enc.col = xcalloc(src->enc.n + 1, sizeof(char *));
	dst->enc.kind = xcalloc(src->enc.n + 1, sizeof *dst->enc.kind);
	for (i = 0; i < src->enc.n; i++) {
		dst->enc.col[i] = xstrdup(src->enc.col[i]);
		dst->enc.kind[i] = src->enc.kind[i];
	}
}

void
prep_plan_set_encoding(struct prep_plan *p, const char *col, int kind)
{
	int i;

	if (col == NULL) {
		p->enc.def = kind;
		return;
	}
	for (i = 0; i < p->enc.n; i++)
		if (strcmp(p->enc.col[i], col) == 0)
			break;
	if (i == p->enc.n && kind == ENC_AUTO)
		return;
	if (i == p->enc.n) {
		p->enc.col = xreallocarray(p->enc.col, (size_t)p->enc.n + 2, sizeof(char *));
		p->enc.kind = xreallocarray(p->enc.kind, (size_t)p->enc.n + 2, sizeof *p->enc.kind);
		p->enc.col[p->enc.n] = xstrdup(col);
		p->enc.n++;
	}
	p->enc.kind[i] = kind;
	if (kind == ENC_AUTO) {
		free(p->enc.col[i]);
		p->enc.n--;
		memmove(p->enc.col + i, p->enc.col + i + 1, (size_t)(p->enc.n - i) * sizeof(char *));
		memmove(p->enc.kind + i, p->enc.kind + i + 1, (size_t)(p->enc.n - i) * sizeof *p->enc.kind);
	}
}

/* prep.encoding: "KIND" or { "default": KIND, "columns": { COL: KIND } }. */
static int
encoding_from_json(json_t *e, const struct cohort *c, struct prep_plan *p, char **cause)
{
	const char *w = "study.json: prep.encoding";
	json_t *cols, *v;
	const char *key;
	int k;

	if (json_is_string(e)) {
		if ((k = enc_kind_parse(json_string_value(e))) < -1)
			return util_fail(cause, "%s: unknown encoding \"%s\" (expected auto, minmax, quantile,"
			    " gmm, zero or onehot)", w, json_string_value(e));
		p->enc.def = k;
		return 0;
	}
	if (!json_is_object(e))
		return util_fail(cause, "%s: expected an encoding name or an object with \"default\""
		    " and \"columns\"", w);
	if ((v = json_object_get(e, "default")) != NULL) {
		if (!json_is_string(v) || (k = enc_kind_parse(json_string_value(v))) < -1)
			return util_fail(cause, "%s.default: expected auto, minmax, quantile, gmm, zero or onehot", w);
		p->enc.def = k;
	}
	cols = json_object_get(e, "columns");
	if (cols != NULL && !json_is_object(cols))
		return util_fail(cause, "%s.columns: expected an object of column: encoding", w);
	json_object_foreach(cols, key, v) {
		if (!json_is_string(v) || (k = enc_kind_parse(json_string_value(v))) < -1)
			return util_fail(cause, "%s.columns.%s: expected auto, minmax, quantile, gmm, zero or"
			    " onehot", w, key);
		if (c != NULL && cohort_find_ci(c, key) < 0)
			return util_fail(cause, "%s.columns: no column \"%s\" in the cohort", w, key);
		prep_plan_set_encoding(p, key, k);
	}
	return 0;
}

static int
parse_seed(json_t *o, const char *key, uint64_t dflt, uint64_t *out, const char *where, char **cause)
{
	json_t *v = json_object_get(o, key);

	*out = dflt;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return util_fail(cause, "%s: \"%s\" must be a non-negative integer", where, key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
num_in(json_t *o, const char *key, double lo, double hi, double *out, const char *where, char **cause)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi))
		return util_fail(cause, "%s: \"%s\" must be a number from %g to %g", where, key, lo, hi);
	*out = json_number_value(v);
	return 0;
}

int
prep_plan_from_json(json_t *prep, const struct cohort *c, struct prep_plan *p, char **cause)
{
	json_t *out, *miss, *split, *v;
	size_t i;
	char where[96];
	const char *s;

	prep_plan_default(p, (prep != NULL && json_object_get(prep, "outliers") != NULL) ? NULL : c);
	if (prep == NULL)
		return 0;
	if (!json_is_object(prep)) {
		prep_plan_done(p);
		return util_fail(cause, "study.json: \"prep\" must be an object");
	}
	out = json_object_get(prep, "outliers");
	if (out != NULL && !json_is_array(out)) {
		prep_plan_done(p);
		return util_fail(cause, "study.json: prep.outliers must be an array of rules");
	}
	json_array_foreach(out, i, v) {
		struct prep_rule r;

		snprintf(where, sizeof where, "study.json: prep.outliers[%zu]", i);
		if (rule_from_json_at(v, &r, where, cause) != 0) {
			prep_rule_done(&r);
			prep_plan_done(p);
			return -1;
		}
		p->rules = xreallocarray(p->rules, p->nrules + 1, sizeof *p->rules);
		p->rules[p->nrules++] = r;
	}
	miss = json_object_get(prep, "missing");
	if (miss != NULL) {
		const char *wm = "study.json: prep.missing";
		json_t *cols;
		const char *key;
		int m;

		if (!json_is_object(miss)) {
			prep_plan_done(p);
			return util_fail(cause, "%s must be an object", wm);
		}
		if (num_in(miss, "drop_above", 0, 1, &p->drop_above, wm, cause) != 0 ||
		    parse_seed(miss, "seed", 4, &p->impute_seed, wm, cause) != 0) {
			prep_plan_done(p);
			return -1;
		}
		s = js_str(miss, "impute", "sample");
		if ((m = parse_name(s, impute_names, PREP_IMPUTE_COUNT)) < 0) {
			prep_plan_done(p);
			return util_fail(cause, "%s: unknown \"impute\" \"%s\" (expected sample, median, mean or drop)",
			    wm, s);
		}
		p->impute = m;
		cols = json_object_get(miss, "columns");
		if (cols != NULL && !json_is_object(cols)) {
			prep_plan_done(p);
			return util_fail(cause, "%s: \"columns\" must map column names to methods", wm);
		}
		json_object_foreach(cols, key, v) {
			s = json_string_value(v);
			if ((m = parse_name(s, impute_names, PREP_IMPUTE_COUNT)) < 0) {
				prep_plan_done(p);
				return util_fail(cause, "%s.columns.%s: expected \"sample\", \"median\", \"mean\" or \"drop\"",
				    wm, key);
			}
			p->imp_col = xreallocarray(p->imp_col, p->nimp + 1, sizeof(char *));
			p->imp_method = xreallocarray(p->imp_method, p->nimp + 1, sizeof *p->imp_method);
			p->imp_col[p->nimp] = xstrdup(key);
			p->imp_method[p->nimp++] = m;
		}
	}
	if (num_in(prep, "low_prevalence", 0, 1, &p->low_prevalence, "study.json: prep", cause) != 0) {
		prep_plan_done(p);
		return -1;
	}
	s = js_str(prep, "scale_fit", "full");
	if (strcmp(s, "full") != 0 && strcmp(s, "train") != 0) {
		prep_plan_done(p);
		return util_fail(cause, "study.json: prep.scale_fit must be \"full\" (the tutorial) or \"train\"");
	}
	p->scale_fit_train = strcmp(s, "train") == 0;
	split = json_object_get(prep, "split");
	if (split != NULL) {
		const char *ws = "study.json: prep.split";

		if (!json_is_object(split)) {
			prep_plan_done(p);
			return util_fail(cause, "%s must be an object", ws);
		}
		if (num_in(split, "train", 0.01, 0.99, &p->train_frac, ws, cause) != 0 ||
		    parse_seed(split, "seed", 0, &p->split_seed, ws, cause) != 0) {
			prep_plan_done(p);
			return -1;
		}
		if ((v = json_object_get(split, "stratify")) != NULL && !json_is_boolean(v)) {
			prep_plan_done(p);
			return util_fail(cause, "%s: \"stratify\" must be true or false", ws);
		}
		p->stratify = json_is_true(v);
	}
	if ((v = json_object_get(prep, "encoding")) != NULL && encoding_from_json(v, c, p, cause) != 0) {
		prep_plan_done(p);
		return -1;
	}
	return 0;
}

json_t *
prep_plan_to_json(const struct prep_plan *p)
{
	json_t *o = json_object(), *rules = json_array(), *miss = json_object(), *cols = json_object();
	json_t *split = json_object();
	int i;

	for (i = 0; i < p->nrules; i++)
		json_array_append_new(rules, prep_rule_to_json(&p->rules[i]));
	json_object_set_new(o, "outliers", rules);
	json_object_set_new(miss, "drop_above", json_real(p->drop_above));
	json_object_set_new(miss, "impute", json_string(impute_names[p->impute]));
	for (i = 0; i < p->nimp; i++)
		json_object_set_new(cols, p->imp_col[i], json_string(impute_names[p->imp_method[i]]));
	json_object_set_new(miss, "columns", cols);
	json_object_set_new(miss, "seed", json_integer((json_int_t)p->impute_seed));
	json_object_set_new(o, "missing", miss);
	json_object_set_new(o, "low_prevalence", json_real(p->low_prevalence));
	json_object_set_new(o, "scale_fit", json_string(p->scale_fit_train ? "train" : "full"));
	json_object_set_new(split, "train", json_real(p->train_frac));
	json_object_set_new(split, "seed", json_integer((json_int_t)p->split_seed));
	json_object_set_new(split, "stratify", json_boolean(p->stratify));
	json_object_set_new(o, "split", split);
	{
		json_t *e = json_object(), *ec = json_object();

		json_object_set_new(e, "default", json_string(enc_kind_name(p->enc.def)));
		for (i = 0; i < p->enc.n; i++)
			json_object_set_new(ec, p->enc.col[i], json_string(enc_kind_name(p->enc.kind[i])));
		json_object_set_new(e, "columns", ec);
		json_object_set_new(o, "encoding", e);
	}
	return o;
}

int
prep_plan_load(struct study *s, const struct cohort *c, struct prep_plan *p, char **cause)
{
	json_t *prep = json_object_get(s->cfg, "prep");

	return prep_plan_from_json(prep, c, p, cause);
}

int
prep_plan_save(struct study *s, const struct prep_plan *p, char **cause)
{
	json_t *old = json_object_get(s->cfg, "prep"), *nw = prep_plan_to_json(p);
	const char *key;
	json_t *v;

	/* Keep keys this module does not know (other tools may add some). */
	if (json_is_object(old))
		json_object_foreach(old, key, v)
			if (json_object_get(nw, key) == NULL)
				json_object_set(nw, key, v);
	json_object_set_new(s->cfg, "prep", nw);
	return study_save(s, cause);
}

/* ---- counting and previews ---- */

static int
cmp_holds(double l, enum prep_cmp op, double r)
{
	switch (op) {
	case PREP_CMP_LT: return l < r;
	case PREP_CMP_LE: return l <= r;
	case PREP_CMP_GT: return l > r;
	case PREP_CMP_GE: return l >= r;
	default: return 1;
	}
}

static int
rule_column(const struct cohort *c, const char *name, int *col, char **cause)
{
	if ((*col = cohort_find_ci(c, name)) < 0)
		return util_fail(cause, "prep rule: no column \"%s\" in the cohort", name);
	if (c->cols[*col].kind == KIND_TEXT)
		return util_fail(cause, "prep rule: column \"%s\" holds text, expected numbers", name);
	return 0;
}

/* Bounds of a one-column rule on the cohort as it is now. */
static int
rule_bounds(const struct cohort *c, const struct prep_rule *r, int col, double *lo, double *hi)
{
	double *s;
	size_t m;

	*lo = -INFINITY;
	*hi = INFINITY;
	switch (r->type) {
	case PREP_RULE_RANGE:
		if (!isnan(r->min))
			*lo = r->min;
		if (!isnan(r->max))
			*hi = r->max;
		return 0;
	case PREP_RULE_IQR:
	case PREP_RULE_PERCENTILE:
		m = column_sorted_values(&c->cols[col], c->nrows, &s);
		if (m > 0) {
			if (r->type == PREP_RULE_IQR) {
				double q1 = util_quantile_sorted(s, m, 0.25), q3 = util_quantile_sorted(s, m, 0.75);

				*lo = q1 - r->k * (q3 - q1);
				*hi = q3 + r->k * (q3 - q1);
			} else {
				*lo = util_quantile_sorted(s, m, r->lo / 100);
				*hi = util_quantile_sorted(s, m, r->hi / 100);
			}
		}
		free(s);
		return 0;
	default:
		return -1;
	}
}

int
prep_rule_count(const struct cohort *c, const struct prep_rule *r, struct prep_count *out,
    char **cause)
{
	int col, col2;
	size_t i;

	memset(out, 0, sizeof *out);
	out->lo = -INFINITY;
	out->hi = INFINITY;
	if (rule_column(c, r->column, &col, cause) != 0)
		return -1;
	if (r->type == PREP_RULE_CROSS) {
		const struct column *a = &c->cols[col], *b;

		if (rule_column(c, r->right, &col2, cause) != 0)
			return -1;
		b = &c->cols[col2];
		for (i = 0; i < c->nrows; i++) {
			double x = column_num(a, i), y = column_num(b, i);

			if (!isnan(x) && !isnan(y) && !cmp_holds(x, r->op, y))
				out->affected++;
		}
		return 0;
	}
	rule_bounds(c, r, col, &out->lo, &out->hi);
	for (i = 0; i < c->nrows; i++) {
		double v = column_num(&c->cols[col], i);

		if (v < out->lo)
			out->below++;
		else if (v > out->hi)
			out->above++;
	}
	out->affected = out->below + out->above;
	return 0;
}

int
prep_rule_preview(const struct cohort *c, const struct prep_rule *r,
    const struct hist *before, struct hist *after, uint8_t *bin_out, char **cause)
{
	const struct column *a, *b = NULL;
	double lo = -INFINITY, hi = INFINITY;
	int col, col2;
	size_t i;

	if (rule_column(c, r->column, &col, cause) != 0)
		return -1;
	a = &c->cols[col];
	if (r->type == PREP_RULE_CROSS) {
		if (rule_column(c, r->right, &col2, cause) != 0)
			return -1;
		b = &c->cols[col2];
	} else
		rule_bounds(c, r, col, &lo, &hi);
	hist_like(after, before);
	if (bin_out)
		memset(bin_out, 0, before->nbins);
	for (i = 0; i < c->nrows; i++) {
		double v = column_num(a, i);
		int hit;

		if (isnan(v))
			continue;
		if (b != NULL) {
			double y = column_num(b, i);

			hit = !isnan(y) && !cmp_holds(v, r->op, y);
		} else
			hit = v < lo || v > hi;
		if (hit && bin_out)
			bin_out[hist_bin(before, v)] = 1;
		if (hit && r->action == PREP_ACTION_DROP)
			continue;
		if (hit)
			v = v < lo ? lo : hi;
		hist_add(after, v);
	}
	return 0;
}

json_t *
prep_default_outliers(void)
{
	json_t *rules = json_array();

	/* the tutorial's: BMI outside [10, 60] and diastolic pressure below 30
	 * dropped; diastolic above systolic listed, off */
	json_array_append_new(rules, json_pack("{s:s, s:s, s:i, s:i, s:s, s:b}", "type", "range",
	    "column", "BMI", "min", 10, "max", 60, "action", "drop", "enabled", 1));
	json_array_append_new(rules, json_pack("{s:s, s:s, s:i, s:s, s:b}", "type", "range",
	    "column", "DIASTOLIC", "min", 30, "action", "drop", "enabled", 1));
	json_array_append_new(rules, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "type", "cross",
	    "left", "DIASTOLIC", "op", "<", "right", "SYSTOLIC", "action", "drop", "enabled", 0));
	return rules;
}
