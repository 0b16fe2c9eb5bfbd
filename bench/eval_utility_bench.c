/* synthehr — GPL-3.0-or-later.
 * Benchmark of the utility and prediction metrics on random but structured
 * data shaped like the tutorial's cohort: one race group (6 levels), the
 * label, sex, NCONC concept columns whose prevalences follow a skewed law
 * and rise with a per-patient latent "burden", 3 male-only and 3
 * female-only codes, and 4 continuous columns; the label is logistic in
 * age, burden and a few codes.  R and T share a generator; each synthetic
 * set perturbs the prevalences and the signal.  Prints the seconds per
 * metric and the peak RSS.
 *
 * usage: eval_utility_bench NTRAIN NTEST NCONC NRUNS [fast|tutorial] [LCA_RESTARTS] [SKIP]
 * SKIP: comma list of metrics not to run (sd2d,wd,cwc,lca,mca,ckv,predict). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synthehr/eval_predict.h"
#include "synthehr/eval_utility.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"

static struct layout *
bench_layout(int nconc)
{
	static const char *cont[4] = { "AGE", "BMI", "DIASTOLIC", "SYSTOLIC" };
	static const double lo[4] = { 18, 10.1, 30, 63 }, hi[4] = { 91, 60, 168, 243 };
	int D = 6 + 2 + nconc + 4, j;
	struct layout *l = layout_new(D);
	char **gn = xcalloc(1, sizeof *gn);

	for (j = 0; j < 6; j++) {
		l->kind[j] = MCOL_GROUP;
		l->group_of[j] = 0;
		l->name[j] = xsprintf("RACE_%d", j);
	}
	l->label = 6;
	l->name[6] = xstrdup("DIE_1y");
	l->sex = 7;
	l->name[7] = xstrdup("GENDER");
	for (j = 8; j < 8 + nconc; j++) {
		l->concept[j] = 1;
		l->name[j] = xsprintf("%d.%d", 100 + (j - 8) / 3, (j - 8) % 3);
	}
	for (j = 0; j < 4; j++) {
		int c = 8 + nconc + j;

		l->kind[c] = MCOL_CONT;
		l->name[c] = xstrdup(cont[j]);
		l->lo[c] = lo[j];
		l->hi[c] = hi[j];
	}
	gn[0] = xstrdup("RACE");
	layout_finish(l, 1, gn);
	return l;
}

/* pert = 0: the real generator; > 0: a synthetic imitation. */
static struct mtx *
bench_gen(const struct layout *l, size_t n, const double *prev, double pert, uint64_t seed)
{
	static const double race_p[6] = { 0.62, 0.13, 0.05, 0.08, 0.05, 0.07 };
	struct mtx *m = mtx_new(n, l);
	int nconc = l->D - 12, j;
	double *pp = xmalloc((size_t)nconc * sizeof *pp);
	struct rng g;
	size_t i;

	rng_seed(&g, seed);
	for (j = 0; j < nconc; j++)
		pp[j] = prev[j] * (pert > 0 ? exp(pert * rng_normal(&g)) : 1.0);
	for (i = 0; i < n; i++) {
		double z = rng_normal(&g), u = rng_uniform(&g), c = 0, age, logit, scale;
		int race = 0, sex = rng_uniform(&g) < 0.533;

		for (j = 0; j < 5 && u > c + race_p[j]; j++)
			c += race_p[j];
		race = j;
		mtx_set(m, i, race, 1);
		mtx_set(m, i, 7, (float)sex);
		age = 56 + 20 * (0.5 * z + 0.87 * rng_normal(&g));
		age = age < 18 ? 18 : (age > 91 ? 91 : round(age));
		scale = exp(0.7 * z + 0.01 * (age - 56));
		for (j = 0; j < nconc; j++) {
			double p = pp[j] * scale;

			/* codes 0-2 male-only, 3-5 female-only (synthetic sets leak) */
			if (j < 3 && sex && !(pert > 0 && rng_uniform(&g) < 0.05))
				continue;
			if (j >= 3 && j < 6 && !sex && !(pert > 0 && rng_uniform(&g) < 0.01))
				continue;
			if (rng_uniform(&g) < p)
				mtx_set(m, i, 8 + j, 1);
		}
		mtx_set(m, i, 8 + nconc, (float)age);
		mtx_set(m, i, 9 + nconc, (float)round(10 * (28.4 + 6.8 * rng_normal(&g) + 1.5 * z)) / 10);
		mtx_set(m, i, 10 + nconc, (float)round(73.6 + 11.8 * rng_normal(&g)));
		mtx_set(m, i, 11 + nconc, (float)round(126.6 + 18.2 * rng_normal(&g) + 0.2 * (age - 56)));
		logit = -2.6 + 0.05 * (age - 56) + (0.9 + pert) * z + 0.8 * mtx_get(m, i, 8 + 10) -
		    0.5 * mtx_get(m, i, 8 + 20);
		mtx_set(m, i, 6, rng_uniform(&g) < 1 / (1 + exp(-logit)));
	}
	free(pp);
	return m;
}

