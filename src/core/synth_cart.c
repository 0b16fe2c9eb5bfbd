/* synthehr — GPL-3.0-or-later.
 * Sequential CART, the way R's synthpop synthesizes by default (syn.cart
 * over a visit sequence): the first variable is drawn from its marginal;
 * every later variable gets one tree fitted on the training rows with the
 * variables before it as predictors, and a synthetic row takes the value of
 * a training row drawn at random from the leaf that the row's already
 * synthesized predictors lead to.  Trees follow rpart's rules as synthpop
 * sets them: minimum leaf size (minbucket) 5, a node is split only with at
 * least 3 × minbucket rows (rpart's minsplit when only minbucket is given),
 * a split must improve the fit by cp × the root's impurity (cp 1e-8),
 * depth at most 30.  Classification trees (binary columns, categorical
 * groups) split on Gini impurity, regression trees (continuous columns) on
 * the sum of squares; both are the sum of squares of the target's indicator
 * or value columns, which is what the split search computes.
 *
 * Scaling (≈ 250 binary columns, 20,000+ rows): predictors live in two
 * row-major byte matrices in visit order, so the predictors of variable v
 * are a prefix of each row.  Binary predictors (a group's one-hot levels
 * split one level against the rest) are counted with one pass over a
 * node's rows; continuous predictors are pre-binned into at most
 * `cart_bins` ordered bins (every distinct value when there are fewer, else
 * quantile edges) and split by a histogram scan, which caps the candidate
 * thresholds.  Cost per tree is rows × predictors × depth byte additions. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/synth.h"
#include "synthehr/util.h"

/* One variable of the visit sequence. */
struct var {
	int kind;       /* MCOL_GROUP (a whole group), MCOL_BINARY, MCOL_CONT */
	int col;        /* model column (group: first level column) */
	int K;          /* classes: group width, 2 for binary, 0 for continuous */
	int pb0;        /* binary predictor columns of the variables before this one */
	int pc0;        /* continuous predictor columns before this one */
	int pcol;       /* its own predictor column (binary: first one-hot; continuous: bin column) */
};

struct node {
	int pred;       /* -1 leaf; else predictor: binary column, or pb_total + continuous column */
	int thr;        /* continuous: code <= thr goes left */
	int left, right;
	int a, b;       /* leaf: rows idx[a..b) */
};

struct tree {
	struct node *nd;
	int nn, cap;
};

/* Everything the fit of one tree reads. */
struct fit {
	const uint8_t *xb;      /* [n × PB] binary predictors, visit order */
	const uint8_t *xc;      /* [n × PC] continuous predictors' bin codes */
	int PB, PC;
	int pb, pc;             /* predictors of this tree (prefixes) */
	int K;                  /* classes; 0: regression */
	const int *cls;         /* [n] class of the target (K > 0) */
	const double *y;        /* [n] target value (K == 0) */
	int *idx, *tmp;         /* row order, partitioned in place */
	int minleaf, minsplit, maxdepth;
	double cpmin;           /* cp × root impurity */
	int nbins;
	/* scratch */
	int32_t *cnt;           /* [max(K,1) × pb] binary: x = 1 counts (per class) */
	double *sum1;           /* [pb] regression: Σ (y − mean) over x = 1 */
	int32_t *hc;            /* [pc × 256] continuous: rows per bin */
	double *hs;             /* [pc × 256 × T] continuous: per-bin sums per target dim */
	double *S, *SL;         /* [T] */
};

static int
tree_add(struct tree *t)
{
	if (t->nn == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->nd = xreallocarray(t->nd, (size_t)t->cap, sizeof *t->nd);
	}
	memset(&t->nd[t->nn], 0, sizeof t->nd[t->nn]);
	t->nd[t->nn].pred = -1;
	return t->nn++;
}

/* Gain of a split with left sums SL (nL rows) in a node with sums S (n rows). */
static double
gain(const double *S, const double *SL, int T, double n, double nL)
{
	double g = 0, nR = n - nL;
	int t;

	for (t = 0; t < T; t++) {
		double sr = S[t] - SL[t];

		g += SL[t] * SL[t] / nL + sr * sr / nR - S[t] * S[t] / n;
	}
	return g;
}

