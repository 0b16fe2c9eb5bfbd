/* synthehr — GPL-3.0-or-later.
 * Screen 1, Load: pick a source (the built-in demo cohort, a CSV/CSV.gz
 * file, a MIMIC-IV hosp folder, or an existing study), create the study,
 * then review and edit the schema: each column's role and type.  Role
 * edits go to study.json "schema" → "roles" and the cohort is re-read. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "synthehr/phecode.h"
#include "synthehr/util.h"
#include "tui/tui.h"

static struct {
	int sel, top;
	char *pending_src;    /* CSV path or MIMIC folder waiting for a study dir */
	char *pending_map;    /* MIMIC: the phecode map folder */
	int pending_kind;     /* 'c' csv, 'm' mimic, 'd' demo */
	char *pending_dir;    /* CSV: the study dir while the label is asked for */
	struct phecode_info phe;   /* phecode_info.csv's descriptions, when phe_ok */
	int phe_ok;
	int phe_loaded;
	char *phe_dir;        /* the map they came from (reloaded when it changes) */
	char *phe_err;        /* why a named map gave no names */
} ld;

static const char *const load_keys[] = {
	"d\tnew study from the built-in demo cohort",
	"c\tnew study from a CSV or CSV.gz file (Tab completes paths)",
	"m\tnew study from a MIMIC-IV folder (hosp/*.csv.gz)",
	"o\topen an existing study directory",
	"Up/Down j/k\tselect a column of the schema (PgUp/PgDn, Home/End)",
	"r / R\tcycle the column's role forwards / backwards",
	"l\tmake the column the label (outcome)",
	"s\tmake the column the sex column",
	"g\ttreat the column as a categorical group",
	"i\tignore the column (kept, not modelled)",
	NULL,
};

static void
load_reset(struct app *a)
{
	(void)a;
	ld.sel = ld.top = 0;
	free(ld.pending_src);
	ld.pending_src = NULL;
	free(ld.pending_map);
	ld.pending_map = NULL;
	free(ld.pending_dir);
	ld.pending_dir = NULL;
	if (ld.phe_ok)
		phecode_info_done(&ld.phe);
	ld.phe_ok = 0;
	ld.phe_loaded = 0;
	free(ld.phe_dir);
	ld.phe_dir = NULL;
	free(ld.phe_err);
	ld.phe_err = NULL;
}

/* Concept columns' descriptions: from the phecode map that study.json
 * report.phecodes or $SYNTHEHR_PHECODES names, else (a demo study) the
 * names built into the binary; phecode_names_read is where the reports and
 * Figure 4 get theirs.  Without any, concepts are shown by code. */
static void
load_phecode_names(struct app *a)
{
	const char *dir = phecode_names_dir(a->st->cfg);
	char *cause = NULL;

	ld.phe_loaded = 1;
	if (ld.phe_ok)
		phecode_info_done(&ld.phe);
	ld.phe_ok = 0;
	free(ld.phe_dir);
	ld.phe_dir = dir != NULL ? xstrdup(dir) : NULL;
	free(ld.phe_err);
	ld.phe_err = NULL;
	switch (phecode_names_read(a->st->cfg, &ld.phe, NULL, &cause)) {
	case 0:
		ld.phe_ok = 1;
		break;
	case -1:
		ld.phe_err = cause;
		break;
	}
}

/* A concept's description, or NULL. */
static const char *
phecode_desc(const char *name)
{
	return ld.phe_ok ? phecode_info_find(&ld.phe, name) : NULL;
}

static void
created(struct app *a, int rc)
{
	char *cause = NULL, *dir;

	if (rc != 0 || ld.pending_src == NULL)
		return;
	dir = ld.pending_src;
	ld.pending_src = NULL;
	if (app_open_study(a, dir, &cause) != 0)
		app_error(a, cause);
	else if (a->cohort_err != NULL)
		app_cohort_error(a);
	else {
		app_switch(a, SCREEN_LOAD);
		app_status(a, "created %s: %zu patients, %d columns; check roles, then 2",
		    dir, a->cohort ? a->cohort->nrows : 0, a->cohort ? a->cohort->ncols : 0);
	}
	free(dir);
}

