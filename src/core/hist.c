/* synthehr — GPL-3.0-or-later.
 * Histograms (see hist.h).  Binning: the Freedman–Diaconis width
 * 2·IQR·n^(-1/3), never narrower than range/maxbins, rounded up to a "nice"
 * width (1, 2, 2.5, 5 × 10^k; whole numbers for integer data, whose bins are
 * centred on the integers).  Rendering is a pure function from a histogram
 * and a style to lines of text with a role per display cell. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/hist.h"
#include "synthehr/util.h"

/* Smallest nice width ≥ w. */
static double
nice_ceil(double w)
{
	static const double steps[] = { 1, 2, 2.5, 5, 10 };
	double p, m;
	size_t i;

	if (!(w > 0) || !isfinite(w))
		return 1;
	p = pow(10, floor(log10(w)));
	m = w / p;
	for (i = 0; i < SH_NELEM(steps); i++)
		if (m <= steps[i] * (1 + 1e-12))
			return steps[i] * p;
	return 10 * p;
}

void
hist_layout(struct hist *h, double min, double max, double q1, double q3, size_t n,
    int integer, int maxbins)
{
	double range = max - min, w, fd;

	memset(h, 0, sizeof *h);
	if (maxbins <= 0)
		maxbins = HIST_MAX_BINS;
	h->integer = integer;
	if (n == 0 || !isfinite(range)) {
		h->nbins = 1;
		h->lo = 0;
		h->width = 1;
		return;
	}
	if (range <= 0) {
		h->nbins = 1;
		h->width = 1;
		h->lo = min - 0.5;
		return;
	}
	fd = 2 * (q3 - q1) / cbrt((double)n);
	if (!(fd > 0))   /* no spread in the middle half: Sturges */
		fd = range / (ceil(log2((double)n)) + 1);
	w = SH_MAX(fd, range / maxbins);
	for (;;) {
		w = nice_ceil(w);
		if (integer) {
			w = ceil(w);
			h->lo = floor(min / w) * w - 0.5;
			if (w == 1)
				h->lo = min - 0.5;
		} else
			h->lo = floor(min / w) * w;
		h->nbins = (int)floor((max - h->lo) / w) + 1;
		if (h->lo + (h->nbins - 1) * w > max && h->nbins > 1)
			h->nbins--;
		if (h->nbins <= maxbins)
			break;
		w *= 1.0001;
	}
	h->width = w;
}

void
hist_like(struct hist *out, const struct hist *h)
{
	*out = *h;
	out->count = xcalloc(h->nbins, sizeof(size_t));
	out->total = 0;
}

void
hist_copy(struct hist *out, const struct hist *h)
{
	*out = *h;
	out->count = xcalloc(h->nbins, sizeof(size_t));
	memcpy(out->count, h->count, h->nbins * sizeof(size_t));
}

int
hist_bin(const struct hist *h, double v)
{
	double f = floor((v - h->lo) / h->width);

	if (!(f >= 0))
		return 0;
	if (f >= h->nbins)
		return h->nbins - 1;
	return (int)f;
}

double
hist_edge(const struct hist *h, int i)
{
	return h->lo + i * h->width;
}

void
hist_add(struct hist *h, double v)
{
	if (isnan(v))
		return;
	h->count[hist_bin(h, v)]++;
	h->total++;
}

void
hist_build(struct hist *h, const double *x, size_t n, int maxbins)
{
	double *s = xmalloc((n + 1) * sizeof *s);
	size_t m = 0, i;
	int integer = 1;

	for (i = 0; i < n; i++) {
		if (isnan(x[i]))
			continue;
		s[m++] = x[i];
		if (integer && x[i] != floor(x[i]))
			integer = 0;
	}
	qsort(s, m, sizeof *s, util_cmp_double);
	if (m == 0)
		hist_layout(h, 0, 0, 0, 0, 0, 0, maxbins);
	else
		hist_layout(h, s[0], s[m - 1], util_quantile_sorted(s, m, 0.25),
		    util_quantile_sorted(s, m, 0.75), m, integer, maxbins);
	h->count = xcalloc(h->nbins, sizeof(size_t));
	for (i = 0; i < m; i++)
		hist_add(h, s[i]);
	free(s);
}

