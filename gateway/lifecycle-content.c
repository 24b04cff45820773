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
#include "common/xmalloc.h"
#include "gateway/gateway-internal.h"
#include "gateway/lifecycle-internal.h"
#include "gateway/links.h"
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

/*
 * The MMS Converter's setting for m: the service's, else that of the
 * From number's service; a number in no service converts (Twilio's
 * account-wide default is on).
 */
static int
gw_content_converter(struct gateway *gw, const struct gw_message *m,
    const struct gw_service *s)
{
	const struct gateway_number *n;

	if (s != NULL)
		return s->mms_converter;
	if (m->from[0] != '\0' && (n = gw_number_find(gw, m->account_sid,
	    m->from)) != NULL && (s = gw_service_of_number(gw, n)) != NULL)
		return s->mms_converter;
	return 1;
}

/*
 * Media to a carrier that takes no MMS: with the converter, the message
 * goes as SMS with a link to each medium appended (billed as SMS, its
 * media kept); without it, 30011.
 */
static int
gw_content_mms(struct gateway *gw, struct gw_message *m,
    const struct gw_service *s, struct gw_error *e)
{
	char link[512], *body;
	size_t i, len;

	if (m->num_media == 0 || !gw_route_serves(gw, m->to) ||
	    gw_route_takes_mms(gw, m->to))
		return 0;
	if (!gw_content_converter(gw, m, s)) {
		gw_error_set(e, 30011, "MMS is not supported by the carrier "
		    "of %s and the MMS Converter is off", m->to);
		return -1;
	}
	for (i = 0; i < m->num_media; i++) {
		if (gw_links_media(gw->links, m, m->media[i], link,
		    sizeof link) == -1) {
			gw_error_set(e, 21620, "Media URL too long to convert: "
			    "%.100s", m->media[i]);
			return -1;
		}
		len = strlen(m->body) + 1 + strlen(link) + 1;
		body = xmalloc(len);
		snprintf(body, len, "%s%s%s", m->body, m->body[0] != '\0' ?
		    "\n" : "", link);
		gw_message_set_body(m, body);
		free(body);
	}
	m->mms_converted = 1;
	log_info("%s mms-converted to=%s media=%u", m->sid, m->to,
	    m->num_media);
	return 0;
}

int
gw_content_prepare(struct gateway *gw, struct gw_message *m,
    const struct gw_create_request *req, const struct gw_service *s,
    struct gw_error *e)
{
	if (req->shorten_urls && gw_links_shorten(gw->links, m, e) == -1)
		return -1;
	if (gw_content_mms(gw, m, s, e) == -1)
		return -1;
	gw_content_encode(m, gw_content_smart(req, s));
	/* An MMS goes as one submit_sm (message_payload), whatever its
	 * text's length: one segment, as Twilio bills it. */
	if (m->num_media > 0 && !m->mms_converted)
		m->num_segments = 1;
	return 0;
}
