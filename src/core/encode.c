/* synthehr — GPL-3.0-or-later.
 * Column encodings for the generator (include/synthehr/encode.h): fitting
 * each continuous column's transform on the training rows, the automatic
 * choice, encoding layout rows into network rows and decoding back into
 * values of the column's own type and range. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

static const char *kind_names[ENC_KIND_COUNT] = { "minmax", "quantile", "gmm", "zero", "onehot" };

const char *
enc_kind_name(int kind)
{
	if (kind == ENC_AUTO)
		return "auto";
	return kind >= 0 && kind < ENC_KIND_COUNT ? kind_names[kind] : "?";
}

int
enc_kind_parse(const char *s)
{
	int k;

	if (strcmp(s, "auto") == 0)
		return ENC_AUTO;
	for (k = 0; k < ENC_KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -2;
}

/* ---- Normal distribution */

double
enc_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* Acklam's rational approximation, then one Halley step. */
double
enc_norm_ppf(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01,
		2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00,
		2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (p <= 0)
		return -INFINITY;
	if (p >= 1)
		return INFINITY;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log(1 - p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	e = enc_norm_cdf(x) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

/* ---- Quantile knots: q[i] at p_i = (i + ½)/nq (Hazen positions) */

static double
knot_p(int i, int nq)
{
	return (i + 0.5) / nq;
}

static void
knots_fit(struct enc_col *c, const double *s, size_t n)
{
	int i;

	c->nq = n < ENC_NQ_MAX ? (int)n : ENC_NQ_MAX;
	c->q = xcalloc((size_t)c->nq + 1, sizeof *c->q);
	for (i = 0; i < c->nq; i++) {
		double h = knot_p(i, c->nq) * (double)n - 0.5, t;
		size_t k;

		if (h <= 0)
			h = 0;
		if (h >= (double)(n - 1))
			h = (double)(n - 1);
		k = (size_t)floor(h);
		t = h - (double)k;
		c->q[i] = k + 1 < n ? s[k] + t * (s[k + 1] - s[k]) : s[k];
	}
}

/* x → F(x) in (0,1): the middle of a run of equal knots, linear between. */
static double
knots_cdf(const double *q, int nq, double x)
{
	int lo = 0, hi = nq - 1, a, b;

	if (x < q[0])
		return knot_p(0, nq);
	if (x > q[nq - 1])
		return knot_p(nq - 1, nq);
	/* first knot >= x */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (q[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (q[lo] == x) {
		a = lo;
		b = lo;
		while (b + 1 < nq && q[b + 1] == x)
			b++;
		return (knot_p(a, nq) + knot_p(b, nq)) / 2;
	}
	a = lo - 1;
	return knot_p(a, nq) + (x - q[a]) / (q[lo] - q[a]) / nq;
}

static double
knots_inv(const double *q, int nq, double u)
{
	double h = u * nq - 0.5, t;
	int i;

	if (h <= 0)
		return q[0];
	if (h >= nq - 1)
		return q[nq - 1];
	i = (int)floor(h);
	t = h - i;
	return q[i] + t * (q[i + 1] - q[i]);
}

static float
score_store(double u)
{
	double z = enc_norm_ppf(u);

	if (z < -ENC_ZMAX)
		z = -ENC_ZMAX;
	if (z > ENC_ZMAX)
		z = ENC_ZMAX;
	return (float)((z + ENC_ZMAX) / (2 * ENC_ZMAX));
}

static double
score_load(float v)
{
	double s = v < 0 ? 0 : v > 1 ? 1 : v;

	return enc_norm_cdf(s * 2 * ENC_ZMAX - ENC_ZMAX);
}

/* ---- Gaussian mixture (1-D, EM from quantile starts, K by BIC) */

struct gmm {
	int k;
	double w[ENC_GMM_KMAX], mu[ENC_GMM_KMAX], sd[ENC_GMM_KMAX];
	double ll;
};

static double
gauss_logpdf(double x, double mu, double sd)
{
	double z = (x - mu) / sd;

	return -0.5 * z * z - log(sd) - 0.5 * log(2 * M_PI);
}

static void
gmm_em(const double *x, size_t n, int k, double sd_floor, struct gmm *g)
{
	double *resp = xmalloc(n * (size_t)k * sizeof *resp), prev = -INFINITY, mean = 0, var = 0;
	size_t i;
	int c, it;

	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)n;
	for (i = 0; i < n; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= (double)n;
	g->k = k;
	for (c = 0; c < k; c++) {
		size_t at = (size_t)(((double)c + 0.5) / k * (double)n);

		g->w[c] = 1.0 / k;
		g->mu[c] = x[at < n ? at : n - 1];
		g->sd[c] = fmax(sqrt(var) / k, sd_floor);
	}
	for (it = 0; it < 200; it++) {
		double ll = 0;

		for (i = 0; i < n; i++) {
			double lp[ENC_GMM_KMAX], m = -INFINITY, s = 0;

			for (c = 0; c < k; c++) {
				lp[c] = log(g->w[c]) + gauss_logpdf(x[i], g->mu[c], g->sd[c]);
				if (lp[c] > m)
					m = lp[c];
			}
			for (c = 0; c < k; c++)
				s += exp(lp[c] - m);
			ll += m + log(s);
			for (c = 0; c < k; c++)
				resp[i * (size_t)k + c] = exp(lp[c] - m) / s;
		}
		g->ll = ll;
		for (c = 0; c < k; c++) {
			double nk = 0, sx = 0, sxx = 0;

			for (i = 0; i < n; i++) {
				double r = resp[i * (size_t)k + c];

				nk += r;
				sx += r * x[i];
			}
			if (nk < 1e-9) {
				g->w[c] = 1e-12;
				continue;
			}
			g->mu[c] = sx / nk;
			for (i = 0; i < n; i++) {
				double d = x[i] - g->mu[c];

				sxx += resp[i * (size_t)k + c] * d * d;
			}
			g->w[c] = nk / (double)n;
			g->sd[c] = fmax(sqrt(sxx / nk), sd_floor);
		}
		if (fabs(ll - prev) < 1e-7 * fabs(ll) + 1e-9)
			break;
		prev = ll;
	}
	free(resp);
}

/* Best mixture by BIC over 1..KMAX modes on the sorted sample x[n]
 * (subsampled evenly to at most 4000 values). */
static void
gmm_fit(const double *s, size_t n, struct gmm *best)
{
	size_t m = n > 4000 ? 4000 : n, i;
	double *x = xmalloc(m * sizeof *x), bic_best = INFINITY, sd_floor;
	int k;

	for (i = 0; i < m; i++)
		x[i] = s[(size_t)((double)i * (double)n / (double)m)];
	sd_floor = fmax((s[n - 1] - s[0]) * 1e-3, 1e-12);
	memset(best, 0, sizeof *best);
	for (k = 1; k <= ENC_GMM_KMAX && (size_t)k <= m; k++) {
		struct gmm g;
		double bic;

		gmm_em(x, m, k, sd_floor, &g);
		bic = -2 * g.ll + (3.0 * k - 1) * log((double)m);
		if (bic < bic_best - 1e-9) {
			bic_best = bic;
			*best = g;
		}
	}
	/* Drop modes that hold (almost) nothing; sort by mean. */
	{
		struct gmm o;
		double sw = 0;
		int c, d;

		memset(&o, 0, sizeof o);
		o.ll = best->ll;
		for (c = 0; c < best->k; c++)
			if (best->w[c] >= 0.005) {
				o.w[o.k] = best->w[c];
				o.mu[o.k] = best->mu[c];
				o.sd[o.k] = best->sd[c];
				sw += best->w[c];
				o.k++;
			}
		for (c = 0; c < o.k; c++)
			o.w[c] /= sw;
		for (c = 1; c < o.k; c++)
			for (d = c; d > 0 && o.mu[d] < o.mu[d - 1]; d--) {
				double t;

				t = o.w[d]; o.w[d] = o.w[d - 1]; o.w[d - 1] = t;
				t = o.mu[d]; o.mu[d] = o.mu[d - 1]; o.mu[d - 1] = t;
				t = o.sd[d]; o.sd[d] = o.sd[d - 1]; o.sd[d - 1] = t;
			}
		*best = o;
	}
	free(x);
}

/* Clearly separate modes: every mode holds ≥ 5% and neighbours are more than
 * two of their larger standard deviations apart. */
static int
gmm_multimodal(const struct gmm *g)
{
	int c;

	if (g->k < 2)
		return 0;
	for (c = 0; c < g->k; c++)
		if (g->w[c] < 0.05)
			return 0;
	for (c = 1; c < g->k; c++)
		if (g->mu[c] - g->mu[c - 1] <= 2 * fmax(g->sd[c], g->sd[c - 1]))
			return 0;
	return 1;
}

/* ---- Choice and fit of one column */

static size_t
count_distinct(const double *s, size_t n)
{
	size_t i, d = n > 0;

	for (i = 1; i < n; i++)
		d += s[i] != s[i - 1];
	return d;
}

int
enc_choose(const double *s, size_t n, int integer, char *why, size_t whysize)
{
	size_t d = count_distinct(s, n), at_min = 0;
	struct gmm g;

	if (d <= 1) {
		snprintf(why, whysize, "constant");
		return ENC_MINMAX;
	}
	if (integer && d <= ENC_ONEHOT_MAX) {
		snprintf(why, whysize, "%zu integer values", d);
		return ENC_ONEHOT;
	}
	while (at_min < n && s[at_min] == s[0])
		at_min++;
	if ((double)at_min >= ENC_ZERO_SHARE * (double)n) {
		snprintf(why, whysize, "%.0f%% at the minimum%s", 100.0 * (double)at_min / (double)n,
		    integer ? ", integers" : "");
		return ENC_ZERO;
	}
	gmm_fit(s, n, &g);
	if (gmm_multimodal(&g)) {
		snprintf(why, whysize, "%d separate modes", g.k);
		return ENC_GMM;
	}
	{
		double mean = 0, m2 = 0, m3 = 0, sk;
		size_t i;

		for (i = 0; i < n; i++)
			mean += s[i];
		mean /= (double)n;
		for (i = 0; i < n; i++) {
			double e = s[i] - mean;

			m2 += e * e;
			m3 += e * e * e;
		}
		m2 /= (double)n;
		m3 /= (double)n;
		sk = m2 > 0 ? m3 / pow(m2, 1.5) : 0;
		snprintf(why, whysize, "skewness %.1f%s", sk, integer ? ", integers" : "");
		/* A roughly symmetric column keeps the tutorial's scaling: on the
		 * demo quantile scores did no better there (doc: bench/encodings.sh). */
		if (fabs(sk) < ENC_SKEW)
			return ENC_MINMAX;
	}
	return ENC_QUANTILE;
}

void
enc_col_done(struct enc_col *c)
{
	free(c->q);
	free(c->w);
	free(c->mu);
	free(c->sd);
	c->q = c->w = c->mu = c->sd = NULL;
	c->nq = c->nk = 0;
}

void
enc_col_fit(struct enc_col *c, const double *s, size_t n, int integer, int kind)
{
	char why[96] = "";

	enc_col_done(c);
	c->integer = integer;
	c->lo = n > 0 ? s[0] : 0;
	c->hi = n > 0 ? s[n - 1] : 0;
	if (kind == ENC_AUTO)
		kind = n > 0 ? enc_choose(s, n, integer, why, sizeof why) : ENC_MINMAX;
	else
		snprintf(why, sizeof why, "set in study.json");
	if (n == 0 || c->hi <= c->lo)
		kind = ENC_MINMAX;
	if (kind == ENC_ONEHOT && count_distinct(s, n) > 64)
		kind = ENC_QUANTILE;  /* a one-hot group of thousands is not meant */
	c->kind = (enum enc_kind)kind;
	snprintf(c->why, sizeof c->why, "%s", why);
	switch (c->kind) {
	case ENC_MINMAX:
		c->width = 1;
		break;
	case ENC_QUANTILE:
		knots_fit(c, s, n);
		c->width = 1;
		break;
	case ENC_ZERO: {
		size_t at = 0;

		while (at < n && s[at] == s[0])
			at++;
		c->pmin = (double)at / (double)n;
		if (at < n)
			knots_fit(c, s + at, n - at);
		else {
			c->nq = 1;
			c->q = xcalloc(2, sizeof *c->q);
			c->q[0] = s[0];
		}
		c->width = 2;
		break;
	}
	case ENC_ONEHOT: {
		size_t i, d = count_distinct(s, n), k = 0;

		c->nk = (int)d;
		c->mu = xcalloc(d + 1, sizeof *c->mu);
		for (i = 0; i < n; i++)
			if (i == 0 || s[i] != s[i - 1])
				c->mu[k++] = s[i];
		c->width = c->nk;
		break;
	}
	case ENC_GMM: {
		struct gmm g;

		gmm_fit(s, n, &g);
		c->nk = g.k;
		c->w = xcalloc((size_t)g.k + 1, sizeof *c->w);
		c->mu = xcalloc((size_t)g.k + 1, sizeof *c->mu);
		c->sd = xcalloc((size_t)g.k + 1, sizeof *c->sd);
		memcpy(c->w, g.w, (size_t)g.k * sizeof *c->w);
		memcpy(c->mu, g.mu, (size_t)g.k * sizeof *c->mu);
		memcpy(c->sd, g.sd, (size_t)g.k * sizeof *c->sd);
		c->width = g.k + 1;
		break;
	}
	default:
		break;
	}
}

static int
gmm_mode(const struct enc_col *c, double x)
{
	double best = -INFINITY;
	int k, at = 0;

	for (k = 0; k < c->nk; k++) {
		double lp = log(c->w[k]) + gauss_logpdf(x, c->mu[k], c->sd[k]);

		if (lp > best) {
			best = lp;
			at = k;
		}
	}
	return at;
}

void
enc_col_encode(const struct enc_col *c, double x, float *out)
{
	int k;

	if (c->integer)
		x = nearbyint(x);
	switch (c->kind) {
	case ENC_MINMAX:
		out[0] = c->hi > c->lo ? (float)((x - c->lo) / (c->hi - c->lo)) : 0.0f;
		break;
	case ENC_QUANTILE:
		out[0] = score_store(knots_cdf(c->q, c->nq, x));
		break;
	case ENC_ZERO:
		if (x <= c->lo) {
			out[0] = 1.0f;
			out[1] = 0.5f;
		} else {
			out[0] = 0.0f;
			out[1] = score_store(knots_cdf(c->q, c->nq, x));
		}
		break;
	case ENC_ONEHOT: {
		int at = 0;
		double bd = INFINITY;

		for (k = 0; k < c->nk; k++) {
			double d = fabs(x - c->mu[k]);

			out[k] = 0.0f;
			if (d < bd) {
				bd = d;
				at = k;
			}
		}
		out[at] = 1.0f;
		break;
	}
	case ENC_GMM: {
		int m = gmm_mode(c, x);
		double s = (x - c->mu[m]) / (4 * c->sd[m]);

		for (k = 0; k < c->nk; k++)
			out[k] = k == m ? 1.0f : 0.0f;
		if (s < -1)
			s = -1;
		if (s > 1)
			s = 1;
		out[c->nk] = (float)((s + 1) / 2);
		break;
	}
	default:
		break;
	}
}

static int
argmax(const float *v, int n)
{
	int k, at = 0;

	for (k = 1; k < n; k++)
		if (v[k] > v[at])
			at = k;
	return at;
}

double
enc_col_decode(const struct enc_col *c, const float *in, struct rng *r)
{
	double x = c->lo, s;
	int k;

	switch (c->kind) {
	case ENC_MINMAX:
		s = in[0] < 0 ? 0 : in[0] > 1 ? 1 : in[0];
		x = (1 - s) * c->lo + s * c->hi;   /* the tutorial's formula */
		break;
	case ENC_QUANTILE:
		x = knots_inv(c->q, c->nq, score_load(in[0]));
		break;
	case ENC_ZERO: {
		int at_min = r != NULL ? rng_uniformf(r) < in[0] : in[0] >= 0.5f;

		x = at_min ? c->lo : knots_inv(c->q, c->nq, score_load(in[1]));
		break;
	}
	case ENC_ONEHOT:
		x = c->mu[argmax(in, c->nk)];
		break;
	case ENC_GMM:
		k = argmax(in, c->nk);
		s = in[c->nk] < 0 ? 0 : in[c->nk] > 1 ? 1 : in[c->nk];
		x = c->mu[k] + 4 * c->sd[k] * (2 * s - 1);
		break;
	default:
		break;
	}
	if (c->integer)
		x = nearbyint(x);
	if (x < c->lo)
		x = c->lo;
	if (x > c->hi)
		x = c->hi;
	return x;
}

/* ---- The whole layout */

void
enc_finish(struct encoding *e, const struct layout *l)
{
	int j, g, off = 0, ng = 0;

	e->identity = 1;
	for (j = 0; j < l->D; j++) {
		int ci = e->col_of[j];

		e->net_of[j] = off;
		if (ci >= 0) {
			e->col[ci].off = off;
			off += e->col[ci].width;
			if (e->col[ci].kind != ENC_MINMAX)
				e->identity = 0;
		} else
			off++;
	}
	e->Dn = off;
	free(e->gs);
	free(e->gw);
	e->gs = xcalloc((size_t)l->ngroups + (size_t)e->ncont + 1, sizeof *e->gs);
	e->gw = xcalloc((size_t)l->ngroups + (size_t)e->ncont + 1, sizeof *e->gw);
	/* Groups in network order: layout groups and the new softmax parts. */
	g = 0;
	for (j = 0; j < l->D; j++) {
		int ci = e->col_of[j];

		if (ci < 0 && l->group_of[j] >= 0 && (j == 0 || l->group_of[j - 1] != l->group_of[j])) {
			e->gs[ng] = e->net_of[j];
			e->gw[ng] = l->group_width[l->group_of[j]];
			ng++;
		} else if (ci >= 0 && (e->col[ci].kind == ENC_ONEHOT || e->col[ci].kind == ENC_GMM)) {
			e->gs[ng] = e->col[ci].off;
			e->gw[ng] = e->col[ci].nk;
			ng++;
		}
	}
	(void)g;
	e->ngroups = ng;
}

static struct encoding *
enc_alloc(const struct layout *l)
{
	struct encoding *e = xcalloc(1, sizeof *e);
	int j;

	e->D = l->D;
	e->net_of = xcalloc((size_t)l->D + 1, sizeof *e->net_of);
	e->col_of = xcalloc((size_t)l->D + 1, sizeof *e->col_of);
	for (j = 0; j < l->D; j++)
		e->col_of[j] = l->kind[j] == MCOL_CONT ? e->ncont++ : -1;
	e->col = xcalloc((size_t)e->ncont + 1, sizeof *e->col);
	for (j = 0; j < l->D; j++)
		if (e->col_of[j] >= 0) {
			struct enc_col *c = &e->col[e->col_of[j]];

			c->j = j;
			c->kind = ENC_MINMAX;
			c->width = 1;
			c->lo = l->lo[j];
			c->hi = l->hi[j];
		}
	return e;
}

struct encoding *
enc_identity(const struct layout *l)
{
	struct encoding *e = enc_alloc(l);

	enc_finish(e, l);
	return e;
}

void
enc_free(struct encoding *e)
{
	int i;

	if (e == NULL)
		return;
	for (i = 0; i < e->ncont; i++)
		enc_col_done(&e->col[i]);
	free(e->col);
	free(e->net_of);
	free(e->col_of);
	free(e->gs);
	free(e->gw);
	free(e);
}

/* ---- JSON */

static json_t *
dbl_array(const double *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

json_t *
enc_to_json(const struct encoding *e)
{
	json_t *o = json_object(), *cols = json_array();
	int i;

	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "network_columns", json_integer(e->Dn));
	for (i = 0; i < e->ncont; i++) {
		const struct enc_col *c = &e->col[i];
		json_t *x = json_object();

		json_object_set_new(x, "column", json_integer(c->j));
		json_object_set_new(x, "encoding", json_string(kind_names[c->kind]));
		json_object_set_new(x, "why", json_string(c->why));
		json_object_set_new(x, "integer", json_boolean(c->integer));
		json_object_set_new(x, "lo", json_real(c->lo));
		json_object_set_new(x, "hi", json_real(c->hi));
		json_object_set_new(x, "width", json_integer(c->width));
		if (c->kind == ENC_ZERO)
			json_object_set_new(x, "at_min", json_real(c->pmin));
		if (c->nq > 0)
			json_object_set_new(x, "knots", dbl_array(c->q, c->nq));
		if (c->kind == ENC_ONEHOT)
			json_object_set_new(x, "values", dbl_array(c->mu, c->nk));
		if (c->kind == ENC_GMM) {
			json_object_set_new(x, "weight", dbl_array(c->w, c->nk));
			json_object_set_new(x, "mean", dbl_array(c->mu, c->nk));
			json_object_set_new(x, "sd", dbl_array(c->sd, c->nk));
		}
		json_array_append_new(cols, x);
	}
	json_object_set_new(o, "columns", cols);
	return o;
}

static int
read_dbls(json_t *x, const char *key, int want, double **out, int *n, const char *where,
    char **cause)
{
	json_t *a = json_object_get(x, key), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > 100000 ||
	    (want > 0 && (int)json_array_size(a) != want))
		return util_fail(cause, "%s: \"%s\": expected a non-empty array of numbers", where, key);
	*out = xcalloc(json_array_size(a) + 1, sizeof **out);
	json_array_foreach(a, i, v) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return util_fail(cause, "%s: \"%s\"[%zu]: expected a finite number", where, key, i);
		(*out)[i] = json_number_value(v);
	}
	*n = (int)json_array_size(a);
	return 0;
}

int
enc_from_json(json_t *j, const struct layout *l, struct encoding **out, char **cause)
{
	struct encoding *e = enc_alloc(l);
	json_t *cols = json_object_get(j, "columns"), *x;
	const char *where = "prep/encoding.json";
	size_t i;
	int k, n;

	*out = NULL;
	if (!json_is_array(cols) || (int)json_array_size(cols) != e->ncont) {
		util_fail(cause, "%s: \"columns\": expected %d entries (the layout's continuous columns);"
		    " run prep again", where, e->ncont);
		goto fail;
	}
	json_array_foreach(cols, i, x) {
		struct enc_col *c = &e->col[i];
		const char *name = js_str(x, "encoding", "");

		if (js_int(x, "column", -1) != c->j || (k = enc_kind_parse(name)) < 0) {
			util_fail(cause, "%s: columns[%zu]: expected column %d with a known encoding"
			    " (minmax, quantile, gmm, zero, onehot); run prep again", where, i, c->j);
			goto fail;
		}
		c->kind = (enum enc_kind)k;
		c->integer = js_bool(x, "integer", 0);
		c->lo = js_num(x, "lo", l->lo[c->j]);
		c->hi = js_num(x, "hi", l->hi[c->j]);
		snprintf(c->why, sizeof c->why, "%s", js_str(x, "why", ""));
		if ((c->kind == ENC_QUANTILE || c->kind == ENC_ZERO) &&
		    read_dbls(x, "knots", 0, &c->q, &c->nq, where, cause) != 0)
			goto fail;
		for (k = 1; k < c->nq; k++)
			if (c->q[k] < c->q[k - 1]) {
				util_fail(cause, "%s: columns[%zu]: knots must not decrease", where, i);
				goto fail;
			}
		c->pmin = js_num(x, "at_min", 0);
		if (c->kind == ENC_ONEHOT && read_dbls(x, "values", 0, &c->mu, &c->nk, where, cause) != 0)
			goto fail;
		if (c->kind == ENC_GMM) {
			if (read_dbls(x, "mean", 0, &c->mu, &c->nk, where, cause) != 0 ||
			    read_dbls(x, "weight", c->nk, &c->w, &n, where, cause) != 0 ||
			    read_dbls(x, "sd", c->nk, &c->sd, &n, where, cause) != 0)
				goto fail;
			for (k = 0; k < c->nk; k++)
				if (!(c->sd[k] > 0) || !(c->w[k] > 0)) {
					util_fail(cause, "%s: columns[%zu]: mixture weights and sds must be > 0",
					    where, i);
					goto fail;
				}
		}
		c->width = c->kind == ENC_ZERO ? 2 : c->kind == ENC_ONEHOT ? c->nk :
		    c->kind == ENC_GMM ? c->nk + 1 : 1;
	}
	enc_finish(e, l);
	*out = e;
	return 0;
fail:
	enc_free(e);
	return -1;
}

uint64_t
enc_hash(const struct encoding *e)
{
	json_t *j = enc_to_json(e);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	uint64_t h = util_hash64(s, strlen(s), 0x656e63);

	free(s);
	json_decref(j);
	return h;
}

/* ---- Rows */

void
enc_encode_rows(const struct encoding *e, const struct layout *l, const float *in, size_t nr,
    float *out)
{
	size_t r;
	int j;

	for (r = 0; r < nr; r++) {
		const float *x = in + r * (size_t)e->D;
		float *y = out + r * (size_t)e->Dn;

		for (j = 0; j < e->D; j++) {
			int ci = e->col_of[j];

			if (ci < 0 || e->col[ci].kind == ENC_MINMAX)
				y[e->net_of[j]] = x[j];
			else {
				const struct enc_col *c = &e->col[ci];
				double v = (1 - (double)x[j]) * l->lo[j] + (double)x[j] * l->hi[j];

				enc_col_encode(c, v, y + c->off);
			}
		}
	}
}

void
enc_decode_rows(const struct encoding *e, const struct layout *l, const float *in, size_t nr,
    int scaled, struct rng *rg, float *out)
{
	size_t r;
	int j;

	for (r = 0; r < nr; r++) {
		const float *x = in + r * (size_t)e->Dn;
		float *y = out + r * (size_t)e->D;

		for (j = 0; j < e->D; j++) {
			int ci = e->col_of[j];

			if (ci < 0)
				y[j] = x[e->net_of[j]];
			else {
				const struct enc_col *c = &e->col[ci];
				double v = enc_col_decode(c, x + c->off, rg);

				if (scaled)
					v = l->hi[j] > l->lo[j] ? (v - l->lo[j]) / (l->hi[j] - l->lo[j]) : 0;
				y[j] = (float)v;
			}
		}
	}
}
