/*
 * The simulator control API: /sim/ routes (JSON) and GET /metrics
 * (Prometheus text) on one evhttp listener, which `carrierlab smsc` runs
 * alone and `carrierlab serve` shares with the gateway's API.
 *
 * The module owns the /sim/ namespace and /metrics: every path there is
 * answered here (404 JSON when no route matches) and is authorized first.
 * Any other path goes to the fallback set with sim_http_set_fallback(), or
 * gets a 404 JSON answer when there is none. Routes and response shapes
 * are documented in docs/sim-api.md.
 *
 * Runs on the caller's event loop; the clock, the carriers and the
 * carrier array are borrowed and must outlive the struct sim_http.
 */
#ifndef CARRIERLAB_SCENARIOS_SIM_HTTP_H
#define CARRIERLAB_SCENARIOS_SIM_HTTP_H

#include <stddef.h>

#include <jansson.h>

struct carrier;
struct clock;
struct evbuffer;
struct event_base;
struct evhttp;
struct evhttp_request;
struct sim_http;
struct sockaddr;

/* Largest request body accepted; a larger one is answered 413. */
#define SIM_HTTP_MAX_BODY	(1024 * 1024)

/*
 * Listens on address, "host:port" or "[v6-host]:port"; port 0 picks a free
 * one (see sim_http_port()). admin_token "" means peers off loopback are
 * refused (403); otherwise they must send "Authorization: Bearer <token>".
 * Returns NULL with a reason in err ("listen 127.0.0.1:8080: Address
 * already in use").
 */
struct sim_http	*sim_http_start(struct event_base *, struct clock *,
		    const char *address, const char *admin_token,
		    struct carrier *const *carriers, size_t ncarriers,
		    char *err, size_t errlen);
/* Closes the listener and its connections and frees; NULL is allowed. */
void		 sim_http_free(struct sim_http *);
/* The evhttp underneath, for whoever adds routes on the same listener. */
struct evhttp	*sim_http_evhttp(struct sim_http *);
/* The bound TCP port (useful after asking for port 0). */
int		 sim_http_port(struct sim_http *);

/*
 * Hands every request outside /sim/ and /metrics to cb, which then owns
 * the answer. cb NULL restores the default: 404 JSON.
 */
void		 sim_http_set_fallback(struct sim_http *,
		    void (*cb)(struct evhttp_request *, void *), void *arg);

/*
 * Has cb append more families to every GET /metrics answer, after the
 * carriers' and this module's own (the gateway's, in `carrierlab serve`).
 * cb NULL: none.
 */
/*
 * GET /sim/messages/{sid}: cb returns the JSON to answer (the caller
 * takes the reference), or NULL for 404. Without a hook the route
 * answers 404 (carrierlab smsc has no gateway).
 */
void		 sim_http_set_message_hook(struct sim_http *,
		    json_t *(*cb)(const char *sid, void *), void *arg);
/*
 * GET and PUT /sim/services/{sid}/opt-out: cb gets the service sid and
 * the PUT's JSON body (NULL for a GET) and returns the JSON to answer 200
 * with (the caller takes the reference), or NULL with *status (400, 404)
 * and err. Without a hook the routes answer 404.
 */
void		 sim_http_set_optout_hook(struct sim_http *,
		    json_t *(*cb)(const char *sid, const json_t *put,
		    int *status, char *err, size_t errlen, void *),
		    void *arg);
/*
 * The gateway's links (carrierlab serve): PUT /sim/link-shortener/outage
 * calls outage, POST /sim/links/{code}/click calls click, which returns
 * gateway_links_click()'s object (the caller takes the reference).
 * Without hooks both routes answer 404.
 */
#define SIM_HANDSET_USER_AGENT	"Mozilla/5.0 (Linux; Android 14) " \
	"carrierlab-handset"
struct sim_links_hooks {
	void		(*outage)(int on, void *arg);
	json_t		*(*click)(const char *code, const char *user_agent,
			    void *arg);
};
void		 sim_http_set_links_hooks(struct sim_http *,
		    const struct sim_links_hooks *, void *arg);
void		 sim_http_set_metrics_hook(struct sim_http *,
		    void (*cb)(struct evbuffer *, void *), void *arg);

/*
 * The access decision for /sim/ and /metrics, as a pure function: peer is
 * the client's address (NULL counts as off loopback), authorization the
 * Authorization header or NULL. Returns 0 when allowed, else the HTTP
 * status to answer: 401 (credentials missing or wrong) or 403 (no admin
 * token configured, so no credentials can help).
 */
int		 sim_http_authorize(const struct sockaddr *peer,
		    const char *authorization, const char *admin_token);

#endif
