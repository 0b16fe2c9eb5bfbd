/* synthehr — GPL-3.0-or-later.
 * Rank aggregation (SPEC §4.11, TUT rank_datasets.ipynb): per-metric ranks
 * with scipy's 'average' method truncated by astype(int) (or kept
 * fractional), direction-aware, weighted into one overall score per set;
 * built-in profiles A and B; custom profiles; bootstrap stability counts.
 * Pure functions of the metric table, no I/O apart from reading a profile
 * file. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/rank.h"
#include "synthehr/util.h"

const struct rank_metric_info rank_metrics[RANK_COUNT] = {
	[RANK_DWD] = { "DWD", "DWD", "dimension-wise distance (binary prevalence + relative continuous WD)", 0, "[0, ~1000]" },
	[RANK_CWC] = { "CWC", "CWC", "column-wise correlation difference (Frobenius/n^2 x 1e6)", 0, "[0, 2e6/n]" },
	[RANK_LCA] = { "LCA", "LCA", "latent cluster analysis, log2 latent deviation", 0, "(-inf, -2]" },
	[RANK_MCA] = { "MCA", "MCA", "medical concept abundance, total variation", 0, "[0, 1]" },
	[RANK_CKV] = { "CKV", "CKV", "clinical knowledge violation (male + female share)", 0, "[0, 2]" },
	[RANK_TSTR] = { "TSTR_auroc", "TSTR", "train synthetic, test real AUROC", 1, "[0, 1]" },
	[RANK_TRTS] = { "TRTS_auroc", "TRTS", "train real (test set), test synthetic AUROC", 1, "[0, 1]" },
	[RANK_FI] = { "Feature importance", "FI", "top-20 mean |SHAP| overlap with TRTR", 1, "[0, 1]" },
	[RANK_MI] = { "MI", "MI", "membership inference F1 (d <= 5)", 0, "[0, 1]" },
	[RANK_AI] = { "AI", "AI", "attribute inference, entropy-weighted", 0, "[0, 1]" },
	[RANK_NNAA] = { "NNAA", "NNAA", "nearest-neighbour adversarial accuracy privacy loss", 0, "[-1, 1]" },
	[RANK_DWDABS] = { "DWD_abs", "DWDabs", "absolute DWD (WD / real column range)", 0, "[0, ~1000]" },
};

int
rank_metric_find(const char *key)
{
	int i;

	for (i = 0; i < RANK_COUNT; i++) {
		if (strcasecmp(key, rank_metrics[i].key) == 0 ||
		    strcasecmp(key, rank_metrics[i].label) == 0)
			return i;
	}
	if (strcasecmp(key, "FI") == 0 || strcasecmp(key, "feature_importance") == 0)
		return RANK_FI;
	if (strcasecmp(key, "TSTR") == 0)
		return RANK_TSTR;
	if (strcasecmp(key, "TRTS") == 0)
		return RANK_TRTS;
	return -1;
}

const char *
rank_arrow(int metric)
{
	return rank_metrics[metric].higher_better ? "↑" : "↓";
}

/* SPEC §4.11 weight table. */
static const struct rank_profile rank_builtin[] = {
	{ "A", { [RANK_DWD] = 0.1, [RANK_CWC] = 0.1, [RANK_LCA] = 0.1, [RANK_MCA] = 0.0,
	    [RANK_CKV] = 0.1, [RANK_TSTR] = 0.2, [RANK_TRTS] = 0.0, [RANK_FI] = 0.2,
	    [RANK_MI] = 0.1, [RANK_AI] = 0.1 } },
	{ "B", { [RANK_DWD] = 0.1, [RANK_CWC] = 0.1, [RANK_LCA] = 0.0, [RANK_MCA] = 0.0,
	    [RANK_CKV] = 0.4, [RANK_TSTR] = 0.0, [RANK_TRTS] = 0.0, [RANK_FI] = 0.0,
	    [RANK_MI] = 0.2, [RANK_AI] = 0.2 } },
};

int
rank_profile_builtin(const char *name, struct rank_profile *p)
{
	size_t i;

	for (i = 0; i < SH_NELEM(rank_builtin); i++) {
		if (strcasecmp(name, rank_builtin[i].name) == 0) {
			*p = rank_builtin[i];
			return 0;
		}
	}
	return -1;
}

