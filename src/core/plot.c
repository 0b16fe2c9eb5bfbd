/* synthehr — GPL-3.0-or-later.
 * Report charts with cairo (plot.h): an ARGB image surface in memory, drawn
 * with cairo's path and toy-text API, encoded by cairo's own PNG writer into
 * a memory stream and wrapped as a base64 data: URI. */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/plot.h"
#include "synthehr/util.h"

struct plot {
	cairo_surface_t *surf;
	cairo_t *cr;
	int w, h;
	double l, r, t, b;          /* plot area in pixels */
	double x0, x1, y0, y1;      /* data range */
	int legend_out;             /* legend right of the plot area */
	int rotate;                 /* category labels slanted */
	int nlab;                   /* placed labels (collision avoidance) */
	double lab[64][4];          /* x, y, w, h */
};

/* Okabe–Ito: blue, vermillion, bluish green, reddish purple, orange, sky
 * blue, black, yellow (light: last). */
static const double okabe[PLOT_STYLES][3] = {
	{ 0x00 / 255., 0x72 / 255., 0xB2 / 255. },
	{ 0xD5 / 255., 0x5E / 255., 0x00 / 255. },
	{ 0x00 / 255., 0x9E / 255., 0x73 / 255. },
	{ 0xCC / 255., 0x79 / 255., 0xA7 / 255. },
	{ 0xE6 / 255., 0x9F / 255., 0x00 / 255. },
	{ 0x56 / 255., 0xB4 / 255., 0xE9 / 255. },
	{ 0x00 / 255., 0x00 / 255., 0x00 / 255. },
	{ 0xF0 / 255., 0xE4 / 255., 0x42 / 255. },
};
static const char *const okabe_hex[PLOT_STYLES] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"
};

const char *
plot_style_colour(int s)
{
	return okabe_hex[((s % PLOT_STYLES) + PLOT_STYLES) % PLOT_STYLES];
}

static void
set_style(cairo_t *cr, int s, int dashed)
{
	static const double dash[PLOT_STYLES][4] = {
		{ 0 }, { 7, 3 }, { 2, 2 }, { 9, 3, 2, 3 }, { 4, 4 }, { 12, 4 }, { 1, 3 }, { 6, 2, 1, 2 }
	};
	static const int ndash[PLOT_STYLES] = { 0, 2, 2, 4, 2, 2, 2, 4 };
	int k = ((s % PLOT_STYLES) + PLOT_STYLES) % PLOT_STYLES;

	cairo_set_source_rgb(cr, okabe[k][0], okabe[k][1], okabe[k][2]);
	cairo_set_dash(cr, dash[k], dashed ? ndash[k] : 0, 0);
}

static double
px(const struct plot *p, double x)
{
	return p->x1 > p->x0 ? p->l + (x - p->x0) / (p->x1 - p->x0) * (p->r - p->l) : (p->l + p->r) / 2;
}

static double
py(const struct plot *p, double y)
{
	return p->y1 > p->y0 ? p->b - (y - p->y0) / (p->y1 - p->y0) * (p->b - p->t) : (p->t + p->b) / 2;
}

static void
text_at(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - e.x_bearing - ax * e.width, y - e.y_bearing - ay * e.height);
	cairo_show_text(cr, s);
}

