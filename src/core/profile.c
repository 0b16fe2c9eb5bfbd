/* synthehr — GPL-3.0-or-later.
 * Column profiles (see profile.h).  Continuous columns are sorted once for
 * their percentiles (numpy's linear interpolation), distinct count and
 * histogram; 0/1 columns are summarised from their counts, so a wide concept
 * block costs one pass over its bytes. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/util.h"
#include "prep_int.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_flag(struct col_profile *cp, const char *rule, const char *origin, int enabled,
    const struct prep_count *cnt)
{
	struct profile_flag *f;

	cp->flags = xreallocarray(cp->flags, cp->nflags + 1, sizeof *cp->flags);
	f = &cp->flags[cp->nflags++];
	f->rule = xstrdup(rule);
	f->origin = xstrdup(origin);
	f->enabled = enabled;
	f->affected = cnt->affected;
	f->below = cnt->below;
	f->above = cnt->above;
	f->lo = cnt->lo;
	f->hi = cnt->hi;
}

/* Quantile of a sorted 0/1 sample of m values with z zeros. */
static double
binary_quantile(size_t m, size_t z, double p)
{
	double h = (m - 1) * p, f = floor(h);
	size_t i = (size_t)f;
	double a = i >= z, b = (i + 1 < m) ? (double)(i + 1 >= z) : a;

	return a + (h - f) * (b - a);
}

static void
profile_numeric(const struct cohort *c, int j, struct col_profile *cp)
{
	const struct column *k = &c->cols[j];
	double *s, sum = 0, ss = 0;
	size_t m = column_sorted_values(k, c->nrows, &s), i;
	int integer = 1;

	if (m == 0) {
		free(s);
		return;
	}
	cp->numeric = 1;
	for (i = 0; i < m; i++) {
		sum += s[i];
		if (integer && s[i] != floor(s[i]))
			integer = 0;
		cp->distinct += i == 0 || s[i] != s[i - 1];
	}
	cp->mean = sum / m;
	for (i = 0; i < m; i++)
		ss += (s[i] - cp->mean) * (s[i] - cp->mean);
	cp->sd = m > 1 ? sqrt(ss / (m - 1)) : NAN;
	cp->min = s[0];
	cp->max = s[m - 1];
	cp->p1 = util_quantile_sorted(s, m, 0.01);
	cp->p5 = util_quantile_sorted(s, m, 0.05);
	cp->median = util_quantile_sorted(s, m, 0.5);
	cp->p95 = util_quantile_sorted(s, m, 0.95);
	cp->p99 = util_quantile_sorted(s, m, 0.99);
	if (cp->distinct <= 2 && s[0] >= 0 && s[m - 1] <= 1 && integer) {
		cp->binary = 1;
		for (i = 0; i < m; i++)
			cp->npos += s[i] == 1;
		cp->prevalence = (double)cp->npos / m;
	}
	if (k->role != ROLE_ID && !cp->binary) {
		cp->has_hist = 1;
		hist_layout(&cp->hist, s[0], s[m - 1], util_quantile_sorted(s, m, 0.25),
		    util_quantile_sorted(s, m, 0.75), m, integer, HIST_MAX_BINS);
		cp->hist.count = xcalloc(cp->hist.nbins, sizeof(size_t));
		for (i = 0; i < m; i++)
			hist_add(&cp->hist, s[i]);
		if (cp->max - cp->min > 5 * (cp->p99 - cp->p1) && cp->p99 > cp->p1) {
			size_t a = 0, b = m, cnt;

			while (a < m && s[a] < cp->p1)
				a++;
			while (b > a && s[b - 1] > cp->p99)
				b--;
			cnt = b - a;
			cp->has_core = 1;
			hist_layout(&cp->core, s[a], s[b - 1], util_quantile_sorted(s + a, cnt, 0.25),
			    util_quantile_sorted(s + a, cnt, 0.75), cnt, integer, HIST_MAX_BINS);
			cp->core.count = xcalloc(cp->core.nbins, sizeof(size_t));
			for (i = a; i < b; i++)
				hist_add(&cp->core, s[i]);
		}
	}
	free(s);
}

