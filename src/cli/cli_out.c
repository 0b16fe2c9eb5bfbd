/* synthehr — GPL-3.0-or-later.
 * What the subcommands print while they work, shared by all of them: the
 * failure line, the stderr progress bar, ETAs and the stage runner's
 * events.  Below the subcommand table (cli.c) at link level, so that the
 * table calls the commands and the commands never call back into it. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/train.h"

int
cli_fail(const char *cmd, char *cause, int code)
{
	fprintf(stderr, "synthehr %s: %s\n", cmd, cause ? cause : "failed");
	free(cause);
	return code;
}

static int progress_active;
static double progress_last_pct = -1;

void
cli_progress(const char *label, double done, double total, const char *extra)
{
	double frac = total > 0 ? done / total : 0;
	int width = 30, fill, i;

	if (frac < 0) frac = 0;
	if (frac > 1) frac = 1;
	if (!isatty(STDERR_FILENO)) {
		double pct = (int)(frac * 10) * 10.0;

		if (pct != progress_last_pct) {
			fprintf(stderr, "%s%s%3.0f%%%s%s\n", label ? label : "", label ? " " : "",
			    frac * 100, extra ? "  " : "", extra ? extra : "");
			progress_last_pct = pct;
		}
		return;
	}
	fill = (int)(frac * width + 0.5);
	fprintf(stderr, "\r%s%s[", label ? label : "", label ? " " : "");
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3.0f%%%s%s\033[K", frac * 100, extra ? "  " : "", extra ? extra : "");
	fflush(stderr);
	progress_active = 1;
}

void
cli_progress_end(void)
{
	if (progress_active)
		fputc('\n', stderr);
	progress_active = 0;
	progress_last_pct = -1;
}

void
cli_fmt_eta(char *buf, size_t size, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, size, "?");
	else if (s >= 3600)
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, size, "%.0fs", s);
}

/* Called on the stage runner's threads; the main thread only waits. */
void
cli_stage_event(const struct stage_event *ev, void *arg)
{
	const char *cmd = arg != NULL ? arg : stage_name(ev->stage);
	char extra[320], eta[32];

	switch (ev->kind) {
	case STAGE_EV_PROGRESS:
		if (ev->total <= 0)
			break;   /* a phase without a measure: the workbench's top bar shows it */
		if (ev->sub == TRAIN_EV_EPOCH || ev->sub == TRAIN_EV_CKPT) {
			cli_fmt_eta(eta, sizeof eta, ev->eta_s);
			snprintf(extra, sizeof extra, "epoch %.0f/%.0f  %s  %.1f steps/s  eta %s", ev->step,
			    ev->total, ev->msg, ev->rate, eta);
			cli_progress(ev->label, ev->step, ev->total, extra);
		} else
			cli_progress(ev->label, ev->step, ev->total, ev->msg[0] ? ev->msg : NULL);
		break;
	case STAGE_EV_NOTE:
		cli_progress_end();
		fprintf(ev->result ? stdout : stderr, "%s\n", ev->text != NULL ? ev->text : ev->msg);
		if (ev->result)
			fflush(stdout);
		break;
	case STAGE_EV_DONE:
		cli_progress_end();
		if (ev->status != EXIT_OK && ev->msg[0] != '\0')
			fprintf(stderr, "synthehr %s: %s\n", cmd, ev->msg);
		break;
	default:
		break;
	}
}
