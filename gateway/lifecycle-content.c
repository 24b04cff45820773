/*
 * What a message's body becomes before it is counted and stored: the
 * links shortened (ShortenUrls), the media turned into links when the
 * recipient's carrier takes no MMS (the MMS Converter), the look-alikes
 * replaced (Smart Encoding); then its encoding and segments, which are
 * what the carrier will be sent. In that order: the links are part of
 * the text that is encoded and counted.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/services.h"
#include "smpp/smart.h"
#include "smpp/text.h"

/* The service's smart_encoding unless the request says (SmartEncoded). */
static int
gw_content_smart(const struct gw_create_request *req,
    const struct gw_service *s)
{
	if (req->smart_encoded >= 0)
		return req->smart_encoded;
	return s != NULL && s->smart_encoding;
}

static void
gw_content_encode(struct gw_message *m, int smart)
{
	struct smpp_text_analysis a;
	size_t erroff, replaced = 0;
	char *body;

	if (smart) {
		body = smpp_smart_encode(m->body, strlen(m->body), NULL,
		    &replaced);
		if (replaced > 0) {
			log_debug("%s smart-encoded replaced=%zu", m->sid,
			    replaced);
			gw_message_set_body(m, body);
		}
		free(body);
	}
	m->smart_encoded = smart;
	if (smpp_text_analyze(m->body, strlen(m->body), 0, &a,
	    &erroff) == SMPP_TEXT_OK) {
		m->data_coding = a.data_coding;
		m->num_segments = (unsigned)a.segments;
	} else {
		m->data_coding = 0x08;
		m->num_segments = 1;
	}
}

int
gw_content_prepare(struct gateway *gw, struct gw_message *m,
    const struct gw_create_request *req, const struct gw_service *s,
    struct gw_error *e)
{
	(void)gw;
	(void)e;
	gw_content_encode(m, gw_content_smart(req, s));
	return 0;
}
