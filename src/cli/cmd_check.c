/* synthehr — GPL-3.0-or-later.
 * 'synthehr check STUDY [--clean]': the check stage (check.h) through the
 * stage runner; its lines go to stdout as they come. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/stage.h"

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clean", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct stage_req q;
	int c;

	memset(&q, 0, sizeof q);
	q.stage = STAGE_CHECK;
	while ((c = getopt_long(argc, argv, "c", opts, NULL)) != -1) {
		if (c == 'c')
			q.check_clean = 1;
		else {
			fprintf(stderr, "usage: synthehr check STUDY [--clean]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: synthehr check STUDY [--clean]\n");
		return EXIT_USAGE;
	}
	q.study = argv[optind];
	return stage_run(&q, cli_stage_event, "check");
}
