/* synthehr — GPL-3.0-or-later.
 * Tests of the prediction utility: AUROC and average precision against
 * brute-force pair counts and hand values, XGBoost on a simulated cohort
 * with a known logistic signal (TRTR AUROC close to the true model's),
 * the TreeSHAP identity (each row's contributions sum to its margin), the
 * top-k importance overlap, and clear errors for unusable inputs. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "synthehr/eval.h"
#include "synthehr/eval_predict.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "tap.h"

static double
auroc_brute(const float *s, const uint8_t *y, size_t n)
{
	double num = 0, den = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (y[i] && !y[j]) {
				den += 1;
				num += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0);
			}
	return num / den;
}

static void
test_auroc(void)
{
	float s[6] = { 0.9f, 0.8f, 0.7f, 0.3f, 0.2f, 0.1f }, t[6] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
	uint8_t y[6] = { 1, 1, 1, 0, 0, 0 }, yr[6] = { 0, 0, 0, 1, 1, 1 }, y1[6] = { 1, 1, 1, 1, 1, 1 };
	float p4[4] = { 0.9f, 0.8f, 0.7f, 0.6f };
	uint8_t q4[4] = { 1, 0, 1, 0 };
	float rs[500];
	uint8_t ry[500];
	struct rng g;
	int i;

	tap_near(eval_auroc(s, y, 6), 1, 0, "AUROC of a perfect scorer is 1");
	tap_near(eval_auroc(s, yr, 6), 0, 0, "AUROC of a reversed scorer is 0");
	tap_near(eval_auroc(t, y, 6), 0.5, 0, "AUROC with all scores tied is 0.5");
	tap_ok(isnan(eval_auroc(s, y1, 6)), "AUROC with one class is NaN");
	rng_seed(&g, 3);
	for (i = 0; i < 500; i++) {
		ry[i] = rng_uniform(&g) < 0.3;
		rs[i] = (float)(floor((rng_uniform(&g) + 0.3 * ry[i]) * 10) / 10);   /* heavy ties */
	}
	tap_near(eval_auroc(rs, ry, 500), auroc_brute(rs, ry, 500), 1e-12, "AUROC with ties = brute-force pair count");
	/* AP: thresholds 0.9 (P 1, R .5), 0.8, 0.7 (P 2/3, R 1) → .5 + .5·2/3 */
	tap_near(eval_prauc(p4, q4, 4), 0.5 + 0.5 * 2.0 / 3.0, 1e-12, "average precision by hand");
	tap_near(eval_prauc(s, y, 6), 1, 0, "average precision of a perfect scorer is 1");
	tap_near(eval_prauc(t, y, 6), 0.5, 1e-12, "average precision with all ties = prevalence");
}

/* Layout: race group (3), label, sex, 12 binary concepts, age, bmi. */
#define NC 12
static struct layout *
mk_layout(void)
{
	int D = 3 + 2 + NC + 2, j;
	struct layout *l = layout_new(D);
	char **gn = xcalloc(1, sizeof *gn);

	for (j = 0; j < 3; j++) {
		l->kind[j] = MCOL_GROUP;
		l->group_of[j] = 0;
		l->name[j] = xsprintf("race_%d", j);
	}
	l->label = 3;
	l->name[3] = xstrdup("DIE_1y");
	l->sex = 4;
	l->name[4] = xstrdup("GENDER");
	for (j = 5; j < 5 + NC; j++) {
		l->concept[j] = 1;
		l->name[j] = xsprintf("%d", 200 + j);
	}
	l->kind[D - 2] = MCOL_CONT;
	l->name[D - 2] = xstrdup("AGE");
	l->lo[D - 2] = 18;
	l->hi[D - 2] = 91;
	l->kind[D - 1] = MCOL_CONT;
	l->name[D - 1] = xstrdup("BMI");
	l->lo[D - 1] = 10;
	l->hi[D - 1] = 60;
	gn[0] = xstrdup("RACE");
	layout_finish(l, 1, gn);
	return l;
}

