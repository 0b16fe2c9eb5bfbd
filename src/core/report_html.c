/* synthehr — GPL-3.0-or-later.
 * The HTML study report (report.h): one self-contained file (inline CSS, no
 * scripts, charts as PNG data: URIs drawn by plot.c with cairo) holding the
 * cohort's Table 1, the prep log with before/after histograms, loss curves,
 * per-set Figure 4 / histograms / correlation difference, metric charts,
 * the ranking under every profile and its bootstrap stability.
 *
 * Disclosure control: only aggregates leave the study; any count of fewer
 * than min_cell patients (Table 1 cells, histogram bins, concept counts,
 * prep-log counts) is shown as "<min_cell" and drawn as a hatched stub, and
 * no minimum, maximum or single value of a patient is ever printed. */
#include "config.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synthehr/blas.h"
#include "synthehr/cohort.h"
#include "synthehr/eval.h"
#include "synthehr/hist.h"
#include "synthehr/mtx.h"
#include "synthehr/phecode.h"
#include "synthehr/plot.h"
#include "synthehr/report.h"
#include "synthehr/study_read.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

#define FIG4_LABELS 8
#define CORR_MAX 16

struct rh {
	FILE *fp;
	struct study *s;
	int k;                    /* smallest count shown */
	int nfig;
	json_t *metrics, *rk, *log, *names;   /* names: phecode → description, or NULL */
	struct layout *lay;
	struct mtx *real;         /* prep/train.mtx in cohort units, or NULL */
	/* non-real sets of metrics.json in table order */
	int n;
	const char **set;
	const char **kind;
	const char **path;
	double *values;           /* [n × RANK_COUNT] */
	double *se;               /* [n × RANK_COUNT] standard error or NaN */
	double real_values[RANK_COUNT];   /* the "real" set: releasing R itself (S := R) */
	double ref_values[RANK_COUNT];    /* metrics.json "reference": the test rows scored as a set */
	long long ref_rows;
	int se_from_boot;
	int stale;                /* study_stale() bits */
};

/* ---- HTML helpers */

static void
esc(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

static void
cnt(const struct rh *r, char *buf, size_t size, long long v)
{
	if (v < r->k)
		snprintf(buf, size, "&lt;%d", r->k);
	else
		snprintf(buf, size, "%lld", v);
}

static void
num(char *buf, size_t size, double x)
{
	if (!isfinite(x))
		snprintf(buf, size, "–");
	else if (x != 0 && (fabs(x) < 1e-3 || fabs(x) >= 1e5))
		snprintf(buf, size, "%.3e", x);
	else
		snprintf(buf, size, "%.4g", x);
}

/* A figure: the chart with its text alternative and a caption; the numbers
 * follow in a table written by the caller. */
static void
figure(struct rh *r, struct plot *p, const char *alt, const char *caption)
{
	char *uri = plot_png_uri(p);

	r->nfig++;
	fprintf(r->fp, "<figure>");
	if (uri != NULL) {
		fprintf(r->fp, "<img src=\"%s\" alt=\"", uri);
		esc(r->fp, alt);
		fprintf(r->fp, "\">");
	} else
		fprintf(r->fp, "<p class=\"note\">(chart could not be drawn: out of memory)</p>");
	fprintf(r->fp, "<figcaption>Figure %d. ", r->nfig);
	esc(r->fp, caption);
	fprintf(r->fp, "</figcaption></figure>\n");
	free(uri);
	plot_free(p);
}

static void
details_open(struct rh *r, const char *what)
{
	fprintf(r->fp, "<details class=\"numbers\"><summary>Numbers: ");
	esc(r->fp, what);
	fprintf(r->fp, "</summary>\n");
}

/* ---- Table 1 and the prep log */

static void
t1_row(FILE *fp, const char *name, const char *a, const char *b)
{
	fprintf(fp, "<tr><th scope=\"row\">");
	esc(fp, name);
	fprintf(fp, "</th><td>%s</td><td>%s</td></tr>\n", a, b);
}

static void
t1_count(struct rh *r, char *buf, size_t size, json_t *c, long long patients)
{
	if (c == NULL) {
		buf[0] = '\0';
		return;
	}
	{
		long long v = json_integer_value(c);
		char b[32];

		cnt(r, b, sizeof b, v);
		if (v < r->k || patients <= 0)
			snprintf(buf, size, "%s", b);
		else
			snprintf(buf, size, "%s (%.1f %%)", b, 100.0 * v / patients);
	}
}

static void
table1(struct rh *r)
{
	json_t *be = json_object_get(r->log, "before"), *af = json_object_get(r->log, "after"), *side[2];
	long long pt[2];
	char a[2][96];
	int i;
	size_t j;

	side[0] = be;
	side[1] = af;
	fprintf(r->fp, "<section id=\"table1\"><h2>Table 1: the cohort before and after preprocessing</h2>\n"
	    "<p>Counts of fewer than %d patients are suppressed (&lt;%d).</p>\n"
	    "<table><thead><tr><th scope=\"col\"></th><th scope=\"col\">before</th>"
	    "<th scope=\"col\">after</th></tr></thead><tbody>\n", r->k, r->k);
	for (i = 0; i < 2; i++) {
		pt[i] = js_int(side[i], "patients", 0);
		cnt(r, a[i], sizeof a[i], pt[i]);
	}
	t1_row(r->fp, "patients", a[0], a[1]);
	for (i = 0; i < 2; i++) {
		json_t *v = json_object_get(side[i], "age");

		if (v && pt[i] >= r->k)
			snprintf(a[i], sizeof a[i], "%.1f (%.1f)", js_num(v, "mean", NAN), js_num(v, "sd", NAN));
		else
			snprintf(a[i], sizeof a[i], "%s", v ? "suppressed" : "");
	}
	t1_row(r->fp, "age, mean (SD)", a[0], a[1]);
	for (i = 0; i < 2; i++) {
		json_t *v = json_object_get(side[i], "female_pct");
		double f = v ? json_number_value(v) * pt[i] / 100 : 0;

		if (v == NULL)
			a[i][0] = '\0';
		else if (f < r->k - 0.5 || pt[i] - f < r->k - 0.5)
			snprintf(a[i], sizeof a[i], "suppressed");
		else
			snprintf(a[i], sizeof a[i], "%.1f %%", json_number_value(v));
	}
	t1_row(r->fp, "female", a[0], a[1]);
	for (i = 0; i < 2; i++) {
		json_t *v = json_object_get(side[i], "label");

		t1_count(r, a[i], sizeof a[i], v ? json_object_get(v, "count") : NULL, pt[i]);
	}
	t1_row(r->fp, js_str(json_object_get(be, "label"), "name", "label"), a[0], a[1]);
	/* Categorical group: levels with fewer than k patients (on either side)
	 * are pooled, and their names are not shown. */
	{
		json_t *g0 = json_object_get(json_object_get(be, "group"), "counts");
		json_t *g1 = json_object_get(json_object_get(af, "group"), "counts"), *v;
		const char *key, *gname = js_str(json_object_get(be, "group"), "name", "group");
		long long pool[2] = { 0, 0 };
		int npool = 0;
		char nm[160];

		json_object_foreach(g0, key, v) {
			long long c0 = json_integer_value(v), c1 = json_integer_value(json_object_get(g1, key));

			if (c0 < r->k || c1 < r->k) {
				pool[0] += c0;
				pool[1] += c1;
				npool++;
				continue;
			}
			snprintf(nm, sizeof nm, "%s: %s", gname, key);
			t1_count(r, a[0], sizeof a[0], v, pt[0]);
			t1_count(r, a[1], sizeof a[1], json_object_get(g1, key), pt[1]);
			t1_row(r->fp, nm, a[0], a[1]);
		}
		if (npool > 0) {
			json_t *p0 = json_integer(pool[0]), *p1 = json_integer(pool[1]);

			snprintf(nm, sizeof nm, "%s: %d small level%s pooled", gname, npool, npool == 1 ? "" : "s");
			t1_count(r, a[0], sizeof a[0], p0, pt[0]);
			t1_count(r, a[1], sizeof a[1], p1, pt[1]);
			t1_row(r->fp, nm, a[0], a[1]);
			json_decref(p0);
			json_decref(p1);
		}
	}
	{
		json_t *c0 = json_object_get(be, "continuous"), *c1 = json_object_get(af, "continuous");

		for (j = 0; j < json_array_size(c0); j++) {
			json_t *v[2] = { json_array_get(c0, j), json_array_get(c1, j) };
			char nm[160], m[2][32];

			for (i = 0; i < 2; i++) {
				long long miss = js_int(v[i], "missing", 0);

				if (v[i] == NULL) {
					a[i][0] = '\0';
					continue;
				}
				cnt(r, m[i], sizeof m[i], miss);
				if (pt[i] - miss < r->k)
					snprintf(a[i], sizeof a[i], "suppressed; %s missing", miss ? m[i] : "0");
				else
					snprintf(a[i], sizeof a[i], "%.1f (%.1f); %s missing", js_num(v[i], "mean", NAN),
					    js_num(v[i], "sd", NAN), miss ? m[i] : "0");
			}
			snprintf(nm, sizeof nm, "%s, mean (SD)", js_str(v[0], "name", "?"));
			t1_row(r->fp, nm, a[0], a[1]);
		}
	}
	{
		json_t *c0 = json_object_get(be, "top_concepts"), *c1 = json_object_get(af, "top_concepts");

		for (j = 0; j < json_array_size(c0); j++) {
			json_t *v = json_array_get(c0, j), *w = NULL;
			const char *code = js_str(v, "name", "?"), *d;
			char nm[200];
			size_t q;

			for (q = 0; q < json_array_size(c1); q++)
				if (strcmp(js_str(json_array_get(c1, q), "name", ""), code) == 0)
					w = json_array_get(c1, q);
			d = r->names ? json_string_value(json_object_get(r->names, code)) : NULL;
			snprintf(nm, sizeof nm, "%s%s%s", code, d ? " " : "", d ? d : "");
			t1_count(r, a[0], sizeof a[0], json_object_get(v, "count"), pt[0]);
			t1_count(r, a[1], sizeof a[1], w ? json_object_get(w, "count") : NULL, pt[1]);
			t1_row(r->fp, nm, a[0], a[1]);
		}
	}
	for (i = 0; i < 2; i++)
		snprintf(a[i], sizeof a[i], "%lld", js_int(side[i], "columns", 0));
	t1_row(r->fp, "columns", a[0], a[1]);
	fprintf(r->fp, "</tbody></table></section>\n");
}

/* A histogram that discloses no small cell's location: end bins holding
 * fewer than k values are cut off and re-binned until both end bins hold k
 * or more; what was cut off is only counted (below / above). */
struct shist {
	struct hist h;
	size_t below, above;      /* values cut off left of edge 0 / right of the last edge */
	int empty;                /* no bin holds k values: nothing may be drawn */
	double sbelow, sabove;    /* comparison shares outside the edges */
};

static void
safe_hist(const struct rh *r, const double *x, size_t n, struct shist *o)
{
	double *y = xmalloc((n ? n : 1) * sizeof *y);
	size_t ny = 0, i, m;
	int iter, i0, i1, b;

	memset(o, 0, sizeof *o);
	for (i = 0; i < n; i++)
		if (isfinite(x[i]))
			y[ny++] = x[i];
	for (iter = 0;; iter++) {
		double A, B;

		hist_build(&o->h, y, ny, 30);
		for (i0 = -1, i1 = -1, b = 0; b < o->h.nbins; b++)
			if (o->h.count[b] >= (size_t)r->k) {
				if (i0 < 0)
					i0 = b;
				i1 = b;
			}
		if (i0 < 0) {
			o->empty = 1;
			break;
		}
		if ((i0 == 0 && i1 == o->h.nbins - 1) || iter == 3)
			break;
		A = hist_edge(&o->h, i0);
		B = hist_edge(&o->h, i1 + 1);
		for (i = 0, m = 0; i < ny; i++) {
			if (y[i] < A)
				o->below++;
			else if (y[i] >= B)
				o->above++;
			else
				y[m++] = y[i];
		}
		ny = m;
		hist_done(&o->h);
	}
	free(y);
}

/* Shares of x (n values) in o's bins into cmp (zeroed like o->h), and
 * outside them into o->sbelow / o->sabove. */
static void
safe_hist_compare(struct shist *o, const double *x, size_t n, struct hist *cmp)
{
	double lo = hist_edge(&o->h, 0), hi = hist_edge(&o->h, o->h.nbins);
	size_t i, nb = 0, na = 0;

	hist_like(cmp, &o->h);
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			continue;
		if (x[i] < lo)
			nb++;
		else if (x[i] >= hi)
			na++;
		else
			hist_add(cmp, x[i]);
	}
	o->sbelow = n ? (double)nb / n : 0;
	o->sabove = n ? (double)na / n : 0;
}

