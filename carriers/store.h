/*
 * The carriers' durable state in sqlite: the messages each carrier has
 * accepted (for query_sm, cancel_sm, replace_sm and receipts) and the
 * outbox of deliver_sm/data_sm still to be sent towards ESMEs (receipts
 * and MO), so that a restart of the carrier loses none.
 *
 * Writes are grouped and deferred: messages and outbox items wait in
 * memory and are handed, at the CARRIER_STORE_DEFER_FLUSHES-th
 * carrier_store_flush() after they were made, to the store's one worker
 * thread, which writes each flush's batch in one transaction (WAL,
 * synchronous NORMAL); sequence counters and changes to rows already
 * handed over go with the next flush. carrier_store_close() hands over
 * everything and returns once it is committed. An outbox item deleted
 * while in memory never reaches the database. The owner flushes at a
 * steady interval (20 ms in carrierlab smsc, so a write is durable within
 * about a second) and before exit. Reads see every write at once: from
 * memory, or from the worker, which answers behind every batch handed to
 * it. Every call is made from one thread, the owner's.
 *
 * Calls return 0 on success, 1 for "not found" where that can happen,
 * and -1 on an sqlite error with the message in the store (see
 * carrier_store_error()). A write the worker fails is reported by the
 * next carrier_store_flush() or carrier_store_sync().
 */
#ifndef CARRIERLAB_CARRIERS_STORE_H
#define CARRIERLAB_CARRIERS_STORE_H

#include <stddef.h>
#include <stdint.h>

struct carrier_store;

#define CARRIER_STORE_DEFER_FLUSHES	50	/* flushes a write waits */
#define CARRIER_STORE_PENDING_MAX	32768	/* rows of each kind waiting;
						   beyond, the oldest go at
						   the next flush */

struct carrier_message {
	char		 carrier[64];
	char		 message_id[65];
	uint64_t	 seq;
	char		 system_id[16];
	char		 source_addr[21];
	uint8_t		 source_ton;
	uint8_t		 source_npi;
	char		 destination_addr[21];
	uint8_t		 dest_ton;
	uint8_t		 dest_npi;
	uint8_t		 esm_class;
	uint8_t		 data_coding;
	uint8_t		 registered_delivery;
	uint8_t		 sm_length;
	uint8_t		 short_message[255];	/* first 255 octets */
	int64_t		 submit_at;
	int64_t		 schedule_at;
	int64_t		 expire_at;
	int64_t		 done_at;		/* final state from then on */
	int		 state;			/* final SMPP_RECEIPT_STAT_* */
	char		 err[4];
	int		 has_nec;
	uint8_t		 nec_type;
	uint16_t	 nec_code;
};

enum carrier_outbox_kind {
	CARRIER_OUTBOX_RECEIPT = 1,	/* built from the message at send */
	CARRIER_OUTBOX_PDU = 2,		/* pdu holds the encoded PDU (MO) */
};

struct carrier_outbox_item {
	int64_t		 id;		/* set by add */
	char		 carrier[64];
	char		 system_id[16];
	enum carrier_outbox_kind kind;
	char		 message_id[65];	/* RECEIPT */
	int		 state;		/* RECEIPT: the state to report */
	int64_t		 due;
	unsigned	 attempts;
	uint8_t		*pdu;		/* PDU: owned by the item */
	size_t		 pdu_len;
};

/* path ":memory:" keeps nothing. On failure returns NULL with err set. */
struct carrier_store *carrier_store_open(const char *path, char *err,
	    size_t errlen);
/* Commits and closes; NULL allowed. */
void	carrier_store_close(struct carrier_store *);
/* Hands the worker what has waited long enough; does not wait for it. */
int	carrier_store_flush(struct carrier_store *);
/* Waits until everything handed over so far is committed. */
int	carrier_store_sync(struct carrier_store *);
const char *carrier_store_error(const struct carrier_store *);

/* The next message sequence number of a carrier, from 1, persisted. */
int	carrier_store_next_seq(struct carrier_store *, const char *carrier,
	    uint64_t *seq);

int	carrier_store_message_put(struct carrier_store *,
	    const struct carrier_message *);	/* insert or replace */
int	carrier_store_message_get(struct carrier_store *,
	    const char *carrier, const char *message_id,
	    struct carrier_message *);
int	carrier_store_message_count(struct carrier_store *,
	    const char *carrier, uint64_t *count);

/*
 * The media URLs of an MMS message, '\n'-separated as the submit's
 * SMPP_TLV_carrierlab_media_urls carried them (len octets, no NUL
 * needed), kept in a table of their own beside the message's row. An
 * MMS is rare, so put is not deferred: the worker writes it at once
 * (joining the open group transaction, or committing alone), and get
 * sees it. get: 0 with *urls set (NUL-terminated, the caller frees it),
 * 1 when the message has no media (*urls NULL), -1 on error.
 */
int	carrier_store_media_put(struct carrier_store *, const char *carrier,
	    const char *message_id, const char *urls, size_t len);
int	carrier_store_media_get(struct carrier_store *, const char *carrier,
	    const char *message_id, char **urls);

/* Adds an item; sets item->id. */
int	carrier_store_outbox_add(struct carrier_store *,
	    struct carrier_outbox_item *);
/* An item no longer in memory is changed with the next flush's batch;
 * one that does not exist is no error. */
int	carrier_store_outbox_update(struct carrier_store *, int64_t id,
	    int64_t due, unsigned attempts);
int	carrier_store_outbox_delete(struct carrier_store *, int64_t id);
/* Deletes the pending RECEIPT items of one message (cancel_sm). */
int	carrier_store_outbox_delete_message(struct carrier_store *,
	    const char *carrier, const char *message_id);
/*
 * Calls fn for each item of a carrier in (due, id) order; the item and its
 * pdu are valid only during the call. The items are read before the first
 * call, so fn may add, update or delete items meanwhile.
 */
int	carrier_store_outbox_foreach(struct carrier_store *,
	    const char *carrier,
	    void (*fn)(const struct carrier_outbox_item *, void *), void *arg);
void	carrier_outbox_item_release(struct carrier_outbox_item *);

#endif
