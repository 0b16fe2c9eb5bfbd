/* synthehr — GPL-3.0-or-later.
 * Encoding a preprocessed cohort into model rows of its layout: each
 * layout column's source in the cohort (a level map for groups and coded
 * binaries), the rows in parallel, the train/test matrices of the split.
 * The other direction (model rows to a cohort, the CSV) is prep_decode.c. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "prep_int.h"

struct encmap {
	int col;              /* cohort column, -1 absent */
	int first;            /* first model column of a categorical group (others: -1) */
	int nmap;
	int *map;             /* group: cohort level → model column (−1 unknown);
	                         binary with labels: cohort level → 0/1 (−1 unknown) */
	double *vals;         /* continuous read as categories (few distinct values
	                         in a small file): level → number */
};

static void
encmap_free(struct encmap *em, int D)
{
	int j;

	for (j = 0; j < D; j++) {
		free(em[j].map);
		free(em[j].vals);
	}
	free(em);
}

/* Append 'what "name"' to a comma-separated list. */
static void
append(char **s, const char *what, const char *name)
{
	char *t = xsprintf("%s%s%s \"%s\"", *s ? *s : "", *s ? ", " : "", what, name);

	free(*s);
	*s = t;
}

static int
encmap_build(const struct layout *l, const struct cohort *c, struct encmap **out, char **cause)
{
	struct encmap *em = xcalloc(l->D + 1, sizeof *em);
	uint8_t *used = xcalloc(c->ncols + 1, 1);
	char *diff = NULL;
	int j, i, nmiss = 0, nextra = 0;

	for (j = 0; j < l->D; j++) {
		int g = l->group_of[j], col = cohort_find_ci(c, l->source[j]);

		em[j].col = col;
		em[j].first = -1;
		if (col < 0) {
			if (g < 0 || !prep_group_is_categorical(l, g) || j == l->group_start[g]) {
				if (nmiss++ < 10)
					append(&diff, "missing column", l->source[j]);
			}
			continue;
		}
		used[col] = 1;
		if (g >= 0 && prep_group_is_categorical(l, g)) {
			const struct column *k = &c->cols[col];

			if (j != l->group_start[g])
				continue;
			em[j].first = j;
			if (k->kind == KIND_CATEGORICAL) {
				em[j].nmap = k->nlevels;
				em[j].map = xmalloc((k->nlevels + 1) * sizeof(int));
				for (i = 0; i < k->nlevels; i++) {
					int q;

					em[j].map[i] = -1;
					for (q = 0; q < l->group_width[g]; q++)
						if (strcmp(k->levels[i], l->level[j + q]) == 0)
							em[j].map[i] = j + q;
				}
			} else if (k->kind != KIND_NUMERIC) {
				util_fail(cause, "column \"%s\": expected the levels of a categorical column", k->name);
				goto fail;
			}
		} else if (l->kind[j] != MCOL_CONT) {
			const struct column *k = &c->cols[col];

			if (k->kind == KIND_CATEGORICAL || (k->kind == KIND_BINARY && k->levels != NULL)) {
				em[j].nmap = k->nlevels;
				em[j].map = xmalloc((k->nlevels + 1) * sizeof(int));
				for (i = 0; i < k->nlevels; i++) {
					const char *s = k->levels[i];

					em[j].map[i] = -1;
					if ((l->level[j] && strcmp(s, l->level[j]) == 0) || strcmp(s, "1") == 0)
						em[j].map[i] = 1;
					else if ((l->level0[j] && strcmp(s, l->level0[j]) == 0) || strcmp(s, "0") == 0)
						em[j].map[i] = 0;
				}
			} else if (k->kind == KIND_TEXT) {
				util_fail(cause, "column \"%s\": expected 0/1 values, found text", k->name);
				goto fail;
			}
		} else if (c->cols[col].kind == KIND_CATEGORICAL) {
			const struct column *k = &c->cols[col];

			em[j].nmap = k->nlevels;
			em[j].vals = xmalloc((k->nlevels + 1) * sizeof(double));
			for (i = 0; i < k->nlevels; i++) {
				if (util_parse_double(k->levels[i], strlen(k->levels[i]), &em[j].vals[i]) != 0) {
					util_fail(cause, "column \"%s\": expected numbers for a continuous column", k->name);
					goto fail;
				}
			}
		} else if (c->cols[col].kind == KIND_TEXT) {
			util_fail(cause, "column \"%s\": expected numbers for a continuous column", c->cols[col].name);
			goto fail;
		}
	}
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (used[j] || k->role == ROLE_ID || k->role == ROLE_IGNORE)
			continue;
		if (nextra++ < 10)
			append(&diff, "unexpected column", k->name);
	}
	if (nmiss || nextra) {
		util_fail(cause, "columns do not match the study's layout (%d missing, %d unexpected): %s%s",
		    nmiss, nextra, diff, (nmiss > 10 || nextra > 10) ? ", ..." : "");
		goto fail;
	}
	free(diff);
	free(used);
	*out = em;
	return 0;