/* Histogram chart of counts in h (bars of style s); bins with fewer than k
 * values are drawn as hatched grey stubs and reported as "<k". */
static struct plot *
hist_chart(struct rh *r, const char *title, const char *xlabel, const struct shist *sh, const struct hist *h2,
    double scale2, int s, int s2)
{
	const struct hist *h = &sh->h;
	struct plot *p = plot_new(460, 260, title, xlabel, h2 ? "share of rows" : "patients");
	size_t all = h->total + sh->below + sh->above;
	double ymax = 0, tot = all ? (double)all : 1;
	int i;

	for (i = 0; i < h->nbins; i++) {
		double y = h2 ? h->count[i] / tot : (double)h->count[i];

		if (h->count[i] >= (size_t)r->k && y > ymax)
			ymax = y;
		if (h2 && h2->count[i] * scale2 > ymax)
			ymax = h2->count[i] * scale2;
	}
	if (ymax <= 0)
		ymax = h2 ? 0.1 : r->k;
	plot_range(p, hist_edge(h, 0), hist_edge(h, h->nbins), 0, ymax * 1.05, 1);
	plot_axes(p, NULL, 0);
	for (i = 0; i < h->nbins; i++) {
		double x0 = hist_edge(h, i), x1 = hist_edge(h, i + 1);

		if (h->count[i] == 0)
			continue;
		if (h->count[i] < (size_t)r->k)
			plot_rect(p, x0, 0, x1, ymax * 0.04, 6, 1, 0.15);
		else
			plot_rect(p, x0, 0, x1, h2 ? h->count[i] / tot : (double)h->count[i], s, 0, 0.45);
	}
	if (h2) {
		double *x = xmalloc(2 * (size_t)h->nbins * sizeof *x), *y = xmalloc(2 * (size_t)h->nbins * sizeof *y);

		for (i = 0; i < h->nbins; i++) {
			x[2 * i] = hist_edge(h, i);
			x[2 * i + 1] = hist_edge(h, i + 1);
			y[2 * i] = y[2 * i + 1] = h2->count[i] * scale2;
		}
		plot_line(p, x, y, 2 * h->nbins, s2);
		free(x);
		free(y);
	}
	return p;
}

static void
hist_table(struct rh *r, const struct shist *sh, const char *col1, const struct hist *h2, const char *col2,
    double scale2)
{
	const struct hist *h = &sh->h;
	char e0[32], e1[32], c[32];
	size_t tot = h->total + sh->below + sh->above;
	int i;

	fprintf(r->fp, "<table><thead><tr><th scope=\"col\">bin</th><th scope=\"col\">%s</th>", col1);
	if (h2)
		fprintf(r->fp, "<th scope=\"col\">%s</th>", col2);
	fprintf(r->fp, "</tr></thead><tbody>\n");
	hist_format_num(e0, sizeof e0, hist_edge(h, 0));
	if (sh->below > 0 || (h2 && sh->sbelow > 0)) {
		cnt(r, c, sizeof c, (long long)sh->below);
		if (h2 && sh->below >= (size_t)r->k)
			snprintf(c, sizeof c, "%.4f", (double)sh->below / tot);
		fprintf(r->fp, "<tr><td>below %s</td><td>%s</td>", e0, sh->below ? c : "0");
		if (h2)
			fprintf(r->fp, "<td>%.4f</td>", sh->sbelow);
		fprintf(r->fp, "</tr>\n");
	}
	for (i = 0; i < h->nbins; i++) {
		hist_format_num(e0, sizeof e0, hist_edge(h, i));
		hist_format_num(e1, sizeof e1, hist_edge(h, i + 1));
		cnt(r, c, sizeof c, (long long)h->count[i]);
		if (h->count[i] == 0)
			snprintf(c, sizeof c, "0");
		else if (h2 && h->count[i] >= (size_t)r->k)
			snprintf(c, sizeof c, "%.4f", tot ? (double)h->count[i] / tot : 0);
		fprintf(r->fp, "<tr><td>[%s, %s)</td><td>%s</td>", e0, e1, c);
		if (h2)
			fprintf(r->fp, "<td>%.4f</td>", h2->count[i] * scale2);
		fprintf(r->fp, "</tr>\n");
	}
	hist_format_num(e1, sizeof e1, hist_edge(h, h->nbins));
	if (sh->above > 0 || (h2 && sh->sabove > 0)) {
		cnt(r, c, sizeof c, (long long)sh->above);
		if (h2 && sh->above >= (size_t)r->k)
			snprintf(c, sizeof c, "%.4f", (double)sh->above / tot);
		fprintf(r->fp, "<tr><td>%s or more</td><td>%s</td>", e1, sh->above ? c : "0");
		if (h2)
			fprintf(r->fp, "<td>%.4f</td>", sh->sabove);
		fprintf(r->fp, "</tr>\n");
	}
	fprintf(r->fp, "</tbody></table>\n");
}

/* Each range rule's column before and after the rule (the source cohort). */
static void
outlier_hists(struct rh *r, json_t *rules)
{
	struct cohort *c = NULL;
	char *cause = NULL;
	size_t i, row;

	if (json_array_size(rules) == 0)
		return;
	if (study_load_cohort(r->s, &c, &cause) != 0) {
		fprintf(r->fp, "<p class=\"note\">Outlier histograms not drawn: ");
		esc(r->fp, cause);
		fprintf(r->fp, "</p>\n");
		free(cause);
		return;
	}
	for (i = 0; i < json_array_size(rules); i++) {
		json_t *v = json_array_get(rules, i);
		const char *col = js_str(v, "column", NULL), *desc = js_str(v, "description", "rule");
		double lo = js_num(v, "lo", js_num(v, "min", -INFINITY)), hi = js_num(v, "hi", js_num(v, "max", INFINITY));
		int ci = col ? cohort_find(c, col) : -1, clip = strcmp(js_str(v, "action", "drop"), "clip") == 0;
		double *x, *y;
		size_t nx = 0, ny = 0;
		struct shist hb, ha;
		char t[200];

		/* range, iqr and percentile rules bound one column (lo/hi in the log);
		 * a cross-column rule has no single column to draw. */
		if (ci < 0 || strcmp(js_str(v, "type", "range"), "cross") == 0 || !c->cols[ci].num)
			continue;
		x = xmalloc(c->nrows * sizeof *x);
		y = xmalloc(c->nrows * sizeof *y);
		for (row = 0; row < c->nrows; row++) {
			double z = cohort_value(c, ci, row);

			if (!isfinite(z))
				continue;
			x[nx++] = z;
			if (z >= lo && z <= hi)
				y[ny++] = z;
			else if (clip)
				y[ny++] = z < lo ? lo : hi;
		}
		if (json_is_false(json_object_get(v, "enabled"))) {
			memcpy(y, x, nx * sizeof *x);
			ny = nx;
		}
		safe_hist(r, x, nx, &hb);
		safe_hist(r, y, ny, &ha);
		fprintf(r->fp, "<h3>");
		esc(r->fp, desc);
		fprintf(r->fp, "</h3>\n");
		if (hb.empty || ha.empty) {
			fprintf(r->fp, "<p class=\"note\">Not drawn: every bin would hold fewer than %d patients.</p>\n", r->k);
			hist_done(&hb.h);
			hist_done(&ha.h);
			free(x);
			free(y);
			continue;
		}
		fprintf(r->fp, "<div class=\"row\">");
		snprintf(t, sizeof t, "%s before the rule", col);
		{
			struct plot *p = hist_chart(r, t, col, &hb, NULL, 0, 0, 0);
			char *alt = xsprintf("Histogram of %s before the rule (%s), %d bins; bins under %d patients "
			    "hatched; numbers in the table below.", col, desc, hb.h.nbins, r->k);
			char *cap = xsprintf("%s before \"%s\". Dashed lines: the rule's limits. %s", col, desc,
			    hb.below + hb.above ? "Sparse tails (fewer than the smallest count shown per bin) are cut "
			    "off and only counted in the table." : "");

			plot_vline(p, lo, 1, "limit");
			plot_vline(p, hi, 1, "limit");
			figure(r, p, alt, cap);
			free(alt);
			free(cap);
		}
		snprintf(t, sizeof t, "%s after the rule", col);
		{
			struct plot *p = hist_chart(r, t, col, &ha, NULL, 0, 2, 0);
			char *alt = xsprintf("Histogram of %s after the rule (%s), %d bins; numbers in the table below.",
			    col, desc, ha.h.nbins);
			char *cap = xsprintf("%s after \"%s\".", col, desc);

			figure(r, p, alt, cap);
			free(alt);
			free(cap);
		}
		fprintf(r->fp, "</div>\n");
		details_open(r, "patients per bin, before and after");
		fprintf(r->fp, "<div class=\"row\">");
		hist_table(r, &hb, "before", NULL, NULL, 0);
		hist_table(r, &ha, "after", NULL, NULL, 0);
		fprintf(r->fp, "</div></details>\n");
		hist_done(&hb.h);
		hist_done(&ha.h);
		free(x);
		free(y);
	}
	cohort_free(c);
}

