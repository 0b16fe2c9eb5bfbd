/* synthehr — GPL-3.0-or-later.
 * Column encodings (include/synthehr/encode.h): the normal quantile
 * function against known values, quantile-normal encode/decode on a
 * hand-computed sample (ties included), the Gaussian mixture on a known
 * bimodal sample, zero-inflated counts decoding to integers with the right
 * share at zero (threshold and Bernoulli), one-hot integers, the automatic
 * choice on constructed profiles, type and range of decoded values, and a
 * whole layout: network width, softmax groups, row round trip, JSON. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "tap.h"

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
test_normal(void)
{
	tap_near(enc_norm_ppf(0.5), 0, 1e-12, "Φ⁻¹(0.5) = 0");
	tap_near(enc_norm_ppf(0.3), -0.5244005127080407, 1e-10, "Φ⁻¹(0.3)");
	tap_near(enc_norm_ppf(0.975), 1.959963984540054, 1e-10, "Φ⁻¹(0.975)");
	tap_near(enc_norm_ppf(1e-6), -4.753424308822899, 1e-8, "Φ⁻¹(1e-6) (tail branch)");
	tap_near(enc_norm_cdf(enc_norm_ppf(0.123)), 0.123, 1e-12, "Φ(Φ⁻¹(p)) = p");
}

static void
test_quantile(void)
{
	/* Sample {1,2,3,4,5}: knots are the values at p = 0.1, 0.3, ..., 0.9. */
	static const double s[] = { 1, 2, 3, 4, 5 };
	static const double ties[] = { 0, 0, 0, 1, 2 };
	struct enc_col c;
	float v[2];
	double x;
	int ok = 1;

	memset(&c, 0, sizeof c);
	enc_col_fit(&c, s, 5, 0, ENC_QUANTILE);
	tap_ok(c.kind == ENC_QUANTILE && c.width == 1 && c.nq == 5, "quantile: 5 knots, one column");
	enc_col_encode(&c, 3, v);
	tap_near(v[0], 0.5, 1e-7, "quantile: the median encodes to z = 0, stored 0.5");
	enc_col_encode(&c, 2, v);
	tap_near(v[0], (4 - 0.5244005127080407) / 8, 1e-7, "quantile: x = 2 → F = 0.3 → z = Φ⁻¹(0.3)");
	enc_col_encode(&c, 2.5, v);
	tap_near(v[0], (4 + enc_norm_ppf(0.4)) / 8, 1e-7, "quantile: x = 2.5 → F = 0.4 (linear between knots)");
	for (x = 1; x <= 5; x += 0.25) {
		enc_col_encode(&c, x, v);
		ok &= fabs(enc_col_decode(&c, v, NULL) - x) < 1e-4;
	}
	tap_ok(ok, "quantile: decode(encode(x)) = x on [1, 5]");
	v[0] = 1.0f;
	tap_near(enc_col_decode(&c, v, NULL), 5, 0, "quantile: the top score decodes to the maximum");
	v[0] = 0.0f;
	tap_near(enc_col_decode(&c, v, NULL), 1, 0, "quantile: the bottom score decodes to the minimum");
	v[0] = (float)((4 + enc_norm_ppf(0.6)) / 8);
	tap_near(enc_col_decode(&c, v, NULL), 3.5, 1e-4, "quantile: u = 0.6 decodes between the knots 3 and 4");
	enc_col_done(&c);

	/* Ties: 0 holds the knots at p = 0.1, 0.3, 0.5 → F(0) = 0.3. */
	enc_col_fit(&c, ties, 5, 1, ENC_QUANTILE);
	enc_col_encode(&c, 0, v);
	tap_near(v[0], (4 + enc_norm_ppf(0.3)) / 8, 1e-7, "quantile: a tied value encodes to the middle of its run");
	tap_near(enc_col_decode(&c, v, NULL), 0, 0, "quantile: ... and decodes back exactly");
	enc_col_done(&c);
}

