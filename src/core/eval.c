/* synthehr — GPL-3.0-or-later.
 * The evaluation driver (eval.h).  Order of work:
 *   1. load layout, R (prep/train.mtx) and T (prep/test.mtx), unscale both;
 *   2. list the synthetic sets; for each, reuse eval/sets/NAME.json when its
 *      key (sha256 of synthetic.mtx + hash of the settings and of the real
 *      split) matches and it holds the requested metric families, else
 *      compute the missing families and rewrite the cache;
 *   3. shared work is done lazily, once: the real correlation matrix (CWC),
 *      TRTR (for feature importance, cached in eval/trtr.json), the TRTS
 *      model trained on T;
 *   4. the "release the real data" privacy baseline (S := R);
 *   5. DWD relative across the compared sets (SPEC 4.1) and per bootstrap
 *      resample; eval/metrics.json.
 * No printing: progress through the callback, cancellation through
 * util_interrupted. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "synthehr/blas.h"
#include "synthehr/csvio.h"
#include "synthehr/eval.h"
#include "synthehr/eval_ref.h"
#include "synthehr/eval_utility.h"
#include "synthehr/prep.h"
#include "synthehr/rng.h"
#include "synthehr/settings.h"
#include "synthehr/util.h"

#define EVAL_FORMAT 1

static const struct {
	const char *name;
	unsigned mask;
} eval_only_names[] = {
	{ "dwd", EVAL_F_DWD }, { "dwd_abs", EVAL_F_DWD }, { "cwc", EVAL_F_CWC }, { "lca", EVAL_F_LCA },
	{ "mca", EVAL_F_MCA }, { "ckv", EVAL_F_CKV }, { "pred", EVAL_F_PRED }, { "tstr", EVAL_F_PRED },
	{ "trts", EVAL_F_PRED }, { "fi", EVAL_F_PRED }, { "mi", EVAL_F_MI }, { "ai", EVAL_F_AI },
	{ "nnaa", EVAL_F_NNAA }, { "utility", EVAL_F_DWD | EVAL_F_CWC | EVAL_F_LCA | EVAL_F_MCA | EVAL_F_CKV },
	{ "privacy", EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA }, { "all", EVAL_F_ALL },
};

/* Which family produces each ranked metric. */
static const unsigned eval_metric_family[RANK_COUNT] = {
	[RANK_DWD] = EVAL_F_DWD, [RANK_CWC] = EVAL_F_CWC, [RANK_LCA] = EVAL_F_LCA, [RANK_MCA] = EVAL_F_MCA,
	[RANK_CKV] = EVAL_F_CKV, [RANK_TSTR] = EVAL_F_PRED, [RANK_TRTS] = EVAL_F_PRED, [RANK_FI] = EVAL_F_PRED,
	[RANK_MI] = EVAL_F_MI, [RANK_AI] = EVAL_F_AI, [RANK_NNAA] = EVAL_F_NNAA, [RANK_DWDABS] = EVAL_F_DWD,
};

int
eval_parse_only(const char *list, unsigned *mask, char **cause)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	size_t i;

	*mask = 0;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		int found = 0;

		for (i = 0; i < SH_NELEM(eval_only_names); i++)
			if (strcasecmp(tok, eval_only_names[i].name) == 0) {
				*mask |= eval_only_names[i].mask;
				found = 1;
			}
		if (!found) {
			int m = rank_metric_find(tok);

			if (m >= 0) {
				*mask |= eval_metric_family[m];
				found = 1;
			}
		}
		if (!found) {
			util_fail(cause, "--only: unknown metric \"%s\" (known: dwd, cwc, lca, mca, ckv, tstr, trts, fi, "
			    "mi, ai, nnaa, utility, privacy, all)", tok);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (*mask == 0)
		return util_fail(cause, "--only: empty list");
	return 0;
}

int
eval_opts_init(struct eval_opts *o, const char *preset, json_t *cfg, char **cause)
{
	const char *sr;

	memset(o, 0, sizeof *o);
	if (preset == NULL)
		preset = js_str(cfg, "preset", "fast");
	if (strcasecmp(preset, "fast") != 0 && strcasecmp(preset, "tutorial") != 0)
		return util_fail(cause, "unknown preset \"%s\" (expected fast or tutorial)", preset);
	snprintf(o->preset, sizeof o->preset, "%s", strcasecmp(preset, "fast") == 0 ? "fast" : "tutorial");
	privacy_opts_preset(&o->priv, o->preset);
	predict_opts_preset(&o->pred, o->preset);
	o->only = EVAL_F_ALL;
	o->lca_k = 5;
	o->fi_k = 20;
	o->real_baseline = 1;
	if (strcmp(o->preset, "fast") == 0) {
		/* deterministic start: k-means++ with 3 restarts moved the
		 * baseline's LD by more than the gap to the runs (issue 13) */
		o->lca_restarts = -1;
		o->lca_rows = 20000;
		o->boot = 10;
	} else {
		o->lca_restarts = 10;
		o->lca_rows = 0;
		o->boot = 20;
	}
	o->lca_boot = 5;
	/* boot, min_child_weight, lca_boot: checked and stored by the settings table */
	if (settings_apply("eval", cfg, o, cause) != 0)
		return -1;
	eval_opts_seed(o, (uint64_t)js_int(cfg, "seed", 0));
	o->lca_rows = (size_t)js_int(cfg, "lca_rows", (long long)o->lca_rows);
	{
		const char *init = js_str(cfg, "lca_init", NULL);

		if (init != NULL && strcmp(init, "pca-part") != 0 && strcmp(init, "kmeans++") != 0)
			return util_fail(cause, "study.json: eval.lca_init must be \"pca-part\" or \"kmeans++\"");
		if (init != NULL && strcmp(init, "pca-part") == 0)
			o->lca_restarts = -1;
		if (init == NULL && json_object_get(cfg, "lca_restarts") != NULL)
			init = "kmeans++";   /* a restart count asks for k-means++ */
		if (init != NULL && strcmp(init, "kmeans++") == 0 && o->lca_restarts < 0)
			o->lca_restarts = 10;
		if (o->lca_restarts > 0) {
			o->lca_restarts = (int)js_int(cfg, "lca_restarts", o->lca_restarts > 0 ? o->lca_restarts : 10);
			if (o->lca_restarts < 1 || o->lca_restarts > 1000)
				return util_fail(cause, "study.json: eval.lca_restarts must be between 1 and 1000");
		}
	}
	{
		/* eval.ai_known: "auto" (SPEC 4.9's share of the concepts) or a count */
		json_t *ak = json_object_get(cfg, "ai_known");

		if (json_is_integer(ak) && json_integer_value(ak) >= 1 && json_integer_value(ak) <= 1000000)
			o->priv.ai_top = (int)json_integer_value(ak);
		else if (ak != NULL && !(json_is_string(ak) && strcmp(json_string_value(ak), "auto") == 0))
			return util_fail(cause, "study.json: eval.ai_known must be \"auto\" or a whole number >= 1");
	}
	sr = js_str(cfg, "sex_restrictions", NULL);
	o->sex_restriction_csv = sr != NULL ? xstrdup(sr) : NULL;
	return 0;
}

