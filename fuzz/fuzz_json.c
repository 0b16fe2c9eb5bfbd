/* synthehr — GPL-3.0-or-later.
 * Fuzz harness: study.json loading (study_open) and the layout reader. */
#include "config.h"

#include <sys/stat.h>

#include "fuzz_common.h"
#include "synthehr/mtx.h"
#include "synthehr/study.h"
#include "synthehr/util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[128], *p, *cause = NULL;
	struct study *s = NULL;
	struct layout *l = NULL;
	json_t *j;

	snprintf(dir, sizeof dir, "/tmp/synthehr-fuzz-study-%d", (int)getpid());
	mkdir(dir, 0700);
	p = util_path_join(dir, "study.json");
	util_write_file_atomic(p, data, size, NULL);
	if (study_open(dir, &s, &cause) == 0) {
		json_t *lay = json_object_get(s->cfg, "layout");

		if (lay != NULL && layout_from_json(lay, &l, &cause) == 0)
			layout_free(l);
		study_free(s);
	} else if (cause == NULL)
		abort();
	free(cause);
	cause = NULL;
	if (js_read_file(p, &j, &cause) == 0) {
		if (layout_from_json(j, &l, &cause) == 0)
			layout_free(l);
		json_decref(j);
	}
	free(cause);
	unlink(p);
	free(p);
	return 0;
}
