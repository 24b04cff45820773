/*
 * The Certificate upload's check (TlsCert): one field holding a PEM
 * certificate and its PKCS#8 private key. Twilio serves the domain with
 * it, so both must parse, the key must be the certificate's, and the
 * certificate must name exactly one host: its CN, no Subject Alternative
 * Names (Twilio's rule). The domain's name is the CN; date_expires is
 * notAfter.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "gateway/links-internal.h"

#define GW_PEM_CERT	"-----BEGIN CERTIFICATE-----"
#define GW_PEM_PKCS8	"-----BEGIN PRIVATE KEY-----"

static X509 *
gw_link_cert_read(const char *pem)
{
	const char *at = strstr(pem, GW_PEM_CERT);
	BIO *bio;
	X509 *x;

	if (at == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(at, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

/* The unencrypted PKCS#8 key of pem ("BEGIN PRIVATE KEY"). */
static EVP_PKEY *
gw_link_key_read(const char *pem)
{
	const char *at = strstr(pem, GW_PEM_PKCS8);
	PKCS8_PRIV_KEY_INFO *p8;
	EVP_PKEY *key;
	BIO *bio;

	if (at == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(at, -1)) == NULL)
		return NULL;
	p8 = PEM_read_bio_PKCS8_PRIV_KEY_INFO(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (p8 == NULL)
		return NULL;
	key = EVP_PKCS82PKEY(p8);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return key;
}

/* The subject's CN, a host name: 0, or -1 with err. */
static int
gw_link_cert_cn(X509 *x, char *out, size_t size, char *err, size_t errlen)
{
	X509_NAME *name = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	int len;

	if (i < 0) {
		snprintf(err, errlen, "The certificate has no Common Name (CN): "
		    "the CN names the domain");
		return -1;
	}
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, i)));
	if (len <= 0 || (size_t)len >= size ||
	    memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		snprintf(err, errlen, "The certificate's Common Name is not a "
		    "host name");
		return -1;
	}
	memcpy(out, utf8, (size_t)len);
	out[len] = '\0';
	OPENSSL_free(utf8);
	if (!gw_links_host_valid(out)) {
		snprintf(err, errlen, "The certificate's Common Name \"%.64s\" "
		    "is not a host name", out);
		return -1;
	}
	return 0;
}

static int
gw_link_cert_not_after(X509 *x, int64_t *usec)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return -1;
	*usec = (int64_t)timegm(&tm) * 1000000;
	return 0;
}

/* Everything about x and key once both parsed: 0, or -1 with err. */
static int
gw_link_cert_verify(X509 *x, EVP_PKEY *key, struct gw_link_cert *out,
    char *err, size_t errlen)
{
	if (X509_check_private_key(x, key) != 1) {
		snprintf(err, errlen, "The private key does not match the "
		    "certificate");
		return -1;
	}
	if (X509_get_ext_by_NID(x, NID_subject_alt_name, -1) >= 0) {
		snprintf(err, errlen, "The certificate has Subject Alternative "
		    "Names: Link Shortening takes a certificate for one domain, "
		    "named by its CN, without SANs");
		return -1;
	}
	if (gw_link_cert_cn(x, out->common_name, sizeof out->common_name,
	    err, errlen) == -1)
		return -1;
	if (gw_link_cert_not_after(x, &out->not_after) == -1) {
		snprintf(err, errlen, "The certificate's notAfter date cannot "
		    "be read");
		return -1;
	}
	return 0;
}

int
gw_link_cert_check(const char *pem, struct gw_link_cert *out, char *err,
    size_t errlen)
{
	X509 *x = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((x = gw_link_cert_read(pem)) == NULL)
		snprintf(err, errlen, "TlsCert holds no readable PEM certificate "
		    "(%s)", GW_PEM_CERT);
	else if ((key = gw_link_key_read(pem)) == NULL)
		snprintf(err, errlen, "TlsCert holds no readable PKCS#8 private "
		    "key (%s, unencrypted)", GW_PEM_PKCS8);
	else
		rc = gw_link_cert_verify(x, key, out, err, errlen);
	/* Failed parses leave their reasons on the thread's queue. */
	ERR_clear_error();
	EVP_PKEY_free(key);
	X509_free(x);
	return rc;
}
