/* synthehr — GPL-3.0-or-later.
 * The real-data reference of an evaluation (eval/metrics.json "reference"):
 * the scores real patients the generator never saw would get, so that every
 * metric can be read against what real data achieves.  The real held-out
 * test rows (prep/test.mtx) are scored against the training rows as if they
 * were a synthetic set:
 *   DWD_abs, CWC, LCA, MCA, CKV, AI   on all the test rows;
 *   DWD   the same sd2d and per-column WD, the WD min–max normalised over
 *         the evaluated sets' WDs (the frame their DWD is in; it can fall
 *         below 0 when the test rows are closer than every set);
 *   MI, NNAA   with the test rows split in two halves by the evaluation's
 *         seed: one half plays the synthetic set, the other the held-out
 *         non-members the attacks need (one set of rows cannot be both);
 *   TSTR, TRTS   TRTR's AUROC (a model trained on the real training rows
 *         scored on the test rows: eval/trtr.json);
 *   Feature importance   none (TRTR against itself is 1 by definition).
 * The pieces that do not depend on the sets are cached in
 * eval/sets/_reference.json under the evaluation's key. */
#ifndef SYNTHEHR_EVAL_REF_H
#define SYNTHEHR_EVAL_REF_H

#include <jansson.h>

#include "synthehr/eval.h"
#include "synthehr/mtx.h"
#include "synthehr/study.h"

/* Add "reference" to metrics (which holds "trtr" when TRTR is known) for
 * the families in o->only.  R and T unscaled (cohort units); sets is the
 * evaluation's "sets" array; key the evaluation's cache key.  A metric
 * that cannot be computed on the test rows (too few rows for an attack) is
 * null; -1 only when interrupted. */
int eval_ref_add(struct study *s, const struct layout *l, const struct mtx *R, const struct mtx *T,
    const struct eval_opts *o, const char *key, json_t *sets, json_t *metrics, char **cause);

#endif
