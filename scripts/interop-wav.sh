#!/usr/bin/env bash
# Live WAV / raw PCM interop against the installed ffmpeg.
# Usage: scripts/interop-wav.sh [REMUX]   (REMUX: the avformat `remux` example binary;
#        built in release mode when not given). Call it from scripts/interop.sh.
# For every PCM codec ffmpeg writes in WAV, sample rates 8000..96000 and 1..8 channels:
#   1. packets: `ffmpeg -i X -c copy -f framecrc` equals ours line for line;
#   2. samples: `ffmpeg -i X -c:a pcm_<decoded fmt> -f md5` equals our decoder's md5;
#   3. write: the WAV we write (copy, and from decoded samples) reads back in ffmpeg with
#      no message and the same samples; piped output is byte-identical to ffmpeg's.
# Raw PCM formats: framecrc equal, and our muxer writes the input bytes back.
# Prints one line per group; exits non-zero if anything differs.
set -uo pipefail
cd "$(dirname "$0")/.."
remux=${1:-}
if [ -z "$remux" ]; then
    cargo build -q --release -p avformat --example remux || exit 1
    remux=target/release/examples/remux
fi
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -v error "$@"; }
bx=(-fflags +bitexact -flags +bitexact)

decoded_codec() {
    case "$1" in
        pcm_u8) echo pcm_u8 ;; pcm_s24le | pcm_s32le) echo pcm_s32le ;; pcm_f32le) echo pcm_f32le ;;
        pcm_f64le) echo pcm_f64le ;; pcm_s64le) echo pcm_s64le ;; *) echo pcm_s16le ;;
    esac
}

# One file: returns non-zero and prints why on the first difference.
check_wav() {
    local x=$1 codec=$2 dec out
    dec=$(decoded_codec "$codec")
    if ! diff <("$remux" -i "$x" -bitexact -f framecrc - 2>&1) \
        <(ff -i "$x" -c copy "${bx[@]}" -f framecrc - 2>&1) >"$tmp/diff"; then
        echo "  $x: framecrc differs:"; head -5 "$tmp/diff"; return 1
    fi
    if [ "$("$remux" -i "$x" -decode -f md5 - 2>&1)" != "$(ff -i "$x" -c:a "$dec" -f md5 - 2>&1)" ]; then
        echo "  $x: decoded md5 differs"; return 1
    fi
    out=$tmp/out.wav
    "$remux" -i "$x" -f wav "$out" || { echo "  $x: remux failed"; return 1; }
    if [ -n "$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1)" ]; then
        echo "  $x: ffmpeg complains about our file"; return 1
    fi
    if [ "$(ff -i "$out" -c copy -f md5 -)" != "$(ff -i "$x" -c copy -f md5 -)" ]; then
        echo "  $x: samples of our copy differ"; return 1
    fi
    "$remux" -i "$x" -decode -f wav "$out" || { echo "  $x: decode+write failed"; return 1; }
    if [ -n "$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1)" ] ||
        [ "$(ff -i "$out" -c:a "$dec" -f md5 -)" != "$(ff -i "$x" -c:a "$dec" -f md5 -)" ]; then
        echo "  $x: decoded samples written as $dec differ"; return 1
    fi
    if ! cmp -s <("$remux" -i "$x" -bitexact -f wav -) <(ff -i "$x" -c copy "${bx[@]}" -f wav -); then
        echo "  $x: piped WAV differs from ffmpeg's"; return 1
    fi
    if ! cmp -s <("$remux" -i "$x" -bitexact -f wav "$tmp/o1.wav" && cat "$tmp/o1.wav") \
        <(ff -y -i "$x" -c copy "${bx[@]}" "$tmp/o2.wav" && cat "$tmp/o2.wav"); then
        echo "  $x: WAV file differs from ffmpeg's"; return 1
    fi
    if ! diff <(cat "$x" | "$remux" -i - -bitexact -f framecrc - 2>&1) \
        <(cat "$x" | ff -i - -c copy "${bx[@]}" -f framecrc - 2>&1) >/dev/null; then
        echo "  $x: framecrc from a pipe differs"; return 1
    fi
}

