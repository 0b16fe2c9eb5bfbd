/* synthehr — GPL-3.0-or-later.
 * Load benchmark: read one cohort CSV with csv_read_cohort() (type
 * inference, typed column storage) and print one JSON line with the file
 * size, wall and CPU seconds, MB/s and peak RSS.  Driven by bench/load.sh. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "synthehr/csvio.h"
#include "synthehr/util.h"

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
	struct cohort *c;
	struct stat st;
	char *cause = NULL;
	double t0, c0, wall, cpu, mb;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_load FILE.csv\n");
		return 2;
	}
	if (stat(argv[1], &st) != 0) {
		perror(argv[1]);
		return 1;
	}
	t0 = util_now();
	c0 = cpu_seconds();
	if (csv_read_cohort(argv[1], NULL, &c, &cause) != 0) {
		fprintf(stderr, "bench_load: %s\n", cause);
		free(cause);
		return 1;
	}
	wall = util_now() - t0;
	cpu = cpu_seconds() - c0;
	mb = st.st_size / 1e6;
	printf("{\"file\": \"%s\", \"bytes\": %lld, \"rows\": %zu, \"cols\": %d, \"wall_s\": %.3f, "
	    "\"cpu_s\": %.3f, \"mb_per_s_wall\": %.1f, \"mb_per_s_cpu\": %.1f, \"peak_rss_mb\": %.1f, "
	    "\"cohort_mb\": %.1f}\n", argv[1], (long long)st.st_size, c->nrows, c->ncols, wall, cpu,
	    mb / wall, mb / cpu, util_peak_rss() / 1048576.0, cohort_bytes(c) / 1048576.0);
	cohort_free(c);
	return 0;
}
