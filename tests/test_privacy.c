/* synthehr — GPL-3.0-or-later.
 * Privacy metrics: hand-computed membership inference and attribute
 * inference on tiny sets (distances worked out in the comments), the three
 * distance engines (GEMM, posting lists, brute force) agreeing on random
 * sets, NNAA known cases, and the "release the real data" baseline
 * behaving as the paper says (MI recall 1, AI near 1). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/baseline.h"
#include "synthehr/eval_privacy.h"
#include "synthehr/eval_utility.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "tap.h"

/* Columns: G0 G1 (group RACE), DIE (label), SEX, C1 C2 (concepts),
 * then extra concepts, AGE, BMI (continuous). */
static struct layout *
make_layout(int nextra)
{
	int D = 8 + nextra, j;
	struct layout *l = layout_new(D);
	char **gn = xmalloc(sizeof *gn);

	for (j = 0; j < D; j++) {
		l->name[j] = j == 0 ? xstrdup("G0") : j == 1 ? xstrdup("G1") : j == 2 ? xstrdup("DIE") :
		    j == 3 ? xstrdup("SEX") : j == D - 2 ? xstrdup("AGE") : j == D - 1 ? xstrdup("BMI") :
		    xsprintf("C%d", j - 3);
		l->source[j] = xstrdup(j < 2 ? "RACE" : l->name[j]);
		l->kind[j] = j < 2 ? MCOL_GROUP : j >= D - 2 ? MCOL_CONT : MCOL_BINARY;
		l->group_of[j] = j < 2 ? 0 : -1;
		l->concept[j] = j >= 4 && j < D - 2;
	}
	l->lo[D - 2] = 0;
	l->hi[D - 2] = 100;
	l->lo[D - 1] = 10;
	l->hi[D - 1] = 60;
	l->label = 2;
	l->sex = 3;
	gn[0] = xstrdup("RACE");
	layout_finish(l, 1, gn);
	return l;
}

/* Rows in cohort units: {G0,G1,DIE,SEX,C1,C2,AGE,BMI}. */
static struct mtx *
make_rows(const struct layout *l, const float (*rows)[8], size_t n)
{
	struct mtx *m = mtx_new(n, l);
	size_t r;

	for (r = 0; r < n; r++)
		mtx_set_row(m, r, rows[r]);
	m->scaled = 0;
	return m;
}

