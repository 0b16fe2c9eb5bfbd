/* synthehr — GPL-3.0-or-later.
 * Screen 3, Preprocess: the cohort before and after the plan in the shape of
 * the paper's Table 1 (patients, age, sex, the race group, the label, the
 * continuous measurements with their missing counts, the most prevalent
 * concepts, the model-matrix width), what each step removed (outlier rows,
 * columns dropped for missingness, concepts pruned for low prevalence),
 * and a confirmation that runs 'synthehr prep' to write prep/. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "synthehr/study_read.h"
#include "tui/tui.h"

static struct {
	json_t *before, *after, *log;   /* summaries (prep_summary_to_json shape) and prep/log.json */
	int scroll;
	int view;                       /* 0 Table 1, 1 every step of prep/log.json */
	int sscroll, srows;             /* the steps view: first line shown, lines shown */
	int stale;                      /* the plan changed since prep/ was written */
} pp;

/* Word-wrapped lines (never cut mid-word) with a role each. */
struct wlines {
	int n, cap;
	char **s;
	int *role;
};

static const char *const prep_keys[] = {
	"p\tpreprocess: confirm, then write prep/ (runs 'synthehr prep')",
	"Up/Down\tscroll (PgUp/PgDn a page, Home/End the first / last)",
	"s\tevery step in full (rule counts, imputation, pruning) / Table 1",
	"r\tre-read prep/log.json",
	NULL,
};

static void
prep_reset(struct app *a)
{
	(void)a;
	json_decref(pp.before);
	json_decref(pp.after);
	json_decref(pp.log);
	pp.before = pp.after = pp.log = NULL;
	pp.scroll = pp.sscroll = 0;
}

/* JSON values equal as values: 10 and 10.0 are the same bound (jansson's
 * json_equal tells an integer from a real, so a plan written by 'init'
 * and the same plan in prep/log.json looked changed). */
static int
json_same(json_t *x, json_t *y)
{
	if (json_is_number(x) && json_is_number(y))
		return json_number_value(x) == json_number_value(y);
	if (json_is_object(x) && json_is_object(y)) {
		const char *k;
		json_t *v;

		if (json_object_size(x) != json_object_size(y))
			return 0;
		json_object_foreach(x, k, v)
			if (!json_same(v, json_object_get(y, k)))
				return 0;
		return 1;
	}
	if (json_is_array(x) && json_is_array(y)) {
		size_t i;

		if (json_array_size(x) != json_array_size(y))
			return 0;
		for (i = 0; i < json_array_size(x); i++)
			if (!json_same(json_array_get(x, i), json_array_get(y, i)))
				return 0;
		return 1;
	}
	return json_equal(x, y);
}

static void
prep_load(struct app *a)
{
	char *p, *cause = NULL;

	prep_reset(a);
	if (a->st == NULL)
		return;
	p = NULL;
	if (study_read_prep_log(a->st, &pp.log, &cause) == 0) {
		pp.before = json_incref(json_object_get(pp.log, "before"));
		pp.after = json_incref(json_object_get(pp.log, "after"));
		/* stale when study.json's plan differs from the one applied */
		{
			json_t *plan = json_object_get(pp.log, "plan"), *cur = json_object_get(a->st->cfg, "prep");
			json_t *o;
			const char *k;
			json_t *v;
			int diff = 0;

			if (json_is_object(plan) && json_is_object(cur)) {
				json_object_foreach(plan, k, v) {
					o = json_object_get(cur, k);
					if (o != NULL && !json_same(o, v))
						diff = 1;
				}
			}
			pp.stale = diff;
		}
	}
	free(cause);
	free(p);
	if (pp.before == NULL && a->cohort != NULL) {
		struct prep_summary s;

		prep_summary(a->cohort, &s);
		pp.before = prep_summary_to_json(&s);
		prep_summary_done(&s);
	}
}

static void
prep_enter(struct app *a)
{
	prep_load(a);
}

/* One Table-1 row: label, before, after. */
struct t1row {
	char label[48], before[32], after[32];
	int role;
};

static void
fmt_n_pct(char *buf, size_t n, json_t *count, double total)
{
	if (!json_is_integer(count)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%lld (%.1f%%)", (long long)json_integer_value(count),
	    total > 0 ? 100.0 * json_integer_value(count) / total : 0);
}

