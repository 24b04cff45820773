/*
 * carrierlab pdu decode|encode: the codec on the command line, for an SMPP
 * developer who pastes a hex dump from a log.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/hex.h"
#include "common/xmalloc.h"
#include "scenarios/cmd.h"
#include "smpp/json.h"
#include "smpp/pdu.h"

struct pdu_opts {
	uint32_t	max_pdu;
	size_t		json_flags;
};

static int
pdu_print_json(json_t *o, const struct pdu_opts *opts)
{
	char *s = json_dumps(o, opts->json_flags);

	if (s == NULL)
		return -1;
	puts(s);
	free(s);
	return 0;
}

/*
 * Decodes every PDU in one unit of input (the bytes may hold several PDUs
 * back to back, as in a capture). Returns the number that failed.
 */
static int
pdu_decode_unit(const char *where, const uint8_t *bytes, size_t len,
    const struct pdu_opts *opts, struct smpp_pdu *pdu)
{
	struct smpp_limits	 lim = { opts->max_pdu };
	struct smpp_error	 err;
	size_t			 off = 0;
	uint32_t		 plen;
	int			 failed = 0;
	json_t			*o;

	while (off < len) {
		enum smpp_result r = smpp_frame(bytes + off, len - off,
		    opts->max_pdu, &plen, &err);

		if (r == SMPP_NEED_MORE) {
			/* Let the decoder name what is missing. */
			plen = (uint32_t)(len - off);
		} else if (r == SMPP_ERROR) {
			o = smpp_json_from_error(&err);
			pdu_print_json(o, opts);
			json_decref(o);
			fprintf(stderr, "carrierlab pdu decode: %s: %s: %s "
			    "(answer %s)\n", where, err.field, err.reason,
			    smpp_status_name(err.status));
			return failed + 1;
		}
		if (smpp_pdu_decode(pdu, bytes + off, plen, &lim, &err) !=
		    SMPP_OK) {
			o = smpp_json_from_error(&err);
			failed++;
			fprintf(stderr, "carrierlab pdu decode: %s: %s: %s "
			    "(answer %s with %s)\n", where, err.field,
			    err.reason, err.reply == SMPP_REPLY_GENERIC_NACK ?
			    "generic_nack" : err.reply == SMPP_REPLY_RESPONSE ?
			    smpp_command_name(smpp_response_id(err.command_id))
			    : "nothing", smpp_status_name(err.status));
		} else
			o = smpp_json_from_pdu(pdu);
		pdu_print_json(o, opts);
		json_decref(o);
		off += plen;
	}
	return failed;
}

static int
pdu_decode_text(const char *where, const char *text, size_t len,
    const struct pdu_opts *opts, struct smpp_pdu *pdu)
{
	uint8_t	*bytes;
	size_t	 n, errpos;
	int	 rc;

	bytes = xmalloc(len / 2 + 1);
	if (hex_decode(text, len, bytes, len / 2 + 1, &n, &errpos) == -1) {
		fprintf(stderr, "carrierlab pdu decode: %s: not hex at "
		    "character %zu\n", where, errpos + 1);
		printf("{\"error\": \"not hex at character %zu\", "
		    "\"field\": \"input\"}\n", errpos + 1);
		free(bytes);
		return 1;
	}
	rc = n == 0 ? 0 : pdu_decode_unit(where, bytes, n, opts, pdu);
	free(bytes);
	return rc;
}

static int
pdu_decode(int argc, char **argv, const struct pdu_opts *opts)
{
	struct smpp_pdu	*pdu = xmalloc(sizeof *pdu);
	char		*line = NULL, where[32];
	size_t		 cap = 0, lineno = 0;
	ssize_t		 n;
	int		 failed = 0, i;

	smpp_pdu_init(pdu, 0, 0);
	if (argc > 0) {
		char	*joined;
		size_t	 total = 1, off = 0;

		for (i = 0; i < argc; i++)
			total += strlen(argv[i]) + 1;
		joined = xmalloc(total);
		for (i = 0; i < argc; i++) {
			size_t l = strlen(argv[i]);

			memcpy(joined + off, argv[i], l);
			off += l;
			joined[off++] = ' ';
		}
		failed = pdu_decode_text("argument", joined, off, opts, pdu);
		free(joined);
	} else {
		while ((n = getline(&line, &cap, stdin)) != -1) {
			lineno++;
			snprintf(where, sizeof where, "line %zu", lineno);
			failed += pdu_decode_text(where, line, (size_t)n, opts,
			    pdu);
		}
		free(line);
	}
	smpp_pdu_release(pdu);
	free(pdu);
	return failed > 0 ? 1 : 0;
}