/* True log-odds; prob[] receives the true probability. */
static struct mtx *
simulate(const struct layout *l, size_t n, struct rng *g, float *prob)
{
	struct mtx *m = mtx_new(n, l);
	size_t i;
	int j, D = l->D;

	for (i = 0; i < n; i++) {
		double age = 18 + 73 * rng_uniform(g), bmi = 28 + 6 * rng_normal(g), z;
		int sex = rng_uniform(g) < 0.53, c[NC];

		mtx_set(m, i, (int)rng_below(g, 3), 1);
		mtx_set(m, i, 4, (float)sex);
		for (j = 0; j < NC; j++) {
			c[j] = rng_uniform(g) < 0.05 + 0.02 * j;
			mtx_set(m, i, 5 + j, (float)c[j]);
		}
		mtx_set(m, i, D - 2, (float)age);
		mtx_set(m, i, D - 1, (float)bmi);
		z = -3.0 + 2.0 * c[0] + 1.5 * c[1] - 1.0 * c[2] + 0.06 * (age - 55) + 0.5 * sex;
		prob[i] = (float)(1 / (1 + exp(-z)));
		mtx_set(m, i, 3, rng_uniform(g) < prob[i]);
	}
	return m;
}

static void
test_predict(void)
{
	struct layout *l = mk_layout();
	struct rng g;
	size_t ntr = 20000, nte = 4000, i;
	float *ptr = xmalloc(ntr * sizeof *ptr), *pte = xmalloc(nte * sizeof *pte);
	uint8_t *yte = xmalloc(nte);
	struct mtx *tr, *te;
	struct predict_opts o;
	struct predict_result res, res2;
	struct predict_model *pm;
	char *cause = NULL;
	double true_auc, maxdev = 0;
	int rc, top[5], f, nf, D = l->D;

	rng_seed(&g, 2021);
	tr = simulate(l, ntr, &g, ptr);
	te = simulate(l, nte, &g, pte);
	for (i = 0; i < nte; i++)
		yte[i] = mtx_get(te, i, 3) >= 0.5f;
	true_auc = eval_auroc(pte, yte, nte);
	predict_opts_preset(&o, "fast");
	o.trees = 150;
	o.shap_rows = 0;
	rc = eval_predict(l, tr, te, &o, 1, &res, &cause);
	tap_ok(rc == 0, "prediction runs (%s)", cause ? cause : "ok");
	tap_ok(res.nfeatures == D - 4, "features exclude the label and the 3 race columns (%d)", res.nfeatures);
	tap_ok(fabs(res.auroc - true_auc) < 0.025, "TRTR AUROC %.4f close to the true model's %.4f", res.auroc,
	    true_auc);
	tap_ok(res.prauc > 0 && res.prauc <= 1, "PR-AUC %.4f in (0,1]", res.prauc);
	/* Mean |SHAP| ≈ |β|·2p(1−p) for a binary feature: AGE first, then GENDER
	 * (0.25) and codes 205 (0.19), 206 (0.20); BMI has no effect (its
	 * overfitted splits can still reach the top 5). */
	nf = predict_top_features(&res, 5, top);
	tap_ok(nf == 5 && top[0] == D - 2, "top feature is AGE (%s)", l->name[top[0]]);
	{
		int has_sex = 0, has_c0 = 0, has_bmi = 0;

		for (f = 0; f < 4; f++) {
			has_sex |= top[f] == 4;
			has_c0 |= top[f] == 5;
			has_bmi |= top[f] == D - 1;
		}
		tap_ok(has_sex && has_c0 && !has_bmi, "GENDER and code 205 in the SHAP top 4, BMI (no effect) not (%s %s %s)", l->name[top[1]], l->name[top[2]], l->name[top[3]]);
	}
	tap_near(eval_fi_overlap(&res, &res, 20), (double)SH_MIN(20, res.nfeatures) / 20, 0,
	    "FI overlap with itself = min(k, nfeatures)/k");
	tap_near(eval_fi_overlap(&res, &res, 3), 1, 0, "FI top-3 overlap with itself = 1");
	/* Uncertainties: the AUROC's bootstrap SE against Hanley & McNeil's
	 * formula; FI's paired group bootstrap is 0 for a model against itself. */
	{
		double A = res.auroc, n1 = 0, n2, q1 = A / (2 - A), q2 = 2 * A * A / (1 + A), hm;

		for (i = 0; i < nte; i++)
			n1 += yte[i];
		n2 = (double)nte - n1;
		hm = sqrt((A * (1 - A) + (n1 - 1) * (q1 - A * A) + (n2 - 1) * (q2 - A * A)) / (n1 * n2));
		tap_ok(res.auroc_se > 0.7 * hm && res.auroc_se < 1.3 * hm, "AUROC bootstrap SE %.4f near Hanley-McNeil "
		    "%.4f", res.auroc_se, hm);
		tap_ok(res.ngroups == PREDICT_SE_GROUPS && res.importance_groups != NULL, "SHAP importance by row group");
		tap_near(eval_fi_overlap_se(&res, &res, 20, 1), 0, 0, "FI SE of a model against itself is 0");
	}

	/* A different seed: same data, nearly the same AUROC. */
	o.seed = 7;
	rc = eval_predict(l, tr, te, &o, 0, &res2, &cause);
	tap_ok(rc == 0 && fabs(res2.auroc - res.auroc) < 0.02 && res2.importance == NULL,
	    "another seed gives a close AUROC (%.4f) and no SHAP when not asked", res2.auroc);
	predict_result_done(&res2);

	/* evaluate --seed reseeds the models: the same seed gives identical
	 * models (scores), another seed a different one. */
	{
		struct predict_model *m1 = NULL, *m2 = NULL, *m3 = NULL;
		size_t nr = 500;
		float *s1 = xmalloc(nr * sizeof *s1), *s2 = xmalloc(nr * sizeof *s2), *s3 = xmalloc(nr * sizeof *s3);
		int same = 1, differ = 0;

		o.seed = 2022;
		rc = predict_train(l, tr, &o, &m1, &cause) | predict_train(l, tr, &o, &m2, &cause);
		o.seed = 2023;
		rc |= predict_train(l, tr, &o, &m3, &cause);
		rc |= predict_scores(m1, te, 0, nr, 1, s1, &cause) | predict_scores(m2, te, 0, nr, 1, s2, &cause) |
		    predict_scores(m3, te, 0, nr, 1, s3, &cause);
		for (i = 0; i < nr && rc == 0; i++) {
			same &= s1[i] == s2[i];
			differ |= s1[i] != s3[i];
		}
		tap_ok(rc == 0 && same, "the same seed gives an identical model");
		tap_ok(rc == 0 && differ, "another seed gives a different model");
		predict_model_free(m1);
		predict_model_free(m2);
		predict_model_free(m3);
		free(s1);
		free(s2);
		free(s3);
	}

	/* TreeSHAP identity: Σ_f φ_f + bias = margin, exactly (float). */
	o.seed = 2021;
	rc = predict_train(l, tr, &o, &pm, &cause);
	tap_ok(rc == 0, "predict_train");
	if (rc == 0) {
		size_t nr = 300;
		int per = predict_model_nfeatures(pm) + 1, q;
		float *cb = xmalloc(nr * (size_t)per * sizeof *cb), *mg = xmalloc(nr * sizeof *mg);

		rc = predict_contribs(pm, te, 100, nr, cb, &cause) | predict_scores(pm, te, 100, nr, 1, mg, &cause);
		tap_ok(rc == 0, "contributions and margins");
		for (i = 0; i < nr; i++) {
			double s = 0;

			for (q = 0; q < per - 1; q++)
				s += cb[i * per + q];
			maxdev = SH_MAX(maxdev, fabs(s - (mg[i] - cb[i * per + per - 1])));
		}
		tap_ok(maxdev < 1e-4, "SHAP rows sum to margin − bias (max dev %.2g)", maxdev);
		tap_ok(predict_model_features(pm)[0] == 4 && predict_model_features(pm)[per - 2] == D - 1,
		    "feature map: GENDER first, BMI last");
		free(cb);
		free(mg);
		predict_model_free(pm);
	}
	/* Scaled matrices are read in cohort units: the same AUROC. */
	mtx_scale(tr, l);
	mtx_scale(te, l);
	o.seed = 2021;
	rc = eval_predict(l, tr, te, &o, 0, &res2, &cause);
	tap_ok(rc == 0 && fabs(res2.auroc - res.auroc) < 0.005, "scaled input gives the same AUROC (%.4f vs %.4f)",
	    res2.auroc, res.auroc);
	predict_result_done(&res2);

	/* Overlap by hand: A ranks columns 10,11,12,13; B ranks 12,10,20,21. */
	{
		int ca[4] = { 10, 11, 12, 13 }, cbb[4] = { 21, 12, 10, 20 };
		double ia[4] = { 4, 3, 2, 1 }, ib[4] = { 1, 4, 3, 2 };
		struct predict_result A = { .nfeatures = 4, .feature_col = ca, .importance = ia },
		    B = { .nfeatures = 4, .feature_col = cbb, .importance = ib };

		tap_near(eval_fi_overlap(&A, &B, 2), 0.5, 0, "top-2 overlap by hand");
		tap_near(eval_fi_overlap(&A, &B, 3), 2.0 / 3, 1e-12, "top-3 overlap by hand");
	}
	predict_result_done(&res);

	/* Errors: one-class label (train, test), constant features, no label. */
	mtx_unscale(tr, l);
	mtx_unscale(te, l);
	for (i = 0; i < ntr; i++)
		mtx_set(tr, i, 3, 0);
	rc = eval_predict(l, tr, te, &o, 0, &res2, &cause);
	tap_ok(rc == -1 && cause && strstr(cause, "one class"), "one-class training label: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	rc = eval_predict(l, te, tr, &o, 0, &res2, &cause);
	tap_ok(rc == -1 && cause && strstr(cause, "test set"), "one-class test label: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
	{
		struct mtx *c = mtx_new(50, l);

		for (i = 0; i < 50; i++) {
			mtx_set(c, i, 3, i % 2);
			mtx_set(c, i, 0, 1);
			mtx_set(c, i, D - 2, 40);
		}
		rc = eval_predict(l, c, te, &o, 0, &res2, &cause);
		tap_ok(rc == -1 && cause && strstr(cause, "constant"), "constant features: %s", cause ? cause : "");
		free(cause);
		cause = NULL;
		mtx_free(c);
	}
	l->label = -1;
	rc = eval_predict(l, te, te, &o, 0, &res2, &cause);
	tap_ok(rc == -1 && cause && strstr(cause, "label"), "no label column: %s", cause ? cause : "");
	free(cause);
	mtx_free(tr);
	mtx_free(te);
	free(ptr);
	free(pte);
	free(yte);
	layout_free(l);
}

static void
test_presets(void)
{
	struct predict_opts o;

	predict_opts_preset(&o, "tutorial");
	tap_ok(o.trees == 2000 && o.eta == 0.01 && o.max_depth == 15 && o.max_leaves == 50 &&
	    o.colsample == 0.9 && o.subsample == 0.9 && o.alpha == 1.3 && o.min_split_gain == 0.3 &&
	    o.shap_rows == 0, "tutorial preset = SPEC 4.6 settings");
	tap_ok(o.min_child_weight == 1e-3, "LightGBM's leaf constraint (min hessian sum 1e-3) by default");
	{
		struct eval_opts eo;

		tap_ok(eval_opts_init(&eo, "fast", NULL, NULL) == 0 && eo.pred.seed == 2021 && eo.priv.seed == 0,
		    "evaluation seed 0 keeps the tutorial's model seed 2021");
		eval_opts_seed(&eo, 3);
		tap_ok(eo.seed == 3 && eo.priv.seed == 3 && eo.pred.seed == 2024, "--seed reseeds samplers, attacks and models");
		eval_opts_done(&eo);
	}
	predict_opts_preset(&o, "fast");
	tap_ok(o.trees > 0 && o.trees < 2000 && o.eta > 0.01 && o.threads == 2, "fast preset");
}

/* The memory estimates before the prediction and privacy work (issue 18
 * item 5), against hand counts: 4 rows whose stored cells are 2, 4, 4 and
 * 6 (AGE and BMI always; GENDER and the first i concepts of row i when set)
 * and whose byte columns hold 0, 2, 2 and 4 ones. */
static void
test_need(void)
{
	struct layout *l = mk_layout();
	struct mtx *m = mtx_new(4, l);
	size_t i, need;
	int j;
	char *cause = NULL;

	for (i = 0; i < 4; i++) {
		mtx_set(m, i, 4, (float)(i % 2));
		for (j = 0; j < (int)i; j++)
			mtx_set(m, i, 5 + j, 1);
		mtx_set(m, i, l->D - 2, 50);
		mtx_set(m, i, l->D - 1, 25);
	}
	/* 15 features (D 19 less 3 group columns and the label): 4 cells a row
	 * × 1,000 rows × 25 bytes + 1,000 × 44 + 15 × 64 */
	tap_ok(predict_need(l, m, 1000) == 4 * 1000 * 25 + 1000 * 44 + 15 * 64,
	    "predict_need by hand: %zu", predict_need(l, m, 1000));
	/* 17 byte slots, 2 ones a row, 2 continuous columns; 100 targets
	 * against 1,000 rows: 1,100 × (2 × 8 + 24), then the backend */
	tap_ok(privacy_need(l, m, 100, 1000, PRIV_SPARSE) == 1100 * 40 + 2 * 1000 * 4 + 17 * 16 + 1000 * 72,
	    "privacy_need (posting lists) by hand: %zu", privacy_need(l, m, 100, 1000, PRIV_SPARSE));
	tap_ok(privacy_need(l, m, 100, 1000, PRIV_GEMM) == 1100 * 40 + (size_t)5120 * 17 * 4 + (size_t)1024 * 4096 * 4,
	    "privacy_need (GEMM) by hand: %zu", privacy_need(l, m, 100, 1000, PRIV_GEMM));
	tap_ok(privacy_need(l, m, 100, 1000, PRIV_BRUTE) == 1100 * 40, "privacy_need (pair by pair) by hand");
	/* more rows than any machine holds: refused with the usual message */
	need = predict_need(l, m, (size_t)1 << 36);
	j = util_mem_check(need, "evaluating (the prediction models' training rows)", &cause);
	tap_ok(j == -1 && cause != NULL && strstr(cause, "evaluating (the prediction models' training rows) needs about") &&
	    strstr(cause, "of memory but only"), "a prediction that cannot fit is refused: %s", cause ? cause : "");
	free(cause);
	cause = NULL;
#if defined(__SANITIZE_ADDRESS__)
	tap_ok(1, "ulimit -v # SKIP AddressSanitizer reserves terabytes of address space");
#else
	{
		/* under a 256 MiB address space (in a child), 10 million rows'
		 * nearest-neighbour pass (about 1.5 GiB) is refused */
		pid_t pid = fork();
		int st = 0;

		if (pid == 0) {
			struct rlimit rl = { (rlim_t)256 << 20, (rlim_t)256 << 20 };
			size_t n = 10000000;

			if (setrlimit(RLIMIT_AS, &rl) != 0)
				_exit(3);
			if (util_mem_check(privacy_need(l, m, n, n, PRIV_SPARSE), "evaluating", &cause) == 0)
				_exit(1);
			_exit(strstr(cause, "needs about") != NULL && strstr(cause, "but only") != NULL ? 0 : 2);
		}
		tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "under ulimit -v 256 MiB a 10-million-row privacy pass is refused (child exit %d)",
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
#endif
	mtx_free(m);
	layout_free(l);
}

int
main(void)
{
	test_need();
	test_auroc();
	test_presets();
	test_predict();
	return tap_done();
}
