/* synthehr — GPL-3.0-or-later.
 * A tiny TAP emitter for the C unit tests (genann-style harness).
 * Use: plan-less; call tap_done() at the end, which prints "1..N" and
 * returns the exit status. */
#ifndef SYNTHEHR_TAP_H
#define SYNTHEHR_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline int
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

/* |got - want| <= tol (absolute) */
#define tap_near(got, want, tol, ...) do { \
	double tap_g_ = (got), tap_w_ = (want); \
	if (!tap_ok(fabs(tap_g_ - tap_w_) <= (tol), __VA_ARGS__)) \
		printf("#   got %.10g, want %.10g (tol %g)\n", tap_g_, tap_w_, (double)(tol)); \
} while (0)

#define tap_diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

static inline void
tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(0);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of the shared test data (../shared/data by default). */
static inline const char *
tap_shared_data(void)
{
	const char *d = getenv("SHARED_DATA");

	return d ? d : "../shared/data";
}

#endif
