#!/usr/bin/env python3
"""Opens N SMPP sessions to HOST:PORT, binds each as a transceiver
(system_id/password test/test), checks every bind_resp, then holds them
idle until stdin closes. Prints "bound N" on stdout once all are bound.
Used by tests/bench/bench-memory.sh to measure an SMSC's memory per bind.

    hold-binds.py HOST:PORT N
"""
import selectors
import socket
import struct
import sys


def bind_pdu(seq):
    body = b"test\0" + b"test\0" + b"\0" + bytes([0x34, 0, 0]) + b"\0"
    return struct.pack(">IIII", 16 + len(body), 0x00000009, 0, seq) + body


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    n = int(sys.argv[2])
    sel = selectors.DefaultSelector()
    socks = []
    for i in range(n):
        s = socket.create_connection((host, int(port)))
        s.sendall(bind_pdu(i + 1))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, bytearray())
        socks.append(s)
    bound = 0
    while bound < n:
        for key, _ in sel.select(timeout=30):
            buf = key.data
            chunk = key.fileobj.recv(4096)
            if not chunk:
                sys.exit("hold-binds: connection closed before bind_resp")
            buf += chunk
            if len(buf) >= 16:
                length, cmd, status, _ = struct.unpack(">IIII", buf[:16])
                if len(buf) >= length:
                    if cmd != 0x80000009 or status != 0:
                        sys.exit("hold-binds: bind refused, status %#x" % status)
                    sel.unregister(key.fileobj)
                    bound += 1
    print("bound %d" % bound, flush=True)
    sys.stdin.read()
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
