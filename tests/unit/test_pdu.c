/*
 * The codec against its test vectors: every file in tests/vectors/pdu/
 * decodes to the fields its .json names, re-encodes to the same bytes, and
 * round-trips through the JSON view; every line of
 * tests/vectors/malformed.txt fails with its exact field, status and reply.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "common/hex.h"
#include "smpp/json.h"
#include "smpp/pdu.h"

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d != NULL ? d : ".";
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf;
	long	 n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Hex file: '#' lines are comments, the rest is hex. */
static uint8_t *
read_hex(const char *path, size_t *len)
{
	size_t	 n, i, o = 0, out;
	char	*text = read_file(path, &n);
	char	*clean = malloc(n + 1);
	uint8_t	*bytes = malloc(n / 2 + 1);

	for (i = 0; i < n; i++) {
		if (text[i] == '#') {
			while (i < n && text[i] != '\n')
				i++;
			continue;
		}
		clean[o++] = text[i];
	}
	ck_assert_int_eq(hex_decode(clean, o, bytes, n / 2 + 1, &out, NULL), 0);
	free(text);
	free(clean);
	*len = out;
	return bytes;
}

/* Every key of want must be in got with an equal value; objects recurse. */
static void
assert_subset(json_t *want, json_t *got, const char *path)
{
	const char	*key;
	json_t		*v;
	char		 sub[256];
	size_t		 i;

	if (json_is_object(want)) {
		ck_assert_msg(json_is_object(got), "%s: not an object", path);
		json_object_foreach(want, key, v) {
			snprintf(sub, sizeof sub, "%s.%s", path, key);
			ck_assert_msg(json_object_get(got, key) != NULL,
			    "%s: missing", sub);
			assert_subset(v, json_object_get(got, key), sub);
		}
		return;
	}
	if (json_is_array(want)) {
		ck_assert_msg(json_is_array(got) &&
		    json_array_size(got) == json_array_size(want),
		    "%s: array size %zu, want %zu", path,
		    json_is_array(got) ? json_array_size(got) : 0,
		    json_array_size(want));
		for (i = 0; i < json_array_size(want); i++) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			assert_subset(json_array_get(want, i),
			    json_array_get(got, i), sub);
		}
		return;
	}
	if (!json_equal(want, got)) {
		char *a = json_dumps(want, JSON_ENCODE_ANY);
		char *b = json_dumps(got, JSON_ENCODE_ANY);

		ck_abort_msg("%s: got %s, want %s", path, b, a);
	}
}

static char **vector_names;
static size_t vector_count;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_vector_names(void)
{
	char		 path[1024];
	DIR		*d;
	struct dirent	*de;

	snprintf(path, sizeof path, "%s/tests/vectors/pdu", srcdir());
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".hex") == 0) {
			vector_names = realloc(vector_names,
			    (vector_count + 1) * sizeof *vector_names);
			vector_names[vector_count++] = strndup(de->d_name,
			    l - 4);
		}
	}
	closedir(d);
	qsort(vector_names, vector_count, sizeof *vector_names, cmp_str);
}

START_TEST(test_vector)
{
	const char		*name = vector_names[_i];
	char			 path[1024], msg[256];
	struct smpp_pdu		*pdu = malloc(sizeof *pdu);
	struct smpp_pdu		*back = malloc(sizeof *back);
	struct smpp_error	 err;
	uint8_t			*bytes, *out;
	size_t			 len, olen;
	json_t			*want, *got;
	json_error_t		 jerr;
	char			*text;

	snprintf(path, sizeof path, "%s/tests/vectors/pdu/%s.hex", srcdir(),
	    name);
	bytes = read_hex(path, &len);
	smpp_pdu_init(pdu, 0, 0);
	ck_assert_msg(smpp_pdu_decode(pdu, bytes, len, NULL, &err) == SMPP_OK,
	    "%s: decode failed: %s: %s", name, err.field, err.reason);

	/* Exact round trip, and the size function agrees. */
	ck_assert_uint_eq(smpp_pdu_size(pdu), len);
	out = malloc(len);
	ck_assert(smpp_pdu_encode(pdu, out, len, &olen, &err) == SMPP_OK);
	ck_assert_uint_eq(olen, len);
	ck_assert_msg(memcmp(out, bytes, len) == 0, "%s: re-encoded bytes "
	    "differ", name);
	/* One octet less room must fail, not truncate. */
	ck_assert(smpp_pdu_encode(pdu, out, len - 1, &olen, &err) ==
	    SMPP_ERROR);

	/* Fields as the independent encoder wrote them. */
	snprintf(path, sizeof path, "%s/tests/vectors/pdu/%s.json", srcdir(),
	    name);
	want = json_load_file(path, 0, &jerr);
	ck_assert_msg(want != NULL, "%s: %s", path, jerr.text);
	got = smpp_json_from_pdu(pdu);
	assert_subset(want, got, name);

	/* JSON view back to the same bytes (the `pdu encode` path). */
	text = json_dumps(got, 0);
	json_decref(got);
	got = json_loads(text, 0, &jerr);
	ck_assert_msg(smpp_json_to_pdu(got, back, msg, sizeof msg) == 0,
	    "%s: %s", name, msg);
	ck_assert(smpp_pdu_encode(back, out, len, &olen, &err) == SMPP_OK);
	ck_assert_uint_eq(olen, len);
	ck_assert_msg(memcmp(out, bytes, len) == 0, "%s: JSON round trip "
	    "differs", name);

	free(text);
	json_decref(got);
	json_decref(want);
	smpp_pdu_release(back);
	smpp_pdu_release(pdu);
	free(back);
	free(pdu);
	free(out);
	free(bytes);
}
END_TEST

