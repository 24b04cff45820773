/*
 * The tables of the sender selection: a country's rules for alphanumeric
 * senders and the NANP area code overlays. The rows come from
 * data/countries.csv and data/nanp-overlays.csv through gateway/csv2c.awk;
 * this file only answers questions about them.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "gateway/gateway-internal.h"
#include "gateway/sender.h"
#include "gateway/sender-internal.h"

#define GW_OVERLAYS_SEEN	64	/* more than any area code has */

void
gw_country_rules(const struct gateway *gw, const char *iso,
    struct gw_country_rules *out)
{
	const struct gateway_country *o;
	size_t i;

	memset(out, 0, sizeof *out);
	if (iso != NULL && isalpha((unsigned char)iso[0]) &&
	    isalpha((unsigned char)iso[1]) && iso[2] == '\0') {
		out->iso[0] = (char)toupper((unsigned char)iso[0]);
		out->iso[1] = (char)toupper((unsigned char)iso[1]);
	}
	/* Unknown countries take alpha senders, unregistered. */
	out->alpha = 1;
	if (out->iso[0] == '\0')
		return;
	for (i = 0; gw != NULL && i < gw->cfg.ncountries; i++) {
		o = &gw->cfg.countries[i];
		if (strcasecmp(o->iso, out->iso) == 0) {
			out->alpha = o->alpha != 0;
			out->alpha_preregistration =
			    o->alpha_preregistration != 0;
			return;
		}
	}
	for (i = 0; i < gw_country_table_len; i++)
		if (strcmp(gw_country_table[i].iso, out->iso) == 0) {
			out->alpha = gw_country_table[i].alpha;
			out->alpha_preregistration =
			    gw_country_table[i].alpha_preregistration;
			return;
		}
}

/* 1 when the space-separated list holds the 3-digit code npa. */
static int
overlay_has(const char *list, const char *npa)
{
	const char *p;

	for (p = list; (p = strstr(p, npa)) != NULL; p++)
		if ((p == list || p[-1] == ' ') &&
		    (p[3] == '\0' || p[3] == ' '))
			return 1;
	return 0;
}

static int
npa_valid(const char *npa)
{
	return npa != NULL && strlen(npa) == 3 && npa[0] >= '2' &&
	    npa[0] <= '9' && isdigit((unsigned char)npa[1]) &&
	    isdigit((unsigned char)npa[2]);
}

size_t
gw_nanp_overlays(const char *npa, char (*out)[4], size_t cap)
{
	char seen[GW_OVERLAYS_SEEN][4];
	const char *p;
	size_t i, j, n = 0;

	if (!npa_valid(npa))
		return 0;
	for (i = 0; i < gw_overlay_table_len; i++) {
		if (!overlay_has(gw_overlay_table[i].area_codes, npa))
			continue;
		/* Every other code of the row, once, in table order. */
		for (p = gw_overlay_table[i].area_codes; *p != '\0';
		    p += p[3] == ' ' ? 4 : 3) {
			if (strncmp(p, npa, 3) == 0)
				continue;
			for (j = 0; j < n && strncmp(seen[j], p, 3) != 0; j++)
				;
			if (j < n || n == GW_OVERLAYS_SEEN)
				continue;
			memcpy(seen[n], p, 3);
			seen[n][3] = '\0';
			if (n < cap)
				memcpy(out[n], seen[n], 4);
			n++;
		}
	}
	return n;
}

const char *
gw_sender_country_of(const char *e164)
{
	char npa[4];
	size_t i;

	if (e164 == NULL || strncmp(e164, "+1", 2) != 0 ||
	    strlen(e164) < 5)
		return gw_country_of(e164);
	memcpy(npa, e164 + 2, 3);
	npa[3] = '\0';
	for (i = 0; i < gw_overlay_table_len; i++)
		if (strcmp(gw_overlay_table[i].country, "CA") == 0 &&
		    overlay_has(gw_overlay_table[i].area_codes, npa))
			return "CA";
	return gw_country_of(e164);
}
