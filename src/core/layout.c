/* synthehr — GPL-3.0-or-later.
 * The model-matrix layout (mtx.h): its columns, groups and ranges, JSON
 * and hash; and prep_layout_build, which lays a preprocessed cohort out
 * (groups first, then binary, then continuous columns with min–max
 * ranges, SPEC §2.6). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synthehr/encode.h"
#include "synthehr/mtx.h"
#include "synthehr/prep.h"
#include "synthehr/util.h"
#include "prep_int.h"

/* ---- the layout ---- */

static const char *mcol_names[MCOL_COUNT] = { "group", "binary", "continuous" };

struct layout *
layout_new(int D)
{
	struct layout *l = xcalloc(1, sizeof *l);
	int j;

	l->D = D;
	l->kind = xcalloc(D, sizeof *l->kind);
	l->name = xcalloc(D, sizeof *l->name);
	l->source = xcalloc(D, sizeof *l->source);
	l->level = xcalloc(D, sizeof *l->level);
	l->level0 = xcalloc(D, sizeof *l->level0);
	l->group_of = xcalloc(D, sizeof *l->group_of);
	l->concept = xcalloc(D, 1);
	l->lo = xcalloc(D, sizeof *l->lo);
	l->hi = xcalloc(D, sizeof *l->hi);
	for (j = 0; j < D; j++) {
		l->group_of[j] = -1;
		l->hi[j] = 1;
		l->kind[j] = MCOL_BINARY;
	}
	l->label = l->sex = -1;
	return l;
}

void
layout_free(struct layout *l)
{
	int j;

	if (l == NULL)
		return;
	for (j = 0; j < l->D; j++) {
		free(l->name[j]);
		free(l->source[j]);
		free(l->level[j]);
		free(l->level0[j]);
	}
	for (j = 0; j < l->ngroups; j++)
		free(l->group_name[j]);
	free(l->kind); free(l->name); free(l->source); free(l->level); free(l->level0);
	free(l->group_of); free(l->concept); free(l->lo); free(l->hi);
	free(l->group_start); free(l->group_width); free(l->group_name);
	enc_free(l->enc);
	free(l);
}

void
layout_finish(struct layout *l, int ngroups, char **group_names)
{
	int j, g;

	free(l->group_start);
	free(l->group_width);
	if (l->group_name != group_names) {
		for (g = 0; g < l->ngroups; g++)
			free(l->group_name[g]);
		free(l->group_name);
	}
	l->ngroups = ngroups;
	l->group_start = xcalloc(ngroups, sizeof(int));
	l->group_width = xcalloc(ngroups, sizeof(int));
	l->group_name = group_names;
	for (g = 0; g < ngroups; g++)
		l->group_start[g] = -1;
	for (j = 0; j < l->D; j++) {
		g = l->group_of[j];
		if (g < 0)
			continue;
		if (l->group_start[g] < 0)
			l->group_start[g] = j;
		l->group_width[g]++;
	}
}

int
layout_find(const struct layout *l, const char *name)
{
	int j;

	for (j = 0; j < l->D; j++)
		if (strcmp(l->name[j], name) == 0)
			return j;
	return -1;
}

int
layout_count(const struct layout *l, enum mcol_kind k)
{
	int j, n = 0;

	for (j = 0; j < l->D; j++)
		n += l->kind[j] == k;
	return n;
}

json_t *
layout_to_json(const struct layout *l)
{
	json_t *o = json_object(), *cols = json_array(), *groups = json_array();
	int j, g;

	for (j = 0; j < l->D; j++) {
		json_t *c = json_object();

		json_object_set_new(c, "name", json_string(l->name[j]));
		json_object_set_new(c, "kind", json_string(mcol_names[l->kind[j]]));
		if (l->source[j])
			json_object_set_new(c, "source", json_string(l->source[j]));
		if (l->level[j])
			json_object_set_new(c, "level", json_string(l->level[j]));
		if (l->level0[j])
			json_object_set_new(c, "level0", json_string(l->level0[j]));
		if (l->group_of[j] >= 0)
			json_object_set_new(c, "group", json_integer(l->group_of[j]));
		if (l->concept[j])
			json_object_set_new(c, "concept", json_true());
		if (l->kind[j] == MCOL_CONT) {
			json_object_set_new(c, "lo", json_real(l->lo[j]));
			json_object_set_new(c, "hi", json_real(l->hi[j]));
		}
		json_array_append_new(cols, c);
	}
	for (g = 0; g < l->ngroups; g++)
		json_array_append_new(groups, json_string(l->group_name[g]));
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "label", json_integer(l->label));
	json_object_set_new(o, "sex", json_integer(l->sex));
	return o;
}

