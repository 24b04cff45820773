#!/usr/bin/env python3
"""The far end of carrierlab's webhooks in the integration tests.

An HTTP server (Python 3 standard library only) that records every request
it gets as one JSON line and checks its X-Twilio-Signature with its own
implementation of Twilio's documented algorithm (twilio-api.md section 6):
base64(HMAC-SHA1(auth token, URL + for each form parameter name in byte
order, name + value)). Nothing here comes from the gateway's code, so a
gateway that signs wrongly fails the tests that read these lines.

    webhook-receiver.py --ready-file PATH --log PATH --token TOKEN
                        [--control PATH] [--host 127.0.0.1] [--port 0]

--ready-file  written (atomically) once listening: {"port": N, "pid": P,
              "url": "http://127.0.0.1:N"}
--log         one JSON object per request, appended and flushed before the
              answer is sent: time, method, path, url, params (name ->
              list of values, form body and query string), signature,
              signature_ok, expected_signature, content_type, answered
--token       the auth token signatures are checked with; repeat as
              ACCOUNTSID=TOKEN to pick the token by the AccountSid
              parameter (account_sid in link click events; a bare TOKEN
              is the default)
--control     a file read on every request; when it holds a status code
              ("503"), that is the answer instead of 200 (to provoke the
              gateway's retries); absent or empty: 200

The URL the gateway called decides the answer too: ?status=NNN answers
NNN, ?reply=TEXT answers TwiML <Response><Message>TEXT</Message>
</Response> (text/xml) and ?delay_ms=N waits N ms first. The signature is
computed over http://HOST:PORT + the path and query as received, where
HOST:PORT is the address the receiver listens on, i.e. the URL the
scenario gave the gateway.

SIGTERM and SIGINT stop it with status 0.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

# twilio-api.md section 6: the documented test vector, checked at start so
# that a broken implementation here cannot pass a broken gateway.
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": ["CA1234567890ABCDE"],
    "Caller": ["+12349013030"],
    "Digits": ["1234"],
    "From": ["+12349013030"],
    "To": ["+18005551212"],
}
VECTOR_TOKEN = "12345"
VECTOR_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def twilio_signature(token, url, params, sort_values=False):
    """Twilio's X-Twilio-Signature of a form POST (params: name -> values).

    Names are sorted by their bytes; each value of a name is appended as
    name + value, in the order received (or sorted, as twilio-node does
    when it validates, with sort_values).
    """
    data = url
    for name in sorted(params, key=lambda n: n.encode("utf-8")):
        values = params[name]
        if sort_values:
            values = sorted(set(values), key=lambda v: v.encode("utf-8"))
        for value in values:
            data += name + value
    digest = hmac.new(token.encode("utf-8"), data.encode("utf-8"),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def self_test():
    got = twilio_signature(VECTOR_TOKEN, VECTOR_URL, VECTOR_PARAMS)
    if got != VECTOR_SIGNATURE:
        sys.exit("webhook-receiver: the signature of the documented test "
                 "vector is %s, not %s" % (got, VECTOR_SIGNATURE))


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, args):
        super().__init__(address, Handler)
        self.args = args
        self.lock = threading.Lock()
        self.log = open(args.log, "a", encoding="utf-8")
        self.default_token = None
        self.tokens = {}
        for t in args.token:
            if "=" in t and t.startswith("AC"):
                sid, tok = t.split("=", 1)
                self.tokens[sid] = tok
            else:
                self.default_token = t

    def token_for(self, params):
        # Twilio's webhooks say AccountSid; link click events account_sid.
        sid = (params.get("AccountSid") or params.get("account_sid")
               or [""])[0]
        return self.tokens.get(sid, self.default_token)

    def control_status(self):
        path = self.args.control
        if not path:
            return 200
        try:
            with open(path, encoding="ascii") as f:
                text = f.read().strip()
        except OSError:
            return 200
        return int(text) if text.isdigit() else 200

    def record(self, entry):
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock:
            self.log.write(line)
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"	# keep-alive, as the gateway wants
    server_version = "webhook-receiver/1"

    def log_message(self, fmt, *args):	# quiet: the JSON lines say it
        pass

    def do_GET(self):
        self.handle_one(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.handle_one(self.rfile.read(length) if length > 0 else b"")

    def handle_one(self, body):
        srv = self.server
        host, port = srv.server_address[:2]
        url = "http://%s:%d%s" % (host, port, self.path)
        split = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        ctype = self.headers.get("Content-Type") or ""
        form = {}
        if self.command == "POST" and ctype.split(";")[0].strip() == \
                "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                         keep_blank_values=True)
        token = srv.token_for(form or query)
        sig = self.headers.get("X-Twilio-Signature")
        want = twilio_signature(token, url, form) if token else None
        ok = sig is not None and want is not None and \
            hmac.compare_digest(sig, want)
        if not ok and sig is not None and token:
            ok = hmac.compare_digest(
                sig, twilio_signature(token, url, form, sort_values=True))
        status = srv.control_status()
        if "status" in query and query["status"][0].isdigit():
            status = int(query["status"][0])
        reply = None
        if "reply" in query and status == 200:
            reply = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                     "<Response><Message>%s</Message></Response>" %
                     escape(query["reply"][0])).encode("utf-8")
        srv.record({
            "time": time.time(),
            "method": self.command,
            "path": split.path,
            "url": url,
            "query": query,
            "params": form,
            "content_type": ctype,
            "host": self.headers.get("Host"),
            "user_agent": self.headers.get("User-Agent"),
            "signature": sig,
            "expected_signature": want,
            "signature_ok": ok,
            "answered": status,
        })
        if "delay_ms" in query and query["delay_ms"][0].isdigit():
            time.sleep(int(query["delay_ms"][0]) / 1000.0)
        out = reply if reply is not None else b""
        self.send_response(status)
        self.send_header("Content-Type",
                         "text/xml" if reply is not None else "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def write_ready(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        json.dump({"port": port, "pid": os.getpid(),
                   "url": "http://127.0.0.1:%d" % port}, f)
    os.rename(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ready-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--token", action="append", default=[])
    p.add_argument("--control")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    self_test()
    srv = Receiver((args.host, args.port), args)

    def stop(signum, frame):
        # shutdown() waits for serve_forever(): do it from another thread.
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    write_ready(args.ready_file, srv.server_address[1])
    srv.serve_forever(poll_interval=0.05)
    srv.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
