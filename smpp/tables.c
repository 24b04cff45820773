/*
 * Lookups over the protocol tables. Every switch here is generated from a
 * .def file, so a row added there is known everywhere.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smpp/smpp.h"

#define TLV			SMPP_CF_TLV
#define NORESP			SMPP_CF_NORESP

static const struct smpp_command_info smpp_commands[] = {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	{ #name, id, SMPP_ISSUER_##from, states, flags },
#include "smpp/commands.def"
#undef SMPP_COMMAND
};

#undef TLV
#undef NORESP

enum smpp_command_index {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	SMPP_CMDIDX_##name,
#include "smpp/commands.def"
#undef SMPP_COMMAND
	SMPP_CMDIDX_COUNT
};

const struct smpp_command_info *
smpp_command_lookup(uint32_t id)
{
	switch (id) {
#define SMPP_COMMAND(name, id, from, states, flags, fields) \
	case id: return &smpp_commands[SMPP_CMDIDX_##name];
#include "smpp/commands.def"
#undef SMPP_COMMAND
	default:
		return NULL;
	}
}

const struct smpp_command_info *
smpp_command_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < SMPP_CMDIDX_COUNT; i++)
		if (strcmp(smpp_commands[i].name, name) == 0)
			return &smpp_commands[i];
	return NULL;
}

const char *
smpp_command_name(uint32_t id)
{
	const struct smpp_command_info *ci = smpp_command_lookup(id);

	return ci != NULL ? ci->name : "unknown";
}

const char *
smpp_status_name(uint32_t status)
{
	switch (status) {
#define SMPP_STATUS(name, value, desc) case value: return #name;
#include "smpp/status.def"
#undef SMPP_STATUS
	default:
		return NULL;
	}
}

const char *
smpp_status_description(uint32_t status)
{
	switch (status) {
#define SMPP_STATUS(name, value, desc) case value: return desc;
#include "smpp/status.def"
#undef SMPP_STATUS
	default:
		if (status >= 0x400 && status <= 0x4FF)
			return "SMSC vendor-specific error";
		return "Reserved";
	}
}

/* SMPP 5.0 renamed the TLV errors; accept both spellings. */
static const struct {
	const char	*name;
	uint32_t	 value;
} smpp_status_aliases[] = {
	{ "ESME_RINVTLVSTREAM", SMPP_ESME_RINVOPTPARSTREAM },
	{ "ESME_RTLVNOTALLWD", SMPP_ESME_ROPTPARNOTALLWD },
	{ "ESME_RINVTLVLEN", SMPP_ESME_RINVPARLEN },
	{ "ESME_RMISSINGTLV", SMPP_ESME_RMISSINGOPTPARAM },
	{ "ESME_RINVTLVVAL", SMPP_ESME_RINVOPTPARAMVAL },
};

int
smpp_status_parse(const char *s, uint32_t *status)
{
	unsigned long	 v;
	char		*end;
	size_t		 i;

#define SMPP_STATUS(name, value, desc) \
	if (strcasecmp(s, #name) == 0) { *status = value; return 0; }
#include "smpp/status.def"
#undef SMPP_STATUS
	for (i = 0; i < sizeof smpp_status_aliases /
	    sizeof smpp_status_aliases[0]; i++) {
		if (strcasecmp(s, smpp_status_aliases[i].name) == 0) {
			*status = smpp_status_aliases[i].value;
			return 0;
		}
	}
	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	v = strtoul(s, &end, 0);
	if (*end != '\0' || v > 0xFFFFFFFFUL)
		return -1;
	*status = (uint32_t)v;
	return 0;
}

static const struct smpp_tlv_info smpp_tlvs[] = {
#define SMPP_TLV(name, tag, type, min, max) \
	{ #name, tag, SMPP_TLV_TYPE_##type, min, max },
#include "smpp/tlv.def"
#undef SMPP_TLV
};

enum smpp_tlv_index {
#define SMPP_TLV(name, tag, type, min, max) SMPP_TLVIDX_##name,
#include "smpp/tlv.def"
#undef SMPP_TLV
	SMPP_TLVIDX_COUNT
};

const struct smpp_tlv_info *
smpp_tlv_lookup(uint16_t tag)
{
	switch (tag) {
#define SMPP_TLV(name, tag, type, min, max) \
	case tag: return &smpp_tlvs[SMPP_TLVIDX_##name];
#include "smpp/tlv.def"
#undef SMPP_TLV
	default:
		return NULL;
	}
}

const struct smpp_tlv_info *
smpp_tlv_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < SMPP_TLVIDX_COUNT; i++)
		if (strcmp(smpp_tlvs[i].name, name) == 0)
			return &smpp_tlvs[i];
	/* 5.0 spelling */
	if (strcmp(name, "dest_port") == 0)
		return smpp_tlv_lookup(SMPP_TLV_destination_port);
	return NULL;
}

const char *
smpp_message_state_name(unsigned state)
{
	static const char *const names[] = {
		"SCHEDULED", "ENROUTE", "DELIVERED", "EXPIRED", "DELETED",
		"UNDELIVERABLE", "ACCEPTED", "UNKNOWN", "REJECTED", "SKIPPED",
	};

	return state < sizeof names / sizeof names[0] ? names[state] : NULL;
}
