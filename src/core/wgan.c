/* synthehr — GPL-3.0-or-later.
 * EMR-WGAN (SPEC §1): the tutorial's generator and critic on one flat
 * parameter block, the WGAN-GP training step with its exact analytic
 * double-backward, generation and critic scoring.  All work buffers are
 * sized for a batch capacity and reused, so a training step allocates
 * nothing; every matrix product is one sgemm over the whole batch.
 *
 * The critic step, on B rows (λ = gp_lambda, L = depth):
 *   1. fake = G(z1) with BatchNorm in inference mode.
 *   2. One critic forward on the 3B rows [real; fake; xhat], where
 *      xhat = real + eps * (fake - real) (eps one per row).  Every op acts on
 *      one row at a time, so this equals three separate calls.
 *   3. First-order backward on the xhat rows to the input: g = dD/dxhat,
 *      saving each layer's ga_i (the gradient at the pre-activation) and
 *      gx_i (the gradient at the layer output).
 *   4. gp = mean((|g| - 1)^2); its adjoint gbar = λ 2 (|g| - 1) g / (B |g|).
 *   5. Reverse pass over step 3, layers 0..L-1 (the double-backward): it
 *      adds the parts of dV_i, dgamma_i and dVout that flow through the
 *      backward graph and yields, per layer, adjoints of the forward values
 *      that the backward used (xhat_i and rstd_i of the LayerNorm).
 *   6. One backward over the 3B rows with output adjoints -1/B (real),
 *      +1/B (fake), 0 (xhat) and the step-5 adjoints injected into the
 *      LayerNorms of the xhat rows: this adds the rest of every gradient.
 * The generator step: G(z2) in training mode (moving statistics updated),
 * critic forward, critic backward to the input only, generator backward. */
#include "config.h"

/* Full vectoriser for the elementwise loops (see nn.c). */
#if defined(__OPTIMIZE__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "synthehr/nn.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"

#define WGAN_NORM_EPS 1e-5f
#define WGAN_BN_MOMENTUM 0.99f
#define WGAN_RMS_RHO 0.9f
#define WGAN_OPT_EPS 1e-7f
#define WGAN_CHUNK 1024

struct wgan_layer {
	size_t W, b, gamma, beta;  /* offsets into the parameter block */
	int in;                    /* fan-in */
};

struct wgan {
	struct wgan_config cfg;
	int *gs, *gw;              /* [ngroups] group start / width */
	struct wgan_layer *gl;     /* [depth] generator layers */
	struct wgan_layer *dl;     /* [depth] critic layers */
	size_t head_W, head_b;     /* [width x D], [D] */
	size_t out_W, out_b;       /* [width x 1], [1] */
	size_t np, npg;            /* parameters in all, in G */
	float *p, *g, *m, *v;      /* [np] params, grads, optimizer state 1 and 2 */
	float *bn;                 /* [depth][2][width] BN moving mean, var */
	long step;

	/* Work buffers for a batch of up to cap rows (critic: 3 cap rows). */
	int cap;
	float **allocs;
	int nallocs;
	float *cin;                /* [3cap x D] critic input rows */
	float **cr, **cxh, **crs, **cx; /* [depth]: relu out, LN xhat [3cap x H]; rstd [3cap]; out [3cap x H] */
	float *cout, *cdout;       /* [3cap] critic scores, their adjoints */
	float *cdx0, *cda;         /* [3cap x H] backward temporaries */
	float **pga, **pgx;        /* [depth][cap x H] first-order backward on xhat */
	float **pinjx, **pinjr;    /* [depth] injected adjoints [cap x H], [cap] */
	float *pg;                 /* [cap x D] dD/dxhat, then its adjoint */
	float *pb0, *pb1, *pab;    /* [cap x H] double-backward temporaries */
	float *gz;                 /* [cap x zdim] */
	float **gh, **gxh, **gx;   /* [depth][cap x H]: relu(BN) out, BN xhat, layer out */
	float **gmean, **grstd;    /* [depth][width] BN batch statistics */
	float *gy, *gdy;           /* [cap x D] generator output, its gradient */
	float *gdx0, *gda;         /* [cap x H] */
	float *z1, *z2, *eps;      /* [cap x zdim] x2, [cap] */
	float *scratch;            /* [2 width] */
};