static void
test_gmm(void)
{
	double *s = xmalloc(1000 * sizeof *s);
	struct enc_col c;
	struct rng r;
	char why[96];
	float v[8];
	int i, ok = 1;

	rng_seed(&r, 7);
	for (i = 0; i < 1000; i++)
		s[i] = i < 400 ? rng_normal(&r) : 8 + rng_normal(&r);
	qsort(s, 1000, sizeof *s, cmp_d);
	tap_ok(enc_choose(s, 1000, 0, why, sizeof why) == ENC_GMM, "auto: a bimodal sample gets gmm (%s)", why);
	memset(&c, 0, sizeof c);
	enc_col_fit(&c, s, 1000, 0, ENC_AUTO);
	tap_ok(c.kind == ENC_GMM && c.nk == 2 && c.width == 3, "gmm: two modes, mode group + scalar (%d modes)", c.nk);
	if (c.nk == 2) {
		tap_near(c.w[0], 0.4, 0.04, "gmm: weight of the mode at 0");
		tap_near(c.mu[0], 0, 0.2, "gmm: mean of the first mode");
		tap_near(c.mu[1], 8, 0.2, "gmm: mean of the second mode");
		tap_near(c.sd[0], 1, 0.15, "gmm: sd of the first mode");
		tap_near(c.sd[1], 1, 0.15, "gmm: sd of the second mode");
	}
	enc_col_encode(&c, 8.5, v);
	tap_ok(v[0] == 0 && v[1] == 1, "gmm: 8.5 belongs to the second mode (one-hot)");
	tap_near(v[2], ((8.5 - c.mu[1]) / (4 * c.sd[1]) + 1) / 2, 1e-6,
	    "gmm: scalar (x − μ)/(4σ), stored (s + 1)/2");
	for (i = 0; i < 1000; i++) {
		enc_col_encode(&c, s[i], v);
		ok &= fabs(enc_col_decode(&c, v, NULL) - s[i]) < 1e-4 * (1 + fabs(s[i]));
	}
	tap_ok(ok, "gmm: decode(encode(x)) = x for the training sample");
	enc_col_done(&c);
	free(s);
}

static void
test_zero(void)
{
	double *s = xmalloc(1000 * sizeof *s);
	struct enc_col c;
	struct rng r;
	char why[96];
	float v[2];
	int i, ok = 1, zeros = 0, ints = 1, inrange = 1;

	rng_seed(&r, 3);
	for (i = 0; i < 1000; i++)
		s[i] = i < 700 ? 0 : 1 + (double)rng_below(&r, 20);
	qsort(s, 1000, sizeof *s, cmp_d);
	tap_ok(enc_choose(s, 1000, 1, why, sizeof why) == ENC_ZERO, "auto: zero-inflated counts get zero (%s)", why);
	memset(&c, 0, sizeof c);
	enc_col_fit(&c, s, 1000, 1, ENC_AUTO);
	tap_ok(c.kind == ENC_ZERO && c.width == 2 && c.integer, "zero: indicator + continuous part, integer");
	tap_near(c.pmin, 0.7, 1e-12, "zero: 70%% of the training rows at the minimum");
	for (i = 0; i < 1000; i++) {
		enc_col_encode(&c, s[i], v);
		ok &= enc_col_decode(&c, v, NULL) == s[i];
	}
	tap_ok(ok, "zero: every training value round-trips exactly");
	/* Network output with indicator 0.7: threshold → always 0; Bernoulli → ~70% zeros. */
	v[0] = 0.7f;
	v[1] = 0.8f;
	tap_ok(enc_col_decode(&c, v, NULL) == 0, "zero: threshold decoding of indicator 0.7 gives 0");
	for (i = 0; i < 5000; i++) {
		double x;

		v[1] = rng_uniformf(&r);
		x = enc_col_decode(&c, v, &r);
		zeros += x == 0;
		ints &= x == floor(x);
		inrange &= x >= 0 && x <= 20;
	}
	tap_near(zeros / 5000.0, 0.7, 0.03, "zero: Bernoulli decoding gives the indicator's share of zeros");
	tap_ok(ints && inrange, "zero: decoded counts are integers in [0, 20]");
	enc_col_done(&c);
	free(s);
}