static void
profile_binary(const struct cohort *c, int j, struct col_profile *cp)
{
	const struct column *k = &c->cols[j];
	size_t m = c->nrows - k->nmissing, ones = 0, r, z;
	double p;

	if (k->missing == NULL)
		for (r = 0; r < c->nrows; r++)
			ones += k->bin[r];
	else
		for (r = 0; r < c->nrows; r++)
			ones += !k->missing[r] && k->bin[r];
	cp->binary = 1;
	cp->npos = ones;
	if (m == 0)
		return;
	z = m - ones;
	p = (double)ones / m;
	cp->prevalence = p;
	cp->numeric = 1;
	cp->mean = p;
	cp->sd = m > 1 ? sqrt(p * (1 - p) * m / (m - 1)) : NAN;
	cp->min = z > 0 ? 0 : 1;
	cp->max = ones > 0 ? 1 : 0;
	cp->p1 = binary_quantile(m, z, 0.01);
	cp->p5 = binary_quantile(m, z, 0.05);
	cp->median = binary_quantile(m, z, 0.5);
	cp->p95 = binary_quantile(m, z, 0.95);
	cp->p99 = binary_quantile(m, z, 0.99);
	cp->distinct = (z > 0) + (ones > 0);
	if (k->levels != NULL && k->nlevels == 2) {
		cp->nlevels = 2;
		cp->levels = xcalloc(2, sizeof(char *));
		cp->level_count = xcalloc(2, sizeof(size_t));
		cp->levels[0] = xstrdup(k->levels[0]);
		cp->levels[1] = xstrdup(k->levels[1]);
		cp->level_count[0] = z;
		cp->level_count[1] = ones;
	}
}

static void
profile_categorical(const struct cohort *c, int j, struct col_profile *cp)
{
	const struct column *k = &c->cols[j];
	size_t r;
	int l;

	cp->nlevels = k->nlevels;
	cp->levels = xcalloc(k->nlevels + 1, sizeof(char *));
	cp->level_count = xcalloc(k->nlevels + 1, sizeof(size_t));
	for (l = 0; l < k->nlevels; l++)
		cp->levels[l] = xstrdup(k->levels[l]);
	for (r = 0; r < c->nrows; r++)
		if (!cohort_is_missing(k, r) && k->cat[r] >= 0 && k->cat[r] < k->nlevels)
			cp->level_count[k->cat[r]]++;
	for (l = 0; l < k->nlevels; l++)
		cp->distinct += cp->level_count[l] > 0;
	if (k->nlevels == 2) {
		cp->binary = 1;
		cp->npos = cp->level_count[1];
		if (c->nrows > k->nmissing)
			cp->prevalence = (double)cp->npos / (c->nrows - k->nmissing);
	}
}

static int
rule_touches(const struct prep_rule *r, const char *name)
{
	return (r->column && strcasecmp(r->column, name) == 0) ||
	    (r->right && strcasecmp(r->right, name) == 0);
}

static void
profile_flags(const struct cohort *c, int j, const struct prep_plan *plan, struct col_profile *cp)
{
	const struct column *k = &c->cols[j];
	const struct prep_clinical *t;
	struct prep_count cnt;
	struct prep_rule r;
	char desc[256];
	int i, have_range = 0;

	for (i = 0; plan && i < plan->nrules; i++) {
		const struct prep_rule *pr = &plan->rules[i];

		if (!rule_touches(pr, k->name))
			continue;
		if (prep_rule_count(c, pr, &cnt, NULL) != 0)
			continue;
		have_range |= pr->type == PREP_RULE_RANGE && strcasecmp(pr->column, k->name) == 0;
		prep_rule_describe(pr, desc, sizeof desc);
		add_flag(cp, desc, "plan", pr->enabled, &cnt);
	}
	memset(&r, 0, sizeof r);
	r.column = k->name;
	r.action = PREP_ACTION_DROP;
	if (!have_range && (t = prep_clinical_find(k->name)) != NULL) {
		r.type = PREP_RULE_RANGE;
		r.min = t->min;
		r.max = t->max;
		if (prep_rule_count(c, &r, &cnt, NULL) == 0) {
			prep_rule_describe(&r, desc, sizeof desc);
			add_flag(cp, desc, "builtin", 0, &cnt);
		}
	}
	r.type = PREP_RULE_IQR;
	r.k = 3;
	if (prep_rule_count(c, &r, &cnt, NULL) == 0) {
		prep_rule_describe(&r, desc, sizeof desc);
		add_flag(cp, desc, "stat", 0, &cnt);
	}
}

