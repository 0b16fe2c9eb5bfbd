/* synthehr — GPL-3.0-or-later.
 * The peers as training methods: names, settings, and the one routine that
 * fits a classical synthesizer on prep/train.mtx, samples it and writes its
 * set (runs/peer-NAME/synthetic.{mtx,csv} and state.json) the way a trained
 * EMR-WGAN run's generation does, so evaluation, ranking, the report and the
 * workbench read it like any other set.  The algorithms live in
 * synth_cart.c and synth_copula.c; the marginals in baseline.c. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "synthehr/baseline.h"
#include "synthehr/set_switch.h"
#include "synthehr/synth.h"
#include "synthehr/train.h"
#include "synthehr/util.h"

static const char *const method_names[SYNTH_COUNT] = { "emrwgan", "cart", "copula", "marginals" };
static const char *const method_dirs[SYNTH_COUNT] = {
	NULL, "runs/peer-cart", "runs/peer-copula", "runs/baseline-marginals"
};

int
synth_method_parse(const char *s, int *method, char **cause)
{
	int m;

	for (m = 0; m < SYNTH_COUNT; m++)
		if (s != NULL && strcmp(s, method_names[m]) == 0) {
			*method = m;
			return 0;
		}
	return util_fail(cause, "unknown method \"%s\" (expected emrwgan, cart, copula or marginals)",
	    s ? s : "");
}

const char *
synth_method_name(int method)
{
	return method >= 0 && method < SYNTH_COUNT ? method_names[method] : "?";
}

const char *
synth_method_dir(int method)
{
	return method >= 0 && method < SYNTH_COUNT ? method_dirs[method] : NULL;
}

static int
get_int(json_t *sec, const char *key, long long lo, long long hi, int *v, char **cause)
{
	json_t *x = json_object_get(sec, key);

	if (x == NULL)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return util_fail(cause, "study.json: train.%s: expected an integer from %lld to %lld",
		    key, lo, hi);
	*v = (int)json_integer_value(x);
	return 0;
}

int
synth_settings_load(json_t *sec, struct synth_settings *ss, char **cause)
{
	json_t *x, *e;
	size_t i;
	char *c = NULL;

	memset(ss, 0, sizeof *ss);
	ss->method = SYNTH_EMRWGAN;
	ss->peers[0] = SYNTH_CART;
	ss->peers[1] = SYNTH_COPULA;
	ss->npeers = 2;
	ss->cart_min_leaf = 5;
	ss->cart_max_depth = 30;
	ss->cart_cp = 1e-8;
	ss->cart_bins = 255;
	if (sec == NULL)
		return 0;
	if (!json_is_object(sec))
		return util_fail(cause, "study.json: train: expected an object");
	if ((x = json_object_get(sec, "method")) != NULL) {
		if (!json_is_string(x) || synth_method_parse(json_string_value(x), &ss->method, &c) != 0) {
			free(c);
			return util_fail(cause, "study.json: train.method: expected \"emrwgan\", \"cart\","
			    " \"copula\" or \"marginals\"");
		}
	}
	if ((x = json_object_get(sec, "peers")) != NULL) {
		if (!json_is_array(x))
			return util_fail(cause, "study.json: train.peers: expected a list such as"
			    " [\"cart\", \"copula\"]");
		ss->npeers = 0;
		json_array_foreach(x, i, e) {
			int m, k, dup = 0;

			if (!json_is_string(e) || synth_method_parse(json_string_value(e), &m, &c) != 0 ||
			    m == SYNTH_EMRWGAN) {
				free(c);
				return util_fail(cause, "study.json: train.peers[%zu]: expected \"cart\","
				    " \"copula\" or \"marginals\"", i);
			}
			for (k = 0; k < ss->npeers; k++)
				dup |= ss->peers[k] == m;
			if (!dup)
				ss->peers[ss->npeers++] = m;
		}
	}
	if (get_int(sec, "cart_min_leaf", 1, 1000000, &ss->cart_min_leaf, cause) ||
	    get_int(sec, "cart_max_depth", 1, 60, &ss->cart_max_depth, cause) ||
	    get_int(sec, "cart_bins", 2, 255, &ss->cart_bins, cause))
		return -1;
	if ((x = json_object_get(sec, "cart_cp")) != NULL) {
		if (!json_is_number(x) || json_number_value(x) < 0 || json_number_value(x) >= 1)
			return util_fail(cause, "study.json: train.cart_cp: expected a number from 0 to below 1");
		ss->cart_cp = json_number_value(x);
	}
	return 0;
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return NAN;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

/* Generation options as they are recorded and compared: the rows option as
 * given (0: as many as the training rows), not the count it resolved to. */
static json_t *
gen_json(const struct gen_opts *o, const char *sha)
{
	return json_pack("{s:I, s:b, s:I, s:s}", "rows_option", (json_int_t)o->rows, "stratify",
	    o->stratify, "seed", (json_int_t)o->seed, "train_sha256", sha);
}

