/* synthehr — GPL-3.0-or-later.
 * 'synthehr check STUDY': verify every file of a study directory — JSON
 * parses, matrices match the layout, checkpoints pass their CRC, CSV files
 * read to the end — and report leftover temporary files of interrupted
 * writes (removed with --clean).  Also checks the 0700/0600 permissions. */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "synthehr/ckpt.h"
#include "synthehr/consist.h"
#include "synthehr/csvio.h"
#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

struct check_state {
	const struct layout *lay;
	int clean;
	int nfiles, nbad, ntmp, nstale;
	const char *skip;        /* a file already reported */
};

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

static void
check_bad(struct check_state *st, const char *path, char *cause)
{
	size_t n = strlen(path);

	/* Most causes already start with the path; don't print it twice. */
	if (cause != NULL && strncmp(cause, path, n) == 0 && cause[n] == ':')
		printf("BAD   %s\n", cause);
	else
		printf("BAD   %s: %s\n", path, cause ? cause : "unreadable");
	free(cause);
	st->nbad++;
}

static void
check_file(struct check_state *st, const char *path, const struct stat *sb)
{
	char *cause = NULL;

	st->nfiles++;
	if (st->skip != NULL && strcmp(path, st->skip) == 0)
		return;
	if ((sb->st_mode & 0077) != 0 || (sb->st_mode & 0400) == 0) {
		printf("PERM  %s: mode %04o, expected 0600 (patient data)\n", path, (unsigned)(sb->st_mode & 07777));
		st->nbad++;
	}
	if (strstr(path, ".tmp.") != NULL) {
		st->ntmp++;
		if (st->clean && unlink(path) == 0)
			printf("CLEAN %s: removed the leftover of an interrupted write\n", path);
		else
			printf("TMP   %s: leftover of an interrupted write (harmless; --clean removes it)\n", path);
		return;
	}
	if (ends_with(path, ".json")) {
		json_t *j;

		if (js_read_file(path, &j, &cause) != 0)
			check_bad(st, path, cause);
		else
			json_decref(j);
	} else if (ends_with(path, ".bin") && strstr(path, "ckpt") != NULL) {
		struct ckpt_header h;
		float *data = NULL;

		if (ckpt_read(path, &h, &data, &cause) != 0)
			check_bad(st, path, cause);
		free(data);
	} else if (ends_with(path, ".mtx")) {
		struct mtx *m = NULL;

		if (st->lay == NULL)
			check_bad(st, path, xstrdup("no prep/layout.json to check it against"));
		else if (mtx_read(path, st->lay, &m, &cause) != 0)
			check_bad(st, path, cause);
		mtx_free(m);
	} else if (ends_with(path, ".csv") || ends_with(path, ".csv.gz")) {
		struct csv_reader *r = csvr_open(path, &cause);
		char **f;
		size_t *len;
		int nf, rc, width = -1;

		if (r == NULL) {
			check_bad(st, path, cause);
			return;
		}
		while ((rc = csvr_next(r, &f, &len, &nf, &cause)) == 1) {
			if (width < 0)
				width = nf;
			else if (nf != width) {
				rc = util_fail(&cause, "line %zu: %d fields, expected %d", csvr_line(r), nf, width);
				break;
			}
		}
		if (rc < 0)
			check_bad(st, path, cause);
		csvr_close(r);
	}
}

static void
check_finding(int stale, const char *path, const char *msg, void *arg)
{
	struct check_state *st = arg;

	printf("%s %s: %s\n", stale ? "STALE" : "MIXED", path, msg);
	if (stale)
		st->nstale++;
	else
		st->nbad++;
}