static void
test_mi_hand(void)
{
	struct layout *l = make_layout(0);
	/* S ages 20..60: span 40; BMI constant (span 1, no contribution). */
	static const float s[2][8] = {
		{ 1, 0, 0, 1, 1, 0, 20, 25 },
		{ 0, 1, 1, 0, 0, 1, 60, 25 },
	};
	static const float r[3][8] = {
		{ 1, 0, 0, 1, 1, 0, 20, 25 },    /* = s0: d = 0 */
		{ 1, 0, 0, 0, 0, 0, 40, 25 },    /* s0: ham 2 + 0.5² = 2.25; s1: 4 + 0.25 */
		{ 0, 1, 1, 1, 1, 1, 100, 25 },   /* s0: 4 + 2² = 8; s1: 2 + 1² = 3 */
	};
	static const float t[2][8] = {
		{ 0, 0, 0, 0, 0, 0, 20, 25 },    /* s0: 3 + 0; s1: 3 + 1 → 3 */
		{ 1, 0, 1, 1, 1, 1, 200, 25 },   /* s0: 2 + 4.5²; s1: 4 + 3.5² = 16.25 */
	};
	struct mtx *S = make_rows(l, s, 2), *R = make_rows(l, r, 3), *T = make_rows(l, t, 2);
	const double want_r[3] = { 0, 2.25, 3 }, want_t[2] = { 3, 16.25 };
	struct privacy_opts o;
	struct mi_result mi;
	double d[3];
	char *cause = NULL;
	int b, ok;

	for (b = PRIV_GEMM; b < PRIV_COUNT; b++) {
		ok = privacy_nearest(l, R, S, b, d, &cause) == 0 && d[0] == want_r[0] && d[1] == want_r[1] &&
		    d[2] == want_r[2];
		tap_ok(ok, "MI distances R→S by hand, engine %d: %g %g %g", b, d[0], d[1], d[2]);
		ok = privacy_nearest(l, T, S, b, d, &cause) == 0 && d[0] == want_t[0] && d[1] == want_t[1];
		tap_ok(ok, "MI distances T→S by hand, engine %d: %g %g", b, d[0], d[1]);
	}
	privacy_opts_preset(&o, "tutorial");
	tap_ok(eval_mi(l, R, T, S, &o, &mi, &cause) == 0, "eval_mi runs");
	tap_ok(mi.tp == 3 && mi.fn == 0 && mi.fp == 1 && mi.tn == 1, "θ=5: TP 3, FN 0, FP 1, TN 1");
	tap_near(mi.f1, 3.0 / 3.5, 1e-15, "θ=5: F1 = 3/(3 + 1/2)");
	o.mi_threshold = 2.5;
	eval_mi(l, R, T, S, &o, &mi, &cause);
	tap_near(mi.f1, 2.0 / 2.5, 1e-15, "θ=2.5: F1 = 2/(2 + 1/2)");
	/* Scaled storage gives the same answer (read through lo/hi). */
	mtx_scale(R, l);
	mtx_scale(T, l);
	mtx_scale(S, l);
	o.mi_threshold = 5;
	eval_mi(l, R, T, S, &o, &mi, &cause);
	tap_near(mi.f1, 3.0 / 3.5, 1e-12, "scaled matrices: same F1");
	mtx_free(S);
	mtx_free(R);
	mtx_free(T);
	layout_free(l);
}

static void
test_ai_hand(void)
{
	struct layout *l = make_layout(0);
	/* R: C1 is the most prevalent concept (2 of 3) → known with top = 1;
	 * sensitive: C2 (binary) and BMI (continuous). */
	static const float r[3][8] = {
		{ 1, 0, 0, 1, 1, 0, 20, 20 },
		{ 1, 0, 0, 0, 0, 0, 40, 25 },
		{ 0, 1, 1, 1, 1, 1, 100, 30.5 },
	};
	/* S ages 20..90.
	 * r0 (age 20, div max(0,70,1)=70): s0 d 0; s1 1 + 20/70; s2 3 + 70/70 → {s0}: C2 0 (truth 0), BMI 21 ∈ [18,22] ✓
	 * r1 (age 40, div 50): s0 2 + 20/50; s1 2 + 0 = 2; s2 5 + 1 → {s1}: C2 1 (truth 0: FP), BMI 24 ∈ [22.5,27.5] ✓
	 * r2 (age 100, div 80): s2 0 + 10/80 → {s2}: C2 1 (TP), BMI 31 ∈ [27.45,33.55] ✓ */
	static const float s[3][8] = {
		{ 1, 0, 0, 1, 1, 0, 20, 21 },
		{ 1, 0, 0, 1, 1, 1, 40, 24 },
		{ 0, 1, 1, 1, 1, 1, 90, 31 },
	};
	struct mtx *R = make_rows(l, r, 3), *S = make_rows(l, s, 3);
	struct privacy_opts o;
	struct ai_result ai;
	uint8_t known[8];
	char *cause = NULL;
	double hc2 = -(1.0 / 3 * log(1.0 / 3) + 2.0 / 3 * log(2.0 / 3)), hbmi = log(3.0);
	double want = (hc2 * (1.0 / 1.5) + hbmi * 1.0) / (hc2 + hbmi);
	int b;

	tap_ok(privacy_age_column(l) == 6, "age column found by name");
	tap_ok(privacy_known_columns(l, R, 1, known) == 6 && known[4] && !known[5] && known[6] && !known[7],
	    "known: race, label, sex, age, top-1 concept (C1)");
	privacy_opts_preset(&o, "tutorial");
	o.ai_top = 1;
	for (b = PRIV_GEMM; b < PRIV_COUNT; b++) {
		o.backend = b;
		tap_ok(eval_ai(l, R, S, &o, &ai, &cause) == 0, "eval_ai runs (engine %d)", b);
		tap_near(ai.risk, want, 1e-12, "AI risk by hand (engine %d): F1(C2) = 1/(1+0.5), BMI acc 1, entropy weights", b);
		tap_ok(ai.nsensitive == 2 && ai.ntargets == 3 && ai.mean_neighbours == 1.0, "2 sensitive, 3 targets, 1 neighbour each");
	}
	mtx_free(R);
	mtx_free(S);
	/* Tie: two neighbours at distance 0 with C2 = {0,1} and BMI {24, 26}:
	 * mode takes the smallest value: C2 0, BMI 24. */
	{
		static const float r2[2][8] = {
			{ 1, 0, 0, 1, 1, 0, 20, 24 },   /* truth C2 0, BMI 24 */
			{ 0, 1, 1, 0, 0, 1, 50, 40 },
		};
		static const float s2[2][8] = {
			{ 1, 0, 0, 1, 1, 0, 20, 26 },
			{ 1, 0, 0, 1, 1, 1, 20, 24 },
		};
		R = make_rows(l, r2, 2);
		S = make_rows(l, s2, 2);
		o.backend = PRIV_AUTO;
		o.ai_top = 1;   /* C1 and C2 tie at 1 positive: C1 (lower column) known */
		eval_ai(l, R, S, &o, &ai, &cause);
		/* r0: {s0,s1} → C2 0 (TN), BMI 24 ✓; r1 (age 50, div 30): both at
		 * ham 5 + 1 → C2 0 (FN), BMI 24 ∉ [36,44]: F1 = 0, acc 1/2,
		 * weights equal (ln 2 each) → 0.25. */
		tap_near(ai.risk, 0.25, 1e-12, "ties: mode takes the smallest value (risk 0.25)");
		tap_near(ai.mean_neighbours, 2.0, 0, "ties: both neighbours kept");
		mtx_free(R);
		mtx_free(S);
	}
	layout_free(l);
}