static void
fmt_mean_sd(char *buf, size_t n, json_t *o)
{
	json_t *m = json_object_get(o, "mean"), *s = json_object_get(o, "sd");

	if (!json_is_number(m)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%.1f (%.1f)", json_number_value(m), json_is_number(s) ? json_number_value(s) : NAN);
}

static int
build_rows(json_t *b, json_t *af, struct t1row *rows, int max)
{
	json_t *side[2] = { b, af };
	int n = 0, k;
	double tot[2];
	const char *key;
	json_t *v;
	size_t i;

	for (k = 0; k < 2; k++)
		tot[k] = (double)js_int(side[k], "patients", 0);
#define ROW(lbl) (n < max ? (memset(&rows[n], 0, sizeof rows[n]), snprintf(rows[n].label, \
    sizeof rows[n].label, "%s", lbl), &rows[n++]) : NULL)
	{
		struct t1row *r = ROW("Patients");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%lld", (long long)js_int(side[k], "patients", 0));
		if (r) r->role = THEME_TITLE;
	}
	if (json_object_get(b, "age") != NULL) {
		struct t1row *r = ROW("Age, mean (SD)");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				fmt_mean_sd(k ? r->after : r->before, 32, json_object_get(side[k], "age"));
	}
	if (json_object_get(b, "female_pct") != NULL) {
		struct t1row *r = ROW("Female, %");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%.1f%%", js_num(side[k], "female_pct", NAN));
	}
	if (json_object_get(b, "label") != NULL) {
		char l[48];
		struct t1row *r;

		snprintf(l, sizeof l, "%s, n (%%)", js_str(json_object_get(b, "label"), "name", "label"));
		r = ROW(l);
		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				fmt_n_pct(k ? r->after : r->before, 32,
				    json_object_get(json_object_get(side[k], "label"), "count"), tot[k]);
	}
	if (json_object_get(b, "group") != NULL) {
		json_t *cb = json_object_get(json_object_get(b, "group"), "counts");
		struct t1row *r;

		r = ROW(js_str(json_object_get(b, "group"), "name", "group"));
		if (r) r->role = THEME_DIM;
		json_object_foreach(cb, key, v) {
			char l[48];

			snprintf(l, sizeof l, "  %s", key);
			if ((r = ROW(l)) == NULL)
				break;
			for (k = 0; k < 2; k++)
				if (side[k] != NULL)
					fmt_n_pct(k ? r->after : r->before, 32, json_object_get(json_object_get(
					    json_object_get(side[k], "group"), "counts"), key), tot[k]);
		}
	}
	json_array_foreach(json_object_get(b, "continuous"), i, v) {
		const char *nm = js_str(v, "name", "?");
		char l[48];
		struct t1row *r;
		json_t *av = NULL, *x;
		size_t j;

		snprintf(l, sizeof l, "%s, mean (SD)", nm);
		if ((r = ROW(l)) == NULL)
			break;
		fmt_mean_sd(r->before, 32, v);
		json_array_foreach(json_object_get(af, "continuous"), j, x)
			if (strcmp(js_str(x, "name", ""), nm) == 0)
				av = x;
		if (af != NULL)
			fmt_mean_sd(r->after, 32, av);
		snprintf(l, sizeof l, "  missing");
		if ((r = ROW(l)) == NULL)
			break;
		r->role = THEME_DIM;
		fmt_n_pct(r->before, 32, json_object_get(v, "missing"), tot[0]);
		if (af != NULL)
			fmt_n_pct(r->after, 32, av ? json_object_get(av, "missing") : NULL, tot[1]);
	}
	json_array_foreach(json_object_get(b, "top_concepts"), i, v) {
		const char *nm = js_str(v, "name", "?");
		char l[48];
		struct t1row *r;
		json_t *av = NULL, *x;
		size_t j;

		snprintf(l, sizeof l, "concept %s, %%", nm);
		if ((r = ROW(l)) == NULL)
			break;
		snprintf(r->before, 32, "%.1f%%", 100 * js_num(v, "prevalence", NAN));
		json_array_foreach(json_object_get(af, "top_concepts"), j, x)
			if (strcmp(js_str(x, "name", ""), nm) == 0)
				av = x;
		if (af != NULL)
			snprintf(r->after, 32, av ? "%.1f%%" : "-", 100 * js_num(av, "prevalence", NAN));
	}
	{
		struct t1row *r = ROW("Model columns");

		for (k = 0; r && k < 2; k++)
			if (side[k] != NULL)
				snprintf(k ? r->after : r->before, 32, "%lld", (long long)js_int(side[k], "columns", 0));
	}
