/*
 * Codec benchmark, not a test: decode + re-encode of the two PDUs a carrier
 * handles most, a 160-character GSM submit_sm and an Appendix B delivery
 * receipt, by carrierlab's codec and by libsmpp34 on the same octets in the
 * same process. Prints nanoseconds per decode+encode (the median of RUNS
 * runs) and the ratio; exits 1 if either codec does not give back the
 * octets it was fed.
 *
 * usage: bench_codec [-n iterations] [--json]
 *
 * carrierlab reuses one struct smpp_pdu and one output buffer, so its loop
 * allocates nothing. libsmpp34 allocates every TLV on unpack; the loop frees
 * them, as its users must.
 */
#include "config.h"

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smpp/pdu.h"

/* After ours: these define U32, TLV, Reserved and such as macros. */
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#define RUNS		5
#define DEFAULT_ITER	2000000L
/* libsmpp34 is far slower; a twentieth of the iterations keeps runs short. */
#define L34_SHARE	20
#define OUT_MAX		1024

/* The input, written octet by octet so that neither codec builds it. */
struct builder {
	uint8_t		 buf[512];
	size_t		 len;
};

struct bench_case {
	const char	*name;
	void		(*build)(struct builder *);
	uint32_t	 l34_type;
	size_t		 l34_size;	/* of its libsmpp34 struct */
	size_t		 l34_tlv;	/* offset of the TLV list in it */
};

struct result {
	double		 ours_ns;
	double		 l34_ns;
};

/* Keeps the compiler from dropping the loops' work. */
static volatile unsigned	 bench_sink;

