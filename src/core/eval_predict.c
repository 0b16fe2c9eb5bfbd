/* synthehr — GPL-3.0-or-later.
 * Prediction utility (SPEC §4.6–4.7) on the XGBoost C API: the label is
 * the layout's label; the features are every other column except the group
 * (race) columns, in cohort units.  Rows go to XGBoost as CSR: a binary
 * feature stores only its ones (an absent entry is XGBoost's "missing",
 * which a tree splits exactly like the value 0), a continuous feature stores
 * every value.  AUROC and PR-AUC as scikit-learn computes them, and mean
 * |SHAP| importance by exact TreeSHAP (pred_contribs). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "synthehr/eval_predict.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

struct predict_model {
	const struct layout *l;
	BoosterHandle bst;
	int nf;
	int *fcol;            /* [nf] model column of each feature */
};

void
predict_opts_preset(struct predict_opts *o, const char *preset)
{
	memset(o, 0, sizeof *o);
	/* Shared tree shape: LightGBM num_leaves 50 → max_leaves 50 with the
	 * loss-guided (leaf-wise) growth LightGBM uses; max_depth 15;
	 * colsample_bytree 0.9; subsample 0.9 (XGBoost resamples every round,
	 * LightGBM every 40); reg_alpha 1.3 → alpha; min_split_gain 0.3 →
	 * gamma; reg_lambda 0 → lambda 0. */
	o->max_depth = 15;
	o->max_leaves = 50;
	o->colsample = 0.9;
	o->subsample = 0.9;
	o->alpha = 1.3;
	o->min_split_gain = 0.3;
	o->lambda = 0;
	o->threads = 2;
	o->seed = 2021;
	/* LightGBM's min_sum_hessian_in_leaf defaults to 1e-3; XGBoost's
	 * min_child_weight (the same constraint) to 1, which moved AUROC by
	 * 0.02-0.04 on a hospital extract (issue 13). */
	o->min_child_weight = 1e-3;
	if (preset && strcmp(preset, "tutorial") == 0) {
		o->trees = 2000;
		o->eta = 0.01;
		o->shap_rows = 0;
	} else {
		o->trees = 300;
		o->eta = 0.08;
		o->shap_rows = 2000;
	}
}

static int
pr_xgb_fail(char **cause, const char *what)
{
	return util_fail(cause, "XGBoost %s: %s", what, XGBGetLastError());
}

/* CSR DMatrix of rows idx[0..nr-1] (or r0.. when idx is NULL) over the
 * model's features. */
static int
pr_dmatrix(const struct predict_model *pm, const struct mtx *m, const size_t *idx, size_t r0,
    size_t nr, DMatrixHandle *out, char **cause)
{
	const struct layout *l = pm->l;
	size_t cap = nr * 8 + 16, nnz = 0, i;
	size_t *indptr = xmalloc((nr + 1) * sizeof *indptr);
	unsigned *ind = xmalloc(cap * sizeof *ind);
	float *val = xmalloc(cap * sizeof *val);
	int f, rc;

	indptr[0] = 0;
	for (i = 0; i < nr; i++) {
		size_t r = idx ? idx[i] : r0 + i;
		const uint8_t *b = m->b + r * (size_t)m->nb;
		const float *c = m->c + r * (size_t)m->nc;

		if (nnz + (size_t)pm->nf > cap) {
			cap = SH_MAX(cap * 2, nnz + (size_t)pm->nf);
			ind = xreallocarray(ind, cap, sizeof *ind);
			val = xreallocarray(val, cap, sizeof *val);
		}
		for (f = 0; f < pm->nf; f++) {
			int j = pm->fcol[f];

			if (m->is_float[j]) {
				double v = c[m->slot[j]];

				if (m->scaled && l->kind[j] == MCOL_CONT)
					v = (1.0 - v) * l->lo[j] + v * l->hi[j];
				ind[nnz] = (unsigned)f;
				val[nnz++] = (float)v;
			} else if (b[m->slot[j]]) {
				ind[nnz] = (unsigned)f;
				val[nnz++] = 1.0f;
			}
		}
		indptr[i + 1] = nnz;
	}
	rc = XGDMatrixCreateFromCSREx(indptr, ind, val, nr + 1, nnz, (size_t)pm->nf, out);
	free(indptr);
	free(ind);
	free(val);
	if (rc != 0)
		return pr_xgb_fail(cause, "DMatrix");
	return 0;
}

