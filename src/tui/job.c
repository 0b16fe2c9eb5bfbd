/* synthehr — GPL-3.0-or-later.
 * The workbench's side of the core stage runner (synthehr/stage.h): every
 * stage runs in-process on the runner's worker thread; the UI thread only
 * submits, polls events and forwards pause / resume / stop.  It never
 * blocks and never forks or execs.  A stage's end calls the callback its
 * submitter gave, and every event goes to the screens that listen. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "synthehr/util.h"
#include "tui/tui.h"

static struct stage_runner *
runner(struct app *a)
{
	if (a->job.runner == NULL)
		a->job.runner = stage_runner_new(NULL, NULL);
	return a->job.runner;
}

int
job_submit(struct app *a, const struct stage_req *q, void (*done)(struct app *, int), char **cause)
{
	struct job *j = &a->job;
	unsigned long id;
	struct stage_runner *r = runner(a);

	if (r == NULL)
		return util_fail(cause, "cannot start the stage runner's thread");
	if (stage_writes(q->stage)) {
		struct lock_holder h;
		char who[160];

		if (lock_probe(q->study, &h) == 1 && !h.ours) {
			lock_holder_text(&h, who, sizeof who);
			/* the study is the open one: its path would push the holder off
			 * the status line */
			return util_fail(cause, "read-only: this study is being written by %s; %s waits until it ends",
			    who, stage_name(q->stage));
		}
	}
	if (j->npending == JOB_MAX_PENDING)
		return util_fail(cause, "too many stages are waiting");
	if (stage_submit(r, q, &id, cause) != 0)
		return -1;
	j->pending[j->npending].id = id;
	j->pending[j->npending].done = done;
	j->npending++;
	stage_get_state(r, &j->st);
	return 0;
}

int
job_running(const struct app *a)
{
	return a->job.runner != NULL && (a->job.st.busy || a->job.st.nqueued > 0);
}

static void
finished(struct app *a, const struct stage_event *ev)
{
	struct job *j = &a->job;
	void (*done)(struct app *, int) = NULL;
	int i;

	for (i = 0; i < j->npending; i++)
		if (j->pending[i].id == ev->id) {
			done = j->pending[i].done;
			memmove(&j->pending[i], &j->pending[i + 1], (size_t)(j->npending - i - 1) *
			    sizeof *j->pending);
			j->npending--;
			break;
		}
	app_study_reload(a);
	app_check_stale(a);
	if (ev->status == EXIT_INTERRUPTED && ev->msg[0] != '\0')
		app_status(a, "%s", ev->msg);
	else if (ev->status == EXIT_INTERRUPTED)
		app_status(a, "%s stopped; its state is saved (start it again to resume)",
		    stage_name(ev->stage));
	else if (ev->status != EXIT_OK)
		app_error(a, xsprintf("%s failed: %s", stage_name(ev->stage), ev->msg[0] ? ev->msg : "?"));
	if (done != NULL)
		done(a, ev->status);
}

/* One line of the job log per event worth reading later: a stage's
 * queueing, start, notes and end, and its progress by tenths (and each new
 * part: "run 2/5"). */
static void
log_event(struct app *a, const struct stage_event *ev)
{
	const char *who = stage_name(ev->stage);
	char buf[400];

	switch (ev->kind) {
	case STAGE_EV_QUEUED:
		tui_log_add(&a->joblog, TUI_SEV_INFO, who, "queued");
		break;
	case STAGE_EV_START:
		a->joblog_decile = -1;
		a->joblog_label[0] = '\0';
		tui_log_add(&a->joblog, TUI_SEV_INFO, who, ev->msg[0] ? ev->msg : "started");
		break;
	case STAGE_EV_PROGRESS: {
		int dec = ev->total > 0 ? (int)(10 * ev->step / ev->total) : -1;

		if (strcmp(ev->label, a->joblog_label) == 0 && dec == a->joblog_decile)
			break;
		if (strcmp(ev->label, a->joblog_label) == 0 && dec < 0)
			break;
		snprintf(a->joblog_label, sizeof a->joblog_label, "%s", ev->label);
		a->joblog_decile = dec;
		if (ev->total > 0)
			snprintf(buf, sizeof buf, "%s%s%.0f%% (%g of %g)%s%s", ev->label, ev->label[0] ? " " : "",
			    100 * ev->step / ev->total, ev->step, ev->total, ev->msg[0] ? ": " : "", ev->msg);
		else
			snprintf(buf, sizeof buf, "%s%s%s", ev->label, ev->label[0] && ev->msg[0] ? ": " : "",
			    ev->msg);
		tui_log_add(&a->joblog, TUI_SEV_INFO, who, buf);
		break;
	}
	case STAGE_EV_NOTE:
		tui_log_add(&a->joblog, TUI_SEV_INFO, who, ev->msg);
		break;
	case STAGE_EV_DONE:
		if (ev->status == EXIT_OK)
			tui_log_add(&a->joblog, TUI_SEV_INFO, who, "done");
		else if (ev->status == EXIT_INTERRUPTED)
			tui_log_add(&a->joblog, TUI_SEV_WARN, who, ev->msg[0] ? ev->msg : "stopped; its state is saved");
		else {
			snprintf(buf, sizeof buf, "failed (exit status %d): %s", ev->status, ev->msg[0] ? ev->msg : "?");
			tui_log_add(&a->joblog, TUI_SEV_ERROR, who, buf);
		}
		break;
	}
}

