/*
 * X-Twilio-Signature (twilio-api.md §6): base64 of HMAC-SHA1, keyed with
 * the account's auth token, over the URL called followed by every
 * parameter as name + value, sorted by name in byte order. A name given
 * more than once has its values sorted too and identical pairs counted
 * once, as twilio-node's validator does, so its middleware accepts what
 * we send.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "gateway/webhook.h"

static int
signature_pair_cmp(const void *a, const void *b)
{
	const struct evkeyval	*x = *(const struct evkeyval *const *)a;
	const struct evkeyval	*y = *(const struct evkeyval *const *)b;
	int			 c;

	if ((c = strcmp(x->key, y->key)) != 0)
		return c;
	return strcmp(x->value, y->value);
}

/* The parameters in signing order, duplicates of a pair left out. */
static void
signature_append_params(struct evbuffer *text, const struct evkeyvalq *params)
{
	const struct evkeyval	 *kv, **pairs;
	size_t			  n = 0, i;

	TAILQ_FOREACH(kv, params, next)
		n++;
	if (n == 0)
		return;
	pairs = xreallocarray(NULL, n, sizeof *pairs);
	i = 0;
	TAILQ_FOREACH(kv, params, next)
		pairs[i++] = kv;
	qsort(pairs, n, sizeof *pairs, signature_pair_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && signature_pair_cmp(&pairs[i - 1], &pairs[i]) == 0)
			continue;
		evbuffer_add(text, pairs[i]->key, strlen(pairs[i]->key));
		evbuffer_add(text, pairs[i]->value, strlen(pairs[i]->value));
	}
	free(pairs);
}

void
gw_signature(const char *token, const char *url,
    const struct evkeyvalq *params, char out[29])
{
	struct evbuffer	*text = evbuffer_new();
	unsigned char	 digest[EVP_MAX_MD_SIZE];
	unsigned int	 dlen = 0;
	size_t		 len;

	if (text == NULL)
		fatalx("webhook signature evbuffer_new failed");
	evbuffer_add(text, url, strlen(url));
	if (params != NULL)
		signature_append_params(text, params);
	len = evbuffer_get_length(text);
	if (HMAC(EVP_sha1(), token, (int)strlen(token),
	    evbuffer_pullup(text, -1), len, digest, &dlen) == NULL ||
	    dlen != 20)
		fatalx("webhook signature HMAC-SHA1 failed");
	evbuffer_free(text);
	/* 20 bytes make 28 base64 characters and the NUL. */
	EVP_EncodeBlock((unsigned char *)out, digest, (int)dlen);
}
