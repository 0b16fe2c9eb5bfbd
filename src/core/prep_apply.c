/* synthehr — GPL-3.0-or-later.
 * Applying the preprocessing plan in the tutorial's order (SPEC §2.2–2.6):
 * outlier rules → missingness (drop columns, impute on the full cohort) →
 * low prevalence → split (seeded shuffle) → layout with min–max ranges
 * (layout.c: fitted on the full cohort, or the training part) → scaled
 * model rows (prep_encode.c).  The study stage that writes prep/ is
 * prep_stage.c. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/prep.h"
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
	size_t m = column_sorted_values(k, c->nrows, &s), d = 0, i;
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
		double v = column_num(k, i);
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
		if ((column_is_binary(k) || k->group != NULL) && k->kind == KIND_NUMERIC) {
			for (r = 0; r < c->nrows; r++) {
				double v = column_num(k, r);

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
	double v = column_num(k, r);

	*side = 0;
	if (isnan(v))
		return 0;
	if (k2 != NULL) {
		double y = column_num(k2, r);

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
		col = cohort_find_ci(c, r->column);
		k = &c->cols[col];
		if (r->type == PREP_RULE_CROSS)
			k2 = &c->cols[cohort_find_ci(c, r->right)];
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

		if (!column_is_modelled(k) || k->role == ROLE_LABEL || !(frac > p->drop_above))
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

		if (!column_is_modelled(k) || k->nmissing == 0 || method_for(p, k->name) != PREP_IMPUTE_DROP)
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

		if (!column_is_modelled(k) || k->nmissing == 0)
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
				size_t ns = column_sorted_values(k, c->nrows, &s), i;

				if (meth == PREP_IMPUTE_MEDIAN)
					v = util_quantile_sorted(s, ns, 0.5);
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
					double v = column_num(k, obs[r]);

					if (v >= 0 && v < nl)
						cnt[(int)v]++;
				}
				for (l = 1; l < nl; l++)
					if (cnt[l] > cnt[best])
						best = l;
				for (r = 0; r < nobs; r++)
					if (column_num(k, obs[r]) == (double)best) {
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

		if (!column_is_binary(k) || (k->role != ROLE_BINARY && k->role != ROLE_CONCEPT))
			continue;
		if (k->kind == KIND_BINARY && k->missing == NULL)
			for (r = 0; r < c->nrows; r++)
				ones += k->bin[r] != 0;
		else
			for (r = 0; r < c->nrows; r++)
				ones += column_num(k, r) >= 0.5;
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
		if (c->cols[j].role == ROLE_LABEL && column_is_binary(&c->cols[j])) {
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
			cnt[column_num(&c->cols[lab], i) >= 0.5]++;
		take[0] = (size_t)floor(p->train_frac * cnt[0]);
		take[1] = (size_t)floor(p->train_frac * cnt[1]);
		for (i = 0; i < n; i++) {
			int y = column_num(&c->cols[lab], idx[i]) >= 0.5;

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

/* ---- the whole plan ---- */

int
prep_apply(struct cohort *c, const struct prep_plan *p, struct layout **lout,
    struct mtx **train, struct mtx **test, json_t *log, char **cause)
{
	size_t *tr = NULL, *te = NULL, ntr, nte;
	struct layout *l = NULL;
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
	if (prep_encode_split(l, c, tr, ntr, te, nte, &a, &b, cause) != 0)
		goto fail;
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
	free(tr);
	free(te);
	*lout = l;
	*train = a;
	*test = b;
	return 0;
fail:
	mtx_free(a);
	mtx_free(b);
	layout_free(l);
	free(tr);
	free(te);
	return -1;
}