static void
prep_log(struct rh *r)
{
	json_t *a = json_object_get(r->log, "outliers"), *v;
	char c[32];
	size_t i;

	fprintf(r->fp, "<section id=\"prep\"><h2>Preprocessing log</h2>\n<ul>\n");
	fprintf(r->fp, "<li>rows read: %s</li>\n", (cnt(r, c, sizeof c, js_int(r->log, "rows_in", 0)), c));
	for (i = 0; i < json_array_size(a); i++) {
		v = json_array_get(a, i);
		fprintf(r->fp, "<li>");
		esc(r->fp, js_str(v, "description", js_str(v, "column", js_str(v, "left", "?"))));
		cnt(r, c, sizeof c, js_int(v, "removed", 0));
		fprintf(r->fp, "%s: %s rows removed</li>\n", json_is_false(json_object_get(v, "enabled")) ? " (disabled)" : "",
		    js_int(v, "removed", 0) == 0 ? "0" : c);
	}
	if ((v = json_object_get(r->log, "missing")) != NULL) {
		json_t *im = json_object_get(v, "imputed");

		for (i = 0; i < json_array_size(im); i++) {
			json_t *m = json_array_get(im, i);
			long long n = js_int(m, "count", 0);

			cnt(r, c, sizeof c, n);
			fprintf(r->fp, "<li>missing ");
			esc(r->fp, js_str(m, "column", "?"));
			fprintf(r->fp, ": %s values imputed (", c);
			esc(r->fp, js_str(m, "method", "?"));
			fprintf(r->fp, ")</li>\n");
		}
		fprintf(r->fp, "<li>columns dropped for missingness (above %g): %zu</li>\n", js_num(v, "drop_above", NAN),
		    json_array_size(json_object_get(v, "columns_dropped")));
	}
	if ((v = json_object_get(r->log, "low_prevalence")) != NULL)
		fprintf(r->fp, "<li>low prevalence (&lt; %g): %lld concept columns dropped</li>\n", js_num(v, "threshold", NAN),
		    js_int(v, "dropped_count", 0));
	if ((v = json_object_get(r->log, "split")) != NULL)
		fprintf(r->fp, "<li>split: %lld training / %lld test rows (fraction %g, seed %lld%s)</li>\n",
		    js_int(v, "train", 0), js_int(v, "test", 0), js_num(v, "train_fraction", NAN), js_int(v, "seed", 0),
		    js_bool(v, "stratify", 0) ? ", stratified" : "");
	fprintf(r->fp, "<li>model columns: %lld</li>\n</ul>\n", js_int(r->log, "columns_out", 0));
	outlier_hists(r, a);
	fprintf(r->fp, "</section>\n");
}

/* ---- Training */

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void
one_run(struct rh *r, int run)
{
	json_t *st = NULL, *cl, *ch;
	double *col[8] = { NULL };
	char *cause = NULL, t[96], v[4][32];
	int n = 0, i, chosen, f;
	size_t q;

	if (train_read_state(r->s, run, &st, &cause) != 0) {
		free(cause);
		return;
	}
	fprintf(r->fp, "<h3 id=\"run-%d\">run-%d</h3>\n", run, run);
	if (train_read_loss(r->s, run, col, &n, &cause) != 0) {
		fprintf(r->fp, "<p class=\"note\">");
		esc(r->fp, cause);
		fprintf(r->fp, "</p>\n");
		free(cause);
	}
	ch = json_object_get(st, "chosen");
	chosen = (int)js_int(ch, "epoch", 0);
	fprintf(r->fp, "<p>%lld of %lld epochs, %lld steps, %.1f s, seed %lld; checkpoint rule <code>",
	    js_int(st, "epoch", 0), js_int(st, "epochs", 0), js_int(st, "steps", 0), js_num(st, "seconds", 0),
	    js_int(st, "seed", 0));
	esc(r->fp, js_str(st, "ckpt_rule", "?"));
	fprintf(r->fp, "</code>");
	if (js_num(st, "minutes", 0) > 0)
		fprintf(r->fp, "; time budget %g min", js_num(st, "minutes", 0));
	fprintf(r->fp, "; chosen checkpoint: epoch %d%s.</p>\n<div class=\"row\">", chosen,
	    js_bool(ch, "fallback", 0) ? " (no epoch met the rule: the last state stands in)" : "");
	if (n > 0) {
		double lo = INFINITY, hi = -INFINITY;
		struct plot *p;
		static const int sty[3] = { 0, 1, 2 };
		static const char *const lab[3] = { "critic loss", "generator loss", "Wasserstein estimate" };
		static const int fld[3] = { 1, 4, 2 };
		char *alt;

		/* The y axis fits the epochs after the first tenth: the critic's
		 * gradient penalty dwarfs everything in the first few epochs. */
		for (f = 0; f < 3; f++)
			for (i = n >= 10 ? n / 10 : 0; i < n; i++)
				if (isfinite(col[fld[f]][i])) {
					lo = SH_MIN(lo, col[fld[f]][i]);
					hi = SH_MAX(hi, col[fld[f]][i]);
				}
		snprintf(t, sizeof t, "run-%d: losses per epoch", run);
		p = plot_new(560, 320, t, "epoch", "loss (epoch mean)");
		plot_range(p, col[0][0] > 1 ? col[0][0] : 0, col[0][n - 1], lo, hi, 0);
		plot_axes(p, NULL, 0);
		for (f = 0; f < 3; f++)
			plot_line(p, col[0], col[fld[f]], n, sty[f]);
		plot_vline(p, chosen, 6, "chosen");
		plot_legend(p, lab, sty, "lll", 3);
		alt = xsprintf("Line chart of run-%d's critic loss, generator loss and Wasserstein estimate over %d "
		    "epochs; the last epoch's values are %.4g, %.4g and %.4g; the chosen checkpoint (epoch %d) is "
		    "marked by a dashed vertical line.", run, n, col[1][n - 1], col[4][n - 1], col[2][n - 1], chosen);
		figure(r, p, alt, n >= 10 ? "Critic (solid), generator (dashed) and Wasserstein estimate (dotted) per "
		    "epoch; vertical line: chosen checkpoint. The y axis fits the epochs after the first tenth (earlier "
		    "values may run off the top; they are in the table)." : "Critic (solid), generator (dashed) and "
		    "Wasserstein estimate (dotted) per epoch; vertical line: chosen checkpoint.");
		free(alt);
	}
	cl = json_object_get(st, "checkpoints");
	{
		int m = 0;
		double *x = xmalloc((json_array_size(cl) + 1) * sizeof *x), *y = xmalloc((json_array_size(cl) + 1) * sizeof *y);
		double lo = INFINITY, hi = -INFINITY, e0 = INFINITY, e1 = -INFINITY;

		json_array_foreach(cl, q, ch) {
			json_t *sc = json_object_get(ch, "score");

			if (!json_is_number(sc))
				continue;
			x[m] = (double)js_int(ch, "epoch", 0);
			y[m] = json_number_value(sc);
			lo = SH_MIN(lo, y[m]);
			hi = SH_MAX(hi, y[m]);
			e0 = SH_MIN(e0, x[m]);
			e1 = SH_MAX(e1, x[m]);
			m++;
		}
		if (m > 0) {
			struct plot *p;
			double cy = NAN;
			char *alt;

			for (i = 0; i < m; i++)
				if ((int)x[i] == chosen)
					cy = y[i];
			snprintf(t, sizeof t, "run-%d: training-time fidelity", run);
			p = plot_new(460, 320, t, "epoch", strcmp(js_str(st, "ckpt_rule", ""), "tutorial") == 0 ?
			    "-critic loss" : "fidelity score (lower is better)");
			plot_range(p, e0 - 1, e1 + 1, lo, hi, 0);
			plot_axes(p, NULL, 0);
			plot_line(p, x, y, m, 0);
			plot_points(p, x, y, m, 0, 4);
			if (isfinite(cy))
				plot_points(p, (double[]){ chosen }, &cy, 1, 1, 8);
			plot_vline(p, chosen, 6, "chosen");
			alt = xsprintf("Chart of the fidelity score of run-%d's %d scored checkpoints from epoch %g to %g "
			    "(range %.4g to %.4g); the chosen checkpoint is epoch %d.", run, m, e0, e1, lo, hi, chosen);
			figure(r, p, alt, "Training-time fidelity signal per scored checkpoint; the chosen checkpoint is "
			    "the large square and the dashed line.");
			free(alt);
		} else
			fprintf(r->fp, "<p class=\"note\">No checkpoint of run-%d was scored (the run ended before its "
			    "first scored checkpoint), so there is no fidelity curve.</p>", run);
		fprintf(r->fp, "</div>\n");
		details_open(r, "losses (every epoch up to 40 rows, evenly spaced) and checkpoint scores");
		fprintf(r->fp, "<div class=\"row\"><table><thead><tr><th scope=\"col\">epoch</th><th scope=\"col\">critic"
		    "</th><th scope=\"col\">generator</th><th scope=\"col\">W estimate</th><th scope=\"col\">seconds"
		    "</th></tr></thead><tbody>\n");
		for (i = 0; i < n; i++) {
			if (n > 40 && i != 0 && i != n - 1 && (i * 40 / n) == ((i + 1) * 40 / n))
				continue;
			num(v[0], sizeof v[0], col[1][i]);
			num(v[1], sizeof v[1], col[4][i]);
			num(v[2], sizeof v[2], col[2][i]);
			num(v[3], sizeof v[3], col[7][i]);
			fprintf(r->fp, "<tr><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", (int)col[0][i],
			    v[0], v[1], v[2], v[3]);
		}
		fprintf(r->fp, "</tbody></table>\n<table><thead><tr><th scope=\"col\">checkpoint epoch</th>"
		    "<th scope=\"col\">score</th></tr></thead><tbody>\n");
		for (i = 0; i < m; i++) {
			num(v[0], sizeof v[0], y[i]);
			fprintf(r->fp, "<tr><td>%d%s</td><td>%s</td></tr>\n", (int)x[i], (int)x[i] == chosen ? " (chosen)" : "",
			    v[0]);
		}
		fprintf(r->fp, "</tbody></table></div></details>\n");
		free(x);
		free(y);
	}
	for (f = 0; f < 8; f++)
		free(col[f]);
	json_decref(st);
}

