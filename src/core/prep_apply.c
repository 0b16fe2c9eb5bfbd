/* synthehr — GPL-3.0-or-later.
 * Applying the preprocessing plan in the tutorial's order (SPEC §2.2–2.6):
 * outlier rules → missingness (drop columns, impute on the full cohort) →
 * low prevalence → split (seeded shuffle) → layout with min–max ranges
 * (fitted on the full cohort, or the training part) → scaled model rows.
 * Also the layout builder, encode/decode between cohorts and model rows,
 * the decoded CSV writer, and the prep/ files of a study. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "synthehr/csvio.h"
#include "synthehr/prep.h"
#include "synthehr/profile.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "prep_int.h"

/* ---- cohort normalisation ---- */

/* Numeric columns with role categorical become categorical columns whose
 * levels are the distinct values (sorted numerically, written shortest). */
static void
numeric_to_categorical(struct cohort *c, int j)
{
	struct column *k = &c->cols[j];
	double *s;
	size_t m = prep_sorted_values(k, c->nrows, &s), d = 0, i;
	char **names, buf[64];
	int32_t *cat;

	for (i = 0; i < m; i++)
		if (i == 0 || s[i] != s[i - 1])
			s[d++] = s[i];
	names = xcalloc(d + 1, sizeof(char *));
	for (i = 0; i < d; i++) {
		util_format_double(buf, sizeof buf, s[i]);
		names[i] = xstrdup(buf);
	}
	cat = xcalloc(c->nrows + 1, sizeof *cat);
	for (i = 0; i < c->nrows; i++) {
		double v = prep_num(k, i);
		size_t lo = 0, hi = d;

		if (isnan(v))
			continue;
		while (hi - lo > 1) {   /* binary search in the distinct values */
			size_t mid = (lo + hi) / 2;

			if (s[mid] <= v)
				lo = mid;
			else
				hi = mid;
		}
		cat[i] = (int32_t)lo;
	}
	free(k->num);
	k->num = NULL;
	k->cat = cat;
	k->kind = KIND_CATEGORICAL;
	cohort_set_levels(c, j, (int)d, (const char *const *)names);
	for (i = 0; i < d; i++)
		free(names[i]);
	free(names);
	free(s);
}

/* A two-level column with role categorical becomes a two-level group. */
static void
binary_to_categorical(struct cohort *c, int j)
{
	struct column *k = &c->cols[j];
	static const char *const plain[2] = { "0", "1" };
	const char *names[2];
	size_t r;

	names[0] = k->levels && k->nlevels == 2 ? k->levels[0] : plain[0];
	names[1] = k->levels && k->nlevels == 2 ? k->levels[1] : plain[1];
	k->cat = xcalloc(c->nrows + 1, sizeof(int32_t));
	for (r = 0; r < c->nrows; r++)
		k->cat[r] = k->bin[r] != 0;
	/* names may point into k->levels: copy before replacing */
	{
		char *a = xstrdup(names[0]), *b = xstrdup(names[1]);
		const char *nn[2] = { a, b };

		cohort_set_levels(c, j, 2, nn);
		free(a);
		free(b);
	}
	free(k->bin);
	k->bin = NULL;
	k->kind = KIND_CATEGORICAL;
}

static int
normalise(struct cohort *c, json_t *log, char **cause)
{
	json_t *ign = json_array();
	int j;
	size_t r;

	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];

		if (k->role == ROLE_ID || k->role == ROLE_IGNORE)
			continue;
		if (k->kind == KIND_TEXT) {
			json_array_append_new(ign, json_string(k->name));
			continue;
		}
		if (k->role == ROLE_CATEGORICAL && k->kind == KIND_BINARY && k->group == NULL)
			binary_to_categorical(c, j);
		else if (k->role == ROLE_CATEGORICAL && k->kind != KIND_CATEGORICAL && k->group == NULL)
			numeric_to_categorical(c, j);
		if ((k->role == ROLE_LABEL || k->role == ROLE_SEX) && k->kind == KIND_CATEGORICAL &&
		    k->nlevels > 2) {
			json_decref(ign);
			return util_fail(cause, "column \"%s\" (role %s) has %d levels; expected two", k->name,
			    cohort_role_name(k->role), k->nlevels);
		}
		if (k->role == ROLE_CONTINUOUS && k->kind == KIND_CATEGORICAL) {
			json_decref(ign);
			return util_fail(cause, "column \"%s\" is marked continuous but holds categories; "
			    "give it the role categorical in study.json", k->name);
		}
		if ((prep_is_binary_col(k) || k->group != NULL) && k->kind == KIND_NUMERIC) {
			for (r = 0; r < c->nrows; r++) {
				double v = prep_num(k, r);

				if (!isnan(v) && v != 0 && v != 1) {
					json_decref(ign);
					return util_fail(cause, "column \"%s\" (role %s), data row %zu: expected 0 or 1; "
					    "give the column the role continuous or categorical in study.json",
					    k->name, cohort_role_name(k->role), r + 1);
				}
			}
		}
	}
	if (json_array_size(ign) > 0)
		json_object_set_new(log, "text_columns_ignored", ign);
	else
		json_decref(ign);
	return 0;
}

/* ---- outliers ---- */

/* Does row r fail one-column bounds or a cross relation? */
static int
rule_hits(const struct column *k, const struct column *k2, enum prep_cmp op, double lo, double hi,
    size_t r, int *side)
{
	double v = prep_num(k, r);

	*side = 0;
	if (isnan(v))
		return 0;
	if (k2 != NULL) {
		double y = prep_num(k2, r);

		if (isnan(y))
			return 0;
		switch (op) {
		case PREP_CMP_LT: return !(v < y);
		case PREP_CMP_LE: return !(v <= y);
		case PREP_CMP_GT: return !(v > y);
		default: return !(v >= y);
		}
	}
	if (v < lo) {
		*side = -1;
		return 1;
	}
	if (v > hi) {
		*side = 1;
		return 1;
	}
	return 0;
}

/* cohort_filter_rows() with the same result, column by column through the
 * list of kept rows (one tight loop per stored array, starting at the
 * first dropped row). */