static void
test_onehot_and_choice(void)
{
	static const double small[] = { 0, 0, 1, 1, 1, 2, 3, 3 };
	double *s = xmalloc(2000 * sizeof *s);
	struct enc_col c;
	struct rng r;
	char why[96];
	float v[4], soft[4] = { 0.1f, 0.2f, 0.6f, 0.1f };
	int i, ints = 1, inrange = 1;

	memset(&c, 0, sizeof c);
	enc_col_fit(&c, small, 8, 1, ENC_AUTO);
	tap_ok(c.kind == ENC_ONEHOT && c.nk == 4 && c.width == 4, "auto: 4 integer values get onehot");
	enc_col_encode(&c, 2, v);
	tap_ok(v[0] == 0 && v[1] == 0 && v[2] == 1 && v[3] == 0, "onehot: 2 → (0, 0, 1, 0)");
	tap_near(enc_col_decode(&c, soft, NULL), 2, 0, "onehot: decodes to the argmax level's value");
	enc_col_done(&c);

	tap_ok(enc_choose(small, 1, 1, why, sizeof why) == ENC_MINMAX, "auto: a constant column keeps minmax");
	rng_seed(&r, 11);
	for (i = 0; i < 2000; i++)
		s[i] = exp(0.8 * rng_normal(&r));
	qsort(s, 2000, sizeof *s, cmp_d);
	tap_ok(enc_choose(s, 2000, 0, why, sizeof why) == ENC_QUANTILE,
	    "auto: a skewed unimodal lab value gets quantile, not gmm (%s)", why);
	for (i = 0; i < 600; i++)
		s[i] = 0.5;
	qsort(s, 2000, sizeof *s, cmp_d);
	tap_ok(enc_choose(s, 2000, 0, why, sizeof why) == ENC_ZERO, "auto: 30%% at a non-zero minimum gets zero");
	/* Integer column with many values: quantile, decoded values integers in range. */
	for (i = 0; i < 2000; i++)
		s[i] = (double)rng_below(&r, 90) + 10;
	qsort(s, 2000, sizeof *s, cmp_d);
	memset(&c, 0, sizeof c);
	enc_col_fit(&c, s, 2000, 1, ENC_AUTO);
	tap_ok(c.kind == ENC_MINMAX && c.integer, "auto: symmetric integers with 90 values keep minmax");
	enc_col_fit(&c, s, 2000, 1, ENC_QUANTILE);
	for (i = 0; i < 3000; i++) {
		float u = rng_uniformf(&r) * 1.2f - 0.1f;
		double x = enc_col_decode(&c, &u, NULL);

		ints &= x == floor(x);
		inrange &= x >= s[0] && x <= s[1999];
	}
	tap_ok(ints && inrange, "quantile: any network output decodes to an integer in the training range");
	enc_col_done(&c);
	enc_col_fit(&c, s, 2000, 1, ENC_MINMAX);
	v[0] = 0.3333f;
	tap_ok(enc_col_decode(&c, v, NULL) == floor(enc_col_decode(&c, v, NULL)),
	    "minmax on an integer column decodes to integers");
	enc_col_done(&c);
	free(s);
}

