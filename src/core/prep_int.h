/* synthehr — GPL-3.0-or-later.
 * Helpers shared by the preprocessing files (prep.c, prep_apply.c,
 * profile.c); not part of the public API. */
#ifndef SYNTHEHR_PREP_INT_H
#define SYNTHEHR_PREP_INT_H

#include <stddef.h>
#include "synthehr/cohort.h"

/* Column by exact name, then case-insensitively; -1 if absent. */
int prep_find_col(const struct cohort *c, const char *name);
/* Numeric value of a cell (NaN when missing or text). */
static inline double
prep_num(const struct column *k, size_t r)
{
	if (k->missing != NULL && k->missing[r])
		return __builtin_nan("");
	switch (k->kind) {
	case KIND_NUMERIC: return k->num[r];
	case KIND_BINARY: return k->bin[r];
	case KIND_CATEGORICAL: return k->cat[r];
	default: return __builtin_nan("");
	}
}
/* 1 if the column is modelled as one 0/1 model column. */
int prep_is_binary_col(const struct column *k);
/* 1 if the column becomes a one-hot group of its own (categorical kind, > 2
 * levels, or any categorical column with role categorical). */
int prep_is_group_col(const struct column *k);
/* Model-matrix width of a cohort (ids/ignored/text excluded). */
int prep_model_width(const struct cohort *c);
/* Sorted copy of the observed values of column k; returns the count. */
size_t prep_sorted_values(const struct column *k, size_t n, double **out);
double prep_quantile(const double *s, size_t n, double p);

/* Group columns that all decode to one categorical column (prep_decode.c). */
int prep_group_is_categorical(const struct layout *l, int g);

#endif
