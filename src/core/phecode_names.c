/* synthehr — GPL-3.0-or-later.
 * Where a study's concept names come from, in one place for the Load
 * screen, Figure 4 and the HTML report: the phecode map folder that
 * study.json report.phecodes names, else $SYNTHEHR_PHECODES, else, for a
 * study made from the built-in demo cohort, the descriptions built into
 * the binary (the demo's phecodes are phecode map 1.2's, their names
 * generated into demo_codes.h with them).  A cohort of one's own gets no
 * built-in names: its columns may be named after another vocabulary. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "synthehr/demo.h"
#include "synthehr/json.h"
#include "synthehr/phecode.h"
#include "synthehr/util.h"

const char *
phecode_names_dir(json_t *cfg)
{
	const char *dir = js_str(json_object_get(cfg, "report"), "phecodes", NULL);

	if (dir == NULL || *dir == '\0')
		dir = getenv("SYNTHEHR_PHECODES");
	return dir != NULL && *dir != '\0' ? dir : NULL;
}

int
phecode_names_read(json_t *cfg, struct phecode_info *pi, const char **from, char **cause)
{
	const char *dir = phecode_names_dir(cfg);

	memset(pi, 0, sizeof *pi);
	if (from != NULL)
		*from = NULL;
	if (dir != NULL) {
		if (phecode_info_read(dir, pi, cause) != 0)
			return -1;
		if (from != NULL)
			*from = dir;
		return 0;
	}
	if (json_object_get(json_object_get(cfg, "source"), "demo") == NULL)
		return 1;
	demo_phecode_info(pi);
	if (from != NULL)
		*from = PHECODE_NAMES_BUILTIN;
	return 0;
}
