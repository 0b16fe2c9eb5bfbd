/* synthehr — GPL-3.0-or-later.
 * Fitting the column encodings (encode.h) on a training matrix: the one
 * part of the encodings that reads a struct mtx.  A file of its own so
 * that the layout (which owns its encoding and frees it) and the matrix
 * store sit below encode.c at link level. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/util.h"

struct encoding *
enc_fit(const struct layout *l, const struct mtx *train, const struct enc_request *req,
    char **cause)
{
	struct encoding *e = enc_identity(l);
	double *v = xmalloc((train->n + 1) * sizeof *v);
	int ci, i;

	for (ci = 0; ci < e->ncont; ci++) {
		struct enc_col *c = &e->col[ci];
		int j = c->j, kind = req != NULL ? req->def : ENC_AUTO, integer = 1;
		double lo = l->lo[j], hi = l->hi[j], tol = 1e-5 * fabs(hi - lo) + 1e-9;
		size_t r, n = 0;

		if (req != NULL)
			for (i = 0; i < req->n; i++)
				if (strcmp(req->col[i], l->source[j]) == 0 || strcmp(req->col[i], l->name[j]) == 0)
					kind = req->kind[i];
		mtx_get_col(train, j, v);
		for (r = 0; r < train->n; r++) {
			double x = v[r];

			if (isnan(x))
				continue;
			if (train->scaled)
				x = (1 - x) * lo + x * hi;
			if (fabs(x - nearbyint(x)) > tol)
				integer = 0;
			v[n++] = x;
		}
		if (integer)
			for (r = 0; r < n; r++)
				v[r] = nearbyint(v[r]);
		qsort(v, n, sizeof *v, util_cmp_double);
		enc_col_fit(c, v, n, integer && n > 0, kind);
		/* The decoded range stays the layout's (the tutorial's clip). */
		if (c->kind == ENC_MINMAX) {
			c->lo = lo;
			c->hi = hi;
		}
	}
	free(v);
	(void)cause;
	enc_finish(e, l);
	return e;
}