void
eval_opts_seed(struct eval_opts *o, uint64_t seed)
{
	/* Every sampler, attack and model: seed 0 keeps the tutorial's 2021
	 * for the prediction models. */
	o->seed = seed;
	o->priv.seed = seed;
	o->pred.seed = 2021 + seed;
}

void
eval_opts_done(struct eval_opts *o)
{
	free(o->sex_restriction_csv);
	o->sex_restriction_csv = NULL;
}

/* ---- The run ----------------------------------------------------------- */

struct eval_ctx {
	struct study *s;
	const struct eval_opts *o;
	struct layout *l;
	struct mtx *R, *T;
	int real_f64;                   /* R and T carry their float64 originals */
	int ncont;
	double *corr_r;                 /* [D × D] lazily */
	struct predict_result trtr;     /* lazily (importance only) */
	int have_trtr;
	struct predict_model *trts;     /* trained on T, lazily */
	json_t *settings;
	char key[160];
	int set, nsets;
	const char *set_name;
	char **cause;
	int bad_input;                  /* an input file was damaged or foreign */
};

static void
ctx_progress(struct eval_ctx *c, const char *metric, double frac)
{
	struct eval_progress p;

	if (c->o->progress == NULL)
		return;
	p.set = c->set;
	p.nsets = c->nsets;
	p.name = c->set_name;
	p.metric = metric;
	p.frac = frac;
	c->o->progress(c->o->progress_arg, &p);
}

struct priv_prog {
	struct eval_ctx *c;
	const char *metric;
};

static void
priv_progress(void *arg, double frac)
{
	struct priv_prog *pp = arg;

	ctx_progress(pp->c, pp->metric, frac);
}

static json_t *
settings_json(const struct eval_opts *o)
{
	const struct privacy_opts *p = &o->priv;
	const struct predict_opts *q = &o->pred;

	return json_pack("{s:s,s:I,s:{s:I,s:I,s:f,s:i,s:I,s:f,s:I,s:i},s:{s:i,s:f,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:I,s:i,"
	    "s:f},s:{s:i,s:s,s:i,s:I,s:i},s:i,s:i,s:s?,s:{s:i,s:i,s:i}}",
	    "preset", o->preset, "seed", (json_int_t)o->seed,
	    "privacy", "mi_members", (json_int_t)p->mi_members, "mi_nonmembers", (json_int_t)p->mi_nonmembers,
	    "mi_threshold", p->mi_threshold, "ai_top", p->ai_top, "ai_targets", (json_int_t)p->ai_targets,
	    "ai_tol", p->ai_tol, "nnaa_n", (json_int_t)p->nnaa_n, "nnaa_rounds", p->nnaa_rounds,
	    "predict", "trees", q->trees, "eta", q->eta, "max_depth", q->max_depth, "max_leaves", q->max_leaves,
	    "colsample", q->colsample, "subsample", q->subsample, "alpha", q->alpha, "min_split_gain",
	    q->min_split_gain, "lambda", q->lambda, "seed", (json_int_t)q->seed, "shap_rows", q->shap_rows,
	    "min_child_weight", q->min_child_weight,
	    "lca", "k", o->lca_k, "init", o->lca_restarts < 0 ? "pca-part" : "kmeans++",
	    "restarts", o->lca_restarts < 0 ? 0 : o->lca_restarts, "rows", (json_int_t)o->lca_rows, "boot", o->lca_boot,
	    "fi_k", o->fi_k, "boot", o->boot, "sex_restrictions", o->sex_restriction_csv,
	    "se", "prediction_resamples", PREDICT_SE_REPS, "attack_resamples", PRIVACY_SE_REPS,
	    "shap_groups", PREDICT_SE_GROUPS);
}

static double
jget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A metric's standard error into the set's "se" object (same keys as
 * "values"; null when it cannot be estimated). */
static void
set_se(json_t *res, const char *key, double se)
{
	json_t *o = json_object_get(res, "se");

	if (o == NULL) {
		o = json_object();
		json_object_set_new(res, "se", o);
	}
	json_object_set_new(o, key, js_real_or_null(se));
}

/* A family's value NAME with its standard error, its "details" entry and
 * its seconds since t0, in that order in res. */
static void
put_family(json_t *res, const char *name, double v, double se, const char *dkey, json_t *detail, double t0)
{
	json_object_set_new(json_object_get(res, "values"), name, js_real_or_null(v));
	set_se(res, name, se);
	json_object_set_new(json_object_get(res, "details"), dkey, detail);
	json_object_set_new(json_object_get(res, "seconds"), name, json_real(util_now() - t0));
}

/* Memorisation shares as metrics.json holds them (set and reference). */
static json_t *
memo_json(const struct memo_result *m)
{
	return json_pack("{s:o,s:o,s:I,s:I,s:I}", "exact", js_real_or_null(m->exact), "profile", js_real_or_null(m->profile),
	    "exact_rows", (json_int_t)m->exact_rows, "profile_rows", (json_int_t)m->profile_rows,
	    "rows", (json_int_t)m->rows);
}

/* Rows of m sampled (without replacement when replace == 0). */
static struct mtx *
sample_mtx(const struct mtx *m, size_t n, uint64_t seed, uint64_t stream, int replace)
{
	struct rng g;
	size_t *idx, i, N = m->n;
	struct mtx *out;

	rng_seed_stream(&g, seed, stream);
	if (!replace && n > N)
		n = N;
	idx = xmalloc((replace ? n : N) * sizeof *idx + 1);
	if (replace) {
		for (i = 0; i < n; i++)
			idx[i] = (size_t)rng_below(&g, N);
	} else {
		for (i = 0; i < N; i++)
			idx[i] = i;
		for (i = 0; i < n; i++) {
			size_t j = i + (size_t)rng_below(&g, N - i), t = idx[i];

			idx[i] = idx[j];
			idx[j] = t;
		}
	}
	out = mtx_subset(m, idx, n);
	free(idx);
	return out;
}