fail:
	free(diff);
	free(used);
	encmap_free(em, l->D);
	return -1;
}

/* Ask for transparent huge pages on the 2 MiB-aligned inside of a large
 * fresh allocation, before it is first touched: one page fault per 2 MiB
 * instead of per 4 KiB (faults are costly on virtual machines).  Only a
 * hint; nothing changes where the kernel ignores it. */
static void
advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = ((uintptr_t)p + (1u << 21) - 1) & ~(uintptr_t)((1u << 21) - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)((1u << 21) - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* Rows idx[0..nr-1] (all rows when idx is NULL) into m (unscaled). */
static int
encode_rows(const struct layout *l, const struct cohort *c, const struct encmap *em,
    const size_t *idx, size_t nr, struct mtx *m, char **cause)
{
	int j;
	size_t i, b0, b1;

	/* Blocks of rows, so the destination rows stay in cache while every
	 * column is written into them. */
	for (b0 = 0; b0 < nr; b0 = b1) {
	b1 = SH_MIN(nr, b0 + 256);
	for (j = 0; j < l->D; j++) {
		const struct encmap *e = &em[j];
		const struct column *k;
		int g = l->group_of[j];

		if (e->col < 0 || (g >= 0 && e->first < 0 && prep_group_is_categorical(l, g)))
			continue;
		k = &c->cols[e->col];
		if (g < 0 && l->kind[j] != MCOL_CONT && k->kind == KIND_BINARY && k->missing == NULL &&
		    e->map == NULL) {
			uint8_t *dst = m->b + m->slot[j];

			for (i = b0; i < b1; i++)
				dst[i * m->nb] = k->bin[idx ? idx[i] : i] != 0;
			continue;
		}
		for (i = b0; i < b1; i++) {
			size_t r = idx ? idx[i] : i;
			double v = column_num(k, r);

			if (isnan(v))
				return util_fail(cause, "data row %zu, column \"%s\": missing value "
				    "(every value must be present)", r + 1, k->name);
			if (e->first >= 0) {    /* categorical group */
				int target = -1, q;

				if (k->kind == KIND_CATEGORICAL) {
					int lv = k->cat[r];

					target = lv >= 0 && lv < e->nmap ? e->map[lv] : -1;
				} else {
					char buf[64];

					util_format_double(buf, sizeof buf, v);
					for (q = 0; q < l->group_width[g]; q++)
						if (strcmp(buf, l->level[j + q]) == 0)
							target = j + q;
				}
				if (target < 0)
					return util_fail(cause, "data row %zu, column \"%s\": a level the study's layout "
					    "does not know", r + 1, k->name);
				for (q = 0; q < l->group_width[g]; q++)
					mtx_set(m, i, j + q, j + q == target);
			} else if (l->kind[j] == MCOL_CONT) {
				if (e->vals != NULL)
					v = v >= 0 && v < e->nmap ? e->vals[(int)v] : NAN;
				if (!isfinite((float)v))
					return util_fail(cause, "data row %zu, column \"%s\": value out of range "
					    "(expected a finite number between -3.4e38 and 3.4e38)", r + 1, k->name);
				m->c[i * m->nc + m->slot[j]] = (float)v;
				if (m->c64 != NULL)
					m->c64[i * m->nc + m->slot[j]] = v;
			}
			else {
				double b = v;

				if (e->map != NULL) {
					int lv = (int)v;

					b = lv >= 0 && lv < e->nmap ? e->map[lv] : -1;
				}
				if (!(b >= 0 && b <= 1))
					return util_fail(cause, "data row %zu, column \"%s\": expected 0 or 1%s%s%s",
					    r + 1, k->name, l->level[j] ? " (or \"" : "", l->level[j] ? l->level[j] : "",
					    l->level[j] ? "\")" : "");
				m->b[i * m->nb + m->slot[j]] = b >= 0.5;
			}
		}
	}
	}
	return 0;
}

/* Move row pos[i] of m to row i for every i (a permutation), following
 * cycles with one spare row. */
static void
permute_rows(struct mtx *m, const size_t *pos)
{
	size_t n = m->n, i, j, k;
	uint8_t *done = xcalloc(n + 1, 1), *tb = xmalloc(m->nb + 1);
	float *tc = xmalloc((m->nc + 1) * sizeof(float));
	double *td = xmalloc((m->nc + 1) * sizeof(double));

	for (i = 0; i < n; i++) {
		if (done[i] || pos[i] == i)
			continue;
		memcpy(tb, m->b + i * m->nb, m->nb);
		memcpy(tc, m->c + i * m->nc, m->nc * sizeof(float));
		if (m->c64 != NULL)
			memcpy(td, m->c64 + i * m->nc, m->nc * sizeof(double));
		for (j = i;; j = k) {
			k = pos[j];
			done[j] = 1;
			if (k == i) {
				memcpy(m->b + j * m->nb, tb, m->nb);
				memcpy(m->c + j * m->nc, tc, m->nc * sizeof(float));
				if (m->c64 != NULL)
					memcpy(m->c64 + j * m->nc, td, m->nc * sizeof(double));
				break;
			}
			memcpy(m->b + j * m->nb, m->b + k * m->nb, m->nb);
			memcpy(m->c + j * m->nc, m->c + k * m->nc, m->nc * sizeof(float));
			if (m->c64 != NULL)
				memcpy(m->c64 + j * m->nc, m->c64 + k * m->nc, m->nc * sizeof(double));
		}
	}
	free(done);
	free(tb);
	free(tc);
	free(td);
}

/* Rows idx[0..nr-1] of c (distinct, any order) into m in that order:
 * encoded in increasing source order (so the column reads stream), then
 * permuted into place. */
static int
encode_rows_at(const struct layout *l, const struct cohort *c, const struct encmap *em,
    const size_t *idx, size_t nr, struct mtx *m, char **cause)
{
	size_t *where = xcalloc(c->nrows + 1, sizeof(size_t)), *sidx = xmalloc((nr + 1) * sizeof(size_t));
	size_t *pos = xmalloc((nr + 1) * sizeof(size_t)), i, r, k = 0;
	int rc;

	for (i = 0; i < nr; i++)
		where[idx[i]] = i + 1;
	for (r = 0; r < c->nrows; r++)
		if (where[r]) {
			sidx[k] = r;
			pos[where[r] - 1] = k++;
		}
	rc = encode_rows(l, c, em, sidx, nr, m, cause);
	if (rc == 0)
		permute_rows(m, pos);
	free(where);
	free(sidx);
	free(pos);
	return rc;
}

int
prep_encode(const struct layout *l, const struct cohort *c, struct mtx **out, char **cause)
{
	struct encmap *em;
	struct mtx *m;

	if (encmap_build(l, c, &em, cause) != 0)
		return -1;
	m = mtx_new(c->nrows, l);
	if (encode_rows(l, c, em, NULL, c->nrows, m, cause) != 0) {
		mtx_free(m);
		encmap_free(em, l->D);
		return -1;
	}
	encmap_free(em, l->D);
	m->scaled = 0;
	*out = m;
	return 0;
}

/* The cohort's rows tr[ntr] and te[nte] as the scaled training and test
 * matrices of layout l (the original values kept in float64 for the
 * evaluation). */
int
prep_encode_split(const struct layout *l, const struct cohort *c, const size_t *tr, size_t ntr,
    const size_t *te, size_t nte, struct mtx **train, struct mtx **test, char **cause)
{
	struct encmap *em = NULL;
	struct mtx *a, *b;

	if (encmap_build(l, c, &em, cause) != 0)
		return -1;
	a = mtx_new(ntr, l);
	b = mtx_new(nte, l);
	mtx_f64_alloc(a);       /* the original values, for evaluation */
	mtx_f64_alloc(b);
	advise_huge(a->b, ntr * (size_t)a->nb);
	advise_huge(b->b, nte * (size_t)b->nb);
	if (encode_rows_at(l, c, em, tr, ntr, a, cause) != 0 || encode_rows_at(l, c, em, te, nte, b, cause) != 0) {
		encmap_free(em, l->D);
		mtx_free(a);
		mtx_free(b);
		return -1;
	}
	encmap_free(em, l->D);
	mtx_scale(a, l);
	mtx_scale(b, l);
	*train = a;
	*test = b;
	return 0;
}