#undef ROW
	return n;
}

static void
wl_push(struct wlines *l, const char *t, int role)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->s = xreallocarray(l->s, l->cap, sizeof *l->s);
		l->role = xreallocarray(l->role, l->cap, sizeof *l->role);
	}
	l->s[l->n] = xstrdup(t);
	l->role[l->n] = role;
	l->n++;
}

static void
wl_free(struct wlines *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->role);
	memset(l, 0, sizeof *l);
}

/* Text wrapped at spaces into lines of at most width cells, the
 * continuation lines indented by indent; a word longer than a line is
 * broken (file names can be). */
static void
wl_wrap(struct wlines *l, const char *text, int width, int indent, int role)
{
	char *buf = xmalloc(strlen(text) + (size_t)width + 8);
	const char *p = text;
	int first = 1;

	width = SH_MAX(width, 20);
	while (*p != '\0') {
		int room = width - (first ? 0 : indent), len = 0, cells = 0, cut = -1, pad = first ? 0 : indent;

		while (p[len] != '\0' && cells < room) {
			int k = 1;

			while (((unsigned char)p[len + k] & 0xC0) == 0x80)
				k++;
			if (p[len] == ' ')
				cut = len;
			len += k;
			cells++;
		}
		if (p[len] != '\0' && p[len] != ' ' && cut > 0)
			len = cut;
		memset(buf, ' ', pad);
		memcpy(buf + pad, p, len);
		buf[pad + len] = '\0';
		wl_push(l, buf, role);
		p += len;
		while (*p == ' ')
			p++;
		first = 0;
	}
	free(buf);
}

/* A rule's description without its action ("BMI outside [10, 60]"). */
static void
rule_name(json_t *v, char *buf, size_t n)
{
	char *c;

	snprintf(buf, n, "%s", js_str(v, "description", "?"));
	if ((c = strrchr(buf, ':')) != NULL && (strcmp(c, ": drop") == 0 || strcmp(c, ": clip") == 0))
		*c = '\0';
}

/* A growing string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* The short account under Table 1: what the rules removed (each rule's
 * count), the split, the encodings, the columns dropped and pruned. */
static void
summary_lines(struct wlines *l, int w)
{
	struct sbuf b = { 0 };
	size_t out_rows = 0, i;
	json_t *v, *lp;
	int k = 0;
	char nm[160];

	json_array_foreach(json_object_get(pp.log, "outliers"), i, v)
		out_rows += (size_t)js_int(v, "removed", 0);
	sb_add(&b, "outlier rules removed %zu patients", out_rows);
	json_array_foreach(json_object_get(pp.log, "outliers"), i, v) {
		if (!json_is_true(json_object_get(v, "enabled")))
			continue;
		rule_name(v, nm, sizeof nm);
		sb_add(&b, "%s%s: %lld", k++ ? ", " : " (", nm, (long long)js_int(v, "removed", 0));
	}
	sb_add(&b, "%s", k ? ")" : "");
	wl_wrap(l, b.s, w, 2, THEME_NORMAL);
	b.len = 0;
	lp = json_object_get(pp.log, "split");
	sb_add(&b, "split %lld train / %lld test; %lld model columns", (long long)js_int(lp, "train", 0),
	    (long long)js_int(lp, "test", 0), (long long)js_int(pp.log, "columns_out", 0));
	wl_wrap(l, b.s, w, 2, THEME_NORMAL);
	/* generator encodings prep chose (quick preset; tutorial: min-max) */
	b.len = 0;
	sb_add(&b, "encodings (quick; tutorial: min-max):");
	json_array_foreach(json_object_get(pp.log, "encodings"), i, v)
		if (strcmp(js_str(v, "encoding", "minmax"), "minmax") != 0)
			sb_add(&b, " %s %s", js_str(v, "column", "?"), js_str(v, "encoding", "?"));
	if (json_array_size(json_object_get(pp.log, "encodings")) == 0)
		sb_add(&b, " none (prep again to choose)");
	wl_wrap(l, b.s, w, 2, THEME_NORMAL);
	b.len = 0;
	lp = json_object_get(json_object_get(pp.log, "missing"), "columns_dropped");
	sb_add(&b, "dropped for missingness:");
	if (json_array_size(lp) == 0)
		sb_add(&b, " none");
	json_array_foreach(lp, i, v)
		sb_add(&b, " %s", json_is_string(v) ? json_string_value(v) : js_str(v, "column", "?"));
	wl_wrap(l, b.s, w, 2, THEME_NORMAL);
	b.len = 0;
	lp = json_object_get(pp.log, "low_prevalence");
	sb_add(&b, "pruned %lld concepts below prevalence %g:", (long long)js_int(lp, "dropped_count", 0),
	    js_num(lp, "threshold", 5e-5));
	json_array_foreach(json_object_get(lp, "dropped"), i, v)
		sb_add(&b, " %s", js_str(v, "column", "?"));
	wl_wrap(l, b.s, w, 2, THEME_NORMAL);
	free(b.s);
}

