/* synthehr — GPL-3.0-or-later.
 * Column summaries in the manner of R's skimr (see skim.h): complete rate,
 * moments, quartiles, sparklines, the zoomed and after-rule histograms of a
 * column, and co-missingness.  Every quantile here (and in profile.c, the
 * numbers of 'synthehr review') is util_quantile_sorted, so the workbench
 * and the command line print the same p1. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/skim.h"
#include "synthehr/util.h"

size_t
skim_sorted(const struct cohort *c, int col, double **out)
{
	double *v = xmalloc((c->nrows + 1) * sizeof *v);
	size_t m = 0, i;

	for (i = 0; i < c->nrows; i++) {
		double x = cohort_value(c, col, i);

		if (!isnan(x))
			v[m++] = x;
	}
	qsort(v, m, sizeof *v, util_cmp_double);
	*out = v;
	return m;
}

/* Counts of s[m] (sorted) in k equal bins over [s[0], s[m−1]]. */
static int
spark_bins(const double *s, size_t m, size_t *cnt, int k)
{
	double lo = s[0], hi = s[m - 1], w;
	size_t i;

	memset(cnt, 0, (size_t)k * sizeof *cnt);
	if (!(hi > lo)) {
		cnt[0] = m;
		return 1;
	}
	w = (hi - lo) / k;
	for (i = 0; i < m; i++) {
		int b = (int)floor((s[i] - lo) / w);

		cnt[b < 0 ? 0 : b >= k ? k - 1 : b]++;
	}
	return k;
}

void
skim_column(const struct cohort *c, int col, struct skim_col *o)
{
	const struct column *k = &c->cols[col];
	size_t i;

	memset(o, 0, sizeof *o);
	o->col = col;
	o->nmissing = k->nmissing;
	o->n = c->nrows - k->nmissing;
	o->complete = c->nrows > 0 ? (double)o->n / c->nrows : 1;
	o->mean = o->sd = o->p0 = o->p1 = o->p25 = o->p50 = o->p75 = o->p99 = o->p100 = NAN;
	o->prevalence = NAN;
	switch (k->kind) {
	case KIND_TEXT:
		o->type = SKIM_TEXT;
		return;
	case KIND_CATEGORICAL:
		o->type = SKIM_CATEGORICAL;
		for (i = 0; i < c->nrows; i++)
			if (!cohort_is_missing(k, i) && k->cat[i] >= 0 && k->cat[i] < SKIM_SPARK)
				o->spark[k->cat[i]]++;
		o->nspark = SH_MIN(k->nlevels, SKIM_SPARK);
		return;
	case KIND_BINARY: {
		/* no sort: counts give every statistic of a 0/1 column */
		size_t pos = 0;
		double p;

		o->type = SKIM_BINARY;
		for (i = 0; i < c->nrows; i++)
			if (!cohort_is_missing(k, i))
				pos += k->bin[i] != 0;
		if (o->n == 0)
			return;
		p = (double)pos / o->n;
		o->stats = 1;
		o->prevalence = o->mean = p;
		o->sd = o->n > 1 ? sqrt(p * (1 - p) * o->n / (o->n - 1)) : NAN;
		/* type-7 quantiles of n − pos zeros then pos ones */
		{
			size_t z = o->n - pos;
			double q[7] = { 0, 0.01, 0.25, 0.5, 0.75, 0.99, 1 }, *dst[7] = { &o->p0, &o->p1,
			    &o->p25, &o->p50, &o->p75, &o->p99, &o->p100 };
			int t;

			for (t = 0; t < 7; t++) {
				double h = (double)(o->n - 1) * q[t], f = floor(h);
				size_t j = (size_t)f;
				double a = j >= z, b = j + 1 < o->n ? (double)(j + 1 >= z) : a;

				*dst[t] = a + (h - f) * (b - a);
			}
		}
		o->spark[0] = o->n - pos;
		o->spark[SKIM_SPARK - 1] = pos;
		o->nspark = SKIM_SPARK;
		return;
	}
	case KIND_NUMERIC:
	default: {
		double *s, sum = 0, ss = 0;
		size_t m = skim_sorted(c, col, &s);
		int binary = 1;

		o->type = SKIM_NUMERIC;
		if (m == 0) {
			free(s);
			return;
		}
		o->stats = 1;
		for (i = 0; i < m; i++) {
			sum += s[i];
			if (binary && s[i] != 0 && s[i] != 1)
				binary = 0;
		}
		o->mean = sum / m;
		for (i = 0; i < m; i++)
			ss += (s[i] - o->mean) * (s[i] - o->mean);
		o->sd = m > 1 ? sqrt(ss / (m - 1)) : NAN;
		o->p0 = s[0];
		o->p1 = util_quantile_sorted(s, m, 0.01);
		o->p25 = util_quantile_sorted(s, m, 0.25);
		o->p50 = util_quantile_sorted(s, m, 0.5);
		o->p75 = util_quantile_sorted(s, m, 0.75);
		o->p99 = util_quantile_sorted(s, m, 0.99);
		o->p100 = s[m - 1];
		if (binary) {
			o->type = SKIM_BINARY;
			o->prevalence = o->mean;
			o->spark[0] = (size_t)lround((1 - o->mean) * m);
			o->spark[SKIM_SPARK - 1] = m - o->spark[0];
			o->nspark = SKIM_SPARK;
		} else
			o->nspark = spark_bins(s, m, o->spark, SKIM_SPARK);
		o->stretched = o->p99 > o->p1 && o->p100 - o->p0 > 5 * (o->p99 - o->p1);
		free(s);
		return;
	}
	}
}

