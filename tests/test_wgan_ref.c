/* synthehr — GPL-3.0-or-later.
 * EMR-WGAN against the independent reference trace
 * $SHARED_DATA/reference/emrwgan_check.jsonl: three full training steps of a
 * tiny model from a hash-based deterministic initialisation (see the README
 * beside the trace).  Checks the initial parameters bit for bit, then every
 * step's losses, gradients, updated parameters and BatchNorm moving
 * statistics against the float32 trace (and the float64 one, looser).  Also
 * a hand-derived degenerate step, determinism, and a state round trip. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/rng.h"
#include "synthehr/util.h"
#include "synthehr/wgan.h"
#include "tap.h"

static uint32_t ref_seed;

static uint32_t
mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint32_t
key(uint32_t tag)
{
	return mix32(tag + 0x9E3779B9u * (ref_seed + 1));
}

static double
U(uint32_t tag, uint32_t i)
{
	return (double)(mix32(mix32(i) ^ key(tag)) >> 8) * 0x1.0p-24;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* fan-out of a kernel by name (the column count of its [in, out] layout) */
static int
fan_out(const char *name, int width, int group, int cols)
{
	if (strncmp(name, "G.race.", 7) == 0)
		return group;
	if (strncmp(name, "G.code.", 7) == 0)
		return cols - group;
	if (strncmp(name, "D.out.", 6) == 0)
		return 1;
	return width;
}