static int
wgan_check(const struct wgan_config *c, char **cause)
{
	int g, end = 0;

	if (c->D < 1 || c->zdim < 1 || c->width < 1 || c->depth < 1)
		return util_fail(cause, "wgan: columns (%d), noise width (%d), hidden width (%d) "
		    "and depth (%d) must all be at least 1", c->D, c->zdim, c->width, c->depth);
	if (c->ngroups < 0 || (c->ngroups > 0 && (c->group_start == NULL || c->group_width == NULL)))
		return util_fail(cause, "wgan: bad group list (%d groups)", c->ngroups);
	for (g = 0; g < c->ngroups; g++) {
		if (c->group_width[g] < 1 || c->group_start[g] < end ||
		    c->group_start[g] + c->group_width[g] > c->D)
			return util_fail(cause, "wgan: group %d (columns %d..%d) must be non-empty, "
			    "sorted, disjoint and inside the %d columns", g, c->group_start[g],
			    c->group_start[g] + c->group_width[g] - 1, c->D);
		end = c->group_start[g] + c->group_width[g];
	}
	if (!(c->lr_g > 0) || !(c->lr_d > 0) || !(c->gp_lambda >= 0))
		return util_fail(cause, "wgan: learning rates must be > 0 and the gradient "
		    "penalty weight >= 0");
	if (c->optimizer != WGAN_OPT_RMSPROP && c->optimizer != WGAN_OPT_ADAM)
		return util_fail(cause, "wgan: unknown optimizer %d", c->optimizer);
	if (c->optimizer == WGAN_OPT_ADAM && (!(c->adam_b1 >= 0 && c->adam_b1 < 1) ||
	    !(c->adam_b2 >= 0 && c->adam_b2 < 1)))
		return util_fail(cause, "wgan: Adam betas must be in [0, 1)");
	return 0;
}

void
wgan_config_tutorial(struct wgan_config *cfg, int D, int ngroups,
    const int *group_start, const int *group_width)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->D = D;
	cfg->zdim = 128;
	cfg->width = 384;
	cfg->depth = 5;
	cfg->ngroups = ngroups;
	cfg->group_start = group_start;
	cfg->group_width = group_width;
	cfg->lr_g = 1e-5;
	cfg->lr_d = 2e-5;
	cfg->gp_lambda = 10.0;
	cfg->optimizer = WGAN_OPT_RMSPROP;
	cfg->adam_b1 = 0.9;
	cfg->adam_b2 = 0.999;
}

static float *
wgan_buf(struct wgan *w, size_t n)
{
	float *b = xmalloc_aligned((n ? n : 1) * sizeof(float));

	w->allocs = xreallocarray(w->allocs, (size_t)w->nallocs + 1, sizeof *w->allocs);
	w->allocs[w->nallocs++] = b;
	return b;
}

static float **
wgan_bufs(struct wgan *w, size_t n)
{
	float **v = xcalloc((size_t)w->cfg.depth, sizeof *v);
	int i;

	for (i = 0; i < w->cfg.depth; i++)
		v[i] = wgan_buf(w, n);
	return v;
}

static void
wgan_buffers_free(struct wgan *w)
{
	int i;

	for (i = 0; i < w->nallocs; i++)
		free(w->allocs[i]);
	free(w->allocs);
	w->allocs = NULL;
	w->nallocs = 0;
	free(w->cr); free(w->cxh); free(w->crs); free(w->cx);
	free(w->pga); free(w->pgx); free(w->pinjx); free(w->pinjr);
	free(w->gh); free(w->gxh); free(w->gx); free(w->gmean); free(w->grstd);
	w->cap = 0;
}

/* Size every work buffer for batches of up to B rows (no-op when they are). */
static void
wgan_reserve(struct wgan *w, int B)
{
	size_t c, D = (size_t)w->cfg.D, H = (size_t)w->cfg.width, Z = (size_t)w->cfg.zdim;

	if (B <= w->cap)
		return;
	wgan_buffers_free(w);
	w->cap = B;
	c = (size_t)B;
	w->cin = wgan_buf(w, 3 * c * D);
	w->cr = wgan_bufs(w, 3 * c * H);
	w->cxh = wgan_bufs(w, 3 * c * H);
	w->crs = wgan_bufs(w, 3 * c);
	w->cx = wgan_bufs(w, 3 * c * H);
	w->cout = wgan_buf(w, 3 * c);
	w->cdout = wgan_buf(w, 3 * c);
	w->cdx0 = wgan_buf(w, 3 * c * H);
	w->cda = wgan_buf(w, 3 * c * H);
	w->pga = wgan_bufs(w, c * H);
	w->pgx = wgan_bufs(w, c * H);
	w->pinjx = wgan_bufs(w, c * H);
	w->pinjr = wgan_bufs(w, c);
	w->pg = wgan_buf(w, c * D);
	w->pb0 = wgan_buf(w, c * H);
	w->pb1 = wgan_buf(w, c * H);
	w->pab = wgan_buf(w, c * H);
	w->gz = wgan_buf(w, c * Z);
	w->gh = wgan_bufs(w, c * H);
	w->gxh = wgan_bufs(w, c * H);
	w->gx = wgan_bufs(w, c * H);
	w->gmean = wgan_bufs(w, H);
	w->grstd = wgan_bufs(w, H);
	w->gy = wgan_buf(w, c * D);
	w->gdy = wgan_buf(w, c * D);
	w->gdx0 = wgan_buf(w, c * H);
	w->gda = wgan_buf(w, c * H);
	w->z1 = wgan_buf(w, c * Z);
	w->z2 = wgan_buf(w, c * Z);
	w->eps = wgan_buf(w, c);
	w->scratch = wgan_buf(w, 2 * H);
}

/* Glorot-uniform limit times a uniform draw in [-1, 1). */
static void
wgan_glorot(float *W, int rows, int cols, int ld, int fan_in, int fan_out, struct rng *rng)
{
	double lim = sqrt(6.0 / (fan_in + fan_out));
	int r, c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++)
			W[(size_t)r * ld + c] = (float)((2.0 * rng_uniform(rng) - 1.0) * lim);
}

