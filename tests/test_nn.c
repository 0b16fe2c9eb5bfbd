/* synthehr — GPL-3.0-or-later.
 * Gradient checks: every layer's analytic float32 backward against central
 * differences of an independent double-precision forward; the LayerNorm
 * double-backward piece on its own; then the whole critic loss (with the
 * gradient penalty, so through the double-backward), the penalty's own
 * parameter gradient, and the whole generator loss, each against central
 * differences of a double-precision reference model written here from the
 * equations (naive loops, no BLAS).  Also the optimizers' update rules. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/nn.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"
#include "tap.h"

#define FD_H 1e-5

/* Absolute error always accepted: float32 rounding noise where the exact
 * gradient is 0 (the last LayerNorm's beta and the critic's output bias in
 * w, generator biases before BatchNorm). */
static double fd_floor = 1e-9;

static struct rng trng;

static void
fill(float *x, size_t n, float lo, float hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = lo + (hi - lo) * rng_uniformf(&trng);
}

static double *
widen(const float *x, size_t n)
{
	double *d = xcalloc(n, sizeof *d);
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = x[i];
	return d;
}

/* Compare analytic a[n] with central differences of f over the double
 * array v[n] (perturbed in place).  Pass: every entry within
 * rtol |fd| + atol max|fd|. */
struct fd_ctx;
typedef double (*fd_fn)(struct fd_ctx *);

static double
fd_check(const char *what, const float *a, double *v, size_t n, fd_fn f, struct fd_ctx *c,
    double rtol, double atol)
{
	double *fd = xcalloc(n, sizeof *fd), scale = 0, worst = 0;
	size_t i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		double o = v[i], hp, hm;

		v[i] = o + FD_H;
		hp = f(c);
		v[i] = o - FD_H;
		hm = f(c);
		v[i] = o;
		fd[i] = (hp - hm) / (2 * FD_H);
		scale = SH_MAX(scale, fabs(fd[i]));
	}
	for (i = 0; i < n; i++) {
		double e = fabs(a[i] - fd[i]), lim = rtol * fabs(fd[i]) + atol * scale;

		worst = SH_MAX(worst, scale > 0 ? e / scale : e);
		if (e > lim && e > fd_floor) {
			if (bad++ < 3)
				tap_diag("%s[%zu]: analytic %.9g, central difference %.9g", what, i,
				    a[i], fd[i]);
		}
	}
	tap_ok(bad == 0, "%s: %zu gradients match central differences (max err/scale %.1e)",
	    what, n, worst);
	free(fd);
	return worst;
}

/* ---- layer checks: loss = sum R * out, R fixed random */

struct fd_ctx {
	int B, D, H, ng, gs[4], gw[4];
	double *x, *W, *b, *g, *be, *R, *gn, *K, *res;
	int mask;           /* relu before (LN) / after (BN) */
	int kind;
};

enum { K_LINEAR, K_BN, K_LN, K_RELU, K_SIGMOID, K_SOFTMAX, K_HEAD, K_LNBB };

/* LayerNorm row in double: xh[H], rstd */
static double
d_ln_row(const double *x, double *xh, int H)
{
	double m = 0, v = 0, s;
	int j;

	for (j = 0; j < H; j++)
		m += x[j];
	m /= H;
	for (j = 0; j < H; j++)
		v += (x[j] - m) * (x[j] - m);
	v /= H;
	s = 1 / sqrt(v + 1e-5);
	for (j = 0; j < H; j++)
		xh[j] = (x[j] - m) * s;
	return s;
}

