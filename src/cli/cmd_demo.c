/* synthehr — GPL-3.0-or-later.
 * synthehr demo: write the built-in demo cohort and its schema sidecar. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "synthehr/demo.h"
#include "synthehr/util.h"

static int
demo_usage(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "synthehr demo: %s\n", msg);
	fprintf(stderr, "usage: synthehr demo -o FILE [--rows N] [--concepts K] [--seed S] [--full] [--extract|--no-extract]\n"
	    "Try 'synthehr demo --help'.\n");
	return EXIT_USAGE;
}

/* Whole-token unsigned integer; -1 if not one. */
static int
parse_count(const char *s, unsigned long long *out)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	*out = strtoull(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "rows", required_argument, NULL, 'r' },
		{ "concepts", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' },
		{ "full", no_argument, NULL, 'f' },
		{ "extract", no_argument, NULL, 'x' },
		{ "no-extract", no_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 }
	};
	struct demo_opts o;
	const char *path = NULL;
	unsigned long long rows = 0, concepts = 0, seed = 1;
	int ch, full = 0, have_rows = 0, have_k = 0, extract = -1;
	char *cause = NULL;
	double t0 = util_now();

	optind = 0;   /* GNU getopt: start afresh (other subcommands may have parsed before) */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			path = optarg;
			break;
		case 'r':
			if (parse_count(optarg, &rows) != 0 || rows < 10 || rows > 10000000)
				return demo_usage("--rows: expected a whole number from 10 to 10000000");
			have_rows = 1;
			break;
		case 'k':
			if (parse_count(optarg, &concepts) != 0 || concepts < 1 || concepts > DEMO_FULL_CONCEPTS) {
				char *m = xsprintf("--concepts: expected a whole number from 1 to %d",
				    DEMO_FULL_CONCEPTS);
				int rc = demo_usage(m);

				free(m);
				return rc;
			}
			have_k = 1;
			break;
		case 's':
			if (parse_count(optarg, &seed) != 0)
				return demo_usage("--seed: expected a non-negative whole number");
			break;
		case 'f':
			full = 1;
			break;
		case 'x':
		case 'X':
			extract = ch == 'x';
			break;
		default:
			return demo_usage("unknown option or missing argument");
		}
	}
	if (optind < argc)
		return demo_usage("unexpected argument");
	if (path == NULL)
		return demo_usage("-o FILE is required");
	if (full)
		demo_opts_full(&o);
	else
		demo_opts_init(&o);
	if (have_rows)
		o.rows = rows;
	if (have_k)
		o.concepts = (int)concepts;
	o.seed = seed;
	if (extract >= 0)
		o.extract = extract;
	fprintf(stderr, "synthehr demo: generating %zu patients x %d concepts%s (seed %" PRIu64 ")\n",
	    o.rows, o.concepts, o.extract ? " + the extract's 7 columns" : "", o.seed);
	if (demo_write(&o, path, &cause) != 0)
		return cli_fail("demo", cause, EXIT_FAIL);
	fprintf(stderr, "synthehr demo: wrote %s and %s.schema.json in %.1f s\n", path, path,
	    util_now() - t0);
	printf("%s\n", path);
	return EXIT_OK;
}
