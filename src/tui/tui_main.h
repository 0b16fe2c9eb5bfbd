/* synthehr — GPL-3.0-or-later.
 * The workbench's entry point, all that main.c knows of it. */
#ifndef SYNTHEHR_TUI_MAIN_H
#define SYNTHEHR_TUI_MAIN_H

/* Run the workbench on study_dir (NULL: none open yet); argv holds its
 * options (--theme, --ascii, --frames).  Returns an exit code. */
int tui_main(const char *study_dir, int argc, char **argv);

#endif
