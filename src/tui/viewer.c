/* synthehr — GPL-3.0-or-later.
 * Pages over the screen that scroll instead of cutting (less, tmux's copy
 * mode): the help page (the screen's keys, the global keys, every ':'
 * command and every setting, all generated from their tables), the message
 * log (every status message, warning and error, with its time and
 * severity) and the job log (what each stage did: start, progress by
 * tenths, notes, its end and any error).  Long lines wrap at word
 * boundaries under a hanging indent; nothing is cut.  Also the Tab Tab
 * completion list, which pages when it is longer than the screen. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "synthehr/settings.h"
#include "synthehr/util.h"
#include "tui/tui.h"

/* ---- the logs */

void
tui_log_add(struct tui_log *l, int sev, const char *who, const char *text)
{
	struct tui_msg *m;

	if (text == NULL || *text == '\0')
		return;
	if (l->n > 0) {
		m = &l->v[l->n - 1];
		if (m->sev == sev && strcmp(m->text, text) == 0 && strcmp(m->who, who ? who : "") == 0) {
			m->repeat++;
			m->t = util_now();
			return;
		}
	}
	if (l->n == TUI_LOG_MAX) {
		free(l->v[0].text);
		memmove(&l->v[0], &l->v[1], (size_t)(l->n - 1) * sizeof *l->v);
		l->n--;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	m = &l->v[l->n++];
	m->t = util_now();
	m->sev = sev;
	m->repeat = 1;
	snprintf(m->who, sizeof m->who, "%s", who ? who : "");
	m->text = xstrdup(text);
}

void
tui_log_free(struct tui_log *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- entries and their wrapped rows */

/* One entry of a page: a left column (a key, a time) and its text. */
struct entry {
	char *left;
	char *text;
	int lrole, role;
	int header;      /* a section title across the whole width */
};

/* One row on the page: a piece of an entry's text. */
struct row {
	int e;           /* entry */
	int first;       /* the entry's first row (draws the left column) */
	int off, len;    /* the piece: bytes of the entry's text */
	int lw;          /* the left column's width in its section */
};

static struct entry *ents;
static int nents, capents;
static struct row *rows;
static int nrows, caprows;
static int built_view = -1;   /* the view the entries are for */
static int hit_row = -1;      /* the last search hit */

static void
ents_clear(void)
{
	int i;

	for (i = 0; i < nents; i++) {
		free(ents[i].left);
		free(ents[i].text);
	}
	nents = 0;
	built_view = -1;
}

static void
ent_add(const char *left, int lrole, int role, int header, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void
ent_add(const char *left, int lrole, int role, int header, const char *fmt, ...)
{
	va_list ap;
	struct entry *e;

	if (nents == capents) {
		capents = capents ? 2 * capents : 128;
		ents = xreallocarray(ents, capents, sizeof *ents);
	}
	e = &ents[nents++];
	e->left = left != NULL ? xstrdup(left) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&e->text, fmt, ap) < 0)
		e->text = xstrdup("");
	va_end(ap);
	e->lrole = lrole;
	e->role = role;
	e->header = header;
}

static int cur_lw;   /* the section's left width while its rows are added */

static void
row_add(int e, int first, int off, int len)
{
	if (nrows == caprows) {
		caprows = caprows ? 2 * caprows : 256;
		rows = xreallocarray(rows, caprows, sizeof *rows);
	}
	rows[nrows].e = e;
	rows[nrows].first = first;
	rows[nrows].off = off;
	rows[nrows].len = len;
	rows[nrows].lw = cur_lw;
	nrows++;
}

/* Wrap entry e's text into rows of at most tw columns, breaking after a
 * space where one is, else inside the word; a newline always breaks. */
static void
wrap_entry(int e, int tw, int first)
{
	const char *t = ents[e].text;
	int pos = 0, n = (int)strlen(t);

	if (tw < 1)
		tw = 1;
	if (n == 0) {
		row_add(e, first, 0, 0);
		return;
	}
	while (pos < n) {
		int i = pos, cols = 0, brk = -1, end;
		uint32_t c;

		while (i < n && t[i] != '\n' && cols < tw) {
			if (t[i] == ' ')
				brk = i;
			i += canvas_utf8_decode(t + i, &c);
			cols++;
		}
		if (i >= n || t[i] == '\n')
			end = i;
		else if (t[i] == ' ')
			end = i;             /* the word ends exactly at the edge */
		else if (brk > pos)
			end = brk;
		else
			end = i;             /* one word longer than the row */
		row_add(e, first, pos, end - pos);
		first = 0;
		pos = end;
		if (pos < n && t[pos] == '\n')
			pos++;
		else
			while (pos < n && t[pos] == ' ')
				pos++;
	}
}

/* The left column's width in the section from entry i: its widest left
 * text (plus 2), at most a third of the page; a wider one gets its own row. */
static int
left_width(int i, int w)
{
	int lw = 0;

	for (; i < nents && !ents[i].header; i++)
		if (ents[i].left != NULL)
			lw = SH_MAX(lw, canvas_strwidth(ents[i].left) + 2);
	return SH_MIN(lw, w / 3);
}

static void
build_rows(int w)
{
	int i, lw = left_width(0, w);

	nrows = 0;
	for (i = 0; i < nents; i++) {
		if (ents[i].header)
			lw = left_width(i + 1, w);
		cur_lw = lw;
		if (ents[i].header) {
			if (i > 0)
				row_add(-1, 0, 0, 0);   /* a blank row before a section */
			wrap_entry(i, w, 1);
		} else if (ents[i].left != NULL && canvas_strwidth(ents[i].left) + 1 > lw) {
			/* the key does not fit its column: alone on its row, the text below */
			row_add(i, 1, 0, -1);
			wrap_entry(i, w - lw, 0);
		} else
			wrap_entry(i, w - lw, 1);
	}
}

/* ---- what each page holds */

static const char *const viewer_keys[] = {
	"Up/Down j/k\tscroll a line",
	"PgUp/PgDn\tscroll a page (also b and Space)",
	"Home/End g/G\tthe first / the last line",
	"/ n\tfind a text (case ignored), the next match",
	"Tab\tmessages / job log (on those pages)",
	"q Esc\tclose the page",
	NULL,
};

static void
add_keys(const char *const *k, int role)
{
	for (; k != NULL && *k != NULL; k++) {
		const char *tab = strchr(*k, '\t');
		char left[64];

		if (tab == NULL) {
			ent_add(NULL, THEME_KEY, role, 0, "%s", *k);
			continue;
		}
		snprintf(left, sizeof left, "%.*s", (int)(tab - *k), *k);
		ent_add(left, THEME_KEY, role, 0, "%s", tab + 1);
	}
}

static void
build_help(struct app *a)
{
	const struct screen *s = tui_screens[a->cur];
	const struct tui_command *c;
	const struct setting *st;
	const char *const *k;

	ent_add(NULL, 0, THEME_TITLE, 1, "Keys of the %s screen", s->name);
	add_keys(s->keys, THEME_NORMAL);
	ent_add(NULL, 0, THEME_TITLE, 1, "Keys on every screen");
	add_keys(tui_keys_global, THEME_NORMAL);
	ent_add(NULL, 0, THEME_TITLE, 1, "Keys in a page like this one (help, messages, job log)");
	add_keys(viewer_keys, THEME_NORMAL);
	ent_add(NULL, 0, THEME_TITLE, 1, "Commands (: opens the command line; Tab completes, Tab Tab lists)");
	for (c = tui_command_table; c->name != NULL; c++) {
		char left[64];

		snprintf(left, sizeof left, ":%s%s%s", c->name, c->args[0] ? " " : "", c->args);
		if (c->alias != NULL)
			ent_add(left, THEME_KEY, THEME_NORMAL, 0, "%s (also :%s)", c->help, c->alias);
		else
			ent_add(left, THEME_KEY, THEME_NORMAL, 0, "%s", c->help);
	}
	ent_add(NULL, 0, THEME_TITLE, 1, "Settings (:set KEY VALUE; 'synthehr help settings' and the man page "
	    "say more)");
	for (st = settings_table; st->key != NULL; st++) {
		char name[64], type[128];

		setting_set_name(st, name, sizeof name);
		setting_type_text(st, type, sizeof type);
		if (st->def != NULL && st->def[0] != '\0')
			ent_add(name, THEME_KEY, THEME_NORMAL, 0, "%s [%s; default %s]", st->help, type, st->def);
		else
			ent_add(name, THEME_KEY, THEME_NORMAL, 0, "%s [%s]", st->help, type);
	}
	for (k = tui_set_extra; *k != NULL; k++)
		add_keys((const char *const[]){ *k, NULL }, THEME_NORMAL);
}

static void
build_log(const struct tui_log *l, const char *empty, int who)
{
	int i;

	if (l->n == 0)
		ent_add(NULL, 0, THEME_DIM, 0, "%s", empty);
	for (i = 0; i < l->n; i++) {
		const struct tui_msg *m = &l->v[i];
		static const char *const sev[] = { "info", "warning", "error" };
		static const int role[] = { THEME_DIM, THEME_BAD, THEME_ERROR };
		char left[48], tb[16];
		time_t tt = (time_t)m->t;
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(tb, sizeof tb, "%H:%M:%S", &tm);
		snprintf(left, sizeof left, "%s %s", tb, who ? m->who : sev[m->sev]);
		if (who && m->sev != TUI_SEV_INFO)
			snprintf(left, sizeof left, "%s %s %s", tb, m->who, sev[m->sev]);
		if (m->repeat > 1)
			ent_add(left, role[m->sev], m->sev == TUI_SEV_ERROR ? THEME_ERROR : THEME_NORMAL, 0,
			    "%s (%d times)", m->text, m->repeat);
		else
			ent_add(left, role[m->sev], m->sev == TUI_SEV_ERROR ? THEME_ERROR : THEME_NORMAL, 0,
			    "%s", m->text);
	}
}

static void
build(struct app *a)
{
	ents_clear();
	switch (a->view) {
	case VIEW_HELP:
		build_help(a);
		break;
	case VIEW_MESSAGES:
		build_log(&a->msgs, "No messages yet.", 0);
		break;
	case VIEW_LOG:
		build_log(&a->joblog, "No stage has run since the workbench started.", 1);
		break;
	}
	built_view = a->view;
}

void
viewer_open(struct app *a, int view)
{
	a->view = view;
	/* the help page from its top; the logs at their newest line */
	a->view_top = view == VIEW_HELP ? 0 : INT_MAX;
	hit_row = -1;
	built_view = -1;
}

static void
viewer_close(struct app *a)
{
	a->view = VIEW_NONE;
	ents_clear();
	hit_row = -1;
}

void
viewer_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	static const char *const title[VIEW_COUNT] = {
		NULL, "Help", "Messages (Tab: the job log)", "Job log (Tab: the messages)",
	};
	int iw = w - 4, ih = h - 2, r, maxtop;
	char foot[160];

	if (a->view == VIEW_NONE || w < 10 || h < 4)
		return;
	/* the logs grow while they are shown */
	build(a);
	build_rows(iw);
	maxtop = SH_MAX(0, nrows - ih);
	if (a->view_top > maxtop)
		a->view_top = maxtop;
	if (a->view_top < 0)
		a->view_top = 0;
	a->view_rows = nrows;
	a->view_page = ih;
	canvas_fill(cv, x, y, w, h, ' ', THEME_NORMAL);
	if (a->view == VIEW_HELP) {
		char t[96];

		snprintf(t, sizeof t, "Keys: %s, then every command and setting", tui_screens[a->cur]->name);
		canvas_box(cv, x, y, w, h, THEME_BORDER, t);
	} else
		canvas_box(cv, x, y, w, h, THEME_BORDER, title[a->view]);
	for (r = 0; r < ih && a->view_top + r < nrows; r++) {
		const struct row *rw = &rows[a->view_top + r];
		const struct entry *e;
		int tx = x + 2, yy = y + 1 + r;
		char *piece;

		if (rw->e < 0)
			continue;
		e = &ents[rw->e];
		if (a->view_top + r == hit_row)
			canvas_fill(cv, x + 1, yy, w - 2, 1, ' ', THEME_SELECTED);
		if (!e->header) {
			if (rw->first && e->left != NULL)
				canvas_text(cv, tx, yy, rw->len < 0 ? iw : rw->lw - 1, e->lrole, e->left);
			tx += rw->lw;
		}
		if (rw->len <= 0)
			continue;
		piece = xstrndup(e->text + rw->off, (size_t)rw->len);
		canvas_text(cv, tx, yy, x + w - 2 - tx, a->view_top + r == hit_row ? THEME_SELECTED : e->role,
		    piece);
		free(piece);
	}
	snprintf(foot, sizeof foot, " %d-%d of %d  %s PgUp PgDn Home End  / find  q closes ",
	    nrows ? a->view_top + 1 : 0, SH_MIN(nrows, a->view_top + ih), nrows, cv->ascii ? "Up Down" :
	    "\xe2\x86\x91\xe2\x86\x93");
	canvas_text(cv, x + 2, y + h - 1, w - 4, THEME_DIM, foot);
}