static size_t
filter_rows(struct cohort *c, const uint8_t *keep)
{
	size_t *idx = xmalloc((c->nrows + 1) * sizeof(size_t)), n = 0, first, r, w;
	int j;

	for (r = 0; r < c->nrows; r++)
		if (keep[r])
			idx[n++] = r;
	for (first = 0; first < n && idx[first] == first; first++)
		;
	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];

		k->nmissing = 0;
		if (k->text != NULL)
			for (r = 0; r < c->nrows; r++)
				if (!keep[r])
					free(k->text[r]);
		if (k->num != NULL)
			for (w = first; w < n; w++)
				k->num[w] = k->num[idx[w]];
		if (k->cat != NULL)
			for (w = first; w < n; w++)
				k->cat[w] = k->cat[idx[w]];
		if (k->text != NULL)
			for (w = first; w < n; w++)
				k->text[w] = k->text[idx[w]];
		if (k->bin != NULL) {
			uint8_t *b = k->bin;

			for (w = first; w < n; w++)
				b[w] = b[idx[w]];
		}
		if (k->missing != NULL) {
			uint8_t *m = k->missing;
			size_t cnt = 0;

			for (w = first; w < n; w++)
				m[w] = m[idx[w]];
			for (w = 0; w < n; w++)
				cnt += m[w];
			k->nmissing = cnt;
		}
	}
	c->nrows = n;
	free(idx);
	return n;
}

/* Rules in order.  Consecutive drop rules share one row mask and one
 * filtering pass (each counts only rows the earlier rules kept); the mask is
 * applied before a statistical rule computes its bounds and before a clip. */
static int
apply_outliers(struct cohort *c, const struct prep_plan *p, json_t *log, char **cause)
{
	json_t *arr = json_array();
	uint8_t *keep = xmalloc(c->nrows + 1);
	size_t nkeep = c->nrows;
	int i, pending = 0;

	memset(keep, 1, c->nrows + 1);
	for (i = 0; i < p->nrules; i++) {
		const struct prep_rule *r = &p->rules[i];
		const struct column *k, *k2 = NULL;
		struct prep_count cnt;
		json_t *e;
		char desc[256];
		size_t removed = 0, clipped = 0, row, below = 0, above = 0, hits = 0;
		int col, side;

		if (pending && (r->type == PREP_RULE_IQR || r->type == PREP_RULE_PERCENTILE ||
		    r->action == PREP_ACTION_CLIP)) {
			filter_rows(c, keep);
			memset(keep, 1, c->nrows + 1);
			pending = 0;
		}
		/* bounds (statistical rules see the rows kept so far) and errors */
		if (prep_rule_count(c, r, &cnt, cause) != 0) {
			json_decref(arr);
			free(keep);
			return -1;
		}
		col = prep_find_col(c, r->column);
		k = &c->cols[col];
		if (r->type == PREP_RULE_CROSS)
			k2 = &c->cols[prep_find_col(c, r->right)];
		for (row = 0; row < c->nrows; row++) {
			if (!keep[row] || !rule_hits(k, k2, r->op, cnt.lo, cnt.hi, row, &side))
				continue;
			hits++;
			below += side < 0;
			above += side > 0;
			if (!r->enabled)
				continue;
			if (r->action == PREP_ACTION_DROP) {
				keep[row] = 0;
				removed++;
				pending = 1;
			} else if (k->kind == KIND_NUMERIC) {
				c->cols[col].num[row] = side < 0 ? cnt.lo : cnt.hi;
				clipped++;
			}
		}
		nkeep -= removed;
		e = prep_rule_to_json(r);
		prep_rule_describe(r, desc, sizeof desc);
		json_object_set_new(e, "description", json_string(desc));
		json_object_set_new(e, "affected", json_integer((json_int_t)hits));
		if (r->type != PREP_RULE_CROSS) {
			json_object_set_new(e, "below", json_integer((json_int_t)below));
			json_object_set_new(e, "above", json_integer((json_int_t)above));
			if (isfinite(cnt.lo))
				json_object_set_new(e, "lo", json_real(cnt.lo));
			if (isfinite(cnt.hi))
				json_object_set_new(e, "hi", json_real(cnt.hi));
		}
		json_object_set_new(e, "removed", json_integer((json_int_t)removed));
		if (r->action == PREP_ACTION_CLIP)
			json_object_set_new(e, "clipped", json_integer((json_int_t)clipped));
		json_object_set_new(e, "rows_after", json_integer((json_int_t)nkeep));
		json_array_append_new(arr, e);
	}
	if (pending)
		filter_rows(c, keep);
	free(keep);
	json_object_set_new(log, "outliers", arr);
	return 0;
}

/* ---- missingness ---- */

static enum prep_impute
method_for(const struct prep_plan *p, const char *name)
{
	int i;

	for (i = 0; i < p->nimp; i++)
		if (strcmp(p->imp_col[i], name) == 0)
			return p->imp_method[i];
	return p->impute;
}

static int
is_modelled(const struct column *k)
{
	return k->role != ROLE_ID && k->role != ROLE_IGNORE && k->kind != KIND_TEXT;
}

static void
clear_missing(struct column *k)
{
	free(k->missing);
	k->missing = NULL;
	k->nmissing = 0;
}

static void
copy_cell(struct column *k, size_t to, size_t from)
{
	if (k->num) k->num[to] = k->num[from];
	if (k->bin) k->bin[to] = k->bin[from];
	if (k->cat) k->cat[to] = k->cat[from];
}

