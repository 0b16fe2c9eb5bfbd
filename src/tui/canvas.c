/* synthehr — GPL-3.0-or-later.
 * The in-memory cell grid and the compose functions every screen draws
 * with: text, frames, bars, braille line plots and scatters, histograms.
 * Nothing here knows about curses; the canvas-to-curses path is term.c. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/util.h"
#include "tui/canvas.h"
#include "tui/theme.h"

struct canvas *
canvas_new(int w, int h, int ascii)
{
	struct canvas *cv = xcalloc(1, sizeof *cv);

	cv->ascii = ascii;
	canvas_resize(cv, w, h);
	return cv;
}

void
canvas_free(struct canvas *cv)
{
	if (cv == NULL)
		return;
	free(cv->cells);
	free(cv);
}

void
canvas_resize(struct canvas *cv, int w, int h)
{
	if (w < 1) w = 1;
	if (h < 1) h = 1;
	free(cv->cells);
	cv->w = w;
	cv->h = h;
	cv->cells = xcalloc((size_t)w * h, sizeof *cv->cells);
	canvas_clear(cv);
}

void
canvas_clear(struct canvas *cv)
{
	size_t i, n = (size_t)cv->w * cv->h;

	for (i = 0; i < n; i++) {
		cv->cells[i].ch = ' ';
		cv->cells[i].role = THEME_NORMAL;
	}
	cv->cur_x = cv->cur_y = -1;
}

void
canvas_put(struct canvas *cv, int x, int y, uint32_t ch, int role)
{
	struct canvas_cell *c;

	if (x < 0 || y < 0 || x >= cv->w || y >= cv->h)
		return;
	if (cv->ascii && ch > 126)
		ch = '?';
	if (ch < 32)
		ch = ' ';
	c = &cv->cells[(size_t)y * cv->w + x];
	c->ch = ch;
	c->role = (uint8_t)role;
}

void
canvas_set_role(struct canvas *cv, int x, int y, int w, int role)
{
	int i;

	if (y < 0 || y >= cv->h)
		return;
	for (i = x; i < x + w; i++)
		if (i >= 0 && i < cv->w)
			cv->cells[(size_t)y * cv->w + i].role = (uint8_t)role;
}

int
canvas_utf8_decode(const char *s, uint32_t *c)
{
	const unsigned char *u = (const unsigned char *)s;
	int n, i;

	if (u[0] < 0x80) { *c = u[0]; return 1; }
	if ((u[0] & 0xe0) == 0xc0) { *c = u[0] & 0x1f; n = 2; }
	else if ((u[0] & 0xf0) == 0xe0) { *c = u[0] & 0x0f; n = 3; }
	else if ((u[0] & 0xf8) == 0xf0) { *c = u[0] & 0x07; n = 4; }
	else { *c = '?'; return 1; }
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) { *c = '?'; return i; }
		*c = (*c << 6) | (u[i] & 0x3f);
	}
	return n;
}

int
canvas_utf8_encode(uint32_t c, char *b)
{
	if (c < 0x80) { b[0] = (char)c; return 1; }
	if (c < 0x800) { b[0] = (char)(0xc0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3f)); return 2; }
	if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f)); return 3;
	}
	b[0] = (char)(0xf0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((c >> 6) & 0x3f)); b[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
canvas_strwidth(const char *s)
{
	int n = 0;
	uint32_t c;

	while (*s != '\0') {
		s += canvas_utf8_decode(s, &c);
		n++;
	}
	return n;
}

/* How many code points of s to show in avail columns before the cut mark
 * (-1: all of s fits).  The cut goes between words where one ends in the
 * last 16 columns ("a long title …"), else inside the word ("Hypertensi…"). */
static int
cut_at(const char *s, int avail)
{
	const char *p = s;
	uint32_t c;
	int n = 0, space = -1;

	while (*p != '\0' && n < avail) {
		p += canvas_utf8_decode(p, &c);
		if (c == ' ' && n <= avail - 2)
			space = n;
		n++;
	}
	if (*p == '\0')
		return -1;
	if (space >= 0 && space >= avail - 17 && space > 0)
		return space + 1;   /* keep the space: the mark stands alone */
	return avail - 1;
}

