#!/usr/bin/env python3
"""Compares ffwprobe's JSON with ffprobe's on the fields issue 3 names.

Usage: probe_compare.py OURS.json THEIRS.json
Prints the differences; exit status 1 if there are any.
"""
import json
import sys

ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
diffs = []
fo, ft = ours.get("format", {}), theirs.get("format", {})
for k in ("format_name", "nb_streams"):
    if fo.get(k) != ft.get(k):
        diffs.append(f"format.{k}: ours {fo.get(k)!r}, ffprobe {ft.get(k)!r}")
d_o, d_t = fo.get("duration"), ft.get("duration")
if (d_o is None) != (d_t is None) or (d_o is not None and abs(float(d_o) - float(d_t)) > 0.05):
    diffs.append(f"format.duration: ours {d_o!r}, ffprobe {d_t!r}")
so, st = ours.get("streams", []), theirs.get("streams", [])
if len(so) != len(st):
    diffs.append(f"stream count: ours {len(so)}, ffprobe {len(st)}")
for i, (a, b) in enumerate(zip(so, st)):
    for k in ("codec_type", "codec_name", "width", "height", "pix_fmt", "sample_rate", "channels", "time_base"):
        if a.get(k) != b.get(k):
            diffs.append(f"stream {i}.{k}: ours {a.get(k)!r}, ffprobe {b.get(k)!r}")
for d in diffs:
    print(d)
sys.exit(1 if diffs else 0)
