/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: theme files, parsed from text (theme_parse) and loaded
 * from a path (theme_load).  Every role must end up with a valid style. */
#include "config.h"

#include "fuzz_common.h"
#include "tui/theme.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *path, *cause = NULL;
	struct theme t;

	memcpy(text, data, size);
	text[size] = '\0';   /* theme_parse takes a C string: stops at a NUL */
	if (theme_parse(text, "fuzz.theme", &t, &cause) != 0 && cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	path = fuzz_tmpfile(data, size, ".theme");
	if (theme_load(path, &t, &cause) != 0 && cause == NULL)
		abort();
	free(cause);
	unlink(path);
	free(text);
	return 0;
}