struct plot *
plot_new(int w, int h, const char *title, const char *xlabel, const char *ylabel)
{
	struct plot *p = xcalloc(1, sizeof *p);

	p->w = w;
	p->h = h;
	p->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	p->cr = cairo_create(p->surf);
	p->l = ylabel ? 78 : 62;
	p->r = w - 16;
	p->t = title ? 34 : 14;
	p->b = h - (xlabel ? 48 : 30);
	p->x0 = 0;
	p->x1 = 1;
	p->y0 = 0;
	p->y1 = 1;
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_paint(p->cr);
	cairo_select_font_face(p->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	if (title) {
		cairo_set_font_size(p->cr, 15);
		text_at(p->cr, w / 2.0, 9, title, 0.5, 0);
	}
	cairo_set_font_size(p->cr, 12);
	if (xlabel)
		text_at(p->cr, (p->l + p->r) / 2, h - 6, xlabel, 0.5, 1);
	if (ylabel) {
		cairo_save(p->cr);
		cairo_translate(p->cr, 14, (p->t + p->b) / 2);
		cairo_rotate(p->cr, -M_PI / 2);
		text_at(p->cr, 0, 0, ylabel, 0.5, 0.5);
		cairo_restore(p->cr);
	}
	return p;
}

void
plot_free(struct plot *p)
{
	if (p == NULL)
		return;
	cairo_destroy(p->cr);
	cairo_surface_destroy(p->surf);
	free(p);
}

static double
nice_step(double span, int want)
{
	double raw = span / (want > 0 ? want : 5), mag, f;

	if (!(raw > 0) || !isfinite(raw))
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

void
plot_range(struct plot *p, double x0, double x1, double y0, double y1, int exact)
{
	if (!isfinite(x0) || !isfinite(x1)) {
		x0 = 0;
		x1 = 1;
	}
	if (!isfinite(y0) || !isfinite(y1)) {
		y0 = 0;
		y1 = 1;
	}
	if (x1 <= x0) {
		x0 -= 0.5;
		x1 += 0.5;
	}
	if (y1 <= y0) {
		double d = fabs(y0) > 0 ? fabs(y0) * 0.1 : 0.5;

		y0 -= d;
		y1 += d;
	}
	if (!exact) {
		double sx = nice_step(x1 - x0, 6), sy, pad = 0.04 * (y1 - y0);

		/* a little room so markers at the extremes are not cut by the frame
		 * (a zero end stays at zero) */
		if (y1 != 0)
			y1 += pad;
		if (y0 != 0)
			y0 -= pad;
		sy = nice_step(y1 - y0, 5);

		x0 = floor(x0 / sx) * sx;
		x1 = ceil(x1 / sx) * sx;
		y0 = floor(y0 / sy) * sy;
		y1 = ceil(y1 / sy) * sy;
	}
	p->x0 = x0;
	p->x1 = x1;
	p->y0 = y0;
	p->y1 = y1;
}

static void
fmt_tick(char *buf, size_t size, double v, double step)
{
	if (fabs(v) < step * 1e-9)
		v = 0;
	if (fabs(v) >= 1e5 || (v != 0 && fabs(v) < 1e-3))
		snprintf(buf, size, "%.2g", v);
	else
		snprintf(buf, size, "%.6g", v);
}

void
plot_axes(struct plot *p, const char *const *xcats, int ncats)
{
	cairo_t *cr = p->cr;
	double s, v;
	char buf[48];
	int i;

	cairo_set_font_size(cr, 11);
	cairo_set_line_width(cr, 1);
	cairo_set_dash(cr, NULL, 0, 0);
	/* y grid and ticks */
	s = nice_step(p->y1 - p->y0, 5);
	for (v = ceil(p->y0 / s - 1e-9) * s; v <= p->y1 + s * 1e-9; v += s) {
		double y = floor(py(p, v)) + 0.5;

		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, p->l, y);
		cairo_line_to(cr, p->r, y);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		fmt_tick(buf, sizeof buf, v, s);
		text_at(cr, p->l - 5, y, buf, 1, 0.5);
	}
	if (xcats != NULL) {
		for (i = 0; i < ncats; i++) {
			double x = px(p, i);

			cairo_set_source_rgb(cr, 0, 0, 0);
			cairo_save(cr);
			cairo_translate(cr, x, p->b + 4);
			if (p->rotate || ncats > 6) {
				cairo_rotate(cr, -M_PI / 6);
				text_at(cr, 0, 0, xcats[i] ? xcats[i] : "", 1, 0);
			} else
				text_at(cr, 0, 0, xcats[i] ? xcats[i] : "", 0.5, 0);
			cairo_restore(cr);
		}
	} else {
		s = nice_step(p->x1 - p->x0, 6);
		for (v = ceil(p->x0 / s - 1e-9) * s; v <= p->x1 + s * 1e-9; v += s) {
			double x = floor(px(p, v)) + 0.5;

			cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
			cairo_move_to(cr, x, p->t);
			cairo_line_to(cr, x, p->b);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 0, 0, 0);
			fmt_tick(buf, sizeof buf, v, s);
			text_at(cr, x, p->b + 5, buf, 0.5, 0);
		}
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, floor(p->l) + 0.5, floor(p->t) + 0.5, floor(p->r - p->l), floor(p->b - p->t));
	cairo_stroke(cr);
}