static int start_create(struct app *a, const char *dir, const char *src, int kind, const char *label);

static void
got_label(struct app *a, char *line)
{
	char *dir = ld.pending_dir;

	ld.pending_dir = NULL;
	if (line == NULL || *line == '\0' || dir == NULL || ld.pending_src == NULL)
		app_status(a, "cancelled: the study needs its label (outcome) column");
	else
		start_create(a, dir, ld.pending_src, 'c', line);
	free(line);
	free(dir);
}

/* Several columns look like the outcome: ask which is the label (init
 * would refuse to choose).  1 when the question is open. */
static int
ask_label(struct app *a, const char *dir, const char *src)
{
	struct study_init_opts o;
	char **names = NULL, *cause = NULL, *prompt;
	int n = 0, i;
	size_t len = 64;

	memset(&o, 0, sizeof o);
	o.data = src;
	if (study_label_candidates(src, &o, &names, &n, &cause) != 0)
		free(cause);   /* the init job reports what is wrong */
	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		len += strlen(names[i]) + 2;
	prompt = xcalloc(len, 1);
	snprintf(prompt, len, "Label (outcome) column? %d look like one: ", n);
	for (i = 0; i < n; i++)
		snprintf(prompt + strlen(prompt), len - strlen(prompt), "%s%s", names[i], i + 1 < n ? ", " : ": ");
	free(ld.pending_dir);
	ld.pending_dir = xstrdup(dir);
	cmdline_open(a, prompt, CMDLINE_VALUE, names[0], got_label);
	free(prompt);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 1;
}

static int
start_create(struct app *a, const char *dir, const char *src, int kind, const char *label)
{
	struct stage_req q;
	char *cause = NULL, *cohort;
	int rc;

	if (util_file_exists(dir) && !util_dir_exists(dir)) {
		app_error(a, xsprintf("%s exists and is not a directory", dir));
		return -1;
	}
	if (util_file_exists(dir) && util_dir_exists(dir)) {
		char *sj = util_path_join(dir, "study.json");
		int exists = util_file_exists(sj);

		free(sj);
		if (exists) {
			if (app_open_study(a, dir, &cause) != 0) {
				app_error(a, cause);
				return -1;
			}
			app_status(a, "%s already holds a study; opened it", dir);
			return 0;
		}
	}
	memset(&q, 0, sizeof q);
	q.stage = STAGE_INIT;
	q.study = dir;
	if (kind == 'd') {
		/* the demo cohort is written inside the study (source/demo.csv.gz) */
		q.demo = 1;
		q.demo_rows = (size_t)a->demo_rows;
		q.demo_concepts = a->demo_concepts;
		cohort = NULL;
	} else if (kind == 'm') {
		struct stage_req im;

		cohort = xsprintf("%s-mimic.csv.gz", dir);
		memset(&im, 0, sizeof im);
		im.stage = STAGE_IMPORT;
		im.study = cohort;
		im.mimic_dir = src;
		im.phecodes = ld.pending_map ? ld.pending_map : ".";
		im.out_path = cohort;
		if (job_submit(a, &im, NULL, &cause) != 0) {
			free(cohort);
			app_error(a, cause);
			return -1;
		}
		q.after_ok = 1;
	} else {
		if (label == NULL && ask_label(a, dir, src))
			return 0;
		cohort = xstrdup(src);
	}
	q.data = cohort;
	q.label = label;
	free(ld.pending_src);
	ld.pending_src = xstrdup(dir);
	rc = job_submit(a, &q, created, &cause);
	free(cohort);
	if (rc != 0) {
		app_error(a, cause);
		return -1;
	}
	app_status(a, "creating the study in %s ...", dir);
	return 0;
}

static void
got_dir(struct app *a, char *line)
{
	const char *dir;

	if (line == NULL) {
		app_status(a, "cancelled");
		return;
	}
	dir = *line != '\0' ? line : a->study_default;
	start_create(a, dir, ld.pending_src, ld.pending_kind, NULL);
	free(line);
}

