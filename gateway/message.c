/*
 * The message as the lifecycle keeps it, and the status and direction
 * names of Twilio's API.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"

static const struct {
	const char	*name;
	int		 terminal;
} gw_statuses[] = {
#define GW_STATUS_ROW(name, text, terminal) { text, terminal },
	GW_STATUSES(GW_STATUS_ROW)
#undef GW_STATUS_ROW
};

static const char *const gw_directions[] = {
#define GW_DIRECTION_ROW(name, text) text,
	GW_DIRECTIONS(GW_DIRECTION_ROW)
#undef GW_DIRECTION_ROW
};

#define GW_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
gw_status_name(enum gw_status s)
{
	if ((unsigned)s >= GW_NELEM(gw_statuses))
		return "unknown";
	return gw_statuses[s].name;
}

int
gw_status_parse(const char *name)
{
	size_t i;

	for (i = 0; i < GW_NELEM(gw_statuses); i++)
		if (strcmp(gw_statuses[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
gw_status_terminal(enum gw_status s)
{
	return (unsigned)s < GW_NELEM(gw_statuses) && gw_statuses[s].terminal;
}

const char *
gw_direction_name(enum gw_direction d)
{
	if ((unsigned)d >= GW_NELEM(gw_directions))
		return "unknown";
	return gw_directions[d];
}

int
gw_direction_parse(const char *name)
{
	size_t i;

	for (i = 0; i < GW_NELEM(gw_directions); i++)
		if (strcmp(gw_directions[i], name) == 0)
			return (int)i;
	return -1;
}

struct gw_message *
gw_message_new(void)
{
	struct gw_message *m = xcalloc(1, sizeof *m);

	m->body = xstrdup("");
	return m;
}

void
gw_message_free(struct gw_message *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->body);
	for (i = 0; i < m->num_media; i++)
		free(m->media[i]);
	free(m->media);
	free(m->status_callback);
	free(m->parts);
	free(m->selection);
	free(m);
}

void
gw_message_set_body(struct gw_message *m, const char *body)
{
	free(m->body);
	m->body = xstrdup(body != NULL ? body : "");
}

int
gw_message_cmp(const struct gw_message *a, const struct gw_message *b)
{
	return strcmp(a->sid, b->sid);
}

RB_GENERATE(gw_message_tree, gw_message, by_sid, gw_message_cmp);