static int
apply_missing(struct cohort *c, const struct prep_plan *p, json_t *log, char **cause)
{
	json_t *m = json_object(), *dropped = json_array(), *imputed = json_array(), *dr = json_array();
	struct rng rng;
	uint8_t *keep;
	size_t r, removed;
	int j, lab = -1;

	/* Patients without a label cannot be used. */
	for (j = 0; j < c->ncols; j++)
		if (c->cols[j].role == ROLE_LABEL && lab < 0)
			lab = j;
	keep = xmalloc(c->nrows + 1);
	removed = 0;
	if (lab >= 0 && c->cols[lab].nmissing > 0) {
		for (r = 0; r < c->nrows; r++) {
			keep[r] = !cohort_is_missing(&c->cols[lab], r);
			removed += !keep[r];
		}
		filter_rows(c, keep);
	}
	json_object_set_new(m, "label_missing_removed", json_integer((json_int_t)removed));
	json_object_set_new(m, "drop_above", json_real(p->drop_above));
	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];
		double frac = c->nrows ? (double)k->nmissing / c->nrows : 0;

		if (!is_modelled(k) || k->role == ROLE_LABEL || !(frac > p->drop_above))
			continue;
		json_array_append_new(dropped, json_pack("{s:s,s:I,s:f}", "column", k->name,
		    "missing", (json_int_t)k->nmissing, "fraction", frac));
		cohort_remove_column(c, j);
		j--;
	}
	json_object_set_new(m, "columns_dropped", dropped);
	/* Rows dropped for missing values in "drop" columns, before imputing. */
	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];

		if (!is_modelled(k) || k->nmissing == 0 || method_for(p, k->name) != PREP_IMPUTE_DROP)
			continue;
		for (r = 0, removed = 0; r < c->nrows; r++) {
			keep[r] = !cohort_is_missing(k, r);
			removed += !keep[r];
		}
		filter_rows(c, keep);
		clear_missing(k);
		json_array_append_new(dr, json_pack("{s:s,s:I}", "column", k->name, "removed", (json_int_t)removed));
	}
	json_object_set_new(m, "rows_dropped", dr);
	free(keep);
	/* Impute, columns in source order, one generator (the tutorial's
	 * random.seed(4) then BMI, DIASTOLIC, SYSTOLIC in turn). */
	rng_seed(&rng, p->impute_seed);
	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];
		enum prep_impute meth = method_for(p, k->name);
		size_t *obs, nobs = 0, filled = 0, from = 0;

		if (!is_modelled(k) || k->nmissing == 0)
			continue;
		obs = xmalloc((c->nrows + 1) * sizeof *obs);
		for (r = 0; r < c->nrows; r++)
			if (!k->missing[r])
				obs[nobs++] = r;
		if (nobs == 0) {
			free(obs);
			json_decref(m);
			json_decref(imputed);
			return util_fail(cause, "column \"%s\" has no observed values to impute from; "
			    "lower prep.missing.drop_above or give it the role ignore", k->name);
		}
		if (meth != PREP_IMPUTE_SAMPLE) {
			/* a fixed value: median/mean for numbers, most frequent level otherwise */
			if (k->kind == KIND_NUMERIC && k->role == ROLE_CONTINUOUS) {
				double *s, v;
				size_t ns = prep_sorted_values(k, c->nrows, &s), i;

				if (meth == PREP_IMPUTE_MEDIAN)
					v = prep_quantile(s, ns, 0.5);
				else {
					for (i = 0, v = 0; i < ns; i++)
						v += s[i];
					v /= ns;
				}
				free(s);
				for (r = 0; r < c->nrows; r++)
					if (k->missing[r]) {
						k->num[r] = v;
						filled++;
					}
				json_array_append_new(imputed, json_pack("{s:s,s:s,s:I,s:f}", "column", k->name,
				    "method", prep_impute_name(meth), "count", (json_int_t)filled, "value", v));
			} else {
				size_t *cnt, best = 0;
				int nl = k->kind == KIND_CATEGORICAL ? k->nlevels : 2, l;

				cnt = xcalloc(nl + 1, sizeof *cnt);
				for (r = 0; r < nobs; r++) {
					double v = prep_num(k, obs[r]);

					if (v >= 0 && v < nl)
						cnt[(int)v]++;
				}
				for (l = 1; l < nl; l++)
					if (cnt[l] > cnt[best])
						best = l;
				for (r = 0; r < nobs; r++)
					if (prep_num(k, obs[r]) == (double)best) {
						from = obs[r];
						break;
					}
				for (r = 0; r < c->nrows; r++)
					if (k->missing[r]) {
						copy_cell(k, r, from);
						filled++;
					}
				free(cnt);
				json_array_append_new(imputed, json_pack("{s:s,s:s,s:I}", "column", k->name,
				    "method", "mode", "count", (json_int_t)filled));
			}
		} else {
			for (r = 0; r < c->nrows; r++) {
				if (!k->missing[r])
					continue;
				copy_cell(k, r, obs[rng_below(&rng, nobs)]);
				filled++;
			}
			json_array_append_new(imputed, json_pack("{s:s,s:s,s:I,s:I}", "column", k->name,
			    "method", "sample", "count", (json_int_t)filled, "observed", (json_int_t)nobs));
		}
		free(obs);
		clear_missing(k);
	}
	json_object_set_new(m, "imputed", imputed);
	json_object_set_new(m, "seed", json_integer((json_int_t)p->impute_seed));
	json_object_set_new(m, "rows_after", json_integer((json_int_t)c->nrows));
	json_object_set_new(log, "missing", m);
	return 0;
}

/* ---- low prevalence ---- */

static void
apply_low_prevalence(struct cohort *c, const struct prep_plan *p, json_t *log)
{
	json_t *o = json_object(), *arr = json_array();
	int j;

	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];
		size_t ones = 0, r;
		double prev;

		if (!prep_is_binary_col(k) || (k->role != ROLE_BINARY && k->role != ROLE_CONCEPT))
			continue;
		if (k->kind == KIND_BINARY && k->missing == NULL)
			for (r = 0; r < c->nrows; r++)
				ones += k->bin[r] != 0;
		else
			for (r = 0; r < c->nrows; r++)
				ones += prep_num(k, r) >= 0.5;
		prev = c->nrows ? (double)ones / c->nrows : 0;
		if (!(prev < p->low_prevalence))
			continue;
		json_array_append_new(arr, json_pack("{s:s,s:I,s:f}", "column", k->name,
		    "count", (json_int_t)ones, "prevalence", prev));
		cohort_remove_column(c, j);
		j--;
	}
	json_object_set_new(o, "threshold", json_real(p->low_prevalence));
	json_object_set_new(o, "dropped_count", json_integer((json_int_t)json_array_size(arr)));
	json_object_set_new(o, "dropped", arr);
	json_object_set_new(log, "low_prevalence", o);
}

/* ---- split ---- */

static void
split_rows(const struct cohort *c, const struct prep_plan *p, size_t **tr, size_t *ntr,
    size_t **te, size_t *nte)
{
	size_t n = c->nrows, i, a = 0, b = 0;
	size_t *idx = xmalloc((n + 1) * sizeof *idx);
	struct rng rng;
	int lab = -1, j;

	for (i = 0; i < n; i++)
		idx[i] = i;
	rng_seed(&rng, p->split_seed);
	rng_shuffle(&rng, idx, n);
	*tr = xmalloc((n + 1) * sizeof(size_t));
	*te = xmalloc((n + 1) * sizeof(size_t));
	for (j = 0; j < c->ncols && p->stratify; j++)
		if (c->cols[j].role == ROLE_LABEL && prep_is_binary_col(&c->cols[j])) {
			lab = j;
			break;
		}
	if (lab < 0) {
		size_t k = (size_t)floor(p->train_frac * n);

		for (i = 0; i < n; i++) {
			if (i < k)
				(*tr)[a++] = idx[i];
			else
				(*te)[b++] = idx[i];
		}
	} else {
		/* Per class, the first floor(frac·n_class) rows in shuffled order. */
		size_t cnt[2] = { 0, 0 }, take[2], seen[2] = { 0, 0 };

		for (i = 0; i < n; i++)
			cnt[prep_num(&c->cols[lab], i) >= 0.5]++;
		take[0] = (size_t)floor(p->train_frac * cnt[0]);
		take[1] = (size_t)floor(p->train_frac * cnt[1]);
		for (i = 0; i < n; i++) {
			int y = prep_num(&c->cols[lab], idx[i]) >= 0.5;

			if (seen[y]++ < take[y])
				(*tr)[a++] = idx[i];
			else
				(*te)[b++] = idx[i];
		}
	}
	*ntr = a;
	*nte = b;
	free(idx);
}