int
rank_profile_from_json(json_t *obj, const char *name, struct rank_profile *p, char **cause)
{
	const char *key;
	json_t *v;

	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name != NULL ? name : "custom");
	if (!json_is_object(obj))
		return util_fail(cause, "profile %s: expected an object of metric weights", p->name);
	json_object_foreach(obj, key, v) {
		int m = rank_metric_find(key);

		if (m < 0) {
			char known[512] = "";
			int i;

			for (i = 0; i < RANK_COUNT; i++) {
				strncat(known, rank_metrics[i].key, sizeof known - strlen(known) - 1);
				if (i + 1 < RANK_COUNT)
					strncat(known, ", ", sizeof known - strlen(known) - 1);
			}
			return util_fail(cause, "profile %s: unknown metric \"%s\" (known: %s)", p->name, key, known);
		}
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return util_fail(cause, "profile %s: weight of %s must be a number", p->name, key);
		p->w[m] = json_number_value(v);
	}
	return 0;
}

json_t *
rank_profile_to_json(const struct rank_profile *p)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < RANK_COUNT; i++)
		json_object_set_new(o, rank_metrics[i].key, json_real(p->w[i]));
	return o;
}

int
rank_profile_resolve(const char *arg, json_t *rank_cfg, struct rank_profile *p, char **cause)
{
	json_t *profiles, *j, *w;
	json_error_t err;
	int rc;

	if (arg == NULL || *arg == '\0')
		arg = "A";
	if (rank_profile_builtin(arg, p) == 0)
		return 0;
	profiles = rank_cfg != NULL ? json_object_get(rank_cfg, "profiles") : NULL;
	if (profiles != NULL && (j = json_object_get(profiles, arg)) != NULL)
		return rank_profile_from_json(j, arg, p, cause);
	if (!util_file_exists(arg))
		return util_fail(cause, "profile %s: not A, B, a profile saved in study.json \"rank\".\"profiles\", "
		    "nor a readable file", arg);
	j = json_load_file(arg, 0, &err);
	if (j == NULL)
		return util_fail(cause, "%s:%d:%d: %s", arg, err.line, err.column, err.text);
	w = json_object_get(j, "weights");
	if (w != NULL) {
		const char *nm = json_string_value(json_object_get(j, "name"));

		rc = rank_profile_from_json(w, nm != NULL ? nm : arg, p, cause);
	} else
		rc = rank_profile_from_json(j, arg, p, cause);
	json_decref(j);
	return rc;
}

struct rank_item {
	double v;
	int i;
};

static int
rank_item_cmp(const void *a, const void *b)
{
	const struct rank_item *x = a, *y = b;
	int xn = isnan(x->v), yn = isnan(y->v);

	if (xn || yn) {
		if (xn != yn)
			return xn - yn;   /* NaN last */
	} else if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->i - y->i;
}

void
rank_rankdata(const double *v, int n, double *out)
{
	struct rank_item *it = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *it);
	int i, j, k;

	for (i = 0; i < n; i++) {
		it[i].v = v[i];
		it[i].i = i;
	}
	qsort(it, (size_t)n, sizeof *it, rank_item_cmp);
	for (i = 0; i < n; i = j) {
		double avg;

		for (j = i + 1; j < n; j++) {
			int same = (isnan(it[i].v) && isnan(it[j].v)) || it[i].v == it[j].v;

			if (!same)
				break;
		}
		/* positions i..j-1 (0-based) hold ranks i+1..j */
		avg = 0.5 * ((double)(i + 1) + (double)j);
		for (k = i; k < j; k++)
			out[it[k].i] = avg;
	}
	free(it);
}

void
rank_metric_ranks(const double *v, int n, int higher_better, int fractional, double *out)
{
	int i;

	if (higher_better) {
		/* Rank the negated values so NaN still ranks worst, then flip
		 * the tutorial's way: (n+1) − int(rankdata(v)). */
		double *tmp = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *tmp);
		double *nv = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *nv);
		int nnan = 0;

		for (i = 0; i < n; i++)
			nnan += isnan(v[i]) != 0;
		/* rankdata of v among the finite values (NaN are given rank n
		 * below, tied worst). */
		for (i = 0; i < n; i++)
			nv[i] = isnan(v[i]) ? NAN : v[i];
		rank_rankdata(nv, n, tmp);
		for (i = 0; i < n; i++) {
			if (isnan(v[i])) {
				/* worst: ties among NaN averaged over the last places */
				double r = (double)n - 0.5 * (nnan - 1);

				out[i] = fractional ? r : (double)(int)r;
			} else {
				/* finite values occupy rankdata 1..n-nnan; shift by
				 * nnan so the best value maps to rank 1. */
				double r = tmp[i];

				if (fractional)
					out[i] = (double)(n - nnan + 1) - r;
				else
					out[i] = (double)(n - nnan + 1) - (double)(int)r;
			}
		}
		free(tmp);
		free(nv);
		return;
	}
	rank_rankdata(v, n, out);
	if (!fractional)
		for (i = 0; i < n; i++)
			out[i] = (double)(int)out[i];
}

