/* synthehr — GPL-3.0-or-later.
 * The report's charts (plot.c): base64 against RFC 4648's test vectors; a
 * chart's data: URI decodes (libpng, through cairo's PNG reader) to an image
 * of the requested size with a white background and the series' Okabe–Ito
 * colour where a thick line was drawn; the eight styles have distinct
 * colours.  The numbers behind the workbench's plots (EMA smoothing, bar
 * length in goodness space) against hand-computed values. */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/plot.h"
#include "synthehr/util.h"
#include "tap.h"

struct rd {
	const unsigned char *p;
	size_t n, at;
};

static cairo_status_t
rd_read(void *closure, unsigned char *data, unsigned int length)
{
	struct rd *r = closure;

	if (r->at + length > r->n)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p + r->at, length);
	r->at += length;
	return CAIRO_STATUS_SUCCESS;
}

/* Independent decoder (table-free) for the round trip. */
static unsigned char *
unb64(const char *s, size_t *n)
{
	size_t len = strlen(s), i, o = 0;
	unsigned char *out = xmalloc(len / 4 * 3 + 3);
	unsigned v = 0;
	int bits = 0;

	for (i = 0; i < len && s[i] != '='; i++) {
		int c = s[i], d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 :
		    c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : 63;

		v = (v << 6) | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
		}
	}
	*n = o;
	return out;
}

/* plot_ema and plot_goodness against hand-computed numbers. */
static void
test_numbers(void)
{
	/* EMA alpha 0.5 of 4, 8, NaN, 0: 4, 0.5*4 + 0.5*8 = 6, 6 (carried),
	 * 0.5*6 + 0 = 3 */
	double y[4] = { 4, 8, NAN, 0 }, o[4];
	/* the spike left out: 2200 and 150 beyond [lo, hi] = [-5, 5]; alpha
	 * 0.9 of -1, -2, -3 from the third point: NaN, NaN, -1, -1.1, -1.29 */
	double sp[5] = { 2200, 150, -1, -2, -3 }, os[5];

	plot_ema(y, 4, 0.5, 1, 0, o);
	tap_ok(o[0] == 4 && o[1] == 6 && o[2] == 6 && o[3] == 3, "EMA 0.5 of 4 8 NaN 0: 4 6 6 3 (%g %g %g %g)",
	    o[0], o[1], o[2], o[3]);
	plot_ema(sp, 5, 0.9, -5, 5, os);
	tap_ok(isnan(os[0]) && isnan(os[1]) && os[2] == -1 && fabs(os[3] + 1.1) < 1e-12 && fabs(os[4] + 1.29) < 1e-12,
	    "EMA 0.9 with the spike outside [-5, 5] left out: NaN NaN -1 -1.1 -1.29 (%g %g %g)", os[2], os[3], os[4]);
	plot_ema(y, 4, 0, 1, 0, o);
	tap_ok(o[0] == 4 && o[1] == 8 && o[2] == 8 && o[3] == 0, "EMA alpha 0 copies (NaN carries the last)");

	/* lower is better, one sign: the ratio best / v (0.5 / 1 = 0.5) */
	tap_ok(plot_goodness(0, 0.5, 0.5, 2) == 1 && plot_goodness(0, 1, 0.5, 2) == 0.5 &&
	    plot_goodness(0, 2, 0.5, 2) == 0.25, "goodness, lower better: 0.5 -> 1, 1 -> 0.5, 2 -> 0.25");
	/* higher is better: v / best (0.45 / 0.9 = 0.5) */
	tap_ok(plot_goodness(1, 0.9, 0.9, 0.45) == 1 && plot_goodness(1, 0.45, 0.9, 0.45) == 0.5,
	    "goodness, higher better: 0.9 -> 1, 0.45 -> 0.5");
	/* LCA: lower better, all negative (-16 best): best / v = -16 / -8 = 0.5 */
	tap_ok(plot_goodness(0, -16, -16, -8) == 1 && plot_goodness(0, -8, -16, -8) == 0.5,
	    "goodness, lower better and negative (LCA): -16 -> 1, -8 -> 0.5");
	/* mixed signs (NNAA from -0.04 best to 0.02 worst): 0.1 + 0.9 (v - worst) / (best - worst);
	 * v = 0: 0.1 + 0.9 x (-0.02 / -0.06) = 0.4 */
	tap_ok(fabs(plot_goodness(0, 0, -0.04, 0.02) - 0.4) < 1e-12 && plot_goodness(0, 0.02, -0.04, 0.02) == 0.1 &&
	    plot_goodness(0, -0.04, -0.04, 0.02) == 1, "goodness, mixed signs: worst 0.1, 0 -> 0.4, best 1");
	tap_ok(plot_goodness(0, NAN, 1, 2) == 0 && plot_goodness(1, 3, 3, 3) == 1, "goodness: NaN 0, all equal 1");
}

