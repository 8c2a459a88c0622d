/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lineage.c — rule lineage.disposition: every township-level unit or organ
 * that a version removes has a successor (an event of the version naming
 * it among its predecessors and naming a successor) or a stated
 * disposition (an event naming it with the source's wording, e.g. an
 * abolition "其服务职能向龙头企业、专业合作组织转移"); and the archives of a
 * dissolved township-level unit have a custodian: a transfer_archives event
 * from it to someone (篇2: a dissolved township's archives go to the county
 * archive, a dissolved village's to its township).
 *
 * Statistical data (the NBS lists, the MCA tables) never records archives.
 * When no version of the first-parent line records any transfer_archives
 * event, the archives check cannot be judged: instead of one finding per
 * dissolved unit the rule reports that once, as a warning naming the
 * statistical profile (policies/nbs.json), with the number of units.
 */
#include "validate/rules.h"

typedef struct {
	townorg_rule_ctx *ctx;
	const townorg_version *v;
	json_t *kinds;
	bool archives;
	bool no_archives_data; /* the history records no archives at all */
	size_t unjudged;       /* dissolved units whose archives were not judged */
	int rc;
} linctx;

/* Does v or one of its first-parent ancestors record a transfer_archives
 * event?  1, 0, or a negative error. */
static int archives_recorded(const townorg_version *v)
{
	for (; v; v = townorg__first_parent(v)) {
		townorg__event_iter it;
		townorg_event e;
		int found = 0;
		if (townorg__event_iter_init(&it, v) < 0)
			return TOWNORG_ENOMEM;
		while (!found && townorg__event_iter_next(&it, &e))
			found = e.kind == TOWNORG_EVENT_TRANSFER_ARCHIVES;
		townorg__event_iter_end(&it);
		if (found)
			return 1;
	}
	return 0;
}

static bool named_from(const townorg_event *ev, const char *id)
{
	for (size_t i = 0; i < ev->from_count; i++)
		if (!strcmp(ev->from_ids[i], id))
			return true;
	return false;
}

static int removed_cb(const void *pa, const void *pb, void *p)
{
	linctx *l = p;
	const townorg_entity *a = pa;
	if (!a || pb || !townorg__kind_in(l->kinds, townorg_entity_kind(a)))
		return 0;
	const char *id = townorg_entity_id(a);
	bool disposed = false, custodian = false;
	townorg__event_iter it;
	townorg_event e;
	const townorg_event *ev = &e;
	if ((l->rc = townorg__event_iter_init(&it, l->v)) < 0)
		return l->rc;
	while (townorg__event_iter_next(&it, &e)) {
		if (!named_from(ev, id))
			continue;
		if (ev->kind == TOWNORG_EVENT_TRANSFER_ARCHIVES) {
			custodian |= ev->to_count > 0;
			continue;
		}
		disposed |= ev->to_count > 0 || (ev->wording && *ev->wording);
	}
	townorg__event_iter_end(&it);
	townorg__report_in in = { .entity = id, .path = "lineage" };
	townorg__msgargs args = { .name = townorg__display_name(a) };
	if (!disposed && (l->rc = townorg__report(l->ctx, &in, TOWNORG__M_LINEAGE_NONE, &args)) < 0)
		return l->rc;
	if (l->archives && !custodian && townorg_kind_is_township_level(townorg_entity_kind(a)) &&
	    l->no_archives_data) {
		l->unjudged++;
	} else if (l->archives && !custodian && townorg_kind_is_township_level(townorg_entity_kind(a))) {
		in.path = "archives";
		if ((l->rc = townorg__report(l->ctx, &in, TOWNORG__M_LINEAGE_ARCHIVES, &args)) < 0)
			return l->rc;
	}
	return 0;
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	if (!townorg__first_parent(v))
		return 0;
	linctx l = { ctx, v, townorg__param(ctx, "kinds"), json_is_true(townorg__param(ctx, "archives")), false, 0, 0 };
	if (l.archives) {
		int rec = archives_recorded(v);
		if (rec < 0)
			return rec;
		l.no_archives_data = rec == 0;
	}
	int rc = townorg__rule_changes(v, removed_cb, &l);
	if (rc < 0 || l.rc < 0)
		return rc < 0 ? rc : l.rc;
	if (l.unjudged) {
		townorg__report_in in = { .severity = TOWNORG_SEVERITY_WARNING, .path = "archives",
					  .has_value = true, .value = (int64_t)l.unjudged };
		townorg__msgargs args = { .value = (int64_t)l.unjudged };
		return townorg__report(ctx, &in, TOWNORG__M_LINEAGE_NO_ARCHIVES_DATA, &args);
	}
	return 0;
}

static const townorg__param_spec params[] = {
	{ "kinds", TOWNORG__P_KIND_LIST,
	  "[\"town\",\"township\",\"subdistrict\",\"township_like\",\"office\",\"center\",\"station\",\"team\","
	  "\"listed\",\"dispatched\"]",
	  NULL, "kinds whose removal needs a successor or disposition" },
	{ "archives", TOWNORG__P_BOOL, "true", NULL,
	  "a dissolved township-level unit needs a transfer_archives event naming a custodian" },
	{ NULL, 0, NULL, NULL, NULL },
};

const townorg__rule townorg__rule_lineage = {
	"lineage.disposition", TOWNORG_SEVERITY_ERROR,
	"a removed township or organ has a successor or stated disposition; a dissolved unit's archives a custodian",
	params, check,
};