static struct mtx *
make_random(const struct layout *l, size_t n, double prev, struct rng *g)
{
	struct mtx *m = mtx_new(n, l);
	float *row = xmalloc((size_t)l->D * sizeof *row);
	size_t r;
	int j;

	for (r = 0; r < n; r++) {
		int grp = rng_uniform(g) < 0.6;

		for (j = 0; j < l->D; j++) {
			if (j < 2)
				row[j] = j == grp;
			else if (l->kind[j] == MCOL_CONT)
				row[j] = (float)(j == l->D - 2 ? floor(18 + 70 * rng_uniform(g)) : 15 + 30 * rng_uniform(g));
			else
				row[j] = rng_uniform(g) < (j < 4 ? 0.4 : prev * (1 + (j % 5)));
		}
		mtx_set_row(m, r, row);
	}
	free(row);
	m->scaled = 0;
	return m;
}

static void
test_engines(void)
{
	struct layout *l = make_layout(60);
	struct rng g;
	struct mtx *R, *T, *S;
	double *d0 = xmalloc(300 * sizeof *d0), *d1 = xmalloc(300 * sizeof *d1);
	struct privacy_opts o;
	struct ai_result a[PRIV_COUNT];
	struct nnaa_result nn[PRIV_COUNT];
	struct mi_result mi;
	char *cause = NULL;
	int b, same;
	size_t i;

	rng_seed(&g, 7);
	R = make_random(l, 300, 0.03, &g);
	T = make_random(l, 150, 0.03, &g);
	S = make_random(l, 500, 0.03, &g);
	privacy_nearest(l, R, S, PRIV_BRUTE, d0, &cause);
	for (b = PRIV_GEMM; b <= PRIV_SPARSE; b++) {
		privacy_nearest(l, R, S, b, d1, &cause);
		same = 1;
		for (i = 0; i < 300; i++)
			same &= d0[i] == d1[i];
		tap_ok(same, "engine %d nearest distances == brute force (300 × 500)", b);
	}
	privacy_opts_preset(&o, "tutorial");
	o.ai_top = 20;
	o.nnaa_n = 100;
	for (b = PRIV_GEMM; b < PRIV_COUNT; b++) {
		o.backend = b;
		eval_ai(l, R, S, &o, &a[b], &cause);
		eval_nnaa(l, R, T, S, &o, &nn[b], &cause);
	}
	tap_ok(a[PRIV_GEMM].risk == a[PRIV_BRUTE].risk && a[PRIV_SPARSE].risk == a[PRIV_BRUTE].risk,
	    "AI identical across engines (%.6f)", a[PRIV_BRUTE].risk);
	tap_ok(nn[PRIV_GEMM].privacy_loss == nn[PRIV_BRUTE].privacy_loss &&
	    nn[PRIV_SPARSE].privacy_loss == nn[PRIV_BRUTE].privacy_loss && nn[PRIV_BRUTE].rounds == 2,
	    "NNAA identical across engines (loss %.4f, 2 rounds = ceil(300/150))", nn[PRIV_BRUTE].privacy_loss);

	/* The real-data baseline (S := R): every member at distance 0. */
	o.backend = PRIV_AUTO;
	eval_mi(l, R, T, R, &o, &mi, &cause);
	tap_ok(mi.recall == 1.0 && mi.tp == 300, "real baseline: MI recall 1 (all members TP)");
	tap_near(mi.f1, 300.0 / (300 + 0.5 * (double)mi.fp), 1e-12, "real baseline: F1 = TP/(TP + FP/2)");
	eval_ai(l, R, R, &o, &a[0], &cause);
	tap_ok(a[0].risk > 0.9, "real baseline: AI risk high (%.3f; paper 0.97)", a[0].risk);
	tap_ok(a[PRIV_BRUTE].risk < a[0].risk, "independent random S: AI below the real baseline");
	eval_nnaa(l, R, T, R, &o, &nn[0], &cause);
	tap_ok(nn[0].aa_train < nn[0].aa_test, "real baseline: NNAA train accuracy below test (%.3f < %.3f)",
	    nn[0].aa_train, nn[0].aa_test);

	/* fast preset: member sample and proportional non-members. */
	privacy_opts_preset(&o, "fast");
	o.mi_members = 100;
	eval_mi(l, R, T, S, &o, &mi, &cause);
	tap_ok(mi.nmembers == 100 && mi.nnonmembers == 50, "sampled targets: 100 members, 50 non-members (|T|/|R|)");
	tap_ok(privacy_opts_preset(&o, "nonesuch") == -1, "unknown preset rejected");

	/* Cancellation. */
	util_interrupted = 1;
	tap_ok(eval_ai(l, R, S, &o, &a[0], &cause) == -1 && cause != NULL && strstr(cause, "interrupted"),
	    "interrupted: -1 with a cause");
	util_interrupted = 0;
	free(cause);
	free(d0);
	free(d1);
	mtx_free(R);
	mtx_free(T);
	mtx_free(S);
	layout_free(l);
}

