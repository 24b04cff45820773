#!/usr/bin/env node
/*
 * Interop check: the npm `smpp` package (a third-party SMPP 3.4 client we
 * did not write) against `carrierlab smsc`.
 *
 *   node tests/interop/node-smpp.js HOST PORT HTTP_BASE [TLS_PORT]
 *
 * HTTP_BASE is the smsc's control API ("http://127.0.0.1:PORT"). The
 * carrier must be named "alpha" (INTEROP_CARRIER overrides), accept
 * system_id "test" / password "test", and deliver every receipt with
 * stat DELIVRD after a short delay. With TLS_PORT, the last steps repeat a
 * bind and a receipted submit over TLS (self-signed certificate accepted).
 *
 * Runs the steps in order, each with its own deadline, prints "ok N - step"
 * for each and exits 1 with "FAIL: step: reason" at the first failure.
 * INTEROP_STEP_TIMEOUT (ms, default 5000) sets the per-step deadline.
 */
'use strict';

const http = require('http');
const smpp = require('smpp');

const argv = process.argv.slice(2);
if (argv.length < 3 || argv.length > 4) {
	console.error('usage: node node-smpp.js HOST PORT HTTP_BASE [TLS_PORT]');
	process.exit(2);
}
const HOST = argv[0];
const PORT = Number(argv[1]);
const HTTP_BASE = argv[2].replace(/\/+$/, '');
const TLS_PORT = argv[3] ? Number(argv[3]) : 0;
const CARRIER = process.env.INTEROP_CARRIER || 'alpha';
const STEP_MS = Number(process.env.INTEROP_STEP_TIMEOUT || 5000);
const SYSTEM_ID = 'test';
const PASSWORD = 'test';

const ESME_ROK = 0x00;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
const ESM_TYPE_MASK = 0x3c;	/* esm_class bits 2-5: message type */
const ESM_RECEIPT = 0x04;	/* MC delivery receipt */
const ESM_UDHI = 0x40;
const STATE_DELIVERED = 2;

function hex(n) {
	return '0x' + Number(n).toString(16).padStart(8, '0');
}

/* ------------------------------------------------------------------ */
/* Steps, deadlines and failure                                        */

class StepError extends Error {}

let stepNo = 0;
let currentStep = '(start)';

function fail(msg) {
	throw new StepError(msg);
}

function check(cond, msg) {
	if (!cond) {
		fail(msg);
	}
}

function eq(actual, expected, what) {
	if (actual !== expected) {
		fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
	}
}

/* Runs fn (async) with a deadline of ms; prints "ok N - name". */
async function step(name, fn, ms = STEP_MS) {
	currentStep = name;
	let timer;
	const deadline = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new StepError(`no answer within ${ms} ms`)), ms);
	});
	try {
		const result = await Promise.race([fn(), deadline]);
		stepNo++;
		console.log(`ok ${stepNo} - ${name}`);
		return result;
	} finally {
		clearTimeout(timer);
	}
}

/* ------------------------------------------------------------------ */
/* SMPP client helpers                                                 */

/*
 * A connected smpp.Session with an inbox of every deliver_sm (each
 * answered with deliver_sm_resp ESME_ROK), a log of every PDU in, and
 * requests that fail when the connection closes before their response.
 */
class Peer {
	constructor(label, session) {
		this.label = label;
		this.session = session;
		this.inbox = [];	/* deliver_sm PDUs, in arrival order */
		this.pdusIn = [];
		this.waiters = [];
		this.pending = new Map();
		this.closed = false;
		this.errors = [];
		this.unexpected = [];

		session.on('pdu', (pdu) => {
			this.pdusIn.push(pdu);
			if (pdu.command === 'generic_nack') {
				this.unexpected.push(`generic_nack ${hex(pdu.command_status)} for sequence ${pdu.sequence_number}`);
			}
		});
		session.on('deliver_sm', (pdu) => {
			pdu.received_at = Date.now();
			this.inbox.push(pdu);
			session.send(pdu.response());
			this._notify();
		});
		session.on('enquire_link', (pdu) => session.send(pdu.response()));
		session.on('unbind', (pdu) => {
			session.send(pdu.response());
		});
		session.on('error', (e) => {
			this.errors.push(e);
			this._closeAll(`socket error: ${e.message}`);
		});
		session.on('close', () => {
			this.closed = true;
			this._closeAll('connection closed');
			this._notify();
		});
	}