static int
ensure_trtr(struct eval_ctx *c)
{
	char *path = study_path(c->s, "eval/trtr.json");
	json_t *j = NULL;
	int rc = 0;

	if (c->have_trtr) {
		free(path);
		return 0;
	}
	if (!c->o->force && js_read_file(path, &j, NULL) == 0 &&
	    strcmp(js_str(j, "key", ""), c->key) == 0) {
		json_t *cols = json_object_get(j, "feature_col"), *imp = json_object_get(j, "importance");
		size_t i, n = json_array_size(cols);

		if (n > 0 && n == json_array_size(imp)) {
			c->trtr.nfeatures = (int)n;
			c->trtr.feature_col = xmalloc(n * sizeof(int));
			c->trtr.importance = xmalloc(n * sizeof(double));
			for (i = 0; i < n; i++) {
				c->trtr.feature_col[i] = (int)json_integer_value(json_array_get(cols, i));
				c->trtr.importance[i] = json_number_value(json_array_get(imp, i));
			}
			c->trtr.auroc = jget(j, "auroc");
			c->trtr.prauc = jget(j, "prauc");
			c->have_trtr = 1;
			{
				json_t *g = json_object_get(j, "importance_groups");
				size_t G = (size_t)json_integer_value(json_object_get(j, "groups")), q;

				if (G >= 2 && json_array_size(g) == G * n) {
					c->trtr.ngroups = (int)G;
					c->trtr.importance_groups = xmalloc(G * n * sizeof(double));
					for (q = 0; q < G * n; q++)
						c->trtr.importance_groups[q] = json_number_value(json_array_get(g, q));
				}
			}
		}
	}
	json_decref(j);
	if (!c->have_trtr) {
		json_t *cols, *imp;
		int i;

		ctx_progress(c, "TRTR", 0);
		if (eval_predict(c->l, c->R, c->T, &c->o->pred, 1, &c->trtr, c->cause) != 0) {
			free(path);
			return -1;
		}
		c->have_trtr = 1;
		cols = json_array();
		imp = json_array();
		for (i = 0; i < c->trtr.nfeatures; i++) {
			json_array_append_new(cols, json_integer(c->trtr.feature_col[i]));
			json_array_append_new(imp, json_real(c->trtr.importance ? c->trtr.importance[i] : 0));
		}
		j = json_pack("{s:s,s:o,s:o,s:o,s:o}", "key", c->key, "auroc", js_real_or_null(c->trtr.auroc),
		    "prauc", js_real_or_null(c->trtr.prauc), "feature_col", cols, "importance", imp);
		if (c->trtr.importance_groups != NULL) {
			json_t *g = json_array();
			size_t q;

			for (q = 0; q < (size_t)c->trtr.ngroups * (size_t)c->trtr.nfeatures; q++)
				json_array_append_new(g, json_real(c->trtr.importance_groups[q]));
			json_object_set_new(j, "groups", json_integer(c->trtr.ngroups));
			json_object_set_new(j, "importance_groups", g);
		}
		rc = js_write_file(path, j, c->cause);
		json_decref(j);
	}
	free(path);
	return rc;
}

static int
interrupted(struct eval_ctx *c)
{
	if (util_interrupted)
		return util_fail(c->cause, "interrupted");
	return 0;
}

/* LCA of S at one seed (rows sampled with it when lca_rows caps them);
 * boot > 0: bootstrap resample `boot` (rows drawn with replacement). */
static double
lca_at(struct eval_ctx *c, const struct mtx *S, uint64_t seed, int boot, struct eval_lca_info *info)
{
	const struct eval_opts *o = c->o;
	struct mtx *rs = NULL, *ss = NULL;
	double v;

	if (boot > 0) {
		size_t nr = o->lca_rows > 0 ? SH_MIN(o->lca_rows, c->R->n) : c->R->n;
		size_t ns = o->lca_rows > 0 ? SH_MIN(o->lca_rows, S->n) : S->n;

		rs = sample_mtx(c->R, nr, seed, 3100 + (uint64_t)boot, 1);
		ss = sample_mtx(S, ns, seed, 3200 + (uint64_t)boot, 1);
	}
	if (rs == NULL && o->lca_rows > 0 && o->lca_rows < c->R->n)
		rs = sample_mtx(c->R, o->lca_rows, seed, 31, 0);
	if (ss == NULL && o->lca_rows > 0 && o->lca_rows < S->n)
		ss = sample_mtx(S, o->lca_rows, seed, 32, 0);
	memset(info, 0, sizeof *info);
	v = eval_lca_ex(c->l, rs ? rs : c->R, ss ? ss : S, seed, o->lca_k, o->lca_restarts, info);
	mtx_free(rs);
	mtx_free(ss);
	return v;
}

/* One metric family each: compute it for one synthetic set S into res
 * ("values", "details", "seconds", "boot"); -1 stops the evaluation (cause
 * set), a family's own failure is recorded in "details" instead. */
typedef int (*metric_fn)(struct eval_ctx *, const struct mtx *, json_t *, int);

/* A privacy family reports progress under its name. */
static struct privacy_opts
priv_opts(struct eval_ctx *c, struct priv_prog *pp, const char *metric)
{
	struct privacy_opts po = c->o->priv;

	pp->c = c;
	pp->metric = metric;
	po.progress = priv_progress;
	po.progress_arg = pp;
	return po;
}

static int
metric_dwd(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	json_t *vals = json_object_get(res, "values"), *det = json_object_get(res, "details");
	double *wd = xcalloc((size_t)c->ncont + 1, sizeof *wd), sd2d, t0;
	json_t *w = json_object();
	int j, k;

	(void)real;
	ctx_progress(c, "DWD", 0);
	t0 = util_now();
	sd2d = eval_sd2d(c->l, c->R, S);
	eval_wd(c->l, c->R, S, wd);
	for (j = 0, k = 0; j < c->l->D; j++)
		if (c->l->kind[j] == MCOL_CONT)
			json_object_set_new(w, c->l->name[j], js_real_or_null(wd[k++]));
	json_object_set_new(det, "sd2d", js_real_or_null(sd2d));
	json_object_set_new(det, "apd", js_real_or_null(sd2d / (c->l->D - c->ncont) * 1000));
	json_object_set_new(det, "wd", w);
	json_object_set_new(vals, "DWD_abs", js_real_or_null(eval_dwd_abs(c->l, sd2d, wd)));
	json_object_set_new(json_object_get(res, "seconds"), "DWD", json_real(util_now() - t0));
	free(wd);
	return 0;
}

static int
metric_cwc(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	double mae = NAN, v, t0;

	(void)real;
	ctx_progress(c, "CWC", 0);
	t0 = util_now();
	if (eval_col_block(c->l->D) < c->l->D)
		v = eval_cwc(c->l, c->R, S, &mae);      /* column blocks, nothing kept */
	else {
		if (c->corr_r == NULL) {
			c->corr_r = xmalloc((size_t)c->l->D * c->l->D * sizeof *c->corr_r);
			eval_corr(c->l, c->R, 0, c->corr_r);
		}
		v = eval_cwc_from(c->l, c->corr_r, S, &mae);
	}
	json_object_set_new(json_object_get(res, "values"), "CWC", js_real_or_null(v));
	json_object_set_new(json_object_get(res, "details"), "cwc_paper_mae", js_real_or_null(mae));
	json_object_set_new(json_object_get(res, "seconds"), "CWC", json_real(util_now() - t0));
	return 0;
}

static int
metric_lca(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	const struct eval_opts *o = c->o;
	struct eval_lca_info info;
	double v, sv[64], t0;
	int nb = SH_MIN(o->lca_boot, 64), q;
	json_t *sa = json_array();

	(void)real;
	ctx_progress(c, "LCA", 0);
	t0 = util_now();
	/* The value on the rows themselves; its SE from lca_boot
	 * bootstrap resamples of R's and S's rows. */
	v = lca_at(c, S, o->seed, 0, &info);
	for (q = 0; q < nb && !util_interrupted; q++) {
		struct eval_lca_info i2;

		ctx_progress(c, "LCA", (double)(q + 1) / (nb + 1));
		sv[q] = lca_at(c, S, o->seed, q + 1, &i2);
		json_array_append_new(sa, js_real_or_null(sv[q]));
	}
	json_object_set_new(json_object_get(res, "values"), "LCA", js_real_or_null(v));
	set_se(res, "LCA", nb >= 2 ? util_sample_sd(sv, nb) : NAN);
	json_object_set_new(json_object_get(res, "details"), "lca", json_pack("{s:i,s:o,s:i,s:s,s:i,s:o}",
	    "components", info.ncomp, "explained", js_real_or_null(info.explained), "k", info.k,
	    "init", o->lca_restarts < 0 ? "pca-part" : "kmeans++", "restarts", o->lca_restarts < 0 ? 0 : o->lca_restarts,
	    "boot_values", sa));
	json_object_set_new(json_object_get(res, "seconds"), "LCA", json_real(util_now() - t0));
	return 0;
}

