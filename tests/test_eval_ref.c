/* synthehr — GPL-3.0-or-later.
 * The real-data reference of an evaluation (eval_ref.c, metrics.json
 * "reference") on a simulated study (bench/eval_mkstudy: a real split and
 * three synthetic sets): TSTR and TRTS are eval/trtr.json's AUROC; DWD_abs,
 * CWC, MCA and CKV are those of the test rows against the training rows,
 * recomputed here from prep/ as a set's would be; DWD sits in the sets'
 * frame, recomputed by hand from the sets' per-column WDs in metrics.json;
 * MI and NNAA are in their ranges; and the sets' own values are identical
 * with and without the reference (--no-real), so nothing ranked moves. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/eval.h"
#include "synthehr/eval_utility.h"
#include "synthehr/json.h"
#include "synthehr/mtx.h"
#include "synthehr/prep.h"
#include "synthehr/study.h"
#include "synthehr/util.h"
#include "tap.h"

static json_t *
evaluate(struct study *s, int real, char **cause)
{
	struct eval_opts o;
	json_t *m = NULL;

	if (eval_opts_init(&o, "fast", NULL, cause) != 0)
		return NULL;
	o.only = EVAL_F_DWD | EVAL_F_CWC | EVAL_F_MCA | EVAL_F_CKV | EVAL_F_PRED | EVAL_F_MI | EVAL_F_NNAA;
	o.force = 1;
	o.real_baseline = real;
	if (eval_run(s, &o, &m, cause) != 0)
		m = NULL;
	eval_opts_done(&o);
	return m;
}

/* The real rows as the evaluation reads them: float64 originals when prep
 * wrote them, in cohort units. */
static struct mtx *
real_rows(struct study *s, const struct layout *l, const char *split)
{
	char *rel = xsprintf("prep/%s.mtx", split), *p = study_path(s, rel), *cz = NULL;
	struct mtx *m = NULL;

	free(rel);
	if (mtx_read(p, l, &m, &cz) != 0) {
		tap_diag("%s", cz);
		free(cz);
		free(p);
		return NULL;
	}
	free(p);
	if (prep_attach_f64(s, split, m, &cz) != 0) {
		free(m->c64);
		m->c64 = NULL;
		free(cz);
	}
	mtx_unscale(m, l);
	return m;
}