int
layout_from_json(json_t *j, struct layout **out, char **cause)
{
	json_t *cols = json_object_get(j, "columns"), *groups = json_object_get(j, "groups"), *c;
	struct layout *l;
	char **gn;
	size_t i;
	int k, ng;

	if (!json_is_array(cols) || !json_is_array(groups))
		return util_fail(cause, "layout: expected \"columns\" and \"groups\" arrays");
	l = layout_new((int)json_array_size(cols));
	json_array_foreach(cols, i, c) {
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *kind = json_string_value(json_object_get(c, "kind"));
		json_t *v;

		if (name == NULL || kind == NULL) {
			layout_free(l);
			return util_fail(cause, "layout: column %zu needs \"name\" and \"kind\"", i);
		}
		l->name[i] = xstrdup(name);
		for (k = 0; k < MCOL_COUNT; k++)
			if (strcmp(kind, mcol_names[k]) == 0)
				break;
		if (k == MCOL_COUNT) {
			layout_free(l);
			return util_fail(cause, "layout: column %zu: unknown kind \"%s\"", i, kind);
		}
		l->kind[i] = k;
		if ((v = json_object_get(c, "source")) && json_is_string(v))
			l->source[i] = xstrdup(json_string_value(v));
		if ((v = json_object_get(c, "level")) && json_is_string(v))
			l->level[i] = xstrdup(json_string_value(v));
		if ((v = json_object_get(c, "level0")) && json_is_string(v))
			l->level0[i] = xstrdup(json_string_value(v));
		if ((v = json_object_get(c, "group")) && json_is_integer(v))
			l->group_of[i] = (int)json_integer_value(v);
		l->concept[i] = json_is_true(json_object_get(c, "concept"));
		if (k == MCOL_CONT) {
			l->lo[i] = json_number_value(json_object_get(c, "lo"));
			l->hi[i] = json_number_value(json_object_get(c, "hi"));
		}
	}
	ng = (int)json_array_size(groups);
	gn = xcalloc(ng, sizeof *gn);
	for (k = 0; k < ng; k++) {
		const char *s = json_string_value(json_array_get(groups, k));

		gn[k] = xstrdup(s ? s : "");
	}
	for (k = 0; k < l->D; k++) {
		if (l->group_of[k] >= ng) {
			for (int g = 0; g < ng; g++)
				free(gn[g]);
			free(gn);
			layout_free(l);
			return util_fail(cause, "layout: column %d names group %d of %d", k, l->group_of[k], ng);
		}
	}
	layout_finish(l, ng, gn);
	l->label = (int)json_integer_value(json_object_get(j, "label"));
	l->sex = (int)json_integer_value(json_object_get(j, "sex"));
	if (!json_is_integer(json_object_get(j, "label")))
		l->label = -1;
	if (!json_is_integer(json_object_get(j, "sex")))
		l->sex = -1;
	*out = l;
	return 0;
}

uint64_t
layout_hash(const struct layout *l)
{
	uint64_t h = 0;
	int j;

	h = util_hash64(&l->D, sizeof l->D, h);
	for (j = 0; j < l->D; j++) {
		h = util_hash64(l->name[j], strlen(l->name[j]), h);
		h = util_hash64(&l->kind[j], sizeof l->kind[j], h);
		h = util_hash64(&l->group_of[j], sizeof l->group_of[j], h);
	}
	return h;
}

/* ---- the layout of a cohort (prep) ---- */

struct lcol {
	enum mcol_kind kind;
	const char *name;      /* cohort column name or level label */
	const char *source;
	const char *level, *level0;
	int group;
	int concept;
	int col;               /* cohort column */
	int qualify;           /* use SOURCE=LEVEL */
};

static void
lcol_push(struct lcol **v, int *n, const struct lcol *e)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = *e;
}

static void
binary_levels(const struct column *k, const char **l0, const char **l1)
{
	*l0 = *l1 = NULL;
	if (k->levels != NULL && k->nlevels == 2) {
		*l0 = k->levels[0];
		*l1 = k->levels[1];
	}
}

int
prep_layout_build(const struct cohort *c, const size_t *fit, size_t nfit,
    struct layout **out, char **cause)
{
	struct lcol *v = NULL, e;
	char **gnames = NULL;
	int nv = 0, ng = 0, j, i, pass, lab = -1, sex = -1;
	struct layout *l;

