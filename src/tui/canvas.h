/* synthehr — GPL-3.0-or-later.
 * The TUI's cell store (tmux's grid): a width × height array of cells, each
 * one Unicode code point of display width 1 and a semantic role (theme.h).
 * Screens compose into a canvas with the functions below and never touch
 * curses; term.c copies a finished canvas to the terminal, and tests turn it
 * into plain text with canvas_to_text().  In ASCII mode every compose
 * function draws with 7-bit characters only. */
#ifndef SYNTHEHR_TUI_CANVAS_H
#define SYNTHEHR_TUI_CANVAS_H

#include <stdint.h>

struct canvas_cell {
	uint32_t ch;      /* code point, width 1; ' ' when empty */
	uint8_t role;     /* enum theme_role */
};

struct canvas {
	int w, h;
	int ascii;                 /* 1: 7-bit glyphs only */
	struct canvas_cell *cells; /* [h][w] row-major */
	int cur_x, cur_y;          /* terminal cursor (-1: hidden) */
};

struct canvas *canvas_new(int w, int h, int ascii);
void canvas_free(struct canvas *cv);
void canvas_resize(struct canvas *cv, int w, int h);
void canvas_clear(struct canvas *cv);
void canvas_put(struct canvas *cv, int x, int y, uint32_t ch, int role);
/* Set the role of w cells in a row without changing their characters. */
void canvas_set_role(struct canvas *cv, int x, int y, int w, int role);
/* The mark of a cut text: '…' (UTF-8) or '~' (ASCII). */
#define CANVAS_CUT(cv) ((cv)->ascii ? (uint32_t)'~' : (uint32_t)0x2026)
/* UTF-8 text clipped to maxw columns (maxw < 0: to the right edge).  Text
 * that does not fit ends in CANVAS_CUT: nothing is cut silently, and a
 * screen that cuts offers the whole text another way (a detail line, a
 * key, the message log).  Returns the number of columns written.  Under
 * ASCII, non-ASCII is '?'. */
int canvas_text(struct canvas *cv, int x, int y, int maxw, int role, const char *s);
int canvas_printf(struct canvas *cv, int x, int y, int maxw, int role, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Text right-aligned so that it ends at column x + w - 1. */
void canvas_text_right(struct canvas *cv, int x, int y, int w, int role, const char *s);
void canvas_fill(struct canvas *cv, int x, int y, int w, int h, uint32_t ch, int role);
void canvas_hline(struct canvas *cv, int x, int y, int w, int role);
/* A frame with an optional title in its top edge. */
void canvas_box(struct canvas *cv, int x, int y, int w, int h, int role, const char *title);
/* Horizontal bar of frac (0..1) of w cells: full cells then the last
 * cell's eighths, as block glyphs (UTF-8) or '#' and . : - = + * (ASCII);
 * the rest is left untouched. */
void canvas_bar(struct canvas *cv, int x, int y, int w, double frac, int role);
/* A progress bar [=====     ] of width w. */
void canvas_progress(struct canvas *cv, int x, int y, int w, double frac, int role);

/* One series of a line plot: y[0..n-1] at x = 0..n-1.  mark: 0 draws
 * braille dots (ASCII: the k-th of canvas_plot_mark), else this character
 * once per cell, so that series stay apart without colour. */
struct canvas_series {
	const double *y;
	int n;
	int role;
	uint32_t mark;
};
/* The ASCII mark of series k (what a legend shows for it). */
uint32_t canvas_plot_mark(int k);
/* Line plot of several series in a w × h cell area, braille dots (2×4 per
 * cell) or ASCII marks.  The x axis spans 0..xmax-1 (xmax <= 1: the longest
 * series); the y axis ymin..ymax (equal: fitted to the data).  NaN points
 * are skipped.  No axes are drawn; see canvas_plot_frame. */
void canvas_plot(struct canvas *cv, int x, int y, int w, int h,
    const struct canvas_series *s, int ns, int xmax, double ymin, double ymax);
/* Scatter of n points (px[i], py[i]) in [x0,x1]×[y0,y1] into a w × h area. */
void canvas_scatter(struct canvas *cv, int x, int y, int w, int h, const double *px,
    const double *py, int n, double x0, double x1, double y0, double y1, int role);
/* The data range of series (ignoring NaN); returns 0 if empty. */
int canvas_series_range(const struct canvas_series *s, int ns, double *lo, double *hi);
/* Lines of text (e.g. from hist_format) drawn one per row from (x, y),
 * clipped to w × h; characters '#' and block glyphs take role bar_role. */
void canvas_lines(struct canvas *cv, int x, int y, int w, int h, char *const *lines, int n,
    int role, int bar_role);
/* A vertical histogram of counts[nbins] in a w × h area (column per bin). */
void canvas_histogram(struct canvas *cv, int x, int y, int w, int h, const double *counts,
    int nbins, int role);
/* The canvas as text: rows joined with '\n', trailing blanks trimmed;
 * caller frees. */
char *canvas_to_text(const struct canvas *cv);
/* Encode code point c as UTF-8 into buf (>= 5 bytes); returns the length. */
int canvas_utf8_encode(uint32_t c, char *buf);
/* Decode one UTF-8 code point from s; returns bytes used (>= 1). */
int canvas_utf8_decode(const char *s, uint32_t *c);
/* Display columns of a UTF-8 string (one per code point). */
int canvas_strwidth(const char *s);

#endif
