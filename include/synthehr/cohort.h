/* synthehr — GPL-3.0-or-later.
 * The cohort: a column store of patients × variables.  Each column has a
 * role (what it means to the pipeline) and a storage kind (how its values
 * are held).  Missing values live in a separate byte mask, never in the data.
 * Wide binary data (concept columns) takes one byte per cell. */
#ifndef SYNTHEHR_COHORT_H
#define SYNTHEHR_COHORT_H

#include <stddef.h>
#include <stdint.h>

enum col_role {
	ROLE_ID,          /* unique per row; never modelled */
	ROLE_LABEL,       /* the binary outcome (e.g. DIE_1y) */
	ROLE_SEX,         /* binary, 1 = female */
	ROLE_CONTINUOUS,  /* numeric, min–max scaled for the model */
	ROLE_BINARY,      /* two-level variable */
	ROLE_CATEGORICAL, /* few levels; becomes a one-hot (softmax) group */
	ROLE_CONCEPT,     /* binary diagnosis-like code (e.g. a phecode) */
	ROLE_IGNORE,      /* kept in the file, not modelled */
	ROLE_COUNT
};

enum col_kind {
	KIND_NUMERIC,     /* double num[] */
	KIND_BINARY,      /* uint8_t bin[], 0/1 */
	KIND_CATEGORICAL, /* int32_t cat[], index into levels */
	KIND_TEXT,        /* char *text[] (ids) */
	KIND_COUNT
};

struct column {
	char *name;
	enum col_role role;
	enum col_kind kind;
	double *num;        /* [n] KIND_NUMERIC */
	uint8_t *bin;       /* [n] KIND_BINARY, 0 or 1 */
	int32_t *cat;       /* [n] KIND_CATEGORICAL, 0..nlevels-1 */
	char **text;        /* [n] KIND_TEXT */
	uint8_t *missing;   /* [n] 1 = missing; NULL when nothing is missing */
	size_t nmissing;
	int nlevels;        /* categorical: level count; binary: 2 when text-coded */
	char **levels;      /* categorical level names; binary: names of 0 and 1 (NULL for numeric 0/1) */
	char *group;        /* one-hot group name when this binary column is one level
	                       of a group stored as separate 0/1 columns (e.g. race), else NULL */
	int is_count;       /* KIND_NUMERIC: whole numbers >= 0 that count something (many
	                       zeros, or a name like num_*, *_count); study.json schema
	                       "columns" records it as "kind": "count" */
};

struct cohort {
	size_t nrows;
	int ncols;
	int cap;
	struct column *cols;   /* [ncols] */
	char *source;          /* where it came from (path or "demo"), may be NULL */
};

struct cohort *cohort_new(size_t nrows);
void cohort_free(struct cohort *c);
/* Append a column with the given kind; storage for nrows values is allocated
 * and zeroed.  Returns the new column's index. */
int cohort_add_column(struct cohort *c, const char *name, enum col_role role, enum col_kind kind);
/* Append a column that takes ownership of data: a malloc'd array of nrows
 * values of the kind's element type (double, uint8_t, int32_t, char *), and
 * of missing (nrows bytes, or NULL).  Returns the new column's index. */
int cohort_adopt_column(struct cohort *c, const char *name, enum col_role role, enum col_kind kind,
    void *data, uint8_t *missing);
int cohort_find(const struct cohort *c, const char *name);  /* -1 if absent */
/* Column by exact name, then case-insensitively; -1 if absent. */
int cohort_find_ci(const struct cohort *c, const char *name);
/* Mark row missing (allocates the mask on first use). */
void cohort_set_missing(struct cohort *c, int col, size_t row);
static inline int cohort_is_missing(const struct column *col, size_t row)
{
	return col->missing != NULL && col->missing[row];
}
/* A numeric view of any non-text cell: numeric value, 0/1, or level index;
 * NaN when missing (or text). */
static inline double
column_num(const struct column *k, size_t r)
{
	if (cohort_is_missing(k, r))
		return __builtin_nan("");
	switch (k->kind) {
	case KIND_NUMERIC: return k->num[r];
	case KIND_BINARY: return k->bin[r];
	case KIND_CATEGORICAL: return k->cat[r];
	default: return __builtin_nan("");
	}
}
double cohort_value(const struct cohort *c, int col, size_t row);   /* column_num of a column */
/* Sorted copy (*out, malloc'd) of the non-missing values of the first n
 * cells of k; returns their count. */
size_t column_sorted_values(const struct column *k, size_t n, double **out);
/* 1 if the column enters the model (not an id, ignored or text). */
static inline int
column_is_modelled(const struct column *k)
{
	return k->role != ROLE_ID && k->role != ROLE_IGNORE && k->kind != KIND_TEXT;
}
/* 1 if the column is modelled as one 0/1 model column. */
int column_is_binary(const struct column *k);
/* 1 if the column becomes a one-hot group of its own (categorical kind, > 2
 * levels, or any categorical column with role categorical). */
int column_is_group(const struct column *k);
/* Cell as text into buf (the original label for coded columns, "" when missing). */
const char *cohort_cell_text(const struct cohort *c, int col, size_t row, char *buf, size_t size);
/* Keep only rows with keep[row] != 0 (in order); returns new row count. */
size_t cohort_filter_rows(struct cohort *c, const uint8_t *keep);
/* Remove a column. */
void cohort_remove_column(struct cohort *c, int col);
/* Set a categorical column's levels (copies names). */
void cohort_set_levels(struct cohort *c, int col, int nlevels, const char *const *names);
/* Put a categorical column's levels in the order of names (levels not
 * named keep their order after them; names not present are skipped); for
 * a two-level binary column, make names[0] the level coded 0 (flipping the
 * cells if needed). */
void cohort_order_levels(struct cohort *c, int col, const char *const *names, int n);
/* Bytes used by the value storage (for memory estimates and reports). */
size_t cohort_bytes(const struct cohort *c);

const char *cohort_role_name(enum col_role r);   /* "id", "label", "sex", ... */
int cohort_role_parse(const char *s);            /* -1 if unknown */
const char *cohort_kind_name(enum col_kind k);

#endif
