/*
 * lineage.c — rule lineage.disposition: every township-level unit or organ
 * that a version removes has a successor (an event of the version naming
 * it among its predecessors and naming a successor) or a stated
 * disposition (an event naming it with the source's wording, e.g. an
 * abolition "其服务职能向龙头企业、专业合作组织转移"); and the archives of a
 * dissolved township-level unit have a custodian: a transfer_archives event
 * from it to someone (篇2: a dissolved township's archives go to the county
 * archive, a dissolved village's to its township).
 */
#include "validate/rules.h"

typedef struct {
	townorg_rule_ctx *ctx;
	const townorg_version *v;
	json_t *kinds;
	bool archives;
	int rc;
} linctx;

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
	if (l->archives && !custodian && townorg_kind_is_township_level(townorg_entity_kind(a))) {
		in.path = "archives";
		if ((l->rc = townorg__report(l->ctx, &in, TOWNORG__M_LINEAGE_ARCHIVES, &args)) < 0)
			return l->rc;
	}
	return 0;
}

static int check(townorg_rule_ctx *ctx, const townorg_version *v)
{
	linctx l = { ctx, v, townorg__param(ctx, "kinds"), json_is_true(townorg__param(ctx, "archives")), 0 };
	int rc = townorg__rule_changes(v, removed_cb, &l);
	return rc < 0 ? rc : l.rc;
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
