#!/usr/bin/env bash
# Live MPEG audio Layer I/II interop against the installed ffmpeg.
# Usage: scripts/interop-mp2.sh [BIN_DIR]   (ffw, ffwprobe; built in release mode if absent).
# Call it from scripts/interop.sh. For streams made by ffmpeg's mp2 encoder and libtwolame
# (32/44.1/48 and 16/22.05/24 kHz, mono/stereo/joint stereo/dual channel, CRC, 8-384 kb/s):
#   1. packets: `-c copy -f framemd5` equal to ffmpeg's (software line aside);
#   2. samples: `-f md5` (default fixed-point decoder) identical to ffmpeg's;
#   3. ffwprobe -show_streams -show_format equals ffprobe;
#   4. mp2float: largest difference to ffmpeg's mp2float;
#   5. encoder: ffmpeg decodes our streams (ffw, and the mp2enc example for joint stereo and
#      CRC) with no message even with -err_detect crccheck; at 128 and 192 kb/s stereo the SNR
#      against the source is within 1 dB of ffmpeg's mp2 encoder (scripts/mp2_snr.py).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release}
if [ ! -x "$bin/ffw" ] || [ ! -x "$bin/ffwprobe" ]; then
    cargo build -q --release -p ffw -p ffwprobe || exit 1
fi
cargo build -q --release -p avformat --example mp2enc || exit 1
mp2enc=target/release/examples/mp2enc
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -v error -y "$@"; }
src() { # rate channels seconds
    ff -f lavfi -i "sine=f=440:r=$1:d=$3" -f lavfi -i "anoisesrc=c=pink:a=0.25:r=$1:d=$3:seed=3" \
        -filter_complex "[0][1]amerge=inputs=2" -ac "$2" -c:a pcm_s16le "$tmp/src-$1-$2.wav"
}
n=0; bad=""
check() { # file
    local f=$1
    if ! diff <("$bin/ffw" -v error -i "$f" -c copy -f framemd5 - | grep -v '^#software') \
        <(ffmpeg -v error -i "$f" -c copy -f framemd5 - | grep -v '^#software') >/dev/null; then
        bad="$bad copy:$(basename "$f")"
    fi
    if [ "$("$bin/ffw" -v error -i "$f" -f md5 -)" != "$(ffmpeg -v error -i "$f" -f md5 -)" ]; then
        bad="$bad decode:$(basename "$f")"
    fi
    if ! diff <("$bin/ffwprobe" -v error -of json -show_streams -show_format "$f") \
        <(ffprobe -v error -of json -show_streams -show_format "$f") >/dev/null; then
        bad="$bad probe:$(basename "$f")"
    fi
    n=$((n + 1))
}
for spec in 48000:2:192 48000:1:64 44100:2:128 44100:2:384 32000:2:96 32000:1:32 \
    24000:2:160 22050:1:32 16000:1:8 16000:2:64; do
    IFS=: read -r rate ch kbps <<<"$spec"
    [ -f "$tmp/src-$rate-$ch.wav" ] || src "$rate" "$ch" 2
    ff -i "$tmp/src-$rate-$ch.wav" -c:a mp2 -b:a "${kbps}k" "$tmp/ff-$rate-$ch-$kbps.mp2" && check "$tmp/ff-$rate-$ch-$kbps.mp2"
done
for spec in 48000:2:112:joint_stereo:1 44100:2:192:dual_channel:0 32000:2:64:joint_stereo:0 \
    22050:2:48:joint_stereo:1 24000:2:96:stereo:1 48000:1:48:mono:1; do
    IFS=: read -r rate ch kbps mode crc <<<"$spec"
    [ -f "$tmp/src-$rate-$ch.wav" ] || src "$rate" "$ch" 2
    f="$tmp/tl-$rate-$ch-$kbps-$mode-$crc.mp2"
    ff -i "$tmp/src-$rate-$ch.wav" -c:a libtwolame -b:a "${kbps}k" -mode "$mode" -error_protection "$crc" "$f" &&
        check "$f"
done
if [ -z "$bad" ]; then
    echo "ok   mp2: $n streams: packets, decoded samples (bit-exact) and ffprobe fields equal to ffmpeg"
else
    echo "FAIL mp2:$bad"; fail=1
fi

# Float decoder: largest difference to ffmpeg's mp2float over all streams.
worst=$(for f in "$tmp"/*.mp2; do
    "$bin/ffw" -v error -y -c:a mp2float -i "$f" -f f32le "$tmp/a.f32"
    ffmpeg -v error -y -c:a mp2float -i "$f" -f f32le "$tmp/b.f32"
    python3 -c "import array,sys; a=array.array('f',open(sys.argv[1],'rb').read()); b=array.array('f',open(sys.argv[2],'rb').read()); print(max(abs(x-y) for x,y in zip(a,b)) if len(a)==len(b) else 1)" "$tmp/a.f32" "$tmp/b.f32"
done | sort -g | tail -1)
if python3 -c "import sys; sys.exit(0 if float('$worst') < 1e-5 else 1)"; then
    echo "ok   mp2float: largest difference to ffmpeg's mp2float $worst"
else
    echo "FAIL mp2float: largest difference $worst"; fail=1
fi

# Encoder: ffmpeg reads our streams without a message; SNR within 1 dB of ffmpeg's encoder.
src 48000 2 10
ff -i "$tmp/src-48000-2.wav" -f s16le "$tmp/src.raw"
"$mp2enc" "$tmp/src-48000-2.wav" "$tmp/js.mp2" 112 mode=joint_stereo error_protection=1
"$mp2enc" "$tmp/src-48000-2.wav" "$tmp/crc.mp2" 192 error_protection=1
for f in js crc; do
    msgs=$(ffmpeg -nostdin -v warning -err_detect crccheck -i "$tmp/$f.mp2" -f null - 2>&1 | grep -v 'Estimating duration')
    if [ -n "$msgs" ]; then echo "FAIL mp2 encoder ($f): ffmpeg says: $msgs"; fail=1; fi
done
for kbps in 128 192; do
    "$bin/ffw" -v error -y -i "$tmp/src-48000-2.wav" -c:a mp2 -b:a "${kbps}k" "$tmp/ours.mp2"
    ff -i "$tmp/src-48000-2.wav" -c:a mp2 -b:a "${kbps}k" "$tmp/theirs.mp2"
    msgs=$(ffmpeg -nostdin -v warning -i "$tmp/ours.mp2" -f null - 2>&1 | grep -v 'Estimating duration')
    [ -z "$msgs" ] || { echo "FAIL mp2 encoder ${kbps}k: ffmpeg says: $msgs"; fail=1; }
    ff -i "$tmp/ours.mp2" -f s16le "$tmp/ours.raw"
    ff -i "$tmp/theirs.mp2" -f s16le "$tmp/theirs.raw"
    o=$(python3 scripts/mp2_snr.py "$tmp/src.raw" "$tmp/ours.raw" 2 481)
    t=$(python3 scripts/mp2_snr.py "$tmp/src.raw" "$tmp/theirs.raw" 2 481)
    os=$(echo "$o" | awk '{print $4}'); ts=$(echo "$t" | awk '{print $4}')
    if python3 -c "import sys; sys.exit(0 if $os >= $ts - 1 else 1)"; then
        echo "ok   mp2 encoder ${kbps}k stereo: ours $o; ffmpeg $t"
    else
        echo "FAIL mp2 encoder ${kbps}k stereo: ours $o; ffmpeg $t"; fail=1
    fi
done
exit $fail