/* Process CPU seconds (all threads). */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Wall and CPU seconds of one metric, accumulated. */
struct tm2 {
	double wall, cpu, w0, c0;
};

static void
tm_start(struct tm2 *t)
{
	t->w0 = util_now();
	t->c0 = cpu_now();
}

static void
tm_stop(struct tm2 *t)
{
	t->wall += util_now() - t->w0;
	t->cpu += cpu_now() - t->c0;
}

static int
skipped(const char *skip, const char *name)
{
	return skip && strstr(skip, name) != NULL;
}

int
main(int argc, char **argv)
{
	size_t ntr, nte;
	int nconc, nruns, restarts, r, j, ncont;
	const char *preset, *skip;
	struct layout *l;
	struct mtx *R, *T, **S;
	double *prev, t0, *corr_r = NULL, tgen;
	struct rng g;
	struct predict_opts o;
	struct predict_result trtr = { 0 };
	enum { T_SD2D, T_WD, T_CWCR, T_CWC, T_LCA, T_MCA, T_CKV, T_TRTR, T_TSTR, T_TRTS, T_N };
	static const char *tname[T_N] = { "sd2d", "wd", "real-corr", "cwc", "lca", "mca", "ckv",
	    "TRTR+shap", "TSTR+shap", "TRTS" };
	struct tm2 tm[T_N];
	double tw = 0, tc = 0;
	char *cause = NULL;

	if (argc < 5) {
		fprintf(stderr, "usage: %s NTRAIN NTEST NCONC NRUNS [fast|tutorial] [LCA_RESTARTS] [SKIP]\n", argv[0]);
		return 2;
	}
	ntr = strtoul(argv[1], NULL, 10);
	nte = strtoul(argv[2], NULL, 10);
	nconc = atoi(argv[3]);
	nruns = atoi(argv[4]);
	preset = argc > 5 ? argv[5] : "fast";
	restarts = argc > 6 ? atoi(argv[6]) : 3;
	skip = argc > 7 ? argv[7] : NULL;
	l = bench_layout(nconc);
	ncont = layout_count(l, MCOL_CONT);
	prev = xmalloc((size_t)nconc * sizeof *prev);
	rng_seed(&g, 1);
	for (j = 0; j < nconc; j++) {
		double u = rng_uniform(&g);

		prev[j] = 0.0008 + 0.12 * u * u * u * u;
	}
	memset(tm, 0, sizeof tm);
	t0 = util_now();
	R = bench_gen(l, ntr, prev, 0, 11);
	T = bench_gen(l, nte, prev, 0, 12);
	S = xcalloc((size_t)nruns, sizeof *S);
	for (r = 0; r < nruns; r++)
		S[r] = bench_gen(l, ntr, prev, 0.05 + 0.05 * r, 100 + (uint64_t)r);
	tgen = util_now() - t0;
	printf("data: R %zu x %d, T %zu, %d synthetic sets; generated in %.1f s\n", ntr, l->D, nte, nruns, tgen);
	predict_opts_preset(&o, preset);
	if (!skipped(skip, "cwc")) {
		corr_r = xmalloc((size_t)l->D * l->D * sizeof *corr_r);
		tm_start(&tm[T_CWCR]);
		eval_corr(l, R, 0, corr_r);
		tm_stop(&tm[T_CWCR]);
	}
	if (!skipped(skip, "predict")) {
		tm_start(&tm[T_TRTR]);
		if (eval_predict(l, R, T, &o, 1, &trtr, &cause) != 0) {
			fprintf(stderr, "TRTR: %s\n", cause);
			return 1;
		}
		tm_stop(&tm[T_TRTR]);
		printf("TRTR AUROC %.4f PRAUC %.4f (%.1f s)\n", trtr.auroc, trtr.prauc, tm[T_TRTR].wall);
	}
	for (r = 0; r < nruns; r++) {
		double sd2d = 0, wd[8] = { 0 }, cwc = 0, mae = 0, lca = 0, mca = 0;
		struct eval_ckv ck = { 0 };
		struct predict_result tstr = { 0 }, trts = { 0 };

		if (!skipped(skip, "sd2d")) {
			tm_start(&tm[T_SD2D]);
			sd2d = eval_sd2d(l, R, S[r]);
			tm_stop(&tm[T_SD2D]);
		}
		if (!skipped(skip, "wd")) {
			tm_start(&tm[T_WD]);
			eval_wd(l, R, S[r], wd);
			tm_stop(&tm[T_WD]);
		}
		if (!skipped(skip, "cwc")) {
			tm_start(&tm[T_CWC]);
			cwc = eval_cwc_from(l, corr_r, S[r], &mae);
			tm_stop(&tm[T_CWC]);
		}
		if (!skipped(skip, "lca")) {
			struct eval_lca_info info;

			tm_start(&tm[T_LCA]);
			lca = eval_lca_ex(l, R, S[r], 42, 5, restarts, &info);
			tm_stop(&tm[T_LCA]);
			printf("  LCA: %d components (%.3f), inertia %.1f, %d Lloyd iterations\n", info.ncomp,
			    info.explained, info.inertia, info.iters);
		}
		if (!skipped(skip, "mca")) {
			tm_start(&tm[T_MCA]);
			mca = eval_mca(l, R, S[r]);
			tm_stop(&tm[T_MCA]);
		}
		if (!skipped(skip, "ckv")) {
			tm_start(&tm[T_CKV]);
			eval_ckv(l, R, S[r], NULL, &ck, &cause);
			tm_stop(&tm[T_CKV]);
		}
		printf("run %d: sd2d %.4f WD %.3f %.3f %.3f %.3f CWC %.4f (mae %.5f) LD %.3f MCA %.4f CKV %.4f",
		    r + 1, sd2d, wd[0], wd[1], wd[2], wd[3], cwc, mae, lca, mca, ck.ckv);
		if (!skipped(skip, "predict")) {
			tm_start(&tm[T_TSTR]);
			if (eval_predict(l, S[r], T, &o, 1, &tstr, &cause) != 0) {
				fprintf(stderr, "TSTR: %s\n", cause);
				return 1;
			}
			tm_stop(&tm[T_TSTR]);
			tm_start(&tm[T_TRTS]);
			if (eval_predict(l, T, S[r], &o, 0, &trts, &cause) != 0) {
				fprintf(stderr, "TRTS: %s\n", cause);
				return 1;
			}
			tm_stop(&tm[T_TRTS]);
			printf(" TSTR %.4f TRTS %.4f FI %.2f", tstr.auroc, trts.auroc, eval_fi_overlap(&trtr, &tstr, 20));
			predict_result_done(&tstr);
			predict_result_done(&trts);
		}
		printf("\n");
		fflush(stdout);
	}
	(void)ncont;
	printf("%-10s %10s %10s   (totals over %d runs; CPU = all threads)\n", "metric", "wall s", "CPU s", nruns);
	for (j = 0; j < T_N; j++) {
		printf("%-10s %10.2f %10.2f\n", tname[j], tm[j].wall, tm[j].cpu);
		tw += tm[j].wall;
		tc += tm[j].cpu;
	}
	printf("%-10s %10.2f %10.2f\n", "total", tw, tc);
	printf("peak RSS %.0f MiB\n", util_peak_rss() / 1048576.0);
	predict_result_done(&trtr);
	free(corr_r);
	for (r = 0; r < nruns; r++)
		mtx_free(S[r]);
	free(S);
	mtx_free(R);
	mtx_free(T);
	free(prev);
	layout_free(l);
	return 0;
}
