#!/usr/bin/env python3
"""SNR of a decoded stream against its source (both s16le, same channel count).
Usage: snr.py SRC.raw DEC.raw CHANNELS
The decoded stream is aligned by the delay (0..1200 samples) maximising the cross-correlation
over the first seconds; SNR = 10 log10(sum x^2 / sum (x - y)^2) over the overlap, all channels;
segmental SNR = mean over 1152-sample segments (per channel) of the segment SNR clamped to
[-10, 60] dB, skipping segments whose source energy is below -60 dBFS."""
import sys, array, math
src = array.array('h', open(sys.argv[1], 'rb').read())
dec = array.array('h', open(sys.argv[2], 'rb').read())
ch = int(sys.argv[3])
x = [src[c::ch] for c in range(ch)]
y = [dec[c::ch] for c in range(ch)]
def corr(d):
    n = min(len(x[0]), len(y[0]) - d, 48000)
    return sum(x[0][i] * y[0][i + d] for i in range(0, n, 3))
best = max(range(0, 1200, 1), key=corr) if len(sys.argv) < 5 else int(sys.argv[4])
num = den = 0.0
segs = []
for c in range(ch):
    n = min(len(x[c]), len(y[c]) - best)
    for s0 in range(0, n - 1151, 1152):
        e = ne = 0.0
        for i in range(s0, s0 + 1152):
            a = x[c][i]; b = y[c][i + best]
            e += a * a; ne += (a - b) ** 2
        num += e; den += ne
        if e / 1152 > (32768 * 1e-3) ** 2:
            segs.append(max(-10.0, min(60.0, 10 * math.log10(e / max(ne, 1e-9)))))
print(f"delay {best} snr {10*math.log10(num/max(den,1e-9)):.2f} dB segsnr {sum(segs)/max(len(segs),1):.2f} dB")