static void
test_nnaa_hand(void)
{
	struct layout *l = make_layout(0);
	/* 1-D picture on C1..: R and S far apart (AA 1), T = S copy. */
	static const float r[2][8] = {
		{ 1, 0, 0, 0, 0, 0, 50, 25 }, { 1, 0, 0, 0, 0, 0, 50, 25 },
	};
	static const float s[2][8] = {
		{ 0, 1, 1, 1, 1, 1, 50, 25 }, { 0, 1, 1, 1, 1, 1, 50, 25 },
	};
	struct mtx *R = make_rows(l, r, 2), *S = make_rows(l, s, 2), *T = make_rows(l, s, 2);
	struct privacy_opts o;
	struct nnaa_result nn;
	char *cause = NULL;

	privacy_opts_preset(&o, "tutorial");
	tap_ok(eval_nnaa(l, R, T, S, &o, &nn, &cause) == 0, "NNAA runs");
	/* train: d_RS = 6 > d_RR = 0 and d_SR = 6 > d_SS = 0 → AA 1;
	 * test: d_TS = 0 = d_TT and d_ST = 0 = d_SS → AA 0. */
	tap_ok(nn.aa_train == 1.0 && nn.aa_test == 0.0 && nn.privacy_loss == -1.0, "NNAA by hand: AA 1 / 0, loss -1");
	mtx_free(R);
	mtx_free(S);
	mtx_free(T);
	layout_free(l);
}