static int
metric_mca(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	double t0 = util_now();

	(void)real;
	json_object_set_new(json_object_get(res, "values"), "MCA", js_real_or_null(eval_mca(c->l, c->R, S)));
	json_object_set_new(json_object_get(res, "seconds"), "MCA", json_real(util_now() - t0));
	return 0;
}

static int
metric_ckv(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	json_t *det = json_object_get(res, "details");
	struct eval_ckv ck;
	char *cz = NULL;
	json_t *mc = json_array(), *fc = json_array();
	double t0 = util_now();
	int j;

	(void)real;
	if (eval_ckv(c->l, c->R, S, c->o->sex_restriction_csv, &ck, &cz) != 0) {
		json_object_set_new(det, "ckv_error", json_string(cz ? cz : "?"));
		free(cz);
	} else {
		for (j = 0; j < ck.nmale; j++)
			json_array_append_new(mc, json_string(ck.male_codes[j]));
		for (j = 0; j < ck.nfemale; j++)
			json_array_append_new(fc, json_string(ck.female_codes[j]));
		json_object_set_new(json_object_get(res, "values"), "CKV", js_real_or_null(ck.ckv));
		json_object_set_new(det, "ckv", json_pack("{s:o,s:o,s:O,s:O,s:i,s:i,s:i,s:o,s:i}",
		    "male_viol", js_real_or_null(ck.male_viol), "female_viol", js_real_or_null(ck.female_viol),
		    "male_codes", mc, "female_codes", fc, "checked", ck.nmale + ck.nfemale,
		    "missing", ck.nmissing, "broad_ncodes", ck.broad_ncodes,
		    "broad_viol", js_real_or_null(ck.broad_viol), "broad_missing", ck.broad_missing));
	}
	json_decref(mc);
	json_decref(fc);
	json_object_set_new(json_object_get(res, "seconds"), "CKV", json_real(util_now() - t0));
	return 0;
}

/* TRTS: the model trained on the real test split scores S. */
static void
metric_trts(struct eval_ctx *c, const struct mtx *S, json_t *res)
{
	json_t *vals = json_object_get(res, "values"), *det = json_object_get(res, "details");
	char *cz = NULL;

	if (c->trts == NULL && predict_train(c->l, c->T, &c->o->pred, &c->trts, &cz) != 0) {
		json_object_set_new(det, "trts_error", json_string(cz ? cz : "?"));
		free(cz);
	} else if (c->trts != NULL) {
		float *sc = xmalloc((S->n + 1) * sizeof *sc);
		uint8_t *y = xmalloc(S->n + 1);
		size_t r;

		if (predict_scores(c->trts, S, 0, S->n, 0, sc, &cz) == 0) {
			for (r = 0; r < S->n; r++)
				y[r] = mtx_get(S, r, c->l->label) >= 0.5f;
			json_object_set_new(vals, "TRTS_auroc", js_real_or_null(eval_auroc(sc, y, S->n)));
			set_se(res, "TRTS_auroc", eval_auroc_se(sc, y, S->n, PREDICT_SE_REPS, c->o->pred.seed));
			json_object_set_new(det, "trts_prauc", js_real_or_null(eval_prauc(sc, y, S->n)));
		} else {
			json_object_set_new(det, "trts_error", json_string(cz ? cz : "?"));
			free(cz);
		}
		free(sc);
		free(y);
	}
}

/* TSTR, feature importance against TRTR, then TRTS; not for the real set. */
static int
metric_pred(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	const struct eval_opts *o = c->o;
	json_t *vals = json_object_get(res, "values"), *det = json_object_get(res, "details");
	json_t *secs = json_object_get(res, "seconds");
	struct predict_result tstr;
	char *cz = NULL;
	double t0;

	if (real)
		return 0;
	t0 = util_now();
	if (ensure_trtr(c) != 0)
		return -1;
	ctx_progress(c, "TSTR", 0);
	memset(&tstr, 0, sizeof tstr);
	if (eval_predict(c->l, S, c->T, &o->pred, 1, &tstr, &cz) != 0) {
		json_object_set_new(det, "tstr_error", json_string(cz ? cz : "?"));
		free(cz);
	} else {
		json_object_set_new(vals, "TSTR_auroc", js_real_or_null(tstr.auroc));
		set_se(res, "TSTR_auroc", tstr.auroc_se);
		json_object_set_new(det, "tstr_prauc", js_real_or_null(tstr.prauc));
		json_object_set_new(vals, "Feature importance", js_real_or_null(eval_fi_overlap(&c->trtr, &tstr, o->fi_k)));
		set_se(res, "Feature importance", eval_fi_overlap_se(&c->trtr, &tstr, o->fi_k, o->pred.seed));
		predict_result_done(&tstr);
	}
	json_object_set_new(secs, "TSTR", json_real(util_now() - t0));
	if (interrupted(c))
		return -1;
	t0 = util_now();
	ctx_progress(c, "TRTS", 0);
	metric_trts(c, S, res);
	json_object_set_new(secs, "TRTS", json_real(util_now() - t0));
	return 0;
}

static int
metric_mi(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	struct priv_prog pp;
	struct privacy_opts po = priv_opts(c, &pp, "MI");
	struct mi_result mi;
	double t0 = util_now();

	(void)real;
	if (eval_mi(c->l, c->R, c->T, S, &po, &mi, c->cause) != 0)
		return -1;
	put_family(res, "MI", mi.f1, mi.se, "mi", json_pack("{s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "precision", mi.precision, "recall", mi.recall, "tp", (json_int_t)mi.tp, "fp", (json_int_t)mi.fp,
	    "fn", (json_int_t)mi.fn, "tn", (json_int_t)mi.tn, "members", (json_int_t)mi.nmembers,
	    "nonmembers", (json_int_t)mi.nnonmembers), t0);
	return 0;
}

static int
metric_ai(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	struct priv_prog pp;
	struct privacy_opts po = priv_opts(c, &pp, "AI");
	struct ai_result ai;
	double t0 = util_now();

	(void)real;
	if (eval_ai(c->l, c->R, S, &po, &ai, c->cause) != 0)
		return -1;
	put_family(res, "AI", ai.risk, ai.se, "ai", json_pack("{s:f,s:f,s:i,s:i,s:i,s:i,s:s?,s:I,s:f}",
	    "binary_part", ai.bin_part, "continuous_part", ai.cont_part, "known", ai.nknown, "known_concepts",
	    ai.known_concepts, "concepts", ai.concepts, "sensitive", ai.nsensitive,
	    "age_column", ai.age_col >= 0 ? c->l->name[ai.age_col] : NULL, "targets", (json_int_t)ai.ntargets,
	    "mean_neighbours", ai.mean_neighbours), t0);
	return 0;
}

