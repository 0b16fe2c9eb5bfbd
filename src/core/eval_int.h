/* synthehr — GPL-3.0-or-later.
 * Internal helpers shared by the utility-metric files (not a public API):
 * row blocks in cohort units and blocked X^T X accumulation. */
#ifndef SYNTHEHR_EVAL_INT_H
#define SYNTHEHR_EVAL_INT_H

#include <stddef.h>

#include "synthehr/mtx.h"

/* Rows per block so that a float block [rows × D] is about 16 MB. */
size_t evalu_block_rows(int D);
/* Rows r0..r0+nr-1 as float [nr × D] in cohort units (continuous columns
 * unscaled with the layout's lo/hi when m->scaled). */
void evalu_rows(const struct layout *l, const struct mtx *m, size_t r0, size_t nr, float *out);
/* acc[d × d] (upper triangle, row-major, i ≤ j) += X^T X for X [nr × d];
 * tmp is float scratch of d × d. */
void evalu_syrk_acc(const float *X, size_t nr, int d, float *tmp, double *acc);

#endif
