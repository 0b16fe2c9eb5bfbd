/* synthehr — GPL-3.0-or-later.
 * Semantic colour roles and themes (htop's colour schemes): screens say what
 * a cell means (a title, the best value, a histogram bar), a theme says how
 * it looks.  Themes are small text files, one "role = fg bg attrs" a line. */
#ifndef SYNTHEHR_TUI_THEME_H
#define SYNTHEHR_TUI_THEME_H

enum theme_role {
	THEME_NORMAL,
	THEME_TITLE,
	THEME_TAB,
	THEME_TAB_ACTIVE,
	THEME_STATUS,
	THEME_ERROR,
	THEME_GOOD,
	THEME_BAD,
	THEME_HIST_BAR,
	THEME_PLOT_1,
	THEME_PLOT_2,
	THEME_PLOT_3,
	THEME_PLOT_4,
	THEME_PLOT_5,
	THEME_PLOT_6,
	THEME_BEST,
	THEME_SELECTED,
	THEME_BORDER,
	THEME_DIM,
	THEME_KEY,
	THEME_CMDLINE,
	THEME_ROLE_COUNT
};
#define THEME_PLOT_COUNT 6

/* Attribute bits (mapped to curses A_* by term.c). */
#define THEME_A_BOLD 0x01
#define THEME_A_REVERSE 0x02
#define THEME_A_UNDERLINE 0x04
#define THEME_A_DIM 0x08

struct theme_style {
	short fg, bg;   /* -1: terminal default; 0..255 colour numbers */
	int attrs;      /* THEME_A_* */
};

struct theme {
	char name[64];
	struct theme_style st[THEME_ROLE_COUNT];
};

/* Role name as written in theme files ("hist_bar", "plot_1", ...). */
const char *theme_role_name(int role);
/* The built-in dark theme (used when no file is found). */
void theme_default(struct theme *t);
/* The built-in monochrome theme (attributes only; used under NO_COLOR). */
void theme_monochrome(struct theme *t);
/* Load NAME (searched in $SYNTHEHR_THEME_DIR, ~/.config/synthehr/themes,
 * then the installed theme directory) or a FILE path.  -1 with cause on
 * a missing file or a bad line (file:line: what was expected). */
int theme_load(const char *name_or_path, struct theme *t, char **cause);
/* Parse theme text (for tests); path names it in errors. */
int theme_parse(const char *text, const char *path, struct theme *t, char **cause);
/* Names of the themes found on the search path (caller frees each and the
 * array); returns the count. */
int theme_list(char ***names);

#endif