static void
check_dir(struct check_state *st, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;

	if (d == NULL) {
		check_bad(st, dir, xsprintf("cannot open directory"));
		return;
	}
	if (stat(dir, &sb) == 0 && ((sb.st_mode & 0077) != 0 || (sb.st_mode & 0500) != 0500)) {
		printf("PERM  %s: mode %04o, expected 0700 (patient data)\n", dir, (unsigned)(sb.st_mode & 07777));
		st->nbad++;
	}
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = util_path_join(dir, e->d_name);
		if (lstat(p, &sb) == 0) {
			if (S_ISDIR(sb.st_mode) && strstr(e->d_name, ".tmp.") != NULL) {
				/* the staging directory of an interrupted stage */
				st->ntmp++;
				if (st->clean && util_rmdir_files(p) == 0)
					printf("CLEAN %s: removed the leftover of an interrupted stage\n", p);
				else
					printf("TMP   %s: leftover of an interrupted stage (harmless; the previous "
					    "result is in place; --clean removes it)\n", p);
			} else if (S_ISDIR(sb.st_mode))
				check_dir(st, p);
			else if (S_ISREG(sb.st_mode))
				check_file(st, p, &sb);
			else if (S_ISLNK(sb.st_mode)) {
				printf("LINK  %s: a symbolic link (a study holds only its own files and "
				    "directories; synthehr never writes through a link)\n", p);
				st->nbad++;
			} else {
				printf("TYPE  %s: not a regular file or directory\n", p);
				st->nbad++;
			}
		}
		free(p);
	}
	closedir(d);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "clean", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct check_state st;
	struct study *s = NULL;
	struct layout *lay = NULL;
	char *cause = NULL, *lp;
	json_t *j;
	int c;

	memset(&st, 0, sizeof st);
	while ((c = getopt_long(argc, argv, "c", opts, NULL)) != -1) {
		if (c == 'c')
			st.clean = 1;
		else {
			fprintf(stderr, "usage: synthehr check STUDY [--clean]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: synthehr check STUDY [--clean]\n");
		return EXIT_USAGE;
	}
	if (study_open(argv[optind], &s, &cause) != 0) {
		char *sj = util_path_join(argv[optind], "study.json");
		struct stat sb;

		/* a study whose study.json is damaged is a problem found, not
		 * bad usage: report it and check the rest */
		if (lstat(sj, &sb) != 0 || !util_dir_exists(argv[optind])) {
			free(sj);
			return cli_fail("check", cause, EXIT_USAGE);
		}
		check_bad(&st, sj, cause);
		cause = NULL;
		st.skip = sj;
		lp = util_path_join(argv[optind], "prep/layout.json");
		if (js_read_file(lp, &j, NULL) == 0) {
			if (layout_from_json(j, &lay, NULL) != 0)
				lay = NULL;
			json_decref(j);
		}
		free(lp);
		st.lay = lay;
		check_dir(&st, argv[optind]);
		layout_free(lay);
		free(sj);
		printf("%d files checked: %d problem%s, %d leftover temporary file%s\n", st.nfiles, st.nbad,
		    st.nbad == 1 ? "" : "s", st.ntmp, st.ntmp == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	lp = study_path(s, "prep/layout.json");
	if (util_file_exists(lp)) {
		if (js_read_file(lp, &j, &cause) == 0) {
			if (layout_from_json(j, &lay, &cause) != 0) {
				printf("BAD   %s: %s\n", lp, cause);
				free(cause);
				cause = NULL;
				st.nbad++;
			}
			json_decref(j);
		} else {
			free(cause);
			cause = NULL;
		}
	}
	free(lp);
	st.lay = lay;
	check_dir(&st, s->dir);
	/* then the files against each other: what each was made from */
	study_consistency(s, check_finding, &st);
	printf("%d files checked: %d problem%s, %d leftover temporary file%s", st.nfiles, st.nbad,
	    st.nbad == 1 ? "" : "s", st.ntmp, st.ntmp == 1 ? "" : "s");
	if (st.nstale > 0)
		printf(", %d stale result%s (re-run the stage named)", st.nstale, st.nstale == 1 ? "" : "s");
	printf("\n");
	layout_free(lay);
	study_free(s);
	return st.nbad ? EXIT_FAIL : EXIT_OK;
}