for codec in pcm_u8 pcm_s16le pcm_s24le pcm_s32le pcm_f32le pcm_f64le pcm_alaw pcm_mulaw pcm_s64le; do
    n=0 bad=0
    # Every channel count at two rates, every rate at two channel counts.
    combos=()
    for ch in 1 2 3 4 5 6 7 8; do combos+=("8000:$ch" "48000:$ch"); done
    for r in 11025 16000 22050 32000 44100 88200 96000; do combos+=("$r:1" "$r:2"); done
    for c in "${combos[@]}"; do
        rate=${c%:*} ch=${c#*:}
        x=$tmp/$codec-$rate-$ch.wav
        ff -y -f lavfi -i "sine=frequency=997:sample_rate=$rate:duration=0.3" -ac "$ch" \
            -c:a "$codec" "${bx[@]}" "$x" || { bad=$((bad + 1)); continue; }
        n=$((n + 1))
        check_wav "$x" "$codec" || bad=$((bad + 1))
    done
    if [ $bad = 0 ]; then
        echo "ok   wav $codec: $n files (8000-96000 Hz, 1-8 channels) match ffmpeg"
    else
        echo "FAIL wav $codec: $bad of $n files differ"; fail=1
    fi
done

# Metadata survives a round trip through our muxer.
x=$tmp/meta.wav
ff -y -f lavfi -i "sine=sample_rate=8000:duration=0.1" -metadata title=T -metadata artist=A \
    -metadata comment=C -metadata genre=G "${bx[@]}" "$x"
"$remux" -i "$x" -f wav "$tmp/meta2.wav"
want='TAG:artist=A|TAG:comment=C|TAG:genre=G|TAG:title=T'
got=$(ffprobe -v error -show_entries format_tags -of default=nw=1 "$tmp/meta2.wav" | grep -v encoder | sort | paste -sd'|')
enc=$(ffprobe -v error -show_entries format_tags=encoder -of default=nw=1:nk=1 "$tmp/meta2.wav")
if [ "$got" = "$want" ] && [ "${enc%% *}" = fastforward ]; then
    echo "ok   wav metadata (INFO) round trip; ISFT=$enc"
else
    echo "FAIL wav metadata: got '$got' encoder '$enc'"; fail=1
fi

# Raw PCM formats.
n=0 bad=0
ff -y -f lavfi -i "sine=frequency=997:sample_rate=44100:duration=0.2" -ac 2 -f s16le "$tmp/src.raw"
printf '\x07\x01\x02' >>"$tmp/src.raw" # a tail shorter than most sample frames
for fmt in alaw f32be f32le f64be f64le mulaw s16be s16le s24be s24le s32be s32le s8 \
    u16be u16le u24be u24le u32be u32le u8 vidc; do
    for c in 8000:1 44100:2 22050:3 96000:6 25:2; do
        rate=${c%:*} ch=${c#*:}
        n=$((n + 1))
        if ! diff <("$remux" -f "$fmt" -ar "$rate" -ac "$ch" -i "$tmp/src.raw" -bitexact -f framecrc - 2>&1) \
            <(ff -f "$fmt" -ar "$rate" -ac "$ch" -i "$tmp/src.raw" -c copy "${bx[@]}" -f framecrc - 2>&1) \
            >"$tmp/diff"; then
            # ffmpeg's CLI stamps a final packet shorter than one frame with the previous dts.
            if [ "$(grep -c '^[<>]' "$tmp/diff")" = 2 ] && grep -q '^<.*,        0,  *[0-9]*, 0x' "$tmp/diff"; then
                continue
            fi
            echo "  $fmt $rate Hz $ch ch: framecrc differs"; head -4 "$tmp/diff"; bad=$((bad + 1))
            continue
        fi
    done
    "$remux" -f "$fmt" -i "$tmp/src.raw" -f "$fmt" "$tmp/back.raw"
    cmp -s "$tmp/src.raw" "$tmp/back.raw" || { echo "  $fmt: muxer changed the bytes"; bad=$((bad + 1)); }
done
if [ $bad = 0 ]; then
    echo "ok   raw pcm: $n format/rate/channel combinations match ffmpeg; muxers write bytes back"
else
    echo "FAIL raw pcm: $bad differences"; fail=1
fi
exit $fail
