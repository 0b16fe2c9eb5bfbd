/* synthehr — GPL-3.0-or-later.
 * Checking a study directory (check.h): each file on its own, then the
 * files against each other (consist.c).  Every finding is one line to the
 * caller; nothing is printed here. */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "synthehr/check.h"
#include "synthehr/ckpt.h"
#include "synthehr/consist.h"
#include "synthehr/csvio.h"
#include "synthehr/exitcode.h"
#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

struct check_state {
	check_line_fn line;
	void *arg;
	const struct layout *lay;
	int clean;
	int nfiles, nbad, ntmp, nstale;
	const char *skip;        /* a file already reported */
};

static void emit(struct check_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line of the report to the caller. */
static void
emit(struct check_state *st, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	st->line(s != NULL ? s : "?", st->arg);
	free(s);
}

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
		emit(st, "BAD   %s", cause);
	else
		emit(st, "BAD   %s: %s", path, cause ? cause : "unreadable");
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
		emit(st, "PERM  %s: mode %04o, expected 0600 (patient data)", path, (unsigned)(sb->st_mode & 07777));
		st->nbad++;
	}
	if (strstr(path, ".tmp.") != NULL) {
		st->ntmp++;
		if (st->clean && unlink(path) == 0)
			emit(st, "CLEAN %s: removed the leftover of an interrupted write", path);
		else
			emit(st, "TMP   %s: leftover of an interrupted write (harmless; --clean removes it)", path);
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

	emit(st, "%s %s: %s", stale ? "STALE" : "MIXED", path, msg);
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
		emit(st, "PERM  %s: mode %04o, expected 0700 (patient data)", dir, (unsigned)(sb.st_mode & 07777));
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
					emit(st, "CLEAN %s: removed the leftover of an interrupted stage", p);
				else
					emit(st, "TMP   %s: leftover of an interrupted stage (harmless; the previous "
					    "result is in place; --clean removes it)", p);
			} else if (S_ISDIR(sb.st_mode))
				check_dir(st, p);
			else if (S_ISREG(sb.st_mode))
				check_file(st, p, &sb);
			else if (S_ISLNK(sb.st_mode)) {
				emit(st, "LINK  %s: a symbolic link (a study holds only its own files and "
				    "directories; synthehr never writes through a link)", p);
				st->nbad++;
			} else {
				emit(st, "TYPE  %s: not a regular file or directory", p);
				st->nbad++;
			}
		}
		free(p);
	}
	closedir(d);
}

int
study_check(const char *dir, int clean, check_line_fn line, void *arg, char **cause)
{
	struct check_state st;
	struct study *s = NULL;
	struct layout *lay = NULL;
	char *lp;
	json_t *j;

	memset(&st, 0, sizeof st);
	st.line = line;
	st.arg = arg;
	st.clean = clean;
	if (study_open(dir, &s, cause) != 0) {
		char *sj = util_path_join(dir, "study.json");
		struct stat sb;

		/* a study whose study.json is damaged is a problem found, not
		 * bad usage: report it and check the rest */
		if (lstat(sj, &sb) != 0 || !util_dir_exists(dir)) {
			free(sj);
			return EXIT_USAGE;
		}
		check_bad(&st, sj, *cause);
		*cause = NULL;
		st.skip = sj;
		lp = util_path_join(dir, "prep/layout.json");
		if (js_read_file(lp, &j, NULL) == 0) {
			if (layout_from_json(j, &lay, NULL) != 0)
				lay = NULL;
			json_decref(j);
		}
		free(lp);
		st.lay = lay;
		check_dir(&st, dir);
		layout_free(lay);
		free(sj);
		emit(&st, "%d files checked: %d problem%s, %d leftover temporary file%s", st.nfiles, st.nbad,
		    st.nbad == 1 ? "" : "s", st.ntmp, st.ntmp == 1 ? "" : "s");
		return EXIT_FAIL;
	}
	lp = study_path(s, "prep/layout.json");
	if (util_file_exists(lp)) {
		if (js_read_file(lp, &j, cause) == 0) {
			if (layout_from_json(j, &lay, cause) != 0) {
				emit(&st, "BAD   %s: %s", lp, *cause);
				free(*cause);
				*cause = NULL;
				st.nbad++;
			}
			json_decref(j);
		} else {
			free(*cause);
			*cause = NULL;
		}
	}
	free(lp);
	st.lay = lay;
	check_dir(&st, s->dir);
	/* then the files against each other: what each was made from */
	study_consistency(s, check_finding, &st);
	{
		char stale[96] = "";

		if (st.nstale > 0)
			snprintf(stale, sizeof stale, ", %d stale result%s (re-run the stage named)", st.nstale,
			    st.nstale == 1 ? "" : "s");
		emit(&st, "%d files checked: %d problem%s, %d leftover temporary file%s%s", st.nfiles, st.nbad,
		    st.nbad == 1 ? "" : "s", st.ntmp, st.ntmp == 1 ? "" : "s", stale);
	}
	layout_free(lay);
	study_free(s);
	return st.nbad ? EXIT_FAIL : EXIT_OK;
}