static int
metric_nnaa(struct eval_ctx *c, const struct mtx *S, json_t *res, int real)
{
	struct priv_prog pp;
	struct privacy_opts po = priv_opts(c, &pp, "NNAA");
	struct nnaa_result nn;
	double t0 = util_now();

	(void)real;
	if (eval_nnaa(c->l, c->R, c->T, S, &po, &nn, c->cause) != 0)
		return -1;
	put_family(res, "NNAA", nn.privacy_loss, nn.se, "nnaa", json_pack("{s:f,s:f,s:i,s:I}",
	    "aa_train", nn.aa_train, "aa_test", nn.aa_test, "rounds", nn.rounds, "n", (json_int_t)nn.n), t0);
	return 0;
}

/* The metric families, in the order they are computed and written.  A
 * cached result holds a family when it has the "values" key `value` or one
 * of the "details" keys `detail` (a family that failed leaves only its
 * "<name>_error" detail). */
static const struct eval_metric {
	unsigned flag;
	const char *name;
	metric_fn fn;
	const char *value;
	const char *detail[2];
} eval_metrics[] = {
	{ EVAL_F_DWD, "DWD", metric_dwd, NULL, { "sd2d", NULL } },
	{ EVAL_F_CWC, "CWC", metric_cwc, "CWC", { NULL, NULL } },
	{ EVAL_F_LCA, "LCA", metric_lca, "LCA", { NULL, NULL } },
	{ EVAL_F_MCA, "MCA", metric_mca, "MCA", { NULL, NULL } },
	{ EVAL_F_CKV, "CKV", metric_ckv, NULL, { "ckv", "ckv_error" } },
	{ EVAL_F_PRED, "TSTR/TRTS", metric_pred, NULL, { "tstr_prauc", "tstr_error" } },
	{ EVAL_F_MI, "MI", metric_mi, "MI", { NULL, NULL } },
	{ EVAL_F_AI, "AI", metric_ai, "AI", { NULL, NULL } },
	{ EVAL_F_NNAA, "NNAA", metric_nnaa, "NNAA", { NULL, NULL } },
};

/* Compute the families in `todo` for one synthetic set S into res. */
static int
eval_one(struct eval_ctx *c, const struct mtx *S, unsigned todo, json_t *res, int real)
{
	size_t i;

	for (i = 0; i < SH_NELEM(eval_metrics); i++) {
		if (!(todo & eval_metrics[i].flag))
			continue;
		if (eval_metrics[i].fn(c, S, res, real) != 0 || interrupted(c))
			return -1;
	}
	return interrupted(c);
}

/* Bootstrap the cheap metrics: sd2d, WD, MCA, CKV on B resamples (with
 * replacement) of R and S of `rows` rows each; R's resample b is the same
 * for every set. */
static void
eval_boot(struct eval_ctx *c, const struct mtx *S, json_t *res)
{
	int B = c->o->boot, b;
	size_t rows = SH_MIN(c->R->n, S->n);
	json_t *sd = json_array(), *wd = json_array(), *mca = json_array(), *ckv = json_array();
	double *w = xcalloc((size_t)c->ncont + 1, sizeof *w);

	if (strcmp(c->o->preset, "fast") == 0 && rows > 20000)
		rows = 20000;
	for (b = 0; b < B && !util_interrupted; b++) {
		struct mtx *rb = sample_mtx(c->R, rows, c->o->seed, 1000 + (uint64_t)b, 1);
		struct mtx *sb = sample_mtx(S, rows, c->o->seed, 2000 + (uint64_t)b, 1);
		struct eval_ckv ck;
		json_t *wa = json_array();
		int k;

		ctx_progress(c, "bootstrap", (double)b / B);
		json_array_append_new(sd, js_real_or_null(eval_sd2d(c->l, rb, sb)));
		eval_wd(c->l, rb, sb, w);
		for (k = 0; k < c->ncont; k++)
			json_array_append_new(wa, js_real_or_null(w[k]));
		json_array_append_new(wd, wa);
		json_array_append_new(mca, js_real_or_null(eval_mca(c->l, rb, sb)));
		json_array_append_new(ckv, eval_ckv(c->l, rb, sb, NULL, &ck, NULL) == 0 ? js_real_or_null(ck.ckv) : json_null());
		mtx_free(rb);
		mtx_free(sb);
	}
	free(w);
	json_object_set_new(res, "boot", json_pack("{s:i,s:I,s:o,s:o,s:o,s:o}", "n", B, "rows", (json_int_t)rows,
	    "sd2d", sd, "wd", wd, "MCA", mca, "CKV", ckv));
}

/* Families already present in a cached result. */
static unsigned
families_present(json_t *res)
{
	json_t *vals = json_object_get(res, "values"), *det = json_object_get(res, "details");
	unsigned have = 0;
	size_t i, k;

	for (i = 0; i < SH_NELEM(eval_metrics); i++) {
		const struct eval_metric *m = &eval_metrics[i];

		if (m->value != NULL && json_object_get(vals, m->value))
			have |= m->flag;
		for (k = 0; k < SH_NELEM(m->detail); k++)
			if (m->detail[k] != NULL && json_object_get(det, m->detail[k]))
				have |= m->flag;
	}
	return have;
}

