/* synthehr — GPL-3.0-or-later.
 * Runs a fuzz harness over files given on the command line (no libFuzzer):
 * 'make check' replays every input that once crashed, as a regression test.
 * Prints TAP, one line per file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "synthehr/util.h"

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *data = NULL, *cause = NULL;
		size_t len = 0;

		if (util_read_file(argv[i], &data, &len, &cause) != 0) {
			printf("not ok %d - %s: %s\n", i, argv[i], cause);
			free(cause);
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		printf("ok %d - %s handled without a crash\n", i, argv[i]);
		fflush(stdout);
		free(data);
	}
	printf("1..%d\n", argc - 1);
	return 0;
}