void
hist_done(struct hist *h)
{
	free(h->count);
	h->count = NULL;
	h->nbins = 0;
}

void
hist_format_num(char *buf, size_t size, double v)
{
	if (fabs(v) < 5e-13)
		v = 0;
	if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, size, "%.3g", v);
	else if (v == floor(v) || fabs(v) >= 1e4)
		snprintf(buf, size, "%.0f", v);   /* 10000 and 12346, not %.4g's 1e+04 and 1.235e+04 */
	else
		snprintf(buf, size, "%.4g", v);
}

/* ---- rendering ---- */

struct linebuf {
	char *s;
	size_t len, cap;
	uint8_t *role;
	int cells, rcap;
};

static void
lb_glyph(struct linebuf *b, const char *g, int role)
{
	size_t n = strlen(g);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, g, n + 1);
	b->len += n;
	if (b->cells + 1 > b->rcap) {
		b->rcap = (b->cells + 1) * 2;
		b->role = xrealloc(b->role, b->rcap);
	}
	b->role[b->cells++] = (uint8_t)role;
}

/* ASCII text: one cell per byte. */
static void
lb_text(struct linebuf *b, const char *t, int role)
{
	char g[2] = { 0, 0 };

	for (; *t; t++) {
		g[0] = *t;
		lb_glyph(b, g, role);
	}
}

static void
lb_pad(struct linebuf *b, int cells, int role)
{
	while (b->cells < cells)
		lb_glyph(b, " ", role);
}

static void
lines_push(struct hist_lines *out, struct linebuf *b, int width)
{
	lb_pad(b, width, HIST_ROLE_BLANK);
	if (b->s == NULL)
		lb_glyph(b, "", HIST_ROLE_BLANK);
	out->text = xreallocarray(out->text, out->n + 1, sizeof(char *));
	out->role = xreallocarray(out->role, out->n + 1, sizeof(uint8_t *));
	out->cells = xreallocarray(out->cells, out->n + 1, sizeof(int));
	out->text[out->n] = b->s;
	out->role[out->n] = b->role;
	out->cells[out->n] = b->cells;
	out->n++;
	memset(b, 0, sizeof *b);
}

static const char *const vblocks[9] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const hblocks[9] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█" };

/* Label of display bin: its range, or its integer centre. */
static void
bin_label(const struct hist *h, int b0, int b1, char *buf, size_t size)
{
	char a[32], z[32];

	if (h->integer && h->width == 1 && b0 == b1) {
		hist_format_num(a, sizeof a, hist_edge(h, b0) + 0.5);
		snprintf(buf, size, "%s", a);
	} else if (h->integer) {
		hist_format_num(a, sizeof a, hist_edge(h, b0) + 0.5);
		hist_format_num(z, sizeof z, hist_edge(h, b1 + 1) - 0.5);
		snprintf(buf, size, "%s–%s", a, z);
	} else {
		hist_format_num(a, sizeof a, hist_edge(h, b0));
		hist_format_num(z, sizeof z, hist_edge(h, b1 + 1));
		snprintf(buf, size, "[%s, %s)", a, z);
	}
}

