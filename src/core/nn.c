/* synthehr — GPL-3.0-or-later.
 * Layers of the EMR-WGAN networks: linear (one sgemm each), ReLU, sigmoid,
 * grouped softmax, BatchNorm, LayerNorm with the double-backward that the
 * gradient penalty needs, and the RMSprop/Adam updates.  See nn.h for the
 * argument conventions.  Elementwise loops walk rows contiguously so that
 * the compiler vectorises them (float accumulators). */
#include "config.h"

/* GCC's -O2 vectorises only loops with known trip counts; these loops are
 * the elementwise part of every training step, so ask for the full
 * vectoriser here (IEEE semantics unchanged: no fast-math). */
#if defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "synthehr/nn.h"

/* Hand-written AVX loops (chosen at run time) where GCC's vectoriser cannot
 * help; each computes exactly what its scalar loop does. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__OPTIMIZE__)
#include <immintrin.h>
#define NN_AVX_OPT 1
#endif

/* The elementwise layers are also built for AVX2 (chosen at load time
 * through an ifunc); the explicit 16-lane reductions make the results the
 * same bit for bit as the baseline build.  No FMA: contraction would change
 * rounding between the two. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__OPTIMIZE__) && \
    defined(__ELF__)
#define NN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NN_CLONES
#endif

/* Row reductions with 16 independent partial sums, so that they vectorise
 * without reassociating floating-point additions behind the compiler's back. */
#define NN_LANES 16

static inline float
nn_lanes_total(const float *acc)
{
	float s = 0.0f;
	int t;

	for (t = 0; t < NN_LANES; t++)
		s += acc[t];
	return s;
}

/* sum x[j] */
static inline float
nn_sum(const float *x, int n)
{
	float acc[NN_LANES] = { 0 };
	int j = 0, t;

	for (; j + NN_LANES <= n; j += NN_LANES)
		for (t = 0; t < NN_LANES; t++)
			acc[t] += x[j + t];
	for (; j < n; j++)
		acc[0] += x[j];
	return nn_lanes_total(acc);
}

/* sum a[j] b[j] */
static inline float
nn_dot(const float *a, const float *b, int n)
{
	float acc[NN_LANES] = { 0 };
	int j = 0, t;

	for (; j + NN_LANES <= n; j += NN_LANES)
		for (t = 0; t < NN_LANES; t++)
			acc[t] += a[j + t] * b[j + t];
	for (; j < n; j++)
		acc[0] += a[j] * b[j];
	return nn_lanes_total(acc);
}

/* sum a[j] b[j] c[j] */
static inline float
nn_dot3(const float *a, const float *b, const float *c, int n)
{
	float acc[NN_LANES] = { 0 };
	int j = 0, t;

	for (; j + NN_LANES <= n; j += NN_LANES)
		for (t = 0; t < NN_LANES; t++)
			acc[t] += a[j + t] * b[j + t] * c[j + t];
	for (; j < n; j++)
		acc[0] += a[j] * b[j] * c[j];
	return nn_lanes_total(acc);
}

/* sum (x[j] - m)^2 */
static inline float
nn_sqdev(const float *x, float m, int n)
{
	float acc[NN_LANES] = { 0 };
	int j = 0, t;

	for (; j + NN_LANES <= n; j += NN_LANES)
		for (t = 0; t < NN_LANES; t++)
			acc[t] += (x[j + t] - m) * (x[j + t] - m);
	for (; j < n; j++)
		acc[0] += (x[j] - m) * (x[j] - m);
	return nn_lanes_total(acc);
}

static struct nn_gemm_shape *gemm_rec;
static int gemm_rec_cap, *gemm_rec_n;

void
nn_gemm_record(struct nn_gemm_shape *buf, int cap, int *count)
{
	gemm_rec = buf;
	gemm_rec_cap = cap;
	gemm_rec_n = count;
	if (count != NULL)
		*count = 0;
}

