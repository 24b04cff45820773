/*
 * X-Twilio-Signature (twilio-api.md §6): base64 of HMAC-SHA1, keyed with
 * the account's auth token, over the URL called followed by every
 * parameter as name + value, sorted by name in byte order. A name given
 * more than once has its values sorted too and identical pairs counted
 * once, as twilio-node's validator does, so its middleware accepts what
 * we send.
 *
 * Three callbacks a message make this a hot path. A signer keeps one
 * HMAC context per token, keyed once (OpenSSL's one-shot HMAC() fetches
 * the algorithms and sets the key on every call); the form body is split
 * in one copy, a piece decoded only when it holds an escape, and the
 * pieces go to the MAC one after another, never joined.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/log.h"
#include "common/tree.h"
#include "common/xmalloc.h"
#include "gateway/webhook.h"

/* Tokens keyed at once; past it the cache starts again. */
#define SIGNER_KEYS_MAX		64
/* Pairs sorted on the stack; a longer form takes the heap. */
#define SIGNER_PAIRS_STACK	32

struct signer_key {
	char			*token;
	EVP_MAC_CTX		*ctx;		/* keyed with token */
	RB_ENTRY(signer_key)	 entry;
};

RB_HEAD(signer_keys, signer_key);

struct gw_signer {
	EVP_MAC			*mac;
	struct signer_keys	 keys;
	size_t			 nkeys;
};

static int
signer_key_cmp(const struct signer_key *a, const struct signer_key *b)
{
	return strcmp(a->token, b->token);
}

TREE_GENERATE_STATIC(signer_keys, signer_key, entry, signer_key_cmp)

struct gw_signer *
gw_signer_new(void)
{
	struct gw_signer *s = xcalloc(1, sizeof *s);

	if ((s->mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		fatalx("webhook signature: no HMAC in OpenSSL");
	RB_INIT(&s->keys);
	return s;
}

static void
signer_keys_clear(struct gw_signer *s)
{
	struct signer_key *k;

	while ((k = RB_ROOT(&s->keys)) != NULL) {
		RB_REMOVE(signer_keys, &s->keys, k);
		EVP_MAC_CTX_free(k->ctx);
		free(k->token);
		free(k);
	}
	s->nkeys = 0;
}

void
gw_signer_free(struct gw_signer *s)
{
	if (s == NULL)
		return;
	signer_keys_clear(s);
	EVP_MAC_free(s->mac);
	free(s);
}

/* The context keyed with token, ready for its first update. */
static EVP_MAC_CTX *
signer_ctx(struct gw_signer *s, const char *token)
{
	struct signer_key find, *k;
	OSSL_PARAM params[2];

	find.token = (char *)(uintptr_t)token;
	if ((k = RB_FIND(signer_keys, &s->keys, &find)) != NULL) {
		/* HMAC starts again with the key it has. */
		if (EVP_MAC_init(k->ctx, NULL, 0, NULL) != 1)
			fatalx("webhook signature: HMAC init failed");
		return k->ctx;
	}
	if (s->nkeys >= SIGNER_KEYS_MAX)
		signer_keys_clear(s);
	k = xcalloc(1, sizeof *k);
	k->token = xstrdup(token);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((k->ctx = EVP_MAC_CTX_new(s->mac)) == NULL ||
	    EVP_MAC_init(k->ctx, (const unsigned char *)token, strlen(token),
	    params) != 1)
		fatalx("webhook signature: HMAC-SHA1 setup failed");
	RB_INSERT(signer_keys, &s->keys, k);
	s->nkeys++;
	return k->ctx;
}

struct signer_pair {
	const char	*name;
	const char	*value;
};

static int
signer_pair_cmp(const void *a, const void *b)
{
	const struct signer_pair *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

/*
 * One name or value of the form, decoded as evhttp_parse_query_str()
 * does ("+" is a space). Most are plain: they stay where they are in the
 * copy; one with an escape is decoded into *owned.
 */
static const char *
signer_piece(char *s, char **owned)
{
	if (strpbrk(s, "%+") == NULL)
		return s;
	if ((*owned = evhttp_uridecode(s, 1, NULL)) == NULL)
		fatalx("webhook signature: out of memory");
	return *owned;
}

static void
signer_update(EVP_MAC_CTX *ctx, const char *s)
{
	if (EVP_MAC_update(ctx, (const unsigned char *)s, strlen(s)) != 1)
		fatalx("webhook signature: HMAC update failed");
}

/* The form's pairs in signing order into ctx, duplicates left out. */
static void
signer_form(EVP_MAC_CTX *ctx, const char *form)
{
	struct signer_pair	 stack[SIGNER_PAIRS_STACK], *pairs = stack;
	char			*copy, *p, *eq, **owned;
	size_t			 n = 1, i;

	if (form[0] == '\0')
		return;
	for (p = strchr(form, '&'); p != NULL; p = strchr(p + 1, '&'))
		n++;
	if (n > SIGNER_PAIRS_STACK)
		pairs = xreallocarray(NULL, n, sizeof *pairs);
	owned = xcalloc(2 * n, sizeof *owned);
	copy = xstrdup(form);
	for (i = 0, p = copy; p != NULL; i++) {
		char *pair = strsep(&p, "&");

		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		pairs[i].name = signer_piece(pair, &owned[2 * i]);
		pairs[i].value = eq != NULL ? signer_piece(eq,
		    &owned[2 * i + 1]) : "";
	}
	qsort(pairs, n, sizeof *pairs, signer_pair_cmp);
	for (i = 0; i < n; i++) {
		if (pairs[i].name[0] == '\0' || (i > 0 &&
		    signer_pair_cmp(&pairs[i - 1], &pairs[i]) == 0))
			continue;
		signer_update(ctx, pairs[i].name);
		signer_update(ctx, pairs[i].value);
	}
	for (i = 0; i < 2 * n; i++)
		free(owned[i]);
	free(owned);
	free(copy);
	if (pairs != stack)
		free(pairs);
}

void
gw_signer_sign(struct gw_signer *s, const char *token, const char *url,
    const char *form, char out[29])
{
	EVP_MAC_CTX	*ctx = signer_ctx(s, token);
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	size_t		 dlen = 0;

	signer_update(ctx, url);
	if (form != NULL)
		signer_form(ctx, form);
	if (EVP_MAC_final(ctx, digest, &dlen, sizeof digest) != 1 ||
	    dlen != 20)
		fatalx("webhook signature: HMAC-SHA1 failed");
	/* 20 bytes make 28 base64 characters and the NUL. */
	EVP_EncodeBlock((unsigned char *)out, digest, (int)dlen);
}
