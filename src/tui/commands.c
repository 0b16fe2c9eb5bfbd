/* synthehr — GPL-3.0-or-later.
 * The workbench's ':' commands: one table (tmux's cmd_table) that runs
 * them, completes their names and writes the :help page, and ':set'. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "synthehr/encode.h"
#include "synthehr/settings.h"
#include "synthehr/slurm.h"
#include "synthehr/train.h"
#include "synthehr/util.h"
#include "tui/tui.h"

const char *const tui_set_extra[] = {
	"encode\t[COLUMN=]KIND: the generator encoding of the continuous columns, or of one "
	    "(auto minmax quantile gmm zero onehot; study.json prep.encoding)",
	"study\tDIR: where :demo and d put a new study (default ./synthehr-study)",
	NULL,
};

/* The keys ':set' knows: every row of the settings table and those of
 * tui_set_extra. */
const char *const *
tui_set_keys(void)
{
	static const char **keys;
	static char names[128][48];
	const struct setting *st;
	int n = 0, i;

	if (keys != NULL)
		return keys;
	keys = xcalloc(SH_NELEM(names) + SH_NELEM(tui_set_extra), sizeof *keys);
	for (st = settings_table; st->key != NULL && n < (int)SH_NELEM(names); st++, n++)
		keys[n] = setting_set_name(st, names[n], sizeof names[n]);
	for (i = 0; tui_set_extra[i] != NULL; i++, n++) {
		snprintf(names[n], sizeof names[n], "%.*s", (int)strcspn(tui_set_extra[i], "\t"),
		    tui_set_extra[i]);
		keys[n] = names[n];
	}
	keys[n] = NULL;
	return keys;
}

/* ':set encode [COL=]KIND': prep.encoding, a column map rather than one
 * key of the settings table (prep checks the column). */
static int
command_set_encode(struct app *a, const char *val)
{
	const char *eq = strrchr(val, '=');
	json_t *sec, *e, *cols;

	if (enc_kind_parse(eq ? eq + 1 : val) < -1 || eq == val) {
		app_error(a, xsprintf(":set encode: expected [COLUMN=]KIND, KIND one of auto minmax "
		    "quantile gmm zero onehot; got '%s'", val));
		return -1;
	}
	sec = study_section(a->st, "prep");
	e = json_object_get(sec, "encoding");
	if (!json_is_object(e)) {
		json_t *n = json_object();

		if (json_is_string(e))
			json_object_set(n, "default", e);
		json_object_set_new(sec, "encoding", n);
		e = n;
	}
	if (eq == NULL)
		json_object_set_new(e, "default", json_string(val));
	else {
		char *col = xstrndup(val, (size_t)(eq - val));

		cols = json_object_get(e, "columns");
		if (!json_is_object(cols)) {
			cols = json_object();
			json_object_set_new(e, "columns", cols);
		}
		if (strcmp(eq + 1, "auto") == 0)
			json_object_del(cols, col);
		else
			json_object_set_new(cols, col, json_string(eq + 1));
		free(col);
	}
	if (app_study_save(a) == 0)
		app_status(a, "encode = %s", val);
	return 0;
}

/* ':set KEY VALUE': the settings table names the section, checks the value
 * (type, range, allowed words) and the whole section is checked again
 * before study.json is saved. */
