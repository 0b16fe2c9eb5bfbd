/* synthehr — GPL-3.0-or-later.
 * The statuses every stage returns (stage.h) and the documented exit codes
 * of the program: one set of numbers for the core and both front ends. */
#ifndef SYNTHEHR_EXITCODE_H
#define SYNTHEHR_EXITCODE_H

#define EXIT_OK 0
#define EXIT_FAIL 1          /* the work failed (I/O, numerical) */
#define EXIT_USAGE 2         /* bad usage or bad input */
#define EXIT_INTERRUPTED 130 /* cancelled, SIGINT/SIGTERM/SIGHUP: state saved, resumable */

#endif
