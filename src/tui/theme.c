/* synthehr — GPL-3.0-or-later.
 * Themes: the role table, the built-in dark and monochrome themes, and the
 * theme file parser.  A theme file holds lines "role = fg bg attrs..."
 * where fg/bg are colour names (default black red green yellow blue magenta
 * cyan white, bright-NAME) or numbers 0-255, and attrs any of bold reverse
 * underline dim (or none).  '#' starts a comment.  Roles a file leaves out
 * keep the built-in dark theme's style. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/util.h"
#include "tui/theme.h"

#ifndef SYNTHEHR_SRC_THEMEDIR
#define SYNTHEHR_SRC_THEMEDIR NULL
#endif
#ifndef SYNTHEHR_THEMEDIR
#define SYNTHEHR_THEMEDIR "/usr/local/share/synthehr/themes"
#endif

static const char *const role_names[THEME_ROLE_COUNT] = {
	"normal", "title", "tab", "tab_active", "status", "error", "good", "bad", "hist_bar",
	"plot_1", "plot_2", "plot_3", "plot_4", "plot_5", "plot_6", "best", "selected",
	"border", "dim", "key", "cmdline",
};

const char *
theme_role_name(int role)
{
	return role >= 0 && role < THEME_ROLE_COUNT ? role_names[role] : "?";
}

static void
set(struct theme *t, int role, short fg, short bg, int attrs)
{
	t->st[role].fg = fg;
	t->st[role].bg = bg;
	t->st[role].attrs = attrs;
}

void
theme_default(struct theme *t)
{
	int r;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "dark");
	for (r = 0; r < THEME_ROLE_COUNT; r++)
		set(t, r, -1, -1, 0);
	set(t, THEME_TITLE, 6, -1, THEME_A_BOLD);
	set(t, THEME_TAB, 7, 4, 0);
	set(t, THEME_TAB_ACTIVE, 0, 6, THEME_A_BOLD);
	set(t, THEME_STATUS, 0, 7, 0);
	set(t, THEME_ERROR, 15, 1, THEME_A_BOLD);
	set(t, THEME_GOOD, 2, -1, THEME_A_BOLD);
	set(t, THEME_BAD, 1, -1, THEME_A_BOLD);
	set(t, THEME_HIST_BAR, 4, -1, 0);
	set(t, THEME_PLOT_1, 6, -1, 0);
	set(t, THEME_PLOT_2, 3, -1, 0);
	set(t, THEME_PLOT_3, 2, -1, 0);
	set(t, THEME_PLOT_4, 5, -1, 0);
	set(t, THEME_PLOT_5, 1, -1, 0);
	set(t, THEME_PLOT_6, 4, -1, 0);
	set(t, THEME_BEST, 2, -1, THEME_A_BOLD | THEME_A_UNDERLINE);
	set(t, THEME_SELECTED, 0, 6, 0);
	set(t, THEME_BORDER, 4, -1, 0);
	set(t, THEME_DIM, 8, -1, 0);
	set(t, THEME_KEY, 3, -1, THEME_A_BOLD);
	set(t, THEME_CMDLINE, -1, -1, 0);
}

void
theme_monochrome(struct theme *t)
{
	int r;

	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "monochrome");
	for (r = 0; r < THEME_ROLE_COUNT; r++)
		set(t, r, -1, -1, 0);
	t->st[THEME_TITLE].attrs = THEME_A_BOLD;
	t->st[THEME_TAB_ACTIVE].attrs = THEME_A_REVERSE | THEME_A_BOLD;
	t->st[THEME_STATUS].attrs = THEME_A_REVERSE;
	t->st[THEME_ERROR].attrs = THEME_A_REVERSE | THEME_A_BOLD;
	t->st[THEME_GOOD].attrs = THEME_A_BOLD;
	t->st[THEME_BAD].attrs = THEME_A_UNDERLINE;
	t->st[THEME_BEST].attrs = THEME_A_BOLD | THEME_A_UNDERLINE;
	t->st[THEME_SELECTED].attrs = THEME_A_REVERSE;
	t->st[THEME_DIM].attrs = THEME_A_DIM;
	t->st[THEME_KEY].attrs = THEME_A_BOLD;
}

static int
parse_colour(const char *w, short *out)
{
	static const char *const names[8] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };
	int i, bright = 0;
	char *end;
	long v;

	if (strcmp(w, "default") == 0 || strcmp(w, "-") == 0) { *out = -1; return 0; }
	if (strncmp(w, "bright-", 7) == 0) { bright = 8; w += 7; }
	for (i = 0; i < 8; i++)
		if (strcmp(w, names[i]) == 0) { *out = (short)(i + bright); return 0; }
	if (bright)
		return -1;
	v = strtol(w, &end, 10);
	if (*w != '\0' && *end == '\0' && v >= 0 && v <= 255) { *out = (short)v; return 0; }
	return -1;
}

static int
parse_attr(const char *w, int *attrs)
{
	if (strcmp(w, "bold") == 0) *attrs |= THEME_A_BOLD;
	else if (strcmp(w, "reverse") == 0) *attrs |= THEME_A_REVERSE;
	else if (strcmp(w, "underline") == 0) *attrs |= THEME_A_UNDERLINE;
	else if (strcmp(w, "dim") == 0) *attrs |= THEME_A_DIM;
	else if (strcmp(w, "none") != 0) return -1;
	return 0;
}

int
theme_parse(const char *text, const char *path, struct theme *t, char **cause)
{
	char *copy = xstrdup(text), *line, *save = NULL;
	int lineno = 0;

	theme_default(t);
	for (line = copy; line != NULL; line = save) {
		char *nl = strchr(line, '\n'), *eq, *hash, *w[8], *tok, *sp = NULL;
		int nw = 0, role, i, attrs = 0;
		struct theme_style st;

		save = nl != NULL ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			util_fail(cause, "%s:%d: expected 'role = fg bg [attrs]'", path, lineno);
			free(copy);
			return -1;
		}
		*eq = '\0';
		for (i = (int)strlen(line) - 1; i >= 0 && isspace((unsigned char)line[i]); i--)
			line[i] = '\0';
		for (role = 0; role < THEME_ROLE_COUNT; role++)
			if (strcmp(line, role_names[role]) == 0)
				break;
		if (role == THEME_ROLE_COUNT) {
			util_fail(cause, "%s:%d: unknown role '%s' (expected one of normal, title, tab, "
			    "tab_active, status, error, good, bad, hist_bar, plot_1..plot_6, best, selected, "
			    "border, dim, key, cmdline)", path, lineno, line);
			free(copy);
			return -1;
		}
		for (tok = strtok_r(eq + 1, " \t\r", &sp); tok != NULL && nw < 8; tok = strtok_r(NULL, " \t\r", &sp))
			w[nw++] = tok;
		if (nw < 2 || parse_colour(w[0], &st.fg) != 0 || parse_colour(w[1], &st.bg) != 0) {
			util_fail(cause, "%s:%d: expected two colours (a name, bright-NAME, "
			    "default or 0-255) after '='", path, lineno);
			free(copy);
			return -1;
		}
		for (i = 2; i < nw; i++)
			if (parse_attr(w[i], &attrs) != 0) {
				util_fail(cause, "%s:%d: unknown attribute '%s' (expected bold, reverse, "
				    "underline, dim or none)", path, lineno, w[i]);
				free(copy);
				return -1;
			}
		st.attrs = attrs;
		t->st[role] = st;
	}
	free(copy);
	return 0;
}

static char *
theme_find(const char *name)
{
	const char *dirs[4];
	char *home = NULL, *p;
	int i;

	dirs[0] = getenv("SYNTHEHR_THEME_DIR");
	if (getenv("HOME") != NULL)
		home = xsprintf("%s/.config/synthehr/themes", getenv("HOME"));
	dirs[1] = home;
	dirs[2] = SYNTHEHR_THEMEDIR;
	/* An uninstalled build (./setup.sh) finds the source tree's themes. */
	dirs[3] = SYNTHEHR_SRC_THEMEDIR;
	for (i = 0; i < 4; i++) {
		if (dirs[i] == NULL)
			continue;
		p = xsprintf("%s/%s.theme", dirs[i], name);
		if (util_file_exists(p)) {
			free(home);
			return p;
		}
		free(p);
	}
	free(home);
	return NULL;
}