void
job_poll(struct app *a)
{
	struct job *j = &a->job;
	struct stage_event ev;
	struct stage_state before;
	int i;

	if (j->runner == NULL)
		return;
	stage_get_state(j->runner, &before);
	while (stage_poll(j->runner, &ev) == 1) {
		log_event(a, &ev);
		for (i = 0; i < SCREEN_COUNT; i++)
			if (tui_screens[i]->event != NULL)
				tui_screens[i]->event(a, &ev);
		if (ev.kind == STAGE_EV_NOTE && ev.msg[0] != '\0')
			app_status(a, "%s", ev.msg);
		else if (ev.kind == STAGE_EV_DONE) {
			j->ended++;
			finished(a, &ev);
		}
	}
	/* idle before the events were drained: every DONE has been seen, and
	 * what is still pending was dropped by a stop */
	if (!before.busy && before.nqueued == 0)
		j->npending = 0;
	stage_get_state(j->runner, &j->st);
}

/* Who else writes the open study (every second). */
void
job_check_lock(struct app *a)
{
	double now = util_now();

	if (now - a->lock_checked < 1.0)
		return;
	a->lock_checked = now;
	a->foreign = a->st != NULL && lock_probe(a->st->dir, &a->holder) == 1 &&
	    !a->holder.ours;
}

void
job_pause(struct app *a)
{
	if (job_running(a))
		stage_pause(a->job.runner);
}

void
job_resume(struct app *a)
{
	if (job_running(a))
		stage_resume(a->job.runner);
}

void
job_stop(struct app *a)
{
	if (job_running(a))
		stage_cancel(a->job.runner);
}

int
job_is(const struct app *a, int stage)
{
	return a->job.runner != NULL && a->job.st.busy && a->job.st.stage == stage;
}

void
job_stop_wait(struct app *a, double timeout_s)
{
	if (a->job.runner == NULL)
		return;
	stage_cancel(a->job.runner);
	stage_wait_idle(a->job.runner, timeout_s);
	job_poll(a);
}

void
job_free(struct app *a)
{
	if (a->job.runner != NULL)
		stage_runner_free(a->job.runner);
	a->job.runner = NULL;
	a->job.npending = 0;
}

/* "train run 2/5 41% 1:23" or, with a queue, "train 41% 1:23 +generate
 * +evaluate": short enough for the top bar at 80 columns. */
void
job_describe(const struct app *a, char *buf, size_t size)
{
	const struct stage_state *s = &a->job.st;
	const struct stage_event *e = &s->last;
	int off = 0, i;

	buf[0] = '\0';
	if (!job_running(a))
		return;
	if (s->busy) {
		off = snprintf(buf, size, "%s%s", stage_name(s->stage), s->paused ? " paused" :
		    s->cancelling ? " stopping" : "");
		if (e->stage == s->stage && e->kind == STAGE_EV_PROGRESS && off < (int)size) {
			if (e->label[0] != '\0' && s->nqueued == 0)
				off += snprintf(buf + off, size - off, " %s", e->label);
			if (e->total > 0 && off < (int)size)
				off += snprintf(buf + off, size - off, " %.0f%%", 100 * e->step / e->total);
		}
		if (off < (int)size)
			off += snprintf(buf + off, size - off, " %d:%02d", (int)s->elapsed / 60,
			    (int)s->elapsed % 60);
	}
	for (i = 0; i < s->nqueued && off < (int)size; i++)
		off += snprintf(buf + off, size - off, "%s+%s", off ? " " : "", stage_name(s->queued[i]));
}