/* ---- layout ---- */

struct lcol {
	enum mcol_kind kind;
	const char *name;      /* cohort column name or level label */
	const char *source;
	const char *level, *level0;
	int group;
	int concept;
	int col;               /* cohort column */
	int qualify;           /* use SOURCE=LEVEL */
};

static void
lcol_push(struct lcol **v, int *n, const struct lcol *e)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = *e;
}

static void
binary_levels(const struct column *k, const char **l0, const char **l1)
{
	*l0 = *l1 = NULL;
	if (k->levels != NULL && k->nlevels == 2) {
		*l0 = k->levels[0];
		*l1 = k->levels[1];
	}
}

int
prep_layout_build(const struct cohort *c, const size_t *fit, size_t nfit,
    struct layout **out, char **cause)
{
	struct lcol *v = NULL, e;
	char **gnames = NULL;
	int nv = 0, ng = 0, j, i, pass, lab = -1, sex = -1;
	struct layout *l;

	/* groups first, in source order */
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (!is_modelled(k))
			continue;
		if (prep_is_group_col(k)) {
			if (k->kind != KIND_CATEGORICAL)
				return util_fail(cause, "column \"%s\": a categorical column must hold levels", k->name);
			for (i = 0; i < k->nlevels; i++) {
				memset(&e, 0, sizeof e);
				e.kind = MCOL_GROUP;
				e.name = k->levels[i];
				e.source = k->name;
				e.level = k->levels[i];
				e.group = ng;
				e.col = j;
				lcol_push(&v, &nv, &e);
			}
			gnames = xreallocarray(gnames, ng + 1, sizeof(char *));
			gnames[ng++] = xstrdup(k->name);
		} else if (k->group != NULL) {
			int seen = 0, jj;

			for (i = 0; i < ng; i++)
				seen |= strcmp(gnames[i], k->group) == 0;
			if (seen)
				continue;
			for (jj = j; jj < c->ncols; jj++) {
				const struct column *g = &c->cols[jj];

				if (g->group == NULL || strcmp(g->group, k->group) != 0 || !is_modelled(g))
					continue;
				memset(&e, 0, sizeof e);
				e.kind = MCOL_GROUP;
				e.name = g->name;
				e.source = g->name;
				e.group = ng;
				e.col = jj;
				lcol_push(&v, &nv, &e);
			}
			gnames = xreallocarray(gnames, ng + 1, sizeof(char *));
			gnames[ng++] = xstrdup(k->group);
		}
	}
	/* then label, sex, other binary, concepts, continuous */
	for (pass = 0; pass < 5; pass++) {
		for (j = 0; j < c->ncols; j++) {
			const struct column *k = &c->cols[j];
			int take;

			if (!is_modelled(k))
				continue;
			switch (pass) {
			case 0: take = prep_is_binary_col(k) && k->role == ROLE_LABEL && lab < 0; break;
			case 1: take = prep_is_binary_col(k) && k->role == ROLE_SEX && sex < 0; break;
			case 2: take = prep_is_binary_col(k) && (k->role == ROLE_BINARY ||
			    (k->role == ROLE_LABEL && j != lab) || (k->role == ROLE_SEX && j != sex)); break;
			case 3: take = prep_is_binary_col(k) && k->role == ROLE_CONCEPT; break;
			default: take = k->role == ROLE_CONTINUOUS && k->group == NULL; break;
			}
			if (!take)
				continue;
			memset(&e, 0, sizeof e);
			e.kind = pass == 4 ? MCOL_CONT : MCOL_BINARY;
			e.name = e.source = k->name;
			e.group = -1;
			e.col = j;
			e.concept = pass == 3;
			if (pass < 4)
				binary_levels(k, &e.level0, &e.level);
			if (pass == 0)
				lab = j;
			if (pass == 1)
				sex = j;
			lcol_push(&v, &nv, &e);
		}
	}
	/* Group level names: the label unless it collides with another name. */
	for (i = 0; i < nv; i++) {
		int cnt = 0, q;

		if (v[i].kind != MCOL_GROUP || v[i].level == NULL)
			continue;
		if (v[i].name[0] == '\0')
			cnt = 2;
		for (q = 0; q < nv && cnt < 2; q++)
			cnt += strcmp(v[q].name, v[i].name) == 0;
		for (q = 0; q < c->ncols && cnt < 2; q++)
			if (q != v[i].col && strcmp(c->cols[q].name, v[i].name) == 0)
				cnt++;
		v[i].qualify = cnt > 1;
	}
	l = layout_new(nv);
	for (i = 0; i < nv; i++) {
		l->kind[i] = v[i].kind;
		l->name[i] = v[i].qualify ? xsprintf("%s=%s", v[i].source, v[i].level) : xstrdup(v[i].name);
		l->source[i] = xstrdup(v[i].source);
		l->level[i] = v[i].level ? xstrdup(v[i].level) : NULL;
		l->level0[i] = v[i].level0 ? xstrdup(v[i].level0) : NULL;
		l->group_of[i] = v[i].group;
		l->concept[i] = (uint8_t)v[i].concept;
		if (v[i].col == lab && v[i].kind == MCOL_BINARY)
			l->label = i;
		if (v[i].col == sex && v[i].kind == MCOL_BINARY)
			l->sex = i;
		if (v[i].kind == MCOL_CONT) {
			const struct column *k = &c->cols[v[i].col];
			double lo = INFINITY, hi = -INFINITY;
			size_t r, n = fit ? nfit : c->nrows;

			for (r = 0; r < n; r++) {
				double x = prep_num(k, fit ? fit[r] : r);

				if (isnan(x))
					continue;
				lo = x < lo ? x : lo;
				hi = x > hi ? x : hi;
			}
			if (lo > hi)
				lo = hi = 0;
			l->lo[i] = lo;
			l->hi[i] = hi;
		}
	}
	layout_finish(l, ng, gnames);
	free(v);
	*out = l;
	return 0;
}

/* ---- encode ---- */

struct encmap {
	int col;              /* cohort column, -1 absent */
	int first;            /* first model column of a categorical group (others: -1) */
	int nmap;
	int *map;             /* group: cohort level → model column (−1 unknown);
	                         binary with labels: cohort level → 0/1 (−1 unknown) */
	double *vals;         /* continuous read as categories (few distinct values
	                         in a small file): level → number */
};

static void
encmap_free(struct encmap *em, int D)
{
	int j;

	for (j = 0; j < D; j++) {
		free(em[j].map);
		free(em[j].vals);
	}
	free(em);
}