void
skim_compute(const struct cohort *c, struct skim *out)
{
	int j;

	out->nrows = c->nrows;
	out->ncols = c->ncols;
	out->cols = xcalloc((size_t)c->ncols + 1, sizeof *out->cols);
	for (j = 0; j < c->ncols; j++)
		skim_column(c, j, &out->cols[j]);
}

void
skim_done(struct skim *s)
{
	free(s->cols);
	memset(s, 0, sizeof *s);
}

char *
skim_spark_text(const size_t *cnt, int k, int ascii, char *buf, size_t size)
{
	static const char *const blocks[9] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char levels[] = " .,:-=+*#";   /* 9 levels, as the blocks */
	size_t maxc = 0, off = 0;
	int i;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < k; i++)
		maxc = SH_MAX(maxc, cnt[i]);
	for (i = 0; i < k; i++) {
		/* 0 stays blank; any count shows at least the lowest level */
		int lv = cnt[i] == 0 || maxc == 0 ? 0 : (int)ceil((double)cnt[i] * 8 / maxc);
		const char *g;
		char a[2];

		lv = lv < 0 ? 0 : lv > 8 ? 8 : lv;
		if (ascii) {
			a[0] = levels[lv];
			a[1] = '\0';
			g = a;
		} else
			g = blocks[lv];
		if (off + strlen(g) + 1 > size)
			break;
		memcpy(buf + off, g, strlen(g) + 1);
		off += strlen(g);
	}
	return buf;
}

char *
skim_fmt(char *buf, size_t size, double v, int width)
{
	static const char *const fmts[] = { "%.4g", "%.3g", "%.2g", "%.1g" };
	double av = fabs(v);
	size_t i;

	if (width < 5)
		width = 5;
	if (isnan(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (av < 5e-13)
		v = av = 0;
	if (av >= 1e4 && av < 1e15) {
		/* 12345 → "12345" when it fits, else 12.3k, 1.81M, 4.5G … */
		static const char sfx[] = "kMGT";
		double sc = av;
		int e = -1;

		if (snprintf(buf, size, "%.0f", v) <= width)
			return buf;
		while (sc >= 1000 && e < 3) {
			sc /= 1000;
			e++;
		}
		for (i = 0; i < SH_NELEM(fmts); i++)
			if (snprintf(buf, size, "%s%.*f%c", v < 0 ? "-" : "", sc >= 100 ? 0 : sc >= 10 ? 1 : 2, sc,
			    sfx[e]) <= width)
				return buf;
		snprintf(buf, size, "%s%.0f%c", v < 0 ? "-" : "", sc, sfx[e]);
		return buf;
	}
	for (i = 0; i < SH_NELEM(fmts); i++)
		if (snprintf(buf, size, fmts[i], v) <= width)
			return buf;
	snprintf(buf, size, "%.0e", v);
	return buf;
}

void
skim_hist(const double *s, size_t n, double lo, double hi, int maxbins, struct hist *h,
    size_t *below, size_t *above)
{
	size_t a = 0, b = n, i, cnt;
	int integer = 1;

	while (a < n && !isnan(lo) && s[a] < lo)
		a++;
	while (b > a && !isnan(hi) && s[b - 1] > hi)
		b--;
	if (below)
		*below = a;
	if (above)
		*above = n - b;
	cnt = b - a;
	for (i = a; i < b && integer; i++)
		integer = s[i] == floor(s[i]);
	if (cnt == 0)
		hist_layout(h, 0, 0, 0, 0, 0, 0, maxbins);
	else
		hist_layout(h, s[a], s[b - 1], util_quantile_sorted(s + a, cnt, 0.25),
		    util_quantile_sorted(s + a, cnt, 0.75), cnt, integer, maxbins);
	h->count = xcalloc((size_t)h->nbins, sizeof(size_t));
	for (i = a; i < b; i++)
		hist_add(h, s[i]);
}

static int
in_window(double x, double lo, double hi)
{
	return !(x < lo) && !(x > hi);   /* NaN bounds compare false: open */
}

/* Row i's value after the rules: 1 when kept (*y, clipped), 0 when
 * dropped; *hit when a rule touched it. */
static int
apply_rules(const double *v, size_t i, const uint8_t *drop, const struct skim_bound *b, int nb,
    double *y, int *hit)
{
	int k;

	*y = v[i];
	*hit = 0;
	if (drop != NULL && drop[i]) {
		*hit = 1;
		return 0;
	}
	for (k = 0; k < nb; k++) {
		if (*y < b[k].lo || *y > b[k].hi) {
			*hit = 1;
			if (!b[k].clip)
				return 0;
			*y = *y < b[k].lo ? b[k].lo : b[k].hi;
		}
	}
	return 1;
}

void
skim_after(const double *v, size_t n, const uint8_t *drop, const struct skim_bound *b, int nb,
    const struct hist *before, double wlo, double whi, struct hist *after, uint8_t *out,
    size_t *affected, size_t *hidden)
{
	size_t i, aff = 0, hid = 0;

	hist_like(after, before);
	if (out)
		memset(out, 0, (size_t)before->nbins);
	for (i = 0; i < n; i++) {
		double x = v[i], y;
		int hit, kept;

		if (isnan(x))
			continue;
		kept = apply_rules(v, i, drop, b, nb, &y, &hit);
		if (hit) {
			aff++;
			if (in_window(x, wlo, whi)) {
				if (out)
					out[hist_bin(before, x)] = 1;
			} else
				hid++;
		}
		if (kept && in_window(y, wlo, whi))
			hist_add(after, y);
	}
	if (affected)
		*affected = aff;
	if (hidden)
		*hidden = hid;
}

size_t
skim_kept(const double *v, size_t n, const uint8_t *drop, const struct skim_bound *b, int nb, double *out)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		double y;
		int hit;

		if (!isnan(v[i]) && apply_rules(v, i, drop, b, nb, &y, &hit))
			out[m++] = y;
	}
	qsort(out, m, sizeof *out, util_cmp_double);
	return m;
}