struct malformed {
	char	*name, *hex, *field, *status, *reply;
};

static struct malformed *cases;
static size_t case_count;

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

static void
load_malformed(void)
{
	char	 path[1024], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;

	snprintf(path, sizeof path, "%s/tests/vectors/malformed.txt", srcdir());
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	while (getline(&line, &cap, f) != -1) {
		char *parts[6], *p = line;
		int i;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		for (i = 0; i < 6; i++)
			parts[i] = trim(strsep(&p, "|"));
		cases = realloc(cases, (case_count + 1) * sizeof *cases);
		cases[case_count].name = strdup(parts[0]);
		cases[case_count].hex = strdup(parts[1]);
		cases[case_count].field = strdup(parts[2]);
		cases[case_count].status = strdup(parts[3]);
		cases[case_count].reply = strdup(parts[4]);
		case_count++;
	}
	free(line);
	fclose(f);
}

START_TEST(test_malformed)
{
	const struct malformed	*m = &cases[_i];
	struct smpp_pdu		*pdu = malloc(sizeof *pdu);
	struct smpp_error	 err;
	uint8_t			 bytes[8192];
	size_t			 len;
	json_t			*o;
	uint32_t		 want;

	ck_assert_int_eq(hex_decode(m->hex, strlen(m->hex), bytes,
	    sizeof bytes, &len, NULL), 0);
	smpp_pdu_init(pdu, 0, 0);
	ck_assert_msg(smpp_pdu_decode(pdu, bytes, len, NULL, &err) ==
	    SMPP_ERROR, "%s: decoded although malformed", m->name);
	ck_assert_msg(strcmp(err.field, m->field) == 0, "%s: field %s, want "
	    "%s (%s)", m->name, err.field, m->field, err.reason);
	ck_assert_int_eq(smpp_status_parse(m->status, &want), 0);
	ck_assert_msg(err.status == want, "%s: status %s, want %s (%s)",
	    m->name, smpp_status_name(err.status), m->status, err.reason);
	o = smpp_json_from_error(&err);
	ck_assert_msg(strcmp(json_string_value(json_object_get(o, "reply")),
	    m->reply) == 0, "%s: reply %s, want %s", m->name,
	    json_string_value(json_object_get(o, "reply")), m->reply);
	ck_assert(strlen(err.reason) > 0);
	json_decref(o);
	smpp_pdu_release(pdu);
	free(pdu);
}
END_TEST