static void
find_done(struct app *a, char *line)
{
	int i, from;

	if (line == NULL)
		return;
	if (*line != '\0') {
		free(a->view_find);
		a->view_find = line;
	} else
		free(line);
	if (a->view_find == NULL || a->view != built_view)
		return;
	from = hit_row >= 0 ? hit_row + 1 : a->view_top;
	for (i = 0; i < nrows; i++) {
		int k = (from + i) % nrows;
		const struct row *rw = &rows[k];
		char *piece;
		int found;

		if (rw->e < 0)
			continue;
		/* a hit in the entry's left column or in this row's piece */
		piece = rw->len > 0 ? xstrndup(ents[rw->e].text + rw->off, (size_t)rw->len) : xstrdup("");
		found = strcasestr(piece, a->view_find) != NULL || (rw->first && ents[rw->e].left != NULL &&
		    strcasestr(ents[rw->e].left, a->view_find) != NULL);
		free(piece);
		if (found) {
			hit_row = k;
			if (k < a->view_top || k >= a->view_top + a->view_page)
				a->view_top = SH_MAX(0, k - a->view_page / 3);
			return;
		}
	}
	hit_row = -1;
	app_warn(a, "'%s' is not on this page", a->view_find);
}

int
viewer_key(struct app *a, int key)
{
	int page = SH_MAX(1, a->view_page - 1);

	switch (key) {
	case 'q': case TKEY_ESC: case '?': case TKEY_F1:
		viewer_close(a);
		return TUI_REDRAW;
	case 'M':
		if (a->view == VIEW_MESSAGES)
			viewer_close(a);
		else
			viewer_open(a, VIEW_MESSAGES);
		return TUI_REDRAW;
	case '\t': case TKEY_BTAB: case 'L': case 'm':
		if (a->view == VIEW_MESSAGES && key != 'm')
			viewer_open(a, VIEW_LOG);
		else if (a->view == VIEW_LOG && key != 'L')
			viewer_open(a, VIEW_MESSAGES);
		return TUI_REDRAW;
	case TKEY_UP: case 'k': a->view_top--; break;
	case TKEY_DOWN: case 'j': case TKEY_ENTER: a->view_top++; break;
	case TKEY_PGUP: case 'b': a->view_top -= page; break;
	case TKEY_PGDN: case ' ': a->view_top += page; break;
	case TKEY_HOME: case 'g': a->view_top = 0; break;
	case TKEY_END: case 'G': a->view_top = INT_MAX; break;
	case '/':
		cmdline_open(a, "Find: ", CMDLINE_VALUE, a->view_find, find_done);
		return TUI_REDRAW;
	case 'n':
		if (a->view_find != NULL)
			find_done(a, xstrdup(""));
		return TUI_REDRAW;
	case ':':
		return TUI_UNHANDLED;   /* the command line works over a page */
	default:
		return TUI_REDRAW;
	}
	/* the draw clamps view_top to the rows */
	if (a->view_top < 0)
		a->view_top = 0;
	else if (a->view_top != INT_MAX && a->view_top > SH_MAX(0, a->view_rows - a->view_page))
		a->view_top = SH_MAX(0, a->view_rows - a->view_page);
	return TUI_REDRAW;
}

