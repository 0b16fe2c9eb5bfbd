/* synthehr — GPL-3.0-or-later.
 * The TUI's shared state and the screen interface (htop's components):
 * each screen is a small table of functions; key handlers return flags
 * instead of drawing, and drawing goes only into a canvas. */
#ifndef SYNTHEHR_TUI_TUI_H
#define SYNTHEHR_TUI_TUI_H

#include <sys/types.h>

#include "synthehr/cohort.h"
#include "synthehr/lock.h"
#include "synthehr/rank.h"
#include "synthehr/stage.h"
#include "synthehr/study.h"
#include "tui/canvas.h"
#include "tui/term.h"
#include "tui/theme.h"

/* Key handler results. */
#define TUI_REDRAW 0x1
#define TUI_QUIT 0x2
#define TUI_UNHANDLED 0x4

struct app;

/* One line of the message log or of the job log (viewer.c): when, how
 * grave, who said it (a stage's name in the job log) and the whole text. */
enum { TUI_SEV_INFO, TUI_SEV_WARN, TUI_SEV_ERROR };
struct tui_msg {
	double t;                    /* util_now() wall-clock seconds */
	int sev;                     /* TUI_SEV_* */
	int repeat;                  /* the same text again: counted, not repeated */
	char who[16];
	char *text;
};
struct tui_log {
	struct tui_msg *v;
	int n, cap;
};
#define TUI_LOG_MAX 2000             /* the oldest lines go first */

/* The page shown over the screen (viewer.c), VIEW_NONE for the screen. */
enum { VIEW_NONE, VIEW_HELP, VIEW_MESSAGES, VIEW_LOG, VIEW_COUNT };

struct screen {
	const char *name;
	const char *abbr;          /* a shorter name for a narrow top bar (or NULL) */
	const char *const *keys;   /* "KEY\tdescription" lines, NULL-terminated */
	void (*enter)(struct app *a);             /* on becoming the current screen */
	void (*draw)(struct app *a, struct canvas *cv, int x, int y, int w, int h);
	int (*key)(struct app *a, int key);       /* TUI_* flags */
	void (*tick)(struct app *a);              /* every loop turn (~10/s) */
	void (*reset)(struct app *a);             /* the study or cohort changed */
	void (*event)(struct app *a, const struct stage_event *ev);   /* a stage's event (may be NULL) */
};

enum { SCREEN_LOAD, SCREEN_REVIEW, SCREEN_PREP, SCREEN_TRAIN, SCREEN_EVAL, SCREEN_RANK, SCREEN_COUNT };
extern const struct screen screen_load, screen_review, screen_prep, screen_train, screen_eval,
    screen_rank;
extern const struct screen *const tui_screens[SCREEN_COUNT];

/* The stages this workbench started: they run in-process under the core
 * stage runner (job.c); done callbacks by submission id. */
#define JOB_MAX_PENDING 16
struct job {
	struct stage_runner *runner;   /* created on first use */
	struct stage_state st;         /* refreshed on every poll */
	struct {
		unsigned long id;
		void (*done)(struct app *a, int status);
	} pending[JOB_MAX_PENDING];
	int npending;
	unsigned ended;                /* stages that ended so far */
};