/* cblas_sgemm, row-major, noting the shape when a record is set. */
static void
nn_sgemm(int ta, int tb, int M, int N, int K, const float *A, int lda, const float *B, int ldb,
    float beta, float *C, int ldc)
{
	if (gemm_rec_n != NULL) {
		if (*gemm_rec_n < gemm_rec_cap) {
			struct nn_gemm_shape *g = &gemm_rec[*gemm_rec_n];

			g->ta = ta;
			g->tb = tb;
			g->m = M;
			g->n = N;
			g->k = K;
			g->beta = beta;
		}
		(*gemm_rec_n)++;
	}
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
	    M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
}

void
nn_linear_forward(float *out, const float *inp, const float *W, const float *b,
    int B, int D, int H)
{
	float beta = 0.0f;
	int r;

	if (b != NULL) {
		for (r = 0; r < B; r++)
			memcpy(out + (size_t)r * H, b, (size_t)H * sizeof *b);
		beta = 1.0f;
	}
	nn_sgemm(0, 0, B, H, D, inp, D, W, H, beta, out, H);
}

void
nn_linear_backward(float *dinp, float *dW, float *db, const float *dout,
    const float *inp, const float *W, int B, int D, int H, int acc)
{
	int r, j;

	if (dinp != NULL)
		nn_sgemm(0, 1, B, D, H, dout, H, W, H, acc ? 1.0f : 0.0f, dinp, D);
	if (dW != NULL)
		nn_sgemm(1, 0, D, H, B, inp, D, dout, H, 1.0f, dW, H);
	if (db != NULL) {
		for (r = 0; r < B; r++) {
			const float *d = dout + (size_t)r * H;

			for (j = 0; j < H; j++)
				db[j] += d[j];
		}
	}
}

NN_CLONES void
nn_relu_forward(float *out, const float *inp, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

NN_CLONES void
nn_relu_backward(float *dinp, const float *dout, const float *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		float d = dout[i];   /* unconditional load: the select vectorises */

		dinp[i] = out[i] > 0.0f ? d : 0.0f;
	}
}

#ifdef NN_AVX_OPT
/* The sigmoid 8 at a time with glibc's expf algorithm (sysdeps/ieee754/
 * flt-32/e_expf.c, the table-driven 2^(k/32) with a cubic in double) in the
 * exact operation order of its FMA build, which the scalar loop calls on
 * CPUs with AVX2 and FMA: the results are the same bits (checked over every
 * float below 88 in magnitude).  Blocks with an argument of magnitude >= 88
 * or NaN go to the scalar loop, as do CPUs without FMA. */
static const uint64_t nn_exp2f_tab[32] = {
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

__attribute__((target("avx2,fma"))) static inline __m256d
nn_expd4(__m256d xd)
{
	const __m256d inv = _mm256_set1_pd(0x1.71547652b82fep+5);     /* N / ln 2, N = 32 */
	const __m256d shift = _mm256_set1_pd(0x1.8p+52);
	const __m256d c0 = _mm256_set1_pd(0x1.c6af84b912394p-20);     /* poly / N^3, N^2, N */
	const __m256d c1 = _mm256_set1_pd(0x1.ebfce50fac4f3p-13);
	const __m256d c2 = _mm256_set1_pd(0x1.62e42ff0c52d6p-6);
	__m256d kd = _mm256_fmadd_pd(inv, xd, shift), r, z, r2, y;
	__m256i ki = _mm256_castpd_si256(kd), t;

	kd = _mm256_sub_pd(kd, shift);
	r = _mm256_fmsub_pd(inv, xd, kd);
	t = _mm256_i64gather_epi64((const long long *)nn_exp2f_tab,
	    _mm256_and_si256(ki, _mm256_set1_epi64x(31)), 8);
	t = _mm256_add_epi64(t, _mm256_slli_epi64(ki, 47));
	z = _mm256_fmadd_pd(r, c0, c1);
	r2 = _mm256_mul_pd(r, r);
	y = _mm256_fmadd_pd(r, c2, _mm256_set1_pd(1.0));
	y = _mm256_fmadd_pd(z, r2, y);
	return _mm256_mul_pd(y, _mm256_castsi256_pd(t));
}

__attribute__((target("avx2,fma"))) static size_t
nn_sigmoid_avx2(float *out, const float *inp, size_t n)
{
	const __m256 one = _mm256_set1_ps(1.0f);
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		__m256 x = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(inp + i));
		__m256i top = _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(x), 20),
		    _mm256_set1_epi32(0x7ff));
		__m128 lo, hi;

		if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(top, _mm256_set1_epi32(0x42a))) != 0)
			break;   /* |x| >= 88 or NaN: the scalar loop from here */
		lo = _mm256_cvtpd_ps(nn_expd4(_mm256_cvtps_pd(_mm256_castps256_ps128(x))));
		hi = _mm256_cvtpd_ps(nn_expd4(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1))));
		_mm256_storeu_ps(out + i, _mm256_div_ps(one, _mm256_add_ps(one,
		    _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1))));
	}
	return i;
}

