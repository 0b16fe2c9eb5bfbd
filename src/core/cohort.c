/* synthehr — GPL-3.0-or-later.
 * Column store for a patient cohort (see cohort.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/cohort.h"
#include "synthehr/util.h"

static const char *role_names[ROLE_COUNT] = {
	"id", "label", "sex", "continuous", "binary", "categorical", "concept", "ignore"
};
static const char *kind_names[KIND_COUNT] = { "numeric", "binary", "categorical", "text" };

struct cohort *
cohort_new(size_t nrows)
{
	struct cohort *c = xcalloc(1, sizeof *c);

	c->nrows = nrows;
	return c;
}

static void
column_done(struct column *col, size_t nrows)
{
	int i;

	free(col->name);
	free(col->num);
	free(col->bin);
	free(col->cat);
	if (col->text != NULL) {
		for (size_t r = 0; r < nrows; r++)
			free(col->text[r]);
		free(col->text);
	}
	free(col->missing);
	for (i = 0; i < col->nlevels; i++)
		free(col->levels[i]);
	free(col->levels);
	free(col->group);
}

void
cohort_free(struct cohort *c)
{
	int j;

	if (c == NULL)
		return;
	for (j = 0; j < c->ncols; j++)
		column_done(&c->cols[j], c->nrows);
	free(c->cols);
	free(c->source);
	free(c);
}

int
cohort_add_column(struct cohort *c, const char *name, enum col_role role, enum col_kind kind)
{
	struct column *col;
	size_t n = c->nrows;

	if (c->ncols == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->cols = xreallocarray(c->cols, c->cap, sizeof *c->cols);
	}
	col = &c->cols[c->ncols];
	memset(col, 0, sizeof *col);
	col->name = xstrdup(name);
	col->role = role;
	col->kind = kind;
	switch (kind) {
	case KIND_NUMERIC:
		col->num = xcalloc(n, sizeof(double));
		break;
	case KIND_BINARY:
		col->bin = xcalloc(n, 1);
		break;
	case KIND_CATEGORICAL:
		col->cat = xcalloc(n, sizeof(int32_t));
		break;
	case KIND_TEXT:
		col->text = xcalloc(n, sizeof(char *));
		break;
	default:
		fatalx("cohort_add_column: bad kind %d", kind);
	}
	return c->ncols++;
}

int
cohort_adopt_column(struct cohort *c, const char *name, enum col_role role, enum col_kind kind,
    void *data, uint8_t *missing)
{
	struct column *col;
	size_t r;

	if (c->ncols == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->cols = xreallocarray(c->cols, c->cap, sizeof *c->cols);
	}
	col = &c->cols[c->ncols];
	memset(col, 0, sizeof *col);
	col->name = xstrdup(name);
	col->role = role;
	col->kind = kind;
	switch (kind) {
	case KIND_NUMERIC:
		col->num = data;
		break;
	case KIND_BINARY:
		col->bin = data;
		break;
	case KIND_CATEGORICAL:
		col->cat = data;
		break;
	case KIND_TEXT:
		col->text = data;
		break;
	default:
		fatalx("cohort_adopt_column: bad kind %d", kind);
	}
	col->missing = missing;
	for (r = 0; missing != NULL && r < c->nrows; r++)
		col->nmissing += missing[r] != 0;
	if (missing != NULL && col->nmissing == 0) {
		free(missing);
		col->missing = NULL;
	}
	return c->ncols++;
}

int
cohort_find(const struct cohort *c, const char *name)
{
	int j;

	for (j = 0; j < c->ncols; j++)
		if (strcmp(c->cols[j].name, name) == 0)
			return j;
	return -1;
}

int
cohort_find_ci(const struct cohort *c, const char *name)
{
	int j = cohort_find(c, name);

	if (j >= 0 || name == NULL)
		return j;
	for (j = 0; j < c->ncols; j++)
		if (strcasecmp(c->cols[j].name, name) == 0)
			return j;
	return -1;
}

void
cohort_set_missing(struct cohort *c, int col, size_t row)
{
	struct column *k = &c->cols[col];

	if (k->missing == NULL)
		k->missing = xcalloc(c->nrows, 1);
	if (!k->missing[row]) {
		k->missing[row] = 1;
		k->nmissing++;
	}
}

double
cohort_value(const struct cohort *c, int col, size_t row)
{
	return column_num(&c->cols[col], row);
}

const char *
cohort_cell_text(const struct cohort *c, int col, size_t row, char *buf, size_t size)
{
	const struct column *k = &c->cols[col];

	if (size > 0)
		buf[0] = '\0';
	if (cohort_is_missing(k, row))
		return buf;
	switch (k->kind) {
	case KIND_NUMERIC:
		util_format_double(buf, size, k->num[row]);
		break;
	case KIND_BINARY:
		if (k->levels != NULL && k->nlevels == 2)
			snprintf(buf, size, "%s", k->levels[k->bin[row] ? 1 : 0]);
		else
			snprintf(buf, size, "%d", k->bin[row] ? 1 : 0);
		break;
	case KIND_CATEGORICAL:
		if (k->cat[row] >= 0 && k->cat[row] < k->nlevels)
			snprintf(buf, size, "%s", k->levels[k->cat[row]]);
		break;
	case KIND_TEXT:
		snprintf(buf, size, "%s", k->text[row] ? k->text[row] : "");
		break;
	default:
		break;
	}
	return buf;
}

size_t
cohort_filter_rows(struct cohort *c, const uint8_t *keep)
{
	size_t r, w;
	int j;

	for (j = 0; j < c->ncols; j++) {
		struct column *k = &c->cols[j];

		k->nmissing = 0;
		for (r = w = 0; r < c->nrows; r++) {
			if (!keep[r]) {
				if (k->text != NULL)
					free(k->text[r]);
				continue;
			}
			if (k->num) k->num[w] = k->num[r];
			if (k->bin) k->bin[w] = k->bin[r];
			if (k->cat) k->cat[w] = k->cat[r];
			if (k->text) k->text[w] = k->text[r];
			if (k->missing) {
				k->missing[w] = k->missing[r];
				k->nmissing += k->missing[w];
			}
			w++;
		}
	}
	for (r = w = 0; r < c->nrows; r++)
		w += keep[r] != 0;
	c->nrows = w;
	return w;
}

void
cohort_remove_column(struct cohort *c, int col)
{
	column_done(&c->cols[col], c->nrows);
	memmove(&c->cols[col], &c->cols[col + 1], (c->ncols - col - 1) * sizeof *c->cols);
	c->ncols--;
}

void
cohort_set_levels(struct cohort *c, int col, int nlevels, const char *const *names)
{
	struct column *k = &c->cols[col];
	int i;

	for (i = 0; i < k->nlevels; i++)
		free(k->levels[i]);
	free(k->levels);
	k->nlevels = nlevels;
	k->levels = xcalloc(nlevels, sizeof(char *));
	for (i = 0; i < nlevels; i++)
		k->levels[i] = xstrdup(names[i]);
}

void
cohort_order_levels(struct cohort *c, int col, const char *const *names, int n)
{
	struct column *k = &c->cols[col];
	int *pos, i, j, m = 0;
	char **lv;
	size_t r;

	if (k->levels == NULL || k->nlevels == 0)
		return;
	if (k->kind == KIND_BINARY) {
		if (n >= 2 && k->nlevels == 2 && strcmp(k->levels[0], names[1]) == 0 &&
		    strcmp(k->levels[1], names[0]) == 0) {
			char *t = k->levels[0];

			k->levels[0] = k->levels[1];
			k->levels[1] = t;
			for (r = 0; r < c->nrows; r++)
				k->bin[r] = !k->bin[r] && !cohort_is_missing(k, r);
		}
		return;
	}
	if (k->kind != KIND_CATEGORICAL)
		return;
	/* pos[old level] = new index */
	pos = xcalloc(k->nlevels, sizeof(int));
	for (i = 0; i < k->nlevels; i++)
		pos[i] = -1;
	lv = xcalloc(k->nlevels, sizeof(char *));
	for (j = 0; j < n; j++)
		for (i = 0; i < k->nlevels; i++)
			if (pos[i] < 0 && strcmp(k->levels[i], names[j]) == 0) {
				pos[i] = m;
				lv[m++] = k->levels[i];
			}
	for (i = 0; i < k->nlevels; i++)
		if (pos[i] < 0) {
			pos[i] = m;
			lv[m++] = k->levels[i];
		}
	for (r = 0; r < c->nrows; r++)
		if (!cohort_is_missing(k, r) && k->cat[r] >= 0 && k->cat[r] < k->nlevels)
			k->cat[r] = pos[k->cat[r]];
	free(k->levels);
	k->levels = lv;
	free(pos);
}

