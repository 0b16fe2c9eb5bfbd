/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: the MIMIC-IV importer.  The first byte picks which of the
 * four hosp tables the rest of the input replaces (patients, admissions,
 * diagnoses_icd, omr); the other three are the small valid tables that
 * tests/mimic_fixture.sh writes.  Directories come from the environment,
 * read once: FUZZ_MIMIC_DIR (holding hosp/) and FUZZ_PHECODES (phecode map
 * 1.2, e.g. ../shared/data/phecode-map-1.2). */
#include "config.h"

#include <sys/stat.h>

#include "fuzz_common.h"
#include "synthehr/mimic.h"
#include "synthehr/util.h"

static const char *tables[4] = { "patients", "admissions", "diagnoses_icd", "omr" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *good[4], *map;
	static size_t goodlen[4];
	char dir[128], hosp[160], out[200], p[256], *cause = NULL;
	struct mimic_options o;
	struct mimic_summary s;
	int i, pick;

	if (map == NULL) {
		const char *src = getenv("FUZZ_MIMIC_DIR"), *maps = getenv("FUZZ_PHECODES");

		if (src == NULL || maps == NULL) {
			fprintf(stderr, "set FUZZ_MIMIC_DIR (see tests/mimic_fixture.sh) and FUZZ_PHECODES\n");
			abort();
		}
		for (i = 0; i < 4; i++) {
			snprintf(p, sizeof p, "%s/hosp/%s.csv", src, tables[i]);
			if (util_read_file(p, &good[i], &goodlen[i], &cause) != 0) {
				fprintf(stderr, "%s\n", cause);
				abort();
			}
		}
		map = strdup(maps);
	}
	if (size < 1)
		return 0;
	pick = data[0] % 4;
	snprintf(dir, sizeof dir, "/tmp/synthehr-fuzz-mimic-%d", (int)getpid());
	snprintf(hosp, sizeof hosp, "%s/hosp", dir);
	mkdir(dir, 0700);
	mkdir(hosp, 0700);
	for (i = 0; i < 4; i++) {
		FILE *fp;

		snprintf(p, sizeof p, "%s/%s.csv", hosp, tables[i]);
		if ((fp = fopen(p, "wb")) == NULL)
			abort();
		if (i == pick)
			fwrite(data + 1, 1, size - 1, fp);
		else
			fwrite(good[i], 1, goodlen[i], fp);
		fclose(fp);
	}
	snprintf(out, sizeof out, "%s/out.csv", dir);
	memset(&o, 0, sizeof o);
	o.mimic_dir = dir;
	o.map_dir = map;
	o.out = out;
	o.ranges = data[0] & 4;
	memset(&s, 0, sizeof s);
	if (mimic_import(&o, &s, &cause) != 0) {
		struct stat st;

		if (cause == NULL)
			abort();
		if (stat(out, &st) == 0)
			abort();   /* nothing is written when an input is bad */
	}
	mimic_summary_done(&s);
	free(cause);
	unlink(out);
	snprintf(p, sizeof p, "%s.schema.json", out);
	unlink(p);
	return 0;
}
