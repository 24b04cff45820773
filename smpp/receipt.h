/*
 * Delivery receipt text (SPEC34 Appendix B; smpp-facts 5):
 *
 *   id:<id> sub:001 dlvrd:001 submit date:YYMMDDhhmm
 *   done date:YYMMDDhhmm stat:DELIVRD err:000 text:<first 20 chars>
 *
 * (one line). smpp_receipt_build() writes it, with switches for the
 * variants SMSCs emit; smpp_receipt_parse() reads what real SMSCs send:
 * field names in any case, "submit date:", "submit_date:" or
 * "submitdate:", fields in any order or missing, ids of any shape kept as
 * text, "text:" taking the rest. What it cannot read it reports as
 * problems, field by field, and keeps going.
 *
 * Everything works on the caller's memory: no allocation, no static
 * state, no I/O. Input is (pointer, length), need not be NUL-terminated
 * and is never read past its length; a NUL inside the length ends the
 * text, as it ends a C-Octet String.
 */
#ifndef CARRIERLAB_SMPP_RECEIPT_H
#define CARRIERLAB_SMPP_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

/* Longest values kept, without the NUL; longer ones are cut and reported. */
#define SMPP_RECEIPT_ID_MAX		64	/* message_id is C-Oct 65 */
#define SMPP_RECEIPT_COUNT_MAX		8	/* sub, dlvrd */
#define SMPP_RECEIPT_DATE_MAX		16
#define SMPP_RECEIPT_STAT_MAX		16
#define SMPP_RECEIPT_ERR_MAX		8
#define SMPP_RECEIPT_TEXT_MAX		255
#define SMPP_RECEIPT_TEXT_CHARS		20	/* what Appendix B quotes */
#define SMPP_RECEIPT_PROBLEMS_MAX	8
#define SMPP_RECEIPT_REASON_SIZE	80

/*
 * The fields, in Appendix B order, with their canonical names. OTHER
 * stands for text that belongs to no known field.
 */
#define SMPP_RECEIPT_FIELDS(X)						\
	X(ID, "id")							\
	X(SUB, "sub")							\
	X(DLVRD, "dlvrd")						\
	X(SUBMIT_DATE, "submit date")					\
	X(DONE_DATE, "done date")					\
	X(STAT, "stat")							\
	X(ERR, "err")							\
	X(TEXT, "text")							\
	X(OTHER, "other")

enum smpp_receipt_field {
#define SMPP_RECEIPT_FIELD_ENUM(tag, name)	SMPP_RECEIPT_FIELD_##tag,
	SMPP_RECEIPT_FIELDS(SMPP_RECEIPT_FIELD_ENUM)
#undef SMPP_RECEIPT_FIELD_ENUM
	SMPP_RECEIPT_FIELD_COUNT
};

/*
 * Appendix B stat words and the message_state each stands for
 * (smpp-facts 4.6). ENROUTE is not in Appendix B but is sent and read in
 * practice. Any other word maps to SMPP_RECEIPT_STAT_UNRECOGNISED.
 */
#define SMPP_RECEIPT_STATS(X)						\
	X(ENROUTE, 1)							\
	X(DELIVRD, 2)							\
	X(EXPIRED, 3)							\
	X(DELETED, 4)							\
	X(UNDELIV, 5)							\
	X(ACCEPTD, 6)							\
	X(UNKNOWN, 7)							\
	X(REJECTD, 8)

enum smpp_receipt_stat {
	SMPP_RECEIPT_STAT_UNRECOGNISED = -1,
#define SMPP_RECEIPT_STAT_ENUM(word, state) SMPP_RECEIPT_STAT_##word = state,
	SMPP_RECEIPT_STATS(SMPP_RECEIPT_STAT_ENUM)
#undef SMPP_RECEIPT_STAT_ENUM
};

/* What went wrong with a field. */
enum smpp_receipt_problem_kind {
	SMPP_RECEIPT_PROBLEM_CUT,	/* longer than we keep; cut to fit */
	SMPP_RECEIPT_PROBLEM_EMPTY,	/* "id:" with no value */
	SMPP_RECEIPT_PROBLEM_NOT_DECIMAL, /* sub, dlvrd or a date not digits */
	SMPP_RECEIPT_PROBLEM_LENGTH,	/* "done date: 11 digits",
					   "err: longer than 3" */
	SMPP_RECEIPT_PROBLEM_DATE,	/* digits that are no date */
	SMPP_RECEIPT_PROBLEM_WORD,	/* stat word not in the table */
	SMPP_RECEIPT_PROBLEM_TWICE,	/* repeated; the first is kept */
	SMPP_RECEIPT_PROBLEM_STRAY,	/* text outside any known field */
};

struct smpp_receipt_problem {
	enum smpp_receipt_field		field;
	enum smpp_receipt_problem_kind	kind;
	char				reason[SMPP_RECEIPT_REASON_SIZE];
					/* "done date: 11 digits" */
};

/*
 * A date as sent and, when it reads as one, the instant. Ten and twelve
 * digits are YYMMDDhhmm[ss] with the two-digit year pivot, fourteen are
 * YYYYMMDDhhmmss; all are taken as UTC. All zeros ("0000000000", which
 * some SMSCs send for "unknown") is no instant and no problem.
 */
struct smpp_receipt_date {
	char		digits[SMPP_RECEIPT_DATE_MAX + 1];
	int		valid;		/* usec holds the instant */
	int64_t		usec;		/* UTC, microseconds */
};

/*
 * A receipt's fields. Strings are NUL-terminated and hold the value as
 * sent, cut to the array. present and problem_fields have bit
 * (1u << SMPP_RECEIPT_FIELD_x) set for each field found, or with a
 * problem. problems lists the first SMPP_RECEIPT_PROBLEMS_MAX problems
 * in the order met; later ones only set their bit.
 */
