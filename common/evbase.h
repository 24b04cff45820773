/*
 * The event bases of carrierlab's own loops: epoll with libevent's
 * changelist. evhttp and the bufferevents turn reading and writing off
 * and on around every request and response; with the changelist the
 * changes one loop iteration makes to a descriptor reach the kernel as
 * one epoll_ctl when the iteration ends, or none when they cancel out.
 * Its one caveat, descriptors shared through dup(), does not arise here:
 * every socket is opened once, by libevent or by us.
 */
#ifndef CARRIERLAB_COMMON_EVBASE_H
#define CARRIERLAB_COMMON_EVBASE_H

struct event_base;

/* A new event base as above; exits with a message when none can be made. */
struct event_base	*evbase_new(void);

#endif
