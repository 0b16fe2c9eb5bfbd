/* synthehr — GPL-3.0-or-later.
 * Builds an evaluation-ready study without training: a simulated real split
 * shaped like the tutorial's matrix (6 race levels, DIE_1y, GENDER,
 * Zipf-like concept prevalences driven by a latent severity, 3 male-only and
 * 3 female-only concepts, AGE/BMI/DIASTOLIC/SYSTOLIC) in prep/, and K
 * synthetic sets in runs/run-k/ (fresh draws from the simulator with a
 * growing distortion) plus runs/baseline-marginals/ (independent marginals).
 * Used by bench/eval.sh and tests/cli_eval.sh.
 *
 * usage: eval_mkstudy DIR TRAIN TEST COLUMNS SETS [SEED] */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/baseline.h"
#include "synthehr/mtx.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

static const char *race[6] = { "WHITE", "BLACK", "ASIAN", "HISPANIC", "UN", "OTHER" };
static const double race_p[6] = { 0.673, 0.132, 0.042, 0.055, 0.042, 0.056 };

static struct layout *
mk_layout(int D)
{
	struct layout *l = layout_new(D);
	char **gn = xmalloc(sizeof *gn);
	int j, nconc = D - 12;

	for (j = 0; j < D; j++) {
		if (j < 6) {
			l->name[j] = xstrdup(race[j]);
			l->source[j] = xstrdup("RACE");
			l->level[j] = xstrdup(race[j]);
			l->kind[j] = MCOL_GROUP;
			l->group_of[j] = 0;
		} else if (j == 6 || j == 7) {
			l->name[j] = xstrdup(j == 6 ? "DIE_1y" : "GENDER");
			l->source[j] = xstrdup(l->name[j]);
		} else if (j < 8 + nconc) {
			l->name[j] = xsprintf("%03d.%d", 8 + (j - 8) / 3, (j - 8) % 3);
			l->source[j] = xstrdup(l->name[j]);
			l->concept[j] = 1;
		} else {
			static const char *cn[4] = { "AGE", "BMI", "DIASTOLIC", "SYSTOLIC" };
			static const double lo[4] = { 18, 10.1, 30, 63 }, hi[4] = { 91, 60, 168, 243 };
			int k = j - 8 - nconc;

			l->name[j] = xstrdup(cn[k]);
			l->source[j] = xstrdup(cn[k]);
			l->kind[j] = MCOL_CONT;
			l->lo[j] = lo[k];
			l->hi[j] = hi[k];
		}
	}
	l->label = 6;
	l->sex = 7;
	gn[0] = xstrdup("RACE");
	layout_finish(l, 1, gn);
	return l;
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* distort 0: the real generator; > 0 bends prevalences and moments. */
static struct mtx *
mk_rows(const struct layout *l, size_t n, double distort, struct rng *g)
{
	struct mtx *m = mtx_new(n, l);
	int D = l->D, nconc = D - 12, j;
	float *row = xmalloc((size_t)D * sizeof *row);
	size_t r;

	for (r = 0; r < n; r++) {
		double u = rng_uniform(g), acc = 0, z = rng_uniform(g), age, logit;
		int female = rng_uniform(g) < 0.533, k;

		memset(row, 0, (size_t)D * sizeof *row);
		for (k = 0; k < 6; k++) {
			acc += race_p[k];
			if (u < acc || k == 5) {
				row[k] = 1;
				break;
			}
		}
		row[7] = (float)female;
		age = clampd(56 + 20 * rng_normal(g) * (1 + distort), 18, 91);
		for (j = 0; j < nconc; j++) {
			double p = 0.45 / (1.0 + j / 2.5) * (0.3 + 1.4 * z) * (1 + distort * ((j % 7) - 3) / 3.0);

			if ((j < 3 && female) || (j >= 3 && j < 6 && !female))
				p = distort * 0.02;   /* sex-exclusive codes */
			if (rng_uniform(g) < clampd(p, 0, 1))
				row[8 + j] = 1;
		}
		logit = -4.2 + 0.045 * (age - 56) + 2.5 * z + 0.8 * row[8];
		row[6] = rng_uniform(g) < 1 / (1 + exp(-logit));
		row[D - 4] = (float)age;
		row[D - 3] = (float)clampd(28.4 + 6.8 * rng_normal(g) + 2 * z, 10.1, 60);
		row[D - 2] = (float)clampd(73.6 + 11.8 * rng_normal(g) * (1 + distort), 30, 168);
		row[D - 1] = (float)clampd(126.6 + 18.2 * rng_normal(g) + 10 * distort, 63, 243);
		mtx_set_row(m, r, row);
	}
	free(row);
	m->scaled = 0;
	return m;
}

static uint64_t train_sum;   /* checksum of prep/train.mtx */

static int
write_set(struct study *s, const char *name, const struct mtx *m)
{
	char *rel = xsprintf("runs/%s", name), *p, *cause = NULL;
	int rc;

	if (study_mkdir(s, rel, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	p = xsprintf("%s/%s/synthetic.mtx", s->dir, rel);
	((struct mtx *)m)->prov.role = MTX_ROLE_SYNTH;   /* goes with prep/train.mtx */
	((struct mtx *)m)->prov.train = train_sum;
	rc = mtx_write(p, m, &cause);
	if (rc != 0)
		fprintf(stderr, "%s\n", cause);
	free(p);
	free(rel);
	free(cause);
	return rc;
}

int
main(int argc, char **argv)
{
	struct study *s;
	struct layout *l;
	struct mtx *R, *T;
	struct rng g;
	char *cause = NULL, *p;
	size_t ntr, nte;
	int D, K, k;

	if (argc < 6) {
		fprintf(stderr, "usage: eval_mkstudy DIR TRAIN TEST COLUMNS SETS [SEED]\n");
		return 2;
	}
	ntr = strtoul(argv[2], NULL, 10);
	nte = strtoul(argv[3], NULL, 10);
	D = atoi(argv[4]);
	K = atoi(argv[5]);
	rng_seed(&g, argc > 6 ? strtoull(argv[6], NULL, 10) : 1);
	if (D < 20 || ntr < 10 || nte < 10) {
		fprintf(stderr, "eval_mkstudy: need COLUMNS >= 20, TRAIN and TEST >= 10\n");
		return 2;
	}
	if (study_create(argv[1], &s, &cause) != 0) {
		fprintf(stderr, "eval_mkstudy: %s\n", cause);
		return 1;
	}
	l = mk_layout(D);
	R = mk_rows(l, ntr, 0, &g);
	T = mk_rows(l, nte, 0, &g);
	study_mkdir(s, "prep", NULL);
	{
		/* the checksum train.mtx will have (scaled), which every set records */
		size_t *all = xmalloc((R->n + 1) * sizeof *all), r;
		struct mtx *c;

		for (r = 0; r < R->n; r++)
			all[r] = r;
		c = mtx_subset(R, all, R->n);
		mtx_scale(c, l);
		train_sum = mtx_checksum(c);
		mtx_free(c);
		free(all);
	}
	p = study_path(s, "prep/layout.json");
	{
		json_t *j = layout_to_json(l);

		if (js_write_file(p, j, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		json_decref(j);
	}
	free(p);
	for (k = 1; k <= K; k++) {
		struct mtx *S = mk_rows(l, ntr, 0.03 * k, &g);
		char name[32];

		snprintf(name, sizeof name, "run-%d", k);
		if (write_set(s, name, S) != 0)
			return 1;
		if (k == 1) {
			/* a CSV copy of run-1 for the external-set tests */
			char *csv = xsprintf("%s/runs/run-1/synthetic.csv", s->dir);

			if (mtx_write_csv(csv, S, l, &cause) != 0) {
				fprintf(stderr, "%s\n", cause);
				return 1;
			}
			free(csv);
		}
		mtx_free(S);
	}
	{
		struct mtx *B = baseline_marginals(R, l, ntr, 1, 0, &g);
		size_t r, npos = 0;

		for (r = 0; r < R->n; r++)
			npos += mtx_get(R, r, l->label) >= 0.5f;
		mtx_free(B);
		B = baseline_marginals(R, l, ntr, 1, npos, &g);
		if (write_set(s, "baseline-marginals", B) != 0)
			return 1;
		mtx_free(B);
	}
	mtx_scale(R, l);
	mtx_scale(T, l);
	R->prov.role = MTX_ROLE_TRAIN;
	T->prov.role = MTX_ROLE_TEST;
	T->prov.train = train_sum;
	p = study_path(s, "prep/train.mtx");
	if (mtx_write(p, R, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	free(p);
	p = study_path(s, "prep/test.mtx");
	if (mtx_write(p, T, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	free(p);
	mtx_free(R);
	mtx_free(T);
	layout_free(l);
	study_free(s);
	return 0;
}