/* Correlated real data: a latent severity z drives every concept and BMI. */
static struct mtx *
make_correlated(const struct layout *l, size_t n, struct rng *g)
{
	struct mtx *m = mtx_new(n, l);
	float *row = xmalloc((size_t)l->D * sizeof *row);
	size_t r;
	int j;

	for (r = 0; r < n; r++) {
		double z = rng_uniform(g);
		int grp = rng_uniform(g) < 0.6;

		for (j = 0; j < l->D; j++) {
			if (j < 2)
				row[j] = j == grp;
			else if (j == l->D - 2)
				row[j] = (float)floor(18 + 70 * z * rng_uniform(g));
			else if (j == l->D - 1)
				row[j] = (float)(20 + 20 * z + 2 * rng_normal(g));
			else
				row[j] = rng_uniform(g) < (j < 4 ? 0.45 : 0.6 * z * z);
		}
		mtx_set_row(m, r, row);
	}
	free(row);
	m->scaled = 0;
	return m;
}

/* The properties SPEC §5 / the issue name: identical sets give DWD 0 (and
 * CWC 0); the independent-marginals baseline has near-zero prevalence error
 * but a much worse CWC than a lightly perturbed copy of the real data. */
static void
test_properties(void)
{
	struct layout *l = make_layout(30);
	struct rng g;
	struct mtx *R, *P, *M;
	double wd[2] = { 1, 1 }, sd, dwd[2], sd2[2], wd2[4];
	double cwc_p, cwc_m, sd_p, sd_m;
	size_t r, n = 20000;
	int j;

	rng_seed(&g, 11);
	R = make_correlated(l, n, &g);
	sd = eval_sd2d(l, R, R);
	eval_wd(l, R, R, wd);
	tap_ok(sd == 0 && wd[0] == 0 && wd[1] == 0, "identical sets: sd2d 0, WD 0");
	tap_ok(eval_dwd_abs(l, sd, wd) == 0, "identical sets: absolute DWD 0");
	sd2[0] = 0;
	sd2[1] = 3;
	wd2[0] = wd2[1] = 0;
	wd2[2] = 1;
	wd2[3] = 2;
	eval_dwd_runs(l->D, 2, 2, sd2, wd2, dwd, NULL);
	tap_ok(dwd[0] == 0, "identical set among compared sets: relative DWD 0");
	tap_near(eval_cwc(l, R, R, NULL), 0, 1e-3, "identical sets: CWC ~0 (only the tutorial's 1e-8 noise)");

	/* Lightly perturbed copy: 2 % of 0/1 cells flipped, continuous jittered. */
	{
		size_t *idx = xmalloc(n * sizeof *idx);

		for (r = 0; r < n; r++)
			idx[r] = r;
		P = mtx_subset(R, idx, n);
		free(idx);
	}
	for (r = 0; r < n; r++)
		for (j = 2; j < l->D; j++) {
			if (l->kind[j] == MCOL_CONT)
				mtx_set(P, r, j, mtx_get(P, r, j) + (float)rng_normal(&g));
			else if (rng_uniform(&g) < 0.02)
				mtx_set(P, r, j, 1.0f - mtx_get(P, r, j));
		}
	M = baseline_marginals(R, l, n, 0, 0, &g);
	sd_p = eval_sd2d(l, R, P);
	sd_m = eval_sd2d(l, R, M);
	cwc_p = eval_cwc(l, R, P, NULL);
	cwc_m = eval_cwc(l, R, M, NULL);
	tap_ok(sd_m < 0.5 * sd_p, "marginals baseline: prevalence error %.4f below the perturbed copy's %.4f", sd_m, sd_p);
	tap_ok(sd_m / (l->D - 3) < 0.01, "marginals baseline: mean prevalence error per column %.5f near 0",
	    sd_m / (l->D - 3));
	tap_ok(cwc_m > 3 * cwc_p, "marginals baseline: CWC %.1f much worse than the perturbed copy's %.1f", cwc_m, cwc_p);
	mtx_free(R);
	mtx_free(P);
	mtx_free(M);
	layout_free(l);
}

