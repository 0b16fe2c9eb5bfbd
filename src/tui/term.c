/* synthehr — GPL-3.0-or-later.
 * The canvas-to-curses path.  Only this file includes curses.  A frame is
 * drawn by copying every canvas cell into curses' virtual screen (a cchar_t
 * with the role's colour pair and attributes) and calling refresh(), which
 * sends only what changed.  While curses runs, stderr points at a temporary
 * file so stray messages cannot tear the screen; term_end() puts it back
 * and replays what was held.  term_end() is also the fatal hook, so an
 * out-of-memory abort leaves a usable terminal. */
#include "config.h"

#include <signal.h>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "synthehr/util.h"
#include "tui/term.h"

static int term_on;
static int term_saved_stderr = -1;
static FILE *term_held;
static attr_t term_attr[THEME_ROLE_COUNT];
static short term_pair[THEME_ROLE_COUNT];

int
term_active(void)
{
	return term_on;
}

static void
term_fatal_hook(void)
{
	term_end();
}

int
term_has_colour(void)
{
	return term_on && has_colors();
}

static short
fold_colour(short c)
{
	if (c < 0)
		return -1;
	if (c >= COLORS)
		return (short)(c % 8);
	return c;
}

void
term_set_theme(const struct theme *t, int use_colour)
{
	int r;

	use_colour = use_colour && has_colors();
	for (r = 0; r < THEME_ROLE_COUNT; r++) {
		const struct theme_style *s = &t->st[r];
		attr_t a = 0;

		if (s->attrs & THEME_A_BOLD) a |= A_BOLD;
		if (s->attrs & THEME_A_REVERSE) a |= A_REVERSE;
		if (s->attrs & THEME_A_UNDERLINE) a |= A_UNDERLINE;
		if (s->attrs & THEME_A_DIM) a |= A_DIM;
		/* bright colours on an 8-colour terminal: bold instead */
		if (use_colour && s->fg >= 8 && COLORS < 16 && s->fg < 16)
			a |= A_BOLD;
		term_attr[r] = a;
		term_pair[r] = 0;
		if (use_colour && r + 1 < COLOR_PAIRS) {
			init_pair((short)(r + 1), fold_colour(s->fg), fold_colour(s->bg));
			term_pair[r] = (short)(r + 1);
		}
	}
	if (use_colour)
		bkgdset(COLOR_PAIR(term_pair[THEME_NORMAL]) | ' ');
}

int
term_init(const struct theme *t, int use_colour, char **cause)
{
	FILE *held;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return util_fail(cause, "the TUI needs a terminal on stdin and stdout "
		    "(use the subcommands for scripts: synthehr --help)");
	held = tmpfile();
	fflush(stderr);
	if (held != NULL) {
		term_saved_stderr = dup(STDERR_FILENO);
		if (term_saved_stderr >= 0)
			dup2(fileno(held), STDERR_FILENO);
		term_held = held;
	}
	if (initscr() == NULL) {
		term_end();
		return util_fail(cause, "cannot start curses (is TERM set?)");
	}
	term_on = 1;
	util_fatal_hook = term_fatal_hook;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Home and End as tmux, screen, rxvt and the Linux console send them,
	 * whatever TERM's entry says: unknown, "ESC [ 1 ~" would arrive as
	 * ESC, '[', '1', '~' and the '1' switch to screen 1 */
	{
		static const struct { const char *seq; int key; } extra[] = {
			{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME }, { "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
			{ "\033[4~", KEY_END }, { "\033[8~", KEY_END }, { "\033[F", KEY_END }, { "\033OF", KEY_END },
		};
		size_t k;

		for (k = 0; k < SH_NELEM(extra); k++)
			if (key_defined(extra[k].seq) == 0)
				define_key(extra[k].seq, extra[k].key);
	}
	set_escdelay(25);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	term_set_theme(t, use_colour);
	return 0;
}

void
term_end(void)
{
	if (term_on) {
		curs_set(1);
		endwin();
		term_on = 0;
	}
	if (term_saved_stderr >= 0) {
		char buf[4096];
		size_t n;

		fflush(stderr);
		dup2(term_saved_stderr, STDERR_FILENO);
		close(term_saved_stderr);
		term_saved_stderr = -1;
		if (term_held != NULL) {
			rewind(term_held);
			while ((n = fread(buf, 1, sizeof buf, term_held)) > 0)
				if (fwrite(buf, 1, n, stderr) != n)
					break;
		}
	}
	if (term_held != NULL) {
		fclose(term_held);
		term_held = NULL;
	}
}

void
term_size(int *w, int *h)
{
	*w = COLS;
	*h = LINES;
}

void
term_draw(const struct canvas *cv)
{
	int x, y;

	for (y = 0; y < cv->h && y < LINES; y++)
		for (x = 0; x < cv->w && x < COLS; x++) {
			const struct canvas_cell *c = &cv->cells[(size_t)y * cv->w + x];
			wchar_t wc[2];
			cchar_t cc;
			int r = c->role < THEME_ROLE_COUNT ? c->role : THEME_NORMAL;

			wc[0] = (wchar_t)c->ch;
			wc[1] = 0;
			setcchar(&cc, wc, term_attr[r], term_pair[r], NULL);
			mvadd_wch(y, x, &cc);
		}
	if (cv->cur_x >= 0 && cv->cur_y >= 0) {
		move(cv->cur_y, cv->cur_x);
		curs_set(1);
	} else
		curs_set(0);
	refresh();
}

int
term_getkey(int timeout_ms)
{
	wint_t ch;
	int rc;

	static int fast_errs;
	double t0 = util_now();

	timeout(timeout_ms);
	rc = get_wch(&ch);
	if (rc == ERR) {
		/* A vanished terminal (dropped SSH connection, killed tmux) makes
		 * every read fail at once instead of waiting: after many instant
		 * failures in a row, behave as on SIGHUP rather than spin. */
		if (timeout_ms > 0 && util_now() - t0 < timeout_ms * 0.0005) {
			if (++fast_errs >= 200 && util_interrupted <= 0)
				util_interrupted = SIGHUP;
		} else
			fast_errs = 0;
		return TKEY_NONE;
	}
	fast_errs = 0;
	if (rc == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP: return TKEY_UP;
		case KEY_DOWN: return TKEY_DOWN;
		case KEY_LEFT: return TKEY_LEFT;
		case KEY_RIGHT: return TKEY_RIGHT;
		case KEY_PPAGE: return TKEY_PGUP;
		case KEY_NPAGE: return TKEY_PGDN;
		case KEY_HOME: return TKEY_HOME;
		case KEY_END: return TKEY_END;
		case KEY_BACKSPACE: return TKEY_BACKSPACE;
		case KEY_DC: return TKEY_DEL;
		case KEY_BTAB: return TKEY_BTAB;
		case KEY_RESIZE: return TKEY_RESIZE;
		case KEY_ENTER: return TKEY_ENTER;
		case KEY_F(1): return TKEY_F1;
		default: return TKEY_NONE;
		}
	}
	if (ch == '\r' || ch == '\n')
		return TKEY_ENTER;
	if (ch == 127 || ch == 8)
		return TKEY_BACKSPACE;
	return (int)ch;
}