/* Every step of prep/log.json in full. */
static void
step_lines(struct wlines *l, int w)
{
	struct sbuf b = { 0 };
	json_t *v, *lp, *m = json_object_get(pp.log, "missing");
	size_t i;
	char nm[160];

	wl_push(l, "Outlier rules, in order:", THEME_TITLE);
	b.len = 0;
	sb_add(&b, "  %lld patients in", (long long)js_int(pp.log, "rows_in", 0));
	wl_wrap(l, b.s, w, 4, THEME_DIM);
	json_array_foreach(json_object_get(pp.log, "outliers"), i, v) {
		int on = json_is_true(json_object_get(v, "enabled"));

		b.len = 0;
		snprintf(nm, sizeof nm, "%s", js_str(v, "description", "?"));
		if (!on)
			sb_add(&b, "  %-34s off (%lld would match)", nm, (long long)js_int(v, "affected", 0));
		else if (json_object_get(v, "below") != NULL)
			sb_add(&b, "  %-34s %lld removed (%lld below, %lld above); %lld left", nm,
			    (long long)js_int(v, "removed", 0), (long long)js_int(v, "below", 0),
			    (long long)js_int(v, "above", 0), (long long)js_int(v, "rows_after", 0));
		else
			sb_add(&b, "  %-34s %lld removed; %lld left", nm, (long long)js_int(v, "removed", 0),
			    (long long)js_int(v, "rows_after", 0));
		wl_wrap(l, b.s, w, 6, on ? THEME_NORMAL : THEME_DIM);
	}
	if (json_array_size(json_object_get(pp.log, "outliers")) == 0)
		wl_push(l, "  no rules", THEME_DIM);
	wl_push(l, "Missingness:", THEME_TITLE);
	b.len = 0;
	sb_add(&b, "  columns missing more than %g%% dropped:", 100 * js_num(m, "drop_above", 0.5));
	lp = json_object_get(m, "columns_dropped");
	if (json_array_size(lp) == 0)
		sb_add(&b, " none");
	json_array_foreach(lp, i, v)
		sb_add(&b, " %s", json_is_string(v) ? json_string_value(v) : js_str(v, "column", "?"));
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	b.len = 0;
	sb_add(&b, "  patients without a label removed: %lld", (long long)js_int(m, "label_missing_removed", 0));
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	lp = json_object_get(m, "rows_dropped");
	json_array_foreach(lp, i, v) {
		b.len = 0;
		sb_add(&b, "  %s: %lld patients removed (imputation: drop)", js_str(v, "column", "?"),
		    (long long)js_int(v, "count", 0));
		wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	}
	b.len = 0;
	sb_add(&b, "  imputed (seed %lld):", (long long)js_int(m, "seed", 0));
	json_array_foreach(json_object_get(m, "imputed"), i, v)
		sb_add(&b, "%s %s %lld (%s)", i ? "," : "", js_str(v, "column", "?"), (long long)js_int(v, "count", 0),
		    js_str(v, "method", "?"));
	if (json_array_size(json_object_get(m, "imputed")) == 0)
		sb_add(&b, " nothing");
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	wl_push(l, "Low prevalence:", THEME_TITLE);
	lp = json_object_get(pp.log, "low_prevalence");
	b.len = 0;
	sb_add(&b, "  %lld concepts below prevalence %g pruned:", (long long)js_int(lp, "dropped_count", 0),
	    js_num(lp, "threshold", 5e-5));
	json_array_foreach(json_object_get(lp, "dropped"), i, v)
		sb_add(&b, " %s", js_str(v, "column", "?"));
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	wl_push(l, "Split and model:", THEME_TITLE);
	lp = json_object_get(pp.log, "split");
	b.len = 0;
	sb_add(&b, "  %lld train / %lld test; %lld model columns", (long long)js_int(lp, "train", 0),
	    (long long)js_int(lp, "test", 0), (long long)js_int(pp.log, "columns_out", 0));
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	b.len = 0;
	sb_add(&b, "  encodings (quick; tutorial: min-max):");
	json_array_foreach(json_object_get(pp.log, "encodings"), i, v)
		sb_add(&b, " %s %s", js_str(v, "column", "?"), js_str(v, "encoding", "?"));
	if (json_array_size(json_object_get(pp.log, "encodings")) == 0)
		sb_add(&b, " none (prep again to choose)");
	wl_wrap(l, b.s, w, 4, THEME_NORMAL);
	(void)rule_name;
	free(b.s);
}