static size_t
wgan_layout(struct wgan *w)
{
	const struct wgan_config *c = &w->cfg;
	size_t o = 0, H = (size_t)c->width;
	int i;

	for (i = 0; i < c->depth; i++) {
		struct wgan_layer *l = &w->gl[i];

		l->in = i == 0 ? c->zdim : c->width;
		l->W = o; o += (size_t)l->in * H;
		l->b = o; o += H;
		l->gamma = o; o += H;
		l->beta = o; o += H;
	}
	w->head_W = o; o += H * (size_t)c->D;
	w->head_b = o; o += (size_t)c->D;
	w->npg = o;
	for (i = 0; i < c->depth; i++) {
		struct wgan_layer *l = &w->dl[i];

		l->in = i == 0 ? c->D : c->width;
		l->W = o; o += (size_t)l->in * H;
		l->b = o; o += H;
		l->gamma = o; o += H;
		l->beta = o; o += H;
	}
	w->out_W = o; o += H;
	w->out_b = o; o += 1;
	return o;
}

struct wgan *
wgan_new_checked(const struct wgan_config *cfg, uint64_t seed, char **cause)
{
	struct wgan *w;
	struct rng rng;
	int i, g, H;

	if (wgan_check(cfg, cause) != 0)
		return NULL;
	w = xcalloc(1, sizeof *w);
	w->cfg = *cfg;
	w->gs = xcalloc((size_t)cfg->ngroups + 1, sizeof *w->gs);
	w->gw = xcalloc((size_t)cfg->ngroups + 1, sizeof *w->gw);
	for (g = 0; g < cfg->ngroups; g++) {
		w->gs[g] = cfg->group_start[g];
		w->gw[g] = cfg->group_width[g];
	}
	w->cfg.group_start = w->gs;
	w->cfg.group_width = w->gw;
	w->gl = xcalloc((size_t)cfg->depth, sizeof *w->gl);
	w->dl = xcalloc((size_t)cfg->depth, sizeof *w->dl);
	w->np = wgan_layout(w);
	w->p = xmalloc_aligned(w->np * sizeof(float));
	w->g = xmalloc_aligned(w->np * sizeof(float));
	w->m = xmalloc_aligned(w->np * sizeof(float));
	w->v = xmalloc_aligned(w->np * sizeof(float));
	memset(w->p, 0, w->np * sizeof(float));
	memset(w->g, 0, w->np * sizeof(float));
	memset(w->m, 0, w->np * sizeof(float));
	memset(w->v, 0, w->np * sizeof(float));
	H = cfg->width;
	w->bn = xmalloc_aligned((size_t)cfg->depth * 2 * H * sizeof(float));
	for (i = 0; i < cfg->depth; i++) {
		int j;

		for (j = 0; j < H; j++) {
			w->bn[(size_t)i * 2 * H + j] = 0.0f;
			w->bn[(size_t)i * 2 * H + H + j] = 1.0f;
		}
	}

	/* Keras defaults: glorot-uniform kernels (each output head its own
	 * fan-out), zero biases, gamma 1, beta 0. */
	rng_seed(&rng, seed);
	for (i = 0; i < cfg->depth; i++) {
		const struct wgan_layer *l = &w->gl[i];
		int j;

		wgan_glorot(w->p + l->W, l->in, H, H, l->in, H, &rng);
		for (j = 0; j < H; j++)
			w->p[l->gamma + j] = 1.0f;
	}
	{
		int nsig = cfg->D, c0 = 0;

		for (g = 0; g < cfg->ngroups; g++) {
			nsig -= w->gw[g];
			wgan_glorot(w->p + w->head_W + w->gs[g], H, w->gw[g], cfg->D, H, w->gw[g], &rng);
		}
		for (g = 0; g <= cfg->ngroups; g++) {
			int c1 = g < cfg->ngroups ? w->gs[g] : cfg->D;

			if (c1 > c0)
				wgan_glorot(w->p + w->head_W + c0, H, c1 - c0, cfg->D, H, nsig, &rng);
			if (g < cfg->ngroups)
				c0 = w->gs[g] + w->gw[g];
		}
	}
	for (i = 0; i < cfg->depth; i++) {
		const struct wgan_layer *l = &w->dl[i];
		int j;

		wgan_glorot(w->p + l->W, l->in, H, H, l->in, H, &rng);
		for (j = 0; j < H; j++)
			w->p[l->gamma + j] = 1.0f;
	}
	wgan_glorot(w->p + w->out_W, H, 1, 1, H, 1, &rng);
	return w;
}

struct wgan *
wgan_new(const struct wgan_config *cfg, uint64_t seed)
{
	char *cause = NULL;
	struct wgan *w = wgan_new_checked(cfg, seed, &cause);

	if (w == NULL)
		fatalx("%s", cause);
	return w;
}

