/* synthehr — GPL-3.0-or-later.
 * Model rows back to cohort units (prep.h: prep_decode) and the decoded
 * CSV (prep_write_csv: prep/train.csv, test.csv and every synthetic.csv),
 * the shortest text that reads back to each value.  Encoding is in
 * prep_apply.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/csvio.h"
#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "prep_int.h"

/* Group columns that all decode to one categorical column. */
int
prep_group_is_categorical(const struct layout *l, int g)
{
	int s = l->group_start[g], w = l->group_width[g], j;

	for (j = s + 1; j < s + w; j++)
		if (strcmp(l->source[j], l->source[s]) != 0)
			return 0;
	return l->level[s] != NULL;
}

/* ---- decode ---- */

static double
cont_value(const struct layout *l, const struct mtx *m, size_t r, int j)
{
	double s = mtx_get(m, r, j);

	if (m->c64 != NULL)
		return m->c64[r * m->nc + m->slot[j]];
	/* As mtx_unscale() does: evaluation sees this float32 value. */
	return m->scaled ? (double)(float)((1.0 - s) * l->lo[j] + s * l->hi[j]) : s;
}

static int
argmax_group(const struct layout *l, const struct mtx *m, size_t r, int g)
{
	int s = l->group_start[g], w = l->group_width[g], q, best = 0;
	float bv = -INFINITY;

	for (q = 0; q < w; q++) {
		float v = mtx_get(m, r, s + q);

		if (v > bv) {
			bv = v;
			best = q;
		}
	}
	return best;
}

static enum col_role
binary_role(const struct layout *l, int j)
{
	if (j == l->label)
		return ROLE_LABEL;
	if (j == l->sex)
		return ROLE_SEX;
	return l->concept[j] ? ROLE_CONCEPT : ROLE_BINARY;
}

struct cohort *
prep_decode(const struct layout *l, const struct mtx *m)
{
	struct cohort *c = cohort_new(m->n);
	size_t r;
	int j;

	for (j = 0; j < l->D; j++) {
		int g = l->group_of[j], col, q;

		if (g >= 0 && prep_group_is_categorical(l, g)) {
			if (j != l->group_start[g])
				continue;
			col = cohort_add_column(c, l->source[j], ROLE_CATEGORICAL, KIND_CATEGORICAL);
			cohort_set_levels(c, col, l->group_width[g], (const char *const *)&l->level[j]);
			for (r = 0; r < m->n; r++)
				c->cols[col].cat[r] = argmax_group(l, m, r, g);
		} else if (g >= 0) {
			col = cohort_add_column(c, l->source[j], ROLE_BINARY, KIND_BINARY);
			c->cols[col].group = xstrdup(l->group_name[g]);
			for (r = 0; r < m->n; r++)
				c->cols[col].bin[r] = argmax_group(l, m, r, g) == j - l->group_start[g];
		} else if (l->kind[j] == MCOL_CONT) {
			col = cohort_add_column(c, l->source[j], ROLE_CONTINUOUS, KIND_NUMERIC);
			for (r = 0; r < m->n; r++)
				c->cols[col].num[r] = cont_value(l, m, r, j);
		} else {
			col = cohort_add_column(c, l->source[j], binary_role(l, j), KIND_BINARY);
			if (l->level[j] || l->level0[j]) {
				const char *lv[2] = { l->level0[j] ? l->level0[j] : "0", l->level[j] ? l->level[j] : "1" };

				cohort_set_levels(c, col, 2, lv);
			}
			for (r = 0; r < m->n; r++)
				c->cols[col].bin[r] = mtx_get(m, r, j) >= 0.5f;
		}
		(void)q;
	}
	return c;
}

/* ---- decoded CSV ---- */

/* A growing line buffer: rows are built in memory and written whole. */
struct rowbuf {
	char *s;
	size_t len, cap;
};

static void
rb_need(struct rowbuf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
}

static void
rb_char(struct rowbuf *b, char ch)
{
	rb_need(b, 1);
	b->s[b->len++] = ch;
}

/* RFC 4180 field; empty labels are written quoted so they read back as "". */
static void
rb_field(struct rowbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && strpbrk(s, ",\"\r\n") == NULL) {
		rb_need(b, n);
		memcpy(b->s + b->len, s, n);
		b->len += n;
		return;
	}
	rb_char(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			rb_char(b, '"');
		rb_char(b, *s);
	}
	rb_char(b, '"');
}

/* How prep_write_csv writes one output field. */
enum wop {
	WOP_CAT,      /* categorical group: the level of the row's argmax */
	WOP_GROUP,    /* one member of a non-categorical group: 1 at the argmax */
	WOP_CONT,     /* continuous: cohort units, the shortest text that reads back
	               * to the evaluated value (float64 original or float32) */
	WOP_BIN01,    /* binary column without labels: 0 or 1 */
	WOP_BINLAB    /* binary column with a label for 0 or 1 */
};

/* One step of a row: a field, or a run of 0/1 fields in consecutive byte
 * slots (most of a cohort). */
struct wseg {
	int op;                   /* enum wop */
	int j;                    /* model column (first of a run) */
	int slot;                 /* byte slot (first of a run) */
	int n;                    /* fields in a WOP_BIN01 run, else 1 */
};

/* Rows are built into one buffer and written in pieces of about 1 MiB (few
 * write calls).  Every field is written after a separator; a row's first
 * separator is the newline that ends the row before it (the header's for
 * the first row), and the file's last newline is added at the end. */
struct prep_csv {
	struct atomic_file af;
	const struct layout *l;
	struct rowbuf b;
	struct wseg *seg;
	int nseg, ok;
};