static int
nn_have_avx2_fma(void)
{
	static int have = -1;

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	}
	return have;
}
#endif

void
nn_sigmoid_forward(float *out, const float *inp, size_t n)
{
	size_t i = 0;

#ifdef NN_AVX_OPT
	while (i < n && nn_have_avx2_fma()) {
		i += nn_sigmoid_avx2(out + i, inp + i, n - i);
		if (i + 8 > n)
			break;
		/* a block the vector loop left: 8 scalar values, then on */
		for (size_t e = i + 8; i < e; i++)
			out[i] = 1.0f / (1.0f + expf(-inp[i]));
	}
#endif
	for (; i < n; i++)
		out[i] = 1.0f / (1.0f + expf(-inp[i]));
}

NN_CLONES void
nn_sigmoid_backward(float *dinp, const float *dout, const float *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dinp[i] = dout[i] * out[i] * (1.0f - out[i]);
}

void
nn_softmax_groups_forward(float *out, const float *inp, int B, int D,
    int ngroups, const int *gs, const int *gw)
{
	int r, g, j;

	for (r = 0; r < B; r++) {
		for (g = 0; g < ngroups; g++) {
			const float *x = inp + (size_t)r * D + gs[g];
			float *y = out + (size_t)r * D + gs[g], mx = x[0], s = 0.0f;

			for (j = 1; j < gw[g]; j++)
				if (x[j] > mx)
					mx = x[j];
			for (j = 0; j < gw[g]; j++) {
				y[j] = expf(x[j] - mx);
				s += y[j];
			}
			for (j = 0; j < gw[g]; j++)
				y[j] /= s;
		}
	}
}

void
nn_softmax_groups_backward(float *dinp, const float *dout, const float *out,
    int B, int D, int ngroups, const int *gs, const int *gw)
{
	int r, g, j;

	for (r = 0; r < B; r++) {
		for (g = 0; g < ngroups; g++) {
			size_t o = (size_t)r * D + gs[g];
			const float *y = out + o, *dy = dout + o;
			float *dx = dinp + o, s = 0.0f;

			for (j = 0; j < gw[g]; j++)
				s += y[j] * dy[j];
			for (j = 0; j < gw[g]; j++)
				dx[j] = y[j] * (dy[j] - s);
		}
	}
}

/* Visit the non-group column runs of a row: [lo, hi) between groups
 * (groups are sorted by start and disjoint, checked by wgan). */
#define FOR_SIGMOID_RUNS(D, ngroups, gs, gw, lo, hi, body) do { \
	int fsr_g_, fsr_c_ = 0; \
	for (fsr_g_ = 0; fsr_g_ <= (ngroups); fsr_g_++) { \
		int lo = fsr_c_, hi = fsr_g_ < (ngroups) ? (gs)[fsr_g_] : (D); \
		if (hi > lo) { body; } \
		if (fsr_g_ < (ngroups)) \
			fsr_c_ = (gs)[fsr_g_] + (gw)[fsr_g_]; \
	} \
} while (0)

void
nn_head_forward(float *out, const float *inp, int B, int D,
    int ngroups, const int *gs, const int *gw)
{
	int r;

	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * D;
		float *y = out + (size_t)r * D;

		FOR_SIGMOID_RUNS(D, ngroups, gs, gw, lo, hi,
		    nn_sigmoid_forward(y + lo, x + lo, (size_t)(hi - lo)));
	}
	nn_softmax_groups_forward(out, inp, B, D, ngroups, gs, gw);
}