void
wgan_free(struct wgan *w)
{
	if (w == NULL)
		return;
	wgan_buffers_free(w);
	free(w->gs);
	free(w->gw);
	free(w->gl);
	free(w->dl);
	free(w->p);
	free(w->g);
	free(w->m);
	free(w->v);
	free(w->bn);
	free(w);
}

const struct wgan_config *
wgan_get_config(const struct wgan *w)
{
	return &w->cfg;
}

float *wgan_params(struct wgan *w) { return w->p; }
float *wgan_grads(struct wgan *w) { return w->g; }
size_t wgan_nparams(const struct wgan *w) { return w->np; }
size_t wgan_nparams_g(const struct wgan *w) { return w->npg; }
long wgan_steps(const struct wgan *w) { return w->step; }

void
wgan_set_lr(struct wgan *w, double lr_g, double lr_d)
{
	w->cfg.lr_g = lr_g;
	w->cfg.lr_d = lr_d;
}

/* Critic forward on N rows of inp[N x D] (N <= 3 cap): saves every layer's
 * values in the critic buffers and the scores in cout[N]. */
static void
wgan_critic_forward(struct wgan *w, const float *inp, int N)
{
	const struct wgan_config *c = &w->cfg;
	const float *p = w->p;
	int i, H = c->width;

	for (i = 0; i < c->depth; i++) {
		const struct wgan_layer *l = &w->dl[i];
		const float *x = i == 0 ? inp : w->cx[i - 1];

		nn_linear_forward(w->cr[i], x, p + l->W, p + l->b, N, l->in, H);
		nn_relu_forward(w->cr[i], w->cr[i], (size_t)N * H);
		nn_layernorm_forward(w->cx[i], w->cxh[i], w->crs[i], w->cr[i], i == 0 ? NULL : x,
		    p + l->gamma, p + l->beta, WGAN_NORM_EPS, N, H);
	}
	nn_linear_forward(w->cout, w->cx[c->depth - 1], p + w->out_W, p + w->out_b, N, H, 1);
}

/* Generator forward on z[N x zdim] (N <= cap) into out[N x D]. */
static void
wgan_gen_forward(struct wgan *w, const float *z, int N, int training, float *out)
{
	const struct wgan_config *c = &w->cfg;
	const float *p = w->p;
	size_t n = (size_t)N * c->width, k;
	int i, H = c->width;

	for (i = 0; i < c->depth; i++) {
		const struct wgan_layer *l = &w->gl[i];
		const float *x = i == 0 ? z : w->gx[i - 1];
		float *h = w->gh[i], *y = w->gx[i];
		float *mm = w->bn + (size_t)i * 2 * H, *mv = mm + H;

		nn_linear_forward(h, x, p + l->W, p + l->b, N, l->in, H);
		if (training)
			nn_batchnorm_forward_train(h, w->gxh[i], w->gmean[i], w->grstd[i], mm, mv,
			    h, p + l->gamma, p + l->beta, WGAN_NORM_EPS, WGAN_BN_MOMENTUM, N, H);
		else
			nn_batchnorm_forward_infer(h, h, p + l->gamma, p + l->beta, mm, mv,
			    WGAN_NORM_EPS, N, H);
		nn_relu_forward(h, h, n);
		if (i == 0)
			memcpy(y, h, n * sizeof *y);
		else
			for (k = 0; k < n; k++)
				y[k] = x[k] + h[k];
	}
	nn_linear_forward(out, w->gx[c->depth - 1], p + w->head_W, p + w->head_b, N, H, c->D);
	nn_head_forward(out, out, N, c->D, c->ngroups, w->gs, w->gw);
}

void
wgan_generator_forward(struct wgan *w, const float *z, int n, int training, float *out)
{
	int r, N;

	if (training) {
		/* batch statistics need the whole batch at once */
		wgan_reserve(w, n);
		wgan_gen_forward(w, z, n, 1, out);
		return;
	}
	wgan_reserve(w, SH_MIN(n, WGAN_CHUNK));
	for (r = 0; r < n; r += N) {
		N = SH_MIN(w->cap, n - r);
		wgan_gen_forward(w, z + (size_t)r * w->cfg.zdim, N, 0, out + (size_t)r * w->cfg.D);
	}
}