/* Append 'what "name"' to a comma-separated list. */
static void
append(char **s, const char *what, const char *name)
{
	char *t = xsprintf("%s%s%s \"%s\"", *s ? *s : "", *s ? ", " : "", what, name);

	free(*s);
	*s = t;
}

static int
encmap_build(const struct layout *l, const struct cohort *c, struct encmap **out, char **cause)
{
	struct encmap *em = xcalloc(l->D + 1, sizeof *em);
	uint8_t *used = xcalloc(c->ncols + 1, 1);
	char *diff = NULL;
	int j, i, nmiss = 0, nextra = 0;

	for (j = 0; j < l->D; j++) {
		int g = l->group_of[j], col = prep_find_col(c, l->source[j]);

		em[j].col = col;
		em[j].first = -1;
		if (col < 0) {
			if (g < 0 || !prep_group_is_categorical(l, g) || j == l->group_start[g]) {
				if (nmiss++ < 10)
					append(&diff, "missing column", l->source[j]);
			}
			continue;
		}
		used[col] = 1;
		if (g >= 0 && prep_group_is_categorical(l, g)) {
			const struct column *k = &c->cols[col];

			if (j != l->group_start[g])
				continue;
			em[j].first = j;
			if (k->kind == KIND_CATEGORICAL) {
				em[j].nmap = k->nlevels;
				em[j].map = xmalloc((k->nlevels + 1) * sizeof(int));
				for (i = 0; i < k->nlevels; i++) {
					int q;

					em[j].map[i] = -1;
					for (q = 0; q < l->group_width[g]; q++)
						if (strcmp(k->levels[i], l->level[j + q]) == 0)
							em[j].map[i] = j + q;
				}
			} else if (k->kind != KIND_NUMERIC) {
				util_fail(cause, "column \"%s\": expected the levels of a categorical column", k->name);
				goto fail;
			}
		} else if (l->kind[j] != MCOL_CONT) {
			const struct column *k = &c->cols[col];

			if (k->kind == KIND_CATEGORICAL || (k->kind == KIND_BINARY && k->levels != NULL)) {
				em[j].nmap = k->nlevels;
				em[j].map = xmalloc((k->nlevels + 1) * sizeof(int));
				for (i = 0; i < k->nlevels; i++) {
					const char *s = k->levels[i];

					em[j].map[i] = -1;
					if ((l->level[j] && strcmp(s, l->level[j]) == 0) || strcmp(s, "1") == 0)
						em[j].map[i] = 1;
					else if ((l->level0[j] && strcmp(s, l->level0[j]) == 0) || strcmp(s, "0") == 0)
						em[j].map[i] = 0;
				}
			} else if (k->kind == KIND_TEXT) {
				util_fail(cause, "column \"%s\": expected 0/1 values, found text", k->name);
				goto fail;
			}
		} else if (c->cols[col].kind == KIND_CATEGORICAL) {
			const struct column *k = &c->cols[col];

			em[j].nmap = k->nlevels;
			em[j].vals = xmalloc((k->nlevels + 1) * sizeof(double));
			for (i = 0; i < k->nlevels; i++) {
				if (util_parse_double(k->levels[i], strlen(k->levels[i]), &em[j].vals[i]) != 0) {
					util_fail(cause, "column \"%s\": expected numbers for a continuous column", k->name);
					goto fail;
				}
			}
		} else if (c->cols[col].kind == KIND_TEXT) {
			util_fail(cause, "column \"%s\": expected numbers for a continuous column", c->cols[col].name);
			goto fail;
		}
	}
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (used[j] || k->role == ROLE_ID || k->role == ROLE_IGNORE)
			continue;
		if (nextra++ < 10)
			append(&diff, "unexpected column", k->name);
	}
	if (nmiss || nextra) {
		util_fail(cause, "columns do not match the study's layout (%d missing, %d unexpected): %s%s",
		    nmiss, nextra, diff, (nmiss > 10 || nextra > 10) ? ", ..." : "");
		goto fail;
	}
	free(diff);
	free(used);
	*out = em;
	return 0;
fail:
	free(diff);
	free(used);
	encmap_free(em, l->D);
	return -1;
}

/* Ask for transparent huge pages on the 2 MiB-aligned inside of a large
 * fresh allocation, before it is first touched: one page fault per 2 MiB
 * instead of per 4 KiB (faults are costly on virtual machines).  Only a
 * hint; nothing changes where the kernel ignores it. */