void
nn_head_backward(float *dinp, const float *dout, const float *out, int B, int D,
    int ngroups, const int *gs, const int *gw)
{
	int r;

	nn_softmax_groups_backward(dinp, dout, out, B, D, ngroups, gs, gw);
	for (r = 0; r < B; r++) {
		size_t o = (size_t)r * D;

		FOR_SIGMOID_RUNS(D, ngroups, gs, gw, lo, hi,
		    nn_sigmoid_backward(dinp + o + lo, dout + o + lo, out + o + lo,
		    (size_t)(hi - lo)));
	}
}

NN_CLONES void
nn_batchnorm_forward_train(float *out, float *xhat, float *mean, float *rstd,
    float *mov_mean, float *mov_var, const float *inp, const float *gamma,
    const float *beta, float eps, float momentum, int B, int H)
{
	int r, j;

	/* Column statistics: accumulate row by row (contiguous), two passes. */
	for (j = 0; j < H; j++)
		mean[j] = 0.0f;
	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * H;

		for (j = 0; j < H; j++)
			mean[j] += x[j];
	}
	for (j = 0; j < H; j++) {
		mean[j] /= (float)B;
		rstd[j] = 0.0f;
	}
	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * H;

		for (j = 0; j < H; j++) {
			float d = x[j] - mean[j];

			rstd[j] += d * d;
		}
	}
	for (j = 0; j < H; j++) {
		float var = rstd[j] / (float)B;

		if (mov_mean != NULL) {
			mov_mean[j] = momentum * mov_mean[j] + (1.0f - momentum) * mean[j];
			mov_var[j] = momentum * mov_var[j] + (1.0f - momentum) * var;
		}
		rstd[j] = 1.0f / sqrtf(var + eps);
	}
	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * H;
		float *xh = xhat + (size_t)r * H, *y = out + (size_t)r * H;

		for (j = 0; j < H; j++) {
			xh[j] = (x[j] - mean[j]) * rstd[j];
			y[j] = gamma[j] * xh[j] + beta[j];
		}
	}
}

NN_CLONES void
nn_batchnorm_forward_infer(float *out, const float *inp, const float *gamma,
    const float *beta, const float *mov_mean, const float *mov_var, float eps, int B, int H)
{
	int r, j;

	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * H;
		float *y = out + (size_t)r * H;

		for (j = 0; j < H; j++)
			y[j] = gamma[j] * ((x[j] - mov_mean[j]) / sqrtf(mov_var[j] + eps)) + beta[j];
	}
}

NN_CLONES void
nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
    const float *mask, const float *xhat, const float *rstd, const float *gamma,
    float *scratch, int B, int H)
{
	float *s1 = scratch, *s2 = scratch + H;   /* [H] sums of dy, dy * xhat */
	int r, j;

	for (j = 0; j < H; j++)
		s1[j] = s2[j] = 0.0f;
	for (r = 0; r < B; r++) {
		const float *dy = dout + (size_t)r * H, *xh = xhat + (size_t)r * H;

		if (mask != NULL) {
			const float *m = mask + (size_t)r * H;

			for (j = 0; j < H; j++) {
				float d = dy[j];

				d = m[j] > 0.0f ? d : 0.0f;
				s1[j] += d;
				s2[j] += d * xh[j];
			}
		} else {
			for (j = 0; j < H; j++) {
				s1[j] += dy[j];
				s2[j] += dy[j] * xh[j];
			}
		}
	}
	for (j = 0; j < H; j++) {
		if (dgamma != NULL)
			dgamma[j] += s2[j];
		if (dbeta != NULL)
			dbeta[j] += s1[j];
	}
	if (dinp == NULL)
		return;
	/* dinp = gamma rstd (dy - mean(dy) - xhat mean(dy xhat)), means over the batch */
	for (j = 0; j < H; j++) {
		s1[j] /= (float)B;
		s2[j] /= (float)B;
	}
	for (r = 0; r < B; r++) {
		const float *dy = dout + (size_t)r * H, *xh = xhat + (size_t)r * H;
		float *dx = dinp + (size_t)r * H;

		if (mask != NULL) {
			const float *m = mask + (size_t)r * H;

			for (j = 0; j < H; j++) {
				float d = dy[j];

				d = m[j] > 0.0f ? d : 0.0f;
				dx[j] = gamma[j] * rstd[j] * (d - s1[j] - xh[j] * s2[j]);
			}
		} else {
			for (j = 0; j < H; j++)
				dx[j] = gamma[j] * rstd[j] * (dy[j] - s1[j] - xh[j] * s2[j]);
		}
	}
}