void
wgan_critic_grad(struct wgan *w, const float *real, const float *fake,
    const float *eps, int B, struct wgan_stats *st)
{
	const struct wgan_config *c = &w->cfg;
	const float *p = w->p;
	float *g = w->g;
	size_t D = (size_t)c->D, H = (size_t)c->width, k;
	size_t o2 = 2 * (size_t)B;                 /* first xhat row */
	int L = c->depth, i, r, j, N = 3 * B;
	double sr = 0, sf = 0, gp = 0, lam = c->gp_lambda;
	float *gb, *prev, *cur;

	wgan_reserve(w, B);
	/* Inputs [real; fake; xhat]. */
	memcpy(w->cin, real, (size_t)B * D * sizeof(float));
	if (fake != w->cin + (size_t)B * D)   /* the step generates in place */
		memcpy(w->cin + (size_t)B * D, fake, (size_t)B * D * sizeof(float));
	for (r = 0; r < B; r++) {
		const float *a = real + (size_t)r * D, *b = fake + (size_t)r * D;
		float *x = w->cin + (o2 + r) * D, e = eps[r];

		for (k = 0; k < D; k++)
			x[k] = a[k] + e * (b[k] - a[k]);
	}
	wgan_critic_forward(w, w->cin, N);
	for (r = 0; r < B; r++) {
		sr += w->cout[r];
		sf += w->cout[B + r];
	}

	/* First-order backward of sum D(xhat) to the input, xhat rows only. */
	for (r = 0; r < B; r++)
		memcpy(w->pgx[L - 1] + (size_t)r * H, p + w->out_W, H * sizeof(float));
	for (i = L - 1; i >= 0; i--) {
		const struct wgan_layer *l = &w->dl[i];

		nn_layernorm_backward(w->pga[i], NULL, NULL, w->pgx[i], NULL, NULL,
		    w->cr[i] + o2 * H, w->cxh[i] + o2 * H, w->crs[i] + o2, p + l->gamma, B, (int)H);
		if (i > 0) {
			memcpy(w->pgx[i - 1], w->pgx[i], (size_t)B * H * sizeof(float));
			nn_linear_backward(w->pgx[i - 1], NULL, NULL, w->pga[i], NULL, p + l->W,
			    B, l->in, (int)H, 1);
		} else {
			nn_linear_backward(w->pg, NULL, NULL, w->pga[0], NULL, p + l->W,
			    B, l->in, (int)H, 0);
		}
	}
	/* Gradient penalty and its adjoint, in place over pg. */
	for (r = 0; r < B; r++) {
		float *gr = w->pg + (size_t)r * D;
		double s2 = 0, s, f;

		for (k = 0; k < D; k++)
			s2 += (double)gr[k] * gr[k];
		s = sqrt(s2);
		gp += (s - 1) * (s - 1);
		f = s > 0 ? lam * 2.0 * (s - 1) / ((double)B * s) : 0.0;
		for (k = 0; k < D; k++)
			gr[k] = (float)(f * gr[k]);
	}
	gp /= B;

	memset(g + w->npg, 0, (w->np - w->npg) * sizeof(float));
	/* Double-backward: reverse pass over the first-order backward. */
	gb = w->pg;             /* adjoint of gx_{i-1} */
	cur = w->pb0;
	for (i = 0; i < L; i++) {
		const struct wgan_layer *l = &w->dl[i];
		const float *rr = w->cr[i] + o2 * H;

		/* gx_{i-1} = ga_i V_i^T (+ gx_i): adjoints of ga_i and V_i */
		nn_linear_forward(w->pab, gb, p + l->W, NULL, B, l->in, (int)H);
		nn_linear_backward(NULL, g + l->W, NULL, w->pga[i], gb, NULL, B, l->in, (int)H, 0);
		/* ga_i = gr_i * relu mask */
		nn_relu_backward(w->pab, w->pab, rr, (size_t)B * H);
		nn_layernorm_backward_backward(cur, w->pinjx[i], w->pinjr[i], g + l->gamma,
		    w->pab, w->pgx[i], w->pga[i], w->cxh[i] + o2 * H, w->crs[i] + o2,
		    p + l->gamma, B, (int)H);
		if (i > 0)
			for (k = 0; k < (size_t)B * H; k++)
				cur[k] += gb[k];
		gb = cur;
		cur = cur == w->pb0 ? w->pb1 : w->pb0;
	}
	/* gx_{L-1} = Vout broadcast to every row */
	for (r = 0; r < B; r++)
		for (j = 0; j < (int)H; j++)
			g[w->out_W + j] += gb[(size_t)r * H + j];

	/* Backward over the 3B rows with the injected adjoints. */
	for (r = 0; r < B; r++) {
		w->cdout[r] = -1.0f / (float)B;
		w->cdout[B + r] = 1.0f / (float)B;
		w->cdout[2 * B + r] = 0.0f;
	}
	nn_linear_backward(NULL, g + w->out_W, g + w->out_b, w->cdout, w->cx[L - 1], NULL,
	    N, (int)H, 1, 0);
	prev = w->cdx0;
	for (r = 0; r < N; r++)
		for (j = 0; j < (int)H; j++)
			prev[(size_t)r * H + j] = w->cdout[r] * p[w->out_W + j];
	for (i = L - 1; i >= 0; i--) {
		const struct wgan_layer *l = &w->dl[i];

		nn_layernorm_backward(w->cda, g + l->gamma, g + l->beta, prev, NULL, NULL,
		    w->cr[i], w->cxh[i], w->crs[i], p + l->gamma, 2 * B, (int)H);
		nn_layernorm_backward(w->cda + o2 * H, g + l->gamma, g + l->beta, prev + o2 * H,
		    w->pinjx[i], w->pinjr[i], w->cr[i] + o2 * H, w->cxh[i] + o2 * H,
		    w->crs[i] + o2, p + l->gamma, B, (int)H);
		/* dx_{i-1} = dx_i (residual) + da V^T, accumulated in place */
		if (i > 0)
			nn_linear_backward(prev, g + l->W, g + l->b, w->cda, w->cx[i - 1], p + l->W,
			    N, l->in, (int)H, 1);
		else
			nn_linear_backward(NULL, g + l->W, g + l->b, w->cda, w->cin, p + l->W,
			    N, l->in, (int)H, 0);
	}
	if (st != NULL) {
		st->d_real = sr / B;
		st->d_fake = sf / B;
		st->w_distance = st->d_fake - st->d_real;
		st->gp = gp;
		st->disc_loss = lam * gp + st->w_distance;
	}
}