/* ---- the completion list */

void
viewer_completions_close(struct app *a)
{
	int i;

	for (i = 0; i < a->ncompl; i++)
		free(a->compl[i]);
	free(a->compl);
	a->compl = NULL;
	a->ncompl = a->compl_top = 0;
}

void
viewer_completions(struct app *a, char **words, int n)
{
	int i, same = a->compl != NULL && a->ncompl == n;

	for (i = 0; same && i < n; i++)
		same = strcmp(a->compl[i], words[i]) == 0;
	if (same) {   /* Tab Tab again on the same list: its next page */
		for (i = 0; i < n; i++)
			free(words[i]);
		free(words);
		viewer_completions_page(a, 1);
		return;
	}
	viewer_completions_close(a);
	a->compl = words;
	a->ncompl = n;
}

/* The list's layout in a w × h area: columns of the widest word. */
static void
compl_layout(const struct app *a, int w, int h, int *colw, int *ncol, int *nrow)
{
	int i, mw = 1;

	for (i = 0; i < a->ncompl; i++)
		mw = SH_MAX(mw, canvas_strwidth(a->compl[i]));
	*colw = SH_MIN(mw + 2, w - 4);
	*ncol = SH_MAX(1, (w - 4) / *colw);
	*nrow = SH_MAX(1, SH_MIN(h - 2, (a->ncompl + *ncol - 1) / *ncol));
}

