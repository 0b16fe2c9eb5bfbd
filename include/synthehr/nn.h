/* synthehr — GPL-3.0-or-later.
 * Neural-network layers for EMR-WGAN, llm.c style: every layer is a
 * _forward/_backward pair with a fixed argument order (outputs, saved values,
 * inputs, weights, sizes last) and the shape of every array beside it.
 * Float32, row-major, one sample per row; matrix products go through one
 * cblas_sgemm each (batch x features).
 *
 * Conventions: activation gradients (dinp) are WRITTEN (=) unless a flag says
 * otherwise; parameter gradients (dW, db, dgamma, dbeta) are ACCUMULATED (+=),
 * so the caller zeroes the gradient block once per step.  Any gradient output
 * may be NULL when it is not needed.  B rows, D features in, H features out. */
#ifndef SYNTHEHR_NN_H
#define SYNTHEHR_NN_H

#include <stddef.h>

/* out[B,H] = inp[B,D] @ W[D,H] + b[H] (b may be NULL).  W is [in, out]
 * row-major, as Keras stores kernels. */
void nn_linear_forward(float *out, const float *inp, const float *W, const float *b,
    int B, int D, int H);
/* dinp[B,D] (= or += when acc) dout[B,H] @ W^T; dW[D,H] += inp^T @ dout;
 * db[H] += column sums of dout. */
void nn_linear_backward(float *dinp, float *dW, float *db, const float *dout,
    const float *inp, const float *W, int B, int D, int H, int acc);

/* out[n] = max(inp, 0); in place allowed. */
void nn_relu_forward(float *out, const float *inp, size_t n);
/* dinp[n] = dout * (out > 0); in place allowed. */
void nn_relu_backward(float *dinp, const float *dout, const float *out, size_t n);
/* out[n] = 1 / (1 + exp(-inp)); in place allowed. */
void nn_sigmoid_forward(float *out, const float *inp, size_t n);
/* dinp[n] = dout * out * (1 - out); in place allowed. */
void nn_sigmoid_backward(float *dinp, const float *dout, const float *out, size_t n);
/* Softmax over each group's columns [gs[g], gs[g]+gw[g]) of inp[B,D]; other
 * columns are left untouched.  In place allowed. */
void nn_softmax_groups_forward(float *out, const float *inp, int B, int D,
    int ngroups, const int *gs, const int *gw);
/* dinp = out * (dout - sum_group(out * dout)) on the group columns only. */
void nn_softmax_groups_backward(float *dinp, const float *dout, const float *out,
    int B, int D, int ngroups, const int *gs, const int *gw);
/* The generator's output head: softmax on each group, sigmoid on every other
 * column (data column order).  In place allowed. */
void nn_head_forward(float *out, const float *inp, int B, int D,
    int ngroups, const int *gs, const int *gw);
void nn_head_backward(float *dinp, const float *dout, const float *out, int B, int D,
    int ngroups, const int *gs, const int *gw);

/* BatchNorm, training mode: batch mean and biased variance per column.
 * out[B,H] = gamma * xhat + beta with xhat[B,H] = (inp - mean) * rstd;
 * saves mean[H], rstd[H] = 1/sqrt(var + eps).  When mov_mean/mov_var [H] are
 * not NULL they become momentum * moving + (1 - momentum) * batch statistic
 * (Keras: momentum 0.99).  out may equal inp. */
void nn_batchnorm_forward_train(float *out, float *xhat, float *mean, float *rstd,
    float *mov_mean, float *mov_var, const float *inp, const float *gamma,
    const float *beta, float eps, float momentum, int B, int H);
/* BatchNorm, inference mode: out = gamma * (inp - mov_mean) / sqrt(mov_var + eps) + beta. */
void nn_batchnorm_forward_infer(float *out, const float *inp, const float *gamma,
    const float *beta, const float *mov_mean, const float *mov_var, float eps, int B, int H);
/* Training-mode backward.  When mask[B,H] is not NULL the incoming gradient
 * is first multiplied by (mask > 0) (a following ReLU whose output is mask).
 * scratch: [2H] floats. */
void nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
    const float *mask, const float *xhat, const float *rstd, const float *gamma,
    float *scratch, int B, int H);

/* LayerNorm over the feature axis (biased variance): xhat[B,H], rstd[B],
 * out[B,H] = res + gamma * xhat + beta (res[B,H] may be NULL: no residual). */
void nn_layernorm_forward(float *out, float *xhat, float *rstd, const float *inp,
    const float *res, const float *gamma, const float *beta, float eps, int B, int H);
/* dinp[B,H] = (d/d inp) given dout[B,H] (the gradient of out; the residual
 * path is the caller's), plus two optional extra adjoints that the gradient
 * penalty injects: dxhat_extra[B,H] (added to the adjoint of xhat) and
 * drstd_extra[B] (the adjoint of rstd).  mask[B,H] (may be NULL): multiply
 * the result by (mask > 0), i.e. backward through a preceding ReLU whose
 * output is mask (= inp). */
void nn_layernorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
    const float *dxhat_extra, const float *drstd_extra, const float *mask,
    const float *xhat, const float *rstd, const float *gamma, int B, int H);
/* The double-backward of LayerNorm's input gradient.  The first-order
 * backward computed gr = rstd * (u - mean(u) - xhat * mean(u * xhat)) with
 * u = gn * gamma.  Given the adjoint dgr[B,H] of gr, this writes the adjoints
 * of that computation's inputs: dgn[B,H], dxhat[B,H], drstd[B], and adds
 * dgamma[H].  gr[B,H] may be masked (zero where dgr is zero). */
void nn_layernorm_backward_backward(float *dgn, float *dxhat, float *drstd, float *dgamma,
    const float *dgr, const float *gn, const float *gr, const float *xhat,
    const float *rstd, const float *gamma, int B, int H);

/* RMSprop with TensorFlow/Keras (optimizer_v2) semantics, no momentum:
 * ms = rho * ms + (1 - rho) * g^2;  p -= lr * g / (sqrt(ms) + eps). */
void nn_rmsprop_update(float *p, float *ms, const float *g, size_t n,
    float lr, float rho, float eps);
/* Adam (Keras semantics): t is the 1-based step;
 * p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps). */
void nn_adam_update(float *p, float *m, float *v, const float *g, size_t n,
    float lr, float b1, float b2, float eps, long t);

/* Benchmark support: while a record is set (not thread-safe; for one
 * thread only), every sgemm the layers run appends its shape to it; count
 * may exceed cap (the extra calls are counted, not stored). NULL stops. */
struct nn_gemm_shape {
	int ta, tb;            /* transposed A / B (row-major) */
	int m, n, k;
	float beta;
};
void nn_gemm_record(struct nn_gemm_shape *buf, int cap, int *count);

#endif