	/* groups first, in source order */
	for (j = 0; j < c->ncols; j++) {
		const struct column *k = &c->cols[j];

		if (!column_is_modelled(k))
			continue;
		if (column_is_group(k)) {
			if (k->kind != KIND_CATEGORICAL)
				return util_fail(cause, "column \"%s\": a categorical column must hold levels", k->name);
			for (i = 0; i < k->nlevels; i++) {
				memset(&e, 0, sizeof e);
				e.kind = MCOL_GROUP;
				e.name = k->levels[i];
				e.source = k->name;
				e.level = k->levels[i];
				e.group = ng;
				e.col = j;
				lcol_push(&v, &nv, &e);
			}
			gnames = xreallocarray(gnames, ng + 1, sizeof(char *));
			gnames[ng++] = xstrdup(k->name);
		} else if (k->group != NULL) {
			int seen = 0, jj;

			for (i = 0; i < ng; i++)
				seen |= strcmp(gnames[i], k->group) == 0;
			if (seen)
				continue;
			for (jj = j; jj < c->ncols; jj++) {
				const struct column *g = &c->cols[jj];

				if (g->group == NULL || strcmp(g->group, k->group) != 0 || !column_is_modelled(g))
					continue;
				memset(&e, 0, sizeof e);
				e.kind = MCOL_GROUP;
				e.name = g->name;
				e.source = g->name;
				e.group = ng;
				e.col = jj;
				lcol_push(&v, &nv, &e);
			}
			gnames = xreallocarray(gnames, ng + 1, sizeof(char *));
			gnames[ng++] = xstrdup(k->group);
		}
	}
	/* then label, sex, other binary, concepts, continuous */
	for (pass = 0; pass < 5; pass++) {
		for (j = 0; j < c->ncols; j++) {
			const struct column *k = &c->cols[j];
			int take;

			if (!column_is_modelled(k))
				continue;
			switch (pass) {
			case 0: take = column_is_binary(k) && k->role == ROLE_LABEL && lab < 0; break;
			case 1: take = column_is_binary(k) && k->role == ROLE_SEX && sex < 0; break;
			case 2: take = column_is_binary(k) && (k->role == ROLE_BINARY ||
			    (k->role == ROLE_LABEL && j != lab) || (k->role == ROLE_SEX && j != sex)); break;
			case 3: take = column_is_binary(k) && k->role == ROLE_CONCEPT; break;
			default: take = k->role == ROLE_CONTINUOUS && k->group == NULL; break;
			}
			if (!take)
				continue;
			memset(&e, 0, sizeof e);
			e.kind = pass == 4 ? MCOL_CONT : MCOL_BINARY;
			e.name = e.source = k->name;
			e.group = -1;
			e.col = j;
			e.concept = pass == 3;
			if (pass < 4)
				binary_levels(k, &e.level0, &e.level);
			if (pass == 0)
				lab = j;
			if (pass == 1)
				sex = j;
			lcol_push(&v, &nv, &e);
		}
	}
	/* Group level names: the label unless it collides with another name. */
	for (i = 0; i < nv; i++) {
		int cnt = 0, q;

		if (v[i].kind != MCOL_GROUP || v[i].level == NULL)
			continue;
		if (v[i].name[0] == '\0')
			cnt = 2;
		for (q = 0; q < nv && cnt < 2; q++)
			cnt += strcmp(v[q].name, v[i].name) == 0;
		for (q = 0; q < c->ncols && cnt < 2; q++)
			if (q != v[i].col && strcmp(c->cols[q].name, v[i].name) == 0)
				cnt++;
		v[i].qualify = cnt > 1;
	}
	l = layout_new(nv);
	for (i = 0; i < nv; i++) {
		l->kind[i] = v[i].kind;
		l->name[i] = v[i].qualify ? xsprintf("%s=%s", v[i].source, v[i].level) : xstrdup(v[i].name);
		l->source[i] = xstrdup(v[i].source);
		l->level[i] = v[i].level ? xstrdup(v[i].level) : NULL;
		l->level0[i] = v[i].level0 ? xstrdup(v[i].level0) : NULL;
		l->group_of[i] = v[i].group;
		l->concept[i] = (uint8_t)v[i].concept;
		if (v[i].col == lab && v[i].kind == MCOL_BINARY)
			l->label = i;
		if (v[i].col == sex && v[i].kind == MCOL_BINARY)
			l->sex = i;
		if (v[i].kind == MCOL_CONT) {
			const struct column *k = &c->cols[v[i].col];
			double lo = INFINITY, hi = -INFINITY;
			size_t r, n = fit ? nfit : c->nrows;

			for (r = 0; r < n; r++) {
				double x = column_num(k, fit ? fit[r] : r);

				if (isnan(x))
					continue;
				lo = x < lo ? x : lo;
				hi = x > hi ? x : hi;
			}
			if (lo > hi)
				lo = hi = 0;
			l->lo[i] = lo;
			l->hi[i] = hi;
		}
	}
	layout_finish(l, ng, gnames);
	free(v);
	*out = l;
	return 0;
}