static void
ask_dir(struct app *a, int kind)
{
	ld.pending_kind = kind;
	cmdline_open(a, "Study directory: ", CMDLINE_PATH, a->study_default, got_dir);
}

int
screen_load_start_demo(struct app *a)
{
	free(ld.pending_src);
	ld.pending_src = NULL;
	ask_dir(a, 'd');
	return 0;
}

static void ask_dir(struct app *a, int kind);

static void
got_map(struct app *a, char *line)
{
	if (line == NULL || !util_dir_exists(line)) {
		app_error(a, line == NULL ? xstrdup("cancelled") : xsprintf("%s: not a directory "
		    "(expected the phecode map 1.2 files)", line));
		free(line);
		return;
	}
	free(ld.pending_map);
	ld.pending_map = line;
	ask_dir(a, 'm');
}

static void
got_src(struct app *a, char *line)
{
	if (line == NULL || *line == '\0') {
		free(line);
		app_status(a, "cancelled");
		return;
	}
	if (ld.pending_kind == 'c' && !util_file_exists(line)) {
		app_error(a, xsprintf("%s: no such file", line));
		free(line);
		return;
	}
	if (ld.pending_kind == 'm' && !util_dir_exists(line)) {
		app_error(a, xsprintf("%s: not a directory (expected MIMIC-IV's folder with hosp/)", line));
		free(line);
		return;
	}
	free(ld.pending_src);
	ld.pending_src = line;
	if (ld.pending_kind == 'm') {
		cmdline_open(a, "Phecode map folder: ", CMDLINE_PATH, NULL, got_map);
		return;
	}
	ask_dir(a, ld.pending_kind);
}

int
screen_load_start_csv(struct app *a, const char *path)
{
	ld.pending_kind = 'c';
	got_src(a, xstrdup(path));
	return 0;
}

static void
got_open(struct app *a, char *line)
{
	if (line != NULL && *line != '\0')
		app_open_ask(a, line);
	free(line);
}

/* The sex column's level that counts as female (coded 1). */
static const char *
sex_female_level(const struct column *col)
{
	return col->levels != NULL && col->nlevels == 2 && col->levels[1] != NULL ? col->levels[1] : "1";
}

static const char *
sex_other_level(const struct column *col)
{
	return col->levels != NULL && col->nlevels == 2 && col->levels[0] != NULL ? col->levels[0] : "0";
}

/* Write one column's role into study.json and re-read the cohort. */
static void
set_role(struct app *a, int col, int role)
{
	json_t *schema, *roles;
	char *cause = NULL, *name;
	int i;

	if (a->cohort == NULL || col < 0 || col >= a->cohort->ncols)
		return;
	/* a copy: re-reading the cohort below frees the column names */
	name = xstrdup(a->cohort->cols[col].name);
	app_study_reload(a);
	schema = study_section(a->st, "schema");
	roles = json_object_get(schema, "roles");
	if (!json_is_object(roles)) {
		roles = json_object();
		json_object_set_new(schema, "roles", roles);
	}
	/* only one label and one sex column */
	if (role == ROLE_LABEL || role == ROLE_SEX)
		for (i = 0; i < a->cohort->ncols; i++)
			if (i != col && (int)a->cohort->cols[i].role == role)
				json_object_set_new(roles, a->cohort->cols[i].name,
				    json_string(cohort_role_name(a->cohort->cols[i].kind == KIND_NUMERIC ?
				    ROLE_CONTINUOUS : ROLE_BINARY)));
	json_object_set_new(roles, name, json_string(cohort_role_name(role)));
	if (app_study_save(a) != 0) {
		free(name);
		return;
	}
	if (app_load_cohort(a, &cause) != 0) {
		app_error(a, cause);
		free(name);
		return;
	}
	for (i = 0; i < SCREEN_COUNT; i++)
		if (i != SCREEN_LOAD && tui_screens[i]->reset != NULL)
			tui_screens[i]->reset(a);
	if (col >= a->cohort->ncols || strcmp(a->cohort->cols[col].name, name) != 0)
		app_status(a, "%s is now %s (saved in study.json)", name, cohort_role_name(role));
	else if ((int)a->cohort->cols[col].role != role)
		app_error(a, xsprintf("%s: role %s does not fit its values; it stays %s", name,
		    cohort_role_name(role), cohort_role_name(a->cohort->cols[col].role)));
	else if (role == ROLE_SEX)
		app_status(a, "%s is now the sex column, female = %s (saved in study.json)", name,
		    sex_female_level(&a->cohort->cols[col]));
	else
		app_status(a, "%s is now %s (saved in study.json)", name, cohort_role_name(role));
	free(name);
}

