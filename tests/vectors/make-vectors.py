#!/usr/bin/env python3
"""Writes the SMPP test vectors in tests/vectors/.

This is an encoder independent of carrierlab's C codec: each PDU is packed
here with struct, and the fields we expect the C decoder to report are
written beside it. Run it from anywhere; it rewrites
tests/vectors/pdu/NAME.hex (the bytes) and NAME.json (expected fields) and
tests/vectors/malformed.txt (bad PDUs with the error each must give).
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def c(s):
    return s.encode() + b"\0"


def pdu(cmd, status, seq, body=b""):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def i1(v):
    return struct.pack(">B", v)


def i2(v):
    return struct.pack(">H", v)


def i4(v):
    return struct.pack(">I", v)


def sm_body(service_type="", src=(1, 1, "15551230000"), dst=(1, 1, "447700900123"),
            esm=0, pid=0, prio=0, sched="", validity="", rd=0, rip=0, dc=0,
            dflt=0, sm=b""):
    return (c(service_type) + i1(src[0]) + i1(src[1]) + c(src[2]) + i1(dst[0])
            + i1(dst[1]) + c(dst[2]) + i1(esm) + i1(pid) + i1(prio) + c(sched)
            + c(validity) + i1(rd) + i1(rip) + i1(dc) + i1(dflt) + i1(len(sm)) + sm)


def sm_fields(service_type="", src=(1, 1, "15551230000"), dst=(1, 1, "447700900123"),
              esm=0, pid=0, prio=0, sched="", validity="", rd=0, rip=0, dc=0,
              dflt=0, sm=b""):
    return {
        "service_type": service_type, "source_addr_ton": src[0],
        "source_addr_npi": src[1], "source_addr": src[2],
        "dest_addr_ton": dst[0], "dest_addr_npi": dst[1],
        "destination_addr": dst[2], "esm_class": esm, "protocol_id": pid,
        "priority_flag": prio, "schedule_delivery_time": sched,
        "validity_period": validity, "registered_delivery": rd,
        "replace_if_present_flag": rip, "data_coding": dc,
        "sm_default_msg_id": dflt, "sm_length": len(sm),
        "short_message": sm.hex(),
    }


def gsm_unpacked(text):
    # Only the ASCII subset used in these vectors (identical code points),
    # plus '@' (0x00) and '_' (0x11).
    table = {"@": 0x00, "_": 0x11}
    return bytes(table.get(ch, ord(ch)) for ch in text)


VECTORS = []


def vector(name, data, expect, note):
    VECTORS.append((name, data, expect, note))


def header(cmd_name, cmd, status, seq, length):
    return {"command": cmd_name, "command_id": "0x%08x" % cmd,
            "command_status": status, "sequence_number": seq,
            "command_length": length}


def add(name, cmd_name, cmd, body, fields, note, status=0, status_name="ESME_ROK",
        seq=1, tlvs=None):
    data = pdu(cmd, status, seq, body)
    expect = header(cmd_name, cmd, status_name, seq, len(data))
    expect.update(fields)
    if tlvs is not None:
        expect["tlvs"] = tlvs
    vector(name, data, expect, note)


def t(tag, name, value):
    return {"tag": "0x%04x" % tag, "name": name, "value": value}


def build():
    # The specification's own example (SPEC34 p.41): 47 octets.
    bind = c("SMPP3TEST") + c("secret08") + c("SUBMIT1") + i1(0) + i1(1) + i1(1) + c("")
    add("spec_bind_transmitter_47", "bind_transmitter", 0x2, bind, {
        "system_id": "SMPP3TEST", "password": "secret08",
        "system_type": "SUBMIT1", "interface_version": 0, "addr_ton": 1,
        "addr_npi": 1, "address_range": ""},
        "SPEC34 p.41 example bind_transmitter, 47 octets")
    for nm, cid in (("bind_receiver", 1), ("bind_transceiver", 9)):
        body = c("test") + c("test") + c("") + i1(0x34) + i1(0) + i1(0) + c("^1555")
        add(nm, nm, cid, body, {
            "system_id": "test", "password": "test", "system_type": "",
            "interface_version": 0x34, "addr_ton": 0, "addr_npi": 0,
            "address_range": "^1555"}, nm + " v3.4 with an address_range", seq=7)
    for nm, cid in (("bind_transmitter_resp", 0x80000002),
                    ("bind_receiver_resp", 0x80000001),
                    ("bind_transceiver_resp", 0x80000009)):
        add(nm, nm, cid, c("carrierlab") + tlv(0x0210, i1(0x34)),
            {"system_id": "carrierlab"}, nm + " with sc_interface_version",
            tlvs=[t(0x0210, "sc_interface_version", 0x34)])
    add("bind_transmitter_resp_rinvpaswd", "bind_transmitter_resp", 0x80000002,
        b"", {}, "failed bind: status, no body", status=0x0E,
        status_name="ESME_RINVPASWD")
    add("outbind", "outbind", 0x0B, c("smsc01") + c("pw"),
        {"system_id": "smsc01", "password": "pw"}, "outbind")
    for nm, cid in (("unbind", 6), ("unbind_resp", 0x80000006),
                    ("enquire_link", 0x15), ("enquire_link_resp", 0x80000015),
                    ("cancel_sm_resp", 0x80000008),
                    ("replace_sm_resp", 0x80000007)):
        add(nm, nm, cid, b"", {}, nm + ": header only", seq=0x7FFFFFFF)
    add("generic_nack_rinvcmdid", "generic_nack", 0x80000000, b"", {},
        "generic_nack for an unknown command", status=3,
        status_name="ESME_RINVCMDID", seq=0)

    # submit_sm: 160 GSM characters, receipts requested.
    text = ("0123456789" * 16)
    body = sm_body(rd=1, sm=gsm_unpacked(text))
    f = sm_fields(rd=1, sm=gsm_unpacked(text))
    f["text"] = text
    add("submit_sm_gsm_160", "submit_sm", 4, body, f,
        "160-character GSM submit_sm with registered_delivery=1", seq=42)

    ucs = "Привет, мир! 👋".encode("utf-16-be")
    body = sm_body(dc=8, sm=ucs, sched="261127101500000+",
                   validity="000001000000000R", prio=1, pid=0, rd=0x11)
    f = sm_fields(dc=8, sm=ucs, sched="261127101500000+",
                  validity="000001000000000R", prio=1, rd=0x11)
    f["text"] = "Привет, мир! 👋"
    add("submit_sm_ucs2_times", "submit_sm", 4, body, f,
        "UCS-2 with a surrogate pair, absolute schedule, relative validity")

    # Concatenated part with an 8-bit reference UDH.
    part = bytes([5, 0, 3, 0x2A, 2, 1]) + gsm_unpacked("part one")
    body = sm_body(esm=0x40, sm=part)
    f = sm_fields(esm=0x40, sm=part)
    f.update({"udh": "0500032a0201", "text": "part one"})
    add("submit_sm_udh8", "submit_sm", 4, body, f, "UDH IE 0x00 part 1 of 2")
    part = bytes([6, 8, 4, 0x12, 0x34, 3, 3]) + "end".encode("utf-16-be")
    body = sm_body(esm=0x40, dc=8, sm=part)
    f = sm_fields(esm=0x40, dc=8, sm=part)
    f.update({"udh": "060804123403" + "03", "text": "end"})
    add("submit_sm_udh16_ucs2", "submit_sm", 4, body, f,
        "UDH IE 0x08 (16-bit reference) part 3 of 3, UCS-2")

    # submit_sm with every submit_sm TLV of SPEC34 Table 4-10.
    sub_tlvs = [
        (0x0204, "user_message_reference", i2(0xBEEF), 0xBEEF),
        (0x020A, "source_port", i2(5000), 5000),
        (0x000D, "source_addr_subunit", i1(1), 1),
        (0x020B, "destination_port", i2(2948), 2948),
        (0x0005, "dest_addr_subunit", i1(2), 2),
        (0x020C, "sar_msg_ref_num", i2(513), 513),
        (0x020E, "sar_total_segments", i1(3), 3),
        (0x020F, "sar_segment_seqnum", i1(2), 2),
        (0x0426, "more_messages_to_send", i1(1), 1),
        (0x0019, "payload_type", i1(0), 0),
        (0x0201, "privacy_indicator", i1(2), 2),
        (0x0381, "callback_num", bytes([1, 1, 1]) + b"15551234567", "01010131353535313233343536 37".replace(" ", "")),
        (0x0302, "callback_num_pres_ind", i1(0x05), 5),
        (0x0303, "callback_num_atag", bytes([0]) + b"Help", "0048656c70"),
        (0x0202, "source_subaddress", bytes([0xA0]) + b"12", "a03132"),
        (0x0203, "dest_subaddress", bytes([0x80]) + b"\x01\x02", "800102"),
        (0x0205, "user_response_code", i1(9), 9),
        (0x1201, "display_time", i1(1), 1),
        (0x1203, "sms_signal", i2(0x0102), 0x0102),
        (0x1204, "ms_validity", i1(3), "03"),
        (0x0030, "ms_msg_wait_facilities", i1(0x81), 0x81),
        (0x0304, "number_of_messages", i1(12), 12),
        (0x130C, "alert_on_message_delivery", b"", ""),
        (0x020D, "language_indicator", i1(4), 4),
        (0x1380, "its_reply_type", i1(5), 5),
        (0x1383, "its_session_info", bytes([7, 0x0B]), "070b"),
        (0x0501, "ussd_service_op", i1(2), 2),
    ]
    body = sm_body(sm=gsm_unpacked("all tlvs")) + b"".join(tlv(a, b) for a, _, b, _ in sub_tlvs)
    f = sm_fields(sm=gsm_unpacked("all tlvs"))
    f["text"] = "all tlvs"
    add("submit_sm_all_tlvs", "submit_sm", 4, body, f,
        "submit_sm carrying every TLV SPEC34 allows in it, in table order",
        tlvs=[t(a, n, v) for a, n, _, v in sub_tlvs])

    # message_payload instead of short_message.
    long_text = "A long message carried whole in message_payload. " * 6
    payload = gsm_unpacked(long_text)
    body = sm_body() + tlv(0x0424, payload)
    f = sm_fields()
    pl = t(0x0424, "message_payload", payload.hex())
    pl["text"] = long_text
    add("submit_sm_message_payload", "submit_sm", 4, body, f,
        "message_payload of %d octets, sm_length 0" % len(payload), tlvs=[pl])

    # Vendor and reserved TLVs kept in wire order.
    body = (sm_body(sm=b"hi") + tlv(0x1401, b"\xde\xad") + tlv(0x0204, i2(1))
            + tlv(0x3FFF, b"") + tlv(0x4000, b"\x01"))
    f = sm_fields(sm=b"hi")
    f["text"] = "hi"
    add("submit_sm_vendor_tlvs", "submit_sm", 4, body, f,
        "vendor (0x1401, 0x3FFF) and reserved (0x4000) TLVs around a known one",
        tlvs=[{"tag": "0x1401", "name": "vendor", "value": "dead"},
              t(0x0204, "user_message_reference", 1),
              {"tag": "0x3fff", "name": "vendor", "value": ""},
              {"tag": "0x4000", "name": "reserved", "value": "01"}])

    add("submit_sm_resp", "submit_sm_resp", 0x80000004, c("6f2a1c0b"),
        {"message_id": "6f2a1c0b"}, "submit_sm_resp with a hex message id", seq=42)
    add("submit_sm_resp_throttled", "submit_sm_resp", 0x80000004, b"", {},
        "throttled: status, empty body", status=0x58,
        status_name="ESME_RTHROTTLED", seq=43)
    add("submit_sm_resp_error_with_body", "submit_sm_resp", 0x80000004, c(""),
        {"message_id": ""}, "error response that still carries an (empty) body",
        status=0x45, status_name="ESME_RSUBMITFAIL")

    # deliver_sm receipt.
    rtext = ("id:0000012345 sub:001 dlvrd:001 submit date:2611271015 "
             "done date:2611271016 stat:DELIVRD err:000 text:hello")
    body = sm_body(src=(1, 1, "447700900123"), dst=(1, 1, "15551230000"),
                   esm=0x04, sm=rtext.encode()) + tlv(0x001E, c("12345")) + \
        tlv(0x0427, i1(2)) + tlv(0x0423, bytes([3, 0, 0]))
    f = sm_fields(src=(1, 1, "447700900123"), dst=(1, 1, "15551230000"),
                  esm=0x04, sm=rtext.encode())
    f["text"] = rtext
    ms = t(0x0427, "message_state", 2)
    ms["state"] = "DELIVERED"
    add("deliver_sm_receipt", "deliver_sm", 5, body, f,
        "Appendix B delivery receipt with receipted_message_id, message_state, "
        "network_error_code", seq=9,
        tlvs=[t(0x001E, "receipted_message_id", "12345"), ms,
              t(0x0423, "network_error_code", "030000")])

    # MO deliver_sm with the deliver_sm-only TLVs.
    body = sm_body(src=(1, 1, "447700900123"), dst=(0, 0, "12345"),
                   sm=gsm_unpacked("STOP")) + tlv(0x0205, i1(1)) + tlv(0x020D, i1(1))
    f = sm_fields(src=(1, 1, "447700900123"), dst=(0, 0, "12345"),
                  sm=gsm_unpacked("STOP"))
    f["text"] = "STOP"
    add("deliver_sm_mo", "deliver_sm", 5, body, f, "handset MO to a short code",
        tlvs=[t(0x0205, "user_response_code", 1), t(0x020D, "language_indicator", 1)])
    add("deliver_sm_resp", "deliver_sm_resp", 0x80000005, c(""),
        {"message_id": ""}, "deliver_sm_resp, message_id NULL", seq=9)

    # data_sm with the data_sm-only TLVs.
    dtl = [
        (0x000E, "source_network_type", i1(1), 1),
        (0x000F, "source_bearer_type", i1(1), 1),
        (0x0010, "source_telematics_id", i1(0), 0),
        (0x0006, "dest_network_type", i1(1), 1),
        (0x0007, "dest_bearer_type", i1(4), 4),
        (0x0008, "dest_telematics_id", i2(0x0101), 0x0101),
        (0x0017, "qos_time_to_live", i4(86400), 86400),
        (0x0421, "set_dpf", i1(1), 1),
        (0x0424, "message_payload", gsm_unpacked("data"), None),
    ]
    body = (c("WAP") + i1(1) + i1(1) + c("15551230000") + i1(1) + i1(1)
            + c("447700900123") + i1(0) + i1(1) + i1(0)
            + b"".join(tlv(a, b) for a, _, b, _ in dtl))
    tl = [t(a, n, v) for a, n, _, v in dtl[:-1]]
    p = t(0x0424, "message_payload", gsm_unpacked("data").hex())
    p["text"] = "data"
    tl.append(p)
    add("data_sm", "data_sm", 0x103, body, {
        "service_type": "WAP", "source_addr_ton": 1, "source_addr_npi": 1,
        "source_addr": "15551230000", "dest_addr_ton": 1, "dest_addr_npi": 1,
        "destination_addr": "447700900123", "esm_class": 0,
        "registered_delivery": 1, "data_coding": 0},
        "data_sm with the network/bearer/telematics TLVs", tlvs=tl)
    dr = [(0x0425, "delivery_failure_reason", i1(3), 3),
          (0x0423, "network_error_code", bytes([3, 0, 27]), "03001b"),
          (0x001D, "additional_status_info_text", c("absent subscriber"), "absent subscriber"),
          (0x0420, "dpf_result", i1(1), 1)]
    add("data_sm_resp", "data_sm_resp", 0x80000103,
        c("abc") + b"".join(tlv(a, b) for a, _, b, _ in dr),
        {"message_id": "abc"}, "data_sm_resp with every data_sm_resp TLV",
        tlvs=[t(a, n, v) for a, n, _, v in dr])

    # A text TLV whose octets are not UTF-8 (Latin-1 "été") is shown as hex
    # and must still re-encode with its NUL (found by fuzz_pdu).
    add("data_sm_resp_latin1_status_text", "data_sm_resp", 0x80000103,
        c("x") + tlv(0x001D, b"\xe9t\xe9\x00"), {"message_id": "x"},
        "additional_status_info_text in Latin-1, not UTF-8",
        tlvs=[t(0x001D, "additional_status_info_text", {"hex": "e974e9"})])
    add("query_sm", "query_sm", 3, c("12345") + i1(1) + i1(1) + c("15551230000"),
        {"message_id": "12345", "source_addr_ton": 1, "source_addr_npi": 1,
         "source_addr": "15551230000"}, "query_sm")
    add("query_sm_resp", "query_sm_resp", 0x80000003,
        c("12345") + c("261127101600000+") + i1(2) + i1(0),
        {"message_id": "12345", "final_date": "261127101600000+",
         "message_state": 2, "error_code": 0}, "query_sm_resp, delivered")
    add("cancel_sm", "cancel_sm", 8, c("") + c("12345") + i1(1) + i1(1)
        + c("15551230000") + i1(1) + i1(1) + c("447700900123"),
        {"service_type": "", "message_id": "12345", "source_addr": "15551230000",
         "destination_addr": "447700900123"}, "cancel_sm")
    add("replace_sm", "replace_sm", 7, c("12345") + i1(1) + i1(1) + c("15551230000")
        + c("") + c("261128000000000+") + i1(1) + i1(0) + i1(3) + b"new",
        {"message_id": "12345", "schedule_delivery_time": "",
         "validity_period": "261128000000000+", "registered_delivery": 1,
         "sm_default_msg_id": 0, "sm_length": 3, "short_message": "6e6577"},
        "replace_sm")

    dests = (i1(1) + i1(1) + i1(1) + c("447700900123") + i1(2) + c("friends")
             + i1(1) + i1(1) + i1(1) + c("15551239999"))
    body = (c("") + i1(5) + i1(0) + c("ACME") + i1(3) + dests + i1(0) + i1(0)
            + i1(0) + c("") + c("") + i1(1) + i1(0) + i1(0) + i1(0) + i1(5)
            + b"hello" + tlv(0x0204, i2(7)))
    add("submit_multi", "submit_multi", 0x21, body, {
        "source_addr_ton": 5, "source_addr": "ACME", "number_of_dests": 3,
        "dest_address": [
            {"dest_flag": 1, "dest_addr_ton": 1, "dest_addr_npi": 1,
             "destination_addr": "447700900123"},
            {"dest_flag": 2, "dl_name": "friends"},
            {"dest_flag": 1, "dest_addr_ton": 1, "dest_addr_npi": 1,
             "destination_addr": "15551239999"}],
        "sm_length": 5, "short_message": "68656c6c6f", "text": "hello"},
        "submit_multi to two SMEs and a distribution list",
        tlvs=[t(0x0204, "user_message_reference", 7)])
    body = (c("m1") + i1(2) + i1(1) + i1(1) + c("15551239999") + i4(0x0B)
            + i1(0) + i1(0) + c("friends") + i4(0x44))
    add("submit_multi_resp", "submit_multi_resp", 0x80000021, body, {
        "message_id": "m1", "no_unsuccess": 2, "unsuccess_sme": [
            {"dest_addr_ton": 1, "dest_addr_npi": 1,
             "destination_addr": "15551239999",
             "error_status_code": "ESME_RINVDSTADR"},
            {"dest_addr_ton": 0, "dest_addr_npi": 0, "destination_addr": "friends",
             "error_status_code": "ESME_RCNTSUBDL"}]},
        "submit_multi_resp with two unsuccess_sme entries")
    add("alert_notification", "alert_notification", 0x102,
        i1(1) + i1(1) + c("447700900123") + i1(1) + i1(1) + c("15551230000")
        + tlv(0x0422, i1(0)),
        {"source_addr": "447700900123", "esme_addr": "15551230000"},
        "alert_notification, handset available",
        tlvs=[t(0x0422, "ms_availability_status", 0)])

    # 5.0 TLVs a 3.4 peer may still meet.
    v5 = [(0x0428, "congestion_state", i1(85), 85)]
    add("submit_sm_resp_congestion", "submit_sm_resp", 0x80000004,
        c("7") + b"".join(tlv(a, b) for a, _, b, _ in v5), {"message_id": "7"},
        "5.0 congestion_state on a response", tlvs=[t(a, n, v) for a, n, _, v in v5])
    # Every remaining 3.4/5.0 tag, on a deliver_sm (receivers keep them all).
    rest = [
        (0x0600, "broadcast_channel_indicator", i1(1), 1),
        (0x0601, "broadcast_content_type", bytes([1, 0, 1]), "010001"),
        (0x0602, "broadcast_content_type_info", b"\x01\x02", "0102"),
        (0x0603, "broadcast_message_class", i1(2), 2),
        (0x0604, "broadcast_rep_num", i2(3), 3),
        (0x0605, "broadcast_frequency_interval", bytes([9, 0, 5]), "090005"),
        (0x0606, "broadcast_area_identifier", bytes([0]) + b"area", "0061726561"),
        (0x0607, "broadcast_error_status", i4(0x10D), 0x10D),
        (0x0608, "broadcast_area_success", i1(100), 100),
        (0x0609, "broadcast_end_time", c("261231235959000+"), "261231235959000+"),
        (0x060A, "broadcast_service_group", b"\x07", "07"),
        (0x060B, "billing_identification", b"\x80\x01", "8001"),
        (0x060D, "source_network_id", c("1310410"), "1310410"),
        (0x060E, "dest_network_id", c("1234150"), "1234150"),
        (0x060F, "source_node_id", b"123456", "313233343536"),
        (0x0610, "dest_node_id", b"654321", "363534333231"),
        (0x0611, "dest_addr_np_resolution", i1(2), 2),
        (0x0612, "dest_addr_np_information", b"5551234567", "35353531323334353637"),
        (0x0613, "dest_addr_np_country", b"\x01", "01"),
    ]
    body = sm_body(sm=b"v5") + b"".join(tlv(a, b) for a, _, b, _ in rest)
    f = sm_fields(sm=b"v5")
    f["text"] = "v5"
    add("deliver_sm_v5_tlvs", "deliver_sm", 5, body, f,
        "every 5.0 broadcast/network TLV, kept and typed",
        tlvs=[t(a, n, v) for a, n, _, v in rest])


MALFORMED = []


def bad(name, data, field, status, reply, note):
    MALFORMED.append((name, data.hex(), field, status, reply, note))


def build_malformed():
    good_bind = c("SMPP3TEST") + c("secret08") + c("SUBMIT1") + i1(0x34) + i1(1) + i1(1) + c("")
    hdr = struct.pack(">IIII", 12, 2, 0, 1)
    bad("length_below_header", hdr[:12], "command_length", "ESME_RINVCMDLEN", "generic_nack",
        "12 octets only")
    bad("command_length_15", struct.pack(">IIII", 15, 0x15, 0, 1), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "command_length 15 < 16")
    bad("command_length_huge", struct.pack(">IIII", 0x7FFFFFFF, 4, 0, 1), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "command_length above max_pdu")
    bad("command_length_mismatch", struct.pack(">IIII", 20, 0x15, 0, 1), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "says 20, 16 given")
    bad("unknown_command", pdu(0x0C, 0, 5), "command_id", "ESME_RINVCMDID", "generic_nack",
        "reserved command id 0x0C")
    bad("vendor_command", pdu(0x00010200, 0, 5), "command_id", "ESME_RINVCMDID",
        "generic_nack", "vendor range command id")
    bad("unknown_response", pdu(0x8000000C, 0, 5), "command_id", "ESME_RINVCMDID", "none",
        "a response to nothing we know: never answered")
    bad("bind_truncated_after_system_id", pdu(2, 0, 1, c("SMPP3TEST")), "password",
        "ESME_RINVCMDLEN", "generic_nack", "body ends after system_id")
    bad("bind_system_id_too_long", pdu(2, 0, 1, c("A" * 16) + good_bind[10:]), "system_id",
        "ESME_RINVSYSID", "bind_transmitter_resp", "16 characters (max 15)")
    bad("bind_password_too_long", pdu(2, 0, 1, c("sys") + c("p" * 9) + c("") + i1(0x34)
        + i1(0) + i1(0) + c("")), "password", "ESME_RINVPASWD", "bind_transmitter_resp",
        "9-character password (max 8)")
    bad("bind_system_type_too_long", pdu(9, 0, 1, c("sys") + c("pw") + c("T" * 13)
        + i1(0x34) + i1(0) + i1(0) + c("")), "system_type", "ESME_RINVSYSTYP",
        "bind_transceiver_resp", "13-character system_type (max 12)")
    bad("bind_address_range_no_nul", pdu(1, 0, 1, c("sys") + c("pw") + c("")
        + i1(0x34) + i1(0) + i1(0) + b"^155"), "address_range", "ESME_RINVCMDLEN",
        "generic_nack", "address_range runs to the end without NUL")
    bad("bind_missing_interface_version", pdu(2, 0, 1, c("sys") + c("pw") + c("")),
        "interface_version", "ESME_RINVCMDLEN", "generic_nack", "body stops before interface_version")
    bad("bind_trailing_bytes", pdu(2, 0, 1, good_bind + b"\x00\x00"), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "two octets after address_range")
    bad("enquire_link_with_body", pdu(0x15, 0, 1, b"\x00"), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "enquire_link is header only")
    bad("unbind_with_body", pdu(6, 0, 1, b"\x01\x02\x03\x04"), "command_length",
        "ESME_RINVCMDLEN", "generic_nack", "unbind is header only")
    bad("submit_service_type_too_long", pdu(4, 0, 1, sm_body(service_type="ABCDEF")),
        "service_type", "ESME_RINVSERTYP", "submit_sm_resp", "6 characters (max 5)")
    bad("submit_source_addr_too_long", pdu(4, 0, 1, sm_body(src=(1, 1, "1" * 21))),
        "source_addr", "ESME_RINVSRCADR", "submit_sm_resp", "21 digits (max 20)")
    bad("submit_dest_addr_too_long", pdu(4, 0, 1, sm_body(dst=(1, 1, "4" * 21))),
        "destination_addr", "ESME_RINVDSTADR", "submit_sm_resp", "21 digits (max 20)")
    bad("submit_schedule_20_chars", pdu(4, 0, 1, sm_body(sched="2611271015000000+000")),
        "schedule_delivery_time", "ESME_RINVSCHED", "submit_sm_resp",
        "20-character schedule_delivery_time (SPEC50 2.8.2 example)")
    bad("submit_schedule_bad_shape", pdu(4, 0, 1, sm_body(sched="2611271015000X0+")),
        "schedule_delivery_time", "ESME_RINVSCHED", "submit_sm_resp", "a letter among the digits")
    bad("submit_schedule_15_chars", pdu(4, 0, 1, sm_body(sched="261127101500000")),
        "schedule_delivery_time", "ESME_RINVSCHED", "submit_sm_resp", "15 characters")
    bad("submit_validity_bad_sign", pdu(4, 0, 1, sm_body(validity="000001000000000X")),
        "validity_period", "ESME_RINVEXPIRY", "submit_sm_resp", "last character not + - R")
    bad("submit_sm_length_overrun", pdu(4, 0, 1, sm_body(sm=b"hello")[:-2]),
        "short_message", "ESME_RINVMSGLEN", "submit_sm_resp", "sm_length 5, 3 octets present")
    bad("submit_truncated_before_sm_length", pdu(4, 0, 1, sm_body()[:-1]), "sm_length",
        "ESME_RINVCMDLEN", "generic_nack", "body ends before sm_length")
    bad("submit_tlv_stray_octets", pdu(4, 0, 1, sm_body(sm=b"x") + b"\x02\x04\x00"), "tlvs",
        "ESME_RINVOPTPARSTREAM", "submit_sm_resp", "3 octets that cannot be a TLV header")
    bad("submit_tlv_overrun", pdu(4, 0, 1, sm_body(sm=b"x") + struct.pack(">HH", 0x0204, 8)
        + b"\x00\x01"), "user_message_reference", "ESME_RINVOPTPARSTREAM", "submit_sm_resp",
        "TLV length 8 with 2 octets left")
    bad("submit_tlv_int2_wrong_length", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0204, b"\x01")),
        "user_message_reference", "ESME_RINVPARLEN", "submit_sm_resp", "Int2 TLV of length 1")
    bad("submit_tlv_int1_wrong_length", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0019, b"\x00\x00")),
        "payload_type", "ESME_RINVPARLEN", "submit_sm_resp", "Int1 TLV of length 2")
    bad("submit_callback_num_too_short", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0381, b"\x01\x01\x01")),
        "callback_num", "ESME_RINVPARLEN", "submit_sm_resp", "callback_num needs 4..19 octets")
    bad("submit_subaddress_too_long", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0202, b"\xa0" + b"1" * 23)),
        "source_subaddress", "ESME_RINVPARLEN", "submit_sm_resp", "24 octets (max 23)")
    bad("deliver_receipted_id_no_nul", pdu(5, 0, 1, sm_body(esm=4) + tlv(0x001E, b"12345")),
        "receipted_message_id", "ESME_RINVOPTPARAMVAL", "deliver_sm_resp",
        "C-Octet TLV without its NUL")
    bad("deliver_receipted_id_inner_nul", pdu(5, 0, 1, sm_body(esm=4) + tlv(0x001E, b"12\x0045\x00")),
        "receipted_message_id", "ESME_RINVOPTPARAMVAL", "deliver_sm_resp",
        "C-Octet TLV with a NUL inside")
    bad("deliver_receipted_id_too_long", pdu(5, 0, 1, sm_body(esm=4) + tlv(0x001E, b"9" * 65 + b"\x00")),
        "receipted_message_id", "ESME_RINVPARLEN", "deliver_sm_resp", "66 octets (max 65)")
    bad("deliver_network_error_code_2", pdu(5, 0, 1, sm_body(esm=4) + tlv(0x0423, b"\x03\x00")),
        "network_error_code", "ESME_RINVPARLEN", "deliver_sm_resp", "network_error_code is 3 octets")
    bad("submit_sar_incomplete", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x020C, i2(1))
        + tlv(0x020E, i1(2))), "sar_segment_seqnum", "ESME_RMISSINGOPTPARAM", "submit_sm_resp",
        "sar_msg_ref_num and sar_total_segments without sar_segment_seqnum")
    bad("submit_sar_seq_beyond_total", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x020C, i2(1))
        + tlv(0x020E, i1(2)) + tlv(0x020F, i1(3))), "sar_segment_seqnum",
        "ESME_RINVOPTPARAMVAL", "submit_sm_resp", "segment 3 of 2")
    bad("submit_callback_pres_without_num", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0302, i1(0))),
        "callback_num", "ESME_RMISSINGOPTPARAM", "submit_sm_resp",
        "callback_num_pres_ind without callback_num")
    bad("submit_payload_and_short_message", pdu(4, 0, 1, sm_body(sm=b"x") + tlv(0x0424, b"y")),
        "message_payload", "ESME_ROPTPARNOTALLWD", "submit_sm_resp",
        "short_message and message_payload both carry data")
    bad("data_sm_without_payload", pdu(0x103, 0, 1, c("") + i1(1) + i1(1) + c("1555")
        + i1(1) + i1(1) + c("4477") + i1(0) + i1(0) + i1(0)), "message_payload",
        "ESME_RMISSINGOPTPARAM", "data_sm_resp", "SPEC50's own RMISSINGTLV example")
    bad("submit_multi_zero_dests", pdu(0x21, 0, 1, c("") + i1(0) + i1(0) + c("") + i1(0)),
        "number_of_dests", "ESME_RINVNUMDESTS", "submit_multi_resp", "number_of_dests 0")
    bad("submit_multi_255_dests", pdu(0x21, 0, 1, c("") + i1(0) + i1(0) + c("") + i1(255)),
        "number_of_dests", "ESME_RINVNUMDESTS", "submit_multi_resp", "number_of_dests 255 (3.4 max 254)")
    bad("submit_multi_bad_dest_flag", pdu(0x21, 0, 1, c("") + i1(0) + i1(0) + c("") + i1(1)
        + i1(3) + c("x")), "dest_flag", "ESME_RINVDESTFLAG", "submit_multi_resp", "dest_flag 3")
    bad("submit_multi_dl_name_too_long", pdu(0x21, 0, 1, c("") + i1(0) + i1(0) + c("") + i1(1)
        + i1(2) + c("d" * 21)), "dl_name", "ESME_RINVDLNAME", "submit_multi_resp",
        "21-character dl_name (max 20)")
    bad("query_sm_message_id_too_long", pdu(3, 0, 1, c("9" * 65) + i1(0) + i1(0) + c("")),
        "message_id", "ESME_RINVMSGID", "query_sm_resp", "65-character message_id (max 64)")
    bad("cancel_sm_truncated", pdu(8, 0, 1, c("") + c("123") + i1(1)), "source_addr_npi",
        "ESME_RINVCMDLEN", "generic_nack", "cancel_sm cut after source_addr_ton")
    bad("replace_sm_sm_overrun", pdu(7, 0, 1, c("1") + i1(0) + i1(0) + c("") + c("") + c("")
        + i1(0) + i1(0) + i1(200) + b"abc"), "short_message", "ESME_RINVMSGLEN",
        "replace_sm_resp", "sm_length 200 with 3 octets")
    bad("outbind_password_too_long", pdu(0x0B, 0, 1, c("smsc") + c("x" * 12)), "password",
        "ESME_RINVPASWD", "generic_nack", "outbind has no response: generic_nack")
    bad("submit_sm_resp_bad_message_id", pdu(0x80000004, 0, 1, b"abc"), "message_id",
        "ESME_RINVCMDLEN", "none", "response without NUL: reported, never answered")
    bad("submit_sm_resp_ok_without_body", pdu(0x80000004, 0, 1), "message_id",
        "ESME_RINVCMDLEN", "none", "status 0 but no message_id")
    bad("alert_notification_addr_too_long", pdu(0x102, 0, 1, i1(1) + i1(1) + c("1" * 65)
        + i1(1) + i1(1) + c("1")), "source_addr", "ESME_RINVSRCADR", "generic_nack",
        "65 characters (max 64); alert_notification has no response")
    bad("generic_nack_with_body", pdu(0x80000000, 3, 1, b"\x00"), "command_length",
        "ESME_RINVCMDLEN", "none", "generic_nack is header only and never answered")
    many = b"".join(tlv(0x1400, b"") for _ in range(65))
    bad("submit_too_many_tlvs", pdu(4, 0, 1, sm_body(sm=b"x") + many), "tlvs",
        "ESME_RINVOPTPARSTREAM", "submit_sm_resp", "65 TLVs (limit 64)")


def main():
    build()
    build_malformed()
    outdir = os.path.join(HERE, "pdu")
    for f in os.listdir(outdir):
        os.unlink(os.path.join(outdir, f))
    for name, data, expect, note in VECTORS:
        with open(os.path.join(outdir, name + ".hex"), "w") as fh:
            fh.write("# %s\n" % note)
            hx = data.hex()
            for i in range(0, len(hx), 64):
                fh.write(hx[i:i + 64] + "\n")
        with open(os.path.join(outdir, name + ".json"), "w") as fh:
            json.dump(expect, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    with open(os.path.join(HERE, "malformed.txt"), "w") as fh:
        fh.write("# Malformed PDUs: name | hex | field | status | reply | what is wrong\n"
                 "# Written by make-vectors.py; each line is one case of "
                 "tests/unit/test_pdu.\n")
        for row in MALFORMED:
            fh.write(" | ".join(row) + "\n")
    print("%d vectors, %d malformed" % (len(VECTORS), len(MALFORMED)))


if __name__ == "__main__":
    main()
