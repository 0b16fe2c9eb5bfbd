/* synthehr — GPL-3.0-or-later.
 * The ':' command line and value prompts, run by GNU readline's callback
 * interface inside curses.  Readline never touches the terminal here:
 *  - keys come from curses; cmdline_key() turns each into the bytes a
 *    terminal would send (arrows as ESC [ A...) and queues them, then calls
 *    rl_callback_read_char() while bytes remain; rl_getc_function hands
 *    readline the queued bytes and rl_input_available_hook says whether
 *    more are waiting;
 *  - rl_redisplay_function copies rl_line_buffer and rl_point into the app,
 *    and the frame draws them on the bottom line of the canvas;
 *  - terminal preparation is a no-op and output goes to /dev/null.
 * Completion: commands, ':set' keys, theme names and column names, else
 * file names; several matches are listed on the status line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/history.h>
#include <readline/readline.h>

#include "synthehr/util.h"
#include "synthehr/settings.h"
#include "tui/tui.h"

static struct app *cl_app;
static unsigned char cl_q[64];
static int cl_qhead, cl_qlen;
static int cl_inited;
static FILE *cl_null;
/* The prompt still shows its untouched default text: the first printable
 * key replaces it, an editing key (arrows, Home, End, Backspace, Ctrl-keys)
 * keeps it for editing, Enter accepts it.  Every prompt behaves so. */
static int cl_fresh;

static int
cl_getc(FILE *fp)
{
	int c;

	(void)fp;
	if (cl_qlen == 0)
		return EOF;
	c = cl_q[cl_qhead];
	cl_qhead = (cl_qhead + 1) % (int)sizeof cl_q;
	cl_qlen--;
	return c;
}

static int
cl_available(void)
{
	return cl_qlen > 0;
}

static void
cl_push(const char *s, int n)
{
	int i;

	for (i = 0; i < n && cl_qlen < (int)sizeof cl_q; i++) {
		cl_q[(cl_qhead + cl_qlen) % (int)sizeof cl_q] = (unsigned char)s[i];
		cl_qlen++;
	}
}

static void
cl_redisplay(void)
{
	struct app *a = cl_app;
	const char *buf = rl_line_buffer != NULL ? rl_line_buffer : "";
	int i, cols = 0;

	if (a == NULL)
		return;
	free(a->line);
	a->line = xstrdup(buf);
	/* rl_point is a byte offset; the canvas counts code points */
	for (i = 0; i < rl_point && buf[i] != '\0'; i++)
		if (((unsigned char)buf[i] & 0xc0) != 0x80)
			cols++;
	a->line_point = cols;
}

static void
cl_prep(int meta)
{
	(void)meta;
}

static void
cl_deprep(void)
{
}

static void
cl_line(char *line)
{
	struct app *a = cl_app;
	void (*done)(struct app *, char *) = a->prompt_done;

	if (line != NULL && a->prompt_kind != CMDLINE_COMMAND) {
		/* a completed file name ends in a space; paths and values never do */
		size_t n = strlen(line);

		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
	}
	if (line != NULL && *line != '\0' && a->prompt_kind == CMDLINE_COMMAND)
		add_history(line);
	rl_callback_handler_remove();
	a->prompt_on = 0;
	a->prompt_done = NULL;
	viewer_completions_close(a);
	if (done != NULL)
		done(a, line);
	else
		free(line);
}

/* Generator over a fixed word list plus, for columns, the cohort's names. */
static const char *const *cl_words;
static int cl_word_cols;

static char *
cl_gen(const char *text, int state)
{
	static int i, ci;
	size_t len = strlen(text);

	if (state == 0)
		i = ci = 0;
	while (cl_words != NULL && cl_words[i] != NULL) {
		const char *w = cl_words[i++];

		if (strncmp(w, text, len) == 0)
			return xstrdup(w);
	}
	if (cl_word_cols && cl_app->cohort != NULL)
		while (ci < cl_app->cohort->ncols) {
			const char *w = cl_app->cohort->cols[ci++].name;

			if (strncmp(w, text, len) == 0)
				return xstrdup(w);
		}
	return NULL;
}

static char **cl_theme_names;

static char **
cl_complete(const char *text, int start, int end)
{
	char first[32];
	int n;

	(void)end;
	rl_attempted_completion_over = 0;
	if (cl_app->prompt_kind == CMDLINE_VALUE) {
		rl_attempted_completion_over = 1;
		return NULL;
	}
	if (cl_app->prompt_kind == CMDLINE_PATH) {
		rl_completion_append_character = '\0';
		return NULL;   /* readline's file names */
	}
	if (start == 0) {
		cl_words = tui_command_words();
		cl_word_cols = 0;
		rl_attempted_completion_over = 1;
		return rl_completion_matches(text, cl_gen);
	}
	n = (int)strcspn(rl_line_buffer, " ");
	snprintf(first, sizeof first, "%.*s", n, rl_line_buffer);
	if (strcmp(first, "set") == 0 && strchr(rl_line_buffer + n + 1, ' ') == NULL) {
		cl_words = tui_set_keys();
		cl_word_cols = 0;
		rl_attempted_completion_over = 1;
		return rl_completion_matches(text, cl_gen);
	}
	if (strcmp(first, "set") == 0) {
		/* ':set KEY <Tab>': the words the setting allows */
		char key[64];
		const char *k = rl_line_buffer + n + 1;
		const struct setting *st;

		snprintf(key, sizeof key, "%.*s", (int)strcspn(k, " "), k);
		st = settings_find_set_name(key);
		cl_words = st != NULL ? setting_completions(st) : NULL;
		cl_word_cols = 0;
		rl_attempted_completion_over = 1;
		return cl_words != NULL ? rl_completion_matches(text, cl_gen) : NULL;
	}
	if (strcmp(first, "theme") == 0) {
		int i;

		if (cl_theme_names != NULL) {
			for (i = 0; cl_theme_names[i] != NULL; i++)
				free(cl_theme_names[i]);
			free(cl_theme_names);
		}
		n = theme_list(&cl_theme_names);
		cl_theme_names = xreallocarray(cl_theme_names, n + 1, sizeof *cl_theme_names);
		cl_theme_names[n] = NULL;
		cl_words = (const char *const *)cl_theme_names;
		cl_word_cols = 0;
		rl_attempted_completion_over = 1;
		return rl_completion_matches(text, cl_gen);
	}
	if (strcmp(first, "column") == 0 || strcmp(first, "col") == 0) {
		cl_words = NULL;
		cl_word_cols = 1;
		rl_attempted_completion_over = 1;
		return rl_completion_matches(text, cl_gen);
	}
	return NULL;   /* paths for load/open/export */
}

