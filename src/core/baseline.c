/* synthehr — GPL-3.0-or-later.
 * Independent-marginals baseline.  Each column is drawn on its own from the
 * real training marginal: a categorical group as one draw from its level
 * frequencies (so the row stays one-hot), a binary column as Bernoulli with
 * the real prevalence, a continuous column by resampling an observed value.
 * It keeps every univariate distribution and destroys every dependence, so
 * any GAN run worth keeping must beat it on correlation-type metrics. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/baseline.h"
#include "synthehr/prep.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

struct mtx *
baseline_marginals(const struct mtx *train, const struct layout *l, size_t rows, int stratify,
    size_t npos, struct rng *r)
{
	struct mtx *m = mtx_new(rows, l);
	size_t n = train->n, i, k;
	double *col = xmalloc((n ? n : 1) * sizeof *col), *p = xcalloc((size_t)l->D, sizeof *p);
	float *row = xmalloc((size_t)l->D * sizeof *row), *cont = NULL;
	size_t *lab = NULL;
	int j, g, nc = 0, *cj = xmalloc((size_t)l->D * sizeof *cj);

	m->scaled = 0;
	/* Column prevalences and observed continuous values (cohort units). */
	for (j = 0; j < l->D; j++) {
		if (l->kind[j] == MCOL_CONT) {
			cj[nc++] = j;
			continue;
		}
		mtx_get_col(train, j, col);
		for (i = 0; i < n; i++)
			p[j] += col[i] >= 0.5;
		p[j] = n ? p[j] / (double)n : 0;
	}
	if (nc > 0) {
		cont = xmalloc((size_t)nc * (n ? n : 1) * sizeof *cont);   /* [nc × n] */
		for (k = 0; k < (size_t)nc; k++) {
			j = cj[k];
			mtx_get_col(train, j, col);
			for (i = 0; i < n; i++) {
				double v = col[i];

				if (train->scaled)
					v = (1 - v) * l->lo[j] + v * l->hi[j];
				cont[k * n + i] = (float)v;
			}
		}
	}
	if (stratify && l->label >= 0) {
		/* Exactly npos label ones, at shuffled positions. */
		lab = xmalloc((rows ? rows : 1) * sizeof *lab);
		for (i = 0; i < rows; i++)
			lab[i] = i;
		rng_shuffle(r, lab, rows);
	}
	for (i = 0; i < rows; i++) {
		for (j = 0; j < l->D; j++)
			row[j] = 0;
		for (g = 0; g < l->ngroups; g++) {
			double u = rng_uniform(r), acc = 0;
			int s0 = l->group_start[g], w = l->group_width[g], pick = s0 + w - 1, t;

			for (t = 0; t < w; t++) {
				acc += p[s0 + t];
				if (u < acc) {
					pick = s0 + t;
					break;
				}
			}
			row[pick] = 1;
		}
		for (j = 0; j < l->D; j++)
			if (l->kind[j] == MCOL_BINARY)
				row[j] = rng_uniform(r) < p[j] ? 1.0f : 0.0f;
		for (k = 0; k < (size_t)nc; k++)
			row[cj[k]] = n ? cont[k * n + rng_below(r, n)] : (float)l->lo[cj[k]];
		mtx_set_row(m, i, row);
	}
	if (lab != NULL) {
		for (i = 0; i < rows; i++)
			mtx_set(m, lab[i], l->label, i < npos ? 1.0f : 0.0f);
		free(lab);
	}
	free(col);
	free(p);
	free(row);
	free(cont);
	free(cj);
	return m;
}

int
baseline_run(struct study *s, const struct gen_opts *o, size_t *rows_out, char **cause)
{
	struct layout *l;
	struct mtx *train, *m;
	struct rng r;
	size_t rows;
	int rc;

	if (train_load_data(s, &l, &train, cause) != 0)
		return -1;
	/* Resample the original values (float64 sidecar), not the float32
	 * scaled ones; a study prepared before the sidecar existed falls back
	 * to unscaling. */
	{
		char *cz = NULL;

		if (prep_attach_f64(s, "train", train, &cz) != 0)
			free(cz);
		mtx_unscale(train, l);
	}
	rows = o->rows > 0 ? o->rows : train->n;
	/* the synthetic rows are held whole (bytes and floats) and written as
	 * CSV: refuse clearly rather than be killed half-way (issue 18) */
	if (util_mem_check(rows * ((size_t)train->nb + 4 * (size_t)train->nc + 16), "generating the synthetic rows",
	    cause) != 0) {
		mtx_free(train);
		layout_free(l);
		return -1;
	}
	rng_seed_stream(&r, o->seed, 0);
	m = baseline_marginals(train, l, rows, o->stratify, gen_label_target(train, l, rows), &r);
	m->prov = train->prov;
	m->prov.role = MTX_ROLE_SYNTH;
	m->prov.seed = o->seed;
	m->prov.train = train->sum;
	rc = gen_write_set(s, "runs/baseline-marginals", l, m, cause);
	if (rc == 0 && rows_out != NULL)
		*rows_out = rows;
	mtx_free(m);
	mtx_free(train);
	layout_free(l);
	return rc;
}
