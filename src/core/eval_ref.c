/* synthehr — GPL-3.0-or-later.
 * The real-data reference of an evaluation (eval_ref.h): the held-out test
 * rows scored as if they were a synthetic set, stored in metrics.json under
 * "reference". */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/eval_privacy.h"
#include "synthehr/eval_ref.h"
#include "synthehr/eval_utility.h"
#include "synthehr/json.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* n rows of m drawn without replacement with a seeded stream (all of m
 * when n >= its rows: NULL, use m itself). */
static struct mtx *
rows_sample(const struct mtx *m, size_t n, uint64_t seed, uint64_t stream)
{
	size_t *idx, i;
	struct rng g;
	struct mtx *out;

	if (n == 0 || n >= m->n)
		return NULL;
	idx = xmalloc(m->n * sizeof *idx);
	for (i = 0; i < m->n; i++)
		idx[i] = i;
	rng_seed_stream(&g, seed, stream);
	rng_shuffle(&g, idx, m->n);
	out = mtx_subset(m, idx, n);
	free(idx);
	return out;
}

/* The test rows' scores that do not depend on the sets. */
static json_t *
ref_compute(const struct layout *l, const struct mtx *R, const struct mtx *T, const struct eval_opts *o)
{
	json_t *raw = json_object();
	int ncont = 0, j, k;
	char *cz = NULL;

	for (j = 0; j < l->D; j++)
		ncont += l->kind[j] == MCOL_CONT;
	if (o->only & EVAL_F_DWD) {
		double *wd = xcalloc((size_t)ncont + 1, sizeof *wd), sd2d = eval_sd2d(l, R, T);
		json_t *w = json_object();

		eval_wd(l, R, T, wd);
		for (j = 0, k = 0; j < l->D; j++)
			if (l->kind[j] == MCOL_CONT)
				json_object_set_new(w, l->name[j], num(wd[k++]));
		json_object_set_new(raw, "sd2d", num(sd2d));
		json_object_set_new(raw, "wd", w);
		json_object_set_new(raw, "DWD_abs", num(eval_dwd_abs(l, sd2d, wd)));
		free(wd);
	}
	if ((o->only & EVAL_F_CWC) && !util_interrupted)
		json_object_set_new(raw, "CWC", num(eval_cwc(l, R, T, NULL)));
	if ((o->only & EVAL_F_LCA) && !util_interrupted) {
		/* as the sets' LCA: rows capped at lca_rows, the evaluation's seed */
		struct mtx *rs = rows_sample(R, o->lca_rows, o->seed, 31), *ts = rows_sample(T, o->lca_rows, o->seed, 32);
		struct eval_lca_info info;

		json_object_set_new(raw, "LCA", num(eval_lca_ex(l, rs ? rs : R, ts ? ts : T, o->seed, o->lca_k,
		    o->lca_restarts, &info)));
		mtx_free(rs);
		mtx_free(ts);
	}
	if ((o->only & EVAL_F_MCA) && !util_interrupted)
		json_object_set_new(raw, "MCA", num(eval_mca(l, R, T)));
	if ((o->only & EVAL_F_CKV) && !util_interrupted) {
		struct eval_ckv ck;

		json_object_set_new(raw, "CKV", eval_ckv(l, R, T, o->sex_restriction_csv, &ck, &cz) == 0 ?
		    num(ck.ckv) : json_null());
		free(cz);
		cz = NULL;
	}
	if ((o->only & (EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA)) && !util_interrupted) {
		struct privacy_opts po = o->priv;
		size_t half = T->n / 2, *idx = xmalloc((T->n + 1) * sizeof *idx), i;
		struct mtx *ta, *tb;
		struct rng g;

		/* two halves of the test rows: ta plays the set, tb the non-members */
		po.progress = NULL;
		for (i = 0; i < T->n; i++)
			idx[i] = i;
		rng_seed_stream(&g, o->seed, 41);
		rng_shuffle(&g, idx, T->n);
		ta = mtx_subset(T, idx, half);
		tb = mtx_subset(T, idx + half, T->n - half);
		free(idx);
		if (o->only & EVAL_F_MI) {
			struct mi_result mi;

			json_object_set_new(raw, "MI", eval_mi(l, R, tb, ta, &po, &mi, &cz) == 0 ? num(mi.f1) : json_null());
			free(cz);
			cz = NULL;
		}
		if ((o->only & EVAL_F_AI) && !util_interrupted) {
			struct ai_result ai;

			json_object_set_new(raw, "AI", eval_ai(l, R, T, &po, &ai, &cz) == 0 ? num(ai.risk) : json_null());
			free(cz);
			cz = NULL;
		}
		if ((o->only & EVAL_F_NNAA) && !util_interrupted) {
			struct nnaa_result nn;

			json_object_set_new(raw, "NNAA", eval_nnaa(l, R, tb, ta, &po, &nn, &cz) == 0 ?
			    num(nn.privacy_loss) : json_null());
			free(cz);
			cz = NULL;
		}
		mtx_free(ta);
		mtx_free(tb);
	}
	return raw;
}

