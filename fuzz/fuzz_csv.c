/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: CSV / CSV.gz loading with type inference, and the written
 * cohort read back again. */
#include "config.h"

#include "fuzz_common.h"
#include "synthehr/cohort.h"
#include "synthehr/csvio.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_tmpfile(data, size, ".csv"), *cause = NULL, out[300];
	struct cohort *c = NULL, *c2 = NULL;

	if (csv_read_cohort(path, NULL, &c, &cause) == 0) {
		snprintf(out, sizeof out, "%s.out.csv", path);
		if (csv_write_cohort(out, c, &cause) == 0) {
			if (csv_read_cohort(out, NULL, &c2, &cause) != 0)
				abort();   /* what we write we must be able to read */
			if (c2->nrows != c->nrows || c2->ncols != c->ncols)
				abort();
			cohort_free(c2);
			unlink(out);
		} else {
			free(cause);
			cause = NULL;
		}
		cohort_free(c);
	} else if (cause == NULL)
		abort();   /* every failure must say why */
	free(cause);
	unlink(path);
	return 0;
}