static void
draw_steps(struct canvas *cv, int x, int y, int w, int h)
{
	struct wlines l;
	int rows = h - 2, i, yy;

	memset(&l, 0, sizeof l);
	canvas_text(cv, x + 1, y, w - 2, THEME_TITLE, "What each step did (prep/log.json; s: back to Table 1)");
	if (pp.log == NULL) {
		canvas_text(cv, x + 1, y + 2, w - 2, THEME_DIM, "prep/ not written yet: p applies the plan.");
		return;
	}
	step_lines(&l, w - 2);
	pp.srows = SH_MAX(rows, 1);
	if (pp.sscroll > l.n - rows) pp.sscroll = l.n - rows;
	if (pp.sscroll < 0) pp.sscroll = 0;
	for (i = pp.sscroll, yy = y + 1; i < l.n && yy < y + 1 + rows; i++, yy++)
		canvas_text(cv, x + 1, yy, w - 2, l.role[i], l.s[i]);
	canvas_printf(cv, x + 1, y + h - 1, w - 2, THEME_DIM, "lines %d-%d of %d (Up/Down, PgUp/PgDn, Home/End)",
	    l.n ? pp.sscroll + 1 : 0, SH_MIN(pp.sscroll + rows, l.n), l.n);
	wl_free(&l);
}