static void
put(struct builder *b, const void *p, size_t n)
{
	if (n > sizeof b->buf - b->len) {
		fprintf(stderr, "bench_codec: builder overflow\n");
		exit(1);
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void
put1(struct builder *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put2(struct builder *b, uint16_t v)
{
	put1(b, v >> 8);
	put1(b, v & 0xff);
}

static void
put4(struct builder *b, uint32_t v)
{
	put2(b, v >> 16);
	put2(b, v & 0xffff);
}

static void
put_str(struct builder *b, const char *s)
{
	put(b, s, strlen(s) + 1);
}

static void
put_tlv(struct builder *b, uint16_t tag, const void *v, uint16_t len)
{
	put2(b, tag);
	put2(b, len);
	put(b, v, len);
}

/* Header and the submit_sm/deliver_sm fields up to short_message. */
static void
put_sm_head(struct builder *b, uint32_t id, const char *src,
    const char *dst, uint8_t esm_class, uint8_t registered_delivery)
{
	put4(b, 0);		/* command_length, set by put_end() */
	put4(b, id);
	put4(b, 0);
	put4(b, 7);
	put_str(b, "");		/* service_type */
	put1(b, 1);
	put1(b, 1);
	put_str(b, src);
	put1(b, 1);
	put1(b, 1);
	put_str(b, dst);
	put1(b, esm_class);
	put1(b, 0);		/* protocol_id */
	put1(b, 0);		/* priority_flag */
	put_str(b, "");		/* schedule_delivery_time */
	put_str(b, "");		/* validity_period */
	put1(b, registered_delivery);
	put1(b, 0);		/* replace_if_present_flag */
	put1(b, 0);		/* data_coding: GSM default alphabet */
	put1(b, 0);		/* sm_default_msg_id */
}

static void
put_end(struct builder *b)
{
	size_t len = b->len;

	b->len = 0;
	put4(b, (uint32_t)len);
	b->len = len;
}

static void
build_submit_sm(struct builder *b)
{
	static const char	 pangram[] = "The quick brown fox jumps over "
	    "the lazy dog. ";
	uint8_t			 text[160];
	size_t			 i;

	for (i = 0; i < sizeof text; i++)
		text[i] = pangram[i % (sizeof pangram - 1)];
	put_sm_head(b, SMPP_CMD_submit_sm, "15551230000", "447700900123", 0,
	    SMPP_RD_RECEIPT_ANY);
	put1(b, sizeof text);
	put(b, text, sizeof text);
	put_end(b);
}

static void
build_receipt(struct builder *b)
{
	static const char	 text[] = "id:0000012345 sub:001 dlvrd:001 "
	    "submit date:2611271015 done date:2611271016 stat:DELIVRD "
	    "err:000 text:hello";
	static const uint8_t	 gsm_no_error[3] = { 3, 0, 0 };
	uint8_t			 state = SMPP_STATE_DELIVERED;

	put_sm_head(b, SMPP_CMD_deliver_sm, "447700900123", "15551230000",
	    SMPP_ESM_TYPE_RECEIPT, 0);
	put1(b, sizeof text - 1);
	put(b, text, sizeof text - 1);
	put_tlv(b, SMPP_TLV_receipted_message_id, "0000012345", 11);
	put_tlv(b, SMPP_TLV_message_state, &state, 1);
	put_tlv(b, SMPP_TLV_network_error_code, gsm_no_error,
	    sizeof gsm_no_error);
	put_end(b);
}

static const struct bench_case cases[] = {
	{ "submit_sm_gsm160", build_submit_sm, SUBMIT_SM,
	    sizeof(submit_sm_t), offsetof(submit_sm_t, tlv) },
	{ "deliver_sm_receipt", build_receipt, DELIVER_SM,
	    sizeof(deliver_sm_t), offsetof(deliver_sm_t, tlv) },
};

#define NCASES	(sizeof cases / sizeof cases[0])

static long
l34_iterations(long iter)
{
	return iter / L34_SHARE > 0 ? iter / L34_SHARE : 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000U + (uint64_t)ts.tv_nsec;
}

/* ---- one decode + encode by each codec ---- */

static int
ours_once(struct smpp_pdu *pdu, const struct builder *in, uint8_t *out,
    size_t *len)
{
	struct smpp_error err;

	if (smpp_pdu_decode(pdu, in->buf, in->len, NULL, &err) != SMPP_OK ||
	    smpp_pdu_encode(pdu, out, OUT_MAX, len, &err) != SMPP_OK) {
		fprintf(stderr, "bench_codec: carrierlab: %s: %s\n",
		    err.field != NULL ? err.field : "?", err.reason);
		return -1;
	}
	return 0;
}

static tlv_t *
reverse_tlvs(tlv_t *t)
{
	tlv_t *prev = NULL, *next;

	for (; t != NULL; t = next) {
		next = t->next;
		t->next = prev;
		prev = t;
	}
	return prev;
}

/*
 * libsmpp34's unpack prepends each TLV to the struct's list (so the list
 * must be empty first) and its pack writes the list in order: the list is
 * reversed in between, or the TLVs would come out backwards.
 */
static int
l34_once(const struct bench_case *c, void *tt, const struct builder *in,
    uint8_t *out, int *len)
{
	tlv_t	**tlvs = (tlv_t **)(void *)((char *)tt + c->l34_tlv);
	int	  rc;

	*tlvs = NULL;
	rc = smpp34_unpack(c->l34_type, tt, in->buf, (int)in->len);
	if (rc == 0) {
		*tlvs = reverse_tlvs(*tlvs);
		rc = smpp34_pack(c->l34_type, out, OUT_MAX, len, tt);
	}
	destroy_tlv(*tlvs);
	*tlvs = NULL;
	if (rc != 0)
		fprintf(stderr, "bench_codec: libsmpp34: %s\n",
		    smpp34_strerror);
	return rc;
}

/* Both codecs must give back the input before either is timed. */
static int
verify(const struct bench_case *c, const struct builder *in,
    struct smpp_pdu *pdu, void *tt)
{
	uint8_t	out[OUT_MAX];
	size_t	olen;
	int	tlen;

	if (ours_once(pdu, in, out, &olen) == -1 || olen != in->len ||
	    memcmp(out, in->buf, olen) != 0) {
		fprintf(stderr, "bench_codec: %s: carrierlab does not give "
		    "back the input\n", c->name);
		return -1;
	}
	if (l34_once(c, tt, in, out, &tlen) == -1 || (size_t)tlen !=
	    in->len || memcmp(out, in->buf, in->len) != 0) {
		fprintf(stderr, "bench_codec: %s: libsmpp34 does not give "
		    "back the input\n", c->name);
		return -1;
	}
	return 0;
}

/* ---- timing ---- */

static double
time_ours(const struct builder *in, struct smpp_pdu *pdu, long iter)
{
	uint8_t		out[OUT_MAX];
	size_t		len;
	uint64_t	t0;
	unsigned	sink = 0;
	long		i;

	t0 = now_ns();
	for (i = 0; i < iter; i++) {
		if (ours_once(pdu, in, out, &len) == -1)
			exit(1);
		sink += out[len - 1];
	}
	bench_sink = sink;
	return (double)(now_ns() - t0) / (double)iter;
}

static double
time_l34(const struct bench_case *c, const struct builder *in, void *tt,
    long iter)
{
	uint8_t		out[OUT_MAX];
	uint64_t	t0;
	unsigned	sink = 0;
	long		i;
	int		len;

	t0 = now_ns();
	for (i = 0; i < iter; i++) {
		if (l34_once(c, tt, in, out, &len) == -1)
			exit(1);
		sink += out[len - 1];
	}
	bench_sink = sink;
	return (double)(now_ns() - t0) / (double)iter;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Runs alternate between the codecs so that a slow spell of the machine
 * falls on both; the median discards the first, cold run and any outlier.
 */
static int
bench(const struct bench_case *c, const struct builder *in, long iter,
    struct result *r)
{
	struct smpp_pdu	*pdu = malloc(sizeof *pdu);
	void		*tt = calloc(1, c->l34_size);
	double		 ours[RUNS], l34[RUNS];
	int		 i, rc;

	if (pdu == NULL || tt == NULL) {
		fprintf(stderr, "bench_codec: out of memory\n");
		exit(1);
	}
	smpp_pdu_init(pdu, 0, 0);
	if ((rc = verify(c, in, pdu, tt)) == 0) {
		for (i = 0; i < RUNS; i++) {
			ours[i] = time_ours(in, pdu, iter);
			l34[i] = time_l34(c, in, tt, l34_iterations(iter));
		}
		r->ours_ns = median(ours, RUNS);
		r->l34_ns = median(l34, RUNS);
	}
	smpp_pdu_release(pdu);
	free(pdu);
	free(tt);
	return rc;
}

/* ---- output ---- */

static void
print_text(const struct builder *in, const struct result *r, long iter)
{
	size_t i;

	printf("ns per decode+encode, median of %d runs (carrierlab %ld, "
	    "libsmpp34 %ld iterations)\n", RUNS, iter, l34_iterations(iter));
	for (i = 0; i < NCASES; i++)
		printf("%-20s %3zu octets  carrierlab %8.1f  libsmpp34 %8.1f  "
		    "ratio %5.1f\n", cases[i].name, in[i].len, r[i].ours_ns,
		    r[i].l34_ns, r[i].l34_ns / r[i].ours_ns);
}

static void
print_json(const struct builder *in, const struct result *r, long iter)
{
	size_t i;

	printf("{\"runs\":%d,\"iterations\":%ld,\"libsmpp34_iterations\":%ld,"
	    "\"results\":[", RUNS, iter, l34_iterations(iter));
	for (i = 0; i < NCASES; i++)
		printf("%s{\"pdu\":\"%s\",\"octets\":%zu,"
		    "\"carrierlab_ns\":%.1f,\"libsmpp34_ns\":%.1f,"
		    "\"ratio\":%.2f}", i > 0 ? "," : "",
		    cases[i].name, in[i].len, r[i].ours_ns, r[i].l34_ns,
		    r[i].l34_ns / r[i].ours_ns);
	printf("]}\n");
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_codec [-n iterations] [--json]\n");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct builder	 in[NCASES];
	struct result	 r[NCASES];
	long		 iter = DEFAULT_ITER;
	char		*end;
	int		 ch, json = 0;
	size_t		 i;

	while ((ch = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			iter = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || iter < 1 ||
			    iter > 1000000000L)
				usage();
			break;
		case 'j':
			json = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	for (i = 0; i < NCASES; i++) {
		memset(&in[i], 0, sizeof in[i]);
		cases[i].build(&in[i]);
		if (bench(&cases[i], &in[i], iter, &r[i]) == -1)
			return 1;
	}
	if (json)
		print_json(in, r, iter);
	else
		print_text(in, r, iter);
	return 0;
}
