/* synthehr — GPL-3.0-or-later.
 * Training runs: N independent EMR-WGAN runs of a study, each with its own
 * recorded seed, loss history (runs/run-N/loss.csv), resumable checkpoints
 * and a chosen checkpoint (runs/run-N/state.json).  Training happens in a
 * worker thread; front ends get progress either through a callback (called
 * on the worker thread) or by polling an event queue and a snapshot, both
 * guarded by the job's mutex.  Nothing here prints. */
#ifndef SYNTHEHR_TRAIN_H
#define SYNTHEHR_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/wgan.h"

#define TRAIN_MAX_RUNS 64

enum train_rule {
	TRAIN_RULE_TUTORIAL,  /* SPEC §1.5: keep if 0 < -disc_loss <= best; latest kept is chosen */
	TRAIN_RULE_METRIC,    /* quick DWD of a generated sample vs the training rows; lowest is chosen */
	TRAIN_RULE_COUNT
};

enum train_lr_schedule {
	TRAIN_LR_CONSTANT,    /* the preset's rates throughout (the tutorial's) */
	TRAIN_LR_COSINE,      /* cosine from the rates down to lr_floor x the rates */
	TRAIN_LR_STEP,        /* halved at each quarter of the schedule: 1, 1/2, 1/4, 1/8 */
	TRAIN_LR_COUNT
};

/* Every number of a training run (study.json "train"; defaults from the preset). */
struct train_settings {
	char preset[16];          /* "tutorial" or "quick" */
	int runs;                 /* independent runs (5) */
	int epochs;               /* passes over the training rows */
	int batch;                /* rows per step */
	int drop_remainder;       /* 1: the last short batch of an epoch is dropped */
	int zdim, width, depth;   /* noise size, hidden width, hidden layers (G and D) */
	double lr_g, lr_d;        /* learning rates */
	double gp_lambda;         /* gradient-penalty weight */
	int optimizer;            /* WGAN_OPT_RMSPROP or WGAN_OPT_ADAM */
	double adam_b1, adam_b2;
	uint64_t seed;            /* run k's seed is seeds[k-1] if given, else seed + k - 1 */
	uint64_t seeds[TRAIN_MAX_RUNS];
	int nseeds;
	int ckpt_every;           /* checkpoint period in epochs (resume state and candidates) */
	int ckpt_after;           /* candidates only at epochs > ckpt_after */
	int ckpt_keep;            /* candidate files kept besides the chosen one */
	int rule;                 /* enum train_rule */
	int metric_rows;          /* rows generated per metric evaluation (0: training size, capped 20000) */
	int threads;              /* OpenBLAS threads; 0 leaves the default */
	double minutes;           /* > 0: each run trains this many minutes (epochs is then no limit) */
	int lr_schedule;          /* enum train_lr_schedule */
	double lr_floor;          /* cosine: final rate as a fraction of the initial one */
	int parallel;             /* runs trained at once (one BLAS thread each when > 1); 0: auto */
	int encode;               /* 1: the generator works on prep's encodings (quick);
	                           * 0: min–max for every continuous column (tutorial) */
};

/* Fill with a named preset; -1 for an unknown name. */
int train_settings_preset(const char *name, struct train_settings *ts, char **cause);
/* The section's "preset" (default "quick") overlaid with its explicit keys;
 * every value is checked (type and range), errors name "study.json: train.KEY". */
int train_settings_load(json_t *section, struct train_settings *ts, char **cause);
/* Every setting as a JSON object (what state.json records). */
json_t *train_settings_to_json(const struct train_settings *ts);
/* Hash of the settings that determine run `run`'s arithmetic (model sizes,
 * batch, optimizer, rates, λ, rule and the run's seed); epochs, thread count
 * and the checkpoint schedule are left out so a run can be extended. */
uint64_t train_settings_hash(const struct train_settings *ts, int run);
uint64_t train_run_seed(const struct train_settings *ts, int run);
/* 1 when runs of these settings train on l's encodings (l->enc loaded and
 * not all min–max, ts->encode set). */
int train_encoded(const struct train_settings *ts, const struct layout *l);
/* The layout hash checkpoints record: the layout's, mixed with the
 * encoding's when the run trains on encodings. */
uint64_t train_layout_hash(const struct train_settings *ts, const struct layout *l);
/* The model configuration for a layout (cfg points into l's group arrays,
 * or the encoding's network groups when train_encoded). */
void train_wgan_config(const struct train_settings *ts, const struct layout *l,
    struct wgan_config *cfg);
const char *train_rule_name(int rule);
const char *train_lr_schedule_name(int schedule);
/* The factor the learning rates are multiplied by at progress p in [0, 1]
 * of the schedule (p = steps done / epochs x steps per epoch, or the
 * elapsed fraction of the time budget when train.minutes > 0):
 *   constant 1;  cosine floor + (1 - floor) (1 + cos(pi p)) / 2;
 *   step 0.5^min(3, floor(4 p)). */
double train_lr_factor(int schedule, double floor, double p);
/* Runs trained at once: train.parallel, or when 0 every run at once (one
 * after another when train.threads > 1). Never more than nruns. */
int train_parallel(const struct train_settings *ts, int nruns);

