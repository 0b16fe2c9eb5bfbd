/* synthehr — GPL-3.0-or-later.
 * The independent-marginals baseline: every column drawn on its own from
 * its real training marginal (groups as one categorical draw, binary columns
 * as Bernoulli with the real prevalence, continuous columns by resampling
 * observed values).  Evaluation and ranking treat it like any run, so a GAN
 * run that does not beat it is visible. */
#ifndef SYNTHEHR_BASELINE_H
#define SYNTHEHR_BASELINE_H

#include <stddef.h>

#include "synthehr/generate.h"
#include "synthehr/mtx.h"
#include "synthehr/rng.h"
#include "synthehr/study.h"

/* rows rows from train's marginals (train scaled or not), as an unscaled
 * matrix.  stratify: the label column gets exactly npos ones, shuffled. */
struct mtx *baseline_marginals(const struct mtx *train, const struct layout *l, size_t rows,
    int stratify, size_t npos, struct rng *r);
/* runs/baseline-marginals/synthetic.{mtx,csv} with o's rows, stratify and
 * seed (stream 0). */
int baseline_run(struct study *s, const struct gen_opts *o, size_t *rows_out, char **cause);

#endif