static void
grow(struct fit *f, struct tree *t, int id, int a, int b, int depth)
{
	int m = b - a, T = f->K > 0 ? f->K : 1, i, k, q, c, best = -1, bthr = 0, nl;
	int pb = f->pb, pc = f->pc;
	double mean = 0, imp = 0, bgain, g;

	t->nd[id].a = a;
	t->nd[id].b = b;
	if (m < f->minsplit || depth >= f->maxdepth)
		return;
	/* Node sums and impurity. */
	memset(f->S, 0, (size_t)T * sizeof *f->S);
	if (f->K > 0) {
		for (i = a; i < b; i++)
			f->S[f->cls[f->idx[i]]] += 1;
		imp = m;
		for (c = 0; c < T; c++)
			imp -= f->S[c] * f->S[c] / m;
	} else {
		for (i = a; i < b; i++)
			mean += f->y[f->idx[i]];
		mean /= m;
		for (i = a; i < b; i++) {
			double d = f->y[f->idx[i]] - mean;

			imp += d * d;
		}
		f->S[0] = 0;   /* centred */
	}
	if (imp <= f->cpmin || imp <= 1e-12 * m)
		return;
	bgain = f->cpmin > 0 ? f->cpmin : 1e-12 * imp;
	/* Binary predictors: counts of x = 1 (per class, or with Σ y). */
	if (pb > 0) {
		memset(f->cnt, 0, (size_t)(f->K > 0 ? f->K : 1) * (size_t)pb * sizeof *f->cnt);
		if (f->K > 0) {
			for (i = a; i < b; i++) {
				int r = f->idx[i];
				int32_t *restrict cn = f->cnt + (size_t)f->cls[r] * (size_t)pb;
				const uint8_t *restrict x = f->xb + (size_t)r * (size_t)f->PB;

				for (k = 0; k < pb; k++)
					cn[k] += x[k];
			}
		} else {
			memset(f->sum1, 0, (size_t)pb * sizeof *f->sum1);
			for (i = a; i < b; i++) {
				int r = f->idx[i];
				double d = f->y[r] - mean;
				int32_t *restrict cn = f->cnt;
				double *restrict s1 = f->sum1;
				const uint8_t *restrict x = f->xb + (size_t)r * (size_t)f->PB;

				for (k = 0; k < pb; k++) {
					cn[k] += x[k];
					s1[k] += x[k] * d;
				}
			}
		}
		for (k = 0; k < pb; k++) {
			int n1 = 0;

			if (f->K > 0) {
				for (c = 0; c < T; c++) {
					int32_t v = f->cnt[(size_t)c * (size_t)pb + (size_t)k];

					n1 += v;
					f->SL[c] = v;
				}
			} else {
				n1 = f->cnt[k];
				f->SL[0] = f->sum1[k];
			}
			/* Left = x == 0: sums S − SL; gain is symmetric in the sides. */
			if (n1 < f->minleaf || m - n1 < f->minleaf)
				continue;
			g = gain(f->S, f->SL, T, m, n1);
			if (g > bgain) {
				bgain = g;
				best = k;
			}
		}
	}
	/* Continuous predictors: per-bin histograms, then a scan. */
	if (pc > 0) {
		for (i = a; i < b; i++) {
			int r = f->idx[i];
			const uint8_t *x = f->xc + (size_t)r * (size_t)f->PC;

			for (q = 0; q < pc; q++) {
				size_t h = (size_t)q * 256 + x[q];

				f->hc[h]++;
				if (f->K > 0)
					f->hs[h * (size_t)T + (size_t)f->cls[r]] += 1;
				else
					f->hs[h] += f->y[r] - mean;
			}
		}
		for (q = 0; q < pc; q++) {
			int nL = 0, code;

			memset(f->SL, 0, (size_t)T * sizeof *f->SL);
			for (code = 0; code < f->nbins - 1 && nL < m; code++) {
				size_t h = (size_t)q * 256 + (size_t)code;

				if (f->hc[h] == 0)
					continue;
				nL += f->hc[h];
				for (c = 0; c < T; c++)
					f->SL[c] += f->hs[h * (size_t)T + (size_t)c];
				if (nL < f->minleaf || m - nL < f->minleaf)
					continue;
				g = gain(f->S, f->SL, T, m, nL);
				if (g > bgain) {
					bgain = g;
					best = pb + q;
					bthr = code;
				}
			}
		}
		/* Clear the histograms through the rows that filled them. */
		for (i = a; i < b; i++) {
			const uint8_t *x = f->xc + (size_t)f->idx[i] * (size_t)f->PC;

			for (q = 0; q < pc; q++) {
				size_t h = (size_t)q * 256 + x[q];

				f->hc[h] = 0;
				for (c = 0; c < T; c++)
					f->hs[h * (size_t)T + (size_t)c] = 0;
			}
		}
	}
	if (best < 0)
		return;
	/* Partition idx[a..b): left rows first, each side in its old order. */
	nl = 0;
	{
		int nr = 0;

		for (i = a; i < b; i++) {
			int r = f->idx[i], left;

			if (best < pb)
				left = f->xb[(size_t)r * (size_t)f->PB + (size_t)best] == 0;
			else
				left = f->xc[(size_t)r * (size_t)f->PC + (size_t)(best - pb)] <= bthr;
			if (left)
				f->idx[a + nl++] = r;
			else
				f->tmp[nr++] = r;
		}
		memcpy(f->idx + a + nl, f->tmp, (size_t)nr * sizeof *f->idx);
	}
	t->nd[id].pred = best;
	t->nd[id].thr = bthr;
	k = tree_add(t);
	t->nd[id].left = k;
	grow(f, t, k, a, a + nl, depth + 1);
	k = tree_add(t);
	t->nd[id].right = k;
	grow(f, t, k, a + nl, b, depth + 1);
}

