/*
 * libFuzzer target for the PDU decoder, the framing check and the JSON
 * view. Invariants: decoding never reads outside the input; a PDU that
 * decodes re-encodes to exactly the input bytes; its JSON view converts back
 * to the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "smpp/json.h"
#include "smpp/pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct smpp_pdu pdu, back;
static uint8_t out[SMPP_DEFAULT_MAX_PDU + 64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smpp_error	 err;
	uint32_t		 plen;
	size_t			 len;
	uint8_t			*copy;
	json_t			*o;
	char			 msg[256];

	/* An exact-size heap copy lets ASan catch any read past the end. */
	copy = malloc(size > 0 ? size : 1);
	memcpy(copy, data, size);
	(void)smpp_frame(copy, size, 0, &plen, &err);
	if (smpp_pdu_decode(&pdu, copy, size, NULL, &err) != SMPP_OK) {
		if (err.field == NULL || err.reason[0] == '\0')
			abort();
		o = smpp_json_from_error(&err);
		json_decref(o);
		free(copy);
		return 0;
	}
	if (smpp_pdu_size(&pdu) != size)
		abort();
	if (smpp_pdu_encode(&pdu, out, sizeof out, &len, &err) != SMPP_OK ||
	    len != size || memcmp(out, copy, size) != 0)
		abort();
	o = smpp_json_from_pdu(&pdu);
	if (smpp_json_to_pdu(o, &back, msg, sizeof msg) != 0)
		abort();
	if (smpp_pdu_encode(&back, out, sizeof out, &len, &err) != SMPP_OK ||
	    len != size || memcmp(out, copy, size) != 0)
		abort();
	smpp_pdu_release(&back);
	json_decref(o);
	free(copy);
	return 0;
}
