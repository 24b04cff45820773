// Interop: the official Twilio helper library for Node.js (npm `twilio`),
// unchanged but for the base URLs of its api and messaging domains,
// against `carrierlab serve` (tests/scenarios/serve-interop.json):
// creates messages with From and with a Messaging Service, fetches them,
// lists them through several pages, gets a RestException for a bad To and
// a bad token, redacts a body, receives a status callback that the
// library's own validateRequest() accepts, and manages a Messaging
// Service and its alpha sender through messaging.v1. Run by twilio.sh:
//
//   node twilio.js BASE_URL ACCOUNT_SID AUTH_TOKEN FROM SERVICE_SID
//
// Each step has its own deadline; the first failure prints "FAIL: step:
// why" and exits 1.
"use strict";

const http = require("http");
const twilio = require("twilio");

const [base, accountSid, authToken, from, serviceSid] =
    process.argv.slice(2);
const STEP_MS = 20000;
let step = "start";

function fail(why) {
	console.error(`FAIL: ${step}: ${why}`);
	process.exit(1);
}

function check(cond, why) {
	if (!cond)
		fail(why);
}

function eq(got, want, what) {
	check(got === want, `${what} is ${JSON.stringify(got)}, not ` +
	    `${JSON.stringify(want)}`);
}

async function run(name, fn) {
	step = name;
	let timer;
	const deadline = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`no result within ` +
		    `${STEP_MS} ms`)), STEP_MS);
	});
	try {
		await Promise.race([fn(), deadline]);
	} catch (err) {
		fail(err && err.stack ? err.stack : String(err));
	} finally {
		clearTimeout(timer);
	}
	console.log(`ok: ${name}`);
}

function pause(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function client(token) {
	const c = twilio(accountSid, token);
	c.api.baseUrl = base;
	c.messaging.baseUrl = base;
	return c;
}

// A status callback receiver: the library's validateRequest() must accept
// every X-Twilio-Signature.
function callbackServer() {
	const received = [];
	const server = http.createServer((req, res) => {
		let body = "";
		req.setEncoding("utf8");
		req.on("data", (chunk) => { body += chunk; });
		req.on("end", () => {
			const params = Object.fromEntries(
			    new URLSearchParams(body));
			const url = `http://127.0.0.1:${server.address().port}` +
			    req.url;
			received.push({
				params,
				valid: twilio.validateRequest(authToken,
				    req.headers["x-twilio-signature"] || "",
				    url, params),
			});
			res.writeHead(200, {"Content-Length": "0"});
			res.end();
		});
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => resolve({server, received}));
	});
}

async function waitFor(what, cond) {
	for (;;) {
		const v = await cond();
		if (v)
			return v;
		await pause(50);
	}
}