START_TEST(test_spec_bind_transmitter)
{
	static const uint8_t spec[] = {
		0x00, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x53, 0x4D, 0x50, 0x50, 0x33, 0x54, 0x45, 0x53, 0x54, 0x00,
		0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x30, 0x38, 0x00,
		0x53, 0x55, 0x42, 0x4D, 0x49, 0x54, 0x31, 0x00,
		0x00, 0x01, 0x01, 0x00,
	};
	struct smpp_pdu	*pdu = malloc(sizeof *pdu);
	struct smpp_pdu	*built = malloc(sizeof *built);
	uint8_t		 out[64];
	size_t		 len;

	ck_assert_uint_eq(sizeof spec, 47);
	smpp_pdu_init(pdu, 0, 0);
	ck_assert(smpp_pdu_decode(pdu, spec, sizeof spec, NULL, NULL) ==
	    SMPP_OK);
	ck_assert_uint_eq(pdu->command_id, SMPP_CMD_bind_transmitter);
	ck_assert_uint_eq(pdu->sequence_number, 1);
	ck_assert_str_eq(pdu->u.bind_transmitter.system_id, "SMPP3TEST");
	ck_assert_str_eq(pdu->u.bind_transmitter.password, "secret08");
	ck_assert_str_eq(pdu->u.bind_transmitter.system_type, "SUBMIT1");
	ck_assert_uint_eq(pdu->u.bind_transmitter.interface_version, 0);
	ck_assert_uint_eq(pdu->u.bind_transmitter.addr_ton, 1);
	ck_assert_uint_eq(pdu->u.bind_transmitter.addr_npi, 1);
	ck_assert_str_eq(pdu->u.bind_transmitter.address_range, "");

	/* Built by hand through the API, it encodes to the same bytes. */
	smpp_pdu_init(built, SMPP_CMD_bind_transmitter, 1);
	strcpy(built->u.bind_transmitter.system_id, "SMPP3TEST");
	strcpy(built->u.bind_transmitter.password, "secret08");
	strcpy(built->u.bind_transmitter.system_type, "SUBMIT1");
	built->u.bind_transmitter.addr_ton = 1;
	built->u.bind_transmitter.addr_npi = 1;
	ck_assert(smpp_pdu_encode(built, out, sizeof out, &len, NULL) ==
	    SMPP_OK);
	ck_assert_uint_eq(len, 47);
	ck_assert(memcmp(out, spec, 47) == 0);
	free(pdu);
	free(built);
}
END_TEST

START_TEST(test_frame)
{
	uint8_t			 buf[32] = { 0, 0, 0, 16, 0, 0, 0, 0x15 };
	struct smpp_error	 err;
	uint32_t		 len;

	ck_assert(smpp_frame(buf, 3, 0, &len, &err) == SMPP_NEED_MORE);
	ck_assert(smpp_frame(buf, 15, 0, &len, &err) == SMPP_NEED_MORE);
	ck_assert(smpp_frame(buf, 16, 0, &len, &err) == SMPP_OK);
	ck_assert_uint_eq(len, 16);
	ck_assert(smpp_frame(buf, 32, 0, &len, &err) == SMPP_OK);
	ck_assert_uint_eq(len, 16);
	/* The length is judged from the first 4 octets alone. */
	buf[3] = 15;
	ck_assert(smpp_frame(buf, 4, 0, &len, &err) == SMPP_ERROR);
	ck_assert_uint_eq(err.status, SMPP_ESME_RINVCMDLEN);
	ck_assert_int_eq(err.reply, SMPP_REPLY_GENERIC_NACK);
	buf[2] = 0x10;
	buf[3] = 0x01;	/* 4097 */
	ck_assert(smpp_frame(buf, 4, 4096, &len, &err) == SMPP_ERROR);
	ck_assert(smpp_frame(buf, 4, 4097, &len, &err) == SMPP_NEED_MORE);
}
END_TEST

START_TEST(test_max_pdu_limit)
{
	uint8_t			 buf[40] = { 0, 0, 0, 40, 0, 0, 0, 0x04 };
	struct smpp_limits	 lim = { 32 };
	struct smpp_error	 err;
	struct smpp_pdu		*pdu = malloc(sizeof *pdu);

	smpp_pdu_init(pdu, 0, 0);
	ck_assert(smpp_pdu_decode(pdu, buf, 40, &lim, &err) == SMPP_ERROR);
	ck_assert_uint_eq(err.status, SMPP_ESME_RINVCMDLEN);
	ck_assert_str_eq(err.field, "command_length");
	free(pdu);
}
END_TEST