/* Bin upper edges of a continuous column: every distinct value when there
 * are at most nbins, else the values at nbins quantiles (deduplicated). */
static int
bin_edges(const double *v, size_t n, int nbins, double *edges)
{
	double *s = xmalloc((n ? n : 1) * sizeof *s);
	size_t i, nd = 0;
	int ne = 0, b;

	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, util_cmp_double);
	for (i = 0; i < n; i++)
		if (i == 0 || s[i] != s[i - 1])
			nd++;
	if (nd <= (size_t)nbins) {
		for (i = 0; i < n; i++)
			if (i == 0 || s[i] != s[i - 1])
				edges[ne++] = s[i];
	} else {
		for (b = 1; b <= nbins; b++) {
			size_t at = (size_t)ceil((double)b * (double)n / nbins);
			double e = s[(at ? at : 1) - 1];

			if (ne == 0 || e > edges[ne - 1])
				edges[ne++] = e;
		}
	}
	if (ne == 0)
		edges[ne++] = 0;
	free(s);
	return ne;
}

/* Smallest bin whose upper edge is >= v (values above the last edge, and
 * NaN, go to the last bin). */
static uint8_t
bin_code(const double *edges, int ne, double v)
{
	int lo = 0, hi = ne - 1;

	if (!(v <= edges[ne - 1]))
		return (uint8_t)(ne - 1);
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (edges[mid] >= v)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

/* Depth of every node (parents come before children), for the stats. */
static void
tree_stats(const struct tree *t, struct synth_cart_stats *st)
{
	int *depth = xcalloc((size_t)t->nn, sizeof *depth), k;

	st->trees++;
	st->nodes += t->nn;
	for (k = 0; k < t->nn; k++) {
		const struct node *nd = &t->nd[k];

		if (nd->pred >= 0) {
			depth[nd->left] = depth[nd->right] = depth[k] + 1;
			continue;
		}
		st->leaves++;
		st->min_leaf_rows = SH_MIN(st->min_leaf_rows, nd->b - nd->a);
		st->max_depth = SH_MAX(st->max_depth, depth[k]);
	}
	free(depth);
}

/* Leaf of synthetic row s (predictors sxb/sxc) in tree t. */
static const struct node *
tree_leaf(const struct tree *t, const uint8_t *sxb, const uint8_t *sxc, int pb)
{
	const struct node *nd = &t->nd[0];

	while (nd->pred >= 0) {
		int left = nd->pred < pb ? sxb[nd->pred] == 0 : sxc[nd->pred - pb] <= nd->thr;

		nd = &t->nd[left ? nd->left : nd->right];
	}
	return nd;
}

struct mtx *
synth_cart(const struct mtx *train, const struct layout *l, size_t rows, int stratify,
    size_t npos, const struct synth_settings *ss, struct rng *r, struct synth_cart_stats *st)
{
	size_t n = train->n, i;
	int D = l->D, nv = 0, g, j, v, PB = 0, PC = 0, T, nbins = ss->cart_bins;
	struct var *vs = xcalloc((size_t)D + 1, sizeof *vs);
	struct mtx *m = mtx_new(rows, l);
	uint8_t *xb, *xc, *sxb, *sxc;
	int *cls = xmalloc((n ? n : 1) * sizeof *cls), *idx, *tmp, *donor;
	double *y = xmalloc((n ? n : 1) * sizeof *y), *col = xmalloc((n ? n : 1) * sizeof *col);
	double *edges = xmalloc(((size_t)nbins + 1) * sizeof *edges);
	double **cont_val;
	struct fit f;
	int maxK = 2;

	m->scaled = 0;
	if (st != NULL) {
		memset(st, 0, sizeof *st);
		st->min_leaf_rows = INT32_MAX;
	}
	if (nbins > 255)
		nbins = 255;
	/* Visit sequence: the label, then groups, binary columns, continuous
	 * columns (the layout's order). */
	if (l->label >= 0) {
		vs[nv].kind = MCOL_BINARY;
		vs[nv].col = l->label;
		vs[nv++].K = 2;
	}
	for (g = 0; g < l->ngroups; g++) {
		vs[nv].kind = MCOL_GROUP;
		vs[nv].col = l->group_start[g];
		vs[nv++].K = l->group_width[g];
		maxK = SH_MAX(maxK, l->group_width[g]);
	}
	for (j = 0; j < D; j++)
		if (l->kind[j] == MCOL_BINARY && j != l->label) {
			vs[nv].kind = MCOL_BINARY;
			vs[nv].col = j;
			vs[nv++].K = 2;
		}
	for (j = 0; j < D; j++)
		if (l->kind[j] == MCOL_CONT) {
			vs[nv].kind = MCOL_CONT;
			vs[nv++].col = j;
		}
	for (v = 0; v < nv; v++) {
		vs[v].pb0 = PB;
		vs[v].pc0 = PC;
		if (vs[v].kind == MCOL_CONT)
			vs[v].pcol = PC++;
		else {
			vs[v].pcol = PB;
			PB += vs[v].kind == MCOL_GROUP ? vs[v].K : 1;
		}
	}
	xb = xcalloc((n ? n : 1) * (size_t)(PB ? PB : 1), 1);
	xc = xcalloc((n ? n : 1) * (size_t)(PC ? PC : 1), 1);
	sxb = xcalloc((rows ? rows : 1) * (size_t)(PB ? PB : 1), 1);
	sxc = xcalloc((rows ? rows : 1) * (size_t)(PC ? PC : 1), 1);
	cont_val = xcalloc((size_t)nv, sizeof *cont_val);
	for (v = 0; v < nv; v++) {
		struct var *x = &vs[v];
		int ne, t;

		if (x->kind == MCOL_CONT) {
			mtx_get_col(train, x->col, col);
			if (train->scaled)
				for (i = 0; i < n; i++)
					col[i] = (1 - col[i]) * l->lo[x->col] + col[i] * l->hi[x->col];
			cont_val[v] = xmalloc((n ? n : 1) * sizeof **cont_val);
			memcpy(cont_val[v], col, n * sizeof *col);
			ne = bin_edges(col, n, nbins, edges);
			for (i = 0; i < n; i++)
				xc[i * (size_t)PC + (size_t)x->pcol] = bin_code(edges, ne, col[i]);
		} else if (x->kind == MCOL_BINARY) {
			for (i = 0; i < n; i++)
				xb[i * (size_t)PB + (size_t)x->pcol] = mtx_get(train, i, x->col) >= 0.5f;
		} else {
			for (i = 0; i < n; i++) {
				int lev = x->K - 1;

				for (t = 0; t < x->K; t++)
					if (mtx_get(train, i, x->col + t) >= 0.5f) {
						lev = t;
						break;
					}
				xb[i * (size_t)PB + (size_t)(x->pcol + lev)] = 1;
			}
		}
	}

	memset(&f, 0, sizeof f);
	f.xb = xb;
	f.xc = xc;
	f.PB = PB;
	f.PC = PC;
	f.minleaf = ss->cart_min_leaf;
	f.minsplit = 3 * ss->cart_min_leaf;
	f.maxdepth = ss->cart_max_depth;
	f.nbins = 256;
	idx = xmalloc((n ? n : 1) * sizeof *idx);
	tmp = xmalloc((n ? n : 1) * sizeof *tmp);
	donor = xmalloc((rows ? rows : 1) * sizeof *donor);
	f.idx = idx;
	f.tmp = tmp;
	f.cls = cls;
	f.y = y;
	f.cnt = xmalloc((size_t)maxK * (size_t)(PB ? PB : 1) * sizeof *f.cnt);
	f.sum1 = xmalloc((size_t)(PB ? PB : 1) * sizeof *f.sum1);
	f.hc = xcalloc((size_t)(PC ? PC : 1) * 256, sizeof *f.hc);
	f.hs = xcalloc((size_t)(PC ? PC : 1) * 256 * (size_t)maxK, sizeof *f.hs);
	f.S = xmalloc((size_t)maxK * sizeof *f.S);
	f.SL = xmalloc((size_t)maxK * sizeof *f.SL);

	for (v = 0; v < nv && n > 0; v++) {
		struct var *x = &vs[v];
		struct tree t = { NULL, 0, 0 };
		size_t s;

		/* Targets of the training rows. */
		for (i = 0; i < n; i++) {
			if (x->kind == MCOL_CONT)
				y[i] = cont_val[v][i];
			else if (x->kind == MCOL_BINARY)
				cls[i] = xb[i * (size_t)PB + (size_t)x->pcol];
			else {
				int t2;

				cls[i] = x->K - 1;
				for (t2 = 0; t2 < x->K; t2++)
					if (xb[i * (size_t)PB + (size_t)(x->pcol + t2)]) {
						cls[i] = t2;
						break;
					}
			}
		}
		if (v == 0) {
			/* The first variable: its marginal (the label exactly
			 * stratified when asked). */
			if (stratify && x->kind == MCOL_BINARY && x->col == l->label) {
				size_t *perm = xmalloc((rows ? rows : 1) * sizeof *perm), *pos, *neg;
				size_t np = 0, nn = 0;

				pos = xmalloc(n * sizeof *pos);
				neg = xmalloc(n * sizeof *neg);
				for (i = 0; i < n; i++) {
					if (cls[i])
						pos[np++] = i;
					else
						neg[nn++] = i;
				}
				for (s = 0; s < rows; s++)
					perm[s] = s;
				rng_shuffle(r, perm, rows);
				if (np == 0)
					npos = 0;
				if (nn == 0)
					npos = rows;
				for (s = 0; s < rows; s++)
					donor[perm[s]] = (int)(s < npos ? pos[rng_below(r, np)] :
					    neg[rng_below(r, nn)]);
				free(perm);
				free(pos);
				free(neg);
			} else
				for (s = 0; s < rows; s++)
					donor[s] = (int)rng_below(r, n);
		} else {
			double root = 0;

			T = x->K > 0 ? x->K : 1;
			f.K = x->K;
			f.pb = x->pb0;
			f.pc = x->pc0;
			for (i = 0; i < n; i++)
				idx[i] = (int)i;
			/* The root's impurity scales cp. */
			if (x->K > 0) {
				memset(f.S, 0, (size_t)T * sizeof *f.S);
				for (i = 0; i < n; i++)
					f.S[cls[i]] += 1;
				root = (double)n;
				for (j = 0; j < T; j++)
					root -= f.S[j] * f.S[j] / (double)n;
			} else {
				double mu = 0;

				for (i = 0; i < n; i++)
					mu += y[i];
				mu /= (double)n;
				for (i = 0; i < n; i++)
					root += (y[i] - mu) * (y[i] - mu);
			}
			f.cpmin = ss->cart_cp * root;
			tree_add(&t);
			grow(&f, &t, 0, 0, (int)n, 0);
			if (st != NULL)
				tree_stats(&t, st);
			for (s = 0; s < rows; s++) {
				const struct node *lf = tree_leaf(&t, sxb + s * (size_t)PB, sxc + s * (size_t)PC, f.pb);

				donor[s] = idx[lf->a + (int)rng_below(r, (uint64_t)(lf->b - lf->a))];
			}
			free(t.nd);
		}
		/* The synthetic rows take their donors' values. */
		for (s = 0; s < rows; s++) {
			int d = donor[s];

			if (x->kind == MCOL_CONT) {
				sxc[s * (size_t)PC + (size_t)x->pcol] = xc[(size_t)d * (size_t)PC + (size_t)x->pcol];
				mtx_set(m, s, x->col, (float)cont_val[v][d]);
			} else if (x->kind == MCOL_BINARY) {
				sxb[s * (size_t)PB + (size_t)x->pcol] = (uint8_t)cls[d];
				mtx_set(m, s, x->col, (float)cls[d]);
			} else {
				sxb[s * (size_t)PB + (size_t)(x->pcol + cls[d])] = 1;
				mtx_set(m, s, x->col + cls[d], 1.0f);
			}
		}
	}
	if (st != NULL && st->trees == 0)
		st->min_leaf_rows = 0;
	for (v = 0; v < nv; v++)
		free(cont_val[v]);
	free(cont_val);
	free(f.cnt);
	free(f.sum1);
	free(f.hc);
	free(f.hs);
	free(f.S);
	free(f.SL);
	free(idx);
	free(tmp);
	free(donor);
	free(xb);
	free(xc);
	free(sxb);
	free(sxc);
	free(cls);
	free(y);
	free(col);
	free(edges);
	free(vs);
	return m;
}
