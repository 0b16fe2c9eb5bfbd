/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: checkpoint loading (ckpt_read, header only and in full,
 * then ckpt_check against a fixed expected header).  A failed read must
 * say why; a successful full read must hand back its payload. */
#include "config.h"

#include <math.h>

#include "fuzz_common.h"
#include "synthehr/ckpt.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_tmpfile(data, size, ".ckpt"), *cause = NULL;
	struct ckpt_header h, want;
	float *payload = NULL;

	memset(&want, 0, sizeof want);
	want.version = CKPT_VERSION;
	want.D = 4;
	want.zdim = 8;
	want.width = 16;
	want.depth = 2;
	want.ngroups = 1;
	want.score = NAN;
	if (ckpt_read(path, &h, NULL, &cause) == 0) {
		if (ckpt_check(path, &h, &want, &cause) != 0 && cause == NULL)
			abort();
	} else if (cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	if (ckpt_read(path, &h, &payload, &cause) == 0) {
		volatile float sink = 0;
		uint64_t i;

		if (payload == NULL)
			abort();
		for (i = 0; i < h.nfloats; i++)   /* touch every float: the buffer must hold them */
			sink += payload[i];
		(void)sink;
		free(payload);
	} else if (cause == NULL)
		abort();
	free(cause);
	unlink(path);
	return 0;
}
