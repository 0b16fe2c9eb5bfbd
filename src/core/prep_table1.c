/* synthehr — GPL-3.0-or-later.
 * The cohort's Table 1 (prep.h: prep_summary), shaped like the tutorial's:
 * patients, age, female %, the categorical group, the label, continuous
 * columns with their missing share, the most prevalent concepts and the
 * model-matrix width; before and after preprocessing. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "prep_int.h"

static int
is_age_name(const char *s)
{
	return strcasecmp(s, "AGE") == 0 || strcasecmp(s, "anchor_age") == 0 ||
	    strcasecmp(s, "age_years") == 0;
}

static void
mean_sd(const struct column *k, size_t n, double *mean, double *sd, size_t *nmiss)
{
	double s = 0, ss = 0, m;
	size_t i, cnt = 0;

	for (i = 0; i < n; i++) {
		double v = column_num(k, i);

		if (!isnan(v)) {
			s += v;
			cnt++;
		}
	}
	m = cnt ? s / cnt : NAN;
	for (i = 0; i < n; i++) {
		double v = column_num(k, i);

		if (!isnan(v))
			ss += (v - m) * (v - m);
	}
	*mean = m;
	*sd = cnt > 1 ? sqrt(ss / (cnt - 1)) : NAN;
	if (nmiss)
		*nmiss = n - cnt;
}

static size_t
count_ones(const struct column *k, size_t n)
{
	size_t i, s = 0;

	if (k->kind == KIND_BINARY && k->missing == NULL) {
		/* eight bytes at a time: even and odd bytes summed in 16-bit
		 * lanes, folded before a lane could overflow (255 × 256 < 65536) */
		const uint8_t *b = k->bin;

		i = 0;
		while (n - i >= 8) {
			uint64_t even = 0, odd = 0, w;
			size_t stop = i + 8 * SH_MIN((n - i) / 8, (size_t)256);

			for (; i < stop; i += 8) {
				memcpy(&w, b + i, 8);
				even += w & 0x00FF00FF00FF00FFull;
				odd += (w >> 8) & 0x00FF00FF00FF00FFull;
			}
			s += (even & 0xFFFF) + ((even >> 16) & 0xFFFF) + ((even >> 32) & 0xFFFF) + (even >> 48);
			s += (odd & 0xFFFF) + ((odd >> 16) & 0xFFFF) + ((odd >> 32) & 0xFFFF) + (odd >> 48);
		}
		for (; i < n; i++)
			s += b[i];
		return s;
	}
	for (i = 0; i < n; i++) {
		double v = column_num(k, i);

		s += !isnan(v) && v >= 0.5;
	}
	return s;
}