int
canvas_text(struct canvas *cv, int x, int y, int maxw, int role, const char *s)
{
	int n = 0, show;
	uint32_t c;

	if (s == NULL)
		return 0;
	if (maxw < 0 || maxw > cv->w - x)
		maxw = cv->w - x;
	if (maxw <= 0)
		return 0;
	/* cut: the last cell says so (the truncation policy: a cut is never
	 * silent, a word is cut only when it is longer than the room, and the
	 * screen offers the whole text another way) */
	show = cut_at(s, maxw);
	while (*s != '\0' && (show < 0 || n < show)) {
		s += canvas_utf8_decode(s, &c);
		canvas_put(cv, x + n, y, c, role);
		n++;
	}
	if (show >= 0) {
		canvas_put(cv, x + n, y, CANVAS_CUT(cv), role);
		n++;
	}
	return n;
}

int
canvas_printf(struct canvas *cv, int x, int y, int maxw, int role, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return canvas_text(cv, x, y, maxw, role, buf);
}

void
canvas_text_right(struct canvas *cv, int x, int y, int w, int role, const char *s)
{
	int n = canvas_strwidth(s);

	if (n > w)
		n = w;
	canvas_text(cv, x + w - n, y, n, role, s);
}

void
canvas_fill(struct canvas *cv, int x, int y, int w, int h, uint32_t ch, int role)
{
	int i, j;

	for (j = y; j < y + h; j++)
		for (i = x; i < x + w; i++)
			canvas_put(cv, i, j, ch, role);
}

void
canvas_hline(struct canvas *cv, int x, int y, int w, int role)
{
	canvas_fill(cv, x, y, w, 1, cv->ascii ? '-' : 0x2500, role);
}

void
canvas_box(struct canvas *cv, int x, int y, int w, int h, int role, const char *title)
{
	uint32_t hz = cv->ascii ? '-' : 0x2500, vt = cv->ascii ? '|' : 0x2502;
	int j;

	if (w < 2 || h < 2)
		return;
	canvas_fill(cv, x + 1, y, w - 2, 1, hz, role);
	canvas_fill(cv, x + 1, y + h - 1, w - 2, 1, hz, role);
	for (j = y + 1; j < y + h - 1; j++) {
		canvas_put(cv, x, j, vt, role);
		canvas_put(cv, x + w - 1, j, vt, role);
	}
	canvas_put(cv, x, y, cv->ascii ? '+' : 0x250c, role);
	canvas_put(cv, x + w - 1, y, cv->ascii ? '+' : 0x2510, role);
	canvas_put(cv, x, y + h - 1, cv->ascii ? '+' : 0x2514, role);
	canvas_put(cv, x + w - 1, y + h - 1, cv->ascii ? '+' : 0x2518, role);
	if (title != NULL && *title != '\0' && w > 4) {
		canvas_put(cv, x + 1, y, ' ', role);
		j = canvas_text(cv, x + 2, y, w - 4, THEME_TITLE, title);
		canvas_put(cv, x + 2 + j, y, ' ', role);
	}
}

void
canvas_bar(struct canvas *cv, int x, int y, int w, double frac, int role)
{
	static const uint32_t eighths[8] = { ' ', 0x258f, 0x258e, 0x258d, 0x258c, 0x258b, 0x258a, 0x2589 };
	static const char ascii_part[8] = { ' ', '.', '.', ':', '-', '=', '+', '*' };
	int full, rem, i;
	double cells;

	if (!(frac > 0) || w <= 0)
		return;
	if (frac > 1)
		frac = 1;
	cells = frac * w;
	full = (int)cells;
	rem = (int)((cells - full) * 8);
	for (i = 0; i < full; i++)
		canvas_put(cv, x + i, y, cv->ascii ? '#' : 0x2588, role);
	/* the last cell in eighths: block glyphs, or in ASCII the density
	 * ramp . : - = + * (7 steps a cell, not just '#' or nothing) */
	if (full < w && rem > 0)
		canvas_put(cv, x + full, y, cv->ascii ? (uint32_t)ascii_part[rem] : eighths[rem], role);
	else if (full == 0)
		canvas_put(cv, x, y, cv->ascii ? '.' : 0x258f, role);   /* something for any positive value */
}