struct profile *
profile_compute(const struct cohort *c, const struct prep_plan *plan)
{
	struct profile *p = xcalloc(1, sizeof *p);
	int j;

	p->nrows = c->nrows;
	p->ncols = c->ncols;
	p->cols = xcalloc(c->ncols + 1, sizeof *p->cols);
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];
		struct col_profile *cp = &p->cols[j];

		cp->name = xstrdup(k->name);
		cp->role = k->role;
		cp->kind = k->kind;
		cp->n = c->nrows;
		cp->nmissing = k->nmissing;
		cp->pmissing = c->nrows ? 100.0 * k->nmissing / c->nrows : 0;
		cp->mean = cp->sd = cp->min = cp->max = NAN;
		cp->p1 = cp->p5 = cp->median = cp->p95 = cp->p99 = NAN;
		switch (k->kind) {
		case KIND_NUMERIC:
			profile_numeric(c, j, cp);
			if (k->role == ROLE_CONTINUOUS && cp->numeric)
				profile_flags(c, j, plan, cp);
			break;
		case KIND_BINARY:
			profile_binary(c, j, cp);
			break;
		case KIND_CATEGORICAL:
			profile_categorical(c, j, cp);
			break;
		case KIND_TEXT: {
			size_t r, d = 0;
			char **v = xcalloc(c->nrows + 1, sizeof(char *));

			for (r = 0; r < c->nrows; r++)
				if (!cohort_is_missing(k, r) && k->text[r])
					v[d++] = k->text[r];
			qsort(v, d, sizeof *v, cmp_str);
			for (r = 0; r < d; r++)
				cp->distinct += r == 0 || strcmp(v[r], v[r - 1]) != 0;
			free(v);
			break;
		}
		default:
			break;
		}
	}
	return p;
}

void
profile_free(struct profile *p)
{
	int j, i;

	if (p == NULL)
		return;
	for (j = 0; j < p->ncols; j++) {
		struct col_profile *cp = &p->cols[j];

		free(cp->name);
		for (i = 0; i < cp->nlevels; i++)
			free(cp->levels[i]);
		free(cp->levels);
		free(cp->level_count);
		if (cp->has_hist)
			hist_done(&cp->hist);
		if (cp->has_core)
			hist_done(&cp->core);
		for (i = 0; i < cp->nflags; i++) {
			free(cp->flags[i].rule);
			free(cp->flags[i].origin);
		}
		free(cp->flags);
	}
	free(p->cols);
	free(p);
}

int
profile_find(const struct profile *p, const char *name)
{
	int j;

	for (j = 0; j < p->ncols; j++)
		if (strcmp(p->cols[j].name, name) == 0)
			return j;
	for (j = 0; j < p->ncols; j++)
		if (strcasecmp(p->cols[j].name, name) == 0)
			return j;
	return -1;
}

static double
nj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v) && strcmp(json_string_value(v), "inf") == 0)
		return INFINITY;
	if (json_is_string(v) && strcmp(json_string_value(v), "-inf") == 0)
		return -INFINITY;
	return NAN;
}

static json_t *
jbound(double v)
{
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return js_real_or_null(v);
}

static json_t *
hist_json(const struct hist *h)
{
	json_t *o = json_object(), *cnt = json_array();
	int i;

	json_object_set_new(o, "lo", json_real(h->lo));
	json_object_set_new(o, "width", json_real(h->width));
	json_object_set_new(o, "integer", json_boolean(h->integer));
	for (i = 0; i < h->nbins; i++)
		json_array_append_new(cnt, json_integer((json_int_t)h->count[i]));
	json_object_set_new(o, "counts", cnt);
	return o;
}

static int
hist_from_json(json_t *v, struct hist *h)
{
	json_t *cnt = json_object_get(v, "counts"), *e;
	size_t q;

	memset(h, 0, sizeof *h);
	h->lo = nj(v, "lo");
	h->width = nj(v, "width");
	h->integer = json_is_true(json_object_get(v, "integer"));
	h->nbins = (int)json_array_size(cnt);
	if (h->nbins < 1 || !(h->width > 0) || !isfinite(h->lo)) {
		h->nbins = 0;
		return -1;
	}
	h->count = xcalloc(h->nbins, sizeof(size_t));
	json_array_foreach(cnt, q, e) {
		h->count[q] = (size_t)json_integer_value(e);
		h->total += h->count[q];
	}
	return 0;
}