NN_CLONES void
nn_layernorm_forward(float *out, float *xhat, float *rstd, const float *inp,
    const float *res, const float *gamma, const float *beta, float eps, int B, int H)
{
	int r, j;

	for (r = 0; r < B; r++) {
		const float *x = inp + (size_t)r * H;
		float *xh = xhat + (size_t)r * H, *y = out + (size_t)r * H;
		float m = nn_sum(x, H) / (float)H, v = nn_sqdev(x, m, H) / (float)H, s;

		s = 1.0f / sqrtf(v + eps);
		rstd[r] = s;
		if (res != NULL) {
			const float *q = res + (size_t)r * H;

			for (j = 0; j < H; j++) {
				xh[j] = (x[j] - m) * s;
				y[j] = q[j] + gamma[j] * xh[j] + beta[j];
			}
		} else {
			for (j = 0; j < H; j++) {
				xh[j] = (x[j] - m) * s;
				y[j] = gamma[j] * xh[j] + beta[j];
			}
		}
	}
}

NN_CLONES void
nn_layernorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
    const float *dxhat_extra, const float *drstd_extra, const float *mask,
    const float *xhat, const float *rstd, const float *gamma, int B, int H)
{
	int r, j;

	for (r = 0; r < B; r++) {
		const float *dy = dout + (size_t)r * H, *xh = xhat + (size_t)r * H;
		const float *ex = dxhat_extra != NULL ? dxhat_extra + (size_t)r * H : NULL;
		float *dx = dinp + (size_t)r * H;
		float a, c, s = rstd[r], k;

		if (dgamma != NULL)
			for (j = 0; j < H; j++)
				dgamma[j] += dy[j] * xh[j];
		if (dbeta != NULL)
			for (j = 0; j < H; j++)
				dbeta[j] += dy[j];
		/* dx holds the adjoint of xhat while the row is processed */
		if (ex != NULL)
			for (j = 0; j < H; j++)
				dx[j] = gamma[j] * dy[j] + ex[j];
		else
			for (j = 0; j < H; j++)
				dx[j] = gamma[j] * dy[j];
		a = nn_sum(dx, H) / (float)H;
		c = nn_dot(dx, xh, H) / (float)H;
		/* d rstd / d inp_j = -rstd^2 * xhat_j / H */
		k = drstd_extra != NULL ? drstd_extra[r] * s * s / (float)H : 0.0f;
		for (j = 0; j < H; j++)
			dx[j] = s * (dx[j] - a - xh[j] * c) - k * xh[j];
		if (mask != NULL) {
			const float *m = mask + (size_t)r * H;

			for (j = 0; j < H; j++)
				dx[j] = m[j] > 0.0f ? dx[j] : 0.0f;
		}
	}
}

/* The per-row output loop of nn_layernorm_backward_backward; restrict lets
 * it vectorise (the arrays never overlap). */
static void
nn_lnbb_row(float *restrict dg, float *restrict dx, float *restrict dgamma,
    const float *restrict k, const float *restrict g, const float *restrict xh,
    const float *restrict gamma, float s, float mk, float mkx, float c, int H)
{
	int j;

	for (j = 0; j < H; j++) {
		float kp = s * k[j], ub = kp - mk - xh[j] * mkx;

		dg[j] = ub * gamma[j];
		dgamma[j] += ub * g[j];
		dx[j] = -kp * c - g[j] * gamma[j] * mkx;
	}
}