static int
in_range(const struct plot *p, double x, double y)
{
	return isfinite(x) && isfinite(y);
}

void
plot_line(struct plot *p, const double *x, const double *y, int n, int s)
{
	cairo_t *cr = p->cr;
	int i, open = 0;

	cairo_save(cr);
	cairo_rectangle(cr, p->l, p->t, p->r - p->l, p->b - p->t);
	cairo_clip(cr);
	set_style(cr, s, 1);
	cairo_set_line_width(cr, 2);
	for (i = 0; i < n; i++) {
		if (!in_range(p, x[i], y[i])) {
			open = 0;
			continue;
		}
		if (open)
			cairo_line_to(cr, px(p, x[i]), py(p, y[i]));
		else
			cairo_move_to(cr, px(p, x[i]), py(p, y[i]));
		open = 1;
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void
marker(cairo_t *cr, double x, double y, int s, double r)
{
	int k = ((s % PLOT_STYLES) + PLOT_STYLES) % PLOT_STYLES;

	switch (k % 5) {
	case 0:
		cairo_arc(cr, x, y, r, 0, 2 * M_PI);
		break;
	case 1:
		cairo_rectangle(cr, x - r, y - r, 2 * r, 2 * r);
		break;
	case 2:
		cairo_move_to(cr, x, y - 1.2 * r);
		cairo_line_to(cr, x + 1.1 * r, y + 0.8 * r);
		cairo_line_to(cr, x - 1.1 * r, y + 0.8 * r);
		cairo_close_path(cr);
		break;
	case 3:
		cairo_move_to(cr, x, y - 1.3 * r);
		cairo_line_to(cr, x + 1.3 * r, y);
		cairo_line_to(cr, x, y + 1.3 * r);
		cairo_line_to(cr, x - 1.3 * r, y);
		cairo_close_path(cr);
		break;
	default:
		cairo_move_to(cr, x - r, y - r);
		cairo_line_to(cr, x + r, y + r);
		cairo_move_to(cr, x + r, y - r);
		cairo_line_to(cr, x - r, y + r);
		break;
	}
	/* Filled shapes for even styles, hollow for odd ones: a cue besides colour. */
	if (k % 5 != 4 && (k / 5 + k) % 2 == 0)
		cairo_fill_preserve(cr);
	cairo_stroke(cr);
}

void
plot_points(struct plot *p, const double *x, const double *y, int n, int s, double size)
{
	cairo_t *cr = p->cr;
	int i;

	cairo_save(cr);
	set_style(cr, s, 0);
	cairo_set_line_width(cr, 1.5);
	for (i = 0; i < n; i++)
		if (in_range(p, x[i], y[i]))
			marker(cr, px(p, x[i]), py(p, y[i]), s, size > 0 ? size : 4);
	cairo_restore(cr);
}

void
plot_errbar(struct plot *p, double x, double ylo, double yhi, int s)
{
	cairo_t *cr = p->cr;
	double X = px(p, x);

	if (!isfinite(ylo) || !isfinite(yhi) || !isfinite(x))
		return;
	cairo_save(cr);
	set_style(cr, s, 0);
	cairo_set_line_width(cr, 1.5);
	cairo_move_to(cr, X, py(p, ylo));
	cairo_line_to(cr, X, py(p, yhi));
	cairo_move_to(cr, X - 5, py(p, ylo));
	cairo_line_to(cr, X + 5, py(p, ylo));
	cairo_move_to(cr, X - 5, py(p, yhi));
	cairo_line_to(cr, X + 5, py(p, yhi));
	cairo_stroke(cr);
	cairo_restore(cr);
}

void
plot_hline(struct plot *p, double y, int s, const char *label)
{
	cairo_t *cr = p->cr;
	double Y = py(p, y);
	static const double d[2] = { 6, 4 };

	if (!isfinite(y) || y < p->y0 || y > p->y1)
		return;
	cairo_save(cr);
	set_style(cr, s, 0);
	cairo_set_dash(cr, d, 2, 0);
	cairo_set_line_width(cr, 1.5);
	cairo_move_to(cr, p->l, Y);
	cairo_line_to(cr, p->r, Y);
	cairo_stroke(cr);
	if (label) {
		cairo_set_font_size(cr, 11);
		text_at(cr, p->r - 4, Y - 3, label, 1, 1);
	}
	cairo_restore(cr);
}

void
plot_hline_dotted(struct plot *p, double y, int s, const char *label)
{
	cairo_t *cr = p->cr;
	double Y = py(p, y);
	static const double d[2] = { 1.5, 3 };

	if (!isfinite(y) || y < p->y0 || y > p->y1)
		return;
	cairo_save(cr);
	set_style(cr, s, 0);
	cairo_set_dash(cr, d, 2, 0);
	cairo_set_line_width(cr, 2);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_move_to(cr, p->l, Y);
	cairo_line_to(cr, p->r, Y);
	cairo_stroke(cr);
	if (label) {
		cairo_set_font_size(cr, 11);
		text_at(cr, p->l + 4, Y - 3, label, 0, 1);
	}
	cairo_restore(cr);
}

void
plot_vline(struct plot *p, double x, int s, const char *label)
{
	cairo_t *cr = p->cr;
	double X = px(p, x);
	static const double d[2] = { 6, 4 };

	if (!isfinite(x) || x < p->x0 || x > p->x1)
		return;
	cairo_save(cr);
	set_style(cr, s, 0);
	cairo_set_dash(cr, d, 2, 0);
	cairo_set_line_width(cr, 1.5);
	cairo_move_to(cr, X, p->t);
	cairo_line_to(cr, X, p->b);
	cairo_stroke(cr);
	if (label) {
		cairo_text_extents_t e;

		cairo_set_font_size(cr, 11);
		cairo_text_extents(cr, label, &e);
		if (X + 4 + e.x_advance > p->r)
			text_at(cr, X - 4, p->b - 4, label, 1, 1);
		else
			text_at(cr, X + 4, p->b - 4, label, 0, 1);
	}
	cairo_restore(cr);
}

void
plot_segment(struct plot *p, double x0, double y0, double x1, double y1)
{
	cairo_t *cr = p->cr;
	static const double d[2] = { 4, 4 };

	cairo_save(cr);
	cairo_rectangle(cr, p->l, p->t, p->r - p->l, p->b - p->t);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	cairo_set_dash(cr, d, 2, 0);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, px(p, x0), py(p, y0));
	cairo_line_to(cr, px(p, x1), py(p, y1));
	cairo_stroke(cr);
	cairo_restore(cr);
}

void
plot_rect(struct plot *p, double x0, double y0, double x1, double y1, int s, int hatch, double alpha)
{
	cairo_t *cr = p->cr;
	int k = ((s % PLOT_STYLES) + PLOT_STYLES) % PLOT_STYLES;
	double X0 = px(p, x0), X1 = px(p, x1), Y0 = py(p, y0), Y1 = py(p, y1), t;

	if (!isfinite(X0) || !isfinite(X1) || !isfinite(Y0) || !isfinite(Y1))
		return;
	if (X1 < X0) {
		t = X0;
		X0 = X1;
		X1 = t;
	}
	if (Y1 < Y0) {
		t = Y0;
		Y0 = Y1;
		Y1 = t;
	}
	cairo_save(cr);
	cairo_rectangle(cr, p->l, p->t, p->r - p->l, p->b - p->t);
	cairo_clip(cr);
	cairo_set_source_rgba(cr, okabe[k][0], okabe[k][1], okabe[k][2], alpha);
	cairo_rectangle(cr, X0, Y0, X1 - X0, Y1 - Y0);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, okabe[k][0], okabe[k][1], okabe[k][2]);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	if (hatch) {
		cairo_rectangle(cr, X0, Y0, X1 - X0, Y1 - Y0);
		cairo_clip(cr);
		cairo_set_line_width(cr, 1);
		for (t = X0 - (Y1 - Y0); t < X1; t += 6) {
			cairo_move_to(cr, t, Y1);
			cairo_line_to(cr, t + (Y1 - Y0), Y0);
		}
		cairo_stroke(cr);
	}
	cairo_restore(cr);
}