static int
command_set(struct app *a, const char *key, const char *val)
{
	const struct setting *st;
	struct train_settings ts;
	json_t *sec, *v = NULL;
	char *cause = NULL;

	if (key == NULL || val == NULL) {
		app_error(a, xstrdup("usage: :set KEY VALUE (Tab completes the keys and their words;"
		    " 'synthehr help settings' lists them)"));
		return -1;
	}
	if (strcmp(key, "study") == 0) {
		free(a->study_default);
		a->study_default = xstrdup(val);
		app_status(a, "new studies go to %s", val);
		return 0;
	}
	if (strcmp(key, "encode") == 0) {
		if (a->st == NULL) {
			app_error(a, xstrdup(":set encode: no study is open (load one on screen 1)"));
			return -1;
		}
		app_study_reload(a);
		return command_set_encode(a, val);
	}
	if ((st = settings_find_set_name(key)) == NULL) {
		app_error(a, xsprintf(":set: unknown setting '%s' (try Tab to complete)", key));
		return -1;
	}
	if (setting_parse(st, val, &v, &cause) != 0) {
		app_error(a, xsprintf(":set %s", cause));
		free(cause);
		return -1;
	}
	if (strcmp(st->section, "ui") == 0) {
		int n = (int)json_integer_value(v);

		if (strcmp(st->key, "demo_rows") == 0)
			a->demo_rows = n;
		else
			a->demo_concepts = n;
		json_decref(v);
		app_status(a, "%s = %d", key, n);
		return 0;
	}
	if (a->st == NULL) {
		json_decref(v);
		app_error(a, xsprintf(":set %s: no study is open (load one on screen 1)", key));
		return -1;
	}
	app_study_reload(a);
	sec = study_section(a->st, st->section);
	json_object_set_new(sec, st->key, v);
	if (strcmp(st->section, "train") == 0 && train_settings_load(sec, &ts, &cause) != 0) {
		app_error(a, cause);
		app_study_reload(a);
		return -1;
	}
	if (app_study_save(a) == 0)
		app_status(a, "%s = %s", key, val);
	return 0;
}

static int
cmd_quit(struct app *a, char *const *w)
{
	(void)w;
	app_request_quit(a);
	return 0;
}

static int
cmd_quit_now(struct app *a, char *const *w)
{
	(void)w;
	app_quit(a);
	return 0;
}

static int
cmd_set(struct app *a, char *const *w)
{
	return command_set(a, w[1], w[2]);
}

static int
cmd_screen(struct app *a, char *const *w)
{
	int i;

	for (i = 0; i < SCREEN_COUNT; i++)
		if (strcasecmp(w[1], tui_screens[i]->name) == 0 || atoi(w[1]) == i + 1) {
			app_switch(a, i);
			return 0;
		}
	app_error(a, xsprintf(":screen: no screen '%s' (1-6 or a name: Load Review Preprocess Train "
	    "Evaluate Rank)", w[1]));
	return -1;
}

static int
cmd_theme(struct app *a, char *const *w)
{
	struct theme th;
	char *cause = NULL;

	if (theme_load(w[1], &th, &cause) != 0) {
		app_error(a, cause);
		return -1;
	}
	a->theme = th;
	a->theme_chosen = 1;
	if (term_active())
		term_set_theme(&a->theme, a->colour);
	app_save_ui(a);
	app_status(a, "theme %s", th.name);
	return 0;
}

static int
cmd_open(struct app *a, char *const *w)
{
	return app_open_ask(a, w[1]);
}

static int cmd_column(struct app *a, char *const *w) { return screen_review_show(a, w[1]); }
static int cmd_demo(struct app *a, char *const *w) { (void)w; return screen_load_start_demo(a); }
static int cmd_load(struct app *a, char *const *w) { return screen_load_start_csv(a, w[1]); }
static int cmd_prep(struct app *a, char *const *w) { (void)w; return screen_prep_start(a); }
static int cmd_train(struct app *a, char *const *w) { (void)w; return screen_train_start(a); }
static int cmd_evaluate(struct app *a, char *const *w) { (void)w; return screen_eval_start(a); }

static int
cmd_export(struct app *a, char *const *w)
{
	return screen_eval_export(a, w[1] != NULL ? w[1] : "report.md");
}

static int
cmd_help(struct app *a, char *const *w)
{
	(void)w;
	viewer_open(a, VIEW_HELP);
	return 0;
}

static int
cmd_messages(struct app *a, char *const *w)
{
	(void)w;
	viewer_open(a, VIEW_MESSAGES);
	return 0;
}

static int
cmd_log(struct app *a, char *const *w)
{
	(void)w;
	viewer_open(a, VIEW_LOG);
	return 0;
}

static int
cmd_profile(struct app *a, char *const *w)
{
	return screen_rank_profile(a, w[1]);
}

/* Every ':' command.  :help lists them in this order, Tab completes their
 * names and aliases, and app_command runs them: nothing else spells them. */