static void
training(struct rh *r)
{
	char *dir = study_path(r->s, "runs");
	int *runs = NULL, nr = 0, i;
	DIR *d = opendir(dir);
	struct dirent *e;

	fprintf(r->fp, "<section id=\"training\"><h2>Training</h2>\n");
	while (d && (e = readdir(d)) != NULL) {
		int k;
		char tail;

		if (sscanf(e->d_name, "run-%d%c", &k, &tail) == 1 && k > 0) {
			runs = xreallocarray(runs, (size_t)nr + 1, sizeof *runs);
			runs[nr++] = k;
		}
	}
	if (d)
		closedir(d);
	free(dir);
	qsort(runs, (size_t)nr, sizeof *runs, cmp_int);
	if (nr == 0)
		fprintf(r->fp, "<p>No trained runs.</p>\n");
	for (i = 0; i < nr; i++)
		one_run(r, runs[i]);
	free(runs);
	/* The classical peers are fitted, not trained: no curves, their fit only. */
	{
		int np = 0;

		for (i = 0; i < r->n; i++) {
			json_t *st;
			char *rel, *p;

			if (strcmp(r->kind[i], "peer") != 0)
				continue;
			rel = xsprintf("runs/%s/state.json", r->set[i]);
			p = study_path(r->s, rel);
			if (js_read_file(p, &st, NULL) == 0) {
				if (np++ == 0)
					fprintf(r->fp, "<h3>Classical peers</h3>\n<p>Fitted in one pass (no training "
					    "curves):</p>\n<ul>\n");
				fprintf(r->fp, "<li>");
				esc(r->fp, r->set[i]);
				fprintf(r->fp, ": method ");
				esc(r->fp, js_str(st, "method", "?"));
				fprintf(r->fp, ", fitted in %.2f s, %lld rows sampled</li>\n", js_num(st, "fit_seconds", NAN),
				    js_int(json_object_get(st, "generate"), "rows", 0));
				json_decref(st);
			}
			free(rel);
			free(p);
		}
		if (np > 0)
			fprintf(r->fp, "</ul>\n");
	}
	fprintf(r->fp, "</section>\n");
}

/* ---- Per synthetic set: Figure 4, histograms, correlation difference */

struct dev {
	int j;
	double d;
};

static int
cmp_dev(const void *a, const void *b)
{
	double x = ((const struct dev *)a)->d, y = ((const struct dev *)b)->d;

	return x < y ? 1 : x > y ? -1 : ((const struct dev *)a)->j - ((const struct dev *)b)->j;
}

static const char *
concept_desc(const struct rh *r, const char *code)
{
	return r->names ? json_string_value(json_object_get(r->names, code)) : NULL;
}

static void
col_means(const struct mtx *m, int D, double *out)
{
	double *c = xmalloc((m->n ? m->n : 1) * sizeof *c);
	size_t i;
	int j;

	for (j = 0; j < D; j++) {
		double s = 0;

		mtx_get_col(m, j, c);
		for (i = 0; i < m->n; i++)
			s += c[i];
		out[j] = m->n ? s / m->n : NAN;
	}
	free(c);
}

static void
figure4(struct rh *r, const char *name, const struct mtx *sm, const double *pr, const double *ps)
{
	const struct layout *l = r->lay;
	struct dev *dv = xmalloc((size_t)l->D * sizeof *dv);
	double *x = xmalloc((size_t)l->D * sizeof *x), *y = xmalloc((size_t)l->D * sizeof *y), mx = 0, mae = 0;
	int nc = 0, nd = 0, j, i;
	struct plot *p;
	char t[128], *alt;
	FILE *afp;
	size_t alen = 0;

	for (j = 0; j < l->D; j++) {
		if (!l->concept[j])
			continue;
		x[nc] = pr[j];
		y[nc] = ps[j];
		mx = SH_MAX(mx, SH_MAX(pr[j], ps[j]));
		mae += fabs(ps[j] - pr[j]);
		nc++;
		if (pr[j] * r->real->n >= r->k - 1e-9) {
			dv[nd].j = j;
			dv[nd].d = fabs(ps[j] - pr[j]);
			nd++;
		}
	}
	if (nc == 0) {
		free(dv);
		free(x);
		free(y);
		return;
	}
	mae /= nc;
	qsort(dv, (size_t)nd, sizeof *dv, cmp_dev);
	snprintf(t, sizeof t, "%s: concept prevalence, real vs synthetic", name);
	p = plot_new(560, 500, t, "real prevalence (training rows)", "synthetic prevalence");
	plot_range(p, 0, mx, 0, mx, 0);
	plot_axes(p, NULL, 0);
	plot_segment(p, 0, 0, mx * 2, mx * 2);
	plot_points(p, x, y, nc, 0, 3);
	for (i = 0; i < nd && i < FIG4_LABELS; i++) {
		const char *code = l->name[dv[i].j], *d = concept_desc(r, code);
		char lab[64];

		snprintf(lab, sizeof lab, "%s%s%.28s", code, d ? " " : "", d ? d : "");
		plot_label(p, pr[dv[i].j], ps[dv[i].j], lab);
	}
	afp = open_memstream(&alt, &alen);
	fprintf(afp, "Scatter plot of %d concepts' prevalence in %s against the real training rows, with the "
	    "diagonal of perfect agreement; mean absolute difference %.4f. Largest differences:", nc, name, mae);
	for (i = 0; i < nd && i < FIG4_LABELS; i++)
		fprintf(afp, "%s %s (real %.3f, synthetic %.3f)", i ? "," : "", l->name[dv[i].j], pr[dv[i].j],
		    ps[dv[i].j]);
	fprintf(afp, ".");
	fclose(afp);
	figure(r, p, alt, "Figure 4 of the tutorial: each point is a concept (phecode); dashed: the diagonal; the "
	    "most deviating concepts are labelled.");
	free(alt);
	details_open(r, "the 15 most deviating concepts");
	fprintf(r->fp, "<table><thead><tr><th scope=\"col\">concept</th><th scope=\"col\">description</th>"
	    "<th scope=\"col\">real</th><th scope=\"col\">synthetic</th><th scope=\"col\">difference</th></tr>"
	    "</thead><tbody>\n");
	for (i = 0; i < nd && i < 15; i++) {
		int q = dv[i].j;

		fprintf(r->fp, "<tr><td>");
		esc(r->fp, l->name[q]);
		fprintf(r->fp, "</td><td>");
		esc(r->fp, concept_desc(r, l->name[q]));
		fprintf(r->fp, "</td><td>%.4f</td><td>%.4f</td><td>%+.4f</td></tr>\n", pr[q], ps[q], ps[q] - pr[q]);
	}
	fprintf(r->fp, "</tbody></table><p>%d concepts; mean absolute difference %.4f; concepts held by fewer than "
	    "%d training patients are not listed.</p></details>\n", nc, mae, r->k);
	(void)sm;
	free(dv);
	free(x);
	free(y);
}

static void
cont_hists(struct rh *r, const char *name, const struct mtx *sm)
{
	const struct layout *l = r->lay;
	double *a = xmalloc((r->real->n ? r->real->n : 1) * sizeof *a), *b = xmalloc((sm->n ? sm->n : 1) * sizeof *b);
	int j;

	fprintf(r->fp, "<div class=\"row\">");
	for (j = 0; j < l->D; j++) {
		struct shist hr;
		struct hist hs;
		char t[160], *alt, *cap;
		struct plot *p;

		if (l->kind[j] != MCOL_CONT)
			continue;
		mtx_get_col(r->real, j, a);
		mtx_get_col(sm, j, b);
		safe_hist(r, a, r->real->n, &hr);
		if (hr.empty) {
			fprintf(r->fp, "<p class=\"note\">");
			esc(r->fp, l->name[j]);
			fprintf(r->fp, ": not drawn, every bin would hold fewer than %d patients.</p>\n", r->k);
			hist_done(&hr.h);
			continue;
		}
		safe_hist_compare(&hr, b, sm->n, &hs);
		snprintf(t, sizeof t, "%s: %s", name, l->name[j]);
		p = hist_chart(r, t, l->name[j], &hr, &hs, sm->n ? 1.0 / sm->n : 0, 0, 1);
		{
			const char *lab[2] = { "real (training)", "synthetic" };
			int sty[2] = { 0, 1 };

			plot_legend(p, lab, sty, "bl", 2);
		}
		alt = xsprintf("Histogram of %s: real training rows as bars, %s as a dashed step line, as shares of "
		    "rows over %d bins; numbers in the table below.", l->name[j], name, hr.h.nbins);
		cap = xsprintf("%s, real (bars) against %s (dashed line); hatched stubs: bins with fewer than %d "
		    "real patients.", l->name[j], name, r->k);
		fprintf(r->fp, "<div>");
		figure(r, p, alt, cap);
		details_open(r, l->name[j]);
		hist_table(r, &hr, "real share", &hs, "synthetic share", sm->n ? 1.0 / sm->n : 0);
		fprintf(r->fp, "</details></div>\n");
		free(alt);
		free(cap);
		hist_done(&hr.h);
		hist_done(&hs);
	}
	fprintf(r->fp, "</div>\n");
	free(a);
	free(b);
}

static void
corr_of(const struct mtx *m, const int *cols, int nc, double *out)
{
	double *x = xmalloc((size_t)nc * (m->n ? m->n : 1) * sizeof *x), *mu = xcalloc((size_t)nc, sizeof *mu);
	double *sd = xcalloc((size_t)nc, sizeof *sd);
	size_t i, n = m->n;
	int a, b;

	for (a = 0; a < nc; a++) {
		mtx_get_col(m, cols[a], x + (size_t)a * n);
		for (i = 0; i < n; i++)
			mu[a] += x[(size_t)a * n + i];
		mu[a] = n ? mu[a] / n : 0;
		for (i = 0; i < n; i++) {
			x[(size_t)a * n + i] -= mu[a];
			sd[a] += x[(size_t)a * n + i] * x[(size_t)a * n + i];
		}
		sd[a] = sqrt(sd[a]);
	}
	for (a = 0; a < nc; a++)
		for (b = 0; b < nc; b++) {
			double s = 0;

			for (i = 0; i < n; i++)
				s += x[(size_t)a * n + i] * x[(size_t)b * n + i];
			out[a * nc + b] = sd[a] > 0 && sd[b] > 0 ? s / (sd[a] * sd[b]) : NAN;
		}
	free(x);
	free(mu);
	free(sd);
}