/* Several matches: a list over the screen (viewer.c) that pages, instead
 * of the terminal. */
static void
cl_display_matches(char **matches, int n, int maxlen)
{
	char **words = xcalloc(n + 1, sizeof *words);
	int i;

	(void)maxlen;
	for (i = 0; i < n; i++)
		words[i] = xstrdup(matches[i + 1]);
	viewer_completions(cl_app, words, n);
}

static void
cl_init(void)
{
	if (cl_inited)
		return;
	cl_inited = 1;
	cl_null = fopen("/dev/null", "w");
	rl_instream = NULL;
	rl_outstream = cl_null;
	rl_getc_function = cl_getc;
	rl_input_available_hook = cl_available;
	rl_redisplay_function = cl_redisplay;
	rl_prep_term_function = cl_prep;
	rl_deprep_term_function = cl_deprep;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_readline_name = "synthehr";
	rl_attempted_completion_function = cl_complete;
	rl_completion_display_matches_hook = cl_display_matches;
	rl_variable_bind("bell-style", "none");
	using_history();
}

void
cmdline_open(struct app *a, const char *prompt, int kind, const char *initial,
    void (*done)(struct app *a, char *line))
{
	cl_init();
	cl_app = a;
	cl_qhead = cl_qlen = 0;
	free(a->prompt);
	a->prompt = xstrdup(prompt);
	a->prompt_kind = kind;
	a->prompt_done = done;
	a->prompt_on = 1;
	free(a->line);
	a->line = xstrdup("");
	a->line_point = 0;
	rl_callback_handler_install(prompt, cl_line);
	cl_fresh = 0;
	if (initial != NULL && *initial != '\0') {
		rl_insert_text(initial);
		cl_redisplay();
		cl_fresh = 1;
	}
}

void
cmdline_close(struct app *a)
{
	void (*done)(struct app *, char *) = a->prompt_done;

	if (!a->prompt_on)
		return;
	rl_callback_handler_remove();
	a->prompt_on = 0;
	a->prompt_done = NULL;
	viewer_completions_close(a);
	if (done != NULL)
		done(a, NULL);
}

int
cmdline_key(struct app *a, int key)
{
	char b[8];
	int n = 0;

	cl_app = a;
	if (a->compl != NULL) {
		/* the completion list pages with PgUp/PgDn and goes with any key
		 * but Tab (Tab Tab again shows its next page) */
		if (key == TKEY_PGDN || key == TKEY_PGUP) {
			viewer_completions_page(a, key == TKEY_PGDN ? 1 : -1);
			return TUI_REDRAW;
		}
		if (key != '\t')
			viewer_completions_close(a);
	}
	if (cl_fresh) {
		cl_fresh = 0;
		/* typing over the default replaces it (Tab completes it instead) */
		if (key >= ' ' && key < TKEY_BASE && key != 127) {
			rl_delete_text(0, rl_end);
			rl_point = rl_end = 0;
			cl_redisplay();
		}
	}
	switch (key) {
	case TKEY_ESC: case TKEY_CTRL('c'): case TKEY_CTRL('g'):
		cmdline_close(a);
		return TUI_REDRAW;
	case TKEY_UP: cl_push("\033[A", 3); break;
	case TKEY_DOWN: cl_push("\033[B", 3); break;
	case TKEY_RIGHT: cl_push("\033[C", 3); break;
	case TKEY_LEFT: cl_push("\033[D", 3); break;
	case TKEY_HOME: cl_push("\001", 1); break;
	case TKEY_END: cl_push("\005", 1); break;
	case TKEY_DEL: cl_push("\004", 1); break;
	case TKEY_BACKSPACE:
		if (a->line[0] == '\0') {   /* backspace on an empty line closes it, like vi */
			cmdline_close(a);
			return TUI_REDRAW;
		}
		cl_push("\177", 1);
		break;
	case TKEY_ENTER: cl_push("\r", 1); break;
	default:
		if (key < 0 || key >= TKEY_BASE)
			return TUI_REDRAW;
		n = canvas_utf8_encode((uint32_t)key, b);
		cl_push(b, n);
	}
	while (cl_qlen > 0 && a->prompt_on)
		rl_callback_read_char();
	cl_qhead = cl_qlen = 0;
	return TUI_REDRAW;
}