void
plot_label(struct plot *p, double x, double y, const char *text)
{
	cairo_t *cr = p->cr;
	cairo_text_extents_t e;
	double X = px(p, x), Y = py(p, y), w, h, lx = 0, ly = 0;
	int tries, i, ok = 0;

	if (!isfinite(X) || !isfinite(Y))
		return;
	cairo_save(cr);
	cairo_set_font_size(cr, 10);
	cairo_text_extents(cr, text, &e);
	w = e.x_advance + 4;
	h = 13;
	/* Try right of the point, then left, stepping down and up until the
	 * label overlaps no earlier label. */
	for (tries = 0; tries < 24 && !ok; tries++) {
		int j = tries / 2;
		double dy = (j % 2 ? -1 : 1) * ((j + 1) / 2) * (h + 1);

		lx = tries % 2 == 0 ? X + 6 : X - 6 - w;
		ly = Y - h / 2 + dy;
		if (lx < p->l || lx + w > p->r || ly < p->t || ly + h > p->b)
			continue;
		ok = 1;
		for (i = 0; i < p->nlab; i++)
			if (lx < p->lab[i][0] + p->lab[i][2] && p->lab[i][0] < lx + w && ly < p->lab[i][1] + p->lab[i][3] &&
			    p->lab[i][1] < ly + h)
				ok = 0;
	}
	if (!ok) {
		lx = X + 6 + w > p->r ? X - 6 - w : X + 6;
		ly = Y - h / 2;
	}
	if (p->nlab < 64) {
		p->lab[p->nlab][0] = lx;
		p->lab[p->nlab][1] = ly;
		p->lab[p->nlab][2] = w;
		p->lab[p->nlab][3] = h;
		p->nlab++;
	}
	if (fabs(ly + h / 2 - Y) > 2) {
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		cairo_set_line_width(cr, 0.7);
		cairo_move_to(cr, X, Y);
		cairo_line_to(cr, lx < X ? lx + w : lx, ly + h / 2);
		cairo_stroke(cr);
	}
	cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
	cairo_rectangle(cr, lx, ly, w, h);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	text_at(cr, lx + 2, ly + h / 2, text, 0, 0.5);
	cairo_restore(cr);
}