static void
corr_diff(struct rh *r, const char *name, const struct mtx *sm, const double *pr)
{
	const struct layout *l = r->lay;
	int cols[CORR_MAX], nc = 0, j, a, b;
	double cr[CORR_MAX * CORR_MAX], cs[CORR_MAX * CORR_MAX], d[CORR_MAX * CORR_MAX], mx = 0;
	const char *nm[CORR_MAX];
	struct plot *p;
	char t[160], *alt;
	struct dev *dv;

	if (l->label >= 0)
		cols[nc++] = l->label;
	if (l->sex >= 0 && nc < CORR_MAX)
		cols[nc++] = l->sex;
	for (j = 0; j < l->D && nc < CORR_MAX; j++)
		if (l->kind[j] == MCOL_CONT)
			cols[nc++] = j;
	dv = xmalloc((size_t)l->D * sizeof *dv);
	for (j = 0, a = 0; j < l->D; j++)
		if (l->concept[j] && pr[j] * r->real->n >= r->k) {
			dv[a].j = j;
			dv[a].d = pr[j];
			a++;
		}
	qsort(dv, (size_t)a, sizeof *dv, cmp_dev);
	for (b = 0; b < a && nc < CORR_MAX; b++)
		cols[nc++] = dv[b].j;
	free(dv);
	if (nc < 2)
		return;
	corr_of(r->real, cols, nc, cr);
	corr_of(sm, cols, nc, cs);
	for (a = 0; a < nc * nc; a++) {
		d[a] = cs[a] - cr[a];
		if (isfinite(d[a]))
			mx = SH_MAX(mx, fabs(d[a]));
	}
	for (a = 0; a < nc; a++)
		nm[a] = l->name[cols[a]];
	snprintf(t, sizeof t, "%s: correlation difference (synthetic - real)", name);
	p = plot_new(640, 600, t, NULL, NULL);
	plot_heatmap(p, d, nc, nm, mx > 0 ? mx : 1);
	alt = xsprintf("Heat map of the difference between %s's and the real training rows' Pearson correlations "
	    "over %d columns (label, sex, continuous columns and the most prevalent concepts); the largest absolute "
	    "difference is %.3f; the matrix is in the table below.", name, nc, mx);
	figure(r, p, alt, "Correlation of synthetic minus real: blue, synthetic correlation lower; vermillion, "
	    "higher; white, equal; grey, undefined (a constant column).");
	free(alt);
	details_open(r, "correlation differences");
	fprintf(r->fp, "<div class=\"wide\"><table><thead><tr><th scope=\"col\"></th>");
	for (a = 0; a < nc; a++) {
		fprintf(r->fp, "<th scope=\"col\">");
		esc(r->fp, nm[a]);
		fprintf(r->fp, "</th>");
	}
	fprintf(r->fp, "</tr></thead><tbody>\n");
	for (a = 0; a < nc; a++) {
		fprintf(r->fp, "<tr><th scope=\"row\">");
		esc(r->fp, nm[a]);
		fprintf(r->fp, "</th>");
		for (b = 0; b < nc; b++) {
			num(t, sizeof t, d[a * nc + b]);
			fprintf(r->fp, "<td>%s</td>", t);
		}
		fprintf(r->fp, "</tr>\n");
	}
	fprintf(r->fp, "</tbody></table></div></details>\n");
}

static void
sets_section(struct rh *r)
{
	double *pr, *ps;
	int i;

	fprintf(r->fp, "<section id=\"sets\"><h2>Synthetic sets against the real data</h2>\n");
	if (r->lay == NULL || r->real == NULL) {
		fprintf(r->fp, "<p class=\"note\">prep/layout.json or prep/train.mtx is missing: run "
		    "<code>synthehr prep</code>.</p></section>\n");
		return;
	}
	pr = xmalloc((size_t)r->lay->D * sizeof *pr);
	ps = xmalloc((size_t)r->lay->D * sizeof *ps);
	col_means(r->real, r->lay->D, pr);
	for (i = 0; i < r->n; i++) {
		struct mtx *sm = NULL;
		char *p = r->path[i] ? study_path(r->s, r->path[i]) : NULL, *cause = NULL;

		fprintf(r->fp, "<h3 id=\"set-%d\">", i);
		esc(r->fp, r->set[i]);
		fprintf(r->fp, " <small>(");
		esc(r->fp, r->kind[i]);
		fprintf(r->fp, ")</small></h3>\n");
		if (p == NULL || mtx_read(p, r->lay, &sm, &cause) != 0) {
			fprintf(r->fp, "<p class=\"note\">synthetic rows not readable: ");
			esc(r->fp, cause ? cause : "no path in metrics.json");
			fprintf(r->fp, "</p>\n");
			free(cause);
			free(p);
			continue;
		}
		free(p);
		mtx_unscale(sm, r->lay);
		fprintf(r->fp, "<p>%zu synthetic rows against %zu real training rows.</p>\n", sm->n, r->real->n);
		col_means(sm, r->lay->D, ps);
		figure4(r, r->set[i], sm, pr, ps);
		cont_hists(r, r->set[i], sm);
		corr_diff(r, r->set[i], sm, pr);
		mtx_free(sm);
	}
	free(pr);
	free(ps);
	fprintf(r->fp, "</section>\n");
}

/* ---- Metrics, ranking, stability */

static int
kind_style(const char *kind)
{
	return strcmp(kind, "run") == 0 ? 0 : strcmp(kind, "baseline") == 0 ? 1 : strcmp(kind, "peer") == 0 ? 2 : 3;
}

/* More per-set figures where metrics.json has them (absent fields: "–"). */
static void
set_details(struct rh *r)
{
	json_t *sets = json_object_get(r->metrics, "sets"), *s, *memo_real;
	char v[6][48];
	size_t q;
	int any = 0;

	json_array_foreach(sets, q, s) {
		json_t *d = json_object_get(s, "details");

		if (json_object_get(d, "memorisation") || json_object_get(d, "tstr_prauc") || json_object_get(d, "ckv"))
			any = 1;
	}
	if (!any)
		return;
	memo_real = json_object_get(json_object_get(r->metrics, "real"), "memorisation");
	fprintf(r->fp, "<table><caption>More per-set figures</caption><thead><tr><th scope=\"col\">set</th>"
	    "<th scope=\"col\">kind</th><th scope=\"col\">TSTR PR-AUC</th><th scope=\"col\">TRTS PR-AUC</th>"
	    "<th scope=\"col\">CKV: checked codes never produced</th><th scope=\"col\">exact copies of training rows"
	    "</th><th scope=\"col\">near copies (same profile)</th></tr></thead><tbody>\n");
	json_array_foreach(sets, q, s) {
		json_t *d = json_object_get(s, "details"), *m = json_object_get(d, "memorisation");
		json_t *ck = json_object_get(json_object_get(d, "ckv"), "missing");

		if (strcmp(js_str(s, "kind", ""), "real") == 0)
			continue;
		num(v[0], sizeof v[0], js_num(d, "tstr_prauc", NAN));
		num(v[1], sizeof v[1], js_num(d, "trts_prauc", NAN));
		if (json_is_integer(ck))
			snprintf(v[2], sizeof v[2], "%lld", (long long)json_integer_value(ck));
		else if (json_is_array(ck))
			snprintf(v[2], sizeof v[2], "%zu", json_array_size(ck));
		else
			snprintf(v[2], sizeof v[2], "–");
		if (m && json_is_number(json_object_get(m, "exact")))
			snprintf(v[3], sizeof v[3], "%.2f %%", 100 * js_num(m, "exact", 0));
		else
			snprintf(v[3], sizeof v[3], "–");
		if (m && json_is_number(json_object_get(m, "profile")))
			snprintf(v[4], sizeof v[4], "%.2f %%", 100 * js_num(m, "profile", 0));
		else
			snprintf(v[4], sizeof v[4], "–");
		fprintf(r->fp, "<tr><th scope=\"row\">");
		esc(r->fp, js_str(s, "name", "?"));
		fprintf(r->fp, "</th><td>");
		esc(r->fp, js_str(s, "kind", "?"));
		fprintf(r->fp, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", v[0], v[1], v[2],
		    v[3], v[4]);
	}
	if (memo_real != NULL) {
		snprintf(v[3], sizeof v[3], "%.2f %%", 100 * js_num(memo_real, "exact", NAN));
		snprintf(v[4], sizeof v[4], "%.2f %%", 100 * js_num(memo_real, "profile", NAN));
		fprintf(r->fp, "<tr><th scope=\"row\">real test rows</th><td>reference</td><td></td><td></td><td></td>"
		    "<td>%s</td><td>%s</td></tr>\n", v[3], v[4]);
	}
	fprintf(r->fp, "</tbody></table>\n<p>Copies are shares of a set's rows identical to a training row (exact) "
	    "or with the same concepts, sex and label (near); the real test rows show what an independent sample "
	    "of the same population gives.</p>\n");
}