/* Display cells of a UTF-8 string (one per code point; labels are narrow). */
static int
utf8_cells(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Append a UTF-8 label as cells (one glyph per code point). */
static void
lb_utf8(struct linebuf *b, const char *s, int role)
{
	char g[8];

	while (*s) {
		int k = 1;

		while (s[k] && ((unsigned char)s[k] & 0xC0) == 0x80 && k < 6)
			k++;
		memcpy(g, s, k);
		g[k] = 0;
		lb_glyph(b, g, role);
		s += k;
	}
}

void
hist_render(const struct hist *h, const struct hist_style *st, struct hist_lines *out)
{
	int width = st && st->width > 0 ? SH_MAX(st->width, 20) : 78;
	int height = st && st->height > 0 ? SH_MAX(st->height, 2) : 8;
	int ascii = st && st->ascii, horiz = st && st->horizontal;
	const uint8_t *bout = st ? st->bin_out : NULL;
	struct linebuf b;
	size_t *cnt, maxc = 0;
	uint8_t *dout;
	int nd, f, i, j;
	char buf[96];

	memset(out, 0, sizeof *out);
	memset(&b, 0, sizeof b);
	if (h == NULL || h->count == NULL || h->total == 0) {
		lb_text(&b, "(no values)", HIST_ROLE_TEXT);
		lines_push(out, &b, width);
		return;
	}
	/* Merge adjacent bins when there are more bins than room. */
	{
		int room = horiz ? height : width - 10;

		if (horiz && (!st || st->height <= 0))
			room = h->nbins;
		room = SH_MAX(room, 1);
		f = (h->nbins + room - 1) / room;
		nd = (h->nbins + f - 1) / f;
	}
	cnt = xcalloc(nd, sizeof *cnt);
	dout = xcalloc(nd, 1);
	for (i = 0; i < h->nbins; i++) {
		cnt[i / f] += h->count[i];
		if (bout && bout[i])
			dout[i / f] = 1;
	}
	for (i = 0; i < nd; i++)
		maxc = SH_MAX(maxc, cnt[i]);
	if (horiz) {
		int labw = 0, cntw, bw;

		for (i = 0; i < nd; i++) {
			bin_label(h, i * f, SH_MIN(h->nbins - 1, i * f + f - 1), buf, sizeof buf);
			labw = SH_MAX(labw, utf8_cells(buf));
		}
		snprintf(buf, sizeof buf, "%zu", maxc);
		cntw = (int)strlen(buf);
		labw = SH_MIN(labw, width / 3);
		bw = SH_MAX(width - labw - cntw - 4, 4);
		for (i = 0; i < nd; i++) {
			long e = cnt[i] == 0 ? 0 : lround((double)cnt[i] * bw * 8 / (double)maxc);
			int role = dout[i] ? HIST_ROLE_BAR_OUT : HIST_ROLE_BAR;

			if (cnt[i] > 0 && e < 1)
				e = 1;
			bin_label(h, i * f, SH_MIN(h->nbins - 1, i * f + f - 1), buf, sizeof buf);
			for (j = utf8_cells(buf); j < labw; j++)
				lb_glyph(&b, " ", HIST_ROLE_TEXT);
			lb_utf8(&b, buf, HIST_ROLE_TEXT);
			lb_glyph(&b, " ", HIST_ROLE_BLANK);
			lb_glyph(&b, ascii ? "|" : "│", HIST_ROLE_AXIS);
			for (j = 0; j < e / 8; j++)
				lb_glyph(&b, ascii ? "#" : hblocks[8], role);
			if (e % 8)
				lb_glyph(&b, ascii ? (e % 8 >= 4 ? "#" : ".") : hblocks[e % 8], role);
			lb_pad(&b, labw + 2 + bw + 1, HIST_ROLE_BLANK);
			snprintf(buf, sizeof buf, "%*zu", cntw, cnt[i]);
			lb_text(&b, buf, HIST_ROLE_TEXT);
			lines_push(out, &b, width);
		}
	} else {
		char top[32], left[48], right[48], mid[48];
		int ylw, pw, cw, bar, used, r;

		snprintf(top, sizeof top, "%zu", maxc);
		ylw = (int)strlen(top);
		pw = width - ylw - 2;
		cw = SH_MAX(pw / nd, 1);
		if (cw > 8)
			cw = 8;
		bar = cw >= 3 ? cw - 1 : cw;
		used = cw * nd;
		for (r = 0; r < height; r++) {
			snprintf(buf, sizeof buf, "%*s", ylw, r == 0 ? top : "");
			lb_text(&b, buf, HIST_ROLE_TEXT);
			lb_glyph(&b, " ", HIST_ROLE_BLANK);
			lb_glyph(&b, ascii ? (r == 0 ? "+" : "|") : (r == 0 ? "┤" : "│"), HIST_ROLE_AXIS);
			for (i = 0; i < nd; i++) {
				long e = cnt[i] == 0 ? 0 : lround((double)cnt[i] * height * 8 / (double)maxc);
				long lv;
				int role = dout[i] ? HIST_ROLE_BAR_OUT : HIST_ROLE_BAR;

				if (cnt[i] > 0 && e < 1)
					e = 1;
				lv = e - (long)(height - 1 - r) * 8;
				lv = lv < 0 ? 0 : lv > 8 ? 8 : lv;
				for (j = 0; j < cw; j++) {
					if (j >= bar || lv == 0)
						lb_glyph(&b, " ", HIST_ROLE_BLANK);
					else if (ascii)
						lb_glyph(&b, lv >= 4 ? "#" : ".", role);
					else
						lb_glyph(&b, vblocks[lv], role);
				}
			}
			lines_push(out, &b, width);
		}
		/* axis */
		snprintf(buf, sizeof buf, "%*s", ylw, "0");
		lb_text(&b, buf, HIST_ROLE_TEXT);
		lb_glyph(&b, " ", HIST_ROLE_BLANK);
		lb_glyph(&b, ascii ? "+" : "└", HIST_ROLE_AXIS);
		for (j = 0; j < used; j++)
			lb_glyph(&b, ascii ? "-" : "─", HIST_ROLE_AXIS);
		lines_push(out, &b, width);
		if (st && st->mark_row && bout) {
			lb_pad(&b, ylw + 2, HIST_ROLE_BLANK);
			for (i = 0; i < nd; i++)
				for (j = 0; j < cw; j++)
					lb_glyph(&b, dout[i] && j < bar ? "^" : " ",
					    dout[i] && j < bar ? HIST_ROLE_BAR_OUT : HIST_ROLE_BLANK);
			lines_push(out, &b, width);
		}
		/* labels: first bin, middle, last bin (centres for integer bins) */
		{
			double lv, rv, mv;
			int lw, rw, mw, mpos, start = ylw + 2;

			if (h->integer) {
				lv = hist_edge(h, 0) + (h->width == 1 ? 0.5 : 0.5);
				rv = hist_edge(h, h->nbins) - 0.5;
			} else {
				lv = hist_edge(h, 0);
				rv = hist_edge(h, h->nbins);
			}
			mv = (lv + rv) / 2;
			if (h->integer)
				mv = floor(mv);
			hist_format_num(left, sizeof left, lv);
			hist_format_num(right, sizeof right, rv);
			hist_format_num(mid, sizeof mid, mv);
			if (st && st->unit && *st->unit && (int)(strlen(right) + strlen(st->unit)) + 1 < 40) {
				size_t k = strlen(right);

				snprintf(right + k, sizeof right - k, " %s", st->unit);
			}
			lw = utf8_cells(left);
			rw = utf8_cells(right);
			mw = utf8_cells(mid);
			lb_pad(&b, start, HIST_ROLE_BLANK);
			lb_utf8(&b, left, HIST_ROLE_TEXT);
			mpos = start + (int)((mv - lv) / (rv - lv > 0 ? rv - lv : 1) * used) - mw / 2;
			if (nd > 2 && mpos > start + lw + 1 && mpos + mw + 1 < start + used - rw) {
				lb_pad(&b, mpos, HIST_ROLE_BLANK);
				lb_utf8(&b, mid, HIST_ROLE_TEXT);
			}
			if (nd > 1 || rv != lv) {
				int rpos = SH_MAX(start + used - rw, b.cells + 1);

				if (rpos + rw <= width) {
					lb_pad(&b, rpos, HIST_ROLE_BLANK);
					lb_utf8(&b, right, HIST_ROLE_TEXT);
				}
			}
			lines_push(out, &b, width);
		}
	}
	free(cnt);
	free(dout);
}

void
hist_lines_free(struct hist_lines *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		free(l->text[i]);
		free(l->role[i]);
	}
	free(l->text);
	free(l->role);
	free(l->cells);
	memset(l, 0, sizeof *l);
}
