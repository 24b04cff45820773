/*
 * Twilio's error codes from errors.def: the title, the HTTP status an API
 * answer carries, and the struct gw_error the gateway's calls fill.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gateway/api.h"
#include "gateway/gateway-internal.h"

static const struct gw_error_row {
	int		 code;
	int		 http_status;
	const char	*title;
} gw_errors[] = {
#define X(code, http_status, title) { code, http_status, title },
#include "gateway/errors.def"
#undef X
};

#define GW_NERRORS	(sizeof gw_errors / sizeof gw_errors[0])

static const struct gw_error_row *
gw_error_row(int code)
{
	size_t i;

	for (i = 0; i < GW_NERRORS; i++)
		if (gw_errors[i].code == code)
			return &gw_errors[i];
	return NULL;
}

const char *
gw_error_description(int code)
{
	const struct gw_error_row *row = gw_error_row(code);

	return row != NULL ? row->title : NULL;
}

/* A code missing from the table is the gateway's own mistake: 500. */
int
gw_error_http_status(int code)
{
	const struct gw_error_row *row = gw_error_row(code);

	return row != NULL ? row->http_status : 500;
}

void
gw_error_set(struct gw_error *e, int code, const char *fmt, ...)
{
	const char *title = gw_error_description(code);
	va_list ap;

	e->code = code;
	e->http_status = gw_error_http_status(code);
	if (fmt == NULL) {
		snprintf(e->message, sizeof e->message, "%s",
		    title != NULL ? title : "Internal Server Error");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

/* For tests: the table's rows in file order, NULL past the end. */
const char *
gw_error_table_row(size_t i, int *code, int *http_status)
{
	if (i >= GW_NERRORS)
		return NULL;
	*code = gw_errors[i].code;
	*http_status = gw_errors[i].http_status;
	return gw_errors[i].title;
}
