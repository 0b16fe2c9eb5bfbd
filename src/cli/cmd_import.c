/* synthehr — GPL-3.0-or-later.
 * 'synthehr import-mimic' and 'synthehr import-events': option parsing,
 * progress and the closing summary for the cohort importers (the work is
 * in src/core/mimic.c and src/core/events.c). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/mimic.h"
#include "synthehr/util.h"

const char cmd_import_mimic_usage[] =
    "usage: synthehr import-mimic MIMIC_DIR --phecodes MAP_DIR -o cohort.csv.gz\n"
    "                             [--no-rollup] [--icd10-ranges] [--quiet]\n"
    "  MIMIC_DIR        MIMIC-IV root (with hosp/) or its hosp/ directory; reads\n"
    "                   patients, admissions, diagnoses_icd, omr (.csv.gz or .csv)\n"
    "  --phecodes DIR   phecode map 1.2 directory (phecode_map_icd9cm.csv,\n"
    "                   phecode_map_icd10cm.csv, phecode_rollup_map.csv)\n"
    "  -o FILE          cohort to write (.gz compresses); FILE.schema.json beside it\n"
    "  --no-rollup      keep only the phecodes the ICD codes map to directly\n"
    "  --icd10-ranges   match ICD-10 range rows (A00-A09) when nothing else matches\n"
    "  --quiet          no progress, summary only\n";

const char cmd_import_events_usage[] =
    "usage: synthehr import-events --patients FILE --events FILE -o cohort.csv.gz\n"
    "                              [--id COL] [--code COL] [--vocab COL | --no-vocab] [--icd 9|10]\n"
    "                              [--phecodes MAP_DIR [--no-rollup] [--icd10-ranges]]\n"
    "                              [--label COL] [--sex COL [--female VALUE]] [--quiet]\n"
    "  --patients FILE  one row per patient: an id column and any attributes (copied)\n"
    "  --events FILE    one row per event: patient id, code, optional vocabulary\n"
    "  --id COL         id column in both tables (default: subject_id, person_id,\n"
    "                   patient_id, id, else the patient table's first column)\n"
    "  --code COL       code column (default: icd_code, code, condition_source_value,\n"
    "                   condition_concept_id, concept_id)\n"
    "  --vocab COL      vocabulary column, 9/10 or ICD9CM/ICD10CM (default: icd_version,\n"
    "                   vocabulary_id, vocabulary, vocab when present)\n"
    "  --icd 9|10       vocabulary of every code when there is no vocabulary column\n"
    "  --phecodes DIR   map ICD codes to phecodes; without it codes are concept columns\n"
    "                   as they are (VOCAB:CODE when there is a vocabulary column)\n"
    "  --label COL      patient column to preset as the label; --sex COL as sex\n"
    "  --female VALUE   the sex column's value for female (e.g. F or 1)\n";

struct import_progress {
	int quiet;
	int tty;
	double t0;
};

static void
show_progress(const char *stage, size_t rows, int done, void *arg)
{
	struct import_progress *p = arg;

	if (p->quiet)
		return;
	if (done) {
		fprintf(stderr, "%s%-14s %12zu rows  %7.1f s\n", p->tty ? "\r" : "", stage, rows,
		    util_now() - p->t0);
		if (p->tty)
			fprintf(stderr, "\033[K");
	} else if (p->tty)
		fprintf(stderr, "\r%-14s %12zu rows ...", stage, rows);
	else
		return;
	fflush(stderr);
}

/* The import stage's events: a line per finished phase (on a terminal
 * also the running count), the failure line. */
static void
import_event(const struct stage_event *ev, void *arg)
{
	struct import_progress *p = arg;
	char phase[sizeof ev->label];
	size_t n;
	int done;

	switch (ev->kind) {
	case STAGE_EV_PROGRESS:
		if (p->quiet)
			break;
		/* label: "PHASE" while it reads, "PHASE done" at its end; step: rows */
		snprintf(phase, sizeof phase, "%s", ev->label);
		n = strlen(phase);
		done = n > 5 && strcmp(phase + n - 5, " done") == 0;
		if (done)
			phase[n - 5] = '\0';
		if (done) {
			fprintf(stderr, "%s%-14s %12.0f rows  %7.1f s\n", p->tty ? "\r" : "", phase, ev->step,
			    util_now() - p->t0);
			if (p->tty)
				fprintf(stderr, "\033[K");
		} else if (p->tty)
			fprintf(stderr, "\r%-14s %12.0f rows ...", phase, ev->step);
		fflush(stderr);
		break;
	case STAGE_EV_NOTE:
		if (!ev->result)   /* the result: the summary below */
			fprintf(stderr, "synthehr import-mimic: %s\n", ev->text != NULL ? ev->text : ev->msg);
		break;
	case STAGE_EV_DONE:
		if (ev->status == EXIT_INTERRUPTED)
			fprintf(stderr, "synthehr import-mimic: interrupted; nothing written\n");
		else if (ev->status != EXIT_OK)
			fprintf(stderr, "synthehr import-mimic: %s\n", ev->msg[0] ? ev->msg : "failed");
		break;
	default:
		break;
	}
}

