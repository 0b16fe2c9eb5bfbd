/* synthehr — GPL-3.0-or-later.
 * Histograms: automatic binning (Freedman–Diaconis with "nice" widths,
 * capped bin count, integer-aware) and a pure text renderer that turns a
 * histogram into lines of UTF-8 (or ASCII) text plus a role per display
 * cell, so the TUI can draw them into its canvas and colour them. */
#ifndef SYNTHEHR_HIST_H
#define SYNTHEHR_HIST_H

#include <stddef.h>
#include <stdint.h>

#define HIST_MAX_BINS 40

struct hist {
	int nbins;
	double lo;         /* left edge of bin 0 (cohort units) */
	double width;      /* bin width; bin i is [lo + i·width, lo + (i+1)·width) */
	size_t *count;     /* [nbins] */
	size_t total;      /* values counted (missing values are not) */
	int integer;       /* every value was a whole number */
};

/* Bin n values (NaN skipped) with automatic binning capped at maxbins
 * (≤ 0: HIST_MAX_BINS).  The histogram owns its counts; hist_done frees. */
void hist_build(struct hist *h, const double *x, size_t n, int maxbins);
/* Bin layout only (no counts): the same rule from a sorted sample summary. */
void hist_layout(struct hist *h, double min, double max, double q1, double q3, size_t n,
    int integer, int maxbins);
/* Zeroed counts on the same bins as h (for previews). */
void hist_like(struct hist *out, const struct hist *h);
void hist_add(struct hist *h, double v);   /* values outside land in the end bins */
int hist_bin(const struct hist *h, double v);
double hist_edge(const struct hist *h, int i);   /* left edge of bin i; i = nbins: right end */
void hist_done(struct hist *h);
void hist_copy(struct hist *out, const struct hist *h);

/* What each display cell shows, for colouring. */
enum hist_role {
	HIST_ROLE_TEXT,      /* titles, numbers */
	HIST_ROLE_AXIS,      /* axis lines and ticks */
	HIST_ROLE_BAR,       /* a bar */
	HIST_ROLE_BAR_OUT,   /* a bar of a bin that a rule removes or clips */
	HIST_ROLE_BLANK,
	HIST_ROLE_COUNT
};

struct hist_style {
	int width;             /* display cells per line (≥ 20); 0: 78 */
	int height;            /* bar rows for vertical bars (≥ 2); 0: 8.  Horizontal: max lines */
	int ascii;             /* 1: ASCII only ('#', '|', '-') */
	int horizontal;        /* 1: one line per bin "[lo, hi)  ████ count" */
	const uint8_t *bin_out;/* [nbins] or NULL: 1 = bin affected by a rule (HIST_ROLE_BAR_OUT) */
	const char *unit;      /* appended to the axis labels, may be NULL */
	int mark_row;          /* vertical: add a line with '^' under bins flagged in bin_out */
};

struct hist_lines {
	int n;                 /* lines */
	char **text;           /* [n] NUL-terminated UTF-8, exactly cells[i] display cells */
	uint8_t **role;        /* [n][cells[i]] enum hist_role per display cell */
	int *cells;            /* [n] */
};

/* Render h into lines within the style's width; always succeeds (an empty
 * histogram renders as one line saying so).  Free with hist_lines_free. */
void hist_render(const struct hist *h, const struct hist_style *st, struct hist_lines *out);
void hist_lines_free(struct hist_lines *l);
/* Compact number for axis labels ("%.4g"-like, no exponent below 1e6). */
void hist_format_num(char *buf, size_t size, double v);

#endif