/* Evaluate (or fetch from cache) one set; returns its result object. */
static int
eval_set_cached(struct eval_ctx *c, const char *name, const char *kind, const char *path, json_t **out)
{
	char sha[65], *cpath, *rel;
	json_t *cache = NULL, *res = NULL;
	unsigned want = c->o->only, todo;
	struct mtx *S = NULL;
	int real = strcmp(kind, "real") == 0, rc = 0, boot_needed, memo_needed;

	if (real)
		snprintf(sha, sizeof sha, "real");
	else if (util_sha256_file(path, sha, c->cause) != 0)
		return -1;
	if (real)
		want &= EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA;
	rel = xsprintf("eval/sets/%s.json", real ? "_real" : name);
	cpath = study_path(c->s, rel);
	free(rel);
	if (!c->o->force && js_read_file(cpath, &cache, NULL) == 0 &&
	    strcmp(js_str(cache, "key", ""), c->key) == 0 && strcmp(js_str(cache, "sha256", ""), sha) == 0)
		res = json_deep_copy(json_object_get(cache, "result"));
	json_decref(cache);
	if (res == NULL || !json_is_object(res)) {
		json_decref(res);
		res = json_object();
	}
	json_object_set_new(res, "name", json_string(name));
	if (!real)   /* which file was scored: check and rank see a stale score */
		json_object_set_new(res, "sha256", json_string(sha));
	json_object_set_new(res, "kind", json_string(kind));
	if (!real)
		json_object_set_new(res, "path", json_string(path + strlen(c->s->dir) + 1));
	/* Which synthesizer made the set (synth.h), and what a peer's fit cost. */
	if (strcmp(kind, "run") == 0)
		json_object_set_new(res, "method", json_string("emrwgan"));
	else if (strcmp(kind, "baseline") == 0)
		json_object_set_new(res, "method", json_string("marginals"));
	else if (strcmp(kind, "peer") == 0) {
		char *sp = xsprintf("%s/runs/%s/state.json", c->s->dir, name);
		json_t *st = NULL;

		json_object_set_new(res, "method", json_string(name + 5));
		if (util_file_exists(sp) && js_read_file(sp, &st, NULL) == 0) {
			json_t *x;

			if ((x = json_object_get(st, "fit_seconds")) != NULL && json_is_number(x))
				json_object_set(res, "fit_seconds", x);
			if ((x = json_object_get(st, "cpu_seconds")) != NULL && json_is_number(x))
				json_object_set(res, "cpu_seconds", x);
			json_decref(st);
		}
		free(sp);
	}
	if (json_object_get(res, "values") == NULL)
		json_object_set_new(res, "values", json_object());
	if (json_object_get(res, "details") == NULL)
		json_object_set_new(res, "details", json_object());
	if (json_object_get(res, "seconds") == NULL)
		json_object_set_new(res, "seconds", json_object());
	todo = want & ~families_present(res);
	memo_needed = !real && json_object_get(json_object_get(res, "details"), "memorisation") == NULL;
	boot_needed = !real && c->o->boot > 0 &&
	    json_integer_value(json_object_get(json_object_get(res, "boot"), "n")) != c->o->boot;
	if (!real && c->o->boot == 0)
		json_object_del(res, "boot");
	if (todo != 0 || boot_needed || memo_needed) {
		if (real)
			S = c->R;
		else {
			if (mtx_read(path, c->l, &S, c->cause) != 0 ||
			    mtx_expect(S, path, strcmp(kind, "external") == 0 ? MTX_ROLE_EXTERNAL :
			    MTX_ROLE_SYNTH, c->R, c->cause) != 0) {
				c->bad_input = 1;
				mtx_free(S);
				json_decref(res);
				free(cpath);
				return -1;
			}
			mtx_unscale(S, c->l);
			json_object_set_new(res, "rows", json_integer((json_int_t)S->n));
			/* a set larger than the training rows: its own estimate */
			if (((todo & EVAL_F_PRED) && util_mem_check(predict_need(c->l, S, S->n),
			    "evaluating (the prediction models' training rows)", c->cause) != 0) ||
			    ((todo & (EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA)) && util_mem_check(privacy_need(c->l, S,
			    SH_MAX(c->R->n, c->T->n), S->n, c->o->priv.backend),
			    "evaluating (the privacy attacks' nearest-neighbour search)", c->cause) != 0)) {
				mtx_free(S);
				json_decref(res);
				free(cpath);
				return -1;
			}
		}
		if (memo_needed) {
			struct memo_result mr;

			rc = eval_memorisation(c->l, c->R, S, &mr, c->cause);
			if (rc == 0)
				json_object_set_new(json_object_get(res, "details"), "memorisation", memo_json(&mr));
		}
		if (rc == 0 && todo != 0)
			rc = eval_one(c, S, todo, res, real);
		if (rc == 0 && boot_needed)
			eval_boot(c, S, res);
		if (rc == 0 && !util_interrupted) {
			json_t *cj = json_pack("{s:s,s:s,s:O}", "key", c->key, "sha256", sha, "result", res);
			char *cz = NULL;

			study_mkdir(c->s, "eval/sets", NULL);
			if (js_write_file(cpath, cj, &cz) != 0)
				free(cz);   /* a cache that cannot be written is not fatal */
			json_decref(cj);
		}
		if (!real)
			mtx_free(S);
	}
	free(cpath);
	if (rc != 0) {
		json_decref(res);
		return -1;
	}
	*out = res;
	return 0;
}

/* Relative DWD over the compared (ranked) sets and the bootstrap tables. */
static void
eval_finish(struct eval_ctx *c, json_t *sets, json_t *metrics)
{
	int n = (int)json_array_size(sets), i, k, b, B = 0, nb;
	double *sd2d = xcalloc((size_t)n + 1, sizeof *sd2d), *wd = xcalloc((size_t)n * (c->ncont + 1) + 1, sizeof *wd);
	double *dwd = xcalloc((size_t)n + 1, sizeof *dwd), *cont = xcalloc((size_t)n + 1, sizeof *cont);
	int *idx = xmalloc(((size_t)n + 1) * sizeof *idx);
	json_t *bt;

	nb = 0;
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(sets, i), *det = json_object_get(s, "details"), *w;
		int j;

		if (strcmp(js_str(s, "kind", ""), "real") == 0 || json_object_get(det, "sd2d") == NULL)
			continue;
		idx[nb] = i;
		sd2d[nb] = jget(det, "sd2d");
		w = json_object_get(det, "wd");
		for (j = 0, k = 0; j < c->l->D; j++)
			if (c->l->kind[j] == MCOL_CONT)
				wd[(size_t)nb * c->ncont + k++] = jget(w, c->l->name[j]);
		nb++;
	}
	if (nb > 0) {
		eval_dwd_runs(c->l->D, nb, c->ncont, sd2d, wd, dwd, cont);
		for (i = 0; i < nb; i++) {
			json_t *s = json_array_get(sets, idx[i]);

			json_object_set_new(json_object_get(s, "values"), "DWD", js_real_or_null(dwd[i]));
			json_object_set_new(json_object_get(s, "details"), "dwd_cont", js_real_or_null(cont[i]));
		}
	}
	/* Bootstrap tables: [B][ranked set][metric], cheap metrics resampled,
	 * the others fixed at their full-data values. */
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(sets, i);

		if (strcmp(js_str(s, "kind", ""), "real") == 0)
			continue;
		bt = json_object_get(s, "boot");
		k = bt ? (int)json_integer_value(json_object_get(bt, "n")) : 0;
		B = (B == 0 || k < B) ? k : B;
		if (k == 0) {
			B = 0;
			break;
		}
	}
	if (B > 0) {
		json_t *tab = json_array();
		int nr = 0;

		for (i = 0; i < n; i++)
			nr += strcmp(js_str(json_array_get(sets, i), "kind", ""), "real") != 0;
		for (b = 0; b < B; b++) {
			json_t *rows = json_array();
			int r = 0;

			for (i = 0; i < n; i++) {
				json_t *s = json_array_get(sets, i), *vals, *row;
				json_t *bs;

				if (strcmp(js_str(s, "kind", ""), "real") == 0)
					continue;
				vals = json_object_get(s, "values");
				bs = json_object_get(s, "boot");
				sd2d[r] = json_number_value(json_array_get(json_object_get(bs, "sd2d"), b));
				for (k = 0; k < c->ncont; k++)
					wd[(size_t)r * c->ncont + k] = json_number_value(json_array_get(
					    json_array_get(json_object_get(bs, "wd"), b), k));
				row = json_array();
				for (k = 0; k < RANK_COUNT; k++) {
					json_array_append_new(row, js_real_or_null(jget(vals, rank_metrics[k].key)));
				}
				json_array_append_new(rows, row);
				r++;
			}
			(void)nr;
			eval_dwd_runs(c->l->D, r, c->ncont, sd2d, wd, dwd, NULL);
			r = 0;
			for (i = 0; i < n; i++) {
				json_t *s = json_array_get(sets, i), *bs;
				json_t *row;

				if (strcmp(js_str(s, "kind", ""), "real") == 0)
					continue;
				bs = json_object_get(s, "boot");
				row = json_array_get(rows, r);
				json_array_set_new(row, RANK_DWD, js_real_or_null(dwd[r]));
				json_array_set_new(row, RANK_DWDABS, js_real_or_null(eval_dwd_abs(c->l, sd2d[r], wd + (size_t)r * c->ncont)));
				json_array_set(row, RANK_MCA, json_array_get(json_object_get(bs, "MCA"), b));
				json_array_set(row, RANK_CKV, json_array_get(json_object_get(bs, "CKV"), b));
				r++;
			}
			json_array_append_new(tab, rows);
		}
		/* The resampled metrics' SE: their spread over the resamples. */
		if (B >= 2) {
			static const int bm[] = { RANK_DWD, RANK_DWDABS, RANK_MCA, RANK_CKV };
			double *col = xmalloc((size_t)B * sizeof *col);
			int r = 0, q;

			for (i = 0; i < n; i++) {
				json_t *s = json_array_get(sets, i);

				if (strcmp(js_str(s, "kind", ""), "real") == 0)
					continue;
				for (q = 0; q < (int)SH_NELEM(bm); q++) {
					for (b = 0; b < B; b++) {
						json_t *v = json_array_get(json_array_get(json_array_get(tab, b), r), bm[q]);

						col[b] = json_is_number(v) ? json_number_value(v) : NAN;
					}
					set_se(s, rank_metrics[bm[q]].key, util_sample_sd(col, B));
				}
				r++;
			}
			free(col);
		}
		json_object_set_new(metrics, "bootstrap", json_pack("{s:i,s:s,s:o}", "n", B,
		    "resampled", "DWD, DWD_abs, MCA, CKV (others fixed at their full-data values)", "values", tab));
	}
	free(sd2d);
	free(wd);
	free(dwd);
	free(cont);
	free(idx);
}

