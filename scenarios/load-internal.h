/*
 * Inside the load engine: the message templates (load-message.c), shared
 * with load.c only.
 */
#ifndef CARRIERLAB_SCENARIOS_LOAD_INTERNAL_H
#define CARRIERLAB_SCENARIOS_LOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "scenarios/load.h"
#include "smpp/pdu.h"

/* An address, or a range of numbers cycled through one by one. */
struct load_address {
	uint8_t		 ton;
	uint8_t		 npi;
	char		 text[21];	/* a single address, as sent */
	int		 range;		/* text unused: first + i % count */
	uint64_t	 first;
	uint64_t	 count;
	int		 width;		/* digits, zero-padded */
};

/*
 * The submit_sm of every part of the message, built once. Before part k of
 * message i is sent, load_message_pdu() writes i's destination and
 * concatenation reference into the templates if they hold another
 * message's; nothing else changes between messages.
 */
struct load_message {
	struct load_message_info info;
	enum load_segmenting	 segmenting;
	struct load_address	 to;
	struct smpp_pdu		**part;		/* info.parts templates */
	uint64_t		 current;	/* whose fields they hold */
	int			 have_current;
};

/* Builds the templates for cfg; -1 with a one-line reason in err. */
int	 load_message_prepare(struct load_message *,
	    const struct load_config *cfg, char *err, size_t errlen);
/* Part k of message index, ready to send. */
struct smpp_pdu *load_message_pdu(struct load_message *, uint64_t index,
	    unsigned k);
void	 load_message_release(struct load_message *);

/*
 * Parses "+14155550100", "12345", "Carrierlab" or, with allow_range, a
 * range "+14155550000-+14155559999" of numbers of equal width. Sets ton
 * and npi from the form: '+' is international/E.164 (the '+' is not sent),
 * a letter makes it alphanumeric, digits alone are unknown/E.164.
 */
int	 load_address_parse(struct load_address *, const char *s,
	    int allow_range, char *err, size_t errlen);
/* The address of message index, NUL-terminated, into out[21]. */
void	 load_address_format(const struct load_address *, uint64_t index,
	    char *out);

#endif