START_TEST(test_tlv_api_and_heap_spill)
{
	struct smpp_pdu		*pdu = malloc(sizeof *pdu);
	struct smpp_pdu		*copy = malloc(sizeof *copy);
	const struct smpp_tlv	*t;
	static uint8_t		 big[3000], out[4000];
	struct smpp_error	 err;
	size_t			 len;

	memset(big, 'x', sizeof big);
	smpp_pdu_init(pdu, SMPP_CMD_submit_sm, 5);
	strcpy(pdu->u.submit_sm.destination_addr, "447700900123");
	ck_assert_int_eq(smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_msg_ref_num,
	    0x1234), 0);
	ck_assert_int_eq(smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_total_segments,
	    2), 0);
	ck_assert_int_eq(smpp_pdu_add_tlv_int(pdu, SMPP_TLV_sar_segment_seqnum,
	    1), 0);
	ck_assert_int_eq(smpp_pdu_add_tlv(pdu, SMPP_TLV_message_payload, big,
	    sizeof big), 0);
	ck_assert_ptr_nonnull(pdu->store_heap);
	/* Adding an integer TLV for a tag that is not one fails. */
	ck_assert_int_eq(smpp_pdu_add_tlv_int(pdu, SMPP_TLV_message_payload,
	    1), -1);
	ck_assert(smpp_pdu_encode(pdu, out, sizeof out, &len, &err) ==
	    SMPP_OK);
	ck_assert_uint_eq(len, smpp_pdu_size(pdu));
	smpp_pdu_init(copy, 0, 0);
	ck_assert(smpp_pdu_decode(copy, out, len, NULL, &err) == SMPP_OK);
	t = smpp_pdu_find_tlv(copy, SMPP_TLV_sar_msg_ref_num);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(t->num, 0x1234);
	t = smpp_pdu_find_tlv(copy, SMPP_TLV_message_payload);
	ck_assert_uint_eq(t->length, sizeof big);
	ck_assert(memcmp(smpp_tlv_value(copy, t), big, sizeof big) == 0);
	smpp_pdu_release(pdu);
	/* The decoded copy survives a deep copy and the source's release. */
	smpp_pdu_init(pdu, 0, 0);
	ck_assert_int_eq(smpp_pdu_copy(pdu, copy), 0);
	smpp_pdu_release(copy);
	t = smpp_pdu_find_tlv(pdu, SMPP_TLV_message_payload);
	ck_assert(memcmp(smpp_tlv_value(pdu, t), big, sizeof big) == 0);
	smpp_pdu_release(pdu);

	/*
	 * Regression: a struct that kept its heap from a long PDU and now
	 * holds a short one must copy into a struct without a heap.
	 */
	ck_assert(smpp_pdu_decode(copy, out, len, NULL, &err) == SMPP_OK);
	smpp_pdu_init(pdu, SMPP_CMD_submit_sm, 6);
	smpp_pdu_add_tlv_int(pdu, SMPP_TLV_user_message_reference, 77);
	ck_assert(smpp_pdu_encode(pdu, out, sizeof out, &len, &err) ==
	    SMPP_OK);
	ck_assert(smpp_pdu_decode(copy, out, len, NULL, &err) == SMPP_OK);
	ck_assert_ptr_nonnull(copy->store_heap);
	smpp_pdu_init(pdu, 0, 0);
	ck_assert_int_eq(smpp_pdu_copy(pdu, copy), 0);
	ck_assert_uint_eq(smpp_pdu_find_tlv(pdu,
	    SMPP_TLV_user_message_reference)->num, 77);
	smpp_pdu_release(copy);
	smpp_pdu_release(pdu);
	free(pdu);
	free(copy);
}
END_TEST

START_TEST(test_encode_refuses_bad_fields)
{
	struct smpp_pdu		*pdu = malloc(sizeof *pdu);
	struct smpp_error	 err;
	uint8_t			 out[512];
	size_t			 len;

	smpp_pdu_init(pdu, SMPP_CMD_submit_sm, 1);
	memset(pdu->u.submit_sm.source_addr, '1',
	    sizeof pdu->u.submit_sm.source_addr);
	ck_assert(smpp_pdu_encode(pdu, out, sizeof out, &len, &err) ==
	    SMPP_ERROR);
	ck_assert_str_eq(err.field, "source_addr");
	smpp_pdu_init(pdu, SMPP_CMD_submit_sm, 1);
	strcpy(pdu->u.submit_sm.validity_period, "1234");
	ck_assert(smpp_pdu_encode(pdu, out, sizeof out, &len, &err) ==
	    SMPP_ERROR);
	ck_assert_str_eq(err.field, "validity_period");
	smpp_pdu_init(pdu, SMPP_CMD_enquire_link, 1);
	smpp_pdu_add_tlv_int(pdu, SMPP_TLV_congestion_state, 1);
	ck_assert(smpp_pdu_encode(pdu, out, sizeof out, &len, &err) ==
	    SMPP_ERROR);
	ck_assert_uint_eq(err.status, SMPP_ESME_ROPTPARNOTALLWD);
	free(pdu);
}
END_TEST