void
wgan_generator_grad(struct wgan *w, const float *z, int B, struct wgan_stats *st)
{
	const struct wgan_config *c = &w->cfg;
	const float *p = w->p;
	float *g = w->g, *prev;
	size_t H = (size_t)c->width;
	int L = c->depth, i, r, j;
	double s = 0;

	wgan_reserve(w, B);
	wgan_gen_forward(w, z, B, 1, w->gy);
	wgan_critic_forward(w, w->gy, B);
	for (r = 0; r < B; r++)
		s += w->cout[r];
	if (st != NULL)
		st->gen_loss = -s / B;

	/* Critic backward to its input only (no critic parameter gradients). */
	prev = w->cdx0;
	for (r = 0; r < B; r++)
		for (j = 0; j < (int)H; j++)
			prev[(size_t)r * H + j] = -p[w->out_W + j] / (float)B;
	for (i = L - 1; i >= 0; i--) {
		const struct wgan_layer *l = &w->dl[i];

		nn_layernorm_backward(w->cda, NULL, NULL, prev, NULL, NULL, w->cr[i], w->cxh[i],
		    w->crs[i], p + l->gamma, B, (int)H);
		if (i > 0)
			nn_linear_backward(prev, NULL, NULL, w->cda, NULL, p + l->W, B, l->in, (int)H, 1);
		else
			nn_linear_backward(w->gdy, NULL, NULL, w->cda, NULL, p + l->W, B, l->in,
			    (int)H, 0);
	}

	/* Generator backward. */
	memset(g, 0, w->npg * sizeof(float));
	nn_head_backward(w->gdy, w->gdy, w->gy, B, c->D, c->ngroups, w->gs, w->gw);
	prev = w->gdx0;
	nn_linear_backward(prev, g + w->head_W, g + w->head_b, w->gdy, w->gx[L - 1],
	    p + w->head_W, B, (int)H, c->D, 0);
	for (i = L - 1; i >= 0; i--) {
		const struct wgan_layer *l = &w->gl[i];

		nn_batchnorm_backward(w->gda, g + l->gamma, g + l->beta, prev, w->gh[i], w->gxh[i],
		    w->grstd[i], p + l->gamma, w->scratch, B, (int)H);
		if (i > 0)
			nn_linear_backward(prev, g + l->W, g + l->b, w->gda, w->gx[i - 1], p + l->W,
			    B, l->in, (int)H, 1);
		else
			nn_linear_backward(NULL, g + l->W, g + l->b, w->gda, z, p + l->W,
			    B, l->in, (int)H, 0);
	}
}

/* Optimizer update of parameters [lo, hi) with learning rate lr. */
static void
wgan_update(struct wgan *w, size_t lo, size_t hi, double lr)
{
	const struct wgan_config *c = &w->cfg;

	if (c->optimizer == WGAN_OPT_ADAM)
		nn_adam_update(w->p + lo, w->m + lo, w->v + lo, w->g + lo, hi - lo, (float)lr,
		    (float)c->adam_b1, (float)c->adam_b2, WGAN_OPT_EPS, w->step + 1);
	else
		nn_rmsprop_update(w->p + lo, w->m + lo, w->g + lo, hi - lo, (float)lr,
		    WGAN_RMS_RHO, WGAN_OPT_EPS);
}

void
wgan_train_step_given(struct wgan *w, const float *real, int B, const float *z1,
    const float *z2, const float *eps, struct wgan_stats *st)
{
	struct wgan_stats tmp;
	float *fake;

	if (st == NULL)
		st = &tmp;
	wgan_reserve(w, B);
	fake = w->cin + (size_t)B * w->cfg.D;   /* critic input rows [B, 2B) */
	wgan_gen_forward(w, z1, B, 0, fake);
	wgan_critic_grad(w, real, fake, eps, B, st);
	wgan_update(w, w->npg, w->np, w->cfg.lr_d);
	wgan_generator_grad(w, z2, B, st);
	wgan_update(w, 0, w->npg, w->cfg.lr_g);
	w->step++;
}

void
wgan_train_step(struct wgan *w, const float *real, int B, struct rng *rng,
    struct wgan_stats *st)
{
	size_t nz = (size_t)B * w->cfg.zdim;
	int r;

	wgan_reserve(w, B);
	rng_normal_fill(rng, w->z1, nz);
	for (r = 0; r < B; r++)
		w->eps[r] = rng_uniformf(rng);
	rng_normal_fill(rng, w->z2, nz);
	wgan_train_step_given(w, real, B, w->z1, w->z2, w->eps, st);
}