int
main(void)
{
	const char *bd = getenv("BUILDDIR");
	char tmpl[] = "/tmp/synthehr-ref-XXXXXX", *dir, *cmd, *cause = NULL;
	struct study *s = NULL;
	json_t *with, *without, *ref, *trtr = NULL, *sets;
	struct layout *l = NULL;
	struct mtx *R, *T;
	size_t i;
	int same = 1, j, k, ncont = 0;

	if (bd == NULL || mkdtemp(tmpl) == NULL)
		tap_skip_all("BUILDDIR not set (run through make check)");
	dir = util_path_join(tmpl, "st");
	cmd = xsprintf("'%s/bench/eval_mkstudy' '%s' 400 160 24 3 5 >/dev/null 2>&1", bd, dir);
	if (system(cmd) != 0 || study_open(dir, &s, &cause) != 0)
		tap_skip_all("bench/eval_mkstudy did not make a study");
	free(cmd);
	without = evaluate(s, 0, &cause);
	with = evaluate(s, 1, &cause);
	if (with == NULL || without == NULL) {
		tap_ok(0, "evaluate: %s", cause ? cause : "?");
		return tap_done();
	}
	ref = json_object_get(json_object_get(with, "reference"), "values");
	tap_ok(json_is_object(ref) && json_object_get(without, "reference") == NULL,
	    "metrics.json has \"reference\" (not with --no-real)");
	tap_ok(js_int(json_object_get(with, "reference"), "rows", 0) == 160, "the reference is the 160 test rows");
	/* the sets' values do not move */
	sets = json_object_get(with, "sets");
	for (i = 0; i < json_array_size(sets); i++) {
		json_t *a = json_object_get(json_array_get(sets, i), "values"), *b = NULL;
		const char *nm = js_str(json_array_get(sets, i), "name", "");
		size_t q;
		const char *key;
		json_t *v;

		for (q = 0; q < json_array_size(json_object_get(without, "sets")); q++)
			if (strcmp(js_str(json_array_get(json_object_get(without, "sets"), q), "name", ""), nm) == 0)
				b = json_object_get(json_array_get(json_object_get(without, "sets"), q), "values");
		if (strcmp(nm, "real") == 0)
			continue;
		json_object_foreach(a, key, v)
			if (b == NULL || !json_equal(v, json_object_get(b, key))) {
				tap_diag("%s %s moved", nm, key);
				same = 0;
			}
	}
	tap_ok(same, "every set's values are the same with and without the reference");
	/* TSTR and TRTS: TRTR's AUROC from eval/trtr.json */
	{
		char *p = study_path(s, "eval/trtr.json");

		js_read_file(p, &trtr, NULL);
		free(p);
	}
	tap_ok(trtr != NULL && js_num(ref, "TSTR_auroc", -1) == js_num(trtr, "auroc", -2) &&
	    js_num(ref, "TRTS_auroc", -1) == js_num(trtr, "auroc", -2),
	    "TSTR and TRTS references are eval/trtr.json's AUROC (%.4f)", js_num(trtr, "auroc", NAN));
	/* the test rows against the training rows, recomputed */
	if (prep_load_layout(s, &l, &cause) != 0 || (R = real_rows(s, l, "train")) == NULL ||
	    (T = real_rows(s, l, "test")) == NULL) {
		tap_ok(0, "prep/: %s", cause ? cause : "?");
		return tap_done();
	}
	{
		double *wd, sd2d = eval_sd2d(l, R, T), cont = 0, dwd;
		struct eval_ckv ck;

		for (j = 0; j < l->D; j++)
			ncont += l->kind[j] == MCOL_CONT;
		wd = xcalloc((size_t)ncont + 1, sizeof *wd);
		eval_wd(l, R, T, wd);
		tap_near(js_num(ref, "DWD_abs", NAN), eval_dwd_abs(l, sd2d, wd), 1e-9, "DWD_abs: the test rows' (%.4f)",
		    eval_dwd_abs(l, sd2d, wd));
		tap_near(js_num(ref, "CWC", NAN), eval_cwc(l, R, T, NULL), 1e-9, "CWC: the test rows'");
		tap_near(js_num(ref, "MCA", NAN), eval_mca(l, R, T), 1e-12, "MCA: the test rows' (%.4f)", eval_mca(l, R, T));
		eval_ckv(l, R, T, NULL, &ck, NULL);
		tap_near(js_num(ref, "CKV", NAN), ck.ckv, 1e-12, "CKV: the test rows'");
		/* DWD by hand: each column's WD between the sets' min and max (/10) */
		for (j = 0, k = 0; j < l->D; j++) {
			double lo = INFINITY, hi = -INFINITY;

			if (l->kind[j] != MCOL_CONT)
				continue;
			for (i = 0; i < json_array_size(sets); i++) {
				json_t *det = json_object_get(json_array_get(sets, i), "details");
				double x = js_num(json_object_get(det, "wd"), l->name[j], NAN);

				if (json_object_get(det, "sd2d") == NULL || x != x)
					continue;
				lo = SH_MIN(lo, x);
				hi = SH_MAX(hi, x);
			}
			if (hi > lo)
				cont += (wd[k] - lo) / (hi - lo) / 10;
			k++;
		}
		dwd = (sd2d + cont) / (l->D - 1) * 1000;
		tap_near(js_num(ref, "DWD", NAN), dwd, 1e-9, "DWD in the sets' frame: (sd2d %.4f + %.4f) / %d x 1000 = %.4f",
		    sd2d, cont, l->D - 1, dwd);
		free(wd);
	}
	tap_ok(js_num(ref, "MI", NAN) >= 0 && js_num(ref, "MI", NAN) <= 1 && js_num(ref, "NNAA", NAN) >= -1 &&
	    js_num(ref, "NNAA", NAN) <= 1, "MI in [0, 1] and NNAA in [-1, 1] (test rows halved: %.4f, %.4f)",
	    js_num(ref, "MI", NAN), js_num(ref, "NNAA", NAN));
	tap_ok(json_object_get(ref, "Feature importance") == NULL, "no FI reference (TRTR against itself is 1)");
	/* a second evaluation takes the cache and gives the same reference */
	{
		struct eval_opts o;
		json_t *again = NULL;

		eval_opts_init(&o, "fast", NULL, NULL);
		o.only = EVAL_F_DWD | EVAL_F_CWC | EVAL_F_MCA | EVAL_F_CKV | EVAL_F_PRED | EVAL_F_MI | EVAL_F_NNAA;
		tap_ok(eval_run(s, &o, &again, &cause) == 0 && json_equal(json_object_get(json_object_get(again, "reference"),
		    "values"), ref), "cached: the same reference again (eval/sets/_reference.json)");
		json_decref(again);
		eval_opts_done(&o);
	}
	mtx_free(R);
	mtx_free(T);
	layout_free(l);
	json_decref(trtr);
	json_decref(with);
	json_decref(without);
	study_free(s);
	cmd = xsprintf("rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", tmpl);
	free(cmd);
	free(dir);
	return tap_done();
}
