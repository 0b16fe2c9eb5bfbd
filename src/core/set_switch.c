/* synthehr — GPL-3.0-or-later.
 * The set switch (set_switch.h): staging, commit and roll-forward of a
 * set's files, shared by generate, the peers, the baseline and the import
 * of external sets; study_open rolls forward what a kill interrupted. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synthehr/set_switch.h"
#include "synthehr/util.h"

int
set_switch_recover(const char *dir, char **cause)
{
	char *commit = util_path_join(dir, SET_COMMIT);
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (!util_dir_exists(commit)) {
		free(commit);
		return 0;
	}
	/* every file staged is one of the set's; moved by another process
	 * meanwhile: ENOENT */
	if ((d = opendir(commit)) != NULL) {
		while (rc == 0 && (e = readdir(d)) != NULL) {
			char *from, *to;
			struct stat sb;

			if (e->d_name[0] == '.')
				continue;
			from = util_path_join(commit, e->d_name);
			to = util_path_join(dir, e->d_name);
			if (lstat(from, &sb) == 0 && S_ISREG(sb.st_mode) &&
			    util_rename(from, to, cause) != 0 && errno != ENOENT)
				rc = -1;
			free(from);
			free(to);
		}
		closedir(d);
	}
	if (rc == 0 && util_rmdir_files(commit) != 0 && util_dir_exists(commit))
		rc = util_fail(cause, "%s: cannot remove it: %s", commit, strerror(errno));
	free(commit);
	return rc;
}

static void
recover_under(const char *study_dir, const char *rel)
{
	char *top = util_path_join(study_dir, rel);
	DIR *d = opendir(top);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char *dir, *commit;

			if (e->d_name[0] == '.')
				continue;
			dir = util_path_join(top, e->d_name);
			commit = util_path_join(dir, SET_COMMIT);
			if (util_dir_exists(commit))
				set_switch_recover(dir, NULL);   /* best effort: check names what is left */
			free(commit);
			free(dir);
		}
		closedir(d);
	}
	free(top);
}

void
set_switch_recover_study(const char *study_dir)
{
	recover_under(study_dir, "runs");
	recover_under(study_dir, "eval/external");
}

int
set_switch_begin(const char *dir, char **stage, char **cause)
{
	*stage = NULL;
	if (set_switch_recover(dir, cause) != 0)
		return -1;
	*stage = util_path_join(dir, SET_STAGE);
	if (util_dir_exists(*stage))
		util_rmdir_files(*stage);   /* an interrupted writer's half */
	if (util_mkdir_private(*stage, cause) != 0) {
		free(*stage);
		*stage = NULL;
		return -1;
	}
	return 0;
}

int
set_switch_commit(const char *dir, const char *stage, char **cause)
{
	char *commit = util_path_join(dir, SET_COMMIT);
	int rc = util_rename(stage, commit, cause);

	if (rc != 0 && errno == ENOENT)
		util_fail(cause, "%s: vanished before the switch", stage);
	free(commit);
	return rc == 0 ? set_switch_recover(dir, cause) : -1;
}

void
set_switch_abort(const char *stage)
{
	if (stage != NULL && util_dir_exists(stage))
		util_rmdir_files(stage);
}

int
set_switch_end(char *dir, char *stage, int rc, char **cause)
{
	if (rc == 0)
		rc = set_switch_commit(dir, stage, cause);
	else
		set_switch_abort(stage);
	free(stage);
	free(dir);
	return rc;
}