void
plot_fit_categories(struct plot *p, const char *const *xcats, int ncats)
{
	cairo_text_extents_t e;
	double wmax = 0, slot;
	int i;

	if (ncats <= 0)
		return;
	cairo_save(p->cr);
	cairo_set_font_size(p->cr, 11);
	for (i = 0; i < ncats; i++) {
		cairo_text_extents(p->cr, xcats[i] ? xcats[i] : "", &e);
		wmax = SH_MAX(wmax, e.x_advance);
	}
	cairo_restore(p->cr);
	slot = (p->r - p->l) / ncats;
	if (wmax + 6 > slot || ncats > 6) {
		/* slanted by 30 degrees: the label drops by half its width */
		p->rotate = 1;
		p->b = SH_MIN(p->b, p->h - (wmax * 0.5 + 18));
		if (p->b < p->t + 60)
			p->b = p->t + 60;
	}
}

void
plot_divider(struct plot *p, double x)
{
	cairo_t *cr = p->cr;
	static const double d[2] = { 2, 3 };
	double X = px(p, x);

	cairo_save(cr);
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_dash(cr, d, 2, 0);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, X, p->t);
	cairo_line_to(cr, X, p->b);
	cairo_stroke(cr);
	cairo_restore(cr);
}

void
plot_legend_outside(struct plot *p, int width)
{
	p->legend_out = 1;
	p->r -= width;
}