struct smpp_receipt {
	unsigned			present;
	char				id[SMPP_RECEIPT_ID_MAX + 1];
	char				sub[SMPP_RECEIPT_COUNT_MAX + 1];
	char				dlvrd[SMPP_RECEIPT_COUNT_MAX + 1];
	struct smpp_receipt_date	submit_date;
	struct smpp_receipt_date	done_date;
	char				stat[SMPP_RECEIPT_STAT_MAX + 1];
	enum smpp_receipt_stat		state;
	char				err[SMPP_RECEIPT_ERR_MAX + 1];
	char				text[SMPP_RECEIPT_TEXT_MAX + 1];
	unsigned			problem_fields;
	size_t				nproblems;
	struct smpp_receipt_problem	problems[SMPP_RECEIPT_PROBLEMS_MAX];
};

enum smpp_receipt_result {
	SMPP_RECEIPT_OK = 0,
	SMPP_RECEIPT_NOT_RECEIPT,	/* parse: no known field at all */
	SMPP_RECEIPT_BAD_FIELD,		/* build: a field cannot be written */
	SMPP_RECEIPT_NO_SPACE,		/* build: out is too small */
};

/* How "submit date" and "done date" are spelled. */
enum smpp_receipt_date_label {
	SMPP_RECEIPT_DATE_LABEL_SPACE,		/* "submit date:" (Appendix B) */
	SMPP_RECEIPT_DATE_LABEL_UNDERSCORE,	/* "submit_date:" */
	SMPP_RECEIPT_DATE_LABEL_JOINED,		/* "submitdate:" (OpenMarket) */
};

/*
 * Variants of the text an SMSC writes. A zeroed struct is the format
 * smpp-facts 5.3 recommends; every member's zero value is the Appendix B
 * choice, so new variants are added as new members without touching
 * existing callers.
 */
struct smpp_receipt_format {
	int				date_digits;	/* 0 or 10, 12, 14 */
	int				capital_text;	/* "Text:" (SMSCSIM) */
	enum smpp_receipt_date_label	date_label;
	unsigned			omit;		/* 1u << field: leave
							   out (JASMIN omits
							   sub, dlvrd, text) */
	int				text_chars;	/* characters of text;
							   below 1 means 20 */
};

/*
 * Reads a receipt. *r is reset first and then holds every field found;
 * returns SMPP_RECEIPT_OK if at least one known field was found,
 * SMPP_RECEIPT_NOT_RECEIPT otherwise. Values end at white space, except
 * text, which takes the rest of the input less trailing CR and LF. A
 * stat word is matched without regard to case.
 */
enum smpp_receipt_result smpp_receipt_parse(const char *s, size_t len,
	    struct smpp_receipt *r);

/*
 * Writes the receipt text for r, NUL-terminated, into out (cap bytes,
 * the NUL included) and its length to *outlen (if not NULL). Fields are
 * written in Appendix B order, those in fmt->omit left out; fmt NULL is
 * a zeroed format. Values: id as is; sub and dlvrd as is, "001" when
 * empty; a date from its instant at fmt->date_digits when valid, else
 * its digits as is, else zeros; stat as is, or the word of r->state when
 * empty; err as is, "000" when empty; text cut to fmt->text_chars UTF-8
 * characters. Returns SMPP_RECEIPT_BAD_FIELD if the id is empty, a value
 * other than text holds white space, there is no stat word, or an
 * instant's year cannot be written; SMPP_RECEIPT_NO_SPACE if out is too
 * small. On failure out holds an empty string (if cap > 0).
 */
enum smpp_receipt_result smpp_receipt_build(const struct smpp_receipt *r,
	    const struct smpp_receipt_format *fmt, char *out, size_t cap,
	    size_t *outlen);

/* Appendix B word for a state ("DELIVRD"), or NULL if it has none. */
const char	*smpp_receipt_stat_word(enum smpp_receipt_stat);

/* State for a stat word, any case; SMPP_RECEIPT_STAT_UNRECOGNISED else. */
enum smpp_receipt_stat smpp_receipt_stat_state(const char *word,
	    size_t len);

/* Canonical name of a field ("done date"), never NULL. */
const char	*smpp_receipt_field_name(enum smpp_receipt_field);

/*
 * How two message ids (the submit_sm_resp id and a receipt's id, say)
 * may be matched, and how they were. After the plain comparison,
 * smpp_receipt_id_match() tries the readings allowed in its rules, in
 * the order of the bits below, and returns the first that matches; an
 * empty id matches nothing. Numbers are unsigned 64-bit without sign or
 * "0x"; leading zeros never count, hex letters are of either case.
 * Allowing both HEX_DEC and DEC_HEX makes "16" and "10" match: a gateway
 * that knows its SMSC's bases should allow only the one that applies.
 */
enum smpp_id_match {
	SMPP_ID_DIFFERENT = 0,
	SMPP_ID_SAME = 0x01,		/* identical strings; always tried */
	SMPP_ID_CASE = 0x02,		/* equal ignoring ASCII case */
	SMPP_ID_DEC_DEC = 0x04,		/* both decimal, same number */
	SMPP_ID_HEX_HEX = 0x08,		/* both hex, same number */
	SMPP_ID_HEX_DEC = 0x10,		/* a hex, b decimal, same number */
	SMPP_ID_DEC_HEX = 0x20,		/* a decimal, b hex, same number */
};
#define SMPP_ID_MATCH_ANY	0x3f

enum smpp_id_match smpp_receipt_id_match(const char *a, size_t alen,
	    const char *b, size_t blen, unsigned rules);

#endif