/* The quick fidelity score used by the metric rule (lower is better): the
 * tutorial's DWD with an absolute continuous part,
 *   (Σ_c |p_S(c) − p_R(c)| over group and binary columns except the label
 *    + Σ_c W1(R_c, S_c) over continuous columns, in scaled [0,1] units)
 *   / (D − 1) × 1000.
 * real: scaled training matrix; synth [n × D] model outputs in [0,1]
 * (group and binary columns count as 1 when ≥ 0.5). */
double train_fidelity(const struct mtx *real, const struct layout *l, const float *synth, size_t n);

/* ---- Jobs */

enum train_ev_kind {
	TRAIN_EV_START,       /* a run starts or resumes (epoch = first epoch - 1) */
	TRAIN_EV_EPOCH,       /* an epoch finished; st holds its means */
	TRAIN_EV_CKPT,        /* a scheduled checkpoint was written; score, chosen_epoch */
	TRAIN_EV_RUN_DONE,    /* a run reached its last epoch (or was already complete) */
	TRAIN_EV_DONE,        /* every run finished */
	TRAIN_EV_CANCELLED,   /* stopped by train_cancel or a signal; state saved */
	TRAIN_EV_ERROR,       /* msg says what failed; the job stops */
	TRAIN_EV_COUNT
};

struct train_job;

struct train_event {
	int kind;                 /* enum train_ev_kind */
	struct train_job *job;
	int run, nruns;           /* 1-based run, number of runs */
	int epoch, epochs;        /* completed epochs of this run, target */
	struct wgan_stats st;     /* epoch means (EPOCH, CKPT) */
	double seconds;           /* this run's training seconds so far */
	double steps_per_s;       /* training steps per second (recent) */
	double eta_s;             /* seconds left for the whole job, estimated */
	double score;             /* CKPT: the rule's score at this epoch (NAN if none) */
	int chosen_epoch;         /* CKPT/RUN_DONE: the currently chosen checkpoint (0 = none) */
	char msg[256];            /* ERROR: the cause; otherwise a short note or "" */
	int peer;                 /* 1: a classical peer's fit (synth.h): START and RUN_DONE
	                           * only, msg says what it does or did */
};

enum train_state { TRAIN_RUNNING, TRAIN_PAUSED, TRAIN_FINISHED, TRAIN_STOPPED, TRAIN_FAILED };

/* What the UI thread reads to draw: the latest event and the job's state. */
struct train_snapshot {
	int state;                /* enum train_state */
	struct train_event last;  /* most recent event of any kind */
	int run, nruns, epoch, epochs;
};

struct train_opts {
	int restart;              /* discard existing run directories first */
	int only_run;             /* 0: runs 1..runs; k: only run k */
	const char *method;       /* NULL: study.json train.method (default emrwgan);
	                           * else "emrwgan", "cart", "copula" or "marginals" (synth.h) */
};

typedef void (*train_cb)(const struct train_event *ev, void *arg);

/* Loads prep/layout.json and prep/train.mtx and the "train" settings of s,
 * checks them, then trains in a worker thread.  cb (may be NULL) is called
 * on the worker thread for every event; events are also queued for
 * train_poll.  s must outlive the job; s->cfg is only read. */
/* Before anything is written: -2 with cause when prep/train.mtx is not this
 * study's training rows (header only: role, layout, source), when a run
 * to resume was trained with other settings or other training rows, or
 * its ckpt-last.bin is damaged; -1 on an I/O error. */
int train_check_settings(struct study *s, const struct train_opts *o, char **cause);
struct train_job *train_start(struct study *s, const struct train_opts *o, train_cb cb, void *arg,
    char **cause);
void train_pause(struct train_job *j);
void train_resume(struct train_job *j);
/* Ask to stop: the worker saves the last completed epoch and stops. */
void train_cancel(struct train_job *j);
/* Next queued event (1) or nothing (0); never blocks.  The queue keeps the
 * latest 512 events (older epoch events are dropped first). */
int train_poll(struct train_job *j, struct train_event *ev);
void train_snapshot(struct train_job *j, struct train_snapshot *out);
/* Loss history of run (1-based) so far, for live plots: field 0..7 =
 * disc_loss, w_distance, gp, gen_loss, d_real, d_fake, seconds, epoch.
 * Copies at most max values into out; returns how many exist. */
int train_history(struct train_job *j, int run, int field, double *out, int max);
/* Join the worker and free the job: 0 all runs done, 1 cancelled (state
 * saved; resumable), -1 failed with *cause, -2 refused a damaged or foreign
 * checkpoint (bad input) with *cause. */
int train_wait(struct train_job *j, char **cause);

/* ---- Run directories (also used by generation and the TUI) */

/* prep/layout.json and prep/train.mtx (scaled to [0,1]); a clear message
 * naming `synthehr prep` when they are missing. */
int train_load_data(struct study *s, struct layout **lo, struct mtx **tr, char **cause);
/* runs/run-K relative path, caller-freed. */
char *train_run_dir(int run);
/* runs/run-K/state.json, or -1 when absent or unreadable. */
int train_read_state(struct study *s, int run, json_t **out, char **cause);
/* runs/run-K/loss.csv as 8 caller-freed columns in file order (epoch,
 * disc_loss, w_distance, gp, gen_loss, d_real, d_fake, seconds) of *n rows;
 * a missing file gives *n = 0; a malformed row is an error naming its line. */
int train_read_loss(struct study *s, int run, double *cols[8], int *n, char **cause);

#endif
