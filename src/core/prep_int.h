/* synthehr — GPL-3.0-or-later.
 * Helpers shared by the preprocessing files (prep*.c, layout.c); not part
 * of the public API. */
#ifndef SYNTHEHR_PREP_INT_H
#define SYNTHEHR_PREP_INT_H

#include <stddef.h>
#include "synthehr/cohort.h"
#include "synthehr/mtx.h"

/* Model-matrix width of a cohort (ids/ignored/text excluded). */
int prep_model_width(const struct cohort *c);

/* The cohort's rows tr[ntr] and te[nte] as the scaled train and test
 * matrices of l (prep_encode.c). */
int prep_encode_split(const struct layout *l, const struct cohort *c, const size_t *tr, size_t ntr,
    const size_t *te, size_t nte, struct mtx **train, struct mtx **test, char **cause);

/* Group columns that all decode to one categorical column (prep_decode.c). */
int prep_group_is_categorical(const struct layout *l, int g);

#endif