static int compl_last_page = 1;

void
viewer_completions_page(struct app *a, int dir)
{
	int page = compl_last_page;

	if (a->compl == NULL)
		return;
	a->compl_top += dir > 0 ? page : -page;
	if (a->compl_top >= a->ncompl)
		a->compl_top = 0;
	if (a->compl_top < 0)
		a->compl_top = SH_MAX(0, (a->ncompl - 1) / page * page);
}

void
viewer_completions_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	int colw, ncol, nrow, i, bh, by, page;
	char title[96];

	if (a->compl == NULL || h < 3)
		return;
	compl_layout(a, w, h, &colw, &ncol, &nrow);
	page = ncol * nrow;
	compl_last_page = page;
	bh = nrow + 2;
	by = y + h - bh;
	if (a->ncompl > page)
		snprintf(title, sizeof title, "%d completions, %d-%d (Tab or PgDn: more, PgUp: back)", a->ncompl,
		    a->compl_top + 1, SH_MIN(a->ncompl, a->compl_top + page));
	else
		snprintf(title, sizeof title, "%d completions", a->ncompl);
	canvas_fill(cv, x, by, w, bh, ' ', THEME_NORMAL);
	canvas_box(cv, x, by, w, bh, THEME_BORDER, title);
	/* down the columns, as ls does */
	for (i = 0; i < page && a->compl_top + i < a->ncompl; i++) {
		int c = i / nrow, r = i % nrow;

		canvas_text(cv, x + 2 + c * colw, by + 1 + r, colw - 1, THEME_KEY, a->compl[a->compl_top + i]);
	}
}

int
tui_list_key(int key, int sel, int n, int page)
{
	if (n <= 0)
		return -1;
	if (page < 1)
		page = 1;
	switch (key) {
	case TKEY_UP: sel--; break;
	case TKEY_DOWN: sel++; break;
	case TKEY_PGUP: sel -= page; break;
	case TKEY_PGDN: sel += page; break;
	case TKEY_HOME: sel = 0; break;
	case TKEY_END: sel = n - 1; break;
	default: return -1;
	}
	return sel < 0 ? 0 : sel >= n ? n - 1 : sel;
}
