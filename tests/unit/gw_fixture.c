#include "config.h"

#include <sys/socket.h>

#include <netinet/in.h>

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>

#include "tests/unit/gw_fixture.h"

void
gwfx_tmpdir(const char *name, char *dir, size_t dirlen, char *db,
    size_t dblen)
{
	const char *tmp = getenv("TMPDIR");

	ck_assert_int_lt(snprintf(dir, dirlen, "%s/%s.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", name), (int)dirlen);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_lt(snprintf(db, dblen, "%s/gateway.db", dir),
	    (int)dblen);
}

void
gwfx_db_remove(const char *db)
{
	static const char *const suffixes[] = { "", "-wal", "-shm",
	    "-journal" };
	char path[PATH_MAX + 32];
	size_t i;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
		unlink(path);
	}
}

void
gwfx_tmpdir_remove(const char *dir, const char *db)
{
	gwfx_db_remove(db);
	rmdir(dir);
}

int
gwfx_port(struct evhttp_bound_socket *bound)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	ck_assert_ptr_nonnull(bound);
	ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &len), 0);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void
gwfx_number(struct gateway_number *n, const char *sid, const char *account,
    const char *number, enum gateway_sender_kind kind, const char *country,
    unsigned caps)
{
	snprintf(n->sid, sizeof n->sid, "%s", sid);
	snprintf(n->account_sid, sizeof n->account_sid, "%s", account);
	snprintf(n->number, sizeof n->number, "%s", number);
	n->kind = kind;
	snprintf(n->country, sizeof n->country, "%s", country);
	n->capabilities = caps;
}
