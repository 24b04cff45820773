/* The event bases of carrierlab's own loops (common/evbase.h). */
#include "config.h"

#include <event2/event.h>

#include "common/evbase.h"
#include "common/log.h"
#include "common/vloop.h"

struct event_base *
evbase_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) ||
	    event_config_set_max_dispatch_interval(cfg, NULL,
	    EVBASE_MAX_CALLBACKS, 1) ||
	    (base = event_base_new_with_config(cfg)) == NULL ||
	    event_base_priority_init(base, VLOOP_PRIORITIES) == -1)
		fatalx("cannot make an event base");
	event_config_free(cfg);
	return base;
}
