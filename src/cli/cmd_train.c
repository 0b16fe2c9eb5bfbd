/* synthehr — GPL-3.0-or-later. Placeholder until its module lands. */
#include "config.h"
#include <stdio.h>
#include "cli/cli.h"
int
cmd_train(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "synthehr %s: not built yet\n", argv[0]);
	return EXIT_FAIL;
}
int
cmd_generate(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "synthehr %s: not built yet\n", argv[0]);
	return EXIT_FAIL;
}