json_t *
profile_to_json(const struct profile *p)
{
	json_t *o = json_object(), *cols = json_array();
	int j, i;

	json_object_set_new(o, "synthehr_profile", json_integer(1));
	json_object_set_new(o, "key", json_string(p->key));
	json_object_set_new(o, "rows", json_integer((json_int_t)p->nrows));
	for (j = 0; j < p->ncols; j++) {
		const struct col_profile *cp = &p->cols[j];
		json_t *c = json_object();

		json_object_set_new(c, "name", json_string(cp->name));
		json_object_set_new(c, "role", json_string(cohort_role_name(cp->role)));
		json_object_set_new(c, "kind", json_string(cohort_kind_name(cp->kind)));
		json_object_set_new(c, "n", json_integer((json_int_t)cp->n));
		json_object_set_new(c, "missing", json_integer((json_int_t)cp->nmissing));
		json_object_set_new(c, "missing_pct", js_real_or_null(cp->pmissing));
		json_object_set_new(c, "distinct", json_integer((json_int_t)cp->distinct));
		if (cp->numeric) {
			json_object_set_new(c, "mean", js_real_or_null(cp->mean));
			json_object_set_new(c, "sd", js_real_or_null(cp->sd));
			json_object_set_new(c, "min", js_real_or_null(cp->min));
			json_object_set_new(c, "p1", js_real_or_null(cp->p1));
			json_object_set_new(c, "p5", js_real_or_null(cp->p5));
			json_object_set_new(c, "median", js_real_or_null(cp->median));
			json_object_set_new(c, "p95", js_real_or_null(cp->p95));
			json_object_set_new(c, "p99", js_real_or_null(cp->p99));
			json_object_set_new(c, "max", js_real_or_null(cp->max));
		}
		if (cp->binary) {
			json_object_set_new(c, "positives", json_integer((json_int_t)cp->npos));
			json_object_set_new(c, "prevalence", js_real_or_null(cp->prevalence));
		}
		if (cp->nlevels > 0) {
			json_t *lv = json_array();

			for (i = 0; i < cp->nlevels; i++)
				json_array_append_new(lv, json_pack("[s,I]", cp->levels[i], (json_int_t)cp->level_count[i]));
			json_object_set_new(c, "levels", lv);
		}
		if (cp->has_hist)
			json_object_set_new(c, "hist", hist_json(&cp->hist));
		if (cp->has_core)
			json_object_set_new(c, "hist_core", hist_json(&cp->core));
		if (cp->nflags > 0) {
			json_t *fl = json_array();

			for (i = 0; i < cp->nflags; i++) {
				const struct profile_flag *f = &cp->flags[i];

				json_array_append_new(fl, json_pack("{s:s,s:s,s:b,s:I,s:I,s:I,s:o,s:o}",
				    "rule", f->rule, "origin", f->origin, "enabled", f->enabled,
				    "affected", (json_int_t)f->affected, "below", (json_int_t)f->below,
				    "above", (json_int_t)f->above, "lo", jbound(f->lo), "hi", jbound(f->hi)));
			}
			json_object_set_new(c, "flags", fl);
		}
		json_array_append_new(cols, c);
	}
	json_object_set_new(o, "columns", cols);
	return o;
}