static int
pdu_encode_one(json_t *o, const char *where, struct smpp_pdu *pdu)
{
	struct smpp_error	 err;
	char			 msg[256];
	uint8_t			*out;
	char			*hex;
	size_t			 size, len;
	int			 rc = 0;

	if (smpp_json_to_pdu(o, pdu, msg, sizeof msg) == -1) {
		fprintf(stderr, "carrierlab pdu encode: %s: %s\n", where, msg);
		smpp_pdu_release(pdu);
		return 1;
	}
	size = smpp_pdu_size(pdu);
	out = xmalloc(size);
	if (smpp_pdu_encode(pdu, out, size, &len, &err) != SMPP_OK) {
		fprintf(stderr, "carrierlab pdu encode: %s: %s: %s\n", where,
		    err.field, err.reason);
		rc = 1;
	} else {
		hex = xmalloc(len * 2 + 1);
		hex_encode(out, len, hex);
		puts(hex);
		free(hex);
	}
	free(out);
	smpp_pdu_release(pdu);
	return rc;
}

/* Reads JSON values one after another from text (lines or pretty). */
static int
pdu_encode_text(const char *src, const char *text, size_t len,
    struct smpp_pdu *pdu)
{
	json_error_t	 jerr;
	size_t		 off = 0, count = 0;
	char		 where[64];
	int		 failed = 0;

	for (;;) {
		json_t *o;

		while (off < len && strchr(" \t\r\n", text[off]) != NULL)
			off++;
		if (off >= len)
			break;
		o = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK,
		    &jerr);
		count++;
		if (o == NULL) {
			fprintf(stderr, "carrierlab pdu encode: %s: JSON %zu: "
			    "%s (line %d)\n", src, count, jerr.text, jerr.line);
			return failed + 1;
		}
		snprintf(where, sizeof where, "%s: JSON %zu", src, count);
		failed += pdu_encode_one(o, where, pdu);
		json_decref(o);
		off += jerr.position;
	}
	return failed;
}

static int
pdu_encode(int argc, char **argv)
{
	struct smpp_pdu	*pdu = xmalloc(sizeof *pdu);
	char		*text = NULL;
	size_t		 len = 0, cap = 0, n;
	int		 failed = 0, i;

	smpp_pdu_init(pdu, 0, 0);
	if (argc > 0) {
		for (i = 0; i < argc; i++)
			failed += pdu_encode_text("argument", argv[i],
			    strlen(argv[i]), pdu);
	} else {
		for (;;) {
			if (cap - len < 65536) {
				cap = cap == 0 ? 65536 : cap * 2;
				text = xreallocarray(text, cap, 1);
			}
			if ((n = fread(text + len, 1, cap - len, stdin)) == 0)
				break;
			len += n;
		}
		failed = pdu_encode_text("stdin", text != NULL ? text : "",
		    len, pdu);
		free(text);
	}
	smpp_pdu_release(pdu);
	free(pdu);
	return failed > 0 ? 1 : 0;
}

static int
cmd_pdu_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-pdu", required_argument, NULL, 'm' },
		{ "pretty", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct pdu_opts	 opts = { SMPP_DEFAULT_MAX_PDU, 0 };
	const char	*verb;
	char		*end;
	unsigned long	 v;
	int		 ch;

	if (argc < 2) {
		fprintf(stderr, "usage: carrierlab pdu decode|encode "
		    "[--max-pdu N] [--pretty] [INPUT...]\n");
		return 2;
	}
	verb = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:p", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			v = strtoul(optarg, &end, 10);
			if (*end != '\0' || v < 16 || v > 16 * 1024 * 1024) {
				fprintf(stderr, "carrierlab pdu: --max-pdu: "
				    "must be 16..16777216\n");
				return 2;
			}
			opts.max_pdu = (uint32_t)v;
			break;
		case 'p':
			opts.json_flags = JSON_INDENT(2);
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(verb, "decode") == 0)
		return pdu_decode(argc, argv, &opts);
	if (strcmp(verb, "encode") == 0)
		return pdu_encode(argc, argv);
	fprintf(stderr, "carrierlab pdu: unknown verb \"%s\" (decode or "
	    "encode)\n", verb);
	return 2;
}

const struct cmd_entry cmd_pdu_entry = {
	.name = "pdu",
	.usage = "decode|encode [--max-pdu N] [--pretty] [INPUT...]",
	.summary = "decode SMPP hex to JSON, or encode JSON to hex",
	.help =
	    "carrierlab pdu decode [HEX...]\n"
	    "  Decodes SMPP PDUs given as hex on the command line (all "
	    "arguments form one\n  byte stream) or one line of hex per input "
	    "line on stdin. Spaces, colons and\n  0x prefixes are ignored; "
	    "several PDUs back to back in one line are split.\n  Prints one "
	    "JSON object per PDU: command, status, sequence, every field and "
	    "TLV\n  by name, short_message decoded to text. A malformed PDU "
	    "prints an object\n  with \"error\", the \"field\" at fault and "
	    "the SMPP \"status\" a peer must answer\n  with; the exit status "
	    "is then 1.\n\n"
	    "carrierlab pdu encode [JSON...]\n"
	    "  Reads the same JSON (arguments, or stdin: one object per line "
	    "or pretty-\n  printed) and prints each PDU as hex. Missing fields "
	    "take their NULL value;\n  \"text\" may stand in for "
	    "\"short_message\". decode then encode gives back the\n  original "
	    "bytes.\n\n"
	    "Options:\n"
	    "  --max-pdu N   largest command_length accepted (default 65536)\n"
	    "  --pretty      indent the JSON output\n",
	.exec = cmd_pdu_exec,
};