static json_t *
metric_table_json(void)
{
	json_t *a = json_array();
	int k;

	for (k = 0; k < RANK_COUNT; k++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s}", "key", rank_metrics[k].key,
		    "title", rank_metrics[k].title, "direction", rank_metrics[k].higher_better ? "higher" : "lower",
		    "arrow", rank_arrow(k), "range", rank_metrics[k].range));
	return a;
}

int
eval_run(struct study *s, const struct eval_opts *o, json_t **out, char **cause)
{
	struct eval_ctx c;
	struct eval_set *sets = NULL;
	int nsets = 0, i, rc = -1, made_eval = 0;
	char sha_tr[65], sha_te[65], *p, *dump;
	json_t *metrics = NULL, *jsets = json_array();
	double t0 = util_now();

	memset(&c, 0, sizeof c);
	c.s = s;
	c.o = o;
	c.cause = cause;
	/* the inputs: a damaged or foreign one is bad input (-2, as
	 * train and generate say) */
	if (prep_load_layout(s, &c.l, cause) != 0 || prep_load_split(s, c.l, &c.R, &c.T, cause) != 0) {
		c.bad_input = 1;
		goto out;
	}
	{
		/* Before the allocations that scale with columns² (issue 18):
		 * CWC's and LCA's peaks (eval_cwc_need, eval_lca_need: whole
		 * D × D matrices up to EVAL_FULL_D columns, column blocks or
		 * LCA's row-space PCA beyond), LCA's rows capped by lca_rows and
		 * a synthetic set taken as large as the training rows. */
		size_t need = 0, nl = o->lca_rows > 0 ? SH_MIN(o->lca_rows, c.R->n) : c.R->n, x;
		size_t nmax = SH_MAX(c.R->n, c.T->n);
		const char *what = "evaluating";

		if (o->only & EVAL_F_CWC)
			need = SH_MAX(need, eval_cwc_need(c.l->D));
		if (o->only & EVAL_F_LCA)
			need = SH_MAX(need, eval_lca_need(c.l->D, 2 * nl));
		if (need > 0)
			what = "evaluating (correlations of every pair of columns)";
		/* the prediction models (TSTR, TRTS, importance: trained on a
		 * set or the test rows) and the attacks' nearest-neighbour
		 * passes (rows × columns; eval_set_cached checks each set's
		 * own size again) */
		if ((o->only & EVAL_F_PRED) && (x = predict_need(c.l, c.R, nmax)) > need) {
			need = x;
			what = "evaluating (the prediction models' training rows)";
		}
		if ((o->only & (EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA)) &&
		    (x = privacy_need(c.l, c.R, nmax, c.R->n, o->priv.backend)) > need) {
			need = x;
			what = "evaluating (the privacy attacks' nearest-neighbour search)";
		}
		if (need > 0 && util_mem_check(need, what, cause) != 0)
			goto out;
		if (blas_headroom_check("evaluating", 2, cause) != 0)
			goto out;
	}
	if (c.R->n < 2 || c.T->n < 2) {
		util_fail(cause, "the real split is too small (%zu train, %zu test rows)", c.R->n, c.T->n);
		goto out;
	}
	/* The real rows in their original float64 values (prep's sidecars);
	 * a study prepared before they existed is evaluated through float32
	 * and metrics.json says so. */
	{
		char *cz = NULL;

		c.real_f64 = prep_attach_f64(s, "train", c.R, &cz) == 0 && prep_attach_f64(s, "test", c.T, &cz) == 0;
		if (!c.real_f64) {
			free(c.R->c64);
			c.R->c64 = NULL;
		}
		free(cz);
	}
	mtx_unscale(c.R, c.l);
	mtx_unscale(c.T, c.l);
	c.ncont = layout_count(c.l, MCOL_CONT);
	if ((rc = study_sha256(s, "prep/train.mtx", sha_tr, cause)) != 0 ||
	    (rc = study_sha256(s, "prep/test.mtx", sha_te, cause)) != 0)
		goto out;
	rc = -1;
	c.settings = settings_json(o);
	{
		/* The bootstrap count is not part of the key: changing it
		 * recomputes only the bootstrap, not the metrics. */
		json_t *k = json_deep_copy(c.settings);

		json_object_del(k, "boot");
		/* results computed from float32 real rows are not reused */
		json_object_set_new(k, "real_values", json_string(c.real_f64 ? "float64" : "float32"));
		dump = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
		json_decref(k);
	}
	snprintf(c.key, sizeof c.key, "%.16s-%.16s-%016llx", sha_tr, sha_te,
	    (unsigned long long)util_hash64(dump, strlen(dump), 0));
	free(dump);
	p = study_path(s, "eval");
	made_eval = !util_dir_exists(p);
	free(p);
	if (study_mkdir(s, "eval", cause) != 0)
		goto out;
	if (eval_list_sets(s, &sets, &nsets, cause) != 0)
		goto out;
	if (nsets == 0) {
		util_fail(cause, "%s: no synthetic sets (runs/*/synthetic.mtx or eval/external/*/synthetic.mtx); "
		    "run `synthehr generate` or `synthehr evaluate --synthetic FILE`", s->dir);
		goto out;
	}
	c.nsets = nsets + (o->real_baseline ? 1 : 0);
	if (o->only_set != NULL) {
		/* one set into its cache (a cluster task); the merge is a later, plain run */
		for (i = 0; i < nsets; i++)
			if (strcmp(sets[i].name, o->only_set) == 0)
				break;
		if (i == nsets) {
			util_fail(cause, "%s: no synthetic set named \"%s\"", s->dir, o->only_set);
			goto out;
		}
		{
			json_t *res;

			c.set = i;
			c.set_name = sets[i].name;
			if (eval_set_cached(&c, sets[i].name, sets[i].kind, sets[i].path, &res) != 0)
				goto out;
			json_decref(res);
		}
		rc = 0;
		goto out;
	}
	for (i = 0; i < nsets; i++) {
		json_t *res;

		c.set = i;
		c.set_name = sets[i].name;
		if (eval_set_cached(&c, sets[i].name, sets[i].kind, sets[i].path, &res) != 0)
			goto out;
		json_array_append_new(jsets, res);
	}
	if (o->real_baseline && (o->only & (EVAL_F_MI | EVAL_F_AI | EVAL_F_NNAA))) {
		json_t *res;

		c.set = nsets;
		c.set_name = "real";
		if (eval_set_cached(&c, "real", "real", NULL, &res) != 0)
			goto out;
		json_array_append_new(jsets, res);
	}
	metrics = json_pack("{s:i,s:s,s:O,s:o,s:{s:I,s:I,s:i,s:s,s:s,s:s}}", "synthehr_metrics", EVAL_FORMAT,
	    "key", c.key, "settings", c.settings, "metrics", metric_table_json(),
	    "real", "train_rows", (json_int_t)c.R->n, "test_rows", (json_int_t)c.T->n, "columns", c.l->D,
	    "train_sha256", sha_tr, "test_sha256", sha_te,
	    "values", c.real_f64 ? "float64" : "float32 (prepared before prep/*.f64 existed: re-run prep)");
	{
		/* Memorisation reference: the real test rows against the training
		 * rows (what unseen patients share with them by chance). */
		struct memo_result mr;

		if (eval_memorisation(c.l, c.R, c.T, &mr, cause) != 0)
			goto out;
		json_object_set_new(json_object_get(metrics, "real"), "memorisation", memo_json(&mr));
	}
	if (c.have_trtr)
		json_object_set_new(metrics, "trtr", json_pack("{s:o,s:o}", "auroc", js_real_or_null(c.trtr.auroc),
		    "prauc", js_real_or_null(c.trtr.prauc)));
	else {
		/* keep TRTR from the cache when no set needed it this time */
		json_t *j = NULL;

		p = study_path(s, "eval/trtr.json");
		if (js_read_file(p, &j, NULL) == 0 && strcmp(js_str(j, "key", ""), c.key) == 0)
			json_object_set_new(metrics, "trtr", json_pack("{s:o,s:o}", "auroc", js_real_or_null(jget(j, "auroc")),
			    "prauc", js_real_or_null(jget(j, "prauc"))));
		json_decref(j);
		free(p);
	}
	eval_finish(&c, jsets, metrics);
	/* the held-out test rows scored as a set: each metric's real-data reference */
	if (o->real_baseline && eval_ref_add(s, c.l, c.R, c.T, o, c.key, jsets, metrics, cause) != 0)
		goto out;
	json_object_set(metrics, "sets", jsets);
	json_object_set_new(metrics, "seconds", json_real(util_now() - t0));
	json_object_set_new(metrics, "peak_rss_mb", json_real((double)util_peak_rss() / 1048576.0));
	p = study_path(s, "eval/metrics.json");
	rc = js_write_file(p, metrics, cause);
	free(p);
	if (rc == 0 && out != NULL) {
		*out = metrics;
		metrics = NULL;
	}
out:
	if (rc != 0 && made_eval) {
		/* a refused evaluation leaves no empty eval/ behind */
		char *d = study_path(s, "eval/sets");

		rmdir(d);
		free(d);
		d = study_path(s, "eval");
		rmdir(d);
		free(d);
	}
	json_decref(metrics);
	json_decref(jsets);
	json_decref(c.settings);
	eval_sets_free(sets, nsets);
	free(c.corr_r);
	if (c.have_trtr)
		predict_result_done(&c.trtr);
	predict_model_free(c.trts);
	mtx_free(c.R);
	mtx_free(c.T);
	layout_free(c.l);
	return rc != 0 && c.bad_input ? -2 : rc;
}