int
rank_compute(const double *values, int nsets, const struct rank_profile *p, int fractional,
    double *ranks, double *overall)
{
	double *col, *r;
	int s, m, best = -1;

	if (nsets <= 0)
		return -1;
	col = xmalloc((size_t)nsets * sizeof *col);
	r = xmalloc((size_t)nsets * sizeof *r);
	for (s = 0; s < nsets; s++)
		overall[s] = 0;
	for (m = 0; m < RANK_COUNT; m++) {
		for (s = 0; s < nsets; s++)
			col[s] = values[(size_t)s * RANK_COUNT + m];
		rank_metric_ranks(col, nsets, rank_metrics[m].higher_better, fractional, r);
		for (s = 0; s < nsets; s++) {
			if (ranks != NULL)
				ranks[(size_t)s * RANK_COUNT + m] = r[s];
			/* Sum in metric order, as the notebook does: w·rank per
			 * metric added left to right (reproduces 3.2000000000000006). */
			if (p->w[m] != 0)
				overall[s] += p->w[m] * r[s];
		}
	}
	for (s = 0; s < nsets; s++)
		if (best < 0 || overall[s] < overall[best])
			best = s;
	free(col);
	free(r);
	return best;
}

void
rank_stability(const double *values, int nboot, int nsets, const struct rank_profile *p,
    int fractional, int *best_count)
{
	double *overall = xmalloc((size_t)(nsets > 0 ? nsets : 1) * sizeof *overall);
	int b, s;

	for (s = 0; s < nsets; s++)
		best_count[s] = 0;
	for (b = 0; b < nboot; b++) {
		int best = rank_compute(values + (size_t)b * nsets * RANK_COUNT, nsets, p, fractional,
		    NULL, overall);

		/* a resample where several sets share the best overall counts
		 * for each of them (crediting the first would favour the set
		 * listed first) */
		if (best >= 0)
			rank_count_best(overall, nsets, best_count);
	}
	free(overall);
}

int
rank_overall_place(const double *overall, int nsets, int k)
{
	int s, p = 1;

	for (s = 0; s < nsets; s++)
		if (overall[s] < overall[k] - RANK_TIE_EPS)
			p++;
	return p;
}

void
rank_count_best(const double *overall, int nsets, int *count)
{
	int s;

	for (s = 0; s < nsets; s++)
		if (rank_overall_place(overall, nsets, s) == 1)
			count[s]++;
}

static const double *rt_vals;

static int
rt_cmp(const void *a, const void *b)
{
	double x = rt_vals[*(const int *)a], y = rt_vals[*(const int *)b];

	if (x != y)
		return x < y ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

int
rank_ties(const double *values, const double *se, int nsets, int m, int *group)
{
	double *v = xmalloc((size_t)(nsets > 0 ? nsets : 1) * sizeof *v);
	int *ord = xmalloc((size_t)(nsets > 0 ? nsets : 1) * sizeof *ord), n = 0, s, ng = 0, i;

	for (s = 0; s < nsets; s++) {
		group[s] = -1;
		v[s] = values[(size_t)s * RANK_COUNT + m];
		if (isfinite(v[s]))
			ord[n++] = s;
	}
	rt_vals = v;
	qsort(ord, (size_t)n, sizeof *ord, rt_cmp);
	for (i = 0; i + 1 < n; i++) {
		int a = ord[i], b = ord[i + 1];
		double ea = se ? se[(size_t)a * RANK_COUNT + m] : NAN, eb = se ? se[(size_t)b * RANK_COUNT + m] : NAN;
		double tol;

		ea = isfinite(ea) ? ea : 0;
		eb = isfinite(eb) ? eb : 0;
		tol = sqrt(ea * ea + eb * eb);
		if (fabs(v[b] - v[a]) <= tol && (tol > 0 || v[a] == v[b])) {
			if (group[a] < 0)
				group[a] = ng++;
			group[b] = group[a];
		}
	}
	free(v);
	free(ord);
	return ng;
}