void
plot_legend(struct plot *p, const char *const *labels, const int *styles, const char *kinds, int n)
{
	cairo_t *cr = p->cr;
	cairo_text_extents_t e;
	double wmax = 0, x, y;
	int i;

	if (n <= 0)
		return;
	cairo_save(cr);
	cairo_set_font_size(cr, 11);
	for (i = 0; i < n; i++) {
		cairo_text_extents(cr, labels[i], &e);
		if (e.x_advance > wmax)
			wmax = e.x_advance;
	}
	x = p->legend_out ? p->r + 12 : p->r - wmax - 44;
	y = p->t + 6;
	cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
	cairo_rectangle(cr, x - 4, y - 2, wmax + 44, 16.0 * n + 6);
	cairo_fill_preserve(cr);
	cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
	cairo_set_line_width(cr, 1);
	cairo_stroke(cr);
	for (i = 0; i < n; i++) {
		double cy = y + 16.0 * i + 8;

		if (kinds[i] == 'l') {
			set_style(cr, styles[i], 1);
			cairo_set_line_width(cr, 2);
			cairo_move_to(cr, x, cy);
			cairo_line_to(cr, x + 30, cy);
			cairo_stroke(cr);
		} else if (kinds[i] == 'b' || kinds[i] == 'h') {
			int k = ((styles[i] % PLOT_STYLES) + PLOT_STYLES) % PLOT_STYLES;

			cairo_set_dash(cr, NULL, 0, 0);
			cairo_set_source_rgba(cr, okabe[k][0], okabe[k][1], okabe[k][2], 0.7);
			cairo_rectangle(cr, x + 6, cy - 5, 18, 10);
			cairo_fill(cr);
			if (kinds[i] == 'h') {
				double t;

				cairo_save(cr);
				cairo_rectangle(cr, x + 6, cy - 5, 18, 10);
				cairo_clip(cr);
				cairo_set_source_rgb(cr, okabe[k][0], okabe[k][1], okabe[k][2]);
				for (t = x + 6 - 10; t < x + 24; t += 6) {
					cairo_move_to(cr, t, cy + 5);
					cairo_line_to(cr, t + 10, cy - 5);
				}
				cairo_stroke(cr);
				cairo_restore(cr);
			}
		} else {
			set_style(cr, styles[i], 0);
			cairo_set_line_width(cr, 1.5);
			marker(cr, x + 15, cy, styles[i], 4);
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		text_at(cr, x + 36, cy, labels[i], 0, 0.5);
	}
	cairo_restore(cr);
}

/* Diverging scale: -1 → blue (#0072B2), 0 → white, +1 → vermillion (#D55E00).
 * The two ends differ in lightness too, so sign survives greyscale. */
static void
diverging(double t, double *r, double *g, double *b)
{
	const double *c = t < 0 ? okabe[0] : okabe[1];

	t = fabs(t);
	if (t > 1)
		t = 1;
	*r = 1 + (c[0] - 1) * t;
	*g = 1 + (c[1] - 1) * t;
	*b = 1 + (c[2] - 1) * t;
}

void
plot_heatmap(struct plot *p, const double *m, int n, const char *const *names, double vmax)
{
	cairo_t *cr = p->cr;
	double side, cell, x0, y0, r, g, b;
	int i, j;
	char buf[32];

	if (n <= 0)
		return;
	if (!(vmax > 0))
		vmax = 1;
	/* Square grid left of a colour bar; names on the left and bottom. */
	p->l = 120;
	side = SH_MIN(p->r - p->l - 70, p->b - p->t - 80);
	cell = side / n;
	x0 = p->l;
	y0 = p->t;
	cairo_save(cr);
	cairo_set_font_size(cr, cell < 14 ? 8 : 10);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double v = m[(size_t)i * n + j];

			if (isfinite(v))
				diverging(v / vmax, &r, &g, &b);
			else
				r = g = b = 0.8;
			cairo_set_source_rgb(cr, r, g, b);
			cairo_rectangle(cr, x0 + j * cell, y0 + i * cell, cell, cell);
			cairo_fill(cr);
			if (cell >= 26 && isfinite(v)) {
				snprintf(buf, sizeof buf, "%.2f", v);
				cairo_set_source_rgb(cr, fabs(v / vmax) > 0.6 ? 1 : 0, fabs(v / vmax) > 0.6 ? 1 : 0,
				    fabs(v / vmax) > 0.6 ? 1 : 0);
				text_at(cr, x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, buf, 0.5, 0.5);
			}
		}
	cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
	cairo_set_line_width(cr, 0.5);
	cairo_rectangle(cr, x0, y0, n * cell, n * cell);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (i = 0; i < n; i++) {
		text_at(cr, x0 - 4, y0 + (i + 0.5) * cell, names[i], 1, 0.5);
		cairo_save(cr);
		cairo_translate(cr, x0 + (i + 0.5) * cell, y0 + n * cell + 4);
		cairo_rotate(cr, -M_PI / 3);
		text_at(cr, 0, 0, names[i], 1, 0.5);
		cairo_restore(cr);
	}
	/* Colour bar */
	{
		double bx = x0 + n * cell + 24, bh = n * cell;
		int k;

		for (k = 0; k < 100; k++) {
			double t = 1 - 2.0 * k / 99;

			diverging(t, &r, &g, &b);
			cairo_set_source_rgb(cr, r, g, b);
			cairo_rectangle(cr, bx, y0 + bh * k / 100, 14, bh / 100 + 1);
			cairo_fill(cr);
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_font_size(cr, 10);
		snprintf(buf, sizeof buf, "+%.2g", vmax);
		text_at(cr, bx + 18, y0, buf, 0, 0);
		text_at(cr, bx + 18, y0 + bh / 2, "0", 0, 0.5);
		snprintf(buf, sizeof buf, "-%.2g", vmax);
		text_at(cr, bx + 18, y0 + bh, buf, 0, 1);
	}
	cairo_restore(cr);
}

struct membuf {
	unsigned char *data;
	size_t len, cap;
};

static cairo_status_t
mem_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct membuf *m = closure;

	if (m->len + length > m->cap) {
		m->cap = SH_MAX(m->cap * 2, m->len + length + 4096);
		m->data = xrealloc(m->data, m->cap);
	}
	memcpy(m->data + m->len, data, length);
	m->len += length;
	return CAIRO_STATUS_SUCCESS;
}

