/*
 * The JSON view of a PDU, as `carrierlab pdu decode` prints it and
 * `carrierlab pdu encode` reads it; carriers use the same view for captured
 * PDUs. Generated from commands.def like the codec, so a field added there
 * appears here too.
 *
 * Shape: {"command": "submit_sm", "command_id": "0x00000004",
 * "command_length": 61, "command_status": "ESME_ROK",
 * "sequence_number": 1, <each mandatory field by its spec name>,
 * "tlvs": [{"tag": "0x0424", "name": "message_payload", "value": ...}]}.
 * Integers are numbers; C-Octet Strings are strings, or {"hex": "..."} when
 * they are not UTF-8; short_message and octet TLVs are hex strings, with the
 * decoded text beside them ("text", and "udh" when esm_class says so).
 */
#ifndef CARRIERLAB_SMPP_JSON_H
#define CARRIERLAB_SMPP_JSON_H

#include <jansson.h>

#include "smpp/pdu.h"

/* New reference to the JSON object for pdu. */
json_t	*smpp_json_from_pdu(const struct smpp_pdu *);
/* New reference to {"error": reason, "field": ..., "status": ...}. */
json_t	*smpp_json_from_error(const struct smpp_error *);
/*
 * Builds pdu (initialised by this call; release it after) from obj.
 * Missing fields take their NULL value (empty string, zero). On failure
 * returns -1 and writes "path: reason" into errbuf, e.g.
 * "tlvs[1].value: must be an integer 0..255".
 */
int	 smpp_json_to_pdu(json_t *, struct smpp_pdu *, char *errbuf,
	    size_t errlen);

#endif
