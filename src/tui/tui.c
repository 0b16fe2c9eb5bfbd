/* synthehr — GPL-3.0-or-later. Placeholder until the TUI lands. */
#include "config.h"
#include <stdio.h>
#include "cli/cli.h"
int
tui_main(const char *study_dir, int argc, char **argv)
{
	(void)study_dir; (void)argc; (void)argv;
	fprintf(stderr, "synthehr: the TUI is not built yet; see 'synthehr --help'\n");
	return EXIT_FAIL;
}