void
canvas_progress(struct canvas *cv, int x, int y, int w, double frac, int role)
{
	int inner = w - 2, i;

	if (inner < 1)
		return;
	if (frac < 0 || frac != frac) frac = 0;
	if (frac > 1) frac = 1;
	canvas_put(cv, x, y, '[', THEME_NORMAL);
	canvas_put(cv, x + w - 1, y, ']', THEME_NORMAL);
	for (i = 0; i < inner; i++)
		canvas_put(cv, x + 1 + i, y, cv->ascii ? '.' : 0x00b7, THEME_DIM);
	if (cv->ascii) {
		int n = (int)(frac * inner + 0.5);

		for (i = 0; i < n; i++)
			canvas_put(cv, x + 1 + i, y, '=', role);
	} else {
		canvas_bar(cv, x + 1, y, inner, frac, role);
		if (frac == 0)
			canvas_put(cv, x + 1, y, 0x00b7, THEME_DIM);
	}
}

int
canvas_series_range(const struct canvas_series *s, int ns, double *lo, double *hi)
{
	int i, k, any = 0;

	*lo = *hi = 0;
	for (k = 0; k < ns; k++)
		for (i = 0; i < s[k].n; i++) {
			double v = s[k].y[i];

			if (v != v || isinf(v))
				continue;
			if (!any || v < *lo) *lo = v;
			if (!any || v > *hi) *hi = v;
			any = 1;
		}
	return any;
}

/* Braille: a cell holds 2 × 4 dots; bit for dot (dx, dy). */
static const uint8_t braille_bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };

/* Set a dot at sub-cell position (px, py) of the area at (x, y). */
static void
canvas_dot(struct canvas *cv, int x, int y, int w, int h, int px, int py, int role, uint32_t mark)
{
	struct canvas_cell *c;
	int cx, cy;

	if (cv->ascii) {
		cx = px; cy = py;
		if (cx < 0 || cy < 0 || cx >= w || cy >= h)
			return;
		canvas_put(cv, x + cx, y + cy, mark, role);
		return;
	}
	cx = px / 2; cy = py / 4;
	if (px < 0 || py < 0 || cx >= w || cy >= h)
		return;
	if (x + cx < 0 || y + cy < 0 || x + cx >= cv->w || y + cy >= cv->h)
		return;
	c = &cv->cells[(size_t)(y + cy) * cv->w + x + cx];
	if (c->ch < 0x2800 || c->ch > 0x28ff)
		c->ch = 0x2800;
	c->ch |= braille_bit[py % 4][px % 2];
	c->role = (uint8_t)role;
}

uint32_t
canvas_plot_mark(int k)
{
	static const uint32_t marks[] = { '*', '+', 'o', 'x', '@', '%', '&', '=' };

	return marks[(k < 0 ? 0 : k) % SH_NELEM(marks)];
}

void
canvas_plot(struct canvas *cv, int x, int y, int w, int h, const struct canvas_series *s, int ns,
    int xmax, double ymin, double ymax)
{
	int dw, dh, k, i;

	if (w <= 0 || h <= 0)
		return;
	if (ymin == ymax && !canvas_series_range(s, ns, &ymin, &ymax))
		return;
	if (ymax <= ymin) { ymax = ymin + 1; ymin -= 1; }
	if (xmax <= 1)
		for (k = 0; k < ns; k++)
			if (s[k].n > xmax)
				xmax = s[k].n;
	for (k = 0; k < ns; k++) {
		int lastx = -1, lasty = -1, cells = cv->ascii || s[k].mark != 0;
		uint32_t mark = s[k].mark != 0 ? s[k].mark : canvas_plot_mark(k);

		dw = cells ? w : 2 * w;
		dh = cells ? h : 4 * h;
		if (cells) {   /* one mark per cell: the character tells the series */
			for (i = 0; i < s[k].n; i++) {
				double v = s[k].y[i];
				int px, py;

				if (v != v || isinf(v))
					continue;
				px = xmax > 1 ? (int)((double)i * (dw - 1) / (xmax - 1) + 0.5) : 0;
				py = (int)((ymax - v) / (ymax - ymin) * (dh - 1) + 0.5);
				if (py < 0) py = 0;
				if (py >= dh) py = dh - 1;
				if (px >= 0 && px < w && py < h)
					canvas_put(cv, x + px, y + py, mark, s[k].role);
			}
			continue;
		}

		for (i = 0; i < s[k].n; i++) {
			double v = s[k].y[i];
			int px, py;

			if (v != v || isinf(v)) { lastx = -1; continue; }
			px = xmax > 1 ? (int)((double)i * (dw - 1) / (xmax - 1) + 0.5) : 0;
			py = (int)((ymax - v) / (ymax - ymin) * (dh - 1) + 0.5);
			if (py < 0) py = 0;
			if (py >= dh) py = dh - 1;
			/* join consecutive points with a vertical run so steep drops stay visible */
			if (lastx >= 0 && !cv->ascii && px - lastx <= 1) {
				int a = SH_MIN(lasty, py), b = SH_MAX(lasty, py), t;

				for (t = a; t <= b; t++)
					canvas_dot(cv, x, y, w, h, t == py ? px : lastx, t, s[k].role, 0);
			} else if (lastx >= 0 && !cv->ascii) {
				int t;

				for (t = lastx + 1; t < px; t++)
					canvas_dot(cv, x, y, w, h, t,
					    lasty + (py - lasty) * (t - lastx) / (px - lastx), s[k].role, 0);
			}
			canvas_dot(cv, x, y, w, h, px, py, s[k].role, mark);
			lastx = px;
			lasty = py;
		}
	}
}

