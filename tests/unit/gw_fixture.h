/*
 * What the gateway's unit tests set up alike: a temporary directory with
 * the path of a database in it, the port of a loopback listener, a number
 * of an account.
 */
#ifndef CARRIERLAB_TESTS_UNIT_GW_FIXTURE_H
#define CARRIERLAB_TESTS_UNIT_GW_FIXTURE_H

#include <stddef.h>

#include "gateway/gateway.h"

struct evhttp_bound_socket;

/* Makes $TMPDIR/NAME.XXXXXX (/tmp without TMPDIR) into dir and writes
 * dir/gateway.db into db; fails the test when it cannot. */
void	gwfx_tmpdir(const char *name, char *dir, size_t dirlen, char *db,
	    size_t dblen);
/* Removes db with its -wal, -shm and -journal files; and then dir. */
void	gwfx_db_remove(const char *db);
void	gwfx_tmpdir_remove(const char *dir, const char *db);
/* The port of a listener bound to 127.0.0.1:0 (fails the test on NULL). */
int	gwfx_port(struct evhttp_bound_socket *);
/* A number of account: sid, E.164 or short code, kind, ISO country and
 * GATEWAY_CAP_* capabilities; the other fields as they were. */
void	gwfx_number(struct gateway_number *, const char *sid,
	    const char *account, const char *number,
	    enum gateway_sender_kind, const char *country, unsigned caps);

#endif