static void
draw_menu(struct app *a, struct canvas *cv, int x, int y, int w)
{
	char buf[128];

	canvas_text(cv, x + 2, y + 1, w - 4, THEME_TITLE, "Load a cohort");
	snprintf(buf, sizeof buf, "the built-in demo cohort (%d patients x %d concepts; :set demo_rows)",
	    a->demo_rows, a->demo_concepts);
	canvas_text(cv, x + 4, y + 3, 1, THEME_KEY, "d");
	canvas_text(cv, x + 7, y + 3, w - 9, THEME_NORMAL, buf);
	canvas_text(cv, x + 4, y + 4, 1, THEME_KEY, "c");
	canvas_text(cv, x + 7, y + 4, w - 9, THEME_NORMAL, "a CSV or CSV.gz file");
	canvas_text(cv, x + 4, y + 5, 1, THEME_KEY, "m");
	canvas_text(cv, x + 7, y + 5, w - 9, THEME_NORMAL, "a MIMIC-IV folder (hosp/*.csv.gz)");
	canvas_text(cv, x + 4, y + 6, 1, THEME_KEY, "o");
	canvas_text(cv, x + 7, y + 6, w - 9, THEME_NORMAL, "open an existing study directory");
	canvas_text(cv, x + 2, y + 8, w - 4, THEME_DIM,
	    "A study is a directory (mode 0700) holding every setting and result;");
	canvas_text(cv, x + 2, y + 9, w - 4, THEME_DIM,
	    "'synthehr STUDY' reopens it where you left off.");
}

/* What the levels column shows for a column: its phecode's name, the sex
 * column's female level, or its levels. */
static void
column_levels(const struct column *col, char *lv, size_t size)
{
	lv[0] = '\0';
	if (col->role == ROLE_CONCEPT && phecode_desc(col->name) != NULL)
		snprintf(lv, size, "%s", phecode_desc(col->name));
	else if (col->role == ROLE_SEX)   /* which level is coded 1 (female) */
		snprintf(lv, size, "female=%.20s other=%.20s", sex_female_level(col), sex_other_level(col));
	else if (col->kind == KIND_CATEGORICAL || (col->levels != NULL && col->nlevels > 0)) {
		int k, off = 0;

		for (k = 0; k < col->nlevels && off < (int)size - 8; k++)
			off += snprintf(lv + off, size - off, "%s%s", k ? ", " : "",
			    col->levels[k] ? col->levels[k] : "?");
	}
}

/* The selected column whole: its name, its phecode's name or its levels;
 * for a concept without a phecode map, where to name one. */
