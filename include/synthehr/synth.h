/* synthehr — GPL-3.0-or-later.
 * The classical synthesizers that share the pipeline with EMR-WGAN: each is
 * a training method (`train --method`, study.json train.method).  A peer is
 * fitted and sampled in one go on the prepared training rows and writes a
 * set like any run: runs/peer-cart/ (sequential CART as synthpop's
 * default), runs/peer-copula/ (Gaussian copula as SDV's GaussianCopula);
 * the independent marginals keep runs/baseline-marginals/.  Each peer
 * directory holds synthetic.{mtx,csv} and state.json (method, generation
 * options, fit and sample seconds).  No model file is kept: generation with
 * other rows or seed fits again (seconds to a couple of minutes). */
#ifndef SYNTHEHR_SYNTH_H
#define SYNTHEHR_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/generate.h"
#include "synthehr/mtx.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"

enum synth_method {
	SYNTH_EMRWGAN,     /* the model of the tutorial (train.c) */
	SYNTH_CART,        /* sequential CART (synthpop syn.cart) */
	SYNTH_COPULA,      /* Gaussian copula (SDV GaussianCopula) */
	SYNTH_MARGINALS,   /* independent marginals (baseline.c) */
	SYNTH_COUNT
};

/* Settings of the peers (study.json "train": method, peers, cart_*). */
struct synth_settings {
	int method;               /* what `train` does without --method (SYNTH_EMRWGAN) */
	int peers[SYNTH_COUNT];   /* methods `synthehr run` adds beside the runs */
	int npeers;               /* default 2: cart, copula */
	int cart_min_leaf;        /* minimum rows in a leaf (synthpop minbucket 5) */
	int cart_max_depth;       /* depth limit (rpart maxdepth 30) */
	double cart_cp;           /* complexity: a split must improve the fit by
	                           * cp × the root's impurity (rpart cp, synthpop 1e-8) */
	int cart_bins;            /* candidate thresholds per continuous predictor (≤ 255) */
};

/* "emrwgan", "cart", "copula", "marginals" → enum; -1 with a cause listing them. */
int synth_method_parse(const char *s, int *method, char **cause);
const char *synth_method_name(int method);
/* Set directory relative to the study: runs/peer-cart, runs/peer-copula,
 * runs/baseline-marginals (NULL for emrwgan). */
const char *synth_method_dir(int method);
/* Defaults, then study.json "train" keys method, peers, cart_min_leaf,
 * cart_max_depth, cart_cp, cart_bins; errors name "study.json: train.KEY". */
int synth_settings_load(json_t *train_section, struct synth_settings *ss, char **cause);

/* ---- The synthesizers (matrices in cohort units; train may be scaled) */

/* Sequential CART.  Visit order: the label first (exactly npos ones at
 * shuffled rows when stratify, else drawn from its marginal), then the
 * layout's order (groups, binary columns, continuous columns).  Each later
 * column gets one tree fitted on the columns before it (groups as their
 * one-hot levels); a synthetic value is the target value of a training row
 * drawn at random from the leaf the synthetic row falls into. */
struct synth_cart_stats {
	int trees;                /* fitted trees (variables after the first) */
	long nodes, leaves;       /* over all trees */
	int min_leaf_rows;        /* smallest leaf, in training rows */
	int max_depth;            /* deepest leaf */
};
/* st may be NULL. */
struct mtx *synth_cart(const struct mtx *train, const struct layout *l, size_t rows, int stratify,
    size_t npos, const struct synth_settings *ss, struct rng *r, struct synth_cart_stats *st);

/* Gaussian copula.  Each variable (a group, a binary or a continuous
 * column) is turned into normal scores through its empirical distribution
 * (ties and categories spread uniformly over their CDF interval, categories
 * ordered by frequency as SDV's encoders), the correlation of the scores is
 * factored by Cholesky (LAPACK dpotrf; a ridge is added until it is
 * positive definite), and samples are mapped back through the empirical
 * quantiles, so every value is a training value.  stratify: rows are
 * accepted until the label classes reach npos / rows − npos. */
struct mtx *synth_copula(const struct mtx *train, const struct layout *l, size_t rows, int stratify,
    size_t npos, struct rng *r);
/* The copula's correlation of normal scores [nv × nv] (variables in
 * layout order: groups, then binary, then continuous), for tests. */
double *synth_copula_corr(const struct mtx *train, const struct layout *l, int *nv, struct rng *r);

/* What a peer's fit cost. */
struct synth_result {
	size_t rows;
	double fit_s, sample_s;   /* wall seconds */
	double cpu_s;             /* process CPU seconds of fit + sample */
};

/* Fit `method` (not emrwgan) on prep/train.mtx and write its set with o's
 * rows, stratify and seed (the seed's stream 64 + method). */
int synth_peer_run(struct study *s, int method, const struct gen_opts *o, struct synth_result *res,
    char **cause);
/* 1 when the peer's set exists and was made with the same generation
 * options and training rows (generate then leaves it), 0 otherwise. */
int synth_peer_current(struct study *s, int method, const struct gen_opts *o);
/* Methods whose set directory has a state.json (peers trained), as a mask
 * of 1 << method. */
unsigned synth_peers_trained(struct study *s);

#endif
