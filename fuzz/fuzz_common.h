/* synthehr — GPL-3.0-or-later.
 * Shared bits of the fuzz harnesses: every loader reads a path, so the
 * input bytes go to a private temporary file first. */
#ifndef SYNTHEHR_FUZZ_COMMON_H
#define SYNTHEHR_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline char *
fuzz_tmpfile(const uint8_t *data, size_t size, const char *suffix)
{
	static char path[256];
	static int n;
	FILE *fp;

	snprintf(path, sizeof path, "/tmp/synthehr-fuzz-%d-%d%s", (int)getpid(), n++ % 4, suffix);
	fp = fopen(path, "wb");
	if (fp == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
