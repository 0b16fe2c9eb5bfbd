/* synthehr — GPL-3.0-or-later.
 * Cross-file consistency of a study (issue 18): every binary file records
 * what it was made from (mtx.h's provenance, the checkpoints' data hash,
 * state.json's data_sum, metrics.json's per-set sha256), so the chain
 * study.json -> layout.json -> train.mtx/test.mtx -> checkpoints ->
 * synthetic sets -> metrics.json can be walked without trusting dates.
 * A finding is either a problem (files that do not belong together, as an
 * interrupted stage could leave them) or a stale result (made from an older
 * input; the stage that writes it has to run again). */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synthehr/ckpt.h"
#include "synthehr/consist.h"
#include "synthehr/mtx.h"
#include "synthehr/set_switch.h"
#include "synthehr/prep.h"
#include "synthehr/util.h"

struct cs {
	const struct study *s;
	consist_cb cb;
	void *arg;
	int n;
};

static void
finding(struct cs *c, int stale, const char *rel, const char *fmt, ...)
{
	char *msg, *path = study_path(c->s, rel);
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	c->cb(stale, path, msg != NULL ? msg : "?", c->arg);
	free(msg);
	free(path);
	c->n++;
}

/* One synthetic set (runs/X or eval/external/X). */
static void
check_set(struct cs *c, const char *rel, uint64_t tsum, enum mtx_role role)
{
	char *p = study_path(c->s, rel);
	struct mtx_prov pv;
	uint64_t sum;

	if (util_file_exists(p) && mtx_read_header(p, &pv, &sum, NULL, NULL) == 0) {
		if (pv.role != (uint32_t)role)
			finding(c, 0, rel, "holds %s, expected %s", mtx_role_name(pv.role), mtx_role_name(role));
		else if (pv.train != tsum)
			finding(c, 1, rel, "generated from other training rows than prep/train.mtx; re-run %s",
			    role == MTX_ROLE_EXTERNAL ? "evaluate --synthetic" : "generate");
		if (pv.companion != 0) {
			char *csv = xstrdup(p), sha[65];

			strcpy(csv + strlen(csv) - 3, "csv");
			if (!util_file_exists(csv) || util_sha256_file(csv, sha, NULL) != 0 ||
			    util_hex64(sha) != pv.companion)
				finding(c, 0, rel, "synthetic.csv beside it is not the CSV written with it (an "
				    "interrupted generate?); re-run generate");
			free(csv);
		}
	}
	free(p);
}

/* Opening the study finishes a set switch a kill interrupted
 * (set_switch.h); a set.commit is left only when that failed (a read-only
 * study, a full disk). */
static void
check_commit(struct cs *c, const char *rel, const char *again)
{
	char *r2 = xsprintf("%s/%s", rel, SET_COMMIT), *p = study_path(c->s, r2);

	if (util_dir_exists(p))
		finding(c, 0, r2, "a set committed but not yet switched in (the switch failed): run '%s' "
		    "again with write access", again);
	free(r2);
	free(p);
}

static void
check_run(struct cs *c, const char *name, uint64_t tsum)
{
	char *rel = xsprintf("runs/%s", name), *dir = study_path(c->s, rel), *p;
	DIR *d;
	struct dirent *e;
	json_t *st = NULL;
	int stale = 0;

	p = util_path_join(dir, "state.json");
	if (js_read_file(p, &st, NULL) == 0) {
		uint64_t was = util_hex64(js_str(st, "data_sum", NULL));

		if (was != 0 && was != tsum) {
			finding(c, 1, rel, "trained on other training rows than prep/train.mtx; retrain with "
			    "'synthehr train --restart'");
			stale = 1;
		}
		json_decref(st);
	}
	free(p);
	if (!stale && (d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			struct ckpt_header h;
			size_t n = strlen(e->d_name);

			if (strncmp(e->d_name, "ckpt-", 5) != 0 || n < 9 || strcmp(e->d_name + n - 4, ".bin") != 0)
				continue;
			p = util_path_join(dir, e->d_name);
			if (ckpt_read(p, &h, NULL, NULL) == 0 && h.data_hash != 0 && h.data_hash != tsum) {
				char *r2 = xsprintf("%s/%s", rel, e->d_name);

				finding(c, 1, r2, "trained on other training rows than prep/train.mtx; retrain "
				    "with 'synthehr train --restart'");
				free(r2);
				free(p);
				break;
			}
			free(p);
		}
		closedir(d);
	}
	check_commit(c, rel, "synthehr generate");
	p = xsprintf("%s/synthetic.mtx", rel);
	check_set(c, p, tsum, MTX_ROLE_SYNTH);
	free(p);
	free(rel);
	free(dir);
}

