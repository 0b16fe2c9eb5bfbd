/* synthehr — GPL-3.0-or-later.
 * 'check': every file of a study directory verified (JSON parses, matrices
 * match the layout, checkpoints pass their CRC, CSV files read to the
 * end, 0700/0600 modes, no links), leftovers of interrupted writes listed
 * (removed with clean), then the files against each other (consist.h).
 * The check stage of the runner (stage.h) posts each line as a result. */
#ifndef SYNTHEHR_CHECK_H
#define SYNTHEHR_CHECK_H

/* One line of the report, without a newline: "BAD   PATH: CAUSE", "PERM",
 * "TMP", "CLEAN", "LINK", "TYPE", "STALE", "MIXED", and the closing count
 * "N files checked: ...". */
typedef void (*check_line_fn)(const char *line, void *arg);

/* EXIT_OK (exitcode.h) when nothing is wrong, EXIT_FAIL when a problem was
 * found (stale results alone are not one), EXIT_USAGE with *cause when
 * DIR is not a study directory. */
int study_check(const char *dir, int clean, check_line_fn line, void *arg, char **cause);

#endif