/* SPEC 4.9: the attacker knows 2^8 = 256 of the tutorial's 1,448 concepts;
 * the default keeps that share on any cohort, a setting fixes the count. */
static void
test_ai_known_count(void)
{
	tap_ok(privacy_ai_known(1448, 0) == 256, "tutorial cohort: 256 of 1448 concepts known");
	tap_ok(privacy_ai_known(60, 0) == 11, "60 concepts: 11 known (%d)", privacy_ai_known(60, 0));
	tap_ok(privacy_ai_known(250, 0) == 44, "250 concepts: 44 known, not all (%d)", privacy_ai_known(250, 0));
	tap_ok(privacy_ai_known(3, 0) == 1 && privacy_ai_known(0, 0) == 0, "at least 1 when there are concepts");
	tap_ok(privacy_ai_known(100, 7) == 7 && privacy_ai_known(100, 500) == 100, "a set count, capped");
}

/* Memorisation: a set built from 30 exact copies of training rows, 20 rows
 * with a training row's discrete profile but other ages, and 50 rows with
 * profiles no training row has. */
static void
test_memorisation(void)
{
	struct layout *l = make_layout(30);
	int D = l->D, j;
	struct mtx *R = mtx_new(200, l), *X = mtx_new(100, l);
	struct memo_result mr;
	struct rng g;
	char *cause = NULL;
	size_t r;

	rng_seed(&g, 5);
	for (r = 0; r < 200; r++) {
		mtx_set(R, r, (int)(r % 2), 1);
		for (j = 2; j < D - 2; j++)
			mtx_set(R, r, j, rng_uniform(&g) < 0.5);
		mtx_set(R, r, D - 2, (float)(20 + rng_below(&g, 60)));
		mtx_set(R, r, D - 1, (float)(15 + 30 * rng_uniform(&g)));
	}
	for (r = 0; r < 100; r++) {
		size_t src = (r * 7) % 200;

		for (j = 0; j < D; j++)
			mtx_set(X, r, j, mtx_get(R, src, j));
		if (r >= 30 && r < 50)
			mtx_set(X, r, D - 2, mtx_get(R, src, D - 2) + 0.5f);   /* same profile, other age */
		if (r >= 50)
			for (j = 4; j < D - 2; j++)
				mtx_set(X, r, j, 1);   /* all concepts: no training row has that */
	}
	tap_ok(eval_memorisation(l, R, X, &mr, &cause) == 0, "memorisation runs");
	tap_ok(mr.rows == 100 && mr.exact_rows == 30 && mr.profile_rows == 50, "30 exact copies, 50 discrete "
	    "profiles repeated (%zu, %zu)", mr.exact_rows, mr.profile_rows);
	tap_near(mr.exact, 0.3, 1e-12, "exact-copy share");
	tap_near(mr.profile, 0.5, 1e-12, "profile share");
	tap_ok(eval_memorisation(l, R, R, &mr, &cause) == 0 && mr.exact == 1 && mr.profile == 1,
	    "the training rows themselves: all copies");
	mtx_scale(X, l);
	tap_ok(eval_memorisation(l, R, X, &mr, &cause) == -1 && cause != NULL, "scaled against unscaled refused");
	free(cause);
	mtx_free(R);
	mtx_free(X);
	layout_free(l);
}

int
main(void)
{
	test_ai_known_count();
	test_memorisation();
	test_properties();
	test_mi_hand();
	test_ai_hand();
	test_nnaa_hand();
	test_engines();
	return tap_done();
}