void
canvas_scatter(struct canvas *cv, int x, int y, int w, int h, const double *px, const double *py,
    int n, double x0, double x1, double y0, double y1, int role)
{
	int dw = cv->ascii ? w : 2 * w, dh = cv->ascii ? h : 4 * h, i;

	if (x1 <= x0 || y1 <= y0)
		return;
	for (i = 0; i < n; i++) {
		int ix, iy;

		if (px[i] != px[i] || py[i] != py[i])
			continue;
		ix = (int)((px[i] - x0) / (x1 - x0) * (dw - 1) + 0.5);
		iy = (int)((y1 - py[i]) / (y1 - y0) * (dh - 1) + 0.5);
		canvas_dot(cv, x, y, w, h, ix, iy, role, '*');
	}
}

void
canvas_lines(struct canvas *cv, int x, int y, int w, int h, char *const *lines, int n,
    int role, int bar_role)
{
	int j;

	for (j = 0; j < n && j < h; j++) {
		const char *s = lines[j];
		int col = 0;
		uint32_t c;

		while (*s != '\0' && col < w) {
			s += canvas_utf8_decode(s, &c);
			canvas_put(cv, x + col, y + j, c,
			    (c == '#' || (c >= 0x2580 && c <= 0x259f)) ? bar_role : role);
			col++;
		}
	}
}

void
canvas_histogram(struct canvas *cv, int x, int y, int w, int h, const double *counts, int nbins,
    int role)
{
	static const uint32_t vblocks[9] = { ' ', 0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588 };
	double mx = 0;
	int b, j;

	for (b = 0; b < nbins; b++)
		if (counts[b] > mx)
			mx = counts[b];
	if (mx <= 0 || h <= 0)
		return;
	for (b = 0; b < nbins && b < w; b++) {
		double units = counts[b] / mx * h * (cv->ascii ? 1 : 8);
		int u = (int)(units + 0.5);

		if (counts[b] > 0 && u == 0)
			u = 1;
		for (j = 0; j < h; j++) {
			int cellu = u - j * (cv->ascii ? 1 : 8);

			if (cellu <= 0)
				break;
			if (cv->ascii)
				canvas_put(cv, x + b, y + h - 1 - j, '#', role);
			else
				canvas_put(cv, x + b, y + h - 1 - j, vblocks[cellu > 8 ? 8 : cellu], role);
		}
	}
}

char *
canvas_to_text(const struct canvas *cv)
{
	size_t cap = (size_t)cv->w * cv->h * 4 + cv->h + 1, len = 0;
	char *out = xmalloc(cap);
	int x, y;

	for (y = 0; y < cv->h; y++) {
		size_t rowstart = len, lastnb = len;

		for (x = 0; x < cv->w; x++) {
			uint32_t c = cv->cells[(size_t)y * cv->w + x].ch;

			len += canvas_utf8_encode(c, out + len);
			if (c != ' ')
				lastnb = len;
		}
		(void)rowstart;
		len = lastnb;
		out[len++] = '\n';
	}
	out[len] = '\0';
	return out;
}
