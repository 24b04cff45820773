#!/usr/bin/env node
/*
 * A minimal SMSC written with the npm `smpp` package (code we did not
 * write), as the peer `carrierlab load` is tested and benchmarked against.
 *
 *   node tests/interop/node-smsc.js [--port N] [--hex-ids] [--receipt-first]
 *
 * Listens on 127.0.0.1, port N (default 0: any free port), and prints the
 * port on stdout once listening. Accepts any bind with system_id "test"
 * and password "test" (else ESME_RINVSYSID / ESME_RINVPASWD). Answers
 * every submit_sm with ESME_ROK and the next message id (decimal, from 1;
 * with --hex-ids the submit_sm_resp carries it in hex while the receipt
 * keeps decimal, the mismatch real SMSCs produce), and when
 * registered_delivery asks for one sends at once a receipt: deliver_sm
 * with esm_class 0x04, the Appendix B text (stat DELIVRD), and the TLVs
 * receipted_message_id and message_state (with --receipt-first, ahead of
 * the submit_sm_resp, as a busy SMSC may). Answers enquire_link and
 * unbind. SIGTERM or SIGINT ends it; it then prints one line of counters
 * on stderr.
 *
 * Cost per message is kept low for benchmarks: no debug events, receipt
 * dates formatted once a second, and the socket corked while a batch of
 * PDUs is handled so that their answers leave in one write.
 */
'use strict';

const smpp = require('smpp');

const SYSTEM_ID = 'test';
const PASSWORD = 'test';
const ESME_ROK = 0x00;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;
const ESM_RECEIPT = 0x04;
const STATE_DELIVERED = 2;
const RD_RECEIPT_MASK = 0x03;
const BINDS = ['bind_transceiver', 'bind_transmitter', 'bind_receiver'];

let port = 0;
let hexIds = false;
let receiptFirst = false;
for (let i = 2; i < process.argv.length; i++) {
	const a = process.argv[i];
	if (a === '--port' && i + 1 < process.argv.length) {
		port = Number(process.argv[++i]);
	} else if (a === '--hex-ids') {
		hexIds = true;
	} else if (a === '--receipt-first') {
		receiptFirst = true;
	} else {
		console.error('usage: node node-smsc.js [--port N] [--hex-ids] ' +
		    '[--receipt-first]');
		process.exit(2);
	}
}

const counters = { binds: 0, submits: 0, receipts: 0, receiptResps: 0 };
let nextId = 1;

/* YYMMDDhhmm, recomputed when the second changes. */
let dateSecond = -1;
let dateText = '';
function receiptDate() {
	const now = Date.now();
	const second = Math.floor(now / 1000);
	if (second !== dateSecond) {
		const d = new Date(now);
		const p = (n) => String(n).padStart(2, '0');
		dateText = p(d.getUTCFullYear() % 100) +
		    p(d.getUTCMonth() + 1) + p(d.getUTCDate()) +
		    p(d.getUTCHours()) + p(d.getUTCMinutes());
		dateSecond = second;
	}
	return dateText;
}

/* Answers leave together: cork now, uncork once this tick's PDUs are done. */
function cork(session) {
	if (session._corked) {
		return;
	}
	session._corked = true;
	session.socket.cork();
	process.nextTick(() => {
		session._corked = false;
		session.socket.uncork();
	});
}

function messageText(sm) {
	if (sm && typeof sm.message === 'string') {
		return sm.message.slice(0, 20);
	}
	return '';
}

function onBind(session, pdu) {
	let status = ESME_ROK;
	if (pdu.system_id !== SYSTEM_ID) {
		status = ESME_RINVSYSID;
	} else if (pdu.password !== PASSWORD) {
		status = ESME_RINVPASWD;
	}
	session.send(pdu.response({
		command_status: status,
		system_id: 'node-smsc',
	}));
	if (status === ESME_ROK) {
		counters.binds++;
	}
}

function sendReceipt(session, pdu, id) {
	const date = receiptDate();
	const text = 'id:' + id + ' sub:001 dlvrd:001 submit date:' + date +
	    ' done date:' + date + ' stat:DELIVRD err:000 text:' +
	    messageText(pdu.short_message);
	counters.receipts++;
	session.deliver_sm({
		source_addr_ton: pdu.dest_addr_ton,
		source_addr_npi: pdu.dest_addr_npi,
		source_addr: pdu.destination_addr,
		dest_addr_ton: pdu.source_addr_ton,
		dest_addr_npi: pdu.source_addr_npi,
		destination_addr: pdu.source_addr,
		esm_class: ESM_RECEIPT,
		data_coding: 0,
		short_message: Buffer.from(text, 'latin1'),
		receipted_message_id: id,
		message_state: STATE_DELIVERED,
	});
}

function onSubmit(session, pdu) {
	const id = String(nextId++);
	const resp = pdu.response({
		message_id: hexIds ? Number(id).toString(16).toUpperCase() : id,
	});
	const receipt = (pdu.registered_delivery & RD_RECEIPT_MASK) !== 0;

	cork(session);
	counters.submits++;
	if (!receiptFirst) {
		session.send(resp);
	}
	if (receipt) {
		sendReceipt(session, pdu, id);
	}
	if (receiptFirst) {
		session.send(resp);
	}
}

const server = smpp.createServer({}, (session) => {
	session.on('error', () => session.destroy());
	for (const bind of BINDS) {
		session.on(bind, (pdu) => onBind(session, pdu));
	}
	session.on('submit_sm', (pdu) => onSubmit(session, pdu));
	session.on('deliver_sm_resp', () => counters.receiptResps++);
	session.on('enquire_link', (pdu) => session.send(pdu.response()));
	session.on('unbind', (pdu) => {
		session.send(pdu.response());
		session.close();
	});
});

server.on('error', (e) => {
	console.error('node-smsc: ' + e.message);
	process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
	process.stdout.write(server.address().port + '\n');
});

function stop() {
	console.error('node-smsc: binds=' + counters.binds + ' submits=' +
	    counters.submits + ' receipts=' + counters.receipts +
	    ' receipt_responses=' + counters.receiptResps);
	process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