static int
pr_label(const struct mtx *m, int label, size_t r)
{
	return m->b[r * (size_t)m->nb + m->slot[label]] != 0;
}

static int
pr_set(BoosterHandle b, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
pr_set(BoosterHandle b, const char *k, const char *fmt, ...)
{
	char v[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	return XGBoosterSetParam(b, k, v);
}

int
predict_train(const struct layout *l, const struct mtx *train, const struct predict_opts *o,
    struct predict_model **out, char **cause)
{
	struct predict_model *pm;
	DMatrixHandle dm = NULL;
	size_t *idx, i, npos = 0;
	float *lab;
	struct rng g;
	int j, it, varies = 0, rc = 0;

	*out = NULL;
	if (l->label < 0 || l->kind[l->label] == MCOL_CONT)
		return util_fail(cause, "prediction: the study has no binary label column");
	if (train->n < 2)
		return util_fail(cause, "prediction: the training set has %zu rows; need at least 2", train->n);
	for (i = 0; i < train->n; i++)
		npos += (size_t)pr_label(train, l->label, i);
	if (npos == 0 || npos == train->n)
		return util_fail(cause, "prediction: the label %s has only one class (%s) in the training set",
		    l->name[l->label], npos ? "all 1" : "all 0");

	pm = xcalloc(1, sizeof *pm);
	pm->l = l;
	pm->fcol = xmalloc((size_t)l->D * sizeof *pm->fcol);
	for (j = 0; j < l->D; j++)
		if (j != l->label && l->kind[j] != MCOL_GROUP)
			pm->fcol[pm->nf++] = j;
	if (pm->nf == 0) {
		predict_model_free(pm);
		return util_fail(cause, "prediction: no feature columns (every column is the label or a group)");
	}
	/* A feature set where nothing varies cannot be learned from. */
	for (j = 0; j < pm->nf && !varies; j++) {
		float first = mtx_get(train, 0, pm->fcol[j]);

		for (i = 1; i < train->n; i++)
			if (mtx_get(train, i, pm->fcol[j]) != first) {
				varies = 1;
				break;
			}
	}
	if (!varies) {
		predict_model_free(pm);
		return util_fail(cause, "prediction: every feature is constant in the training set");
	}

	/* The tutorial shuffles the training rows (random.seed(2021)). */
	idx = xmalloc(train->n * sizeof *idx);
	for (i = 0; i < train->n; i++)
		idx[i] = i;
	rng_seed_stream(&g, o->seed, 0x5348554646ULL);
	rng_shuffle(&g, idx, train->n);
	if (pr_dmatrix(pm, train, idx, 0, train->n, &dm, cause) != 0) {
		free(idx);
		predict_model_free(pm);
		return -1;
	}
	lab = xmalloc(train->n * sizeof *lab);
	for (i = 0; i < train->n; i++)
		lab[i] = (float)pr_label(train, l->label, idx[i]);
	free(idx);
	if (XGDMatrixSetFloatInfo(dm, "label", lab, train->n) != 0) {
		free(lab);
		XGDMatrixFree(dm);
		predict_model_free(pm);
		return pr_xgb_fail(cause, "label");
	}
	free(lab);
	if (XGBoosterCreate(&dm, 1, &pm->bst) != 0) {
		XGDMatrixFree(dm);
		predict_model_free(pm);
		return pr_xgb_fail(cause, "booster");
	}
	rc |= pr_set(pm->bst, "objective", "%s", "binary:logistic");
	rc |= pr_set(pm->bst, "tree_method", "%s", "hist");
	rc |= pr_set(pm->bst, "nthread", "%d", o->threads > 0 ? o->threads : 2);
	rc |= pr_set(pm->bst, "seed", "%llu", (unsigned long long)(o->seed & 0x7fffffff));
	rc |= pr_set(pm->bst, "eta", "%.17g", o->eta > 0 ? o->eta : 0.1);
	rc |= pr_set(pm->bst, "max_depth", "%d", o->max_depth > 0 ? o->max_depth : 0);
	if (o->max_leaves > 0) {
		rc |= pr_set(pm->bst, "grow_policy", "%s", "lossguide");
		rc |= pr_set(pm->bst, "max_leaves", "%d", o->max_leaves);
	}
	rc |= pr_set(pm->bst, "colsample_bytree", "%.17g", o->colsample > 0 ? o->colsample : 1.0);
	rc |= pr_set(pm->bst, "subsample", "%.17g", o->subsample > 0 ? o->subsample : 1.0);
	rc |= pr_set(pm->bst, "alpha", "%.17g", o->alpha);
	rc |= pr_set(pm->bst, "lambda", "%.17g", o->lambda);
	rc |= pr_set(pm->bst, "gamma", "%.17g", o->min_split_gain);
	rc |= pr_set(pm->bst, "min_child_weight", "%.17g", o->min_child_weight);
	/* LightGBM starts binary boosting from the log-odds of the prevalence. */
	rc |= pr_set(pm->bst, "base_score", "%.17g", (double)npos / (double)train->n);
	rc |= pr_set(pm->bst, "verbosity", "%d", 0);
	if (rc != 0) {
		XGDMatrixFree(dm);
		predict_model_free(pm);
		return pr_xgb_fail(cause, "parameters");
	}
	for (it = 0; it < (o->trees > 0 ? o->trees : 100); it++) {
		if (util_interrupted) {
			XGDMatrixFree(dm);
			predict_model_free(pm);
			return util_fail(cause, "prediction: interrupted after %d trees", it);
		}
		if (XGBoosterUpdateOneIter(pm->bst, it, dm) != 0) {
			XGDMatrixFree(dm);
			predict_model_free(pm);
			return pr_xgb_fail(cause, "training");
		}
	}
	XGDMatrixFree(dm);
	*out = pm;
	return 0;
}

int
predict_model_nfeatures(const struct predict_model *pm)
{
	return pm->nf;
}

const int *
predict_model_features(const struct predict_model *pm)
{
	return pm->fcol;
}

void
predict_model_free(struct predict_model *pm)
{
	if (pm == NULL)
		return;
	if (pm->bst)
		XGBoosterFree(pm->bst);
	free(pm->fcol);
	free(pm);
}

static int
pr_predict(struct predict_model *pm, const struct mtx *m, const size_t *idx, size_t r0, size_t nr,
    int type, float *out, size_t per_row, char **cause)
{
	DMatrixHandle dm;
	const bst_ulong *shape;
	bst_ulong dim, total = 1, d;
	const float *res;
	char cfg[160];

	if (nr == 0)
		return 0;
	if (pr_dmatrix(pm, m, idx, r0, nr, &dm, cause) != 0)
		return -1;
	snprintf(cfg, sizeof cfg, "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, "
	    "\"iteration_end\": 0, \"strict_shape\": false}", type);
	if (XGBoosterPredictFromDMatrix(pm->bst, dm, cfg, &shape, &dim, &res) != 0) {
		XGDMatrixFree(dm);
		return pr_xgb_fail(cause, "prediction");
	}
	for (d = 0; d < dim; d++)
		total *= shape[d];
	if (total != (bst_ulong)(nr * per_row)) {
		XGDMatrixFree(dm);
		return util_fail(cause, "XGBoost prediction: %llu values, expected %zu",
		    (unsigned long long)total, nr * per_row);
	}
	memcpy(out, res, nr * per_row * sizeof *out);
	XGDMatrixFree(dm);
	return 0;
}

int
predict_scores(struct predict_model *pm, const struct mtx *m, size_t r0, size_t nr, int margin,
    float *out, char **cause)
{
	return pr_predict(pm, m, NULL, r0, nr, margin ? 1 : 0, out, 1, cause);
}

int
predict_contribs(struct predict_model *pm, const struct mtx *m, size_t r0, size_t nr,
    float *out, char **cause)
{
	return pr_predict(pm, m, NULL, r0, nr, 2, out, (size_t)pm->nf + 1, cause);
}

/* Scores with their labels, sorted by descending score. */
struct pr_pair {
	float s;
	uint8_t y;
};

static int
pr_cmp_desc(const void *a, const void *b)
{
	float x = ((const struct pr_pair *)a)->s, y = ((const struct pr_pair *)b)->s;

	return (x < y) - (x > y);
}

static struct pr_pair *
pr_order(const float *score, const uint8_t *y, size_t n)
{
	struct pr_pair *o = xmalloc((n ? n : 1) * sizeof *o);
	size_t i;

	for (i = 0; i < n; i++) {
		o[i].s = score[i];
		o[i].y = y[i] != 0;
	}
	qsort(o, n, sizeof *o, pr_cmp_desc);
	return o;
}

double
eval_auroc(const float *score, const uint8_t *y, size_t n)
{
	struct pr_pair *o = pr_order(score, y, n);
	size_t i = 0, P = 0, N = 0, neg_above = 0;
	double below = 0;

	/* Walk tie groups from the top.  A positive beats the negatives below
	 * it and half the negatives tied with it; summed over a group of gp
	 * positives and gn negatives: gp·(N − above − gn) + ½·gp·gn, i.e.
	 * P·N − Σ gp·(above + ½ gn) in total. */
	while (i < n) {
		size_t j = i, gp = 0, gn = 0;

		while (j < n && o[j].s == o[i].s) {
			if (o[j].y)
				gp++;
			else
				gn++;
			j++;
		}
		below += (double)gp * (double)neg_above + 0.5 * (double)gp * (double)gn;
		neg_above += gn;
		P += gp;
		N += gn;
		i = j;
	}
	free(o);
	if (P == 0 || N == 0)
		return NAN;
	return ((double)P * (double)N - below) / ((double)P * (double)N);
}

double
eval_prauc(const float *score, const uint8_t *y, size_t n)
{
	struct pr_pair *o = pr_order(score, y, n);
	size_t i = 0, P = 0, tp = 0;
	double ap = 0, prev_recall = 0;

	for (i = 0; i < n; i++)
		P += o[i].y;
	if (P == 0) {
		free(o);
		return NAN;
	}
	/* average_precision_score: Σ (R_t − R_{t−1}) · P_t over the distinct
	 * thresholds from the top. */
	i = 0;
	while (i < n) {
		size_t j = i;
		double recall, prec;

		while (j < n && o[j].s == o[i].s) {
			tp += o[j].y;
			j++;
		}
		recall = (double)tp / (double)P;
		prec = (double)tp / (double)j;
		ap += (recall - prev_recall) * prec;
		prev_recall = recall;
		i = j;
	}
	free(o);
	return ap;
}

int
eval_predict(const struct layout *l, const struct mtx *train, const struct mtx *test,
    const struct predict_opts *o, int want_shap, struct predict_result *out, char **cause)
{
	struct predict_model *pm;
	float *score;
	uint8_t *y;
	size_t i, npos = 0;

	memset(out, 0, sizeof *out);
	if (test->n == 0)
		return util_fail(cause, "prediction: the test set is empty");
	if (l->label >= 0 && l->kind[l->label] != MCOL_CONT) {
		for (i = 0; i < test->n; i++)
			npos += (size_t)pr_label(test, l->label, i);
		if (npos == 0 || npos == test->n)
			return util_fail(cause, "prediction: the label %s has only one class (%s) in the test set;"
			    " AUROC is undefined", l->name[l->label], npos ? "all 1" : "all 0");
	}
	if (predict_train(l, train, o, &pm, cause) != 0)
		return -1;
	score = xmalloc(test->n * sizeof *score);
	y = xmalloc(test->n);
	if (predict_scores(pm, test, 0, test->n, 0, score, cause) != 0) {
		free(score);
		free(y);
		predict_model_free(pm);
		return -1;
	}
	for (i = 0; i < test->n; i++)
		y[i] = (uint8_t)pr_label(test, l->label, i);
	out->auroc = eval_auroc(score, y, test->n);
	out->prauc = eval_prauc(score, y, test->n);
	out->auroc_se = eval_auroc_se(score, y, test->n, PREDICT_SE_REPS, o->seed);
	free(score);
	free(y);
	out->nfeatures = pm->nf;
	out->feature_col = xmalloc((size_t)pm->nf * sizeof *out->feature_col);
	memcpy(out->feature_col, pm->fcol, (size_t)pm->nf * sizeof *out->feature_col);
	if (want_shap) {
		size_t nuse = test->n, bs, b0, per = (size_t)pm->nf + 1;
		size_t *idx = NULL;
		float *cb;
		double *imp = xcalloc((size_t)pm->nf, sizeof *imp);
		double *grp = xcalloc((size_t)PREDICT_SE_GROUPS * pm->nf + 1, sizeof *grp);
		size_t gcount[PREDICT_SE_GROUPS] = { 0 };
		int f, g;

		/* Optionally a seeded sample of test rows (TreeSHAP costs
		 * trees × leaves × depth² per row). */
		if (o->shap_rows > 0 && (size_t)o->shap_rows < test->n) {
			struct rng g;

			idx = xmalloc(test->n * sizeof *idx);
			for (i = 0; i < test->n; i++)
				idx[i] = i;
			rng_seed_stream(&g, o->seed, 0x53484150ULL);
			rng_shuffle(&g, idx, test->n);
			nuse = (size_t)o->shap_rows;
		}
		bs = SH_MAX((size_t)1, ((size_t)8 << 20) / per);
		cb = xmalloc(SH_MIN(bs, nuse) * per * sizeof *cb);
		for (b0 = 0; b0 < nuse; b0 += bs) {
			size_t nb = SH_MIN(bs, nuse - b0);

			if (pr_predict(pm, test, idx ? idx + b0 : NULL, b0, nb, 2, cb, per, cause) != 0) {
				free(idx);
				free(cb);
				free(imp);
				free(grp);
				predict_model_free(pm);
				predict_result_done(out);
				return -1;
			}
			for (i = 0; i < nb; i++) {
				double *gi;

				g = (int)((b0 + i) % PREDICT_SE_GROUPS);
				gi = grp + (size_t)g * pm->nf;
				gcount[g]++;
				for (f = 0; f < pm->nf; f++) {
					double a = fabs(cb[i * per + (size_t)f]);

					imp[f] += a;
					gi[f] += a;
				}
			}
		}
		for (f = 0; f < pm->nf; f++)
			imp[f] /= (double)nuse;
		out->importance = imp;
		if (nuse >= PREDICT_SE_GROUPS) {
			for (g = 0; g < PREDICT_SE_GROUPS; g++)
				for (f = 0; f < pm->nf; f++)
					grp[(size_t)g * pm->nf + f] /= (double)gcount[g];
			out->ngroups = PREDICT_SE_GROUPS;
			out->importance_groups = grp;
		} else
			free(grp);
		free(idx);
		free(cb);
	}
	predict_model_free(pm);
	return 0;
}

void
predict_result_done(struct predict_result *r)
{
	free(r->feature_col);
	free(r->importance);
	free(r->importance_groups);
	r->feature_col = NULL;
	r->importance = NULL;
	r->importance_groups = NULL;
	r->ngroups = 0;
	r->nfeatures = 0;
}

int
predict_top_features(const struct predict_result *r, int k, int *cols)
{
	uint8_t *used;
	int n = 0, f;

	if (r->importance == NULL || r->nfeatures == 0)
		return 0;
	used = xcalloc((size_t)r->nfeatures, 1);
	while (n < k && n < r->nfeatures) {
		int best = -1;

		for (f = 0; f < r->nfeatures; f++) {
			if (used[f])
				continue;
			if (best < 0 || r->importance[f] > r->importance[best] ||
			    (r->importance[f] == r->importance[best] && r->feature_col[f] < r->feature_col[best]))
				best = f;
		}
		used[best] = 1;
		cols[n++] = r->feature_col[best];
	}
	free(used);
	return n;
}

double
eval_fi_overlap(const struct predict_result *trtr, const struct predict_result *tstr, int k)
{
	int *a, *b, na, nb, i, j, common = 0;

	if (k <= 0)
		k = 20;
	if (trtr->importance == NULL || tstr->importance == NULL)
		return NAN;
	a = xmalloc((size_t)k * sizeof *a);
	b = xmalloc((size_t)k * sizeof *b);
	na = predict_top_features(trtr, k, a);
	nb = predict_top_features(tstr, k, b);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			common += a[i] == b[j];
	free(a);
	free(b);
	return (double)common / k;
}


double
eval_auroc_se(const float *score, const uint8_t *y, size_t n, int reps, uint64_t seed)
{
	float *sb;
	uint8_t *yb;
	double *v;
	struct rng g;
	size_t i;
	int b;

	if (n < 2 || reps < 2)
		return NAN;
	sb = xmalloc(n * sizeof *sb);
	yb = xmalloc(n);
	v = xmalloc((size_t)reps * sizeof *v);
	rng_seed_stream(&g, seed, 0x41554353ULL);
	for (b = 0; b < reps; b++) {
		for (i = 0; i < n; i++) {
			size_t k = (size_t)rng_below(&g, n);

			sb[i] = score[k];
			yb[i] = y[k];
		}
		v[b] = eval_auroc(sb, yb, n);   /* NAN when a resample has one class */
	}
	free(sb);
	free(yb);
	{
		double se = util_sample_sd(v, reps);

		free(v);
		return se;
	}
}

double
eval_fi_overlap_se(const struct predict_result *trtr, const struct predict_result *tstr, int k, uint64_t seed)
{
	struct predict_result a, c;
	double *v;
	struct rng g;
	int G, nf, b, q, f;

	if (trtr->importance_groups == NULL || tstr->importance_groups == NULL || trtr->ngroups != tstr->ngroups ||
	    trtr->nfeatures != tstr->nfeatures || trtr->ngroups < 2)
		return NAN;
	G = trtr->ngroups;
	nf = trtr->nfeatures;
	a = *trtr;
	c = *tstr;
	a.importance = xmalloc((size_t)nf * sizeof(double));
	c.importance = xmalloc((size_t)nf * sizeof(double));
	v = xmalloc(PREDICT_SE_REPS * sizeof *v);
	rng_seed_stream(&g, seed, 0x46494f53ULL);
	for (b = 0; b < PREDICT_SE_REPS; b++) {
		for (f = 0; f < nf; f++)
			a.importance[f] = c.importance[f] = 0;
		for (q = 0; q < G; q++) {
			int pick = (int)rng_below(&g, (uint64_t)G);

			for (f = 0; f < nf; f++) {
				a.importance[f] += trtr->importance_groups[(size_t)pick * nf + f];
				c.importance[f] += tstr->importance_groups[(size_t)pick * nf + f];
			}
		}
		v[b] = eval_fi_overlap(&a, &c, k);
	}
	free(a.importance);
	free(c.importance);
	{
		double se = util_sample_sd(v, PREDICT_SE_REPS);

		free(v);
		return se;
	}
}

size_t
predict_need(const struct layout *l, const struct mtx *m, size_t n)
{
	size_t step = m->n > 10000 ? m->n / 10000 : 1, rows = 0, i;
	double cells = 0, per;
	int j, nf = 0;

	for (j = 0; j < l->D; j++)
		nf += j != l->label && l->kind[j] != MCOL_GROUP;
	for (i = 0; i < m->n; i += step, rows++) {
		const uint8_t *b = m->b + i * (size_t)m->nb;

		for (j = 0; j < l->D; j++)
			if (j != l->label && l->kind[j] != MCOL_GROUP)
				cells += m->is_float[j] || b[m->slot[j]] != 0;
	}
	per = rows > 0 ? cells / (double)rows : (double)nf;
	/* a cell: index and value here, twice over after the doublings (16),
	 * XGBoost's entry (8), its histogram bin (1); a row: pointers (8 +
	 * 8), label, weight and score (12), a gradient pair (8), its row in
	 * the histogram index (8) */
	return (size_t)(per * (double)n * 25.0) + n * 44 + (size_t)nf * 64;
}