int
eval_metrics_table(json_t *metrics, double **values, const char ***names, int *nsets, char **cause)
{
	json_t *sets = json_object_get(metrics, "sets");
	size_t i;
	int n = 0, k;

	if (!json_is_array(sets))
		return util_fail(cause, "metrics.json: no \"sets\" array (run `synthehr evaluate` first)");
	*values = xmalloc((json_array_size(sets) + 1) * RANK_COUNT * sizeof **values);
	*names = xmalloc((json_array_size(sets) + 1) * sizeof **names);
	for (i = 0; i < json_array_size(sets); i++) {
		json_t *s = json_array_get(sets, i), *vals = json_object_get(s, "values");

		if (strcmp(js_str(s, "kind", ""), "real") == 0)
			continue;
		(*names)[n] = js_str(s, "name", "?");
		for (k = 0; k < RANK_COUNT; k++)
			(*values)[(size_t)n * RANK_COUNT + k] = jget(vals, rank_metrics[k].key);
		n++;
	}
	*nsets = n;
	return 0;
}

int
eval_metrics_boot(json_t *metrics, int nsets, double **values, int *boot)
{
	json_t *bt = json_object_get(metrics, "bootstrap"), *tab = json_object_get(bt, "values");
	size_t b, s;
	int k;

	*boot = 0;
	*values = NULL;
	if (!json_is_array(tab) || json_array_size(tab) == 0)
		return 0;
	for (b = 0; b < json_array_size(tab); b++)
		if ((int)json_array_size(json_array_get(tab, b)) != nsets)
			return 0;
	*values = xmalloc(json_array_size(tab) * (size_t)nsets * RANK_COUNT * sizeof **values);
	for (b = 0; b < json_array_size(tab); b++)
		for (s = 0; s < (size_t)nsets; s++) {
			json_t *row = json_array_get(json_array_get(tab, b), s);

			for (k = 0; k < RANK_COUNT; k++) {
				json_t *v = json_array_get(row, (size_t)k);

				(*values)[(b * nsets + s) * RANK_COUNT + k] = json_is_number(v) ? json_number_value(v) : NAN;
			}
		}
	*boot = (int)json_array_size(tab);
	return 0;
}

int
eval_metrics_se(json_t *metrics, double **se, int *nsets)
{
	json_t *sets = json_object_get(metrics, "sets");
	size_t i;
	int n = 0, k;

	*se = xmalloc((json_array_size(sets) + 1) * RANK_COUNT * sizeof **se);
	for (i = 0; i < json_array_size(sets); i++) {
		json_t *s = json_array_get(sets, i), *e = json_object_get(s, "se");

		if (strcmp(js_str(s, "kind", ""), "real") == 0)
			continue;
		for (k = 0; k < RANK_COUNT; k++)
			(*se)[(size_t)n * RANK_COUNT + k] = jget(e, rank_metrics[k].key);
		n++;
	}
	*nsets = n;
	return 0;
}