int
theme_load(const char *name, struct theme *t, char **cause)
{
	char *path, *text = NULL, *base;
	size_t len;
	int rc;

	if (strchr(name, '/') != NULL || (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".theme") == 0))
		path = xstrdup(name);
	else if ((path = theme_find(name)) == NULL) {
		if (strcmp(name, "dark") == 0) { theme_default(t); return 0; }
		if (strcmp(name, "monochrome") == 0) { theme_monochrome(t); return 0; }
		return util_fail(cause, "theme '%s' not found (looked in $SYNTHEHR_THEME_DIR, "
		    "~/.config/synthehr/themes, %s and the source tree)", name, SYNTHEHR_THEMEDIR);
	}
	if (util_read_file(path, &text, &len, cause) != 0) {
		free(path);
		return -1;
	}
	rc = theme_parse(text, path, t, cause);
	if (rc == 0) {
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		snprintf(t->name, sizeof t->name, "%.*s", (int)(strstr(base, ".theme") != NULL ?
		    (size_t)(strstr(base, ".theme") - base) : strlen(base)), base);
	}
	free(text);
	free(path);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
theme_list(char ***names)
{
	const char *dirs[4];
	char *home = NULL;
	char **out = NULL;
	int n = 0, i, j;

	dirs[0] = getenv("SYNTHEHR_THEME_DIR");
	if (getenv("HOME") != NULL)
		home = xsprintf("%s/.config/synthehr/themes", getenv("HOME"));
	dirs[1] = home;
	dirs[2] = SYNTHEHR_THEMEDIR;
	/* An uninstalled build (./setup.sh) finds the source tree's themes. */
	dirs[3] = SYNTHEHR_SRC_THEMEDIR;
	for (i = 0; i < 4; i++) {
		DIR *d;
		struct dirent *e;

		if (dirs[i] == NULL || (d = opendir(dirs[i])) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			size_t l = strlen(e->d_name);
			int dup = 0;

			if (l <= 6 || strcmp(e->d_name + l - 6, ".theme") != 0)
				continue;
			for (j = 0; j < n; j++)
				if (strncmp(out[j], e->d_name, l - 6) == 0 && out[j][l - 6] == '\0')
					dup = 1;
			if (dup)
				continue;
			out = xreallocarray(out, n + 1, sizeof *out);
			out[n++] = xstrndup(e->d_name, l - 6);
		}
		closedir(d);
	}
	free(home);
	if (n > 0)
		qsort(out, n, sizeof *out, cmp_str);
	*names = out;
	return n;
}
