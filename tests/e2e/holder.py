#!/usr/bin/env python3
"""holder.py - an attacker without a key: holds idle TCP connections open
to a server, sends nothing on them, and opens a new one for each the
server closes.

    holder.py [--byte] STATUS HOST:PORT:COUNT...

Opens COUNT connections to each HOST:PORT, then every 50 ms opens again
those the server closed, until it gets SIGTERM. With --byte each sends
one byte (0xff, the start of a ZMTP greeting) once connected, so that it
is not a silent connection, which a server closes first (lib/admit.c). STATUS is rewritten
after each round with one line

    held N opened N closed_by_server N

(held: open now; opened: connections made in all; closed_by_server: of
those, how many the server ended).
"""

import os
import select
import signal
import socket
import sys
import time

running = True


def stop(signum, frame):
    global running
    running = False


def open_one(host, port, byte):
    try:
        s = socket.create_connection((host, port), timeout=2)
    except OSError:
        return None
    if byte:
        try:
            s.sendall(b"\xff")
        except OSError:
            s.close()
            return None
    s.setblocking(False)
    return s


def write_status(path, held, opened, closed):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("held %d opened %d closed_by_server %d\n" % (held, opened, closed))
    os.replace(tmp, path)


def main():
    signal.signal(signal.SIGTERM, stop)
    args = sys.argv[1:]
    byte = args[:1] == ["--byte"]
    if byte:
        args = args[1:]
    status = args[0]
    targets = []
    for arg in args[1:]:
        host, port, count = arg.rsplit(":", 2)
        targets.append((host, int(port), int(count)))
    socks = {}  # slot -> socket
    slots = [(h, p) for h, p, n in targets for _ in range(n)]
    opened = closed = 0
    while running:
        for i, (host, port) in enumerate(slots):
            if i not in socks:
                s = open_one(host, port, byte)
                if s is not None:
                    socks[i] = s
                    opened += 1
        write_status(status, len(socks), opened, closed)
        deadline = time.monotonic() + 0.05
        while running and time.monotonic() < deadline:
            poller = select.poll()
            for i, s in socks.items():
                poller.register(s, select.POLLIN)
            fd_slot = {s.fileno(): i for i, s in socks.items()}
            for fd, ev in poller.poll(50):
                i = fd_slot[fd]
                try:
                    data = socks[i].recv(4096)
                except OSError:
                    data = b""
                if not data:  # the server ended it (what it sent is ignored)
                    socks.pop(i).close()
                    closed += 1
    write_status(status, len(socks), opened, closed)


if __name__ == "__main__":
    main()