void
wgan_generate(struct wgan *w, size_t n, struct rng *rng, int hard, float *out)
{
	const struct wgan_config *c = &w->cfg;
	size_t r0, r;
	int N, g, j;

	wgan_reserve(w, (int)SH_MIN(n, (size_t)WGAN_CHUNK));
	for (r0 = 0; r0 < n; r0 += (size_t)N) {
		float *o = out + r0 * c->D;

		N = (int)SH_MIN((size_t)w->cap, n - r0);
		rng_normal_fill(rng, w->gz, (size_t)N * c->zdim);
		wgan_gen_forward(w, w->gz, N, 0, o);
		if (!hard)
			continue;
		for (r = 0; r < (size_t)N; r++) {
			for (g = 0; g < c->ngroups; g++) {
				float *y = o + r * c->D + w->gs[g];
				int best = 0;

				for (j = 1; j < w->gw[g]; j++)
					if (y[j] > y[best])
						best = j;
				for (j = 0; j < w->gw[g]; j++)
					y[j] = j == best ? 1.0f : 0.0f;
			}
		}
	}
}

void
wgan_critic(struct wgan *w, const float *x, size_t n, float *out)
{
	size_t r0;
	int N;

	wgan_reserve(w, (int)SH_MIN(n, (size_t)WGAN_CHUNK));
	for (r0 = 0; r0 < n; r0 += (size_t)N) {
		N = (int)SH_MIN((size_t)3 * w->cap, n - r0);
		wgan_critic_forward(w, x + r0 * w->cfg.D, N);
		memcpy(out + r0, w->cout, (size_t)N * sizeof(float));
	}
}

/* State block: params [np], optimizer state 1 [np], state 2 [np], BN moving
 * statistics [depth x 2 x width], step count as two floats (low 24 bits, rest). */
size_t
wgan_state_floats(const struct wgan *w)
{
	return 3 * w->np + (size_t)w->cfg.depth * 2 * w->cfg.width + 2;
}

void
wgan_state_get(const struct wgan *w, float *out)
{
	size_t nb = (size_t)w->cfg.depth * 2 * w->cfg.width;

	memcpy(out, w->p, w->np * sizeof(float));
	memcpy(out + w->np, w->m, w->np * sizeof(float));
	memcpy(out + 2 * w->np, w->v, w->np * sizeof(float));
	memcpy(out + 3 * w->np, w->bn, nb * sizeof(float));
	out[3 * w->np + nb] = (float)(w->step & 0xffffff);
	out[3 * w->np + nb + 1] = (float)(w->step >> 24);
}

void
wgan_state_set(struct wgan *w, const float *in)
{
	size_t nb = (size_t)w->cfg.depth * 2 * w->cfg.width;

	memcpy(w->p, in, w->np * sizeof(float));
	memcpy(w->m, in + w->np, w->np * sizeof(float));
	memcpy(w->v, in + 2 * w->np, w->np * sizeof(float));
	memcpy(w->bn, in + 3 * w->np, nb * sizeof(float));
	w->step = (long)in[3 * w->np + nb] + ((long)in[3 * w->np + nb + 1] << 24);
}

double
wgan_step_flops(const struct wgan_config *c, int B)
{
	double b = B, D = c->D, H = c->width, Z = c->zdim, L = c->depth;
	double hid = (L - 1) * H * H;              /* hidden-to-hidden MACs per row */
	double pg = Z * H + hid + H * D;           /* generator forward MACs per row */
	double pd = D * H + hid + H;               /* critic forward MACs per row */
	double f = 0;

	/* critic step */
	f += 2 * b * pg;                           /* G forward (inference) */
	f += 2 * 3 * b * pd;                       /* D forward on [real; fake; xhat] */
	f += 2 * b * (D * H + hid);                /* first-order backward to xhat */
	f += 2 * 2 * b * (D * H + hid);            /* double-backward: adjoint of ga, dV */
	f += 2 * 3 * b * pd;                       /* backward, weight gradients */
	f += 2 * 3 * b * (hid + H);                /* backward, activation gradients */
	/* generator step */
	f += 2 * b * pg;                           /* G forward (training) */
	f += 2 * b * pd;                           /* D forward */
	f += 2 * b * pd;                           /* D backward to the input */
	f += 2 * b * pg;                           /* G backward, weight gradients */
	f += 2 * b * (H * D + hid);                /* G backward, activation gradients */
	return f;
}

/* ---- Named parameters. */

struct wgan_view {
	float *block;      /* which block: params, grads or BN statistics */
	size_t off;        /* offset of row 0 */
	int rows, ld;      /* rows, row stride */
	int c0, c1;        /* column range [c0, c1), when !sig */
	int sig;           /* the head's non-group columns */
};