NN_CLONES void
nn_layernorm_backward_backward(float *dgn, float *dxhat, float *drstd, float *dgamma,
    const float *dgr, const float *gn, const float *gr, const float *xhat,
    const float *rstd, const float *gamma, int B, int H)
{
	int r;

	for (r = 0; r < B; r++) {
		size_t o = (size_t)r * H;
		const float *k = dgr + o, *g = gn + o, *q = gr + o, *xh = xhat + o;
		float *dg = dgn + o, *dx = dxhat + o;
		float s = rstd[r], mk, mkx, c;

		/* k' = rstd * dgr; mk = mean k', mkx = mean k' xhat, c = mean u xhat */
		mk = s * nn_sum(k, H) / (float)H;
		mkx = s * nn_dot(k, xh, H) / (float)H;
		c = nn_dot3(g, gamma, xh, H) / (float)H;
		drstd[r] = nn_dot(k, q, H) / s;
		nn_lnbb_row(dg, dx, dgamma, k, g, xh, gamma, s, mk, mkx, c, H);
	}
}

/* The optimizer updates in AVX, 8 parameters at a time: GCC does not
 * vectorise sqrtf under errno semantics.  Every operation is the scalar
 * loop's, in the same order and without FMA, so the results are the same
 * bit for bit (IEEE sqrt and division are correctly rounded either way). */
#ifdef NN_AVX_OPT
__attribute__((target("avx"))) static size_t
nn_adam_avx(float *p, float *m, float *v, const float *g, size_t n, float lrt, float b1,
    float b2, float eps)
{
	const __m256 B1 = _mm256_set1_ps(b1), C1 = _mm256_set1_ps(1.0f - b1);
	const __m256 B2 = _mm256_set1_ps(b2), C2 = _mm256_set1_ps(1.0f - b2);
	const __m256 LR = _mm256_set1_ps(lrt), EPS = _mm256_set1_ps(eps);
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		__m256 gi = _mm256_loadu_ps(g + i);
		__m256 mi = _mm256_add_ps(_mm256_mul_ps(B1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(C1, gi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(B2, _mm256_loadu_ps(v + i)),
		    _mm256_mul_ps(_mm256_mul_ps(C2, gi), gi));
		__m256 step = _mm256_div_ps(_mm256_mul_ps(LR, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), EPS));

		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		_mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), step));
	}
	return i;
}

__attribute__((target("avx"))) static size_t
nn_rmsprop_avx(float *p, float *ms, const float *g, size_t n, float lr, float rho, float eps)
{
	const __m256 RHO = _mm256_set1_ps(rho), C = _mm256_set1_ps(1.0f - rho);
	const __m256 LR = _mm256_set1_ps(lr), EPS = _mm256_set1_ps(eps);
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		__m256 gi = _mm256_loadu_ps(g + i);
		__m256 si = _mm256_add_ps(_mm256_mul_ps(RHO, _mm256_loadu_ps(ms + i)),
		    _mm256_mul_ps(_mm256_mul_ps(C, gi), gi));
		__m256 step = _mm256_div_ps(_mm256_mul_ps(LR, gi), _mm256_add_ps(_mm256_sqrt_ps(si), EPS));

		_mm256_storeu_ps(ms + i, si);
		_mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), step));
	}
	return i;
}

static int
nn_have_avx(void)
{
	static int have = -1;

	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx") != 0;
	}
	return have;
}
#endif

void
nn_rmsprop_update(float *p, float *ms, const float *g, size_t n,
    float lr, float rho, float eps)
{
	size_t i = 0;

#ifdef NN_AVX_OPT
	if (nn_have_avx())
		i = nn_rmsprop_avx(p, ms, g, n, lr, rho, eps);
#endif
	for (; i < n; i++) {
		ms[i] = rho * ms[i] + (1.0f - rho) * g[i] * g[i];
		p[i] -= lr * g[i] / (sqrtf(ms[i]) + eps);
	}
}

void
nn_adam_update(float *p, float *m, float *v, const float *g, size_t n,
    float lr, float b1, float b2, float eps, long t)
{
	float lrt = (float)(lr * sqrt(1.0 - pow(b2, (double)t)) / (1.0 - pow(b1, (double)t)));
	size_t i = 0;

#ifdef NN_AVX_OPT
	if (nn_have_avx())
		i = nn_adam_avx(p, m, v, g, n, lrt, b1, b2, eps);
#endif
	for (; i < n; i++) {
		m[i] = b1 * m[i] + (1.0f - b1) * g[i];
		v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
		p[i] -= lrt * m[i] / (sqrtf(v[i]) + eps);
	}
}
