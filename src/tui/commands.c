/* synthehr — GPL-3.0-or-later.
 * The workbench's ':' command line: the command table, its words for
 * completion, and ':set'. */
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

const char *const tui_commands[] = {
	"column", "demo", "evaluate", "export", "generate", "help", "load", "open", "prep", "q", "quit",
	"rank", "screen", "set", "theme", "train", NULL,
};

/* The keys ':set' knows: every row of the settings table, "encode" and
 * "study". */
const char *const *
tui_set_keys(void)
{
	static const char **keys;
	static char names[128][48];
	const struct setting *st;
	int n = 0;

	if (keys != NULL)
		return keys;
	keys = xcalloc(SH_NELEM(names) + 3, sizeof *keys);
	for (st = settings_table; st->key != NULL && n < (int)SH_NELEM(names); st++, n++)
		keys[n] = setting_set_name(st, names[n], sizeof names[n]);
	keys[n++] = "encode";
	keys[n++] = "study";
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

int
app_command(struct app *a, const char *line)
{
	char *copy = xstrdup(line), *w[4] = { NULL, NULL, NULL, NULL }, *sp = NULL, *t;
	int n = 0, rc = 0;

	for (t = strtok_r(copy, " \t", &sp); t != NULL && n < 3; t = strtok_r(NULL, " \t", &sp))
		w[n++] = t;
	if (n == 3 && sp != NULL && *sp != '\0')
		w[2][strlen(w[2])] = ' ';   /* keep the rest of the line in the last word */
	if (n == 0)
		goto out;
	if (strcmp(w[0], "q") == 0 || strcmp(w[0], "quit") == 0) {
		if (app_busy(a))
			app_confirm(a, "A job is running; stop it (resumable) and quit?", app_quit);
		else
			a->quit = 1;
	} else if (strcmp(w[0], "q!") == 0)
		app_quit(a);
	else if (strcmp(w[0], "set") == 0)
		rc = command_set(a, w[1], w[2]);
	else if (strcmp(w[0], "screen") == 0 && w[1] != NULL) {
		int i;

		for (i = 0; i < SCREEN_COUNT; i++)
			if (strcasecmp(w[1], tui_screens[i]->name) == 0 || atoi(w[1]) == i + 1)
				app_switch(a, i);
	} else if (strcmp(w[0], "theme") == 0 && w[1] != NULL) {
		struct theme th;
		char *cause = NULL;

		if (theme_load(w[1], &th, &cause) != 0) {
			app_error(a, cause);
			rc = -1;
		} else {
			a->theme = th;
			a->theme_chosen = 1;
			if (term_active())
				term_set_theme(&a->theme, a->colour);
			app_save_ui(a);
			app_status(a, "theme %s", th.name);
		}
	} else if (strcmp(w[0], "open") == 0 && w[1] != NULL) {
		char *cause = NULL;

		if (app_open_study(a, w[1], &cause) != 0) {
			app_error(a, cause);
			rc = -1;
		} else
			app_status(a, "opened %s", w[1]);
	} else if ((strcmp(w[0], "column") == 0 || strcmp(w[0], "col") == 0) && w[1] != NULL)
		rc = screen_review_show(a, w[1]);
	else if (strcmp(w[0], "demo") == 0)
		rc = screen_load_start_demo(a);
	else if (strcmp(w[0], "load") == 0 && w[1] != NULL)
		rc = screen_load_start_csv(a, w[1]);
	else if (strcmp(w[0], "prep") == 0)
		rc = screen_prep_start(a);
	else if (strcmp(w[0], "train") == 0 || strcmp(w[0], "generate") == 0)
		rc = screen_train_start(a);
	else if (strcmp(w[0], "evaluate") == 0 || strcmp(w[0], "rank") == 0)
		rc = screen_eval_start(a);
	else if (strcmp(w[0], "export") == 0)
		rc = screen_eval_export(a, w[1] != NULL ? w[1] : "report.md");
	else if (strcmp(w[0], "help") == 0)
		a->help = 1;   /* the '?' page: the screen's keys, then every command */
	else {
		app_error(a, xsprintf("unknown command ':%s' (:help lists them; Tab completes)", w[0]));
		rc = -1;
	}
out:
	free(copy);
	return rc;
}
