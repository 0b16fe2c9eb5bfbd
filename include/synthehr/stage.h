/* synthehr — GPL-3.0-or-later.
 * The stage runner: every stage of a study (import, init, prep, train,
 * generate, evaluate, report, check) runs in-process on one worker thread,
 * one at a time, from a queue.  A stage posts progress events (stage, step,
 * total, message, a numeric payload); front ends get them through a
 * callback (called on a worker thread) or by polling the runner's event
 * queue, and map a stage's status (exitcode.h) to their own ends.  Pause
 * and cancel act at the stage's next safe point; a cancelled stage has
 * saved what it finished and is resumable by running it again.
 *
 * Starting a stage while others run queues it, or refuses it with a reason:
 * a stage is refused while a stage that consumes its outputs is running or
 * queued (prep under a training would rewrite the training rows), when the
 * same stage is already waiting, or when it is for another study.  Nothing
 * here prints, forks or execs. */
#ifndef SYNTHEHR_STAGE_H
#define SYNTHEHR_STAGE_H

#include "synthehr/exitcode.h"
#include "synthehr/train.h"

struct eval_opts;
struct mimic_options;
struct report_html_opts;
struct study_init_opts;

/* In pipeline order: a stage writes what the later ones read. */
enum stage_id {
	STAGE_IMPORT,    /* MIMIC-IV → a cohort CSV */
	STAGE_INIT,      /* a cohort → a new study */
	STAGE_PREP,      /* prep/ */
	STAGE_TRAIN,     /* runs/run-N/ checkpoints and losses */
	STAGE_GENERATE,  /* runs/NAME/synthetic.* */
	STAGE_EVALUATE,  /* eval/metrics.json */
	STAGE_REPORT,    /* the Markdown and the HTML report */
	STAGE_CHECK,     /* every file verified (check.h); writes nothing but with clean */
	STAGE_COUNT
};
const char *stage_name(int stage);
/* "training", "evaluating", ... for status lines. */
const char *stage_verb(int stage);
/* 1 for the stages that write into their study and take its lock (lock.h):
 * prep, generate, evaluate, report exclusively, train shared (plus each
 * run it trains). */
int stage_writes(int stage);

/* What to run.  Strings are copied by stage_submit. */
struct stage_req {
	int stage;               /* enum stage_id */
	const char *study;       /* study directory (import: the cohort file it writes) */
	int after_ok;            /* run only if the stage queued just before it ended EXIT_OK */
	/* init */
	const char *data;        /* cohort file; NULL with demo */
	const char *label;       /* the label column (init --label); NULL: inferred */
	int demo;
	size_t demo_rows;
	int demo_concepts;
	unsigned long long demo_seed;
	/* init: complete options (roles, sex, ...) that the caller keeps alive
	 * until the stage ends (stage_run callers); NULL: the fields above */
	const struct study_init_opts *init_opts;
	/* import */
	const char *mimic_dir, *phecodes;
	/* import: complete options as init_opts (out is out_path, progress the
	 * runner's); NULL: mimic_dir and phecodes above */
	const struct mimic_options *mimic_opts;
	/* check: remove the leftovers of interrupted writes (takes the lock) */
	int check_clean;
	/* train */
	struct train_opts train;
	/* generate: run 0 every trained run and the baseline, K only run K,
	 * -1 only the baseline; a negative rows/seed keeps study.json's */
	int gen_run;
	long long gen_rows, gen_seed;
	int gen_nostratify, gen_sample, gen_ckpt;
	int gen_peer;            /* > 0: only that peer (enum synth_method), refitted */
	/* evaluate: the preset (NULL: study.json's), or complete options that
	 * the caller keeps alive until the stage ends (stage_run callers) */
	const char *eval_preset;
	const struct eval_opts *eval_opts;
	/* report: where to write the Markdown report (NULL: STUDY/eval/report.md;
	 * the HTML report goes to STUDY/eval/report.html; a path ending in .html
	 * writes the HTML report alone there); import: the cohort file */
	const char *out_path;
	/* report: the weight profile (NULL: the study's) and tie handling */
	const char *profile;
	int fractional_ties;
	/* report: 1 the HTML report alone (to out_path when set), -1 the Markdown
	 * report alone, 0 both; the smallest patient count shown (0: study.json
	 * report.min_cell, else 10); phecodes (above) names the concepts */
	int report_only;
	int min_cell;
	/* stage_run callers: run on this open study (its in-memory settings)
	 * instead of opening `study`; the caller keeps and frees it */
	struct study *open_study;
	/* for stage_run callers: filled when not NULL (prep: struct prep_report *,
	 * import: struct mimic_summary *; the caller frees them as usual) */
	void *result;
};