static void
metrics_section(struct rh *r)
{
	int k, i, has_ref = 0;
	char v[48], e[48];

	for (k = 0; k < RANK_COUNT; k++)
		has_ref |= isfinite(r->ref_values[k]);
	fprintf(r->fp, "<section id=\"metrics\"><h2>Metrics</h2>\n<p>One chart per metric across the synthetic sets: "
	    "circles are WGAN runs, squares the marginals baseline, triangles classical peers, diamonds other sets "
	    "(right of the dotted divider: the sets that are not WGAN runs); "
	    "bars show ± one standard error%s where known; the dashed line is the real data's own value (the "
	    "release-the-real-data reference)%s.</p>\n<div class=\"grid\">",
	    r->se_from_boot ? " (for the resampled metrics, the bootstrap standard deviation)" : "",
	    has_ref ? "; the dotted line labelled \"real test rows\" is the real-data reference, the held-out "
	    "test rows scored as a set (TSTR and TRTS: TRTR's AUROC)" : "");
	for (k = 0; k < RANK_COUNT; k++) {
		const struct rank_metric_info *mi = &rank_metrics[k];
		double lo = INFINITY, hi = -INFINITY;
		int any = 0;
		struct plot *p;
		char t[128], *alt;
		FILE *afp;
		size_t alen = 0;

		for (i = 0; i < r->n; i++) {
			double x = r->values[(size_t)i * RANK_COUNT + k], s = r->se[(size_t)i * RANK_COUNT + k];

			if (!isfinite(x))
				continue;
			any = 1;
			lo = SH_MIN(lo, x - (isfinite(s) ? s : 0));
			hi = SH_MAX(hi, x + (isfinite(s) ? s : 0));
		}
		if (!any)
			continue;
		if (isfinite(r->real_values[k])) {
			lo = SH_MIN(lo, r->real_values[k]);
			hi = SH_MAX(hi, r->real_values[k]);
		}
		if (isfinite(r->ref_values[k])) {
			lo = SH_MIN(lo, r->ref_values[k]);
			hi = SH_MAX(hi, r->ref_values[k]);
		}
		snprintf(t, sizeof t, "%s (%s %s is better)", mi->key, mi->higher_better ? "↑" : "↓",
		    mi->higher_better ? "higher" : "lower");
		p = plot_new(420, 300, t, NULL, mi->label);
		plot_fit_categories(p, r->set, r->n);
		plot_range(p, -0.5, r->n - 0.5, lo, hi, 0);
		plot_axes(p, r->set, r->n);
		for (i = 0; i < r->n; i++) {
			double x = i, y = r->values[(size_t)i * RANK_COUNT + k], s = r->se[(size_t)i * RANK_COUNT + k];
			int st = kind_style(r->kind[i]);

			if (isfinite(s))
				plot_errbar(p, x, y - s, y + s, st);
			plot_points(p, &x, &y, 1, st, 6);
		}
		plot_hline(p, r->real_values[k], 6, "real data");
		plot_hline_dotted(p, r->ref_values[k], 5, "real test rows");
		{
			int nrun = 0;

			for (i = 0; i < r->n; i++)
				nrun += strcmp(r->kind[i], "run") == 0;
			if (nrun > 0 && nrun < r->n)
				plot_divider(p, nrun - 0.5);
		}
		afp = open_memstream(&alt, &alen);
		fprintf(afp, "Dot chart of %s (%s; %s is better) for %d sets:", mi->key, mi->title,
		    mi->higher_better ? "higher" : "lower", r->n);
		for (i = 0; i < r->n; i++) {
			num(v, sizeof v, r->values[(size_t)i * RANK_COUNT + k]);
			fprintf(afp, "%s %s %s", i ? "," : "", r->set[i], v);
		}
		if (isfinite(r->real_values[k])) {
			num(v, sizeof v, r->real_values[k]);
			fprintf(afp, "; real data %s", v);
		}
		if (isfinite(r->ref_values[k])) {
			num(v, sizeof v, r->ref_values[k]);
			fprintf(afp, "; real test rows scored as a set %s", v);
		}
		fprintf(afp, ".");
		fclose(afp);
		fprintf(r->fp, "<div>");
		figure(r, p, alt, mi->title);
		fprintf(r->fp, "</div>");
		free(alt);
	}
	fprintf(r->fp, "</div>\n<table><caption>Every metric (value ± standard error where known)</caption><thead>"
	    "<tr><th scope=\"col\">metric</th><th scope=\"col\">direction</th><th scope=\"col\">range</th>");
	for (i = 0; i < r->n; i++) {
		fprintf(r->fp, "<th scope=\"col\">");
		esc(r->fp, r->set[i]);
		fprintf(r->fp, "</th>");
	}
	fprintf(r->fp, "<th scope=\"col\">real data</th>%s</tr></thead><tbody>\n", has_ref ?
	    "<th scope=\"col\">real test rows (reference)</th>" : "");
	for (k = 0; k < RANK_COUNT; k++) {
		fprintf(r->fp, "<tr><th scope=\"row\">%s</th><td>%s %s</td><td>%s</td>", rank_metrics[k].key,
		    rank_arrow(k), rank_metrics[k].higher_better ? "higher" : "lower", rank_metrics[k].range);
		for (i = 0; i < r->n; i++) {
			num(v, sizeof v, r->values[(size_t)i * RANK_COUNT + k]);
			num(e, sizeof e, r->se[(size_t)i * RANK_COUNT + k]);
			fprintf(r->fp, "<td>%s%s%s</td>", v, isfinite(r->se[(size_t)i * RANK_COUNT + k]) ? " ± " : "",
			    isfinite(r->se[(size_t)i * RANK_COUNT + k]) ? e : "");
		}
		num(v, sizeof v, r->real_values[k]);
		fprintf(r->fp, "<td>%s</td>", isfinite(r->real_values[k]) ? v : "");
		if (has_ref) {
			num(v, sizeof v, r->ref_values[k]);
			fprintf(r->fp, "<td>%s</td>", isfinite(r->ref_values[k]) ? v : "");
		}
		fprintf(r->fp, "</tr>\n");
	}
	fprintf(r->fp, "</tbody></table>\n");
	if (has_ref)
		fprintf(r->fp, "<p>real test rows (reference): the %lld held-out test rows scored as if they were a "
		    "synthetic set (MI and NNAA: half of them as the set, the other half as the non-members; TSTR "
		    "and TRTS: TRTR's AUROC; FI has none), not ranked: what real patients the generator never saw "
		    "score. A set beyond it is usually noise, or memorisation on the privacy metrics.</p>\n",
		    r->ref_rows);
	set_details(r);
	fprintf(r->fp, "</section>\n");
}

static void
ranking_section(struct rh *r)
{
	json_t *prof = json_object_get(r->rk, "profiles"), *pv;
	int fractional = json_is_true(json_object_get(r->rk, "fractional_ties"));
	double *ranks = xmalloc(((size_t)r->n + 1) * RANK_COUNT * sizeof *ranks);
	double *overall = xmalloc(((size_t)r->n + 1) * sizeof *overall);
	const char *pname;
	char v[48];
	int i, k;

	fprintf(r->fp, "<section id=\"ranking\"><h2>Ranking</h2>\n<p>Each metric ranks the sets (1 = best); a "
	    "profile's overall score is the sum of weight × rank (lower is better). The bars stack each metric's "
	    "weighted contribution. Ties: %s.</p>\n", fractional ? "fractional (average rank)" :
	    "average rank truncated to an integer (the tutorial's rule)");
	json_object_foreach(prof, pname, pv) {
		struct rank_profile p;
		struct plot *pl;
		double hi = 0;
		const char *lab[RANK_COUNT];
		int sty[RANK_COUNT], nl = 0, best;
		char kinds[RANK_COUNT + 1];
		char t[128], *alt;
		FILE *afp;
		size_t alen = 0;

		if (rank_profile_from_json(json_object_get(pv, "weights"), pname, &p, NULL) != 0)
			continue;
		best = rank_compute(r->values, r->n, &p, fractional, ranks, overall);
		for (i = 0; i < r->n; i++)
			hi = SH_MAX(hi, overall[i]);
		fprintf(r->fp, "<h3>Profile ");
		esc(r->fp, pname);
		fprintf(r->fp, "</h3>\n<p>Best: <strong>");
		esc(r->fp, best >= 0 ? r->set[best] : "?");
		fprintf(r->fp, "</strong>.</p>\n");
		snprintf(t, sizeof t, "profile %s: weighted ranks", pname);
		pl = plot_new(640, 340, t, NULL, "Σ weight × rank (lower is better)");
		plot_legend_outside(pl, 150);
		plot_fit_categories(pl, r->set, r->n);
		plot_range(pl, -0.5, r->n - 0.5, 0, hi > 0 ? hi * 1.05 : 1, 0);
		plot_axes(pl, r->set, r->n);
		for (i = 0; i < r->n; i++) {
			double y = 0;

			for (k = 0; k < RANK_COUNT; k++) {
				double c = p.w[k] * ranks[(size_t)i * RANK_COUNT + k];

				if (!(p.w[k] > 0) || !isfinite(c))
					continue;
				plot_rect(pl, i - 0.3, y, i + 0.3, y + c, k % PLOT_STYLES, (k / PLOT_STYLES + k) % 2, 0.7);
				y += c;
			}
		}
		for (k = 0; k < RANK_COUNT; k++)
			if (p.w[k] > 0) {
				lab[nl] = rank_metrics[k].key;
				kinds[nl] = (k / PLOT_STYLES + k) % 2 ? 'h' : 'b';
				sty[nl++] = k % PLOT_STYLES;
			}
		plot_legend(pl, lab, sty, kinds, nl);
		afp = open_memstream(&alt, &alen);
		fprintf(afp, "Stacked bar chart of the overall score under profile %s:", pname);
		for (i = 0; i < r->n; i++)
			fprintf(afp, "%s %s %.2f", i ? "," : "", r->set[i], overall[i]);
		fprintf(afp, "; best %s. Contributions per metric are in the table below.", best >= 0 ? r->set[best] : "?");
		fclose(afp);
		figure(r, pl, alt, "Each segment is one metric's weight × rank (hatched segments alternate with solid "
		    "ones); the legend lists the weighted metrics.");
		free(alt);
		fprintf(r->fp, "<table><thead><tr><th scope=\"col\">set</th>");
		for (k = 0; k < RANK_COUNT; k++)
			if (p.w[k] > 0)
				fprintf(r->fp, "<th scope=\"col\">%s (w %.3g)</th>", rank_metrics[k].key, p.w[k]);
		fprintf(r->fp, "<th scope=\"col\">overall</th></tr></thead><tbody>\n");
		for (i = 0; i < r->n; i++) {
			fprintf(r->fp, "<tr><th scope=\"row\">");
			esc(r->fp, r->set[i]);
			fprintf(r->fp, "%s</th>", i == best ? " (best)" : "");
			for (k = 0; k < RANK_COUNT; k++)
				if (p.w[k] > 0) {
					num(v, sizeof v, p.w[k] * ranks[(size_t)i * RANK_COUNT + k]);
					fprintf(r->fp, "<td>%s (rank %g)</td>", v, ranks[(size_t)i * RANK_COUNT + k]);
				}
			fprintf(r->fp, "<td>%.3f</td></tr>\n", overall[i]);
		}
		fprintf(r->fp, "</tbody></table>\n");
	}
	fprintf(r->fp, "</section>\n");
	free(ranks);
	free(overall);
}

