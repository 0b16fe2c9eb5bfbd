/* synthehr — GPL-3.0-or-later.
 * The classical peers on constructed data (4,000 rows: a 3-level group, a
 * label, binary columns where B = A and C = "group is level B", a count X,
 * Y = 2X + 1, and W, Z standard normal with correlation 0.6).
 *   CART: the deterministic relations survive synthesis exactly, every
 *   synthetic value is a training value, no leaf holds fewer than 5 rows
 *   (and with min leaf 1 some do, so the limit is what holds them), the
 *   stratified label count is exact, the same seed gives the same rows.
 *   Copula: the correlation of normal scores is 0.6 within sampling error
 *   (SE ≈ (1 − ρ²)/√n = 0.01), the synthetic rows keep it, every value is a
 *   training value, the marginals match (KS distance, prevalences), the
 *   same seed gives the same rows and another seed other rows. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/synth.h"
#include "synthehr/util.h"
#include "tap.h"

#define N 4000
#define D 11
enum { G0 = 0, LAB = 3, CA = 4, CB = 5, CC = 6, CX = 7, CY = 8, CW = 9, CZ = 10 };

static struct layout *
make_layout(void)
{
	struct layout *l = layout_new(D);
	char **gn = xcalloc(1, sizeof *gn);
	static const char *names[D] = { "G_A", "G_B", "G_C", "DEAD", "A", "B", "C", "X", "Y", "W", "Z" };
	int j;

	for (j = 0; j < D; j++) {
		l->name[j] = xstrdup(names[j]);
		l->source[j] = xstrdup(j < 3 ? "G" : names[j]);
		l->kind[j] = j < 3 ? MCOL_GROUP : j < CX ? MCOL_BINARY : MCOL_CONT;
		l->group_of[j] = j < 3 ? 0 : -1;
		l->hi[j] = 1;
	}
	for (j = 0; j < 3; j++)
		l->level[j] = xstrdup(names[j] + 2);
	l->label = LAB;
	l->lo[CX] = 0;
	l->hi[CX] = 49;
	l->lo[CY] = 1;
	l->hi[CY] = 99;
	l->lo[CW] = l->lo[CZ] = -6;
	l->hi[CW] = l->hi[CZ] = 6;
	gn[0] = xstrdup("G");
	layout_finish(l, 1, gn);
	return l;
}

/* Cohort units (not scaled). */
static struct mtx *
make_data(const struct layout *l)
{
	struct mtx *m = mtx_new(N, l);
	struct rng r;
	float row[D];
	size_t i;

	rng_seed(&r, 7);
	m->scaled = 0;
	for (i = 0; i < N; i++) {
		double g = rng_uniform(&r), w = rng_normal(&r);
		int x = (int)rng_below(&r, 50);

		memset(row, 0, sizeof row);
		row[g < 0.5 ? 0 : g < 0.8 ? 1 : 2] = 1;
		row[LAB] = rng_uniform(&r) < 0.1 + 0.01 * x;
		row[CA] = rng_uniform(&r) < 0.3;
		row[CB] = row[CA];
		row[CC] = row[1];
		row[CX] = (float)x;
		row[CY] = (float)(2 * x + 1);
		row[CW] = (float)w;
		row[CZ] = (float)(0.6 * w + 0.8 * rng_normal(&r));
		mtx_set_row(m, i, row);
	}
	return m;
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* Sorted column j of m. */
static float *
sorted_col(const struct mtx *m, int j)
{
	float *v = xmalloc(m->n * sizeof *v);
	size_t i;

	for (i = 0; i < m->n; i++)
		v[i] = mtx_get(m, i, j);
	qsort(v, m->n, sizeof *v, cmp_float);
	return v;
}

/* Every value of column j of s occurs in column j of t. */
static int
all_training_values(const struct mtx *s, const struct mtx *t, int j)
{
	float *tv = sorted_col(t, j);
	size_t i;
	int ok = 1;

	for (i = 0; i < s->n && ok; i++) {
		float v = mtx_get(s, i, j);

		ok = bsearch(&v, tv, t->n, sizeof *tv, cmp_float) != NULL;
	}
	free(tv);
	return ok;
}

/* Two-sample Kolmogorov–Smirnov distance of column j. */
static double
ks(const struct mtx *a, const struct mtx *b, int j)
{
	float *x = sorted_col(a, j), *y = sorted_col(b, j);
	size_t i = 0, k = 0;
	double d = 0;

	while (i < a->n && k < b->n) {
		float v = x[i] < y[k] ? x[i] : y[k];

		while (i < a->n && x[i] <= v)
			i++;
		while (k < b->n && y[k] <= v)
			k++;
		d = fmax(d, fabs((double)i / a->n - (double)k / b->n));
	}
	free(x);
	free(y);
	return d;
}

static double
pearson(const struct mtx *m, int a, int b)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = (double)m->n;
	size_t i;

	for (i = 0; i < m->n; i++) {
		double x = mtx_get(m, i, a), y = mtx_get(m, i, b);

		sa += x;
		sb += y;
		saa += x * x;
		sbb += y * y;
		sab += x * y;
	}
	return (sab - sa * sb / n) / sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

static double
mean_col(const struct mtx *m, int j)
{
	double s = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		s += mtx_get(m, i, j);
	return s / (double)m->n;
}

static int
same(const struct mtx *a, const struct mtx *b)
{
	size_t i;
	int j;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		for (j = 0; j < D; j++)
			if (mtx_get(a, i, j) != mtx_get(b, i, j))
				return 0;
	return 1;
}

static size_t
count_label(const struct mtx *m)
{
	size_t i, c = 0;

	for (i = 0; i < m->n; i++)
		c += mtx_get(m, i, LAB) >= 0.5f;
	return c;
}

static void
test_cart(const struct layout *l, const struct mtx *t)
{
	struct synth_settings ss;
	struct synth_cart_stats st;
	struct mtx *s, *s2;
	struct rng r;
	size_t i, npos = count_label(t), bad_y = 0, bad_b = 0, bad_c = 0, onehot = 0;
	char *cause = NULL;

	tap_ok(synth_settings_load(NULL, &ss, &cause) == 0 && ss.cart_min_leaf == 5 &&
	    ss.cart_cp == 1e-8 && ss.method == SYNTH_EMRWGAN && ss.npeers == 2,
	    "CART defaults: min leaf 5, cp 1e-8; train.method emrwgan; peers cart, copula");
	rng_seed_stream(&r, 3, 65);
	s = synth_cart(t, l, N, 1, npos, &ss, &r, &st);
	for (i = 0; i < s->n; i++) {
		bad_y += mtx_get(s, i, CY) != 2 * mtx_get(s, i, CX) + 1;
		bad_b += mtx_get(s, i, CB) != mtx_get(s, i, CA);
		bad_c += mtx_get(s, i, CC) != mtx_get(s, i, G0 + 1);
		onehot += mtx_get(s, i, 0) + mtx_get(s, i, 1) + mtx_get(s, i, 2) == 1;
	}
	tap_ok(bad_y == 0, "CART keeps Y = 2X + 1 in every synthetic row (%zu broken)", bad_y);
	tap_ok(bad_b == 0, "CART keeps B = A (%zu broken)", bad_b);
	tap_ok(bad_c == 0, "CART keeps C = (G is level B) across a group and a binary column (%zu broken)",
	    bad_c);
	tap_ok(onehot == N, "CART rows have exactly one group level");
	tap_ok(count_label(s) == npos, "CART stratified: %zu label ones (training proportion %zu)",
	    count_label(s), npos);
	tap_ok(all_training_values(s, t, CW) && all_training_values(s, t, CX) &&
	    all_training_values(s, t, CZ), "CART continuous values are all training values");
	tap_ok(st.trees == 8 && st.min_leaf_rows >= 5, "CART: %d trees, %ld leaves, smallest leaf %d rows"
	    " (min leaf 5), deepest %d", st.trees, st.leaves, st.min_leaf_rows, st.max_depth);
	tap_ok(st.max_depth <= 30, "CART depth within rpart's maxdepth 30");
	tap_near(mean_col(s, CA), mean_col(t, CA), 0.03, "CART prevalence of A");
	tap_near(pearson(s, CW, CZ), pearson(t, CW, CZ), 0.08, "CART keeps corr(W, Z) roughly (%.3f vs %.3f)",
	    pearson(s, CW, CZ), pearson(t, CW, CZ));

	rng_seed_stream(&r, 3, 65);
	s2 = synth_cart(t, l, N, 1, npos, &ss, &r, NULL);
	tap_ok(same(s, s2), "CART: the same seed gives the same rows");
	mtx_free(s2);
	rng_seed_stream(&r, 4, 65);
	s2 = synth_cart(t, l, N, 1, npos, &ss, &r, NULL);
	tap_ok(!same(s, s2), "CART: another seed gives other rows");
	mtx_free(s2);

	ss.cart_min_leaf = 1;
	rng_seed_stream(&r, 3, 65);
	s2 = synth_cart(t, l, 100, 0, 0, &ss, &r, &st);
	tap_ok(st.min_leaf_rows < 5, "CART with min leaf 1 makes leaves under 5 rows (smallest %d):"
	    " the limit is what holds them at 5", st.min_leaf_rows);
	mtx_free(s2);
	mtx_free(s);
}

static void
test_copula(const struct layout *l, const struct mtx *t)
{
	struct mtx *s, *s2;
	struct rng r;
	double *c;
	int nv, j;
	size_t npos = count_label(t), i, onehot = 0;

	/* Variables: G, then DEAD, A, B, C, then X, Y, W, Z. */
	rng_seed(&r, 5);
	c = synth_copula_corr(t, l, &nv, &r);
	tap_ok(nv == 9, "copula: 9 variables (a group, 4 binary, 4 continuous)");
	tap_near(c[7 * nv + 8], 0.6, 0.04, "copula: normal-score correlation of W and Z is 0.6 within"
	    " sampling error");
	/* Ties and categories are spread uniformly over their CDF interval
	 * (as SDV's encoders add noise), which bounds these below 1. */
	tap_ok(c[5 * nv + 6] > 0.99, "copula: X and Y (Y = 2X + 1) have score correlation %.5f",
	    c[5 * nv + 6]);
	tap_ok(c[2 * nv + 3] > 0.5, "copula: B = A gives score correlation %.4f", c[2 * nv + 3]);
	tap_near(c[7 * nv + 2], 0, 0.05, "copula: W and A independent");
	free(c);

	rng_seed_stream(&r, 3, 66);
	s = synth_copula(t, l, N, 1, npos, &r);
	tap_near(pearson(s, CW, CZ), pearson(t, CW, CZ), 0.05, "copula sample keeps corr(W, Z) (%.3f vs %.3f)",
	    pearson(s, CW, CZ), pearson(t, CW, CZ));
	for (j = CX; j <= CZ; j++) {
		char name[8];

		snprintf(name, sizeof name, "%s", l->name[j]);
		tap_ok(all_training_values(s, t, j), "copula: every %s is a training value", name);
		tap_ok(ks(s, t, j) < 0.05, "copula: %s marginal KS distance %.4f", name, ks(s, t, j));
	}
	tap_near(mean_col(s, CA), mean_col(t, CA), 0.03, "copula prevalence of A");
	for (i = 0, j = 0; i < s->n; i++)
		j += mtx_get(s, i, CA) == mtx_get(s, i, CB);
	/* Independent columns would agree in 0.3² + 0.7² = 58 % of rows. */
	tap_ok(j > 0.68 * N, "copula: A and B agree in %.1f %% of rows", 100.0 * j / N);
	tap_near(mean_col(s, 1), mean_col(t, 1), 0.03, "copula frequency of group level B");
	for (i = 0; i < s->n; i++)
		onehot += mtx_get(s, i, 0) + mtx_get(s, i, 1) + mtx_get(s, i, 2) == 1;
	tap_ok(onehot == N, "copula rows have exactly one group level");
	tap_ok(count_label(s) == npos, "copula stratified: %zu label ones", count_label(s));

	rng_seed_stream(&r, 3, 66);
	s2 = synth_copula(t, l, N, 1, npos, &r);
	tap_ok(same(s, s2), "copula: the same seed gives the same rows");
	mtx_free(s2);
	rng_seed_stream(&r, 4, 66);
	s2 = synth_copula(t, l, N, 1, npos, &r);
	tap_ok(!same(s, s2), "copula: another seed gives other rows");
	mtx_free(s2);
	mtx_free(s);
}

static void
test_settings(void)
{
	struct synth_settings ss;
	char *cause = NULL;
	json_t *j;
	int m;

	tap_ok(synth_method_parse("cart", &m, NULL) == 0 && m == SYNTH_CART, "method cart parses");
	m = synth_method_parse("gan", &m, &cause);
	tap_ok(m == -1 && cause && strstr(cause, "emrwgan, cart, copula"), "unknown method: %s",
	    cause ? cause : "(no cause)");
	free(cause);
	cause = NULL;
	j = json_pack("{s:s, s:[s], s:i}", "method", "copula", "peers", "cart", "cart_min_leaf", 10);
	tap_ok(synth_settings_load(j, &ss, NULL) == 0 && ss.method == SYNTH_COPULA && ss.npeers == 1 &&
	    ss.peers[0] == SYNTH_CART && ss.cart_min_leaf == 10, "study.json train.method, peers, cart_min_leaf");
	json_decref(j);
	j = json_pack("{s:s}", "method", "bayes");
	m = synth_settings_load(j, &ss, &cause);
	tap_ok(m == -1 && cause && strstr(cause, "train.method"), "bad train.method named: %s",
	    cause ? cause : "");
	free(cause);
	cause = NULL;
	json_decref(j);
	j = json_pack("{s:i}", "cart_min_leaf", 0);
	m = synth_settings_load(j, &ss, &cause);
	tap_ok(m == -1 && cause && strstr(cause, "cart_min_leaf"), "cart_min_leaf 0 refused: %s",
	    cause ? cause : "");
	free(cause);
	json_decref(j);
}

int
main(void)
{
	struct layout *l = make_layout();
	struct mtx *t = make_data(l);

	test_settings();
	test_cart(l, t);
	test_copula(l, t);
	mtx_free(t);
	layout_free(l);
	return tap_done();
}