static void
draw_detail(struct app *a, struct canvas *cv, int x, int y, int w, const struct column *col)
{
	char lv[256], *t;
	const char *d = phecode_desc(col->name);

	(void)a;
	column_levels(col, lv, sizeof lv);
	if (col->role == ROLE_CONCEPT && d != NULL)
		t = xsprintf("phecode %s: %s", col->name, d);
	else if (col->role == ROLE_CONCEPT && ld.phe_err != NULL)
		t = xsprintf("%s: no phecode names (%s)", col->name, ld.phe_err);
	else if (col->role == ROLE_CONCEPT && !ld.phe_ok)
		t = xsprintf("%s: to name the phecodes, :set report_phecodes DIR (the phecode map with "
		    "phecode_info.csv) or SYNTHEHR_PHECODES", col->name);
	else if (col->role == ROLE_SEX)
		t = xsprintf("%s: the sex column; %s counts as female (coded 1), %s as male", col->name,
		    sex_female_level(col), sex_other_level(col));
	else if (lv[0] != '\0')
		t = xsprintf("%s: %d levels: %s", col->name, col->nlevels, lv);
	else
		t = xsprintf("%s", col->name);
	/* two rows, broken at a space; longer is cut with the marker (the
	 * message log is not needed: Review lists every level) */
	if (canvas_strwidth(t) > w - 2) {
		int cut = w - 2;
		const char *p = t;
		uint32_t c;
		int k;

		/* the byte offset of column w - 2, then back to a space */
		for (k = 0; k < cut && *p != '\0'; k++)
			p += canvas_utf8_decode(p, &c);
		cut = (int)(p - t);
		while (cut > 0 && t[cut] != ' ')
			cut--;
		if (cut == 0)
			cut = (int)(p - t);
		canvas_printf(cv, x + 1, y, w - 2, THEME_NORMAL, "%.*s", cut, t);
		canvas_text(cv, x + 3, y + 1, w - 4, THEME_NORMAL, t + cut + (t[cut] == ' '));
	} else
		canvas_text(cv, x + 1, y, w - 2, THEME_NORMAL, t);
	free(t);
}

static void
load_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	struct cohort *c = a->cohort;
	int rows, i, yy, nmiss = 0, nw = w >= 100 ? 24 : 16;   /* the name column: room for the levels */
	char buf[512];

	if (a->st == NULL || c == NULL) {
		draw_menu(a, cv, x, y, w);
		if (a->st != NULL && a->cohort_err != NULL) {
			/* the whole message, wrapped at spaces over up to 4 rows */
			const char *e = a->cohort_err;
			int r, bw = w - 4;

			for (r = 0; r < 4 && *e != '\0' && bw > 8; r++) {
				int n = (int)strlen(e), cut = n;

				if (n > bw && r < 3) {
					for (cut = bw; cut > bw / 2 && e[cut] != ' '; cut--)
						;
					if (e[cut] != ' ')
						cut = bw;
				}
				canvas_printf(cv, x + 2, y + 11 + r, bw, THEME_ERROR, "%.*s", cut, e);
				e += cut;
				while (*e == ' ')
					e++;
			}
		}
		return;
	}
	{
		const char *dir = phecode_names_dir(a->st->cfg);

		/* :set report_phecodes DIR names the concepts at once */
		if (!ld.phe_loaded || (dir == NULL) != (ld.phe_dir == NULL) ||
		    (dir != NULL && strcmp(dir, ld.phe_dir) != 0))
			load_phecode_names(a);
	}
	for (i = 0; i < c->ncols; i++)
		nmiss += c->cols[i].nmissing > 0;
	snprintf(buf, sizeof buf, "Schema: %zu patients, %d columns, %d with missing values", c->nrows,
	    c->ncols, nmiss);
	canvas_text(cv, x + 1, y, w - 2, THEME_TITLE, buf);
	canvas_printf(cv, x + 1, y + 1, w - 2, THEME_DIM, "%-*s %-11s %-11s %8s  %s", nw, "column", "role",
	    "type", "missing", ld.phe_ok ? "levels / phecode" : "levels");
	rows = h - 5;   /* two detail rows for the selected column and the key line below */
	if (ld.sel >= c->ncols) ld.sel = c->ncols - 1;
	if (ld.sel < 0) ld.sel = 0;
	if (ld.sel < ld.top) ld.top = ld.sel;
	if (ld.sel >= ld.top + rows) ld.top = ld.sel - rows + 1;
	for (i = ld.top, yy = y + 2; i < c->ncols && yy < y + 2 + rows; i++, yy++) {
		struct column *col = &c->cols[i];
		char lv[256] = "", nm[128];
		int role = i == ld.sel ? THEME_SELECTED : THEME_NORMAL;

		column_levels(col, lv, sizeof lv);
		/* a long name is cut with the canvas's mark; the detail line below
		 * spells it out */
		if (canvas_strwidth(col->name) > nw) {
			const char *p = col->name;
			uint32_t ch;
			int k;

			for (k = 0; k < nw - 1; k++)
				p += canvas_utf8_decode(p, &ch);
			snprintf(nm, sizeof nm, "%.*s%s", (int)(p - col->name), col->name, cv->ascii ? "~" : "\xe2\x80\xa6");
		} else
			snprintf(nm, sizeof nm, "%s", col->name);
		snprintf(buf, sizeof buf, "%s%*s %-11s %-11s %7.1f%%  %s", nm, SH_MAX(0, nw - canvas_strwidth(nm)), "",
		    cohort_role_name(col->role), cohort_kind_name(col->kind),
		    c->nrows ? 100.0 * col->nmissing / c->nrows : 0.0, lv);
		canvas_fill(cv, x, yy, w, 1, ' ', role);
		canvas_text(cv, x + 1, yy, w - 2, role, buf);
		if (col->role == ROLE_LABEL || col->role == ROLE_SEX)
			canvas_set_role(cv, x + 2 + nw, yy, 11, i == ld.sel ? THEME_SELECTED : THEME_KEY);
	}
	if (ld.sel < c->ncols)
		draw_detail(a, cv, x, y + h - 3, w, &c->cols[ld.sel]);
	canvas_printf(cv, x + 1, y + h - 1, w - 2, THEME_DIM, "column %d of %d   r role  l label  "
	    "s sex  g group  i ignore   ? keys", ld.sel + 1, c->ncols);
}

