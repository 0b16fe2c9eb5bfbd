/* synthehr — GPL-3.0-or-later.
 * `synthehr bench`: timing probes that print one JSON line each.
 *   bench train  times full EMR-WGAN training steps (critic step with the
 *                gradient penalty, then generator step) on random data and
 *                reports steps/s and the achieved GFLOP/s, FLOPs counted
 *                analytically by wgan_step_flops;
 *   bench sgemm  times one cblas_sgemm shape, the peak to compare with. */
#include "config.h"

#include <cblas.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "synthehr/blas.h"
#include "synthehr/nn.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"

static const char bench_usage[] =
    "usage: synthehr bench train [--batch B] [--cols D] [--width W] [--depth L]\n"
    "                            [--zdim Z] [--steps N] [--warmup K] [--threads T] [--seed S]\n"
    "       synthehr bench sgemm [--m M] [--n N] [--k K] [--reps R] [--threads T]\n"
    "train: times N full EMR-WGAN training steps (after K warm-up steps) on random\n"
    "  data; defaults are the tutorial geometry: batch 4096, 1460 columns (a\n"
    "  6-column softmax group first), width 384, depth 5, zdim 128, 3 steps, 1 warm-up.\n"
    "  Then the step's sgemm calls are replayed alone, N times: step_vs_sgemm is the\n"
    "  step's rate over sgemm's on the same shapes (by wall clock; _cpu: by CPU time).\n"
    "sgemm: times C[M x N] = A[M x K] B[K x N] (default 4096 x 384 x 1460, 5 reps).\n"
    "Threads: OpenBLAS threads (default: OPENBLAS_NUM_THREADS or OpenBLAS's choice).\n"
    "Output: one JSON line on stdout.  Set OPENBLAS_CORETYPE to pick the kernels.\n";

/* Process CPU seconds (all threads): robust to other load on a shared
 * machine, where wall time is not. */