START_TEST(test_tables)
{
	uint32_t v;

	ck_assert_str_eq(smpp_command_name(0x80000004), "submit_sm_resp");
	ck_assert_str_eq(smpp_command_name(0x0C), "unknown");
	ck_assert_str_eq(smpp_status_name(0x58), "ESME_RTHROTTLED");
	ck_assert_ptr_null(smpp_status_name(0x4A));
	ck_assert_str_eq(smpp_status_description(0x450), "SMSC vendor-specific "
	    "error");
	ck_assert_int_eq(smpp_status_parse("ESME_RINVTLVLEN", &v), 0);
	ck_assert_uint_eq(v, 0xC2);
	ck_assert_int_eq(smpp_status_parse("0x58", &v), 0);
	ck_assert_uint_eq(v, 0x58);
	ck_assert_int_eq(smpp_status_parse("88", &v), 0);
	ck_assert_uint_eq(v, 88);
	ck_assert_int_eq(smpp_status_parse("ESME_NOPE", &v), -1);
	ck_assert_str_eq(smpp_tlv_lookup(0x0424)->name, "message_payload");
	ck_assert_ptr_null(smpp_tlv_lookup(0x1400));
	ck_assert_uint_eq(smpp_tlv_by_name("dest_port")->tag, 0x020B);
	ck_assert_uint_eq(smpp_command_lookup(SMPP_CMD_replace_sm)->states,
	    SMPP_S_TX | SMPP_S_TRX);
	ck_assert(smpp_command_lookup(SMPP_CMD_outbind)->flags &
	    SMPP_CF_NORESP);
}
END_TEST

START_TEST(test_json_errors_name_the_path)
{
	struct smpp_pdu	*pdu = malloc(sizeof *pdu);
	char		 msg[256];
	json_t		*o;

	o = json_loads("{\"command\":\"submit_sm\",\"source_addr\":"
	    "\"123456789012345678901\"}", 0, NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), -1);
	ck_assert_msg(strncmp(msg, "source_addr: ", 13) == 0, "%s", msg);
	json_decref(o);
	o = json_loads("{\"command\":\"submit_sm\",\"tlvs\":[{\"name\":"
	    "\"sar_total_segments\",\"value\":300}]}", 0, NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), -1);
	ck_assert_msg(strncmp(msg, "tlvs[0].value: ", 15) == 0, "%s", msg);
	json_decref(o);
	o = json_loads("{\"command\":\"submit_xx\"}", 0, NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), -1);
	ck_assert_msg(strncmp(msg, "command: ", 9) == 0, "%s", msg);
	json_decref(o);
	o = json_loads("{\"command\":\"submit_sm\",\"esm_class\":256}", 0,
	    NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), -1);
	ck_assert_msg(strncmp(msg, "esm_class: ", 11) == 0, "%s", msg);
	json_decref(o);
	free(pdu);
}
END_TEST

START_TEST(test_json_text_in_place_of_hex)
{
	struct smpp_pdu	*pdu = malloc(sizeof *pdu);
	char		 msg[256];
	json_t		*o;

	o = json_loads("{\"command\":\"submit_sm\",\"data_coding\":8,"
	    "\"text\":\"h\xc3\xa9\"}", 0, NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), 0);
	ck_assert_uint_eq(pdu->u.submit_sm.sm_length, 4);
	ck_assert_uint_eq(pdu->u.submit_sm.short_message[1], 'h');
	ck_assert_uint_eq(pdu->u.submit_sm.short_message[3], 0xE9);
	json_decref(o);
	o = json_loads("{\"command\":\"submit_sm\",\"text\":\"{x}\"}", 0, NULL);
	ck_assert_int_eq(smpp_json_to_pdu(o, pdu, msg, sizeof msg), 0);
	/* GSM 03.38: '{' is ESC 0x28 */
	ck_assert_uint_eq(pdu->u.submit_sm.sm_length, 5);
	ck_assert_uint_eq(pdu->u.submit_sm.short_message[0], 0x1B);
	ck_assert_uint_eq(pdu->u.submit_sm.short_message[1], 0x28);
	json_decref(o);
	free(pdu);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pdu");
	TCase	*tc = tcase_create("codec");
	SRunner	*sr;
	int	 failed;

	load_vector_names();
	load_malformed();
	if (vector_count < 30 || case_count < 40) {
		fprintf(stderr, "too few vectors (%zu) or malformed cases "
		    "(%zu)\n", vector_count, case_count);
		return 1;
	}
	tcase_add_loop_test(tc, test_vector, 0, (int)vector_count);
	tcase_add_loop_test(tc, test_malformed, 0, (int)case_count);
	tcase_add_test(tc, test_spec_bind_transmitter);
	tcase_add_test(tc, test_frame);
	tcase_add_test(tc, test_max_pdu_limit);
	tcase_add_test(tc, test_tlv_api_and_heap_spill);
	tcase_add_test(tc, test_encode_refuses_bad_fields);
	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_json_errors_name_the_path);
	tcase_add_test(tc, test_json_text_in_place_of_hex);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