struct prep_csv *
prep_csv_open(const char *path, const struct layout *l, const struct mtx *m, char **cause)
{
	struct prep_csv *pc = xcalloc(1, sizeof *pc);
	struct rowbuf *b = &pc->b;
	struct wseg *seg = xcalloc(l->D + 1, sizeof *seg);
	int j, nseg = 0, wrote = 0;

	if (atomic_open(&pc->af, path, cause) != 0) {
		free(seg);
		free(pc);
		return NULL;
	}
	pc->l = l;
	pc->seg = seg;
	pc->ok = 1;
	for (j = 0; j < l->D; j++) {
		int g = l->group_of[j], cat = g >= 0 && prep_group_is_categorical(l, g), op;

		if (cat && j != l->group_start[g])
			continue;
		if (cat)
			op = WOP_CAT;
		else if (g >= 0)
			op = WOP_GROUP;
		else if (l->kind[j] == MCOL_CONT)
			op = WOP_CONT;
		else
			op = l->level[j] == NULL && l->level0[j] == NULL ? WOP_BIN01 : WOP_BINLAB;
		if (op == WOP_BIN01 && nseg > 0 && seg[nseg - 1].op == WOP_BIN01 &&
		    seg[nseg - 1].slot + seg[nseg - 1].n == m->slot[j]) {
			seg[nseg - 1].n++;
		} else {
			seg[nseg].op = op;
			seg[nseg].j = j;
			seg[nseg].slot = op == WOP_BIN01 || op == WOP_BINLAB ? m->slot[j] : -1;
			seg[nseg].n = 1;
			nseg++;
		}
		if (wrote++ > 0)
			rb_char(b, ',');
		rb_field(b, l->source[j]);
	}
	pc->nseg = nseg;
	return pc;
}

int
prep_csv_rows(struct prep_csv *pc, const struct mtx *m, char **cause)
{
	const struct layout *l = pc->l;
	struct rowbuf *bp = &pc->b;
	char buf[64];
	size_t r;
	int j, t;

	(void)cause;
	for (r = 0; r < m->n && pc->ok; r++) {
		const uint8_t *row = m->b + r * m->nb;
		size_t row0 = bp->len;

		for (t = 0; t < pc->nseg; t++) {
			const struct wseg *e = &pc->seg[t];
			int g;

			j = e->j;
			if (e->op == WOP_BIN01) {
				const uint8_t *src = row + e->slot;
				char *dst;
				int q;

				rb_need(bp, 2 * (size_t)e->n);
				dst = bp->s + bp->len;
				for (q = 0; q < e->n; q++) {
					dst[2 * q] = ',';
					dst[2 * q + 1] = src[q] != 0 ? '1' : '0';
				}
				bp->len += 2 * (size_t)e->n;
				continue;
			}
			rb_char(bp, ',');
			g = l->group_of[j];
			switch (e->op) {
			case WOP_CAT:
				rb_field(bp, l->level[j + argmax_group(l, m, r, g)]);
				break;
			case WOP_GROUP:
				rb_char(bp, argmax_group(l, m, r, g) == j - l->group_start[g] ? '1' : '0');
				break;
			case WOP_CONT: {
				double v = cont_value(l, m, r, j);

				/* Reading the file back gives exactly what evaluation
				 * uses (issue 13: %.7g did not round-trip float32). */
				if (m->c64 != NULL)
					util_format_double(buf, sizeof buf, v);
				else
					util_format_float(buf, sizeof buf, (float)v);
				rb_field(bp, buf);
				break;
			}
			default: {
				int one = row[e->slot] != 0;
				const char *lab = one ? l->level[j] : l->level0[j];

				if (lab)
					rb_field(bp, lab);
				else
					rb_char(bp, one ? '1' : '0');
			}
			}
		}
		if (bp->len == row0)
			rb_char(bp, '\n');   /* a row of no fields: the newline alone */
		else
			bp->s[row0] = '\n';
		if (bp->len >= (1 << 20)) {
			pc->ok = fwrite(bp->s, 1, bp->len, pc->af.fp) == bp->len;
			bp->len = 0;
		}
	}
	if (!pc->ok || ferror(pc->af.fp))
		return util_fail(cause, "%s: write failed: %s", pc->af.path, strerror(errno ? errno : EIO));
	return 0;
}

void
prep_csv_abort(struct prep_csv *pc)
{
	if (pc == NULL)
		return;
	atomic_abort(&pc->af);
	free(pc->b.s);
	free(pc->seg);
	free(pc);
}

int
prep_csv_commit(struct prep_csv *pc, char **cause)
{
	struct rowbuf *bp = &pc->b;
	int ok = pc->ok, rc;

	rb_char(bp, '\n');
	if (ok)
		ok = fwrite(bp->s, 1, bp->len, pc->af.fp) == bp->len;
	if (!ok || ferror(pc->af.fp)) {
		int e = errno ? errno : EIO;

		util_fail(cause, "%s: write failed: %s", pc->af.path, strerror(e));
		prep_csv_abort(pc);
		return -1;
	}
	rc = atomic_commit(&pc->af, cause);
	free(bp->s);
	free(pc->seg);
	free(pc);
	return rc;
}

int
prep_write_csv(const char *path, const struct layout *l, const struct mtx *m, char **cause)
{
	struct prep_csv *pc = prep_csv_open(path, l, m, cause);

	if (pc == NULL)
		return -1;
	if (prep_csv_rows(pc, m, cause) != 0) {
		prep_csv_abort(pc);
		return -1;
	}
	return prep_csv_commit(pc, cause);
}
