/* synthehr — GPL-3.0-or-later.
 * Charts for the HTML report, drawn with cairo into an in-memory image
 * surface and handed back as a PNG "data:" URI (base64), so the report is one
 * self-contained file.  Series styles combine the Okabe–Ito palette (safe for
 * red–green colour blindness) with distinct dash patterns and marker shapes,
 * so every series stays distinguishable in greyscale too. */
#ifndef SYNTHEHR_PLOT_H
#define SYNTHEHR_PLOT_H

#include <stddef.h>

struct plot;

#define PLOT_STYLES 8

/* A chart of w×h pixels with a title and axis labels (any may be NULL). */
struct plot *plot_new(int w, int h, const char *title, const char *xlabel, const char *ylabel);
void plot_free(struct plot *p);
/* Data ranges (padded to "nice" tick values unless exact). */
void plot_range(struct plot *p, double x0, double x1, double y0, double y1, int exact);
/* Frame, grid, ticks and labels.  xcats (or NULL): category labels at
 * x = 0..ncats-1 instead of numeric x ticks. */
void plot_axes(struct plot *p, const char *const *xcats, int ncats);
/* Polyline of series style s (NaN points break the line). */
void plot_line(struct plot *p, const double *x, const double *y, int n, int s);
/* Markers of style s (shape by style). */
void plot_points(struct plot *p, const double *x, const double *y, int n, int s, double size);
/* Vertical error bar from ylo to yhi at x. */
void plot_errbar(struct plot *p, double x, double ylo, double yhi, int s);
/* Dashed reference line across the plot (horizontal at y or vertical at x). */
void plot_hline(struct plot *p, double y, int s, const char *label);
/* A second horizontal reference at y: dotted, thicker, its label at the
 * left end (so that it never sits on plot_hline's at the right). */
void plot_hline_dotted(struct plot *p, double y, int s, const char *label);
void plot_vline(struct plot *p, double x, int s, const char *label);
/* Straight segment in data coordinates (e.g. the diagonal), thin grey dashes. */
void plot_segment(struct plot *p, double x0, double y0, double x1, double y1);
/* Filled rectangle in data coordinates, style s; hatch adds diagonal lines
 * (a second cue besides colour); alpha 0..1. */
void plot_rect(struct plot *p, double x0, double y0, double x1, double y1, int s, int hatch, double alpha);
/* Small text next to a data point. */
void plot_label(struct plot *p, double x, double y, const char *text);
/* Legend in the top-right corner: entry i shows style styles[i] as a line
 * (kind 'l'), marker ('p'), box ('b') or hatched box ('h'). */
void plot_legend(struct plot *p, const char *const *labels, const int *styles, const char *kinds, int n);
/* Make room for category labels (slanted when they do not fit side by
 * side); call before plot_range/plot_axes. */
void plot_fit_categories(struct plot *p, const char *const *xcats, int ncats);
/* A thin grey dotted vertical divider at x (e.g. runs | other sets). */
void plot_divider(struct plot *p, double x);
/* Keep width pixels right of the plot area for the legend (call before
 * plot_range/plot_axes). */
void plot_legend_outside(struct plot *p, int width);
/* Heat map of an n×n matrix on a diverging blue–white–vermillion scale
 * over [-vmax, vmax]; names label rows and columns; values are printed in
 * the cells when n is small enough. */
void plot_heatmap(struct plot *p, const double *m, int n, const char *const *names, double vmax);
/* Hex colour of style s ("#0072B2"), for HTML swatches. */
const char *plot_style_colour(int s);
/* The chart as "data:image/png;base64,..." (caller frees); NULL when cairo
 * failed (out of memory). */
char *plot_png_uri(struct plot *p);
/* Base64 of len bytes (caller frees). */
char *plot_base64(const unsigned char *data, size_t len);
/* Cairo's version string. */
const char *plot_backend_version(void);

/* ---- Numbers behind the plots (report and workbench alike) */

/* Exponential moving average of y[n] into out[n]:
 *   s_1 = y_first,  s_i = alpha s_{i-1} + (1 - alpha) y_i.
 * Points that are NaN or outside [lo, hi] (a robust range: the warm-up
 * spike) are not smoothed in: out carries the previous average there, NaN
 * before the first usable point.  lo > hi takes every finite point.
 * alpha in [0, 1): 0 copies y. */
void plot_ema(const double *y, int n, double alpha, double lo, double hi, double *out);
/* Bar length in "goodness" space, in [0, 1]: the best value's bar is the
 * longest whatever the metric's direction (higher_better) or sign.  best and
 * worst are the extremes of what is drawn.  Values of one sign: the ratio
 * to the best (twice as far from zero in the bad direction: half the bar);
 * mixed signs or zero: 0.1 + 0.9 (v - worst) / (best - worst).  NaN: 0. */
double plot_goodness(int higher_better, double v, double best, double worst);

#endif
