/*
 * The event bases of carrierlab's own loops: epoll with libevent's
 * changelist. evhttp and the bufferevents turn reading and writing off
 * and on around every request and response; with the changelist the
 * changes one loop iteration makes to a descriptor reach the kernel as
 * one epoll_ctl when the iteration ends, or none when they cancel out.
 * Its one caveat, descriptors shared through dup(), does not arise here:
 * every socket is opened once, by libevent or by us.
 *
 * The base has VLOOP_PRIORITIES priorities (0 urgent, 1 every event's
 * default), and after EVBASE_MAX_CALLBACKS callbacks of the default one
 * the loop polls again before it goes on. Under load one turn of the
 * loop runs a callback per ready connection (at 64 or 128 connections a
 * turn of several milliseconds), and what became ready meanwhile waits
 * for the next turn; an urgent event (the store's worker handing back a
 * committed batch, gateway/store.c) is then run at the next poll, after
 * at most that many callbacks, ahead of the rest.
 */
#ifndef CARRIERLAB_COMMON_EVBASE_H
#define CARRIERLAB_COMMON_EVBASE_H

struct event_base;

#define EVBASE_MAX_CALLBACKS	16

/* A new event base as above; exits with a message when none can be made. */
struct event_base	*evbase_new(void);

#endif