static double
layer_loss(struct fd_ctx *c)
{
	int B = c->B, D = c->D, H = c->H, r, j, k, g;
	double L = 0, *t = xcalloc((size_t)SH_MAX(D, H) * 2, sizeof *t);

	switch (c->kind) {
	case K_LINEAR:
		for (r = 0; r < B; r++)
			for (j = 0; j < H; j++) {
				double y = c->b[j];

				for (k = 0; k < D; k++)
					y += c->x[r * D + k] * c->W[k * H + j];
				L += c->R[r * H + j] * y;
			}
		break;
	case K_BN:
		for (j = 0; j < H; j++) {
			double m = 0, v = 0, s;

			for (r = 0; r < B; r++)
				m += c->x[r * H + j];
			m /= B;
			for (r = 0; r < B; r++)
				v += (c->x[r * H + j] - m) * (c->x[r * H + j] - m);
			v /= B;
			s = 1 / sqrt(v + 1e-5);
			for (r = 0; r < B; r++) {
				double y = c->g[j] * (c->x[r * H + j] - m) * s + c->be[j];

				if (c->mask && y < 0)
					y = 0;
				L += c->R[r * H + j] * y;
			}
		}
		break;
	case K_LN:
		for (r = 0; r < B; r++) {
			double *in = t, *xh = t + H;

			for (j = 0; j < H; j++)
				in[j] = c->mask && c->x[r * H + j] < 0 ? 0 : c->x[r * H + j];
			d_ln_row(in, xh, H);
			for (j = 0; j < H; j++)
				L += c->R[r * H + j] * (c->g[j] * xh[j] + c->be[j]);
		}
		break;
	case K_RELU:
		for (r = 0; r < B * H; r++)
			L += c->R[r] * (c->x[r] > 0 ? c->x[r] : 0);
		break;
	case K_SIGMOID:
		for (r = 0; r < B * H; r++)
			L += c->R[r] / (1 + exp(-c->x[r]));
		break;
	case K_SOFTMAX:
	case K_HEAD:
		for (r = 0; r < B; r++) {
			const double *x = c->x + r * D;
			int in_group[64] = { 0 };

			for (g = 0; g < c->ng; g++) {
				double s = 0;

				for (j = 0; j < c->gw[g]; j++) {
					s += exp(x[c->gs[g] + j]);
					in_group[c->gs[g] + j] = 1;
				}
				for (j = 0; j < c->gw[g]; j++)
					L += c->R[r * D + c->gs[g] + j] * exp(x[c->gs[g] + j]) / s;
			}
			if (c->kind == K_HEAD)
				for (j = 0; j < D; j++)
					if (!in_group[j])
						L += c->R[r * D + j] / (1 + exp(-x[j]));
		}
		break;
	case K_LNBB:
		/* sum K * gr(gn; x, gamma) with gr the LayerNorm input gradient */
		for (r = 0; r < B; r++) {
			double *xh = t, s = d_ln_row(c->x + r * H, xh, H), mu = 0, mux = 0;

			for (j = 0; j < H; j++) {
				double u = c->gn[r * H + j] * c->g[j];

				mu += u / H;
				mux += u * xh[j] / H;
			}
			for (j = 0; j < H; j++)
				L += c->K[r * H + j] * s * (c->gn[r * H + j] * c->g[j] - mu - xh[j] * mux);
		}
		break;
	}
	free(t);
	return L;
}