/* metrics.json against the files it scored. */
static void
check_metrics(struct cs *c, const char *tsha)
{
	char *p = study_path(c->s, "eval/metrics.json");
	json_t *m = NULL, *sets, *e;
	size_t i;

	if (js_read_file(p, &m, NULL) != 0) {
		free(p);
		return;
	}
	free(p);
	if (tsha[0] != '\0' && strcmp(js_str(json_object_get(m, "real"), "train_sha256", tsha), tsha) != 0) {
		finding(c, 1, "eval/metrics.json", "computed on other training rows than prep/train.mtx; "
		    "re-run evaluate");
		json_decref(m);
		return;
	}
	sets = json_object_get(m, "sets");
	json_array_foreach(sets, i, e) {
		const char *rel = js_str(e, "path", NULL), *sha = js_str(e, "sha256", NULL);
		char now[65];

		if (rel == NULL || sha == NULL || strstr(rel, "..") != NULL)
			continue;
		p = study_path(c->s, rel);
		if (!util_file_exists(p))
			finding(c, 1, "eval/metrics.json", "scores %s, which no longer exists; re-run evaluate", rel);
		else if (util_sha256_file(p, now, NULL) == 0 && strcmp(now, sha) != 0)
			finding(c, 1, "eval/metrics.json", "older than %s (the set changed since it was scored); "
			    "re-run evaluate", rel);
		free(p);
	}
	json_decref(m);
	{
		/* ranking.json is derived from metrics.json (evaluate writes it
		 * after, rank rewrites it): older means an interrupted evaluate */
		char *mp = study_path(c->s, "eval/metrics.json"), *rp = study_path(c->s, "eval/ranking.json");
		struct stat ms, rs;

		if (stat(mp, &ms) == 0 && stat(rp, &rs) == 0 && (rs.st_mtim.tv_sec < ms.st_mtim.tv_sec ||
		    (rs.st_mtim.tv_sec == ms.st_mtim.tv_sec && rs.st_mtim.tv_nsec < ms.st_mtim.tv_nsec)))
			finding(c, 1, "eval/ranking.json", "older than eval/metrics.json (an interrupted "
			    "evaluate?); 'synthehr rank' writes it again");
		free(mp);
		free(rp);
	}
}

int
study_consistency(const struct study *s, consist_cb cb, void *arg)
{
	struct cs c;
	char *tp = study_path(s, "prep/train.mtx"), *ep = study_path(s, "prep/test.mtx"), *p;
	char tsha[65] = "", key[65];
	struct mtx_prov tpv, epv;
	uint64_t tsum = 0, esum, tl = 0;
	DIR *d;
	struct dirent *e;

	memset(&c, 0, sizeof c);
	c.s = s;
	c.cb = cb;
	c.arg = arg;
	if (!util_file_exists(tp) || mtx_read_header(tp, &tpv, &tsum, &tl, NULL) != 0)
		goto out;   /* nothing prepared (or damaged: the file checks say so) */
	if (tpv.role != MTX_ROLE_TRAIN)
		finding(&c, 0, "prep/train.mtx", "holds %s, expected the training rows (files swapped?); "
		    "re-run prep", mtx_role_name(tpv.role));
	if (study_source_key(s, key, NULL) == 0 && util_hex64(key) != tpv.source)
		finding(&c, 1, "prep/train.mtx", "made from another cohort or schema than study.json's; "
		    "re-run prep");
	{
		struct layout *l = NULL;

		if (prep_load_layout(s, &l, NULL) == 0 && layout_hash(l) != tl)
			finding(&c, 0, "prep/layout.json", "does not describe prep/train.mtx (an interrupted "
			    "prep?); re-run prep");
		layout_free(l);
	}
	if (util_file_exists(ep) && mtx_read_header(ep, &epv, &esum, NULL, NULL) == 0) {
		if (epv.role != MTX_ROLE_TEST)
			finding(&c, 0, "prep/test.mtx", "holds %s, expected the test rows (files swapped?); "
			    "re-run prep", mtx_role_name(epv.role));
		else if (epv.train != tsum)
			finding(&c, 0, "prep/test.mtx", "does not go with prep/train.mtx (from another prep); "
			    "re-run prep");
	}
	p = study_path(s, "runs");
	if ((d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				check_run(&c, e->d_name, tsum);
		closedir(d);
	}
	free(p);
	p = study_path(s, "eval/external");
	if ((d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *rel;

			if (e->d_name[0] == '.')
				continue;
			rel = xsprintf("eval/external/%s", e->d_name);
			check_commit(&c, rel, "synthehr evaluate --synthetic");
			free(rel);
			rel = xsprintf("eval/external/%s/synthetic.mtx", e->d_name);
			check_set(&c, rel, tsum, MTX_ROLE_EXTERNAL);
			free(rel);
		}
		closedir(d);
	}
	free(p);
	if (util_sha256_file(tp, tsha, NULL) != 0)
		tsha[0] = '\0';
	check_metrics(&c, tsha);
out:
	free(tp);
	free(ep);
	return c.n;
}

static void
stale_note(int stale, const char *path, const char *msg, void *arg)
{
	int *n = arg;

	(void)path;
	(void)msg;
	if (stale)
		(*n)++;
}

int
study_metrics_stale(const struct study *s)
{
	int n = 0;

	study_consistency(s, stale_note, &n);
	return n;
}
