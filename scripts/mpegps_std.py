#!/usr/bin/env python3
"""Checks an MPEG-1/2 program stream against the system target decoder's buffers.

Usage: mpegps_std.py FILE.mpg
Reads the packs (SCR, mux rate) and PES packets of FILE; takes each stream's access units
(dts, size) from ffprobe; delivers each PES payload into its stream's buffer at the time the
pack's SCR and the mux rate give its last byte, removes access units at their DTS, and
reports, per stream, the largest fullness against the buffer size the PES headers or the
system header declare. Prints one line per stream; exits 1 on overflow or on an access unit
that is not complete at its DTS (underflow).
"""
import json
import subprocess
import sys


def ts(b):
    return (((b[0] >> 1) & 7) << 30) | (b[1] << 22) | ((b[2] >> 1) << 15) | (b[3] << 7) | (b[4] >> 1)


def main(path):
    data = open(path, "rb").read()
    bounds = {}  # stream id -> bytes
    deliveries = {}  # stream id -> [(time, bytes)]
    i, scr, rate = 0, 0, 1
    pack_start = 0
    while i + 4 <= len(data):
        if data[i:i + 3] != b"\0\0\1":
            i += 1
            continue
        code = data[i + 3]
        if code == 0xBA:
            pack_start = i
            if data[i + 4] >> 6 == 1:  # MPEG-2
                b = data[i + 4:i + 10]
                scr = ((b[0] >> 3) & 7) << 30 | (b[0] & 3) << 28 | b[1] << 20 | (b[2] >> 3) << 15 | (b[2] & 3) << 13 | b[3] << 5 | b[4] >> 3
                rate = (data[i + 10] << 14 | data[i + 11] << 6 | data[i + 12] >> 2)
                i += 14 + (data[i + 13] & 7)
            else:
                scr = ts(data[i + 4:i + 9])
                rate = ((data[i + 9] & 0x7F) << 15) | (data[i + 10] << 7) | (data[i + 11] >> 1)
                i += 12
            continue
        if code == 0xB9:
            i += 4
            continue
        n = data[i + 4] << 8 | data[i + 5]
        body = data[i + 6:i + 6 + n]
        if code == 0xBB:
            j = 6
            while j + 3 <= len(body) and body[j] & 0x80:
                sid, v = body[j], body[j + 1] << 8 | body[j + 2]
                bounds[sid] = (v & 0x1FFF) * (1024 if v & 0x2000 else 128)
                j += 3
        elif code == 0xBE or code < 0xBC:
            pass
        else:
            j = 0
            if body[:1] and body[0] >> 6 == 2:  # MPEG-2 PES header
                j = 3 + body[2]
            else:
                while j < len(body) and body[j] == 0xFF:
                    j += 1
                if j < len(body) and body[j] >> 6 == 1:
                    v = body[j] << 8 | body[j + 1]
                    bounds[code] = (v & 0x1FFF) * (1024 if v & 0x2000 else 128)
                    j += 2
                if j < len(body):
                    j += {2: 5, 3: 10}.get(body[j] >> 4, 1)
            sid = code
            if code == 0xBD and j < len(body):
                sid = 0x100 | body[j]
                j += 4 if 0x80 <= body[j] <= 0xCF else 1
            end = i + 6 + n - pack_start
            t = scr + end * 90000 / (rate * 50)
            deliveries.setdefault(sid, []).append((t, len(body) - j))
        i += 6 + n
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=index,id:packet=stream_index,dts,pts,size",
         "-of", "json", path], capture_output=True, check=True, text=True).stdout)
    ids = {s["index"]: int(s["id"], 16) for s in probe["streams"]}
    units = {}
    for p in probe["packets"]:
        t = p.get("dts", p.get("pts"))
        if t is None:
            continue
        # ffprobe's ids: 0x1e0.. / 0x1c0.. for MPEG streams, the sub-stream id for private ones.
        sid = ids[p["stream_index"]]
        sid = sid & 0xFF if sid >= 0x100 else 0x100 | sid
        units.setdefault(sid, []).append((int(t), int(p["size"])))
    bad = False
    for sid, dl in sorted(deliveries.items()):
        bound = bounds.get(sid if sid < 0x100 else 0xBD, 0)
        aus = sorted(units.get(sid, []))
        # The demuxer's timestamps start where the file's do: both come from the PES headers.
        fill, peak, k, delivered, removed, late = 0, 0, 0, 0, 0, 0
        for t, nbytes in dl:
            while k < len(aus) and aus[k][0] <= t:
                removed += aus[k][1]
                if removed > delivered:
                    late += 1
                k += 1
            delivered += nbytes
            peak = max(peak, delivered - removed)
        ok = (bound == 0 or peak <= bound) and late == 0
        bad |= not ok
        print(f"stream 0x{sid:x}: peak {peak} bytes, bound {bound} bytes, late units {late}: {'ok' if ok else 'VIOLATION'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