static double
bench_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
bench_int(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "synthehr bench: %s wants an integer in [%ld, %ld], got '%s'\n",
		    opt, lo, hi, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parse --name VALUE pairs into vals[] by names[]; -1 on bad usage. */
static int
bench_opts(int argc, char **argv, const char **names, const long *lo, const long *hi,
    long *vals, int n)
{
	int a, k;

	for (a = 2; a < argc; a++) {
		for (k = 0; k < n; k++)
			if (strcmp(argv[a], names[k]) == 0)
				break;
		if (k == n) {
			fprintf(stderr, "synthehr bench: unknown option '%s'\n%s", argv[a], bench_usage);
			return -1;
		}
		if (a + 1 >= argc) {
			fprintf(stderr, "synthehr bench: %s needs a value\n", argv[a]);
			return -1;
		}
		if (bench_int(names[k], argv[a + 1], lo[k], hi[k], &vals[k]) != 0)
			return -1;
		a++;
	}
	return 0;
}

static double
bench_median(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#define GEMM_MAX 256

/* The sgemm calls of one training step, replayed alone: seconds (wall and
 * CPU) per step's worth of calls and their FLOPs.  This is the peak the
 * step is compared with: the same shapes, transposes and betas, in order. */
static void
bench_replay(struct wgan *w, const float *X, int B, struct rng *rng, int reps,
    double *wall, double *cpu, double *flops)
{
	struct nn_gemm_shape sh[GEMM_MAX];
	size_t big = 1;
	float *A, *Bm, *C;
	double *dt, c0;
	int n = 0, i, r;

	nn_gemm_record(sh, GEMM_MAX, &n);
	wgan_train_step(w, X, B, rng, NULL);
	nn_gemm_record(NULL, 0, NULL);
	n = SH_MIN(n, GEMM_MAX);
	*flops = 0;
	for (i = 0; i < n; i++) {
		size_t a = (size_t)sh[i].m * sh[i].k, b = (size_t)sh[i].k * sh[i].n, c = (size_t)sh[i].m * sh[i].n;

		big = SH_MAX(big, SH_MAX(a, SH_MAX(b, c)));
		*flops += 2.0 * sh[i].m * sh[i].n * (double)sh[i].k;
	}
	/* separate buffers per operand, like the step's own arrays */
	A = xmalloc_aligned(big * sizeof *A);
	Bm = xmalloc_aligned(big * sizeof *Bm);
	C = xmalloc_aligned(big * sizeof *C);
	for (i = 0; i < (int)big; i++) {
		A[i] = 0.01f * (rng_uniformf(rng) - 0.5f);
		Bm[i] = 0.01f * (rng_uniformf(rng) - 0.5f);
		C[i] = 0;
	}
	dt = xcalloc((size_t)reps, sizeof *dt);
	c0 = bench_cpu();
	for (r = 0; r < reps; r++) {
		double t0 = util_now();

		for (i = 0; i < n; i++) {
			const struct nn_gemm_shape *g = &sh[i];

			cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
			    g->tb ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0f, A,
			    g->ta ? g->m : g->k, Bm, g->tb ? g->k : g->n, g->beta, C, g->n);
		}
		dt[r] = util_now() - t0;
	}
	*cpu = (bench_cpu() - c0) / reps;
	*wall = bench_median(dt, reps);
	free(dt);
	free(A);
	free(Bm);
	free(C);
}

static int
bench_train(int argc, char **argv)
{
	static const char *names[] = { "--batch", "--cols", "--width", "--depth", "--zdim",
	    "--steps", "--warmup", "--threads", "--seed" };
	static const long lo[] = { 1, 1, 1, 1, 1, 1, 0, 0, 0 };
	static const long hi[] = { 1 << 20, 1 << 20, 1 << 16, 64, 1 << 16, 100000, 1000, 256,
	    LONG_MAX };
	long v[] = { 4096, 1460, 384, 5, 128, 3, 1, 0, 1 };
	struct wgan_config cfg;
	struct wgan_stats st;
	struct wgan *w;
	struct rng rng;
	float *X;
	double t0, *dt, flops, med, tot = 0, c0, cpu, rwall, rcpu, rflops;
	size_t i, n;
	int gs = 0, gw = 6, B, s;

	if (bench_opts(argc, argv, names, lo, hi, v, (int)SH_NELEM(names)) != 0)
		return EXIT_USAGE;
	if (v[7] > 0)
		blas_set_threads((int)v[7]);
	B = (int)v[0];
	if ((double)B * (double)v[1] > 1e9 || (double)B * (double)v[2] * v[3] > 1e9) {
		fprintf(stderr, "synthehr bench: batch x columns and batch x width x depth must "
		    "stay under 1e9\n");
		return EXIT_USAGE;
	}
	wgan_config_tutorial(&cfg, (int)v[1], v[1] > 6 ? 1 : 0, &gs, &gw);
	cfg.width = (int)v[2];
	cfg.depth = (int)v[3];
	cfg.zdim = (int)v[4];
	w = wgan_new(&cfg, (uint64_t)v[8]);
	rng_seed(&rng, (uint64_t)v[8] + 1);
	n = (size_t)B * cfg.D;
	X = xmalloc_aligned(n * sizeof *X);
	/* one-hot group, 10% positive binary columns */
	for (i = 0; i < n; i++)
		X[i] = rng_uniformf(&rng) < 0.1f ? 1.0f : 0.0f;
	if (cfg.ngroups == 1)
		for (s = 0; s < B; s++) {
			int j, hot = (int)rng_below(&rng, 6);

			for (j = 0; j < 6; j++)
				X[(size_t)s * cfg.D + j] = j == hot ? 1.0f : 0.0f;
		}
	for (s = 0; s < v[6]; s++)
		wgan_train_step(w, X, B, &rng, &st);
	dt = xcalloc((size_t)v[5], sizeof *dt);
	c0 = bench_cpu();
	for (s = 0; s < v[5]; s++) {
		t0 = util_now();
		wgan_train_step(w, X, B, &rng, &st);
		dt[s] = util_now() - t0;
		tot += dt[s];
	}
	cpu = (bench_cpu() - c0) / v[5];
	med = bench_median(dt, (int)v[5]);
	flops = wgan_step_flops(&cfg, B);
	bench_replay(w, X, B, &rng, (int)v[5], &rwall, &rcpu, &rflops);
	printf("{\"bench\":\"train\",\"batch\":%d,\"cols\":%d,\"width\":%d,\"depth\":%d,"
	    "\"zdim\":%d,\"steps\":%ld,\"warmup\":%ld,\"steps_per_s\":%.4g,\"s_per_step\":%.4g,"
	    "\"s_per_step_mean\":%.4g,\"cpu_s_per_step\":%.4g,\"flops_per_step\":%.6g,"
	    "\"gflops\":%.4g,\"gflops_per_cpu_s\":%.4g,"
	    "\"sgemm_flops_per_step\":%.6g,\"sgemm_same_shapes_s\":%.4g,\"sgemm_same_shapes_cpu_s\":%.4g,"
	    "\"sgemm_same_shapes_gflops\":%.4g,\"sgemm_same_shapes_gflops_per_cpu_s\":%.4g,"
	    "\"step_vs_sgemm\":%.3f,\"step_vs_sgemm_cpu\":%.3f,"
	    "\"blas_core\":\"%s\",\"threads\":%d,\"disc_loss\":%.6g,\"gen_loss\":%.6g,"
	    "\"peak_rss_mb\":%.1f}\n",
	    B, cfg.D, cfg.width, cfg.depth, cfg.zdim, v[5], v[6], 1.0 / med, med, tot / v[5],
	    cpu, flops, flops / med * 1e-9, flops / cpu * 1e-9, rflops, rwall, rcpu, rflops / rwall * 1e-9,
	    rflops / rcpu * 1e-9, rwall / med, rcpu / cpu, blas_core(), blas_threads(), st.disc_loss, st.gen_loss,
	    util_peak_rss() / 1048576.0);
	free(dt);
	free(X);
	wgan_free(w);
	return EXIT_OK;
}

static int
bench_sgemm(int argc, char **argv)
{
	static const char *names[] = { "--m", "--n", "--k", "--reps", "--threads" };
	static const long lo[] = { 1, 1, 1, 1, 0 };
	static const long hi[] = { 1 << 16, 1 << 16, 1 << 16, 10000, 256 };
	long v[] = { 4096, 384, 1460, 5, 0 };
	size_t i;
	float *A, *Bm, *C;
	double t0, *dt, med, c0, cpu;
	int r;
	struct rng rng;

	if (bench_opts(argc, argv, names, lo, hi, v, (int)SH_NELEM(names)) != 0)
		return EXIT_USAGE;
	if ((double)v[0] * v[2] > 4e8 || (double)v[2] * v[1] > 4e8 || (double)v[0] * v[1] > 4e8) {
		fprintf(stderr, "synthehr bench: matrices over 4e8 elements\n");
		return EXIT_USAGE;
	}
	if (v[4] > 0)
		blas_set_threads((int)v[4]);
	rng_seed(&rng, 1);
	A = xmalloc_aligned((size_t)v[0] * v[2] * sizeof *A);
	Bm = xmalloc_aligned((size_t)v[2] * v[1] * sizeof *Bm);
	C = xmalloc_aligned((size_t)v[0] * v[1] * sizeof *C);
	for (i = 0; i < (size_t)v[0] * v[2]; i++)
		A[i] = rng_uniformf(&rng) - 0.5f;
	for (i = 0; i < (size_t)v[2] * v[1]; i++)
		Bm[i] = rng_uniformf(&rng) - 0.5f;
	dt = xcalloc((size_t)v[3], sizeof *dt);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)v[0], (int)v[1], (int)v[2],
	    1.0f, A, (int)v[2], Bm, (int)v[1], 0.0f, C, (int)v[1]);
	c0 = bench_cpu();
	for (r = 0; r < v[3]; r++) {
		t0 = util_now();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)v[0], (int)v[1],
		    (int)v[2], 1.0f, A, (int)v[2], Bm, (int)v[1], 0.0f, C, (int)v[1]);
		dt[r] = util_now() - t0;
	}
	cpu = (bench_cpu() - c0) / v[3];
	med = bench_median(dt, (int)v[3]);
	printf("{\"bench\":\"sgemm\",\"m\":%ld,\"n\":%ld,\"k\":%ld,\"reps\":%ld,\"s_per_call\":%.4g,"
	    "\"gflops\":%.4g,\"gflops_per_cpu_s\":%.4g,\"blas_core\":\"%s\",\"threads\":%d}\n",
	    v[0], v[1], v[2], v[3], med, 2.0 * v[0] * v[1] * v[2] / med * 1e-9,
	    2.0 * v[0] * v[1] * v[2] / cpu * 1e-9, blas_core(), blas_threads());
	free(dt);
	free(A);
	free(Bm);
	free(C);
	return EXIT_OK;
}

int
cmd_bench(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "train") == 0)
		return bench_train(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "sgemm") == 0)
		return bench_sgemm(argc, argv);
	fprintf(stderr, "synthehr bench: %s\n%s", argc >= 2 ? "unknown probe" : "which probe?",
	    bench_usage);
	return EXIT_USAGE;
}