enum stage_ev_kind {
	STAGE_EV_QUEUED,     /* accepted and waiting */
	STAGE_EV_START,      /* begins */
	STAGE_EV_PROGRESS,   /* step of total (part of nparts); value, rate, eta_s */
	STAGE_EV_NOTE,       /* a remark (result = 1: a result line, e.g. "wrote X") */
	STAGE_EV_DONE,       /* ended with status (EXIT_*); msg: the cause of a failure */
	STAGE_EV_COUNT
};

struct stage_event {
	int kind;                /* enum stage_ev_kind */
	int stage;               /* enum stage_id */
	unsigned long id;        /* the submission (stage_submit's *id) */
	int sub;                 /* the stage's own kind (train: enum train_ev_kind), else -1 */
	int part, nparts;        /* run k of n, set k of n; 0 when none */
	double step, total;      /* progress within the part (epochs, rows, fraction) */
	double value;            /* numeric payload (a loss, a metric); NAN if none */
	double rate, eta_s;      /* steps per second, seconds left; 0/NAN if unknown */
	char label[64];          /* PROGRESS: what the bar is for ("run 2/5", "run-1 dwd") */
	int result;              /* NOTE: 1 for a result line */
	int status;              /* DONE: EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED */
	char msg[256];
	/* NOTE: the whole text when msg had to cut it (a check line with a
	 * long path); valid during the callback only (NULL in polled copies) */
	const char *text;
	/* train: the training event it came from, for callbacks that want every
	 * detail; valid during the callback only (NULL in polled copies) */
	const struct train_event *train;
};

/* What the front end draws: the running stage and the queue. */
#define STAGE_QUEUE_MAX 8
struct stage_state {
	int busy;                /* a stage runs */
	int stage;               /* the running one (-1 when idle) */
	int paused, cancelling;
	double elapsed;          /* running seconds of the current stage, pauses excluded */
	struct stage_event last; /* its latest PROGRESS (or START) event */
	int nqueued;
	int queued[STAGE_QUEUE_MAX];
	int last_stage, last_status;  /* the previous stage to end and its status (-1: none) */
};

struct stage_runner;
typedef void (*stage_cb)(const struct stage_event *ev, void *arg);

/* A runner with its worker thread; cb may be NULL. */
struct stage_runner *stage_runner_new(stage_cb cb, void *arg);
/* Cancel what runs, drop the queue, join the worker and free. */
void stage_runner_free(struct stage_runner *r);
/* Queue q: 0 (accepted; *id set when id is not NULL) or -1 with *cause
 * saying why it is refused. */
int stage_submit(struct stage_runner *r, const struct stage_req *q, unsigned long *id, char **cause);
/* Next queued event (1) or nothing (0); never blocks.  Keeps the latest
 * 1024 events (older PROGRESS events are dropped first). */
int stage_poll(struct stage_runner *r, struct stage_event *ev);
void stage_get_state(struct stage_runner *r, struct stage_state *out);
void stage_pause(struct stage_runner *r);
void stage_resume(struct stage_runner *r);
/* Stop the running stage at its next safe point and drop the queue. */
void stage_cancel(struct stage_runner *r);
/* Drop the last queued stage (not the running one): 0, or -1 if none. */
int stage_unqueue(struct stage_runner *r);
/* Block until nothing runs or waits (or timeout_s passed, < 0: forever);
 * returns the status of the last stage that ended, -1 on timeout. */
int stage_wait_idle(struct stage_runner *r, double timeout_s);
/* A live training's loss history (train_history), 0 when none runs. */
int stage_train_history(struct stage_runner *r, int run, int field, double *out, int max);

/* Run one stage to its end on a fresh runner; returns its status. */
int stage_run(const struct stage_req *q, stage_cb cb, void *arg);

/* Called by stages (on the worker thread): post progress.  Blocks while the
 * runner is paused; returns 1 when the stage should stop. */
struct stage_ctx;
int stage_progress(struct stage_ctx *c, int part, int nparts, double step, double total, double value,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void stage_note(struct stage_ctx *c, int result, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