static int
wgan_view(const struct wgan *w, const char *name, int grads, struct wgan_view *v)
{
	const struct wgan_config *c = &w->cfg;
	float *blk = grads ? w->g : w->p;
	char net, kind[16], what[16];
	int i = -1, n = 0, H = c->width;
	const struct wgan_layer *l;

	memset(v, 0, sizeof *v);
	v->block = blk;
	if (sscanf(name, "%c.%15[a-z]%d.%15[a-zA-Z]%n", &net, kind, &i, what, &n) == 4 &&
	    name[n] == '\0' && i >= 0 && i < c->depth) {
		if (net == 'G' && strcmp(kind, "group") == 0)
			goto group;
		l = net == 'G' ? &w->gl[i] : &w->dl[i];
		if (net != 'G' && net != 'D')
			return -1;
		if (strcmp(kind, "dense") == 0 && strcmp(what, "W") == 0) {
			v->off = l->W; v->rows = l->in; v->ld = H; v->c1 = H;
		} else if (strcmp(kind, "dense") == 0 && strcmp(what, "b") == 0) {
			v->off = l->b; v->rows = 1; v->ld = H; v->c1 = H;
		} else if ((net == 'G' ? strcmp(kind, "bn") : strcmp(kind, "ln")) == 0 &&
		    (strcmp(what, "gamma") == 0 || strcmp(what, "beta") == 0)) {
			v->off = what[1] == 'a' ? l->gamma : l->beta;
			v->rows = 1; v->ld = H; v->c1 = H;
		} else if (net == 'G' && strcmp(kind, "bn") == 0 &&
		    (strcmp(what, "mean") == 0 || strcmp(what, "var") == 0)) {
			if (grads)
				return -1;
			v->block = w->bn;
			v->off = (size_t)i * 2 * H + (what[0] == 'v' ? (size_t)H : 0);
			v->rows = 1; v->ld = H; v->c1 = H;
		} else
			return -1;
		return 0;
	}
group:
	if (strncmp(name, "G.group", 7) == 0 || strncmp(name, "G.race.", 7) == 0) {
		const char *s = name + 7;
		char *end;
		long gi = 0;

		if (name[2] == 'g') {
			gi = strtol(s, &end, 10);
			if (end == s || *end != '.')
				return -1;
			s = end + 1;
		}
		if (gi < 0 || gi >= c->ngroups)
			return -1;
		v->c0 = w->gs[gi];
		v->c1 = w->gs[gi] + w->gw[gi];
		if (strcmp(s, "W") == 0) {
			v->off = w->head_W; v->rows = H; v->ld = c->D;
		} else if (strcmp(s, "b") == 0) {
			v->off = w->head_b; v->rows = 1; v->ld = c->D;
		} else
			return -1;
		return 0;
	}
	v->ld = c->D;
	v->c1 = c->D;
	if (strcmp(name, "G.head.W") == 0 || strcmp(name, "G.code.W") == 0) {
		v->off = w->head_W; v->rows = H;
	} else if (strcmp(name, "G.head.b") == 0 || strcmp(name, "G.code.b") == 0) {
		v->off = w->head_b; v->rows = 1;
	} else if (strcmp(name, "D.out.W") == 0) {
		v->off = w->out_W; v->rows = H; v->ld = 1; v->c1 = 1;
	} else if (strcmp(name, "D.out.b") == 0) {
		v->off = w->out_b; v->rows = 1; v->ld = 1; v->c1 = 1;
	} else
		return -1;
	v->sig = strncmp(name, "G.code.", 7) == 0;
	return 0;
}

/* Is column j of the head one of the sigmoid (non-group) columns? */
static int
wgan_is_sigmoid(const struct wgan *w, int j)
{
	int g;

	for (g = 0; g < w->cfg.ngroups; g++)
		if (j >= w->gs[g] && j < w->gs[g] + w->gw[g])
			return 0;
	return 1;
}

/* Copy between a view and a dense [rows x columns] array; dir 0: out, 1: in. */
static size_t
wgan_view_copy(const struct wgan *w, const struct wgan_view *v, float *buf, int dir)
{
	size_t k = 0;
	int r, j;

	for (r = 0; r < v->rows; r++)
		for (j = v->c0; j < v->c1; j++) {
			float *q;

			if (v->sig && !wgan_is_sigmoid(w, j))
				continue;
			q = v->block + v->off + (size_t)r * v->ld + j;
			if (buf != NULL) {
				if (dir)
					*q = buf[k];
				else
					buf[k] = *q;
			}
			k++;
		}
	return k;
}

size_t
wgan_param_size(const struct wgan *w, const char *name)
{
	struct wgan_view v;

	if (wgan_view(w, name, 0, &v) != 0)
		return 0;
	return wgan_view_copy(w, &v, NULL, 0);
}

int
wgan_param_get(const struct wgan *w, const char *name, float *out)
{
	struct wgan_view v;

	if (wgan_view(w, name, 0, &v) != 0)
		return -1;
	wgan_view_copy(w, &v, out, 0);
	return 0;
}

int
wgan_param_set(struct wgan *w, const char *name, const float *in)
{
	struct wgan_view v;

	if (wgan_view(w, name, 0, &v) != 0)
		return -1;
	wgan_view_copy(w, &v, (float *)(uintptr_t)in, 1);
	return 0;
}

int
wgan_grad_get(const struct wgan *w, const char *name, float *out)
{
	struct wgan_view v;

	if (wgan_view(w, name, 1, &v) != 0)
		return -1;
	wgan_view_copy(w, &v, out, 0);
	return 0;
}