int
synth_peer_run(struct study *s, int method, const struct gen_opts *o, struct synth_result *res,
    char **cause)
{
	struct synth_settings ss;
	struct layout *l = NULL;
	struct mtx *train = NULL, *m = NULL;
	struct rng r;
	json_t *st;
	char sha[65], *tp, *dir, *stage = NULL;
	double t0, c0, t1;
	struct synth_cart_stats cst;
	size_t rows;
	int rc = -1;

	memset(res, 0, sizeof *res);
	memset(&cst, 0, sizeof cst);
	if (method <= SYNTH_EMRWGAN || method >= SYNTH_COUNT)
		return util_fail(cause, "method %s is not a peer", synth_method_name(method));
	if (synth_settings_load(json_object_get(s->cfg, "train"), &ss, cause) != 0)
		return -1;
	t0 = util_now();
	c0 = cpu_seconds();
	if (train_load_data(s, &l, &train, cause) != 0)
		return -1;
	if ((rc = study_sha256(s, "prep/train.mtx", sha, cause)) != 0)
		goto out;
	rc = -1;
	if (train->n == 0) {
		util_fail(cause, "%s/prep/train.mtx: no training rows", s->dir);
		goto out;
	}
	rows = o->rows > 0 ? o->rows : train->n;
	/* the synthetic rows are held whole (bytes and floats) and written as
	 * CSV: refuse clearly rather than be killed half-way (issue 18) */
	if (util_mem_check(rows * ((size_t)train->nb + 4 * (size_t)train->nc + 16), "generating the synthetic rows",
	    cause) != 0)
		goto out;
	rng_seed_stream(&r, o->seed, method == SYNTH_MARGINALS ? 0 : 64 + (uint64_t)method);
	if (method == SYNTH_MARGINALS) {
		/* The baseline keeps its own routine (and stream 0) so existing
		 * studies keep their numbers. */
		m = baseline_marginals(train, l, rows, o->stratify, gen_label_target(train, l, rows), &r);
	} else if (method == SYNTH_CART)
		m = synth_cart(train, l, rows, o->stratify, gen_label_target(train, l, rows), &ss, &r, &cst);
	else
		m = synth_copula(train, l, rows, o->stratify, gen_label_target(train, l, rows), &r);
	t1 = util_now();
	res->rows = rows;
	/* Fitting and sampling are interleaved in CART (one tree, then its
	 * column); the split is reported as all fit, sampling is milliseconds. */
	res->fit_s = t1 - t0;
	res->sample_s = 0;
	m->prov = train->prov;   /* what the set was made from (issue 18) */
	m->prov.role = MTX_ROLE_SYNTH;
	m->prov.seed = o->seed;
	m->prov.parent = 64 + (uint64_t)method;
	m->prov.train = train->sum;
	/* the set and its state.json switch in together (set_switch.h): an
	 * interrupted fit leaves the previous set whole, or none */
	if (study_mkdir(s, "runs", cause) != 0 || study_mkdir(s, synth_method_dir(method), cause) != 0)
		goto out;
	dir = study_path(s, synth_method_dir(method));
	if (set_switch_begin(dir, &stage, cause) != 0 || gen_write_files(stage, l, m, cause) != 0) {
		set_switch_abort(stage);
		free(stage);
		free(dir);
		goto out;
	}
	res->cpu_s = cpu_seconds() - c0;
	st = json_pack("{s:s, s:s, s:I, s:o, s:f, s:f, s:f, s:s}", "method", synth_method_name(method),
	    "kind", method == SYNTH_MARGINALS ? "baseline" : "peer", "rows", (json_int_t)rows,
	    "generate", gen_json(o, sha),
	    "fit_seconds", res->fit_s, "sample_seconds", res->sample_s, "cpu_seconds", res->cpu_s,
	    "status", "done");
	if (method == SYNTH_CART)
		json_object_set_new(st, "cart", json_pack("{s:i, s:i, s:f, s:i, s:i, s:I, s:I, s:i, s:i}",
		    "min_leaf", ss.cart_min_leaf, "max_depth", ss.cart_max_depth, "cp", ss.cart_cp,
		    "bins", ss.cart_bins, "trees", cst.trees, "nodes", (json_int_t)cst.nodes,
		    "leaves", (json_int_t)cst.leaves, "smallest_leaf", cst.min_leaf_rows,
		    "deepest_leaf", cst.max_depth));
	tp = util_path_join(stage, "state.json");
	rc = js_write_file(tp, st, cause);
	free(tp);
	rc = set_switch_end(dir, stage, rc, cause);
	json_decref(st);
out:
	if (m != NULL)
		mtx_free(m);
	mtx_free(train);
	layout_free(l);
	return rc;
}

int
synth_peer_current(struct study *s, int method, const struct gen_opts *o)
{
	const char *dir = synth_method_dir(method);
	char *rel, *p, *tp, sha[65];
	json_t *st = NULL, *g, *want;
	int ok = 0;

	if (dir == NULL)
		return 0;
	rel = xsprintf("%s/synthetic.mtx", dir);
	p = study_path(s, rel);
	free(rel);
	if (!util_file_exists(p)) {
		free(p);
		return 0;
	}
	free(p);
	rel = xsprintf("%s/state.json", dir);
	p = study_path(s, rel);
	free(rel);
	tp = study_path(s, "prep/train.mtx");
	if (js_read_file(p, &st, NULL) == 0 && util_sha256_file(tp, sha, NULL) == 0 &&
	    (g = json_object_get(st, "generate")) != NULL) {
		want = gen_json(o, sha);
		ok = json_equal(g, want);
		json_decref(want);
	}
	if (st != NULL)
		json_decref(st);
	free(p);
	free(tp);
	return ok;
}

unsigned
synth_peers_trained(struct study *s)
{
	unsigned mask = 0;
	int m;

	for (m = SYNTH_CART; m < SYNTH_COUNT; m++) {
		char *rel = xsprintf("%s/state.json", method_dirs[m]), *p = study_path(s, rel);

		if (util_file_exists(p))
			mask |= 1u << m;
		free(rel);
		free(p);
	}
	return mask;
}