function isMessage(m) {
	check(/^SM[0-9a-f]{32}$/.test(m.sid), `sid ${m.sid}`);
	eq(m.accountSid, accountSid, "accountSid");
	eq(m.apiVersion, "2010-04-01", "apiVersion");
	check(m.dateCreated instanceof Date && !isNaN(m.dateCreated),
	    `dateCreated ${m.dateCreated} is not an RFC 2822 date`);
	eq(typeof m.numSegments, "string", "type of numSegments");
	eq(typeof m.numMedia, "string", "type of numMedia");
	eq(m.uri, `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
	    "uri");
}

async function main() {
	const c = client(authToken);
	const cb = await callbackServer();
	const cbUrl = `http://127.0.0.1:${cb.server.address().port}/status`;
	let first;

	await run("create with From", async () => {
		first = await c.messages.create({to: "+14155550160", from,
		    body: "hello from twilio-node", statusCallback: cbUrl});
		isMessage(first);
		eq(first.status, "queued", "status");
		eq(first.from, from, "from");
		eq(first.to, "+14155550160", "to");
		eq(first.numSegments, "1", "numSegments");
		eq(first.direction, "outbound-api", "direction");
		eq(first.body, "hello from twilio-node", "body");
		eq(first.errorCode, null, "errorCode");
	});
	await run("create with messagingServiceSid", async () => {
		const m = await c.messages.create({to: "+14155550162",
		    messagingServiceSid: serviceSid, body: "from the pool"});
		isMessage(m);
		eq(m.status, "accepted", "status");
		eq(m.messagingServiceSid, serviceSid, "messagingServiceSid");
	});
	await run("fetch until delivered", async () => {
		const m = await waitFor("delivered", async () => {
			const f = await c.messages(first.sid).fetch();
			return f.status === "delivered" ? f : null;
		});
		isMessage(m);
		eq(m.sid, first.sid, "sid");
		check(m.dateSent instanceof Date && !isNaN(m.dateSent),
		    `dateSent ${m.dateSent}`);
	});
	await run("status callbacks validate", async () => {
		const got = await waitFor("delivered callback", () =>
		    cb.received.find((r) => r.params.MessageStatus ===
		    "delivered"));
		eq(got.params.MessageSid, first.sid, "MessageSid");
		for (const r of cb.received)
			check(r.valid, `validateRequest() refused the ` +
			    `${r.params.MessageStatus} callback's signature`);
	});
	await run("list through pages", async () => {
		const to = "+14155550161";
		const sids = [];
		for (let i = 0; i < 7; i++)
			sids.push((await c.messages.create({to, from,
			    body: `page test ${i}`})).sid);
		const listed = await c.messages.list({to, pageSize: 3,
		    limit: 20});
		eq(listed.length, 7, "messages listed");
		eq(new Set(listed.map((m) => m.sid)).size, 7,
		    "distinct messages listed");
		for (const sid of sids)
			check(listed.some((m) => m.sid === sid),
			    `${sid} not listed`);
		for (const m of listed)
			eq(m.to, to, "to of a listed message");
		let page = await c.messages.page({to, pageSize: 3});
		const sizes = [];
		while (page) {
			sizes.push(page.instances.length);
			page = await page.nextPage();
		}
		eq(sizes.join(","), "3,3,1", "page sizes");
		const two = await c.messages.list({to, limit: 2});
		eq(two.length, 2, "messages with limit 2");
	});
	await run("bad To is RestException 21211", async () => {
		let err = null;
		try {
			await c.messages.create({to: "not-a-number", from,
			    body: "x"});
		} catch (e) {
			err = e;
		}
		check(err instanceof twilio.RestException,
		    `not a RestException: ${err}`);
		eq(err.status, 400, "status");
		eq(err.code, 21211, "code");
		eq(err.moreInfo, "https://www.twilio.com/docs/errors/21211",
		    "moreInfo");
	});
	await run("bad token is RestException 20003", async () => {
		let err = null;
		try {
			await client("wrong-token").messages.list({limit: 1});
		} catch (e) {
			err = e;
		}
		check(err instanceof twilio.RestException,
		    `not a RestException: ${err}`);
		eq(err.status, 401, "status");
		eq(err.code, 20003, "code");
	});
	await run("redact the body", async () => {
		const m = await c.messages(first.sid).update({body: ""});
		eq(m.sid, first.sid, "sid");
		eq(m.body, "", "body after update");
		const f = await c.messages(first.sid).fetch();
		eq(f.body, "", "body fetched after redaction");
		eq(f.status, "delivered", "status after redaction");
	});
	await run("messaging v1: a service and its pool", async () => {
		const svc = await c.messaging.v1.services.create({
		    friendlyName: "twilio-node", stickySender: false,
		    validityPeriod: 600});
		check(/^MG[0-9a-f]{32}$/.test(svc.sid), `sid ${svc.sid}`);
		eq(svc.friendlyName, "twilio-node", "friendlyName");
		eq(svc.stickySender, false, "stickySender");
		eq(svc.validityPeriod, 600, "validityPeriod");
		check(svc.dateCreated instanceof Date && !isNaN(svc.dateCreated),
		    `dateCreated ${svc.dateCreated} is not an ISO 8601 date`);
		const upd = await c.messaging.v1.services(svc.sid).update({
		    areaCodeGeomatch: false});
		eq(upd.areaCodeGeomatch, false, "areaCodeGeomatch after update");
		const alpha = await c.messaging.v1.services(svc.sid)
		    .alphaSenders.create({alphaSender: "NODE"});
		check(/^AI[0-9a-f]{32}$/.test(alpha.sid), `alpha ${alpha.sid}`);
		eq(alpha.alphaSender, "NODE", "alphaSender");
		const listed = await c.messaging.v1.services(svc.sid)
		    .alphaSenders.list();
		eq(listed.length, 1, "alpha senders listed");
		const all = await c.messaging.v1.services.list();
		check(all.some((x) => x.sid === svc.sid), "service not listed");
		let err = null;
		try {
			await c.messaging.v1.services(svc.sid).alphaSenders
			    .create({alphaSender: "NODE"});
		} catch (e) {
			err = e;
		}
		check(err instanceof twilio.RestException,
		    `second alpha sender: not a RestException: ${err}`);
		eq(err.code, 21710, "code of a second alpha sender");
		eq(await c.messaging.v1.services(svc.sid).remove(), true,
		    "remove");
	});
	cb.server.close();
	console.log("PASS");
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