static void
advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + (1u << 21) - 1) & ~(uintptr_t)((1u << 21) - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)((1u << 21) - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* Rows idx[0..nr-1] (all rows when idx is NULL) into m (unscaled). */
static int
encode_rows(const struct layout *l, const struct cohort *c, const struct encmap *em,
    const size_t *idx, size_t nr, struct mtx *m, char **cause)
{
	int j;
	size_t i, b0, b1;

	/* Blocks of rows, so the destination rows stay in cache while every
	 * column is written into them. */
	for (b0 = 0; b0 < nr; b0 = b1) {
	b1 = SH_MIN(nr, b0 + 256);
	for (j = 0; j < l->D; j++) {
		const struct encmap *e = &em[j];
		const struct column *k;
		int g = l->group_of[j];

		if (e->col < 0 || (g >= 0 && e->first < 0 && prep_group_is_categorical(l, g)))
			continue;
		k = &c->cols[e->col];
		if (g < 0 && l->kind[j] != MCOL_CONT && k->kind == KIND_BINARY && k->missing == NULL &&
		    e->map == NULL) {
			uint8_t *dst = m->b + m->slot[j];

			for (i = b0; i < b1; i++)
				dst[i * m->nb] = k->bin[idx ? idx[i] : i] != 0;
			continue;
		}
		for (i = b0; i < b1; i++) {
			size_t r = idx ? idx[i] : i;
			double v = prep_num(k, r);

			if (isnan(v))
				return util_fail(cause, "data row %zu, column \"%s\": missing value "
				    "(every value must be present)", r + 1, k->name);
			if (e->first >= 0) {    /* categorical group */
				int target = -1, q;

				if (k->kind == KIND_CATEGORICAL) {
					int lv = k->cat[r];

					target = lv >= 0 && lv < e->nmap ? e->map[lv] : -1;
				} else {
					char buf[64];

					util_format_double(buf, sizeof buf, v);
					for (q = 0; q < l->group_width[g]; q++)
						if (strcmp(buf, l->level[j + q]) == 0)
							target = j + q;
				}
				if (target < 0)
					return util_fail(cause, "data row %zu, column \"%s\": a level the study's layout "
					    "does not know", r + 1, k->name);
				for (q = 0; q < l->group_width[g]; q++)
					mtx_set(m, i, j + q, j + q == target);
			} else if (l->kind[j] == MCOL_CONT) {
				if (e->vals != NULL)
					v = v >= 0 && v < e->nmap ? e->vals[(int)v] : NAN;
				if (!isfinite((float)v))
					return util_fail(cause, "data row %zu, column \"%s\": value out of range "
					    "(expected a finite number between -3.4e38 and 3.4e38)", r + 1, k->name);
				m->c[i * m->nc + m->slot[j]] = (float)v;
				if (m->c64 != NULL)
					m->c64[i * m->nc + m->slot[j]] = v;
			}
			else {
				double b = v;

				if (e->map != NULL) {
					int lv = (int)v;

					b = lv >= 0 && lv < e->nmap ? e->map[lv] : -1;
				}
				if (!(b >= 0 && b <= 1))
					return util_fail(cause, "data row %zu, column \"%s\": expected 0 or 1%s%s%s",
					    r + 1, k->name, l->level[j] ? " (or \"" : "", l->level[j] ? l->level[j] : "",
					    l->level[j] ? "\")" : "");
				m->b[i * m->nb + m->slot[j]] = b >= 0.5;
			}
		}
	}
	}
	return 0;
}

/* Move row pos[i] of m to row i for every i (a permutation), following
 * cycles with one spare row. */
static void
permute_rows(struct mtx *m, const size_t *pos)
{
	size_t n = m->n, i, j, k;
	uint8_t *done = xcalloc(n + 1, 1), *tb = xmalloc(m->nb + 1);
	float *tc = xmalloc((m->nc + 1) * sizeof(float));
	double *td = xmalloc((m->nc + 1) * sizeof(double));

	for (i = 0; i < n; i++) {
		if (done[i] || pos[i] == i)
			continue;
		memcpy(tb, m->b + i * m->nb, m->nb);
		memcpy(tc, m->c + i * m->nc, m->nc * sizeof(float));
		if (m->c64 != NULL)
			memcpy(td, m->c64 + i * m->nc, m->nc * sizeof(double));
		for (j = i;; j = k) {
			k = pos[j];
			done[j] = 1;
			if (k == i) {
				memcpy(m->b + j * m->nb, tb, m->nb);
				memcpy(m->c + j * m->nc, tc, m->nc * sizeof(float));
				if (m->c64 != NULL)
					memcpy(m->c64 + j * m->nc, td, m->nc * sizeof(double));
				break;
			}
			memcpy(m->b + j * m->nb, m->b + k * m->nb, m->nb);
			memcpy(m->c + j * m->nc, m->c + k * m->nc, m->nc * sizeof(float));
			if (m->c64 != NULL)
				memcpy(m->c64 + j * m->nc, m->c64 + k * m->nc, m->nc * sizeof(double));
		}
	}
	free(done);
	free(tb);
	free(tc);
	free(td);
}

/* Rows idx[0..nr-1] of c (distinct, any order) into m in that order:
 * encoded in increasing source order (so the column reads stream), then
 * permuted into place. */
static int
encode_rows_at(const struct layout *l, const struct cohort *c, const struct encmap *em,
    const size_t *idx, size_t nr, struct mtx *m, char **cause)
{
	size_t *where = xcalloc(c->nrows + 1, sizeof(size_t)), *sidx = xmalloc((nr + 1) * sizeof(size_t));
	size_t *pos = xmalloc((nr + 1) * sizeof(size_t)), i, r, k = 0;
	int rc;

	for (i = 0; i < nr; i++)
		where[idx[i]] = i + 1;
	for (r = 0; r < c->nrows; r++)
		if (where[r]) {
			sidx[k] = r;
			pos[where[r] - 1] = k++;
		}
	rc = encode_rows(l, c, em, sidx, nr, m, cause);
	if (rc == 0)
		permute_rows(m, pos);
	free(where);
	free(sidx);
	free(pos);
	return rc;
}

int
prep_encode(const struct layout *l, const struct cohort *c, struct mtx **out, char **cause)
{
	struct encmap *em;
	struct mtx *m;

	if (encmap_build(l, c, &em, cause) != 0)
		return -1;
	m = mtx_new(c->nrows, l);
	if (encode_rows(l, c, em, NULL, c->nrows, m, cause) != 0) {
		mtx_free(m);
		encmap_free(em, l->D);
		return -1;
	}
	encmap_free(em, l->D);
	m->scaled = 0;
	*out = m;
	return 0;
}

/* ---- the whole plan ---- */

int
prep_apply(struct cohort *c, const struct prep_plan *p, struct layout **lout,
    struct mtx **train, struct mtx **test, json_t *log, char **cause)
{
	size_t *tr = NULL, *te = NULL, ntr, nte;
	struct layout *l = NULL;
	struct encmap *em = NULL;
	struct mtx *a = NULL, *b = NULL;
	json_t *o, *ranges;
	int j;

	json_object_set_new(log, "rows_in", json_integer((json_int_t)c->nrows));
	if (normalise(c, log, cause) != 0 || apply_outliers(c, p, log, cause) != 0 ||
	    apply_missing(c, p, log, cause) != 0)
		return -1;
	apply_low_prevalence(c, p, log);
	if (c->nrows < 2)
		return util_fail(cause, "only %zu patient(s) left after the rules; nothing to split", c->nrows);
	split_rows(c, p, &tr, &ntr, &te, &nte);
	if (prep_layout_build(c, p->scale_fit_train ? tr : NULL, ntr, &l, cause) != 0)
		goto fail;
	if (l->D == 0) {
		util_fail(cause, "no modelled columns left after the rules");
		goto fail;
	}
	if (encmap_build(l, c, &em, cause) != 0)
		goto fail;
	a = mtx_new(ntr, l);
	b = mtx_new(nte, l);
	mtx_f64_alloc(a);       /* the original values, for evaluation */
	mtx_f64_alloc(b);
	advise_huge(a->b, ntr * (size_t)a->nb);
	advise_huge(b->b, nte * (size_t)b->nb);
	if (encode_rows_at(l, c, em, tr, ntr, a, cause) != 0 || encode_rows_at(l, c, em, te, nte, b, cause) != 0)
		goto fail;
	mtx_scale(a, l);
	mtx_scale(b, l);
	/* record */
	o = json_object();
	ranges = json_object();
	json_object_set_new(o, "fit", json_string(p->scale_fit_train ? "train" : "full"));
	for (j = 0; j < l->D; j++)
		if (l->kind[j] == MCOL_CONT)
			json_object_set_new(ranges, l->name[j], json_pack("[f,f]", l->lo[j], l->hi[j]));
	json_object_set_new(o, "ranges", ranges);
	json_object_set_new(log, "scaling", o);
	o = json_object();
	json_object_set_new(o, "train_fraction", json_real(p->train_frac));
	json_object_set_new(o, "seed", json_integer((json_int_t)p->split_seed));
	json_object_set_new(o, "stratify", json_boolean(p->stratify));
	json_object_set_new(o, "train", json_integer((json_int_t)ntr));
	json_object_set_new(o, "test", json_integer((json_int_t)nte));
	if (l->label >= 0) {
		size_t pa = 0, pb = 0, r;

		for (r = 0; r < ntr; r++)
			pa += mtx_get(a, r, l->label) >= 0.5f;
		for (r = 0; r < nte; r++)
			pb += mtx_get(b, r, l->label) >= 0.5f;
		json_object_set_new(o, "train_positives", json_integer((json_int_t)pa));
		json_object_set_new(o, "test_positives", json_integer((json_int_t)pb));
	}
	json_object_set_new(log, "split", o);
	json_object_set_new(log, "columns_out", json_integer(l->D));
	json_object_set_new(log, "groups", json_integer(l->ngroups));
	encmap_free(em, l->D);
	free(tr);
	free(te);
	*lout = l;
	*train = a;
	*test = b;
	return 0;
fail:
	if (em && l)
		encmap_free(em, l->D);
	mtx_free(a);
	mtx_free(b);
	layout_free(l);
	free(tr);
	free(te);
	return -1;
}

/* ---- study files ---- */

int
prep_source_key(const struct study *s, char out[65], char **cause)
{
	json_t *src = json_object_get(s->cfg, "source"), *k = json_object();
	const char *path = js_str(src, "path", NULL);
	char *text;
	uint8_t h[32];

	/* The file's SHA-256 as init recorded it; hash the file only when the
	 * study does not record one. */
	if (path != NULL && js_str(src, "sha256", NULL) == NULL) {
		char sha[65], *p = path[0] == '/' ? xstrdup(path) : study_path(s, path);

		if (util_sha256_file(p, sha, cause) != 0) {
			free(p);
			json_decref(k);
			return -1;
		}
		json_object_set_new(k, "file", json_string(sha));
		free(p);
	}
	if (src)
		json_object_set(k, "source", src);
	if (json_object_get(s->cfg, "schema"))
		json_object_set(k, "schema", json_object_get(s->cfg, "schema"));
	text = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
	util_sha256(text, strlen(text), h);
	free(text);
	json_decref(k);
	util_hex(h, 32, out);
	return 0;
}

void
prep_report_done(struct prep_report *r)
{
	prep_summary_done(&r->before);
	prep_summary_done(&r->after);
	json_decref(r->log);
	r->log = NULL;
}

/* prep writes its whole set here, then switches it in for prep/ at once
 * (issue 18: a stage's outputs become valid together). */
#define PREP_STAGE "prep.tmp.stage"

static int
write_in_prep(const struct study *s, const char *name, json_t *j, char **cause)
{
	char *rel = xsprintf(PREP_STAGE "/%s", name), *p = study_path(s, rel);
	int rc = js_write_file(p, j, cause);

	free(rel);
	free(p);
	return rc;
}

/* prep_write_csv() on a thread of its own. */
struct csv_job {
	char *path;
	const struct layout *l;
	const struct mtx *m;
	char *cause;
	int rc;
};

static void *
csv_job_run(void *arg)
{
	struct csv_job *job = arg;

	job->rc = prep_write_csv(job->path, job->l, job->m, &job->cause);
	return NULL;
}

int
prep_run_cohort(struct study *s, struct cohort *c, struct prep_report *rep, char **cause)
{
	struct prep_plan plan;
	struct layout *l = NULL;
	struct mtx *a = NULL, *b = NULL;
	char key[65], *p;
	double t0 = util_now();
	int rc = -1;
	json_t *log;

	memset(rep, 0, sizeof *rep);
	if (prep_plan_load(s, c, &plan, cause) != 0)
		return -1;
	if (prep_source_key(s, key, cause) != 0) {
		prep_plan_done(&plan);
		return -1;
	}
	/* The source profile is cached on the way (review then needs no load). */
	{
		char pkey[65];
		struct profile *pr = NULL;

		if (profile_study_key(s, pkey, NULL) == 0 && profile_load_cached(s, pkey, &pr, NULL) == 0) {
			pr = profile_compute(c, &plan);
			memcpy(pr->key, pkey, sizeof pr->key);
			if (profile_save(s, pr, cause) != 0) {
				profile_free(pr);
				prep_plan_done(&plan);
				return -1;
			}
		}
		profile_free(pr);
	}
	rep->rows_in = c->nrows;
	prep_summary(c, &rep->before);
	rep->cols_in = rep->before.ncols;
	log = json_object();
	json_object_set_new(log, "synthehr_prep_log", json_integer(1));
	json_object_set_new(log, "source_key", json_string(key));
	json_object_set_new(log, "plan", prep_plan_to_json(&plan));
	rep->log = log;
	if (prep_apply(c, &plan, &l, &a, &b, log, cause) != 0)
		goto out;
	{
		/* what the matrices were made from (issue 18): the source key
		 * (cohort file and schema), the plan (split included); the test
		 * rows name the training rows they go with */
		json_t *pj = prep_plan_to_json(&plan);
		char *dump = json_dumps(pj, JSON_SORT_KEYS | JSON_COMPACT);

		a->prov.role = MTX_ROLE_TRAIN;
		a->prov.source = util_hex64(key);
		a->prov.plan = util_hash64(dump, strlen(dump), 0x706c616e5f763031ULL);
		b->prov = a->prov;
		b->prov.role = MTX_ROLE_TEST;
		b->prov.train = mtx_checksum(a);
		free(dump);
		json_decref(pj);
	}
	prep_summary(c, &rep->after);
	rep->rows_out = c->nrows;
	rep->cols_out = l->D;
	rep->ntrain = a->n;
	rep->ntest = b->n;
	json_object_set_new(log, "before", prep_summary_to_json(&rep->before));
	json_object_set_new(log, "after", prep_summary_to_json(&rep->after));
	p = study_path(s, PREP_STAGE);
	util_rmdir_files(p);   /* what an interrupted prep left */
	free(p);
	if (study_mkdir(s, PREP_STAGE, cause) != 0)
		goto out;
	{
		json_t *lj = layout_to_json(l);

		rc = write_in_prep(s, "layout.json", lj, cause);
		json_decref(lj);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	/* Generator encodings of the continuous columns, fitted on the
	 * training rows (used by presets that encode; the tutorial's keeps
	 * min–max).  The log names each choice and why, without values. */
	{
		struct encoding *e = enc_fit(l, a, &plan.enc, cause);
		json_t *ej, *el = json_array();
		int i;

		if (e == NULL)
			goto out;
		for (i = 0; i < e->ncont; i++) {
			const struct enc_col *ec = &e->col[i];

			json_array_append_new(el, json_pack("{s:s,s:s,s:s,s:i,s:b}", "column",
			    l->source[ec->j], "encoding", enc_kind_name(ec->kind), "why", ec->why,
			    "width", ec->width, "integer", ec->integer));
		}
		json_object_set_new(log, "encodings", el);
		json_object_set_new(log, "network_columns", json_integer(e->Dn));
		ej = enc_to_json(e);
		rc = write_in_prep(s, "encoding.json", ej, cause);
		json_decref(ej);
		enc_free(e);
		if (rc != 0)
			goto out;
		rc = -1;
	}
	/* The four data files are independent: train.csv (the largest) is
	 * written by a second thread while this one writes the others, so the
	 * formatting and the waits for the disk overlap on two cores.  Errors
	 * are reported in the files' usual order. */
	{
		struct csv_job job;
		pthread_t th;
		char *err[3] = { NULL, NULL, NULL };
		int threaded, bad;

		job.path = study_path(s, PREP_STAGE "/train.csv");
		job.l = l;
		job.m = a;
		job.cause = NULL;
		job.rc = -1;
		threaded = pthread_create(&th, NULL, csv_job_run, &job) == 0;
		p = study_path(s, PREP_STAGE "/train.mtx");
		bad = mtx_write(p, a, &err[0]) != 0;
		free(p);
		if (!bad) {
			p = study_path(s, PREP_STAGE "/test.mtx");
			bad = mtx_write(p, b, &err[1]) != 0;
			free(p);
		}
		if (!bad) {
			p = study_path(s, PREP_STAGE "/train.f64");
			bad = mtx_f64_write(p, a, &err[0]) != 0;
			free(p);
		}
		if (!bad) {
			p = study_path(s, PREP_STAGE "/test.f64");
			bad = mtx_f64_write(p, b, &err[1]) != 0;
			free(p);
		}
		if (!bad) {
			p = study_path(s, PREP_STAGE "/test.csv");
			bad = prep_write_csv(p, l, b, &err[2]) != 0;
			free(p);
		}
		if (threaded)
			pthread_join(th, NULL);
		else
			csv_job_run(&job);
		free(job.path);
		if (err[0] != NULL || err[1] != NULL || job.rc != 0 || err[2] != NULL) {
			char *first = err[0] ? err[0] : err[1] ? err[1] : job.rc != 0 ? job.cause : err[2];

			util_fail(cause, "%s", first != NULL ? first : "writing prep/ failed");
			free(err[0]);
			free(err[1]);
			free(err[2]);
			free(job.cause);
			goto out;
		}
		free(job.cause);
	}
	if (write_in_prep(s, "log.json", log, cause) != 0)
		goto out;
	{
		/* files of prep/ this stage does not write (the profile cache)
		 * travel with the new set */
		char *pd = study_path(s, "prep");
		DIR *d = opendir(pd);
		struct dirent *e;

		rc = 0;
		while (rc == 0 && d != NULL && (e = readdir(d)) != NULL) {
			char *from, *to, *rel, *data;
			size_t len;

			if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") != NULL)
				continue;
			rel = xsprintf(PREP_STAGE "/%s", e->d_name);
			to = study_path(s, rel);
			from = util_path_join(pd, e->d_name);
			if (!util_file_exists(to) && util_file_exists(from) &&
			    util_read_file(from, &data, &len, NULL) == 0) {
				rc = util_write_file_atomic(to, data, len, cause);
				free(data);
			}
			free(from);
			free(to);
			free(rel);
		}
		if (d != NULL)
			closedir(d);
		p = study_path(s, PREP_STAGE);
		if (rc == 0)
			rc = util_dir_switch(p, pd, cause);
		free(p);
		free(pd);
		if (rc != 0) {
			rc = -1;
			goto out;
		}
	}
	rc = 0;
out:
	if (rc != 0) {
		/* a failed prep leaves the previous prep/ and nothing else */
		p = study_path(s, PREP_STAGE);
		util_rmdir_files(p);
		free(p);
	}
	rep->seconds = util_now() - t0;
	prep_plan_done(&plan);
	layout_free(l);
	mtx_free(a);
	mtx_free(b);
	return rc;
}

int
prep_load_encoding(const struct study *s, struct layout *l, char **cause)
{
	char *p = study_path(s, "prep/encoding.json");
	json_t *j = NULL;
	int rc = 0;

	enc_free(l->enc);
	l->enc = NULL;
	l->enc_on = 0;
	if (util_file_exists(p)) {
		rc = js_read_file(p, &j, cause);
		if (rc == 0)
			rc = enc_from_json(j, l, &l->enc, cause);
		json_decref(j);
	}
	free(p);
	return rc;
}

int
prep_load_layout(const struct study *s, struct layout **out, char **cause)
{
	char *p = study_path(s, "prep/layout.json");
	json_t *j;
	int rc;

	if (!util_file_exists(p)) {
		util_fail(cause, "%s: no prepared data yet (run 'synthehr prep %s')", p, s->dir);
		free(p);
		return -1;
	}
	if (js_read_file(p, &j, cause) != 0) {
		free(p);
		return -1;
	}
	rc = layout_from_json(j, out, cause);
	if (rc != 0 && cause && *cause) {
		char *t = xsprintf("%s: %s", p, *cause);

		free(*cause);
		*cause = t;
	}
	json_decref(j);
	free(p);
	return rc;
}

int
prep_load_split(const struct study *s, const struct layout *l, struct mtx **train,
    struct mtx **test, char **cause)
{
	char *p = study_path(s, "prep/train.mtx");
	int rc = mtx_read(p, l, train, cause);

	if (rc == 0 && (rc = mtx_expect(*train, p, MTX_ROLE_TRAIN, NULL, cause)) != 0) {
		mtx_free(*train);
		*train = NULL;
	}
	free(p);
	if (rc != 0)
		return -1;
	p = study_path(s, "prep/test.mtx");
	rc = mtx_read(p, l, test, cause);
	if (rc == 0 && (rc = mtx_expect(*test, p, MTX_ROLE_TEST, *train, cause)) != 0) {
		mtx_free(*test);
		*test = NULL;
	}
	free(p);
	if (rc != 0) {
		mtx_free(*train);
		*train = NULL;
		return -1;
	}
	return 0;
}

int
prep_attach_f64(const struct study *s, const char *split, struct mtx *m, char **cause)
{
	char *rel = xsprintf("prep/%s.f64", split), *p = study_path(s, rel);
	int rc = mtx_f64_attach(p, m, cause);

	free(rel);
	free(p);
	return rc;
}

int
prep_run(struct study *s, struct prep_report *rep, char **cause)
{
	struct cohort *c = NULL;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (study_load_cohort(s, &c, cause) != 0)
		return -1;
	rc = prep_run_cohort(s, c, rep, cause);
	cohort_free(c);
	return rc;
}