static void
layer_tests(void)
{
	int B = 6, D = 7, H = 5, gs[2] = { 0, 4 }, gw[2] = { 3, 2 };
	size_t nx = (size_t)B * SH_MAX(D, H);
	float *x = xcalloc(nx, sizeof *x), *W = xcalloc((size_t)D * H, sizeof *W);
	float *b = xcalloc((size_t)H, sizeof *b), *g = xcalloc((size_t)H, sizeof *g);
	float *be = xcalloc((size_t)H, sizeof *be), *R = xcalloc(nx, sizeof *R);
	float *y = xcalloc(nx, sizeof *y), *dx = xcalloc(nx, sizeof *dx);
	float *dW = xcalloc((size_t)D * H, sizeof *dW), *db = xcalloc((size_t)H, sizeof *db);
	float *dg = xcalloc((size_t)H, sizeof *dg), *dbe = xcalloc((size_t)H, sizeof *dbe);
	float *xh = xcalloc(nx, sizeof *xh), *mean = xcalloc((size_t)SH_MAX(B, H), sizeof *mean);
	float *rs = xcalloc((size_t)SH_MAX(B, H), sizeof *rs), scratch[64];
	float *gn = xcalloc(nx, sizeof *gn), *K = xcalloc(nx, sizeof *K), *gr = xcalloc(nx, sizeof *gr);
	float *dgn = xcalloc(nx, sizeof *dgn), *dxh = xcalloc(nx, sizeof *dxh);
	float *drs = xcalloc((size_t)B, sizeof *drs), *zero = xcalloc(nx, sizeof *zero);
	struct fd_ctx c;
	int mask;

	memset(&c, 0, sizeof c);
	c.B = B; c.D = D; c.H = H; c.ng = 2;
	memcpy(c.gs, gs, sizeof gs);
	memcpy(c.gw, gw, sizeof gw);

	/* linear */
	fill(x, (size_t)B * D, -1, 1); fill(W, (size_t)D * H, -1, 1); fill(b, (size_t)H, -1, 1);
	fill(R, (size_t)B * H, -1, 1);
	c.kind = K_LINEAR;
	c.x = widen(x, (size_t)B * D); c.W = widen(W, (size_t)D * H); c.b = widen(b, (size_t)H);
	c.R = widen(R, (size_t)B * H);
	nn_linear_forward(y, x, W, b, B, D, H);
	{
		double want = layer_loss(&c), got = 0;
		int i;

		for (i = 0; i < B * H; i++)
			got += (double)R[i] * y[i];
		tap_near(got, want, 1e-5 * fabs(want), "linear forward matches the double reference");
	}
	memset(dW, 0, (size_t)D * H * sizeof *dW);
	memset(db, 0, (size_t)H * sizeof *db);
	nn_linear_backward(dx, dW, db, R, x, W, B, D, H, 0);
	fd_check("linear dinp", dx, c.x, (size_t)B * D, layer_loss, &c, 1e-4, 1e-5);
	fd_check("linear dW", dW, c.W, (size_t)D * H, layer_loss, &c, 1e-4, 1e-5);
	fd_check("linear db", db, c.b, (size_t)H, layer_loss, &c, 1e-4, 1e-5);
	free(c.x); free(c.W); free(c.b); free(c.R);

	/* BatchNorm training mode, plain and followed by ReLU (mask) */
	for (mask = 0; mask < 2; mask++) {
		float mm[8] = { 0 }, mv[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

		fill(x, (size_t)B * H, -2, 2); fill(g, (size_t)H, 0.5f, 1.5f);
		fill(be, (size_t)H, -0.5f, 0.5f); fill(R, (size_t)B * H, -1, 1);
		c.kind = K_BN; c.mask = mask;
		c.x = widen(x, (size_t)B * H); c.g = widen(g, (size_t)H); c.be = widen(be, (size_t)H);
		c.R = widen(R, (size_t)B * H);
		nn_batchnorm_forward_train(y, xh, mean, rs, mm, mv, x, g, be, 1e-5f, 0.99f, B, H);
		if (mask)
			nn_relu_forward(y, y, (size_t)B * H);
		memset(dg, 0, (size_t)H * sizeof *dg);
		memset(dbe, 0, (size_t)H * sizeof *dbe);
		nn_batchnorm_backward(dx, dg, dbe, R, mask ? y : NULL, xh, rs, g, scratch, B, H);
		fd_check(mask ? "batchnorm+relu dinp" : "batchnorm (train) dinp", dx, c.x,
		    (size_t)B * H, layer_loss, &c, 1e-3, 1e-4);
		fd_check(mask ? "batchnorm+relu dgamma" : "batchnorm dgamma", dg, c.g, (size_t)H,
		    layer_loss, &c, 1e-4, 1e-5);
		fd_check(mask ? "batchnorm+relu dbeta" : "batchnorm dbeta", dbe, c.be, (size_t)H,
		    layer_loss, &c, 1e-4, 1e-5);
		free(c.x); free(c.g); free(c.be); free(c.R);
	}
	{
		/* moving statistics and inference mode, by hand */
		float in[4] = { 1, 3, 2, 6 }, out[4], m2[2] = { 0.5f, 1 }, v2[2] = { 2, 1 };
		float g2[2] = { 2, 1 }, b2[2] = { 0.25f, 0 }, xh2[4], me[2], rs2[2];

		nn_batchnorm_forward_train(out, xh2, me, rs2, m2, v2, in, g2, b2, 1e-5f, 0.99f, 2, 2);
		/* column 0: 1, 2 -> mean 1.5, biased var 0.25 */
		tap_near(m2[0], 0.99 * 0.5 + 0.01 * 1.5, 1e-7, "batchnorm moving mean update");
		tap_near(v2[0], 0.99 * 2 + 0.01 * 0.25, 1e-6, "batchnorm moving var uses the biased variance");
		tap_near(out[0], 2 * (1 - 1.5) / sqrt(0.25 + 1e-5) + 0.25, 1e-5, "batchnorm train output");
		nn_batchnorm_forward_infer(out, in, g2, b2, m2, v2, 1e-5f, 2, 2);
		tap_near(out[3], 1 * (6 - m2[1]) / sqrt(v2[1] + 1e-5), 1e-5,
		    "batchnorm inference uses the moving statistics");
	}

	/* LayerNorm, plain and after a ReLU (mask); residual passes through */
	for (mask = 0; mask < 2; mask++) {
		fill(x, (size_t)B * H, -1, 2); fill(g, (size_t)H, 0.5f, 1.5f);
		fill(be, (size_t)H, -0.5f, 0.5f); fill(R, (size_t)B * H, -1, 1);
		c.kind = K_LN; c.mask = mask;
		c.x = widen(x, (size_t)B * H); c.g = widen(g, (size_t)H); c.be = widen(be, (size_t)H);
		c.R = widen(R, (size_t)B * H);
		if (mask)
			nn_relu_forward(gr, x, (size_t)B * H);
		else
			memcpy(gr, x, (size_t)B * H * sizeof *gr);
		nn_layernorm_forward(y, xh, rs, gr, zero, g, be, 1e-5f, B, H);
		memset(dg, 0, (size_t)H * sizeof *dg);
		memset(dbe, 0, (size_t)H * sizeof *dbe);
		nn_layernorm_backward(dx, dg, dbe, R, NULL, NULL, mask ? gr : NULL, xh, rs, g, B, H);
		fd_check(mask ? "relu+layernorm dinp" : "layernorm dinp", dx, c.x, (size_t)B * H,
		    layer_loss, &c, 1e-3, 1e-4);
		fd_check(mask ? "relu+layernorm dgamma" : "layernorm dgamma", dg, c.g, (size_t)H,
		    layer_loss, &c, 1e-4, 1e-5);
		fd_check(mask ? "relu+layernorm dbeta" : "layernorm dbeta", dbe, c.be, (size_t)H,
		    layer_loss, &c, 1e-4, 1e-5);
		free(c.x); free(c.g); free(c.be); free(c.R);
	}

	/* LayerNorm double-backward: d/d(x, gamma, gn) of sum K * gr(gn; x, gamma) */
	fill(x, (size_t)B * H, -1, 2); fill(g, (size_t)H, 0.5f, 1.5f);
	fill(gn, (size_t)B * H, -1, 1); fill(K, (size_t)B * H, -1, 1);
	c.kind = K_LNBB; c.mask = 0;
	c.x = widen(x, (size_t)B * H); c.g = widen(g, (size_t)H); c.gn = widen(gn, (size_t)B * H);
	c.K = widen(K, (size_t)B * H);
	nn_layernorm_forward(y, xh, rs, x, NULL, g, zero, 1e-5f, B, H);
	nn_layernorm_backward(gr, NULL, NULL, gn, NULL, NULL, NULL, xh, rs, g, B, H);
	memset(dg, 0, (size_t)H * sizeof *dg);
	nn_layernorm_backward_backward(dgn, dxh, drs, dg, K, gn, gr, xh, rs, g, B, H);
	/* the x-adjoint flows through xhat and rstd: LN backward with only the extras */
	nn_layernorm_backward(dx, NULL, NULL, zero, dxh, drs, NULL, xh, rs, g, B, H);
	fd_check("layernorm double-backward d/dx", dx, c.x, (size_t)B * H, layer_loss, &c, 1e-3, 1e-4);
	fd_check("layernorm double-backward d/dgamma", dg, c.g, (size_t)H, layer_loss, &c, 1e-4, 1e-5);
	fd_check("layernorm double-backward d/dgn", dgn, c.gn, (size_t)B * H, layer_loss, &c,
	    1e-4, 1e-5);
	free(c.x); free(c.g); free(c.gn); free(c.K);

	/* ReLU, sigmoid */
	fill(x, (size_t)B * H, -1, 1); fill(R, (size_t)B * H, -1, 1);
	c.x = widen(x, (size_t)B * H); c.R = widen(R, (size_t)B * H);
	c.kind = K_RELU;
	nn_relu_forward(y, x, (size_t)B * H);
	nn_relu_backward(dx, R, y, (size_t)B * H);
	fd_check("relu dinp", dx, c.x, (size_t)B * H, layer_loss, &c, 1e-5, 1e-6);
	c.kind = K_SIGMOID;
	nn_sigmoid_forward(y, x, (size_t)B * H);
	nn_sigmoid_backward(dx, R, y, (size_t)B * H);
	fd_check("sigmoid dinp", dx, c.x, (size_t)B * H, layer_loss, &c, 1e-4, 1e-5);
	free(c.x); free(c.R);

	/* grouped softmax and the whole head (softmax groups + sigmoid elsewhere) */
	fill(x, (size_t)B * D, -2, 2); fill(R, (size_t)B * D, -1, 1);
	c.x = widen(x, (size_t)B * D); c.R = widen(R, (size_t)B * D);
	c.kind = K_SOFTMAX;
	memset(dx, 0, (size_t)B * D * sizeof *dx);
	nn_softmax_groups_forward(y, x, B, D, 2, gs, gw);
	nn_softmax_groups_backward(dx, R, y, B, D, 2, gs, gw);
	{
		int r, j;

		for (r = 0; r < B; r++)   /* columns outside the groups: no softmax gradient */
			dx[r * D + 3] = dx[r * D + 6] = 0;
		for (r = 0; r < B; r++)
			for (j = 0; j < D; j++)
				if (j == 3 || j == 6)
					c.R[r * D + j] = 0;
	}
	fd_check("grouped softmax dinp", dx, c.x, (size_t)B * D, layer_loss, &c, 1e-4, 1e-5);
	free(c.R);
	c.R = widen(R, (size_t)B * D);
	c.kind = K_HEAD;
	nn_head_forward(y, x, B, D, 2, gs, gw);
	nn_head_backward(dx, R, y, B, D, 2, gs, gw);
	fd_check("output head (softmax groups + sigmoid) dinp", dx, c.x, (size_t)B * D,
	    layer_loss, &c, 1e-4, 1e-5);
	{
		double s = y[0] + y[1] + y[2];

		tap_near(s, 1.0, 1e-6, "softmax group sums to 1");
	}
	free(c.x); free(c.R);

	free(x); free(W); free(b); free(g); free(be); free(R); free(y); free(dx); free(dW);
	free(db); free(dg); free(dbe); free(xh); free(mean); free(rs); free(gn); free(K);
	free(gr); free(dgn); free(dxh); free(drs); free(zero);
}

/* ---- whole-model checks against a double reference model */

#define MAXP 64
#define MAXW 16

struct dmodel {
	int D, Z, H, L, ng, gs[4], gw[4], B;
	double lambda, ww;      /* loss = lambda gp + ww w */
	int np;
	char name[MAXP][32];
	double *v[MAXP];
	size_t n[MAXP];
	double *real, *fake, *eps, *z;   /* [B x D], [B x D], [B], [B x Z] */
};

static struct dmodel dm;

static double *dp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The double copy of a parameter by (formatted) name. */
static double *
dp(const char *fmt, ...)
{
	char nm[32];
	va_list ap;
	int k;

	va_start(ap, fmt);
	vsnprintf(nm, sizeof nm, fmt, ap);
	va_end(ap);
	for (k = 0; k < dm.np; k++)
		if (strcmp(dm.name[k], nm) == 0)
			return dm.v[k];
	fatalx("test: no parameter %s", nm);
}

static void
dm_load(struct wgan *w, const char *prefix)
{
	static const char *gn[] = { "G.dense", "G.dense", "G.bn", "G.bn" };
	static const char *dn[] = { "D.dense", "D.dense", "D.ln", "D.ln" };
	static const char *field[] = { "W", "b", "gamma", "beta" };
	const char **names = prefix[0] == 'G' ? gn : dn;
	int i, k;

	for (i = 0; i < dm.L; i++)
		for (k = 0; k < 4; k++) {
			float *t;

			snprintf(dm.name[dm.np], 32, "%s%d.%s", names[k], i, field[k]);
			dm.n[dm.np] = wgan_param_size(w, dm.name[dm.np]);
			t = xcalloc(dm.n[dm.np], sizeof *t);
			wgan_param_get(w, dm.name[dm.np], t);
			dm.v[dm.np] = widen(t, dm.n[dm.np]);
			free(t);
			dm.np++;
		}
	for (k = 0; k < 2; k++) {
		float *t;

		snprintf(dm.name[dm.np], 32, "%s.%s", prefix[0] == 'G' ? "G.head" : "D.out",
		    k ? "b" : "W");
		dm.n[dm.np] = wgan_param_size(w, dm.name[dm.np]);
		t = xcalloc(dm.n[dm.np], sizeof *t);
		wgan_param_get(w, dm.name[dm.np], t);
		dm.v[dm.np] = widen(t, dm.n[dm.np]);
		free(t);
		dm.np++;
	}
}

/* D(x) for one row in double; gin[D] (if not NULL) gets dD/dx. */
static double
dm_critic_row(const double *x, double *gin)
{
	double a[8][MAXW], xh[8][MAXW], rs[8], xs[8][MAXW], gx[MAXW], gp[64], out;
	int i, j, k, H = dm.H, D = dm.D;

	for (i = 0; i < dm.L; i++) {
		const double *in = i ? xs[i - 1] : x, *W = dp("D.dense%d.W", i), *b = dp("D.dense%d.b", i);
		const double *g = dp("D.ln%d.gamma", i), *be = dp("D.ln%d.beta", i);
		int nin = i ? H : D;
		double r[MAXW];

		for (j = 0; j < H; j++) {
			a[i][j] = b[j];
			for (k = 0; k < nin; k++)
				a[i][j] += in[k] * W[k * H + j];
			r[j] = a[i][j] > 0 ? a[i][j] : 0;
		}
		rs[i] = d_ln_row(r, xh[i], H);
		for (j = 0; j < H; j++)
			xs[i][j] = (i ? in[j] : 0) + g[j] * xh[i][j] + be[j];
	}
	out = dp("D.out.b")[0];
	for (j = 0; j < H; j++)
		out += xs[dm.L - 1][j] * dp("D.out.W")[j];
	if (gin == NULL)
		return out;
	for (j = 0; j < H; j++)
		gx[j] = dp("D.out.W")[j];
	for (i = dm.L - 1; i >= 0; i--) {
		const double *W = dp("D.dense%d.W", i), *g = dp("D.ln%d.gamma", i);
		double mu = 0, mux = 0, ga[MAXW];
		int nin = i ? H : D;

		for (j = 0; j < H; j++) {
			mu += gx[j] * g[j] / H;
			mux += gx[j] * g[j] * xh[i][j] / H;
		}
		for (j = 0; j < H; j++)
			ga[j] = a[i][j] > 0 ? rs[i] * (gx[j] * g[j] - mu - xh[i][j] * mux) : 0;
		for (k = 0; k < nin; k++) {
			gp[k] = i ? gx[k] : 0;
			for (j = 0; j < H; j++)
				gp[k] += ga[j] * W[k * H + j];
		}
		memcpy(gx, gp, (size_t)nin * sizeof *gx);
	}
	memcpy(gin, gx, (size_t)D * sizeof *gin);
	return out;
}

static double
dm_disc_loss(struct fd_ctx *unused)
{
	double sr = 0, sf = 0, gp = 0, xh[64], g[64];
	int r, k, B = dm.B, D = dm.D;

	for (r = 0; r < B; r++) {
		double s = 0;

		sr += dm_critic_row(dm.real + r * D, NULL);
		sf += dm_critic_row(dm.fake + r * D, NULL);
		for (k = 0; k < D; k++)
			xh[k] = dm.real[r * D + k] + dm.eps[r] * (dm.fake[r * D + k] - dm.real[r * D + k]);
		dm_critic_row(xh, g);
		for (k = 0; k < D; k++)
			s += g[k] * g[k];
		gp += (sqrt(s) - 1) * (sqrt(s) - 1);
	}
	return dm.lambda * gp / B + dm.ww * (sf - sr) / B;
}

static double
dm_gen_loss(struct fd_ctx *unused)
{
	int B = dm.B, H = dm.H, D = dm.D, i, r, j, k, g;
	double *x = xcalloc((size_t)B * MAXW, sizeof *x), *a = xcalloc((size_t)B * MAXW, sizeof *a);
	double *o = xcalloc((size_t)B * D, sizeof *o), L = 0;

	for (i = 0; i < dm.L; i++) {
		const double *W = dp("G.dense%d.W", i), *b = dp("G.dense%d.b", i);
		const double *ga = dp("G.bn%d.gamma", i), *be = dp("G.bn%d.beta", i);
		int nin = i ? H : dm.Z;

		for (r = 0; r < B; r++)
			for (j = 0; j < H; j++) {
				a[r * MAXW + j] = b[j];
				for (k = 0; k < nin; k++)
					a[r * MAXW + j] += (i ? x[r * MAXW + k] : dm.z[r * dm.Z + k]) * W[k * H + j];
			}
		for (j = 0; j < H; j++) {
			double m = 0, v = 0;

			for (r = 0; r < B; r++)
				m += a[r * MAXW + j] / B;
			for (r = 0; r < B; r++)
				v += (a[r * MAXW + j] - m) * (a[r * MAXW + j] - m) / B;
			for (r = 0; r < B; r++) {
				double h = ga[j] * (a[r * MAXW + j] - m) / sqrt(v + 1e-5) + be[j];

				h = h > 0 ? h : 0;
				x[r * MAXW + j] = (i ? x[r * MAXW + j] : 0) + h;
			}
		}
	}
	for (r = 0; r < B; r++) {
		double *y = o + r * D;
		int grp[64] = { 0 };

		for (j = 0; j < D; j++) {
			y[j] = dp("G.head.b")[j];
			for (k = 0; k < H; k++)
				y[j] += x[r * MAXW + k] * dp("G.head.W")[k * D + j];
		}
		for (g = 0; g < dm.ng; g++) {
			double s = 0;

			for (j = dm.gs[g]; j < dm.gs[g] + dm.gw[g]; j++) {
				s += exp(y[j]);
				grp[j] = 1;
			}
			for (j = dm.gs[g]; j < dm.gs[g] + dm.gw[g]; j++)
				y[j] = exp(y[j]) / s;
		}
		for (j = 0; j < D; j++)
			if (!grp[j])
				y[j] = 1 / (1 + exp(-y[j]));
		L -= dm_critic_row(y, NULL) / B;
	}
	free(x);
	free(a);
	free(o);
	return L;
}

static void
model_tests(void)
{
	int gs[2] = { 0, 4 }, gw[2] = { 3, 2 }, B = 5, D = 8, k, i;
	struct wgan_config cfg;
	struct wgan_stats st;
	struct wgan *w;
	float *real, *fake, *eps, *z, **gD, *tmp;
	int base;

	wgan_config_tutorial(&cfg, D, 2, gs, gw);
	cfg.zdim = 4;
	cfg.width = 6;
	cfg.depth = 3;
	w = wgan_new(&cfg, 7);
	/* non-trivial biases, gammas and betas */
	tmp = xcalloc(64, sizeof *tmp);
	for (i = 0; i < cfg.depth; i++) {
		char nm[32];

		snprintf(nm, sizeof nm, "D.dense%d.b", i); fill(tmp, 6, -0.2f, 0.3f); wgan_param_set(w, nm, tmp);
		snprintf(nm, sizeof nm, "D.ln%d.gamma", i); fill(tmp, 6, 0.7f, 1.3f); wgan_param_set(w, nm, tmp);
		snprintf(nm, sizeof nm, "D.ln%d.beta", i); fill(tmp, 6, -0.3f, 0.3f); wgan_param_set(w, nm, tmp);
		snprintf(nm, sizeof nm, "G.bn%d.gamma", i); fill(tmp, 6, 0.7f, 1.3f); wgan_param_set(w, nm, tmp);
		snprintf(nm, sizeof nm, "G.bn%d.beta", i); fill(tmp, 6, -0.3f, 0.3f); wgan_param_set(w, nm, tmp);
		snprintf(nm, sizeof nm, "G.dense%d.b", i); fill(tmp, 6, -0.3f, 0.3f); wgan_param_set(w, nm, tmp);
	}
	fill(tmp, (size_t)D, -0.3f, 0.3f); wgan_param_set(w, "G.head.b", tmp);
	fill(tmp, 1, -0.3f, 0.3f); wgan_param_set(w, "D.out.b", tmp);
	free(tmp);

	real = xcalloc((size_t)B * D, sizeof *real);
	fake = xcalloc((size_t)B * D, sizeof *fake);
	eps = xcalloc((size_t)B, sizeof *eps);
	z = xcalloc((size_t)B * cfg.zdim, sizeof *z);
	fill(real, (size_t)B * D, 0, 1);
	fill(fake, (size_t)B * D, 0, 1);
	fill(eps, (size_t)B, 0, 1);
	rng_normal_fill(&trng, z, (size_t)B * cfg.zdim);

	memset(&dm, 0, sizeof dm);
	dm.D = D; dm.Z = cfg.zdim; dm.H = cfg.width; dm.L = cfg.depth; dm.ng = 2; dm.B = B;
	memcpy(dm.gs, gs, sizeof gs);
	memcpy(dm.gw, gw, sizeof gw);
	dm_load(w, "G");
	base = dm.np;
	dm_load(w, "D");
	dm.real = widen(real, (size_t)B * D);
	dm.fake = widen(fake, (size_t)B * D);
	dm.eps = widen(eps, (size_t)B);
	dm.z = widen(z, (size_t)B * cfg.zdim);

	/* whole critic loss with the penalty (double-backward), then w alone */
	fd_floor = 1e-6;
	gD = xcalloc(MAXP, sizeof *gD);
	dm.lambda = 10;
	dm.ww = 1;
	wgan_critic_grad(w, real, fake, eps, B, &st);
	tap_near(st.disc_loss, dm_disc_loss(NULL), 1e-4 * fabs(st.disc_loss),
	    "critic loss %.6g equals the double reference", st.disc_loss);
	for (k = base; k < dm.np; k++) {
		char what[64];

		gD[k] = xcalloc(dm.n[k], sizeof(float));
		wgan_grad_get(w, dm.name[k], gD[k]);
		snprintf(what, sizeof what, "critic loss (w + 10 gp) d/d%s", dm.name[k]);
		fd_check(what, gD[k], dm.v[k], dm.n[k], dm_disc_loss, NULL, 2e-3, 2e-4);
	}
	/* the penalty's own gradient: (grad at lambda 10 - grad at lambda 0) / 10 */
	cfg.gp_lambda = 0;
	{
		struct wgan *w0 = wgan_new(&cfg, 7);

		memcpy(wgan_params(w0), wgan_params(w), wgan_nparams(w) * sizeof(float));
		wgan_critic_grad(w0, real, fake, eps, B, &st);
		tap_near(st.disc_loss, st.w_distance, 0, "lambda 0: critic loss is w alone");
		dm.lambda = 1;
		dm.ww = 0;
		for (k = base; k < dm.np; k++) {
			char what[64];
			float *g0 = xcalloc(dm.n[k], sizeof *g0);
			size_t e;

			wgan_grad_get(w0, dm.name[k], g0);
			for (e = 0; e < dm.n[k]; e++)
				g0[e] = (gD[k][e] - g0[e]) / 10.0f;
			snprintf(what, sizeof what, "gradient penalty alone d/d%s", dm.name[k]);
			fd_check(what, g0, dm.v[k], dm.n[k], dm_disc_loss, NULL, 5e-3, 5e-4);
			free(g0);
		}
		wgan_free(w0);
	}

	/* whole generator loss, BatchNorm in training mode */
	wgan_generator_grad(w, z, B, &st);
	tap_near(st.gen_loss, dm_gen_loss(NULL), 1e-5 * (1 + fabs(st.gen_loss)),
	    "generator loss %.6g equals the double reference", st.gen_loss);
	for (k = 0; k < base; k++) {
		char what[64];
		float *g0 = xcalloc(dm.n[k], sizeof *g0);

		wgan_grad_get(w, dm.name[k], g0);
		snprintf(what, sizeof what, "generator loss d/d%s", dm.name[k]);
		fd_check(what, g0, dm.v[k], dm.n[k], dm_gen_loss, NULL, 2e-3, 2e-4);
		free(g0);
	}
	for (k = base; k < dm.np; k++)
		free(gD[k]);
	free(gD);
	for (k = 0; k < dm.np; k++)
		free(dm.v[k]);
	free(dm.real); free(dm.fake); free(dm.eps); free(dm.z);
	free(real); free(fake); free(eps); free(z);
	wgan_free(w);
}

/* Update rules by hand. */
static void
optimizer_tests(void)
{
	float p[2] = { 1.0f, -0.5f }, g[2] = { 2.0f, -0.25f }, ms[2] = { 0, 0.5f }, m[2] = { 0 }, v[2] = { 0 };
	double ms1 = 0.9 * 0.5 + 0.1 * 0.0625;

	nn_rmsprop_update(p, ms, g, 2, 0.1f, 0.9f, 1e-7f);
	tap_near(ms[0], 0.4, 1e-7, "rmsprop: ms = 0.9 ms + 0.1 g^2");
	tap_near(p[0], 1 - 0.1 * 2 / (sqrt(0.4) + 1e-7), 1e-6, "rmsprop: p -= lr g / (sqrt(ms) + eps)");
	tap_near(p[1], -0.5 + 0.1 * 0.25 / (sqrt(ms1) + 1e-7), 1e-6, "rmsprop: second element");
	p[0] = 1.0f;
	nn_adam_update(p, m, v, g, 1, 0.01f, 0.9f, 0.999f, 1e-7f, 1);
	tap_near(m[0], 0.2, 1e-7, "adam: m = 0.9 m + 0.1 g");
	tap_near(v[0], 0.004, 1e-7, "adam: v = 0.999 v + 0.001 g^2");
	tap_near(p[0], 1 - 0.01 * sqrt(0.001) / 0.1 * 0.2 / (sqrt(0.004) + 1e-7), 1e-6,
	    "adam step 1 with bias correction moves by about lr");
}

int
main(void)
{
	rng_seed(&trng, 2024);
	optimizer_tests();
	layer_tests();
	model_tests();
	return tap_done();
}