static int
load_key(struct app *a, int key)
{
	struct cohort *c = a->cohort;

	switch (key) {
	case 'd':
		screen_load_start_demo(a);
		return TUI_REDRAW;
	case 'c':
		ld.pending_kind = 'c';
		cmdline_open(a, "CSV file: ", CMDLINE_PATH, NULL, got_src);
		return TUI_REDRAW;
	case 'm':
		ld.pending_kind = 'm';
		cmdline_open(a, "MIMIC-IV folder: ", CMDLINE_PATH, NULL, got_src);
		return TUI_REDRAW;
	case 'o':
		cmdline_open(a, "Open study: ", CMDLINE_PATH, a->study_default, got_open);
		return TUI_REDRAW;
	}
	if (c == NULL)
		return TUI_UNHANDLED;
	switch (key) {
	case TKEY_UP: case 'k': ld.sel--; break;
	case TKEY_DOWN: case 'j': ld.sel++; break;
	case TKEY_PGUP: case TKEY_PGDN: case TKEY_HOME: case TKEY_END:
		ld.sel = tui_list_key(key, ld.sel, c->ncols, 10);
		break;
	case 'r': case 'R': {
		static const int cyc[] = { ROLE_CONTINUOUS, ROLE_BINARY, ROLE_CATEGORICAL, ROLE_CONCEPT,
		    ROLE_LABEL, ROLE_SEX, ROLE_ID, ROLE_IGNORE };
		int n = (int)SH_NELEM(cyc), k, cur = c->cols[ld.sel].role;

		for (k = 0; k < n; k++)
			if (cyc[k] == cur)
				break;
		k = key == 'r' ? (k + 1) % n : (k + n - 1) % n;
		set_role(a, ld.sel, cyc[k]);
		break;
	}
	case 'l': set_role(a, ld.sel, ROLE_LABEL); break;
	case 's': set_role(a, ld.sel, ROLE_SEX); break;
	case 'g': set_role(a, ld.sel, ROLE_CATEGORICAL); break;
	case 'i': set_role(a, ld.sel, ROLE_IGNORE); break;
	default:
		return TUI_UNHANDLED;
	}
	/* a role change re-read the cohort: c was freed */
	c = a->cohort;
	if (c == NULL)
		return TUI_REDRAW;
	if (ld.sel >= c->ncols) ld.sel = c->ncols - 1;
	if (ld.sel < 0) ld.sel = 0;
	return TUI_REDRAW;
}

const struct screen screen_load = {
	.name = "Load",
	.keys = load_keys,
	.draw = load_draw,
	.key = load_key,
	.reset = load_reset,
};