int
main(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	struct plot *p;
	char *uri;
	size_t i, j;
	int distinct = 1;

	for (i = 0; i < 7; i++) {
		char *b = plot_base64((const unsigned char *)in[i], strlen(in[i]));

		tap_ok(strcmp(b, want[i]) == 0, "base64(\"%s\") = \"%s\" (got \"%s\")", in[i], want[i], b);
		free(b);
	}
	for (i = 0; i < PLOT_STYLES; i++)
		for (j = i + 1; j < PLOT_STYLES; j++)
			if (strcmp(plot_style_colour((int)i), plot_style_colour((int)j)) == 0)
				distinct = 0;
	tap_ok(distinct, "the %d styles have distinct colours", PLOT_STYLES);
	tap_ok(strcmp(plot_style_colour(1), "#D55E00") == 0, "style 1 is Okabe-Ito vermillion");

	p = plot_new(300, 200, "t", "x", "y");
	plot_range(p, 0, 10, 0, 10, 1);
	plot_axes(p, NULL, 0);
	{
		/* style 0 (solid blue) across the middle; a vermillion box. */
		double x[2] = { 0, 10 }, y[2] = { 5, 5 };

		plot_line(p, x, y, 2, 0);
		plot_rect(p, 7, 7, 9, 9, 1, 0, 1.0);
	}
	uri = plot_png_uri(p);
	plot_free(p);
	tap_ok(uri != NULL && strncmp(uri, "data:image/png;base64,iVBORw0KGgo", 33) == 0,
	    "a chart is a PNG data: URI");
	if (uri != NULL) {
		size_t n;
		unsigned char *png = unb64(uri + strlen("data:image/png;base64,"), &n);
		struct rd r = { png, n, 0 };
		cairo_surface_t *s = cairo_image_surface_create_from_png_stream(rd_read, &r);
		int ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS;

		tap_ok(ok, "the PNG decodes");
		if (ok) {
			unsigned char *d = cairo_image_surface_get_data(s);
			int st = cairo_image_surface_get_stride(s), w = cairo_image_surface_get_width(s);
			int h = cairo_image_surface_get_height(s), row = -1, yy;
			uint32_t px0 = *(uint32_t *)(d + 2 * st + 2 * 4) & 0xffffff;

			tap_ok(w == 300 && h == 200, "300x200 pixels (got %dx%d)", w, h);
			tap_ok(px0 == 0xffffff, "white background (got %06x)", px0);
			/* The horizontal line: some row in the middle column is #0072B2. */
			for (yy = 0; yy < h; yy++)
				if ((*(uint32_t *)(d + yy * st + 150 * 4) & 0xffffff) == 0x0072B2)
					row = yy;
			tap_ok(row > 40 && row < 160, "the series line is drawn in #0072B2 mid-height (row %d)", row);
			{
				int found = 0, xx;

				for (yy = 0; yy < h && !found; yy++)
					for (xx = 0; xx < w; xx++)
						if ((*(uint32_t *)(d + yy * st + xx * 4) & 0xffffff) == 0xD55E00)
							found = 1;
				tap_ok(found, "the box is filled in #D55E00");
			}
		}
		cairo_surface_destroy(s);
		free(png);
		free(uri);
	}
	test_numbers();
	return tap_done();
}