const struct tui_command tui_command_table[] = {
	{ "column", "col", "NAME", "show column NAME on the Review screen", 1, cmd_column },
	{ "demo", NULL, "", "create a study from the built-in demo cohort (its size: :set demo_rows, "
	    "demo_concepts; where: :set study)", 0, cmd_demo },
	{ "load", NULL, "FILE", "create a study from a cohort CSV or CSV.gz", 1, cmd_load },
	{ "open", NULL, "DIR", "open another study (its screen and theme come back)", 1, cmd_open },
	{ "prep", NULL, "", "preprocess the cohort: write prep/ (asks first)", 0, cmd_prep },
	{ "train", "generate", "", "train the runs, then generate their synthetic cohorts", 0, cmd_train },
	{ "evaluate", "rank", "", "evaluate every run and peer (eval/metrics.json)", 0, cmd_evaluate },
	{ "profile", NULL, "NAME", "load weight profile NAME on the Rank screen (A, B or a saved one)", 1,
	    cmd_profile },
	{ "export", NULL, "[FILE]", "write FILE (Markdown; default report.md) and eval/report.html",
	    0, cmd_export },
	{ "set", NULL, "KEY VALUE", "change a setting in study.json (Tab completes keys and words; "
	    "the settings are listed below)", 0, cmd_set },
	{ "theme", NULL, "NAME", "switch the colour theme (remembered in the study)", 1, cmd_theme },
	{ "screen", NULL, "N|NAME", "switch to screen N (1-6) or NAME", 1, cmd_screen },
	{ "messages", "msg", "", "every status message, warning and error so far (also M)", 0,
	    cmd_messages },
	{ "log", NULL, "", "the stages' log: what ran, its progress, notes and errors (also L in M)",
	    0, cmd_log },
	{ "help", NULL, "", "this page: the screen's keys, every command and setting (also ?)", 0,
	    cmd_help },
	{ "quit", "q", "", "quit (asks while a job runs or weights are unsaved)", 0, cmd_quit },
	{ "q!", NULL, "", "quit at once, stopping a running job (resumable)", 0, cmd_quit_now },
	{ NULL, NULL, NULL, NULL, 0, NULL },
};

static int
cmp_word(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const char *const *
tui_command_words(void)
{
	static const char **words;
	const struct tui_command *c;
	int n = 0;

	if (words != NULL)
		return words;
	for (c = tui_command_table; c->name != NULL; c++)
		n += 1 + (c->alias != NULL);
	words = xcalloc(n + 1, sizeof *words);
	n = 0;
	for (c = tui_command_table; c->name != NULL; c++) {
		words[n++] = c->name;
		if (c->alias != NULL)
			words[n++] = c->alias;
	}
	/* alphabetical, as readline lists them */
	qsort(words, n, sizeof *words, cmp_word);
	return words;
}

int
app_command(struct app *a, const char *line)
{
	char *copy = xstrdup(line), *w[4] = { NULL, NULL, NULL, NULL }, *sp = NULL, *t;
	const struct tui_command *c;
	int n = 0, rc = 0;

	for (t = strtok_r(copy, " \t", &sp); t != NULL && n < 3; t = strtok_r(NULL, " \t", &sp))
		w[n++] = t;
	if (n == 3 && sp != NULL && *sp != '\0')
		w[2][strlen(w[2])] = ' ';   /* keep the rest of the line in the last word */
	if (n == 0)
		goto out;
	for (c = tui_command_table; c->name != NULL; c++)
		if (strcmp(w[0], c->name) == 0 || (c->alias != NULL && strcmp(w[0], c->alias) == 0))
			break;
	if (c->name == NULL) {
		app_error(a, xsprintf("unknown command ':%s' (:help lists them; Tab completes)", w[0]));
		rc = -1;
	} else if (c->need_arg && w[1] == NULL) {
		app_error(a, xsprintf("usage: :%s %s (%s)", c->name, c->args, c->help));
		rc = -1;
	} else
		rc = c->run(a, w);
out:
	free(copy);
	return rc;
}