int
profile_from_json(json_t *j, struct profile **out, char **cause)
{
	json_t *cols = json_object_get(j, "columns"), *c;
	struct profile *p;
	size_t i;

	if (!json_is_object(j) || !json_is_array(cols) ||
	    json_integer_value(json_object_get(j, "synthehr_profile")) != 1)
		return util_fail(cause, "profile.json: not a synthehr profile (version 1)");
	p = xcalloc(1, sizeof *p);
	snprintf(p->key, sizeof p->key, "%s", js_str(j, "key", ""));
	p->nrows = (size_t)js_int(j, "rows", 0);
	p->ncols = (int)json_array_size(cols);
	p->cols = xcalloc(p->ncols + 1, sizeof *p->cols);
	json_array_foreach(cols, i, c) {
		struct col_profile *cp = &p->cols[i];
		json_t *v, *e;
		size_t q;
		int r;

		cp->name = xstrdup(js_str(c, "name", "?"));
		r = cohort_role_parse(js_str(c, "role", "ignore"));
		cp->role = r < 0 ? ROLE_IGNORE : r;
		cp->kind = KIND_NUMERIC;
		for (r = 0; r < KIND_COUNT; r++)
			if (strcmp(js_str(c, "kind", ""), cohort_kind_name(r)) == 0)
				cp->kind = r;
		cp->n = (size_t)js_int(c, "n", 0);
		cp->nmissing = (size_t)js_int(c, "missing", 0);
		cp->pmissing = nj(c, "missing_pct");
		cp->distinct = (size_t)js_int(c, "distinct", 0);
		cp->numeric = json_object_get(c, "mean") != NULL;
		cp->mean = nj(c, "mean");
		cp->sd = nj(c, "sd");
		cp->min = nj(c, "min");
		cp->p1 = nj(c, "p1");
		cp->p5 = nj(c, "p5");
		cp->median = nj(c, "median");
		cp->p95 = nj(c, "p95");
		cp->p99 = nj(c, "p99");
		cp->max = nj(c, "max");
		cp->binary = json_object_get(c, "prevalence") != NULL;
		cp->npos = (size_t)js_int(c, "positives", 0);
		cp->prevalence = nj(c, "prevalence");
		if (json_is_array(v = json_object_get(c, "levels"))) {
			cp->nlevels = (int)json_array_size(v);
			cp->levels = xcalloc(cp->nlevels + 1, sizeof(char *));
			cp->level_count = xcalloc(cp->nlevels + 1, sizeof(size_t));
			json_array_foreach(v, q, e) {
				const char *s = json_string_value(json_array_get(e, 0));

				cp->levels[q] = xstrdup(s ? s : "");
				cp->level_count[q] = (size_t)json_integer_value(json_array_get(e, 1));
			}
		}
		if (json_is_object(v = json_object_get(c, "hist"))) {
			cp->has_hist = 1;
			if (hist_from_json(v, &cp->hist) != 0) {
				profile_free(p);
				return util_fail(cause, "profile.json: column %zu: bad histogram", i);
			}
		}
		if (json_is_object(v = json_object_get(c, "hist_core"))) {
			cp->has_core = 1;
			if (hist_from_json(v, &cp->core) != 0) {
				profile_free(p);
				return util_fail(cause, "profile.json: column %zu: bad histogram", i);
			}
		}
		if (json_is_array(v = json_object_get(c, "flags"))) {
			json_array_foreach(v, q, e) {
				struct prep_count pc;

				pc.affected = (size_t)js_int(e, "affected", 0);
				pc.below = (size_t)js_int(e, "below", 0);
				pc.above = (size_t)js_int(e, "above", 0);
				pc.lo = nj(e, "lo");
				pc.hi = nj(e, "hi");
				add_flag(cp, js_str(e, "rule", "?"), js_str(e, "origin", "?"),
				    js_bool(e, "enabled", 0), &pc);
			}
		}
	}
	*out = p;
	return 0;
}

int
profile_study_key(const struct study *s, char out[65], char **cause)
{
	char src[65], *text, *dump;
	json_t *prep = json_object_get(s->cfg, "prep");
	uint8_t h[32];

	if (study_source_key(s, src, cause) != 0)
		return -1;
	dump = json_dumps(prep ? json_object_get(prep, "outliers") : NULL, JSON_SORT_KEYS | JSON_COMPACT |
	    JSON_ENCODE_ANY);
	text = xsprintf("%s|%s", src, dump ? dump : "default");
	free(dump);
	util_sha256(text, strlen(text), h);
	free(text);
	util_hex(h, 32, out);
	return 0;
}

int
profile_load_cached(const struct study *s, const char *key, struct profile **out, char **cause)
{
	char *p = study_path(s, "prep/profile.json");
	json_t *j;
	int rc;

	*out = NULL;
	if (!util_file_exists(p)) {
		free(p);
		return 0;
	}
	rc = js_read_file(p, &j, cause);
	free(p);
	if (rc != 0)
		return -1;
	if (strcmp(js_str(j, "key", ""), key) != 0) {
		json_decref(j);
		return 0;
	}
	rc = profile_from_json(j, out, cause);
	json_decref(j);
	return rc == 0 ? 1 : -1;
}

int
profile_save(const struct study *s, const struct profile *p, char **cause)
{
	char *path;
	json_t *j;
	int rc;

	if (study_mkdir(s, "prep", cause) != 0)
		return -1;
	path = study_path(s, "prep/profile.json");
	j = profile_to_json(p);
	rc = js_write_file(path, j, cause);
	json_decref(j);
	free(path);
	return rc;
}