size_t
cohort_bytes(const struct cohort *c)
{
	size_t n = 0;
	int j;

	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (k->num) n += c->nrows * sizeof(double);
		if (k->bin) n += c->nrows;
		if (k->cat) n += c->nrows * sizeof(int32_t);
		if (k->text) n += c->nrows * sizeof(char *);
		if (k->missing) n += c->nrows;
	}
	return n;
}

const char *
cohort_role_name(enum col_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

int
cohort_role_parse(const char *s)
{
	int i;

	for (i = 0; i < ROLE_COUNT; i++)
		if (strcmp(s, role_names[i]) == 0)
			return i;
	return -1;
}

const char *
cohort_kind_name(enum col_kind k)
{
	return (unsigned)k < KIND_COUNT ? kind_names[k] : "?";
}

size_t
column_sorted_values(const struct column *k, size_t n, double **out)
{
	double *s = xmalloc((n + 1) * sizeof *s);
	size_t m = 0, r;

	for (r = 0; r < n; r++) {
		double v = column_num(k, r);

		if (!isnan(v))
			s[m++] = v;
	}
	qsort(s, m, sizeof *s, util_cmp_double);
	*out = s;
	return m;
}

int
column_is_binary(const struct column *k)
{
	if (k->group != NULL || k->kind == KIND_TEXT)
		return 0;
	switch (k->role) {
	case ROLE_LABEL:
	case ROLE_SEX:
	case ROLE_BINARY:
	case ROLE_CONCEPT:
		return k->kind != KIND_CATEGORICAL || k->nlevels <= 2;
	default:
		return 0;
	}
}

int
column_is_group(const struct column *k)
{
	if (k->group != NULL || k->kind == KIND_TEXT)
		return 0;
	if (k->role == ROLE_CATEGORICAL)
		return 1;
	return k->role == ROLE_BINARY && k->kind == KIND_CATEGORICAL && k->nlevels > 2;
}