static void
stability_section(struct rh *r)
{
	json_t *st = json_object_get(r->rk, "stability"), *bc;
	long long B;
	int i;
	double *y, hi = 0;
	struct plot *p;
	char t[128], *alt;
	FILE *afp;
	size_t alen = 0;

	fprintf(r->fp, "<section id=\"stability\"><h2>Bootstrap stability of the ranking</h2>\n");
	if (st == NULL) {
		fprintf(r->fp, "<p>No bootstrap resamples in metrics.json (evaluate with <code>boot</code> &gt; 0).</p>"
		    "</section>\n");
		return;
	}
	B = js_int(st, "resamples", 0);
	bc = json_object_get(st, "best_count");
	y = xmalloc(((size_t)r->n + 1) * sizeof *y);
	for (i = 0; i < r->n; i++) {
		y[i] = (double)json_integer_value(json_object_get(bc, r->set[i]));
		hi = SH_MAX(hi, y[i]);
	}
	fprintf(r->fp, "<p>How often each set came out best under profile ");
	esc(r->fp, js_str(json_object_get(r->rk, "profile"), "name", "?"));
	fprintf(r->fp, " over %lld bootstrap resamples (resampled: ", B);
	esc(r->fp, js_str(st, "resampled", "?"));
	fprintf(r->fp, ").</p>\n");
	snprintf(t, sizeof t, "best set in %lld bootstrap resamples", B);
	p = plot_new(520, 300, t, NULL, "resamples won");
	plot_fit_categories(p, r->set, r->n);
	plot_range(p, -0.5, r->n - 0.5, 0, B > 0 ? (double)B : 1, 1);
	plot_axes(p, r->set, r->n);
	for (i = 0; i < r->n; i++)
		if (y[i] > 0)
			plot_rect(p, i - 0.3, 0, i + 0.3, y[i], kind_style(r->kind[i]), 0, 0.7);
	afp = open_memstream(&alt, &alen);
	fprintf(afp, "Bar chart of how many of %lld bootstrap resamples each set won:", B);
	for (i = 0; i < r->n; i++)
		fprintf(afp, "%s %s %g", i ? "," : "", r->set[i], y[i]);
	fprintf(afp, ".");
	fclose(afp);
	figure(r, p, alt, "Resamples in which each set ranked best; a set that wins nearly all of them is a stable "
	    "choice.");
	free(alt);
	fprintf(r->fp, "<table><thead><tr><th scope=\"col\">set</th><th scope=\"col\">best in</th></tr></thead><tbody>\n");
	for (i = 0; i < r->n; i++) {
		fprintf(r->fp, "<tr><th scope=\"row\">");
		esc(r->fp, r->set[i]);
		fprintf(r->fp, "</th><td>%g of %lld</td></tr>\n", y[i], B);
	}
	fprintf(r->fp, "</tbody></table></section>\n");
	free(y);
	(void)hi;
}

/* ---- Summary, settings, the whole page */

static int
set_index(const struct rh *r, const char *name)
{
	int i;

	for (i = 0; name && i < r->n; i++)
		if (strcmp(r->set[i], name) == 0)
			return i;
	return -1;
}

static void
summary(struct rh *r)
{
	json_t *prof = json_object_get(r->rk, "profiles"), *pv, *st = json_object_get(r->rk, "stability");
	const char *pname, *main_best = js_str(r->rk, "best", NULL);
	int b = set_index(r, main_best), i, k, nruns = 0;
	int fractional = json_is_true(json_object_get(r->rk, "fractional_ties"));
	char v[3][48];

	for (i = 0; i < r->n; i++)
		nruns += strcmp(r->kind[i], "run") == 0;
	fprintf(r->fp, "<section id=\"summary\"><h2>Summary</h2>\n");
	if (r->stale & (STUDY_STALE_RUNS | STUDY_STALE_EVAL))
		fprintf(r->fp, "<p class=\"warn\"><strong>Note:</strong> %s%s%s older than what they were made from; "
		    "rerun %s for results that match the study's data.</p>\n",
		    r->stale & STUDY_STALE_RUNS ? "some runs are" : "",
		    (r->stale & STUDY_STALE_RUNS) && (r->stale & STUDY_STALE_EVAL) ? " and " : "",
		    r->stale & STUDY_STALE_EVAL ? "the metrics are" : "",
		    r->stale & STUDY_STALE_RUNS ? "<code>train</code>, <code>generate</code> and <code>evaluate</code>" :
		    "<code>evaluate</code>");
	fprintf(r->fp, "<ul>\n");
	fprintf(r->fp, "<li>%d synthetic sets were compared: %d WGAN run%s and %d other set%s (baselines and "
	    "classical peers) against %lld real training and %lld test rows.</li>\n", r->n, nruns,
	    nruns == 1 ? "" : "s", r->n - nruns, r->n - nruns == 1 ? "" : "s",
	    js_int(json_object_get(r->metrics, "real"), "train_rows", 0),
	    js_int(json_object_get(r->metrics, "real"), "test_rows", 0));
	json_object_foreach(prof, pname, pv) {
		fprintf(r->fp, "<li>Best set under profile <strong>");
		esc(r->fp, pname);
		fprintf(r->fp, "</strong>: <strong>");
		esc(r->fp, js_str(pv, "best", "?"));
		fprintf(r->fp, "</strong>.</li>\n");
	}
	if (b >= 0) {
		struct rank_profile p;
		double *ranks = xmalloc(((size_t)r->n + 1) * RANK_COUNT * sizeof *ranks);
		double *overall = xmalloc(((size_t)r->n + 1) * sizeof *overall);
		int br = -1, w;

		if (rank_profile_from_json(json_object_get(json_object_get(r->rk, "profile"), "weights"), "main", &p,
		    NULL) == 0) {
			rank_compute(r->values, r->n, &p, fractional, ranks, overall);
			/* The best WGAN run against the marginals baseline and each classical peer. */
			for (i = 0; i < r->n; i++)
				if (strcmp(r->kind[i], "run") == 0 && (br < 0 || overall[i] < overall[br]))
					br = i;
			if (br >= 0 && br != b) {
				fprintf(r->fp, "<li>The best WGAN run under profile ");
				esc(r->fp, js_str(json_object_get(r->rk, "profile"), "name", "?"));
				fprintf(r->fp, " is <strong>");
				esc(r->fp, r->set[br]);
				fprintf(r->fp, "</strong> (overall %.2f against %.2f for ", overall[br], overall[b]);
				esc(r->fp, r->set[b]);
				fprintf(r->fp, ").</li>\n");
			}
			for (i = 0; br >= 0 && i < r->n; i++) {
				int nb = 0;

				if (strcmp(r->kind[i], "run") == 0)
					continue;
				fprintf(r->fp, "<li>");
				esc(r->fp, r->set[br]);
				fprintf(r->fp, " against the %s ", strcmp(r->kind[i], "peer") == 0 ? "classical peer" :
				    strcmp(r->kind[i], "baseline") == 0 ? "baseline" : "set");
				esc(r->fp, r->set[i]);
				fprintf(r->fp, ": better on ");
				for (k = 0; k < RANK_COUNT; k++)
					if (ranks[(size_t)br * RANK_COUNT + k] < ranks[(size_t)i * RANK_COUNT + k]) {
						fprintf(r->fp, "%s%s", nb ? ", " : "", rank_metrics[k].key);
						nb++;
					}
				fprintf(r->fp, "%s; worse on ", nb ? "" : "no metric");
				nb = 0;
				for (k = 0; k < RANK_COUNT; k++)
					if (ranks[(size_t)br * RANK_COUNT + k] > ranks[(size_t)i * RANK_COUNT + k]) {
						fprintf(r->fp, "%s%s", nb ? ", " : "", rank_metrics[k].key);
						nb++;
					}
				fprintf(r->fp, "%s.</li>\n", nb ? "" : "no metric");
			}
		}
		free(ranks);
		free(overall);
		for (w = 0; w < 2; w++) {
			int q = w == 0 ? b : br;

			if (q < 0 || (w == 1 && br == b))
				continue;
			num(v[0], sizeof v[0], r->values[(size_t)q * RANK_COUNT + RANK_MI]);
			num(v[1], sizeof v[1], r->values[(size_t)q * RANK_COUNT + RANK_AI]);
			num(v[2], sizeof v[2], r->values[(size_t)q * RANK_COUNT + RANK_NNAA]);
			fprintf(r->fp, "<li>Privacy of ");
			esc(r->fp, r->set[q]);
			fprintf(r->fp, ": membership inference %s, attribute inference %s, NNAA %s", v[0], v[1], v[2]);
			num(v[0], sizeof v[0], r->real_values[RANK_MI]);
			num(v[1], sizeof v[1], r->real_values[RANK_AI]);
			num(v[2], sizeof v[2], r->real_values[RANK_NNAA]);
			fprintf(r->fp, "; releasing the real data itself would score %s, %s and %s (lower is safer).</li>\n",
			    v[0], v[1], v[2]);
		}
		if (st != NULL)
			fprintf(r->fp, "<li>The best set under profile %s won %lld of %lld bootstrap resamples.</li>\n",
			    js_str(json_object_get(r->rk, "profile"), "name", "?"),
			    (long long)json_integer_value(json_object_get(json_object_get(st, "best_count"), r->set[b])),
			    js_int(st, "resamples", 0));
	}
	fprintf(r->fp, "</ul></section>\n");
}

static void
pre_json(FILE *fp, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fprintf(fp, "<pre>");
	esc(fp, s);
	fprintf(fp, "</pre>\n");
	free(s);
}

static void
settings_section(struct rh *r)
{
	json_t *cfg = r->s->cfg, *v, *src = json_object_get(cfg, "source");
	const char *key;
	char core[128];

	blas_describe(core, sizeof core);
	fprintf(r->fp, "<section id=\"reproduce\"><h2>Settings and versions</h2>\n<ul>\n"
	    "<li>synthehr %s; cairo %s; jansson %s; BLAS: ", PACKAGE_VERSION, plot_backend_version(), JANSSON_VERSION);
	esc(r->fp, core);
	fprintf(r->fp, "</li>\n<li>study directory: <code>");
	esc(r->fp, r->s->dir);
	fprintf(r->fp, "</code></li>\n<li>source cohort: %lld rows, %lld columns, SHA-256 <code>", js_int(src, "rows", 0),
	    js_int(src, "cols", 0));
	esc(r->fp, js_str(src, "sha256", "?"));
	fprintf(r->fp, "</code></li>\n<li>evaluation key <code>");
	esc(r->fp, js_str(r->metrics, "key", "?"));
	fprintf(r->fp, "</code>; smallest count shown: %d patients</li>\n</ul>\n"
	    "<p>To reproduce: <code>synthehr prep</code>, <code>train</code>, <code>generate</code>, "
	    "<code>evaluate</code> and <code>report</code> on the same source with these settings "
	    "(study.json, without the cohort schema):</p>\n", r->k);
	json_object_foreach(cfg, key, v) {
		if (strcmp(key, "schema") == 0 || strcmp(key, "source") == 0 || strcmp(key, "synthehr_study") == 0)
			continue;
		fprintf(r->fp, "<h3>");
		esc(r->fp, key);
		fprintf(r->fp, "</h3>\n");
		pre_json(r->fp, v);
	}
	fprintf(r->fp, "<h3>evaluation settings (metrics.json)</h3>\n");
	pre_json(r->fp, json_object_get(r->metrics, "settings"));
	fprintf(r->fp, "</section>\n");
}