	_closeAll(why) {
		for (const [, p] of this.pending) {
			p.reject(new StepError(`${why} before ${p.command}_resp`));
		}
		this.pending.clear();
	}

	_notify() {
		for (const w of this.waiters.slice()) {
			w();
		}
	}

	/*
	 * Sends command with params; resolves {resp, sent} where sent is the
	 * PDU as encoded (short_message is then the Buffer put on the wire).
	 */
	request(command, params) {
		return new Promise((resolve, reject) => {
			if (this.closed) {
				reject(new StepError(`connection already closed, cannot send ${command}`));
				return;
			}
			const pdu = new smpp.PDU(command, params || {});
			const ok = this.session.send(pdu, (resp) => {
				this.pending.delete(pdu.sequence_number);
				if (resp.command !== `${command}_resp`) {
					reject(new StepError(`${command} answered with ${resp.command} status ${hex(resp.command_status)}`));
					return;
				}
				resolve({resp, sent: pdu});
			}, null, (failed, err) => {
				this.pending.delete(pdu.sequence_number);
				reject(new StepError(`could not send ${command}: ${err ? err.message : 'socket not writable'}`));
			});
			if (ok === false) {
				reject(new StepError(`could not send ${command}: socket not writable`));
				return;
			}
			/* send() numbered and encoded pdu synchronously. */
			this.pending.set(pdu.sequence_number, {command, reject});
		});
	}

	/*
	 * Resolves with the first deliver_sm matching pred (past or future);
	 * fails after ms with a list of the deliver_sm that did arrive.
	 */
	waitDeliver(pred, what, ms = Math.max(STEP_MS - 500, 500)) {
		return new Promise((resolve, reject) => {
			let timer = null;
			const stop = () => {
				clearTimeout(timer);
				this.waiters = this.waiters.filter((w) => w !== look);
			};
			const look = () => {
				const found = this.inbox.find(pred);
				if (found) {
					stop();
					resolve(found);
				} else if (this.closed) {
					stop();
					reject(new StepError(`connection closed while waiting for ${what}`));
				}
			};
			timer = setTimeout(() => {
				stop();
				const got = this.inbox.map((d) => `esm_class ${hex(d.esm_class)} ` +
				    `receipted_message_id ${JSON.stringify(d.receipted_message_id)} ` +
				    `text ${JSON.stringify(deliverText(d))}`);
				reject(new StepError(`no ${what} within ${ms} ms; deliver_sm received on this bind: ` +
				    (got.length ? got.join('; ') : 'none')));
			}, ms);
			this.waiters.push(look);
			look();
		});
	}

	close() {
		return new Promise((resolve) => {
			if (this.closed) {
				resolve();
				return;
			}
			this.session.once('close', () => resolve());
			this.session.close();
		});
	}

	destroy() {
		if (!this.closed) {
			this.session.destroy();
		}
	}

	localPort() {
		const s = this.session.socket;
		return s ? s.localPort : undefined;
	}
}

function connect(label, port, tls) {
	return new Promise((resolve, reject) => {
		const session = smpp.connect({
			host: HOST,
			port: port,
			tls: !!tls,
			rejectUnauthorized: false,	/* the smsc's certificate is self-signed */
			servername: tls ? 'localhost' : undefined,
			connectTimeout: STEP_MS,
		});
		let done = false;
		session.on(tls ? 'secureConnect' : 'connect', () => {
			if (!done) {
				done = true;
				resolve(new Peer(label, session));
			}
		});
		session.on('error', (e) => {
			if (!done) {
				done = true;
				reject(new StepError(`cannot connect to ${HOST}:${port}${tls ? ' (TLS)' : ''}: ${e.message}`));
			}
		});
	});
}

function messageText(sm) {
	if (sm === undefined || sm === null) {
		return undefined;
	}
	if (typeof sm === 'string') {
		return sm;
	}
	if (Buffer.isBuffer(sm)) {
		return sm.toString('latin1');
	}
	if (typeof sm.message === 'string') {
		return sm.message;
	}
	if (Buffer.isBuffer(sm.message)) {
		return sm.message.toString('latin1');
	}
	return undefined;
}

/* The text of a deliver_sm: short_message, else message_payload. */
function deliverText(pdu) {
	const t = messageText(pdu.short_message);
	if (t) {
		return t;
	}
	return messageText(pdu.message_payload) || '';
}