struct app {
	struct study *st;            /* NULL until a study is open */
	struct cohort *cohort;       /* the study's source cohort (may be NULL) */
	char *cohort_err;
	int cur;                     /* current screen */
	char *status;
	int status_role;
	int view;                    /* VIEW_*: a scrollable page over the screen */
	int view_top;                /* its first row shown (wrapped rows) */
	int view_rows, view_page;    /* its rows and page height at the last draw */
	char *view_find;             /* the last '/' search */
	struct tui_log msgs;         /* every status message, warning and error */
	struct tui_log joblog;       /* the stages' events, one line each */
	int joblog_decile;           /* the last progress tenth logged */
	char joblog_label[64];       /* the last progress label logged */
	/* Tab Tab: the completion list, shown over the screen while the ':'
	 * line is open; it pages (Tab Tab again, PgUp/PgDn) */
	char **compl;
	int ncompl, compl_top;
	char *confirm_q;             /* a y/n question shown, or NULL */
	void (*confirm_yes)(struct app *a);
	struct job job;
	struct theme theme;
	int ascii, colour;
	int headless;                /* no terminal (tests) */
	int quit;
	/* the ':' line or a value prompt */
	int prompt_on;
	char *prompt;
	int prompt_kind;             /* CMDLINE_* */
	void (*prompt_done)(struct app *a, char *line);   /* line NULL on cancel; callee frees */
	char *line;                  /* what readline shows */
	int line_point;
	char *study_default;         /* where a new study goes */
	int demo_rows, demo_concepts;
	struct slurm_watch *slurm;   /* the study's Slurm tasks, refreshed in the background */
	/* another process writes the open study (lock.h): the workbench is
	 * read-only for it and follows what it writes */
	int foreign;
	struct lock_holder holder;
	double lock_checked;
	int stale;                   /* STUDY_STALE_* bits (study_read.h) */
	int theme_cli;               /* --theme or $SYNTHEHR_THEME chose the theme: it wins over
	                                the study's and is never written into study.json */
	int theme_chosen;            /* :theme chose it: remembered in study.json "ui" */
};

/* app.c: the state */
int app_busy(const struct app *a);              /* a stage runs or waits, or another process writes */
void app_save_ui(struct app *a);                /* remember the screen (study.json "ui") */
void app_quit(struct app *a);                   /* stop what runs (resumable) and leave */
/* q and :q: asks first when weights are unsaved or a job runs. */
void app_request_quit(struct app *a);
void app_check_stale(struct app *a);            /* a->stale */
void app_status(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_error(struct app *a, char *cause);     /* takes cause */
/* a->cohort_err on the status line: a study.json without a "source" gets
 * one short line, the whole text goes to the message log (M). */
void app_cohort_error(struct app *a);
void app_warn(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void app_confirm(struct app *a, const char *question, void (*yes)(struct app *a));
/* Re-read study.json from disk (after a job wrote it). */
void app_study_reload(struct app *a);
/* Save study.json; errors go to the status line.  Returns 0 on success. */
int app_study_save(struct app *a);
int app_open_study(struct app *a, const char *dir, char **cause);
/* :open and o: open dir, asking first when edited weights would be lost;
 * the outcome goes to the status line. */
int app_open_ask(struct app *a, const char *dir);
/* (Re)load the study's source cohort with the schema's roles. */
int app_load_cohort(struct app *a, char **cause);
void app_switch(struct app *a, int screen);
/* commands.c: the ':' line */
int app_command(struct app *a, const char *line);
/* tui.c: the loop */
void app_draw(struct app *a, struct canvas *cv);
int app_key(struct app *a, int key);
void app_tick(struct app *a);
struct app *app_new(void);
void app_free(struct app *a);
/* Path inside the study (caller frees), or NULL without a study. */
char *app_path(const struct app *a, const char *rel);

/* Screen actions that the ':' commands and other screens call. */
int screen_load_start_demo(struct app *a);
int screen_load_start_csv(struct app *a, const char *path);
int screen_review_show(struct app *a, const char *name);
int screen_prep_start(struct app *a);
int screen_train_start(struct app *a);
int screen_train_interrupted(struct app *a);   /* a run's state.json is not "done" */
int screen_eval_start(struct app *a);
/* Rank: load weight profile NAME (asks before dropping edits); the edits
 * that quitting would lose; forget them (the user agreed). */
int screen_rank_profile(struct app *a, const char *name);
int screen_rank_unsaved(const struct app *a);
void screen_rank_discard(struct app *a);
int screen_eval_export(struct app *a, const char *path);

/* results.c: eval/metrics.json as the workbench shows it, read by the
 * Evaluate and Rank screens alike. */
struct tui_results {
	json_t *metrics;
	double *values;        /* [nsets × RANK_COUNT] */
	double *se;            /* [nsets × RANK_COUNT] standard errors, NaN = none */
	const char **names;    /* [nsets] */
	int nsets;
	int loaded;
	double ref[RANK_COUNT]; /* real-data reference per metric, NaN = none */
	int nref;              /* how many metrics have one */
};
extern struct tui_results tui_res;
void tui_results_load(struct app *a);
void tui_results_reset(void);
/* The table (loaded when needed): values [nsets × RANK_COUNT], names [nsets]. */
int tui_results_table(struct app *a, const double **values, const char *const **names, json_t **metrics);
/* A set's label on the Evaluate and Rank screens: classical peers
 * (runs/peer-NAME) show as "peer:NAME"; *peer says whether it is one, so
 * they can be drawn apart from the EMR-WGAN runs. */
const char *tui_set_label(const char *name, char *buf, size_t size, int *peer);

/* job.c: stages in-process under the core stage runner. */
/* Queue q (0) or refuse it with *cause; done(a, status) runs when it ends. */
int job_submit(struct app *a, const struct stage_req *q, void (*done)(struct app *, int), char **cause);
void job_poll(struct app *a);
int job_running(const struct app *a);     /* a stage runs or waits */
int job_is(const struct app *a, int stage);   /* that stage is running */
void job_pause(struct app *a);
void job_resume(struct app *a);
void job_stop(struct app *a);             /* stop the running stage, drop the queue */
/* Stop everything and wait up to timeout_s for the stage to save. */
void job_stop_wait(struct app *a, double timeout_s);
void job_free(struct app *a);
/* Probe the study lock (at most every second): a->foreign, a->holder. */
void job_check_lock(struct app *a);
/* The running stage, its progress and the queue, for the top bar. */
void job_describe(const struct app *a, char *buf, size_t size);

/* viewer.c: the scrollable pages (help, messages, job log) and the logs. */
void viewer_open(struct app *a, int view);
void viewer_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h);
int viewer_key(struct app *a, int key);
void tui_log_add(struct tui_log *l, int sev, const char *who, const char *text);
void tui_log_free(struct tui_log *l);
/* The completion list over the screen (Tab Tab); takes words. */
void viewer_completions(struct app *a, char **words, int n);
void viewer_completions_close(struct app *a);
void viewer_completions_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h);
/* Scroll the completion list a page (dir > 0 on, < 0 back; wraps at the end). */
void viewer_completions_page(struct app *a, int dir);
/* A list's selection after a Home/End/PgUp/PgDn/Up/Down key: n items,
 * page rows a page; returns -1 when the key is none of those. */