void
prep_summary(const struct cohort *c, struct prep_summary *out)
{
	int j, t;
	size_t n = c->nrows;

	memset(out, 0, sizeof *out);
	out->n = n;
	out->ncols = prep_model_width(c);
	out->cont_name = xcalloc(c->ncols + 1, sizeof(char *));
	out->cont_mean = xcalloc(c->ncols + 1, sizeof(double));
	out->cont_sd = xcalloc(c->ncols + 1, sizeof(double));
	out->cont_missing = xcalloc(c->ncols + 1, sizeof(size_t));
	out->top_name = xcalloc(PREP_SUMMARY_TOP, sizeof(char *));
	out->top_prev = xcalloc(PREP_SUMMARY_TOP, sizeof(double));
	out->top_count = xcalloc(PREP_SUMMARY_TOP, sizeof(size_t));
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (k->role == ROLE_CONTINUOUS && !out->has_age && is_age_name(k->name)) {
			out->has_age = 1;
			mean_sd(k, n, &out->age_mean, &out->age_sd, NULL);
		} else if (k->role == ROLE_CONTINUOUS && k->kind != KIND_TEXT) {
			int q = out->ncont++;

			out->cont_name[q] = xstrdup(k->name);
			mean_sd(k, n, &out->cont_mean[q], &out->cont_sd[q], &out->cont_missing[q]);
		} else if (k->role == ROLE_SEX && !out->has_sex && column_is_binary(k)) {
			out->has_sex = 1;
			out->female_pct = n ? 100.0 * count_ones(k, n) / (double)(n - k->nmissing) : NAN;
		} else if (k->role == ROLE_LABEL && out->label_name == NULL && column_is_binary(k)) {
			out->label_name = xstrdup(k->name);
			out->label_count = count_ones(k, n);
			out->label_pct = n ? 100.0 * out->label_count / (double)n : NAN;
		} else if (k->role == ROLE_CONCEPT && column_is_binary(k)) {
			size_t ones = count_ones(k, n);
			double prev = n ? (double)ones / n : 0;

			/* insertion into the top list; ties keep source order */
			for (t = out->ntop; t > 0 && out->top_prev[t - 1] < prev; t--)
				;
			if (t < PREP_SUMMARY_TOP) {
				int last = SH_MIN(out->ntop, PREP_SUMMARY_TOP - 1);

				if (out->ntop == PREP_SUMMARY_TOP)
					free(out->top_name[PREP_SUMMARY_TOP - 1]);
				memmove(&out->top_name[t + 1], &out->top_name[t], (last - t) * sizeof(char *));
				memmove(&out->top_prev[t + 1], &out->top_prev[t], (last - t) * sizeof(double));
				memmove(&out->top_count[t + 1], &out->top_count[t], (last - t) * sizeof(size_t));
				out->top_name[t] = xstrdup(k->name);
				out->top_prev[t] = prev;
				out->top_count[t] = ones;
				if (out->ntop < PREP_SUMMARY_TOP)
					out->ntop++;
			}
		}
	}
	/* race: the first group (a categorical column or separate 0/1 columns) */
	for (j = 0; j < c->ncols && out->race_name == NULL; j++) {
		const struct column *k = &c->cols[j];
		size_t i;
		int l;

		if (k->role == ROLE_ID || k->role == ROLE_IGNORE)
			continue;
		if (k->group != NULL) {
			int jj;

			out->race_name = xstrdup(k->group);
			for (jj = j; jj < c->ncols; jj++) {
				const struct column *g = &c->cols[jj];

				if (g->group == NULL || strcmp(g->group, k->group) != 0)
					continue;
				out->race_level = xreallocarray(out->race_level, out->nrace + 1, sizeof(char *));
				out->race_count = xreallocarray(out->race_count, out->nrace + 1, sizeof(size_t));
				out->race_level[out->nrace] = xstrdup(g->name);
				out->race_count[out->nrace++] = count_ones(g, n);
			}
		} else if (column_is_group(k) && k->kind == KIND_CATEGORICAL) {
			out->race_name = xstrdup(k->name);
			out->nrace = k->nlevels;
			out->race_level = xcalloc(k->nlevels + 1, sizeof(char *));
			out->race_count = xcalloc(k->nlevels + 1, sizeof(size_t));
			for (l = 0; l < k->nlevels; l++)
				out->race_level[l] = xstrdup(k->levels[l]);
			for (i = 0; i < n; i++)
				if (!cohort_is_missing(k, i) && k->cat[i] >= 0 && k->cat[i] < k->nlevels)
					out->race_count[k->cat[i]]++;
		}
	}
}

void
prep_summary_done(struct prep_summary *s)
{
	int i;

	for (i = 0; i < s->nrace; i++)
		free(s->race_level[i]);
	for (i = 0; i < s->ncont; i++)
		free(s->cont_name[i]);
	for (i = 0; i < s->ntop; i++)
		free(s->top_name[i]);
	free(s->race_name); free(s->race_level); free(s->race_count);
	free(s->label_name);
	free(s->cont_name); free(s->cont_mean); free(s->cont_sd); free(s->cont_missing);
	free(s->top_name); free(s->top_prev); free(s->top_count);
	memset(s, 0, sizeof *s);
}

json_t *
prep_summary_to_json(const struct prep_summary *s)
{
	json_t *o = json_object(), *a;
	int i;

	json_object_set_new(o, "patients", json_integer((json_int_t)s->n));
	if (s->has_age)
		json_object_set_new(o, "age", json_pack("{s:o,s:o}", "mean", js_real_or_null(s->age_mean), "sd", js_real_or_null(s->age_sd)));
	if (s->has_sex)
		json_object_set_new(o, "female_pct", js_real_or_null(s->female_pct));
	if (s->race_name) {
		a = json_object();
		for (i = 0; i < s->nrace; i++)
			json_object_set_new(a, s->race_level[i], json_integer((json_int_t)s->race_count[i]));
		json_object_set_new(o, "group", json_pack("{s:s,s:o}", "name", s->race_name, "counts", a));
	}
	if (s->label_name)
		json_object_set_new(o, "label", json_pack("{s:s,s:I,s:o}", "name", s->label_name,
		    "count", (json_int_t)s->label_count, "pct", js_real_or_null(s->label_pct)));
	a = json_array();
	for (i = 0; i < s->ncont; i++)
		json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:I}", "name", s->cont_name[i],
		    "mean", js_real_or_null(s->cont_mean[i]), "sd", js_real_or_null(s->cont_sd[i]),
		    "missing", (json_int_t)s->cont_missing[i]));
	json_object_set_new(o, "continuous", a);
	a = json_array();
	for (i = 0; i < s->ntop; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:o}", "name", s->top_name[i],
		    "count", (json_int_t)s->top_count[i], "prevalence", js_real_or_null(s->top_prev[i])));
	json_object_set_new(o, "top_concepts", a);
	json_object_set_new(o, "columns", json_integer(s->ncols));
	return o;
}
