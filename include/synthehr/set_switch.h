/* synthehr — GPL-3.0-or-later.
 * The set switch (issue 18): a set's files (a synthetic set's CSV and
 * matrix, a peer's state.json, an external set's source.json) become valid
 * together.  They are written into DIR/set.tmp.stage/; renaming that
 * directory to DIR/set.commit is the commit point; then each file in it is
 * renamed into DIR and set.commit removed.  A kill before the commit point
 * leaves the previous set (and a staging directory 'check --clean'
 * removes); after it, the switch is finished (rolled forward) by
 * set_switch_recover, which study_open runs for every set, so no command
 * reads a mix.  Below study.c: paths only, no struct study. */
#ifndef SYNTHEHR_SET_SWITCH_H
#define SYNTHEHR_SET_SWITCH_H

#define SET_STAGE "set.tmp.stage"
#define SET_COMMIT "set.commit"

/* A fresh, empty DIR/set.tmp.stage (mode 0700) to write the set into,
 * after finishing a switch a kill interrupted; *stage gets its path.  DIR
 * must exist. */
int set_switch_begin(const char *dir, char **stage, char **cause);
/* The commit point, then the switch: the staged files replace DIR's. */
int set_switch_commit(const char *dir, const char *stage, char **cause);
/* Remove a staged set that will not be committed (NULL: nothing). */
void set_switch_abort(const char *stage);
/* The end of a staged write: commit when rc is 0, else abort; frees dir
 * and stage; returns rc, or the commit's failure. */
int set_switch_end(char *dir, char *stage, int rc, char **cause);
/* Finish the switch of a set whose commit point passed (DIR/set.commit);
 * 0 when there is none. */
int set_switch_recover(const char *dir, char **cause);
/* The same for every set of a study: runs/NAME and eval/external/NAME. */
void set_switch_recover_study(const char *study_dir);

#endif