int tui_list_key(int key, int sel, int n, int page);

/* cmdline.c: readline's callback interface inside curses. */
enum { CMDLINE_COMMAND, CMDLINE_PATH, CMDLINE_VALUE };
void cmdline_open(struct app *a, const char *prompt, int kind, const char *initial,
    void (*done)(struct app *a, char *line));
int cmdline_key(struct app *a, int key);
void cmdline_close(struct app *a);
/* The ':' commands (commands.c): one row each, in the order :help lists
 * them; the command line dispatches, completes and documents from it. */
struct tui_command {
	const char *name;
	const char *alias;           /* another name, or NULL */
	const char *args;            /* what follows ("KEY VALUE"), "" for nothing */
	const char *help;            /* one line */
	int need_arg;                /* 1: refused without an argument */
	int (*run)(struct app *a, char *const *w);   /* w[0] the name, w[1], w[2] the rest */
};
extern const struct tui_command tui_command_table[];
/* ':set' keys outside the settings table, "KEY\twhat it sets" (commands.c). */
extern const char *const tui_set_extra[];
/* The keys every screen has, "KEY\tdescription" (tui.c). */
extern const char *const tui_keys_global[];
/* Words the ':' line completes: every command name and alias. */
const char *const *tui_command_words(void);
const char *const *tui_set_keys(void);

/* Small helpers shared by the screens (app.c). */
int tui_is_plot_role(int r);
const char *tui_fmt(char *buf, size_t n, double v);   /* compact number */

#endif