/* The study's directory name (the title; the path is in the settings). */
static const char *
study_name(const char *dir, char *buf, size_t size)
{
	size_t n = strlen(dir);
	const char *b;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	snprintf(buf, size, "%.*s", (int)n, dir);
	b = strrchr(buf, '/');
	return b != NULL && b[1] != '\0' ? b + 1 : buf;
}

static const char css[] =
    "body{font-family:sans-serif;max-width:1200px;margin:0 auto;padding:1em;color:#111;background:#fff;"
    "line-height:1.4}h1{font-size:1.6em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}"
    "table{border-collapse:collapse;margin:.5em 1em .5em 0;font-size:.9em}th,td{border:1px solid #bbb;"
    "padding:.2em .5em;text-align:left;vertical-align:top}thead th{background:#eee}"
    "figure{margin:.5em 1em .5em 0}figcaption{font-size:.85em;max-width:560px}img{max-width:100%;height:auto}"
    ".row,.grid{display:flex;flex-wrap:wrap;align-items:flex-start}.note{color:#555;font-style:italic}"
    "details.numbers{margin:.3em 0 1em}summary{cursor:pointer;color:#0072B2}.wide{overflow-x:auto}"
    ".warn{border-left:4px solid #D55E00;padding:.3em .6em;background:#fff4ec}"
    "pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em}nav ul{columns:3}"
    "@media print{details{display:block}}";

/* Metric values, standard errors and the real reference from metrics.json. */
static void
load_sets(struct rh *r)
{
	json_t *sets = json_object_get(r->metrics, "sets"), *s;
	const char **names;
	double *bv;
	int B, k, i = 0;
	size_t q;

	if (eval_metrics_table(r->metrics, &r->values, &names, &r->n, NULL) != 0) {
		r->n = 0;
		r->values = xmalloc(RANK_COUNT * sizeof *r->values);
		names = NULL;
	}
	free(names);
	r->set = xcalloc((size_t)r->n + 1, sizeof *r->set);
	r->kind = xcalloc((size_t)r->n + 1, sizeof *r->kind);
	r->path = xcalloc((size_t)r->n + 1, sizeof *r->path);
	r->se = xmalloc(((size_t)r->n + 1) * RANK_COUNT * sizeof *r->se);
	for (k = 0; k < RANK_COUNT; k++) {
		json_t *rv = json_object_get(json_object_get(r->metrics, "reference"), "values");

		r->real_values[k] = NAN;
		r->ref_values[k] = js_num(rv, rank_metrics[k].key, NAN);
	}
	r->ref_rows = js_int(json_object_get(r->metrics, "reference"), "rows", 0);
	for (q = 0; q < (size_t)(r->n + 1) * RANK_COUNT; q++)
		r->se[q] = NAN;
	json_array_foreach(sets, q, s) {
		json_t *vals = json_object_get(s, "values"), *se = json_object_get(s, "se");

		if (se == NULL)
			se = json_object_get(s, "stderr");
		if (strcmp(js_str(s, "kind", ""), "real") == 0) {
			for (k = 0; k < RANK_COUNT; k++)
				r->real_values[k] = js_num(vals, rank_metrics[k].key, NAN);
			continue;
		}
		if (i >= r->n)
			break;
		r->set[i] = js_str(s, "name", "?");
		r->kind[i] = js_str(s, "kind", "?");
		r->path[i] = js_str(s, "path", NULL);
		for (k = 0; k < RANK_COUNT; k++) {
			json_t *e = json_object_get(se, rank_metrics[k].key);

			if (json_is_number(e))
				r->se[(size_t)i * RANK_COUNT + k] = json_number_value(e);
		}
		i++;
	}
	/* Without reported standard errors: the bootstrap SD of the resampled metrics. */
	if (eval_metrics_boot(r->metrics, r->n, &bv, &B) == 0 && B > 1) {
		for (i = 0; i < r->n; i++)
			for (k = 0; k < RANK_COUNT; k++) {
				double m = 0, ss = 0;
				int b, nb = 0;

				if (isfinite(r->se[(size_t)i * RANK_COUNT + k]))
					continue;
				for (b = 0; b < B; b++) {
					double x = bv[((size_t)b * r->n + i) * RANK_COUNT + k];

					if (isfinite(x)) {
						m += x;
						nb++;
					}
				}
				if (nb < 2)
					continue;
				m /= nb;
				for (b = 0; b < B; b++) {
					double x = bv[((size_t)b * r->n + i) * RANK_COUNT + k];

					if (isfinite(x))
						ss += (x - m) * (x - m);
				}
				/* A metric held fixed across resamples has no spread to show. */
				if (ss > 0) {
					r->se[(size_t)i * RANK_COUNT + k] = sqrt(ss / (nb - 1));
					r->se_from_boot = 1;
				}
			}
		free(bv);
	}
}

/* phecode → description as a JSON object (the first row of a phecode
 * wins) from a phecode_info read. */
static json_t *
names_json(struct phecode_info *pi)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < pi->n; i++)
		if (json_object_get(o, pi->code[i]) == NULL)
			json_object_set_new(o, pi->code[i], json_string(pi->desc[i]));
	phecode_info_done(pi);
	return o;
}

int
report_html(struct study *s, const struct report_html_opts *o, const char *path, char **cause)
{
	struct rh r;
	char *buf = NULL;
	size_t len = 0;
	json_t *rcfg = study_section(s, "report");
	int rc;
	time_t now = time(NULL);
	char when[64], title[256];

	memset(&r, 0, sizeof r);
	r.s = s;
	r.k = o && o->min_cell > 0 ? o->min_cell : (int)js_int(rcfg, "min_cell", REPORT_MIN_CELL);
	if (r.k < 1)
		r.k = 1;
	if (report_rank_study(s, o ? o->profile : NULL, o ? o->fractional : 0, &r.rk, cause) != 0)
		return -1;
	if (study_read_metrics(s, &r.metrics, cause) != 0) {
		if (cause != NULL && *cause == NULL)
			util_fail(cause, "%s/eval/metrics.json: not found; run `synthehr evaluate %s` first", s->dir, s->dir);
		json_decref(r.rk);
		return -1;
	}
	{
		char *why = NULL;

		/* A missing or unreadable prep log only costs Table 1 and the prep log. */
		if (study_read_prep_log(s, &r.log, &why) != 0)
			r.log = NULL;
		free(why);
	}
	r.stale = study_stale(s, NULL);
	{
		/* --phecodes DIR must be readable; the map study.json or
		 * SYNTHEHR_PHECODES names (or a demo study's built-in names) only
		 * costs the names when it is not. */
		struct phecode_info pi;
		char *why = NULL;

		if (o && o->phecodes) {
			if (phecode_info_read(o->phecodes, &pi, &why) != 0) {
				if (cause != NULL)
					*cause = why;
				else
					free(why);
				json_decref(r.rk);
				json_decref(r.metrics);
				json_decref(r.log);
				return -1;
			}
			r.names = names_json(&pi);
		} else if (phecode_names_read(s->cfg, &pi, NULL, &why) == 0)
			r.names = names_json(&pi);
		free(why);
	}
	{
		struct layout *l;
		struct mtx *m;

		if (train_load_data(s, &l, &m, NULL) == 0) {
			r.lay = l;
			r.real = m;
			mtx_unscale(m, l);
		}
	}
	load_sets(&r);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
	r.fp = open_memstream(&buf, &len);
	fprintf(r.fp, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"generator\" content=\"synthehr %s\">\n<title>synthehr report: ", PACKAGE_VERSION);
	esc(r.fp, study_name(s->dir, title, sizeof title));
	fprintf(r.fp, "</title>\n<style>%s</style>\n</head><body>\n<h1>synthehr report: ", css);
	esc(r.fp, study_name(s->dir, title, sizeof title));
	fprintf(r.fp, "</h1>\n<p>Generated %s by synthehr %s. Aggregates only: no patient rows; counts under %d "
	    "patients are suppressed. Every chart has a text alternative and its numbers in a table "
	    "(\"Numbers\").</p>\n", when, PACKAGE_VERSION, r.k);
	fprintf(r.fp, "<nav><ul><li><a href=\"#summary\">Summary</a></li><li><a href=\"#table1\">Table 1</a></li>"
	    "<li><a href=\"#prep\">Preprocessing</a></li><li><a href=\"#training\">Training</a></li>"
	    "<li><a href=\"#sets\">Synthetic sets</a></li><li><a href=\"#metrics\">Metrics</a></li>"
	    "<li><a href=\"#ranking\">Ranking</a></li><li><a href=\"#stability\">Stability</a></li>"
	    "<li><a href=\"#reproduce\">Settings and versions</a></li></ul></nav>\n");
	summary(&r);
	if (r.log != NULL) {
		table1(&r);
		prep_log(&r);
	} else
		fprintf(r.fp, "<section id=\"table1\"><h2>Table 1</h2><p>(no prep/log.json)</p></section>"
		    "<section id=\"prep\"><h2>Preprocessing log</h2><p>(no prep/log.json)</p></section>\n");
	training(&r);
	sets_section(&r);
	metrics_section(&r);
	ranking_section(&r);
	stability_section(&r);
	settings_section(&r);
	fprintf(r.fp, "</body></html>\n");
	fclose(r.fp);
	rc = util_write_file_atomic(path, buf, len, cause);
	free(buf);
	free(r.set);
	free(r.kind);
	free(r.path);
	free(r.values);
	free(r.se);
	if (r.real)
		mtx_free(r.real);
	if (r.lay)
		layout_free(r.lay);
	json_decref(r.names);
	json_decref(r.metrics);
	json_decref(r.rk);
	json_decref(r.log);
	return rc;
}