/* DWD of the test rows in the frame of the sets' DWD: each continuous
 * column's WD min–max normalised over the sets' WDs (eval_dwd_runs). */
static double
ref_dwd(const struct layout *l, json_t *raw, json_t *sets)
{
	json_t *w = json_object_get(raw, "wd");
	double s = 0;
	int j, nsets = 0;
	size_t i;

	if (!json_is_number(json_object_get(raw, "sd2d")))
		return NAN;
	for (j = 0; j < l->D; j++) {
		double lo = INFINITY, hi = -INFINITY, v;

		if (l->kind[j] != MCOL_CONT)
			continue;
		v = js_num(w, l->name[j], NAN);
		nsets = 0;
		for (i = 0; i < json_array_size(sets); i++) {
			json_t *st = json_array_get(sets, i), *det = json_object_get(st, "details");
			double x;

			if (strcmp(js_str(st, "kind", ""), "real") == 0 || json_object_get(det, "sd2d") == NULL)
				continue;
			x = js_num(json_object_get(det, "wd"), l->name[j], NAN);
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
			nsets++;
		}
		if (hi > lo && isfinite(v))
			s += (v - lo) / (hi - lo) / 10.0;
	}
	if (nsets == 0)
		return NAN;
	return (json_number_value(json_object_get(raw, "sd2d")) + s) / (l->D - 1) * 1000.0;
}

int
eval_ref_add(struct study *s, const struct layout *l, const struct mtx *R, const struct mtx *T,
    const struct eval_opts *o, const char *key, json_t *sets, json_t *metrics, char **cause)
{
	char *path = study_path(s, "eval/sets/_reference.json");
	json_t *cache = NULL, *raw = NULL, *vals, *ref;
	double trtr = js_num(json_object_get(metrics, "trtr"), "auroc", NAN);
	static const char *const keys[] = { "DWD_abs", "CWC", "LCA", "MCA", "CKV", "MI", "AI", "NNAA" };
	size_t i;

	if (!o->force && js_read_file(path, &cache, NULL) == 0 && strcmp(js_str(cache, "key", ""), key) == 0 &&
	    (unsigned)js_int(cache, "only", 0) == o->only)
		raw = json_incref(json_object_get(cache, "raw"));
	json_decref(cache);
	if (raw == NULL) {
		raw = ref_compute(l, R, T, o);
		if (util_interrupted) {
			json_decref(raw);
			free(path);
			return util_fail(cause, "interrupted");
		}
		cache = json_pack("{s:s,s:I,s:O}", "key", key, "only", (json_int_t)o->only, "raw", raw);
		study_mkdir(s, "eval/sets", NULL);
		{
			char *cz = NULL;

			if (js_write_file(path, cache, &cz) != 0)
				free(cz);   /* a cache that cannot be written is not fatal */
		}
		json_decref(cache);
	}
	free(path);
	vals = json_object();
	if (o->only & EVAL_F_DWD)
		json_object_set_new(vals, "DWD", num(ref_dwd(l, raw, sets)));
	for (i = 0; i < SH_NELEM(keys); i++)
		if (json_object_get(raw, keys[i]) != NULL)
			json_object_set(vals, keys[i], json_object_get(raw, keys[i]));
	if ((o->only & EVAL_F_PRED) && isfinite(trtr)) {
		json_object_set_new(vals, "TSTR_auroc", json_real(trtr));
		json_object_set_new(vals, "TRTS_auroc", json_real(trtr));
	}
	ref = json_pack("{s:s,s:I,s:o,s:{s:O,s:O}}", "source",
	    "the real held-out test rows (prep/test.mtx) scored against the training rows as if they were a "
	    "synthetic set; MI and NNAA: half of them as the set, the other half as the non-members; "
	    "TSTR and TRTS: TRTR's AUROC", "rows", (json_int_t)T->n, "values", vals, "details",
	    "sd2d", json_object_get(raw, "sd2d") ? json_object_get(raw, "sd2d") : json_null(),
	    "wd", json_object_get(raw, "wd") ? json_object_get(raw, "wd") : json_null());
	json_object_set_new(metrics, "reference", ref);
	json_decref(raw);
	return 0;
}
