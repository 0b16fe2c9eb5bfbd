/* synthehr — GPL-3.0-or-later.
 * EMR-WGAN as the tutorial trains it (SPEC §1): a residual BatchNorm
 * generator with a softmax head per categorical group and sigmoid for the
 * other columns, a residual LayerNorm critic, WGAN-GP (λ = 10, two-sided)
 * with one critic step (G's BatchNorm in inference mode) then one generator
 * step (batch statistics) per minibatch, RMSprop with TensorFlow semantics.
 *
 * Parameter block layout (one float block; gradients and optimizer state use
 * the same layout).  The order is the reference trace's param_order, with the
 * output heads merged into one kernel in data column order:
 *   G: for i in 0..depth-1: dense{i}.W [in x width] (in = zdim for i = 0,
 *      width after), dense{i}.b [width], bn{i}.gamma [width], bn{i}.beta [width];
 *      head.W [width x D], head.b [D] (softmax over each group's columns,
 *      sigmoid elsewhere)
 *   D: for i in 0..depth-1: dense{i}.W [in x width] (in = D for i = 0),
 *      dense{i}.b [width], ln{i}.gamma [width], ln{i}.beta [width];
 *      out.W [width x 1], out.b [1]
 * Kernels are [in, out] row-major as Keras stores them: y = x @ W + b.
 * G's parameters come first (indices [0, wgan_nparams_g)), then D's. */
#ifndef SYNTHEHR_WGAN_H
#define SYNTHEHR_WGAN_H

#include <stddef.h>
#include <stdint.h>

#include "synthehr/rng.h"

enum { WGAN_OPT_RMSPROP, WGAN_OPT_ADAM };

struct wgan_config {
	int D;                 /* data columns */
	int zdim;              /* noise width (128) */
	int width;             /* hidden width (384) */
	int depth;             /* hidden layers in G and in D (5) */
	int ngroups;           /* softmax blocks */
	const int *group_start, *group_width;  /* [ngroups], copied by wgan_new */
	double lr_g, lr_d;     /* 1e-5, 2e-5 */
	double gp_lambda;      /* 10 */
	int optimizer;         /* WGAN_OPT_RMSPROP (tutorial) or WGAN_OPT_ADAM */
	double adam_b1, adam_b2;
};

struct wgan_stats {
	double disc_loss;      /* gp_lambda * gp + w_distance */
	double w_distance;     /* mean D(fake) - mean D(real) */
	double gp;             /* mean((||grad_x D(xhat)||_2 - 1)^2) */
	double gen_loss;       /* -mean D(G(z2)) */
	double d_real, d_fake; /* mean D(real), mean D(fake) in the critic step */
};

struct wgan;

/* The tutorial's settings for D columns and the given groups (zdim 128,
 * width 384, depth 5, lr 1e-5 / 2e-5, λ 10, RMSprop, Adam betas 0.9/0.999). */
void wgan_config_tutorial(struct wgan_config *cfg, int D, int ngroups,
    const int *group_start, const int *group_width);
/* NULL with *cause when the configuration is invalid (groups overlapping or
 * out of range, non-positive sizes). */
struct wgan *wgan_new_checked(const struct wgan_config *cfg, uint64_t seed, char **cause);
/* Keras default init from a seeded rng: glorot-uniform kernels (per head for
 * the output heads), zero biases, gamma 1, beta 0, moving mean 0 / var 1.
 * Aborts on an invalid configuration (use wgan_new_checked for user input). */
struct wgan *wgan_new(const struct wgan_config *cfg, uint64_t seed);
void wgan_free(struct wgan *w);
const struct wgan_config *wgan_get_config(const struct wgan *w);

/* One critic step then one generator step on real[B x D] (scaled to [0,1]);
 * z, eps drawn from rng (z1 [B x zdim], z2 [B x zdim] N(0,1), eps [B] U(0,1)). */
void wgan_train_step(struct wgan *w, const float *real, int B, struct rng *rng,
    struct wgan_stats *st);
/* The same step with caller-given noise: z1, z2 [B x zdim], eps [B]. */
void wgan_train_step_given(struct wgan *w, const float *real, int B, const float *z1,
    const float *z2, const float *eps, struct wgan_stats *st);
/* n rows into out[n x D], BN in inference mode; hard != 0: each group one-hot
 * by argmax (ties: first max); other columns stay sigmoid outputs. Works in
 * internal batches. */
void wgan_generate(struct wgan *w, size_t n, struct rng *rng, int hard, float *out);
/* Critic scores for rows x[n x D] into out[n]. */
void wgan_critic(struct wgan *w, const float *x, size_t n, float *out);

/* The whole state as one flat float block (params of G and D, optimizer
 * state, BN moving stats, step count) for checkpoints. */
size_t wgan_state_floats(const struct wgan *w);
void wgan_state_get(const struct wgan *w, float *out);
void wgan_state_set(struct wgan *w, const float *in);
/* Change the learning rates of the following steps (a schedule). */
void wgan_set_lr(struct wgan *w, double lr_g, double lr_d);
/* Completed training steps (also inside the state block). */
long wgan_steps(const struct wgan *w);

/* FLOPs of one wgan_train_step at batch B, counted analytically (matrix
 * products at 2 FLOPs per multiply-add, including the double-backward). */
double wgan_step_flops(const struct wgan_config *cfg, int B);

/* ---- Lower-level access, for tests, diagnostics and the reference check. */

/* The generator on given noise z[n x zdim] into out[n x D] (soft outputs).
 * training != 0 uses batch statistics and updates the moving statistics. */
void wgan_generator_forward(struct wgan *w, const float *z, int n, int training, float *out);
/* Critic gradients only (no update): fills D's part of the gradient block
 * with d(disc_loss)/d(theta_D) for real, fake [B x D], eps [B]. */
void wgan_critic_grad(struct wgan *w, const float *real, const float *fake,
    const float *eps, int B, struct wgan_stats *st);
/* Generator gradients only (no update): G's part of the gradient block gets
 * d(gen_loss)/d(theta_G) for noise z [B x zdim], BN in training mode (moving
 * statistics are updated, as in a step). Sets st->gen_loss. */
void wgan_generator_grad(struct wgan *w, const float *z, int B, struct wgan_stats *st);
/* The flat blocks (layout above). */
float *wgan_params(struct wgan *w);
float *wgan_grads(struct wgan *w);
size_t wgan_nparams(const struct wgan *w);
size_t wgan_nparams_g(const struct wgan *w);
/* Named parameters, reference-trace names: G.dense{i}.W/b, G.bn{i}.gamma/beta,
 * G.bn{i}.mean/var (moving statistics), G.head.W/b, G.group{g}.W/b and
 * G.code.W/b (the head's columns of group g / of the non-group columns, in
 * data order; G.race.* is G.group0.*), D.dense{i}.W/b, D.ln{i}.gamma/beta,
 * D.out.W/b.  Size in floats, or 0 for an unknown name. */
size_t wgan_param_size(const struct wgan *w, const char *name);
/* Copy a named parameter (or its gradient) out / in; -1 for an unknown name. */
int wgan_param_get(const struct wgan *w, const char *name, float *out);
int wgan_param_set(struct wgan *w, const char *name, const float *in);
int wgan_grad_get(const struct wgan *w, const char *name, float *out);

#endif