char *
plot_base64(const unsigned char *d, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = tab[d[i] >> 2];
		*o++ = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*o++ = tab[((d[i + 1] & 15) << 2) | (d[i + 2] >> 6)];
		*o++ = tab[d[i + 2] & 63];
	}
	if (i < len) {
		*o++ = tab[d[i] >> 2];
		if (i + 1 < len) {
			*o++ = tab[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
			*o++ = tab[(d[i + 1] & 15) << 2];
		} else {
			*o++ = tab[(d[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
plot_png_uri(struct plot *p)
{
	struct membuf m = { NULL, 0, 0 };
	char *b64, *uri;

	cairo_surface_flush(p->surf);
	if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_write_to_png_stream(p->surf, mem_write, &m) != CAIRO_STATUS_SUCCESS || m.len == 0) {
		free(m.data);
		return NULL;
	}
	b64 = plot_base64(m.data, m.len);
	free(m.data);
	uri = xsprintf("data:image/png;base64,%s", b64);
	free(b64);
	return uri;
}

const char *
plot_backend_version(void)
{
	return cairo_version_string();
}

void
plot_ema(const double *y, int n, double alpha, double lo, double hi, double *out)
{
	double s = NAN;
	int i, any = 0;

	for (i = 0; i < n; i++) {
		double v = y[i];

		if (isfinite(v) && (lo > hi || (v >= lo && v <= hi))) {
			s = any ? alpha * s + (1 - alpha) * v : v;
			any = 1;
		}
		out[i] = s;
	}
}

double
plot_goodness(int higher_better, double v, double best, double worst)
{
	double f;

	if (v != v)
		return 0;
	if (best == worst)
		return 1;
	if ((best > 0 && worst > 0) || (best < 0 && worst < 0))
		f = (best > 0) == (higher_better != 0) ? v / best : best / v;
	else
		f = 0.1 + 0.9 * (v - worst) / (best - worst);
	return f < 0 ? 0 : f > 1 ? 1 : f;
}
