/* synthehr — GPL-3.0-or-later.
 * The evaluation as the workbench shows it: eval/metrics.json read once
 * into a table (values, standard errors, set names, the real-data
 * reference) that the Evaluate and Rank screens both read, so neither
 * screen calls the other (screens reach each other only through the
 * screen table).  Reset when the study changes or a stage rewrites the
 * metrics; loaded again on first use. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/consist.h"
#include "synthehr/eval.h"
#include "synthehr/json.h"
#include "synthehr/rank.h"
#include "synthehr/study_read.h"
#include "synthehr/util.h"
#include "tui/tui.h"

struct tui_results tui_res;

void
tui_results_reset(void)
{
	json_decref(tui_res.metrics);
	free(tui_res.values);
	free(tui_res.se);
	free(tui_res.names);
	memset(&tui_res, 0, sizeof tui_res);
}

void
tui_results_load(struct app *a)
{
	char *cause = NULL;
	int m;

	tui_results_reset();
	tui_res.loaded = 1;
	for (m = 0; m < RANK_COUNT; m++)
		tui_res.ref[m] = NAN;
	if (a->st == NULL)
		return;
	if (study_read_metrics(a->st, &tui_res.metrics, &cause) == 0 &&
	    eval_metrics_table(tui_res.metrics, &tui_res.values, &tui_res.names, &tui_res.nsets, &cause) != 0)
		app_error(a, cause);
	else
		free(cause);
	if (tui_res.metrics != NULL) {
		/* results older than their inputs are marked, never shown as current */
		struct study *s = NULL;
		int n;

		if (study_open(a->st->dir, &s, NULL) == 0 && (n = study_metrics_stale(s)) > 0)
			app_status(a, "STALE: %d result%s older than %s inputs; 'synthehr check' names them",
			    n, n == 1 ? " is" : "s are", n == 1 ? "its" : "their");
		study_free(s);
	}
	/* the real-data reference: metrics.json "reference" (the held-out
	 * test rows scored as a set), else TRTR's AUROC for TSTR and TRTS */
	{
		json_t *rv = json_object_get(json_object_get(tui_res.metrics, "reference"), "values");
		double trtr = js_num(json_object_get(tui_res.metrics, "trtr"), "auroc", NAN);

		for (m = 0; m < RANK_COUNT; m++) {
			json_t *v = json_object_get(rv, rank_metrics[m].key);

			tui_res.ref[m] = json_is_number(v) ? json_number_value(v) : NAN;
			if (tui_res.ref[m] != tui_res.ref[m] && (m == RANK_TSTR || m == RANK_TRTS))
				tui_res.ref[m] = trtr;
			tui_res.nref += tui_res.ref[m] == tui_res.ref[m];
		}
	}
	if (tui_res.metrics != NULL && tui_res.values != NULL) {
		size_t q, any = 0;
		int n = 0;

		eval_metrics_se(tui_res.metrics, &tui_res.se, &n);
		for (q = 0; n == tui_res.nsets && q < (size_t)n * RANK_COUNT; q++)
			any += tui_res.se[q] == tui_res.se[q];
		if (n != tui_res.nsets || any == 0) {   /* metrics.json from before the SEs */
			free(tui_res.se);
			tui_res.se = NULL;
		}
	}
}

int
tui_results_table(struct app *a, const double **values, const char *const **names, json_t **metrics)
{
	if (!tui_res.loaded)
		tui_results_load(a);
	*values = tui_res.values;
	*names = tui_res.names;
	*metrics = tui_res.metrics;
	return tui_res.nsets;
}

const char *
tui_set_label(const char *name, char *buf, size_t size, int *peer)
{
	int is_peer = name != NULL && strncmp(name, "peer-", 5) == 0;

	if (peer != NULL)
		*peer = is_peer;
	if (!is_peer)
		return name ? name : "";
	snprintf(buf, size, "peer:%s", name + 5);
	return buf;
}