function isReceipt(pdu) {
	return (pdu.esm_class & ESM_TYPE_MASK) === ESM_RECEIPT;
}

const RECEIPT_RE = /^id:(\S+) sub:(\d{3}) dlvrd:(\d{3}) submit date:(\d{10}|\d{12}) done date:(\d{10}|\d{12}) stat:([A-Z]{7}) err:(\d{3})(?: [Tt]ext:(.*))?$/s;

function receiptId(pdu) {
	const m = RECEIPT_RE.exec(deliverText(pdu));
	return m ? m[1] : undefined;
}

/* Same id written in the same or another base (hex/decimal). */
function sameId(a, b) {
	if (a === undefined || b === undefined) {
		return false;
	}
	if (a === b || a.toLowerCase() === b.toLowerCase()) {
		return true;
	}
	try {
		const bases = [[/^[0-9]+$/, ''], [/^[0-9a-f]+$/i, '0x']];
		for (const [ra, pa] of bases) {
			for (const [rb, pb] of bases) {
				if (ra.test(a) && rb.test(b) && BigInt(pa + a) === BigInt(pb + b)) {
					return true;
				}
			}
		}
	} catch (e) {
		/* not numbers */
	}
	return false;
}

/* A deliver_sm that refers to message id (TLV or receipt text), whatever
 * its esm_class: checkReceipt() then tells what is wrong with it. */
function receiptFor(id) {
	return (pdu) => pdu.receipted_message_id === id || sameId(receiptId(pdu), id);
}

/* ------------------------------------------------------------------ */
/* HTTP control API                                                    */

function httpJSON(method, path, body) {
	return new Promise((resolve, reject) => {
		const url = new URL(HTTP_BASE + path);
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const req = http.request(url, {
			method,
			headers: data ? {'content-type': 'application/json', 'content-length': data.length} : {},
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch (e) {
					json = undefined;
				}
				resolve({status: res.statusCode, text, json});
			});
			res.on('error', reject);
		});
		req.on('error', (e) => reject(new StepError(`${method} ${url}: ${e.message}`)));
		req.setTimeout(STEP_MS, () => req.destroy(new Error('timed out')));
		if (data) {
			req.write(data);
		}
		req.end();
	});
}

