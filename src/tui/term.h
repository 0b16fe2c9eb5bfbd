/* synthehr — GPL-3.0-or-later.
 * The one module that talks to the terminal: curses set-up and tear-down,
 * copying a canvas to the screen, reading keys.  Keys are code points, or
 * the TKEY_* values below for keys that are not characters. */
#ifndef SYNTHEHR_TUI_TERM_H
#define SYNTHEHR_TUI_TERM_H

#include "tui/canvas.h"
#include "tui/theme.h"

enum {
	TKEY_NONE = -1,
	TKEY_BASE = 0x110000,
	TKEY_UP, TKEY_DOWN, TKEY_LEFT, TKEY_RIGHT, TKEY_PGUP, TKEY_PGDN, TKEY_HOME, TKEY_END,
	TKEY_BACKSPACE, TKEY_DEL, TKEY_BTAB, TKEY_RESIZE, TKEY_ENTER, TKEY_F1,
};
#define TKEY_ESC 27
#define TKEY_CTRL(c) ((c) & 0x1f)

/* Start curses (wide characters), hold stderr in a temporary file and
 * install the fatal hook.  use_colour 0: attributes only. */
int term_init(const struct theme *t, int use_colour, char **cause);
/* Restore the terminal and replay held stderr; safe to call twice and from
 * the fatal hook. */
void term_end(void);
int term_active(void);
/* Colours from a theme (after term_init). */
void term_set_theme(const struct theme *t, int use_colour);
/* Whether the terminal can show colour at all. */
int term_has_colour(void);
void term_size(int *w, int *h);
/* Copy the canvas to the terminal and refresh. */
void term_draw(const struct canvas *cv);
/* Wait up to timeout_ms for a key; TKEY_NONE on timeout. */
int term_getkey(int timeout_ms);

#endif
