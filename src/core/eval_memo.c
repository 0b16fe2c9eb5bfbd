/* synthehr — GPL-3.0-or-later.
 * Memorisation (issue 18): the share of a set's rows that copy a training
 * row exactly (every model column equal, continuous values bit for bit as
 * evaluated) and the share that repeat a training patient's whole discrete
 * profile (every group, binary and concept column equal).  The real test
 * rows against the training rows give the reference: what unseen patients
 * of the same population share with the training rows by chance.
 *
 * One hash table over R's rows (open addressing, row index + 1, 0 empty);
 * a probe compares the rows' bytes, so a hash collision never counts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "synthehr/eval_privacy.h"
#include "synthehr/util.h"

struct memo_table {
	const struct mtx *R;
	int floats;            /* compare the float block too */
	size_t cap;            /* power of 2 */
	size_t *slot;          /* [cap] row + 1, 0 = empty */
};

static uint64_t
memo_hash(const struct mtx *m, size_t r, int floats)
{
	uint64_t h = util_hash64(m->b + r * (size_t)m->nb, (size_t)m->nb, 0x6d656d6fULL);

	if (floats)
		h = util_hash64(m->c + r * (size_t)m->nc, (size_t)m->nc * sizeof(float), h);
	return h;
}

static int
memo_same(const struct mtx *a, size_t ra, const struct mtx *b, size_t rb, int floats)
{
	size_t k;

	if (memcmp(a->b + ra * (size_t)a->nb, b->b + rb * (size_t)b->nb, (size_t)a->nb) != 0)
		return 0;
	if (!floats)
		return 1;
	/* == on values, so 0.0 and -0.0 are the same value */
	for (k = 0; k < (size_t)a->nc; k++)
		if (a->c[ra * (size_t)a->nc + k] != b->c[rb * (size_t)b->nc + k])
			return 0;
	return 1;
}

static void
memo_build(struct memo_table *t, const struct mtx *R, int floats)
{
	size_t r, i;

	t->R = R;
	t->floats = floats;
	for (t->cap = 16; t->cap < 2 * R->n + 2; t->cap *= 2)
		;
	t->slot = xcalloc(t->cap, sizeof *t->slot);
	for (r = 0; r < R->n; r++) {
		for (i = memo_hash(R, r, floats) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
			if (t->slot[i] == 0) {
				t->slot[i] = r + 1;
				break;
			}
			if (memo_same(R, t->slot[i] - 1, R, r, floats))
				break;   /* a duplicate training row: one entry is enough */
		}
	}
}

static int
memo_has(const struct memo_table *t, const struct mtx *X, size_t r)
{
	size_t i;

	for (i = memo_hash(X, r, t->floats) & (t->cap - 1); t->slot[i] != 0; i = (i + 1) & (t->cap - 1))
		if (memo_same(t->R, t->slot[i] - 1, X, r, t->floats))
			return 1;
	return 0;
}

int
eval_memorisation(const struct layout *l, const struct mtx *R, const struct mtx *X, struct memo_result *out,
    char **cause)
{
	struct memo_table full, disc;
	size_t r;

	memset(out, 0, sizeof *out);
	if (R->D != l->D || X->D != l->D || R->nb != X->nb || R->nc != X->nc)
		return util_fail(cause, "memorisation: matrices do not match the layout");
	if (R->scaled != X->scaled)
		return util_fail(cause, "memorisation: one matrix is scaled, the other not");
	out->rows = X->n;
	if (X->n == 0 || R->n == 0)
		return 0;
	memo_build(&full, R, 1);
	memo_build(&disc, R, 0);
	for (r = 0; r < X->n; r++) {
		if (util_interrupted)
			break;
		if (memo_has(&disc, X, r)) {
			out->profile_rows++;
			out->exact_rows += memo_has(&full, X, r);
		}
	}
	free(full.slot);
	free(disc.slot);
	if (util_interrupted)
		return util_fail(cause, "interrupted");
	out->exact = (double)out->exact_rows / (double)X->n;
	out->profile = (double)out->profile_rows / (double)X->n;
	return 0;
}