async function getJSON(path) {
	const r = await httpJSON('GET', path);
	if (r.status !== 200 || r.json === undefined) {
		fail(`GET ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
	}
	return r.json;
}

/* A captured PDU's field: flat (as `carrierlab pdu decode`) or under body. */
function field(pdu, name) {
	if (pdu.body && typeof pdu.body === 'object' && name in pdu.body) {
		return pdu.body[name];
	}
	return pdu[name];
}

function capturedHex(v) {
	if (typeof v === 'string') {
		return v.toLowerCase();
	}
	if (v && typeof v.hex === 'string') {
		return v.hex.toLowerCase();
	}
	return v;
}

function statusValue(s) {
	if (typeof s === 'number') {
		return s;
	}
	if (s === 'ESME_ROK') {
		return 0;
	}
	if (typeof s === 'string' && /^0x[0-9a-f]+$/i.test(s)) {
		return parseInt(s, 16);
	}
	return s;
}

function capturedTlv(pdu, name) {
	const tlvs = field(pdu, 'tlvs') || pdu.tlvs || [];
	const t = tlvs.find((x) => x.name === name);
	return t ? t.value : undefined;
}

/*
 * The bind of peer in /sim/carriers/CARRIER/binds: system_id test, type
 * trx, its "peer" our local address when the API gives one, and a capture
 * that satisfies hasOurs (pdus). Resolves {bind, path} (path of its pdus).
 */
async function findBind(peer, hasOurs) {
	const carrier = encodeURIComponent(CARRIER);
	const j = await getJSON(`/sim/carriers/${carrier}/binds`);
	check(Array.isArray(j.binds), `no "binds" array: ${JSON.stringify(j).slice(0, 300)}`);
	const mine = j.binds.filter((x) => x.system_id === SYSTEM_ID);
	check(mine.length > 0, `no bind with system_id ${SYSTEM_ID}: ${JSON.stringify(j.binds).slice(0, 500)}`);
	const port = peer.localPort();
	for (const bind of mine) {
		if (typeof bind.peer === 'string' && port && !bind.peer.endsWith(`:${port}`)) {
			continue;
		}
		const path = `/sim/carriers/${carrier}/binds/${encodeURIComponent(String(bind.id))}/pdus?limit=10000`;
		const cap = await getJSON(path);
		check(Array.isArray(cap.pdus), `${path}: no "pdus" array: ${JSON.stringify(cap).slice(0, 300)}`);
		if (hasOurs(cap.pdus)) {
			check(/^(trx|transceiver)$/i.test(String(bind.type)),
			    `bind ${bind.id} type is ${JSON.stringify(bind.type)}, not trx`);
			return {bind, path};
		}
	}
	fail(`no bind of ${SYSTEM_ID} from local port ${port} with our PDUs captured: ` +
	    JSON.stringify(mine).slice(0, 600));
}

/* ------------------------------------------------------------------ */
/* Messages                                                            */

/* GSM 03.38 septets of a string (extension characters take two). */
const GSM_EXT = '\f^{}\\[~]|€';
function septets(s) {
	let n = 0;
	for (const c of s) {
		n += GSM_EXT.includes(c) ? 2 : 1;
	}
	return n;
}

/* Splits text into parts of at most max septets, never inside an escape. */
function splitGsm(text, max) {
	const parts = [];
	let cur = '';
	for (const c of text) {
		if (septets(cur + c) > max) {
			parts.push(cur);
			cur = '';
		}
		cur += c;
	}
	if (cur) {
		parts.push(cur);
	}
	return parts;
}

/* 400 characters from the GSM 03.38 default alphabet, some outside ASCII. */
function longText() {
	const base = 'Long message from the node smpp peer, part of the carrierlab ' +
	    'interop test: @ £ é ü Ø Δ and € { } must survive GSM 03.38. ';
	let t = '';
	let i = 0;
	while (t.length < 400) {
		t += `[${i++}] ` + base;
	}
	return t.slice(0, 400);
}

/* ------------------------------------------------------------------ */
/* The session                                                         */

async function badBind(password, systemId, expected, name) {
	const peer = await step(`connect for ${name}`, () => connect(name, PORT, false));
	try {
		await step(`${name}: bind_transceiver answered ${hex(expected)}`, async () => {
			const {resp} = await peer.request('bind_transceiver', {
				system_id: systemId, password: password, interface_version: 0x34,
			});
			eq(hex(resp.command_status), hex(expected), 'bind_transceiver_resp command_status');
		});
	} finally {
		peer.destroy();
	}
}

async function submit(peer, what, params) {
	const {resp, sent} = await peer.request('submit_sm', Object.assign({
		source_addr_ton: 1, source_addr_npi: 1, source_addr: '14155550100',
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '14155550111',
		registered_delivery: 0,
	}, params));
	eq(hex(resp.command_status), hex(ESME_ROK), `${what}: submit_sm_resp command_status`);
	check(typeof resp.message_id === 'string' && resp.message_id.length > 0,
	    `${what}: submit_sm_resp has no message_id (got ${JSON.stringify(resp.message_id)})`);
	check(sent && Buffer.isBuffer(sent.short_message), `${what}: the smpp package did not report the encoded PDU`);
	return {id: resp.message_id, seq: sent.sequence_number, sent};
}

function checkReceipt(r, msg, text, what) {
	eq(r.esm_class & ESM_TYPE_MASK, ESM_RECEIPT, `${what}: receipt esm_class message type (esm_class ${hex(r.esm_class)})`);
	eq(r.esm_class, ESM_RECEIPT, `${what}: receipt esm_class`);
	const body = deliverText(r);
	const m = RECEIPT_RE.exec(body);
	check(m, `${what}: receipt text is not Appendix B: ${JSON.stringify(body)}`);
	check(sameId(m[1], msg.id), `${what}: receipt id:${m[1]} is not the submit_sm_resp message_id ${msg.id}`);
	eq(m[2], '001', `${what}: receipt sub`);
	eq(m[3], '001', `${what}: receipt dlvrd`);
	eq(m[6], 'DELIVRD', `${what}: receipt stat`);
	eq(m[7], '000', `${what}: receipt err`);
	if (m[8] !== undefined) {
		check(text.startsWith(m[8]), `${what}: receipt text:${JSON.stringify(m[8])} is not the start of the message ${JSON.stringify(text)}`);
	}
	eq(r.receipted_message_id, msg.id, `${what}: receipted_message_id TLV`);
	eq(r.message_state, STATE_DELIVERED, `${what}: message_state TLV`);
}

async function main() {
	const overall = setTimeout(() => {
		console.error(`FAIL: ${currentStep}: the whole session took longer than ${STEP_MS * 20} ms`);
		process.exit(1);
	}, STEP_MS * 20);
	overall.unref();

	/* Binds refused with the right status. */
	await badBind('wrong', SYSTEM_ID, ESME_RINVPASWD, 'bad password');
	await badBind(PASSWORD, 'nobody', ESME_RINVSYSID, 'unknown system_id');

	const peer = await step('connect', () => connect('main', PORT, false));
	await step('bind_transceiver test/test answered ESME_ROK with the carrier\'s name', async () => {
		const {resp} = await peer.request('bind_transceiver', {
			system_id: SYSTEM_ID, password: PASSWORD, interface_version: 0x34,
		});
		eq(hex(resp.command_status), hex(ESME_ROK), 'bind_transceiver_resp command_status');
		eq(resp.system_id, CARRIER, 'bind_transceiver_resp system_id');
	});

	await step('enquire_link answered ESME_ROK', async () => {
		const {resp} = await peer.request('enquire_link', {});
		eq(hex(resp.command_status), hex(ESME_ROK), 'enquire_link_resp command_status');
	});

	const submitted = [];	/* {what, id, seq, sent, text, udh, concat, receipt} */

	const textA = 'interop A: no receipt asked for this one';
	const a = await step('submit_sm registered_delivery 0 accepted with a message_id', async () => {
		const m = await submit(peer, 'A', {short_message: textA, data_coding: 0});
		submitted.push(Object.assign(m, {what: 'A (no receipt)', text: textA, receipt: false}));
		return m;
	});

	const textB = 'interop B: receipt please';
	const b = await step('submit_sm registered_delivery 1 accepted', async () => {
		const m = await submit(peer, 'B', {short_message: textB, data_coding: 0, registered_delivery: 1});
		submitted.push(Object.assign(m, {what: 'B (receipt)', text: textB, receipt: true}));
		check(m.id !== a.id, `A and B got the same message_id ${m.id}`);
		return m;
	});

	await step('receipt for B: esm_class 4, stat:DELIVRD, receipted_message_id, message_state 2', async () => {
		const r = await peer.waitDeliver(receiptFor(b.id), `the receipt for ${b.id}`);
		checkReceipt(r, b, textB, 'B');
	});

	await step('no receipt for A (registered_delivery 0), though B\'s came after it', async () => {
		const bad = peer.inbox.filter(receiptFor(a.id));
		if (bad.length > 0) {
			fail(`got a receipt for ${a.id}: ${JSON.stringify(deliverText(bad[0]))}`);
		}
	});

	const textU = 'Привет 👋';
	await step('UCS-2 submit_sm (data_coding 8, "Привет 👋") accepted', async () => {
		const m = await submit(peer, 'UCS-2', {short_message: textU, data_coding: 8});
		eq(m.sent.short_message.toString('hex'), Buffer.from(textU, 'utf16le').swap16().toString('hex'),
		    'the smpp package\'s UCS-2 octets');
		submitted.push(Object.assign(m, {what: 'UCS-2', text: textU, receipt: false}));
	});

	const text400 = longText();
	const parts = splitGsm(text400, 153);
	const ref = 0x5a;
	await step(`400-character GSM message as ${parts.length} concatenated parts (UDH 05 00 03) accepted`, async () => {
		check(parts.length === 3, `expected 3 parts of <= 153 septets, split into ${parts.length}`);
		const ids = new Set();
		for (let i = 0; i < parts.length; i++) {
			const udh = Buffer.from([0x05, 0x00, 0x03, ref, parts.length, i + 1]);
			const m = await submit(peer, `part ${i + 1}/${parts.length}`, {
				esm_class: ESM_UDHI,
				data_coding: 0,
				short_message: {udh: udh, message: parts[i]},
			});
			eq(m.sent.esm_class & ESM_UDHI, ESM_UDHI, 'the smpp package\'s esm_class UDHI');
			eq(m.sent.short_message.subarray(0, 6).toString('hex'), udh.toString('hex'), 'the smpp package\'s UDH');
			ids.add(m.id);
			submitted.push(Object.assign(m, {
				what: `part ${i + 1}/${parts.length}`, text: parts[i], receipt: false,
				udh: udh.toString('hex'), concat: {ref, total: parts.length, seq: i + 1},
			}));
		}
		check(ids.size === parts.length, `the ${parts.length} parts did not get distinct message_ids`);
	});

	/* A receipted message after all the unreceipted ones: once its receipt
	 * is in, any receipt wrongly made for an earlier one would be too. */
	const textC = 'interop C: last receipt';
	const c = await step('submit_sm registered_delivery 1 after the others; its receipt arrives', async () => {
		const m = await submit(peer, 'C', {short_message: textC, data_coding: 0, registered_delivery: 1});
		submitted.push(Object.assign(m, {what: 'C (receipt)', text: textC, receipt: true}));
		const r = await peer.waitDeliver(receiptFor(m.id), `the receipt for ${m.id}`);
		checkReceipt(r, m, textC, 'C');
		return m;
	});

	await step('receipts only for the messages that asked for one', async () => {
		for (const s of submitted) {
			const got = peer.inbox.filter(receiptFor(s.id)).length;
			eq(got, s.receipt ? 1 : 0, `receipts for ${s.what} (${s.id})`);
		}
	});

	/* What did the server decode? Its capture of this bind. */
	const bindPath = await step(`/sim/carriers/${CARRIER}/binds lists this bind`, async () => {
		const {bind, path} = await findBind(peer, (pdus) => pdus.some((x) => x.dir === 'in' && x.pdu &&
		    x.pdu.command === 'submit_sm' && x.pdu.sequence_number === c.seq));
		check(bind.tls === undefined || bind.tls === false, `bind ${bind.id} says tls ${JSON.stringify(bind.tls)}`);
		return path;
	});

	await step('captured submit_sm match what the smpp package encoded (data_coding, esm_class, octets, decoded text, UDH)', async () => {
		const cap = (await getJSON(bindPath)).pdus;
		for (const s of submitted) {
			const inn = cap.filter((x) => x.dir === 'in' && x.pdu && x.pdu.command === 'submit_sm' &&
			    x.pdu.sequence_number === s.seq);
			eq(inn.length, 1, `captured submit_sm with sequence ${s.seq} (${s.what})`);
			const p = inn[0].pdu;
			eq(field(p, 'data_coding'), s.sent.data_coding, `${s.what}: captured data_coding`);
			eq(field(p, 'esm_class'), s.sent.esm_class, `${s.what}: captured esm_class`);
			eq(field(p, 'registered_delivery'), s.sent.registered_delivery, `${s.what}: captured registered_delivery`);
			eq(field(p, 'destination_addr'), s.sent.destination_addr, `${s.what}: captured destination_addr`);
			eq(capturedHex(field(p, 'short_message')), s.sent.short_message.toString('hex'),
			    `${s.what}: captured short_message octets`);
			eq(field(p, 'text'), s.text, `${s.what}: text the server decoded`);
			if (s.udh) {
				eq(capturedHex(field(p, 'udh')), s.udh, `${s.what}: captured udh`);
				const cc = field(p, 'concat') || {};
				eq(JSON.stringify({ref: cc.ref, total: cc.total, seq: cc.seq}), JSON.stringify(s.concat),
				    `${s.what}: captured concat`);
			}
			const out = cap.filter((x) => x.dir === 'out' && x.pdu && x.pdu.command === 'submit_sm_resp' &&
			    x.pdu.sequence_number === s.seq);
			eq(out.length, 1, `captured submit_sm_resp with sequence ${s.seq} (${s.what})`);
			eq(field(out[0].pdu, 'message_id'), s.id, `${s.what}: captured submit_sm_resp message_id`);
		}
		const receipts = cap.filter((x) => x.dir === 'out' && x.pdu && x.pdu.command === 'deliver_sm');
		for (const s of submitted.filter((x) => x.receipt)) {
			check(receipts.some((x) => capturedTlv(x.pdu, 'receipted_message_id') === s.id),
			    `no captured deliver_sm with receipted_message_id ${s.id}`);
		}
	});

	const mo = {from: '+14155550123', to: '55555', body: 'hello from a handset'};
	await step('MO: POST /sim/carriers/alpha/mo answered 202', async () => {
		const r = await httpJSON('POST', `/sim/carriers/${encodeURIComponent(CARRIER)}/mo`, mo);
		eq(r.status, 202, `POST /sim/carriers/${CARRIER}/mo status (body ${r.text.slice(0, 200)})`);
	});

	const moPdu = await step('MO: deliver_sm with the handset text arrives (and is answered)', async () => {
		const d = await peer.waitDeliver((x) => !isReceipt(x) && deliverText(x) === mo.body, 'the MO deliver_sm');
		eq(d.esm_class & ESM_TYPE_MASK, 0, 'MO deliver_sm esm_class message type');
		eq(String(d.source_addr).replace(/^\+/, ''), mo.from.replace(/^\+/, ''), 'MO deliver_sm source_addr');
		eq(String(d.destination_addr), mo.to, 'MO deliver_sm destination_addr');
		return d;
	});

	await step('MO: the server captured our deliver_sm_resp ESME_ROK', async () => {
		for (;;) {	/* polled: our answer may still be on its way */
			const cap = (await getJSON(bindPath)).pdus;
			const r = cap.find((x) => x.dir === 'in' && x.pdu && x.pdu.command === 'deliver_sm_resp' &&
			    x.pdu.sequence_number === moPdu.sequence_number);
			if (r) {
				eq(statusValue(r.pdu.command_status), 0, 'captured deliver_sm_resp command_status');
				return;
			}
			await new Promise((res) => setTimeout(res, 100));
		}
	});

	await step('no generic_nack or socket error on the session', async () => {
		check(peer.unexpected.length === 0, peer.unexpected.join('; '));
		check(peer.errors.length === 0, peer.errors.map((e) => e.message).join('; '));
	});

	await step('unbind answered with unbind_resp ESME_ROK', async () => {
		const {resp} = await peer.request('unbind', {});
		eq(hex(resp.command_status), hex(ESME_ROK), 'unbind_resp command_status');
	});
	await step('close', () => peer.close());

	if (TLS_PORT) {
		const tp = await step('TLS: connect (self-signed certificate)', () => connect('tls', TLS_PORT, true));
		await step('TLS: the connection is encrypted', async () => {
			const proto = tp.session.socket.getProtocol && tp.session.socket.getProtocol();
			check(tp.session.socket.encrypted && proto, `not a TLS socket (protocol ${proto})`);
		});
		await step('TLS: bind_transceiver test/test answered ESME_ROK', async () => {
			const {resp} = await tp.request('bind_transceiver', {
				system_id: SYSTEM_ID, password: PASSWORD, interface_version: 0x34,
			});
			eq(hex(resp.command_status), hex(ESME_ROK), 'bind_transceiver_resp command_status');
		});
		const tm = await step('TLS: submit_sm with a receipt; receipt arrives over TLS', async () => {
			const text = 'interop over TLS';
			const m = await submit(tp, 'TLS', {short_message: text, data_coding: 0, registered_delivery: 1});
			const r = await tp.waitDeliver(receiptFor(m.id), `the receipt for ${m.id}`);
			checkReceipt(r, m, text, 'TLS');
			return m;
		});
		await step('TLS: /sim/ shows the bind as TLS, with the submit_sm captured in clear', async () => {
			const {bind} = await findBind(tp, (pdus) => pdus.some((x) => x.dir === 'in' && x.pdu &&
			    x.pdu.command === 'submit_sm' && x.pdu.sequence_number === tm.seq &&
			    field(x.pdu, 'text') === 'interop over TLS'));
			eq(bind.tls, true, `bind ${bind.id} tls`);
		});
		await step('TLS: unbind answered with unbind_resp ESME_ROK', async () => {
			const {resp} = await tp.request('unbind', {});
			eq(hex(resp.command_status), hex(ESME_ROK), 'unbind_resp command_status');
			check(tp.unexpected.length === 0, tp.unexpected.join('; '));
		});
		await step('TLS: close', () => tp.close());
	}

	console.log(`node-smpp: ${stepNo} steps passed`);
	process.exit(0);
}

main().catch((e) => {
	if (e instanceof StepError) {
		console.error(`FAIL: ${currentStep}: ${e.message}`);
	} else {
		console.error(`FAIL: ${currentStep}: ${e && e.stack ? e.stack : e}`);
	}
	process.exit(1);
});
