/* synthehr — GPL-3.0-or-later.
 * Column encodings between the model matrix (struct layout: continuous
 * columns as one min–max scaled value) and the generator's network columns.
 * Each continuous column gets one transform, chosen from its training
 * values or set in study.json "prep" "encoding":
 *   minmax    one column, (x − lo)/(hi − lo), sigmoid head (the tutorial's)
 *   quantile  one column: the empirical CDF to a normal score
 *             z = Φ⁻¹(F(x)), stored as (z + 4)/8 (a sigmoid head on it is a
 *             tanh head on z); decoded through the training quantiles
 *   gmm       mode-specific normalisation (CTGAN): a Gaussian mixture fitted
 *             to the column, a one-hot mode group (softmax) then the scalar
 *             (x − μ_k)/(4σ_k) stored as (s + 1)/2
 *   zero      a point mass at the minimum: an indicator column (x = min,
 *             sigmoid) then a quantile column of the values above it
 *   onehot    few integer values: one softmax group, one column per value
 * The automatic choice: constant → minmax; integers with at most 12 values →
 * onehot; ≥ 10 % at the minimum → zero; clearly separate modes → gmm;
 * |skewness| ≥ 1 → quantile; otherwise minmax.
 * Decoded values keep the column's type and range: integer columns are
 * rounded, every value is clamped to the training [lo, hi].  Binary and
 * group columns pass through unchanged.  Network columns keep the layout's
 * order with each continuous column expanded where it stands. */
#ifndef SYNTHEHR_ENCODE_H
#define SYNTHEHR_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/mtx.h"
#include "synthehr/rng.h"

enum enc_kind {
	ENC_MINMAX,
	ENC_QUANTILE,
	ENC_GMM,
	ENC_ZERO,
	ENC_ONEHOT,
	ENC_KIND_COUNT,
	ENC_AUTO = -1
};

#define ENC_ZMAX 4.0          /* normal scores are clipped to ±ENC_ZMAX */
#define ENC_NQ_MAX 512        /* quantile knots kept per column */
#define ENC_ONEHOT_MAX 12     /* integer columns with at most this many values: onehot */
#define ENC_ZERO_SHARE 0.10   /* share at the minimum that makes a point mass */
#define ENC_GMM_KMAX 5
#define ENC_SKEW 1.0          /* |skewness| from which a column gets quantile */

struct enc_col {
	int j;                    /* layout column (MCOL_CONT) */
	enum enc_kind kind;
	int integer;              /* whole numbers: decoded values are rounded */
	double lo, hi;            /* training range in cohort units */
	int off, width;           /* network columns */
	int nq;                   /* quantile, zero: knots q[i] at p = (i + ½)/nq */
	double *q;
	double pmin;              /* zero: share of training rows at lo */
	int nk;                   /* gmm: modes (w, mu, sd); onehot: values in mu */
	double *w, *mu, *sd;
	char why[96];             /* the reason for the choice (prep log) */
};

struct encoding {
	int D, Dn;                /* layout columns, network columns */
	int ncont;
	struct enc_col *col;      /* [ncont] in layout order */
	int *net_of;              /* [D] first network column of each layout column */
	int *col_of;              /* [D] index into col, -1 for non-continuous columns */
	int ngroups;              /* softmax groups of the network (layout's and new) */
	int *gs, *gw;
	int identity;             /* every column minmax: network = layout */
};

/* Requested transform per column: def (ENC_AUTO or a kind) and overrides. */
struct enc_request {
	int def;
	int n;
	char **col;
	int *kind;
};

const char *enc_kind_name(int kind);          /* "auto", "minmax", ... */
int enc_kind_parse(const char *s);            /* -2 when unknown */

/* Normal CDF and its inverse (|error| < 1e-13 after refinement). */
double enc_norm_cdf(double z);
double enc_norm_ppf(double p);

/* The automatic choice for the sorted values x[n] (cohort units). */
int enc_choose(const double *x, size_t n, int integer, char *why, size_t whysize);

/* Fit one column on its sorted training values; kind may be ENC_AUTO. */
void enc_col_fit(struct enc_col *c, const double *sorted, size_t n, int integer, int kind);
void enc_col_done(struct enc_col *c);
/* One value ↔ network columns out[width] (cohort units). */
void enc_col_encode(const struct enc_col *c, double x, float *out);
double enc_col_decode(const struct enc_col *c, const float *in, struct rng *r);

/* Fit every continuous column of l on the training matrix (scaled or not)
 * (encode_fit.c). */
struct encoding *enc_fit(const struct layout *l, const struct mtx *train,
    const struct enc_request *req, char **cause);
/* The identity encoding (every column minmax). */
struct encoding *enc_identity(const struct layout *l);
/* Recompute the network offsets and softmax groups after columns were
 * (re)fitted. */
void enc_finish(struct encoding *e, const struct layout *l);
void enc_free(struct encoding *e);
json_t *enc_to_json(const struct encoding *e);
int enc_from_json(json_t *j, const struct layout *l, struct encoding **out, char **cause);
uint64_t enc_hash(const struct encoding *e);

/* Layout rows in[nr × D] (continuous columns scaled to [0,1]) → network rows
 * out[nr × Dn]. */
void enc_encode_rows(const struct encoding *e, const struct layout *l, const float *in,
    size_t nr, float *out);
/* Network rows in[nr × Dn] → layout rows out[nr × D]: continuous columns in
 * cohort units (scaled = 0) or scaled to [0,1] (scaled = 1); binary and group
 * columns copied (zero indicators: ≥ 0.5, or Bernoulli when r != NULL). */
void enc_decode_rows(const struct encoding *e, const struct layout *l, const float *in,
    size_t nr, int scaled, struct rng *r, float *out);

#endif