static double
jnum(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static double
jidx(json_t *a, size_t i)
{
	return json_number_value(json_array_get(a, i));
}

/* |got - want| <= rtol * scale + atol */
static int
close_to(double got, double want, double scale, double rtol, double atol)
{
	return fabs(got - want) <= rtol * fabs(scale) + atol;
}

static void
check_rel(const char *what, double got, double want, double rtol)
{
	if (!tap_ok(close_to(got, want, want, rtol, 1e-12), "%s (rel %.0e)", what, rtol))
		tap_diag("got %.12g want %.12g (rel err %.3g)", got, want,
		    fabs(got - want) / fabs(want));
}

/* ---- the reference test */

static void
ref_test(json_t *hdr, json_t **steps32, json_t **steps64)
{
	json_t *cc = json_object_get(hdr, "check_config"), *order = json_object_get(hdr, "param_order");
	json_t *init = json_object_get(hdr, "init_first_second_last_sum");
	int rows = (int)jnum(cc, "rows"), cols = (int)jnum(cc, "cols"), group = (int)jnum(cc, "group");
	int cont = (int)jnum(cc, "cont"), width = (int)jnum(cc, "width"), layers = (int)jnum(cc, "layers");
	int zdim = (int)jnum(cc, "zdim"), gs = 0, gw = group, s, r, c, bad;
	size_t k, i, n, nparams = json_array_size(order);
	struct wgan_config cfg;
	struct wgan *w;
	float *X, *z1, *z2, *eps, *buf, *fake, **init_vals;
	json_t *jd = json_object_get(hdr, "data");

	ref_seed = (uint32_t)jnum(hdr, "seed");
	wgan_config_tutorial(&cfg, cols, 1, &gs, &gw);
	cfg.zdim = zdim;
	cfg.width = width;
	cfg.depth = layers;
	cfg.lr_g = jnum(hdr, "lr_g");
	cfg.lr_d = jnum(hdr, "lr_d");
	cfg.gp_lambda = jnum(hdr, "gp_lambda");
	w = wgan_new(&cfg, 1);

	/* Deterministic initialisation, tag 1000 + k. */
	init_vals = xcalloc(nparams, sizeof *init_vals);
	bad = 0;
	for (k = 0; k < nparams; k++) {
		const char *name = json_string_value(json_array_get(order, k));
		json_t *ref = json_object_get(init, name);
		uint32_t tag = 1000 + (uint32_t)k;
		double sum = 0;

		n = wgan_param_size(w, name);
		if (n == 0) {
			tap_ok(0, "parameter %s is known", name);
			continue;
		}
		init_vals[k] = xcalloc(n, sizeof(float));
		for (i = 0; i < n; i++) {
			double a = 2.0 * U(tag, (uint32_t)i) - 1.0, v;

			if (ends_with(name, ".W")) {
				int fo = fan_out(name, width, group, cols), fi = (int)n / fo;

				v = a * sqrt(6.0 / (fi + fo));
			} else if (ends_with(name, ".gamma"))
				v = 1.0 + a * 0.1;
			else
				v = a * 0.1;
			init_vals[k][i] = (float)v;
			sum += init_vals[k][i];
		}
		wgan_param_set(w, name, init_vals[k]);
		buf = xcalloc(n, sizeof(float));
		wgan_param_get(w, name, buf);
		/* a one-element parameter repeats its only element as "second" */
		if (buf[0] != (float)jidx(ref, 0) || buf[n > 1] != (float)jidx(ref, 1) ||
		    buf[n - 1] != (float)jidx(ref, 2) || !close_to(sum, jidx(ref, 3), 1, 1e-12, 1e-9)) {
			bad++;
			tap_diag("%s: init %.9g %.9g %.9g sum %.12g, want %.9g %.9g %.9g %.12g", name,
			    buf[0], buf[1], buf[n - 1], sum, jidx(ref, 0), jidx(ref, 1), jidx(ref, 2),
			    jidx(ref, 3));
		}
		free(buf);
	}
	tap_ok(bad == 0, "initial values of all %zu parameters bit-exact (first, second, last) "
	    "and sums match", nparams);

	/* Data. */
	X = xcalloc((size_t)rows * cols, sizeof *X);
	bad = 0;
	for (r = 0; r < rows; r++) {
		int j0 = (int)floor(U(1, (uint32_t)r) * group);

		for (c = 0; c < cols; c++) {
			float v;

			if (c < group)
				v = c == j0 ? 1.0f : 0.0f;
			else if (c < cols - cont)
				v = U(2, (uint32_t)(r * cols + c)) < 0.35 ? 1.0f : 0.0f;
			else
				v = (float)U(3, (uint32_t)(r * cols + c));
			X[r * cols + c] = v;
			if (v != (float)jidx(json_array_get(jd, (size_t)r), (size_t)c))
				bad++;
		}
	}
	tap_ok(bad == 0, "hash-generated data equals the trace's data");

	z1 = xcalloc((size_t)rows * zdim, sizeof *z1);
	z2 = xcalloc((size_t)rows * zdim, sizeof *z2);
	eps = xcalloc((size_t)rows, sizeof *eps);
	fake = xcalloc((size_t)rows * cols, sizeof *fake);
	for (s = 0; s < 3; s++) {
		json_t *t32 = steps32[s], *t64 = steps64[s], *gr, *pv, *pd;
		struct wgan_stats st;
		const char *name;
		int gbad = 0, pbad = 0;
		double maxg = 0;

		for (r = 0; r < rows; r++) {
			for (c = 0; c < zdim; c++) {
				z1[r * zdim + c] = (float)((2 * U(100 + 10 * s + 1, (uint32_t)(r * zdim + c)) - 1) * sqrt(3.0));
				z2[r * zdim + c] = (float)((2 * U(100 + 10 * s + 2, (uint32_t)(r * zdim + c)) - 1) * sqrt(3.0));
			}
			eps[r] = (float)U(100 + 10 * s + 3, (uint32_t)r);
		}
		if (s == 0) {
			json_t *sn = json_object_get(hdr, "step1_noise");

			bad = 0;
			for (c = 0; c < zdim; c++)
				bad += z1[c] != (float)jidx(json_object_get(sn, "z1_row0"), (size_t)c) ||
				    z2[c] != (float)jidx(json_object_get(sn, "z2_row0"), (size_t)c);
			for (r = 0; r < rows; r++)
				bad += eps[r] != (float)jidx(json_object_get(sn, "eps"), (size_t)r);
			tap_ok(bad == 0, "step 1 noise (z1, z2 row 0, eps) bit-exact");
		}

		wgan_generator_forward(w, z1, rows, 0, fake);
		bad = 0;
		for (c = 0; c < cols; c++) {
			double want = jidx(json_object_get(t32, "fake_row0"), (size_t)c);

			if (!close_to(fake[c], want, 1, 5e-6, 0)) {
				bad++;
				tap_diag("fake_row0[%d] = %.9g, want %.9g", c, fake[c], want);
			}
		}
		tap_ok(bad == 0, "step %d: G(z1) row 0, BN inference (abs 5e-6)", s + 1);

		wgan_train_step_given(w, X, rows, z1, z2, eps, &st);
		tap_diag("step %d: disc %.9g w %.9g gp %.9g gen %.9g", s + 1, st.disc_loss,
		    st.w_distance, st.gp, st.gen_loss);
		check_rel("disc_loss vs float32 trace", st.disc_loss, jnum(t32, "disc_loss"), 5e-6);
		check_rel("gp vs float32 trace", st.gp, jnum(t32, "gp"), 5e-6);
		check_rel("gen_loss vs float32 trace", st.gen_loss, jnum(t32, "gen_loss"), 5e-6);
		check_rel("d_real vs float32 trace", st.d_real, jnum(t32, "d_real_mean"), 5e-6);
		check_rel("d_fake vs float32 trace", st.d_fake, jnum(t32, "d_fake_mean"), 5e-6);
		tap_near(st.w_distance, jnum(t32, "w_distance"), 2e-5, "step %d: w_distance vs "
		    "float32 trace (abs 2e-5)", s + 1);
		check_rel("disc_loss vs float64 trace", st.disc_loss, jnum(t64, "disc_loss"), 2e-5);
		check_rel("gen_loss vs float64 trace", st.gen_loss, jnum(t64, "gen_loss"), 2e-5);
		tap_near(st.w_distance, jnum(t64, "w_distance"), 5e-5, "step %d: w_distance vs "
		    "float64 trace (abs 5e-5)", s + 1);

		/* Gradients: sum and first element judged against the sum of |g|. */
		gr = json_object_get(t32, "grads_sum_abssum_first");
		for (k = 0; k < nparams; k++) {
			json_t *ref;
			double sum = 0, asum = 0, e1, e2, e3;

			name = json_string_value(json_array_get(order, k));
			ref = json_object_get(gr, name);
			n = wgan_param_size(w, name);
			buf = xcalloc(n, sizeof(float));
			wgan_grad_get(w, name, buf);
			for (i = 0; i < n; i++) {
				sum += buf[i];
				asum += fabs(buf[i]);
			}
			e1 = fabs(sum - jidx(ref, 0)) / (jidx(ref, 1) + 1e-30);
			e2 = fabs(asum - jidx(ref, 1)) / (jidx(ref, 1) + 1e-30);
			e3 = fabs(buf[0] - jidx(ref, 2)) / (jidx(ref, 1) / n + 1e-30);
			/* G's dense biases before BN have a zero gradient: only noise */
			if (strncmp(name, "G.dense", 7) == 0 && ends_with(name, ".b")) {
				if (asum > 1e-3 * (1 + jidx(ref, 1)) + 1e-5)
					gbad++;
				free(buf);
				continue;
			}
			maxg = SH_MAX(maxg, SH_MAX(e1, SH_MAX(e2, e3)));
			if (e1 > 1e-4 || e2 > 1e-4 || e3 > 1e-3) {
				gbad++;
				tap_diag("%s grad: sum %.9g abssum %.9g first %.9g; want %.9g %.9g %.9g",
				    name, sum, asum, buf[0], jidx(ref, 0), jidx(ref, 1), jidx(ref, 2));
			}
			free(buf);
		}
		tap_ok(gbad == 0, "step %d: every parameter gradient (sum, sum|.|, first) matches "
		    "the float32 trace (max scaled err %.2g)", s + 1, maxg);

		/* Parameters after the update: [first, last]; change [first, sum|.|]. */
		pv = json_object_get(t32, "params");
		pd = json_object_get(t32, "param_delta_since_init");
		for (k = 0; k < nparams; k++) {
			json_t *rv, *rd;
			double dsum = 0, d0;

			name = json_string_value(json_array_get(order, k));
			rv = json_object_get(pv, name);
			if (rv == NULL)
				continue;
			rd = json_object_get(pd, name);
			n = wgan_param_size(w, name);
			buf = xcalloc(n, sizeof(float));
			wgan_param_get(w, name, buf);
			for (i = 0; i < n; i++)
				dsum += fabs((double)buf[i] - init_vals[k][i]);
			d0 = (double)buf[0] - init_vals[k][0];
			/* one RMSprop step moves a parameter by at most ~lr*sqrt(10) */
			if (!close_to(buf[0], jidx(rv, 0), 1, 0, 1e-7) ||
			    !close_to(buf[n - 1], jidx(rv, 1), 1, 0, 1e-7) ||
			    !close_to(d0, jidx(rd, 0), 1, 0, 1e-7) ||
			    !close_to(dsum, jidx(rd, 1), jidx(rd, 1), 1e-3, 0)) {
				pbad++;
				tap_diag("%s after update: %.9g %.9g delta %.6g %.6g; want %.9g %.9g "
				    "%.6g %.6g", name, buf[0], buf[n - 1], d0, dsum, jidx(rv, 0),
				    jidx(rv, 1), jidx(rd, 0), jidx(rd, 1));
			}
			free(buf);
		}
		tap_ok(pbad == 0, "step %d: parameters after the RMSprop update and their change "
		    "since init match", s + 1);

		/* BN moving statistics. */
		{
			float mm[64], mv[64];
			double ms = 0, vs = 0;

			wgan_param_get(w, "G.bn0.mean", mm);
			wgan_param_get(w, "G.bn0.var", mv);
			tap_near(mm[0], jnum(t32, "bn0_moving_mean0"), 1e-7,
			    "step %d: BN0 moving mean[0]", s + 1);
			tap_near(mv[0], jnum(t32, "bn0_moving_var0"), 1e-6,
			    "step %d: BN0 moving var[0]", s + 1);
			wgan_param_get(w, "G.bn1.mean", mm);
			wgan_param_get(w, "G.bn1.var", mv);
			for (c = 0; c < width; c++) {
				ms += mm[c];
				vs += mv[c];
			}
			tap_near(ms, jnum(t32, "bn1_moving_mean_sum"), 1e-6,
			    "step %d: BN1 moving mean sum", s + 1);
			tap_near(vs, jnum(t32, "bn1_moving_var_sum"), 1e-5,
			    "step %d: BN1 moving var sum", s + 1);
		}
	}
	for (k = 0; k < nparams; k++)
		free(init_vals[k]);
	free(init_vals);
	free(X);
	free(z1);
	free(z2);
	free(eps);
	free(fake);
	wgan_free(w);
}

static void
run_reference(void)
{
	char *path = util_path_join(tap_shared_data(), "reference/emrwgan_check.jsonl");
	FILE *fp = fopen(path, "r");
	json_t *hdr = NULL, *s32[3] = { 0 }, *s64[3] = { 0 }, *line;
	json_error_t err;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	int nl = 0;

	if (fp == NULL) {
		tap_diag("%s absent: reference trace part skipped", path);
		free(path);
		return;
	}
	while ((len = getline(&buf, &cap, fp)) > 0) {
		line = json_loadb(buf, (size_t)len, 0, &err);
		if (line == NULL) {
			tap_ok(0, "%s:%d: %s", path, nl + 1, err.text);
			break;
		}
		if (nl == 0)
			hdr = line;
		else {
			const char *dt = json_string_value(json_object_get(line, "dtype"));
			int st = (int)json_integer_value(json_object_get(line, "step"));

			if (st >= 1 && st <= 3 && dt != NULL && strcmp(dt, "float32") == 0)
				s32[st - 1] = line;
			else if (st >= 1 && st <= 3 && dt != NULL && strcmp(dt, "float64") == 0)
				s64[st - 1] = line;
			else
				json_decref(line);
		}
		nl++;
	}
	free(buf);
	fclose(fp);
	if (tap_ok(hdr && s32[0] && s32[1] && s32[2] && s64[0] && s64[1] && s64[2],
	    "reference trace has a header and 3 steps of each dtype"))
		ref_test(hdr, s32, s64);
	json_decref(hdr);
	for (nl = 0; nl < 3; nl++) {
		json_decref(s32[nl]);
		json_decref(s64[nl]);
	}
	free(path);
}

/* ---- hand-derived: width 1.  A one-feature LayerNorm outputs beta whatever
 * its input, so the critic is the constant beta*Vout + cout: its input
 * gradient is 0, hence gp = (0 - 1)^2 = 1, w = 0, disc_loss = 10, gen_loss =
 * -(beta*Vout + cout), every gradient is 0 and RMSprop leaves every
 * parameter alone.  The generator (zdim 1, width 1, one sigmoid column):
 * inference fake = sigmoid(Wh*relu(gamma*(W z + b)/sqrt(1 + 1e-5) + beta) + bh);
 * after the step on z2 = [1, -1], BN's moving mean = 0.01*b, var = 0.99 + 0.01*W^2. */
static void
hand_test(void)
{
	struct wgan_config cfg;
	struct wgan *w;
	struct wgan_stats st;
	float real[2] = { 0.25f, 0.75f }, z1[2] = { 0.5f, -2.0f }, z2[2] = { 1.0f, -1.0f };
	float eps[2] = { 0.5f, 0.25f }, fake[2], v, mm, mv, *p0;
	float W = 0.8f, b = 0.1f, ga = 1.5f, be = 0.2f, Wh = -0.7f, bh = 0.3f;
	float lnb = 0.4f, vo = 2.0f, co = -0.5f;
	size_t k, np;
	int diff = 0, i;

	wgan_config_tutorial(&cfg, 1, 0, NULL, NULL);
	cfg.zdim = 1;
	cfg.width = 1;
	cfg.depth = 1;
	w = wgan_new(&cfg, 3);
	wgan_param_set(w, "G.dense0.W", &W);
	wgan_param_set(w, "G.dense0.b", &b);
	wgan_param_set(w, "G.bn0.gamma", &ga);
	wgan_param_set(w, "G.bn0.beta", &be);
	wgan_param_set(w, "G.head.W", &Wh);
	wgan_param_set(w, "G.head.b", &bh);
	wgan_param_set(w, "D.ln0.beta", &lnb);
	wgan_param_set(w, "D.out.W", &vo);
	wgan_param_set(w, "D.out.b", &co);
	wgan_generator_forward(w, z1, 2, 0, fake);
	for (i = 0; i < 2; i++) {
		double a = W * z1[i] + b, h = ga * a / sqrt(1 + 1e-5) + be;

		h = h > 0 ? h : 0;
		tap_near(fake[i], 1 / (1 + exp(-(Wh * h + bh))), 1e-6,
		    "hand: inference generator output row %d", i);
	}
	np = wgan_nparams(w);
	p0 = xcalloc(np, sizeof *p0);
	memcpy(p0, wgan_params(w), np * sizeof *p0);
	wgan_train_step_given(w, real, 2, z1, z2, eps, &st);
	tap_near(st.gp, 1.0, 0, "hand: gp = 1 exactly (zero input gradient)");
	tap_near(st.w_distance, 0.0, 0, "hand: w_distance = 0 exactly");
	tap_near(st.disc_loss, 10.0, 0, "hand: disc_loss = 10 exactly");
	tap_near(st.d_real, lnb * vo + co, 1e-6, "hand: D(real) = beta*Vout + cout");
	tap_near(st.gen_loss, -(lnb * vo + co), 1e-6, "hand: gen_loss = -(beta*Vout + cout)");
	for (k = 0; k < np; k++)
		diff += wgan_params(w)[k] != p0[k] || wgan_grads(w)[k] != 0.0f;
	tap_ok(diff == 0, "hand: all gradients 0 and no parameter moved");
	wgan_param_get(w, "G.bn0.mean", &mm);
	wgan_param_get(w, "G.bn0.var", &mv);
	tap_near(mm, 0.01 * b, 1e-8, "hand: BN moving mean = 0.01 * batch mean");
	tap_near(mv, 0.99 + 0.01 * W * W, 1e-7, "hand: BN moving var = 0.99 + 0.01 * biased var");
	tap_ok(wgan_steps(w) == 1, "hand: step count 1");
	v = 0;
	tap_ok(wgan_param_get(w, "G.nosuch.W", &v) == -1 && wgan_param_size(w, "D.ln7.gamma") == 0,
	    "unknown parameter names are refused");
	free(p0);
	wgan_free(w);
}

/* Same seed and thread count: identical loss history; a state round trip
 * continues exactly where it left off. */
static void
determinism_test(void)
{
	int gs[2] = { 0, 5 }, gw[2] = { 3, 2 }, B = 32, D = 12, s, i, same = 1;
	struct wgan_config cfg;
	struct wgan *a, *b;
	struct wgan_stats sa, sb;
	struct rng ra, rb, rd;
	float *X = xcalloc((size_t)B * D, sizeof *X), *state, *gen1, *gen2;
	size_t ns;

	rng_seed(&rd, 5);
	for (i = 0; i < B * D; i++)
		X[i] = rng_uniformf(&rd) < 0.3f ? 1.0f : 0.0f;
	wgan_config_tutorial(&cfg, D, 2, gs, gw);
	cfg.width = 24;
	cfg.depth = 3;
	cfg.zdim = 8;
	cfg.lr_g = cfg.lr_d = 1e-3;
	a = wgan_new(&cfg, 11);
	b = wgan_new(&cfg, 11);
	rng_seed(&ra, 99);
	rng_seed(&rb, 99);
	for (s = 0; s < 5; s++) {
		wgan_train_step(a, X, B, &ra, &sa);
		wgan_train_step(b, X, B, &rb, &sb);
		same &= memcmp(&sa, &sb, sizeof sa) == 0;
	}
	tap_ok(same, "same seed and threads: identical losses over 5 steps");
	ns = wgan_state_floats(a);
	state = xcalloc(ns, sizeof *state);
	wgan_state_get(a, state);
	wgan_train_step(a, X, B, &ra, &sa);
	wgan_state_set(b, state);
	wgan_train_step(b, X, B, &rb, &sb);
	tap_ok(memcmp(&sa, &sb, sizeof sa) == 0 && wgan_steps(b) == 6,
	    "state get/set round trip continues identically (step %ld)", wgan_steps(b));
	gen1 = xcalloc((size_t)40 * D, sizeof *gen1);
	gen2 = xcalloc((size_t)40 * D, sizeof *gen2);
	rng_seed(&ra, 1);
	wgan_generate(a, 40, &ra, 1, gen1);
	same = 1;
	for (i = 0; i < 40; i++) {
		float *r = gen1 + i * D;

		same &= r[0] + r[1] + r[2] == 1.0f && r[5] + r[6] == 1.0f &&
		    (r[0] == 0 || r[0] == 1) && r[3] > 0 && r[3] < 1;
	}
	tap_ok(same, "hard generation: each group one-hot, other columns in (0,1)");
	rng_seed(&ra, 1);
	wgan_generate(a, 40, &ra, 0, gen2);
	same = 1;
	for (i = 0; i < 40; i++)
		same &= fabsf(gen2[i * D] + gen2[i * D + 1] + gen2[i * D + 2] - 1.0f) < 1e-5f &&
		    gen2[i * D + 3] == gen1[i * D + 3];
	tap_ok(same, "soft generation: group softmax sums to 1, same noise as hard");
	{
		/* internal batching: 2500 rows in chunks give the same rows as 40 */
		float *big = xcalloc((size_t)2500 * D, sizeof *big), *sc = xcalloc(2500, sizeof *sc);
		float sc1[3];

		float maxd = 0;

		rng_seed(&ra, 1);
		wgan_generate(a, 2500, &ra, 1, big);
		/* equal up to BLAS blocking differences between batch sizes */
		for (i = 0; i < 40 * D; i++)
			maxd = fmaxf(maxd, fabsf(big[i] - gen1[i]));
		tap_ok(maxd <= 1e-5f, "generation in internal batches: the first rows do not "
		    "depend on n (max diff %g)", maxd);
		wgan_critic(a, big, 2500, sc);
		wgan_critic(a, big + (size_t)2497 * D, 3, sc1);
		tap_ok(fabsf(sc[2497] - sc1[0]) <= 1e-5f * (1 + fabsf(sc1[0])) &&
		    fabsf(sc[2499] - sc1[2]) <= 1e-5f * (1 + fabsf(sc1[2])),
		    "critic scores in internal batches match a small call");
		free(big);
		free(sc);
	}
	{
		char *cause = NULL;
		int bgs[2] = { 0, 2 }, bgw[2] = { 3, 2 };
		struct wgan_config bad = cfg;

		bad.group_start = bgs;
		bad.group_width = bgw;
		struct wgan *x = wgan_new_checked(&bad, 1, &cause);

		tap_ok(x == NULL && cause != NULL, "overlapping groups refused: %s",
		    cause ? cause : "(no message)");
		free(cause);
	}
	free(gen1);
	free(gen2);
	free(state);
	free(X);
	wgan_free(a);
	wgan_free(b);
}

int
main(void)
{
	hand_test();
	determinism_test();
	run_reference();
	return tap_done();
}