static void
test_layout(void)
{
	struct layout *l = layout_new(4), *back_l;
	struct encoding *e, *e2 = NULL;
	struct enc_request req;
	struct mtx *m;
	struct rng r;
	char *cause = NULL, *names[1];
	float in[4], net[16], out[4];
	int j, ok = 1;
	size_t i;
	json_t *js;

	static const char *nm[] = { "grp_a", "grp_b", "visits", "crp" };
	for (j = 0; j < 4; j++) {
		l->name[j] = xstrdup(nm[j]);
		l->source[j] = xstrdup(j < 2 ? "grp" : nm[j]);
	}
	l->kind[0] = l->kind[1] = MCOL_GROUP;
	l->group_of[0] = l->group_of[1] = 0;
	l->kind[2] = l->kind[3] = MCOL_CONT;
	l->lo[2] = 0;
	l->hi[2] = 30;
	l->lo[3] = 0.5;
	l->hi[3] = 200;
	names[0] = xstrdup("grp");
	{
		char **gn = xcalloc(1, sizeof *gn);

		gn[0] = names[0];
		layout_finish(l, 1, gn);
	}
	m = mtx_new(500, l);
	m->scaled = 0;
	rng_seed(&r, 5);
	for (i = 0; i < 500; i++) {
		in[0] = i % 3 == 0;
		in[1] = 1 - in[0];
		in[2] = i < 300 ? 0 : (float)(1 + rng_below(&r, 30));
		in[3] = (float)(0.5 + 199.5 * pow(rng_uniform(&r), 5));
		if (i == 1)
			in[2] = 30;
		if (i == 2)
			in[3] = 200;
		if (i == 3)
			in[3] = 0.5;
		mtx_set_row(m, i, in);
	}
	e = enc_fit(l, m, NULL, &cause);
	tap_ok(e != NULL && e->col[0].kind == ENC_ZERO && e->col[1].kind == ENC_QUANTILE,
	    "layout: visits gets zero, crp gets quantile");
	tap_ok(e->Dn == 5 && e->ngroups == 1 && e->gs[0] == 0 && e->gw[0] == 2 && e->col[0].off == 2 &&
	    e->col[1].off == 4, "layout: network width 5, the group kept, columns expanded in place");
	mtx_scale(m, l);
	for (i = 0; i < 500; i++) {
		float sc[4];

		mtx_get_rows(m, i, 1, sc);
		enc_encode_rows(e, l, sc, 1, net);
		enc_decode_rows(e, l, net, 1, 1, NULL, out);
		for (j = 0; j < 4; j++)
			ok &= fabsf(out[j] - sc[j]) < 1e-4f;
	}
	tap_ok(ok, "layout: scaled rows round-trip through the network columns");
	js = enc_to_json(e);
	tap_ok(enc_from_json(js, l, &e2, &cause) == 0 && enc_hash(e2) == enc_hash(e) && e2->Dn == e->Dn,
	    "layout: JSON round trip keeps the encoding");
	json_decref(js);
	enc_free(e2);
	enc_free(e);

	/* Overrides: default minmax, crp set to quantile. */
	req.def = ENC_MINMAX;
	req.n = 1;
	req.col = (char *[]){ "crp" };
	req.kind = (int[]){ ENC_QUANTILE };
	e = enc_fit(l, m, &req, &cause);
	tap_ok(e->col[0].kind == ENC_MINMAX && e->col[1].kind == ENC_QUANTILE && !e->identity,
	    "layout: default minmax, per-column override");
	enc_free(e);
	req.n = 0;
	e = enc_fit(l, m, &req, &cause);
	tap_ok(e->identity && e->Dn == 4, "layout: all minmax is the identity");
	enc_free(e);
	js = json_pack("{s:[{s:i,s:s}]}", "columns", "column", 2, "encoding", "bogus");
	tap_ok(enc_from_json(js, l, &e2, &cause) != 0 && cause != NULL && strstr(cause, "encoding.json") != NULL,
	    "layout: a bad encoding.json is refused with a message naming the file");
	free(cause);
	json_decref(js);
	mtx_free(m);
	back_l = l;
	layout_free(back_l);
}

int
main(void)
{
	test_normal();
	test_quantile();
	test_gmm();
	test_zero();
	test_onehot_and_choice();
	test_layout();
	return tap_done();
}