int
skim_comissing(const struct cohort *c, int col, struct skim_pair **out)
{
	const struct column *a = &c->cols[col];
	struct skim_pair *p = xcalloc((size_t)c->ncols + 1, sizeof *p);
	int j, n = 0, s, t;
	size_t i;

	for (j = 0; j < c->ncols; j++) {
		const struct column *b = &c->cols[j];
		size_t both = 0, either;

		if (j == col || b->nmissing == 0)
			continue;
		if (a->nmissing > 0)
			for (i = 0; i < c->nrows; i++)
				both += a->missing[i] && b->missing[i];
		either = a->nmissing + b->nmissing - both;
		p[n].col = j;
		p[n].both = both;
		p[n].jaccard = either > 0 ? (double)both / either : 0;
		n++;
	}
	/* insertion sort: few columns have missing values */
	for (s = 1; s < n; s++) {
		struct skim_pair x = p[s];

		for (t = s; t > 0 && (p[t - 1].jaccard < x.jaccard ||
		    (p[t - 1].jaccard == x.jaccard && p[t - 1].both < x.both)); t--)
			p[t] = p[t - 1];
		p[t] = x;
	}
	*out = p;
	return n;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_pattern(const void *a, const void *b)
{
	const struct skim_pattern *x = a, *y = b;

	if (x->rows != y->rows)
		return x->rows > y->rows ? -1 : 1;
	if (x->ncols != y->ncols)
		return x->ncols > y->ncols ? -1 : 1;
	return x->mask < y->mask ? -1 : x->mask > y->mask;
}

int
skim_patterns(const struct cohort *c, const int *cols, int k, struct skim_pattern **out)
{
	uint64_t *m = xcalloc(c->nrows + 1, sizeof *m);
	struct skim_pattern *p;
	size_t i, j;
	int n = 0, q;

	if (k > 64)
		k = 64;
	for (q = 0; q < k; q++) {
		const struct column *col = &c->cols[cols[q]];

		if (col->missing == NULL)
			continue;
		for (i = 0; i < c->nrows; i++)
			if (col->missing[i])
				m[i] |= (uint64_t)1 << q;
	}
	qsort(m, c->nrows, sizeof *m, cmp_u64);
	p = xcalloc(c->nrows + 1, sizeof *p);
	for (i = 0; i < c->nrows; i = j) {
		uint64_t b = m[i];

		for (j = i; j < c->nrows && m[j] == m[i]; j++)
			;
		p[n].mask = b;
		p[n].rows = j - i;
		while (b) {
			p[n].ncols++;
			b &= b - 1;
		}
		n++;
	}
	qsort(p, (size_t)n, sizeof *p, cmp_pattern);
	free(m);
	*out = p;
	return n;
}