static void
prep_draw(struct app *a, struct canvas *cv, int x, int y, int w, int h)
{
	struct t1row rows[64];
	int n, i, yy, tw = SH_MIN(w, 76) - 0, rowsh, ly, foot = 1;

	if (pp.before == NULL)
		prep_load(a);
	if (pp.before == NULL) {
		canvas_text(cv, x + 2, y + 1, w - 4, THEME_DIM, "No cohort loaded: start on screen 1 (Load).");
		return;
	}
	if (pp.view == 1) {
		draw_steps(cv, x, y, w, h);
		return;
	}
	canvas_text(cv, x + 1, y, w - 2, THEME_TITLE, pp.after != NULL ?
	    "Table 1: the cohort before and after preprocessing" :
	    "Table 1: the cohort before preprocessing (p runs the plan)");
	if (pp.stale)
		canvas_text_right(cv, x, y, w - 1, THEME_BAD, "plan changed since: p again");
	canvas_printf(cv, x + 1, y + 1, tw, THEME_DIM, "%-30s %20s %20s", "", "before", "after");
	n = build_rows(pp.before, pp.after, rows, (int)SH_NELEM(rows));
	if (pp.log != NULL) {
		struct wlines f;

		memset(&f, 0, sizeof f);
		summary_lines(&f, w - 2);
		foot = SH_MIN(f.n, SH_MAX(h / 4, 3)) + 1;   /* the rule and the account */
		wl_free(&f);
	}
	rowsh = h - 2 - foot;
	if (pp.scroll > n - rowsh) pp.scroll = n - rowsh;
	if (pp.scroll < 0) pp.scroll = 0;
	if (n > rowsh)   /* where the table is, in the header's empty label column */
		canvas_printf(cv, x + 1, y + 1, 29, THEME_DIM, "rows %d-%d of %d (Up/Down)", pp.scroll + 1,
		    SH_MIN(pp.scroll + rowsh, n), n);
	for (i = pp.scroll, yy = y + 2; i < n && yy < y + 2 + rowsh; i++, yy++) {
		canvas_printf(cv, x + 1, yy, tw, rows[i].role ? rows[i].role : THEME_NORMAL, "%-30.30s %20s %20s",
		    rows[i].label, rows[i].before, pp.after != NULL ? rows[i].after : "");
		if (pp.after != NULL && strcmp(rows[i].before, rows[i].after) != 0 && rows[i].role != THEME_TITLE)
			canvas_set_role(cv, x + 53, yy, 20, THEME_KEY);
	}
	ly = y + h - foot;
	foot--;
	if (pp.log == NULL) {
		ly = y + h - 1;
		canvas_text(cv, x + 1, ly, w - 2, THEME_DIM, "prep/ not written yet: p applies the plan "
		    "(outliers, missingness, pruning, scaling, split).");
		return;
	}
	canvas_hline(cv, x, ly, w, THEME_BORDER);
	{
		struct wlines f;

		memset(&f, 0, sizeof f);
		summary_lines(&f, w - 2);
		for (i = 0; i < f.n && i < foot; i++) {
			if (i == foot - 1 && f.n > foot) {
				/* the last line that fits ends with where the rest is */
				char *t = f.s[i], *sp;
				const char *more = " ... (s: all)";

				while ((int)strlen(t) + (int)strlen(more) > w - 2 && (sp = strrchr(t, ' ')) != NULL)
					*sp = '\0';
				canvas_printf(cv, x + 1, ly + 1 + i, w - 2, f.role[i], "%s%s", t, more);
			} else
				canvas_text(cv, x + 1, ly + 1 + i, w - 2, f.role[i], f.s[i]);
		}
		wl_free(&f);
	}
}

static void
prep_done(struct app *a, int rc)
{
	if (rc == 0) {
		app_study_reload(a);   /* the stage wrote study.json: compare its plan, not the one read before */
		prep_load(a);
		app_status(a, "prep/ written: next, 4 Train");
	}
}

static void
prep_yes(struct app *a)
{
	struct stage_req q;
	char *cause = NULL;

	memset(&q, 0, sizeof q);
	q.stage = STAGE_PREP;
	q.study = a->st->dir;
	if (job_submit(a, &q, prep_done, &cause) != 0)
		app_error(a, cause);
	else
		app_status(a, "preprocessing ...");
}

int
screen_prep_start(struct app *a)
{
	if (a->st == NULL) {
		app_error(a, xstrdup("no study is open (screen 1)"));
		return -1;
	}
	app_confirm(a, "Apply the plan and write prep/ (replaces earlier results)?", prep_yes);
	return 0;
}

static int
prep_key(struct app *a, int key)
{
	switch (key) {
	case 'p': case TKEY_ENTER:
		screen_prep_start(a);
		return TUI_REDRAW;
	case 's':
		pp.view = !pp.view;
		return TUI_REDRAW;
	case TKEY_ESC:
		if (pp.view == 0)
			return TUI_UNHANDLED;
		pp.view = 0;
		return TUI_REDRAW;
	}
	{
		int *sc = pp.view ? &pp.sscroll : &pp.scroll, page = pp.view ? SH_MAX(pp.srows - 1, 1) : 10;

		switch (key) {
		case TKEY_UP: case 'k': (*sc)--; return TUI_REDRAW;
		case TKEY_DOWN: case 'j': (*sc)++; return TUI_REDRAW;
		case TKEY_PGUP: *sc -= page; return TUI_REDRAW;
		case TKEY_PGDN: *sc += page; return TUI_REDRAW;
		case TKEY_HOME: *sc = 0; return TUI_REDRAW;
		case TKEY_END: *sc = 1 << 20; return TUI_REDRAW;
		}
	}
	switch (key) {
	case 'r': prep_load(a); return TUI_REDRAW;
	}
	return TUI_UNHANDLED;
}

const struct screen screen_prep = {
	.name = "Preprocess",
	.abbr = "Prep",
	.keys = prep_keys,
	.enter = prep_enter,
	.draw = prep_draw,
	.key = prep_key,
	.reset = prep_reset,
};