static void
print_map_stats(const struct phecode_stats *st)
{
	int v;

	for (v = 0; v < PHECODE_VOCAB_COUNT; v++) {
		size_t rows = 0, codes = 0;
		int h;

		for (h = 0; h < PHECODE_HOW_COUNT; h++) {
			rows += st->rows[v][h];
			codes += st->distinct[v][h];
		}
		if (rows == 0)
			continue;
		fprintf(stderr, "  %-9s  %zu rows, %zu distinct codes: exact %zu, truncated %zu, range %zu, "
		    "unmatched %zu codes (%zu rows, %.2f%%)\n", phecode_vocab_name(v), rows, codes,
		    st->distinct[v][PHECODE_EXACT], st->distinct[v][PHECODE_TRUNCATED],
		    st->distinct[v][PHECODE_RANGE], st->distinct[v][PHECODE_UNMATCHED],
		    st->rows[v][PHECODE_UNMATCHED], 100.0 * (double)st->rows[v][PHECODE_UNMATCHED] / (double)rows);
	}
}

int
cmd_import_mimic(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "phecodes", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-rollup", no_argument, NULL, 'R' },
		{ "icd10-ranges", no_argument, NULL, 'g' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct mimic_options o;
	struct mimic_summary s;
	struct import_progress pr;
	struct stage_req q;
	int c, v, i, rc;

	memset(&o, 0, sizeof o);
	memset(&pr, 0, sizeof pr);
	while ((c = getopt_long(argc, argv, "p:o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o.map_dir = optarg; break;
		case 'o': o.out = optarg; break;
		case 'R': o.no_rollup = 1; break;
		case 'g': o.ranges = 1; break;
		case 'q': pr.quiet = 1; break;
		default:
			fputs(cmd_import_mimic_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || o.map_dir == NULL || o.out == NULL) {
		fprintf(stderr, "synthehr import-mimic: %s\n", optind != argc - 1 ? "expected one MIMIC_DIR" :
		    o.map_dir == NULL ? "--phecodes MAP_DIR is required" : "-o FILE is required");
		fputs(cmd_import_mimic_usage, stderr);
		return EXIT_USAGE;
	}
	o.mimic_dir = argv[optind];
	pr.tty = isatty(STDERR_FILENO);
	pr.t0 = util_now();
	memset(&q, 0, sizeof q);
	q.stage = STAGE_IMPORT;
	q.study = o.out;
	q.out_path = o.out;
	q.mimic_opts = &o;
	q.result = &s;
	memset(&s, 0, sizeof s);
	if ((rc = stage_run(&q, import_event, &pr)) != EXIT_OK)
		return rc;
	fprintf(stderr, "import-mimic: %zu patients, %zu with an admission, %zu died in hospital at the last "
	    "admission, %zu kept\n", s.patients, s.with_admission, s.died_in_hospital, s.kept);
	fprintf(stderr, "  DIE_1y: %zu = 1 (%.1f%%), %zu = 0; female %zu; race", s.label1,
	    s.kept ? 100.0 * (double)s.label1 / (double)s.kept : 0.0, s.label0, s.female);
	for (i = 0; i < MIMIC_RACE_COUNT; i++)
		fprintf(stderr, " %s %zu", mimic_race_name(i), s.race[i]);
	fprintf(stderr, "\n  BMI present %zu, blood pressure present %zu (%zu set missing: both <= 0); "
	    "%zu unreadable omr values skipped\n", s.with_bmi, s.with_bp, s.bp_nonpositive, s.omr_bad_values);
	if (s.adm_unknown_patient || s.adm_no_dischtime || s.diag_unknown_patient)
		fprintf(stderr, "  skipped: %zu admissions of unknown subjects, %zu without dischtime, "
		    "%zu diagnoses of unknown subjects\n", s.adm_unknown_patient, s.adm_no_dischtime,
		    s.diag_unknown_patient);
	fprintf(stderr, "  diagnoses: %zu rows, %zu of kept patients; phecode columns %zu\n", s.diag_rows,
	    s.diag_kept_rows, s.nphecodes);
	print_map_stats(&s.map);
	for (v = 0; v < PHECODE_VOCAB_COUNT; v++) {
		if (s.ntop_unmatched[v] == 0)
			continue;
		fprintf(stderr, "  most frequent unmatched %s:", phecode_vocab_name(v));
		for (i = 0; i < s.ntop_unmatched[v]; i++)
			fprintf(stderr, " %s (%zu)", s.top_unmatched[v][i], s.top_unmatched_n[v][i]);
		fputc('\n', stderr);
	}
	fprintf(stderr, "wrote %s and %s.schema.json in %.1f s (peak RSS %.0f MB)\n", o.out, o.out,
	    s.seconds, (double)util_peak_rss() / 1048576.0);
	mimic_summary_done(&s);
	return EXIT_OK;
}

int
cmd_import_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "patients", required_argument, NULL, 'P' },
		{ "events", required_argument, NULL, 'E' },
		{ "output", required_argument, NULL, 'o' },
		{ "id", required_argument, NULL, 'i' },
		{ "code", required_argument, NULL, 'c' },
		{ "vocab", required_argument, NULL, 'v' },
		{ "no-vocab", no_argument, NULL, 'V' },
		{ "icd", required_argument, NULL, 'I' },
		{ "phecodes", required_argument, NULL, 'p' },
		{ "no-rollup", no_argument, NULL, 'R' },
		{ "icd10-ranges", no_argument, NULL, 'g' },
		{ "label", required_argument, NULL, 'l' },
		{ "sex", required_argument, NULL, 's' },
		{ "female", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	struct events_options o;
	struct events_summary s;
	struct import_progress pr;
	char *cause = NULL;
	int c;

	memset(&o, 0, sizeof o);
	memset(&pr, 0, sizeof pr);
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'P': o.patients = optarg; break;
		case 'E': o.events = optarg; break;
		case 'o': o.out = optarg; break;
		case 'i': o.id_col = optarg; break;
		case 'c': o.code_col = optarg; break;
		case 'v': o.vocab_col = optarg; break;
		case 'V': o.no_vocab = 1; break;
		case 'I':
			if (strcmp(optarg, "9") != 0 && strcmp(optarg, "10") != 0) {
				fprintf(stderr, "synthehr import-events: --icd %s: expected 9 or 10\n", optarg);
				return EXIT_USAGE;
			}
			o.icd = atoi(optarg);
			break;
		case 'p': o.map_dir = optarg; break;
		case 'R': o.no_rollup = 1; break;
		case 'g': o.ranges = 1; break;
		case 'l': o.label_col = optarg; break;
		case 's': o.sex_col = optarg; break;
		case 'f': o.sex_female = optarg; break;
		case 'q': pr.quiet = 1; break;
		default:
			fputs(cmd_import_events_usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || o.patients == NULL || o.events == NULL || o.out == NULL) {
		fprintf(stderr, "synthehr import-events: %s\n", optind != argc ? "unexpected argument" :
		    o.patients == NULL ? "--patients FILE is required" :
		    o.events == NULL ? "--events FILE is required" : "-o FILE is required");
		fputs(cmd_import_events_usage, stderr);
		return EXIT_USAGE;
	}
	if (o.vocab_col != NULL && o.no_vocab) {
		fprintf(stderr, "synthehr import-events: --vocab and --no-vocab exclude each other\n");
		return EXIT_USAGE;
	}
	pr.tty = isatty(STDERR_FILENO);
	pr.t0 = util_now();
	o.progress = show_progress;
	o.progress_arg = &pr;
	util_cancel_aware = 1;
	if (events_import(&o, &s, &cause) != 0) {
		util_cancel_aware = 0;
		if (util_interrupted) {
			fprintf(stderr, "synthehr import-events: interrupted; nothing written\n");
			free(cause);
			return EXIT_INTERRUPTED;
		}
		return cli_fail("import-events", cause, EXIT_USAGE);
	}
	util_cancel_aware = 0;
	fprintf(stderr, "import-events: %zu patients (id column %s), %zu events (code column %s%s%s)\n",
	    s.patients, s.id_col, s.events, s.code_col, s.vocab_col[0] ? ", vocabulary column " : "",
	    s.vocab_col);
	fprintf(stderr, "  %zu events of unknown patients skipped, %zu with an empty code", s.unknown_patient,
	    s.empty_code);
	if (s.mapped)
		fprintf(stderr, ", %zu of other vocabularies, %zu unmatched", s.other_vocab, s.unmatched);
	fprintf(stderr, "\n  %zu %s columns; %zu patients with at least one\n", s.nconcepts,
	    s.mapped ? "phecode" : "concept", s.with_concept);
	if (s.mapped)
		print_map_stats(&s.map);
	fprintf(stderr, "wrote %s and %s.schema.json in %.1f s\n", o.out, o.out, s.seconds);
	return EXIT_OK;
}
