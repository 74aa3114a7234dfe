#!/usr/bin/env bash
# Live MPEG-1 video interop against the installed ffmpeg. Usage: scripts/interop-mpeg1video.sh [BIN_DIR]
# Fresh elementary streams encoded by ffmpeg across picture structures (I only, IP, IBP, IBBP),
# GOP sizes, quantizers 1..31, bit rates, sizes (352x288, 720x576, 98x66, 33x17), custom matrices
# and closed GOPs are decoded by ffw and by `ffmpeg -idct simple`; the raw yuv420p outputs must be
# md5-equal. Prints the bit-exact count (and the PSNR of any stream that differs); exits non-zero
# unless every stream is bit-exact.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -v error -y "$@"; }
total=0; exact=0; fail=0

check() { # name, encoder args...
    local name=$1; shift
    local f="$tmp/$name.m1v"
    if ! ff "$@" -c:v mpeg1video -fflags +bitexact -flags +bitexact -f mpeg1video "$f"; then
        echo "FAIL mpeg1video $name: ffmpeg could not encode"; fail=1; return
    fi
    total=$((total + 1))
    "$bin/ffw" -v error -nostdin -i "$f" -f rawvideo -pix_fmt yuv420p - >"$tmp/ours.yuv" 2>"$tmp/err"
    # The issue's command: rawvideo is constant-rate, so both programs duplicate a picture
    # where the raw stream's guessed timestamps skip one (ffw's video sync is ffmpeg's).
    ff -idct simple -i "$f" -f rawvideo -pix_fmt yuv420p - >"$tmp/ref.yuv"
    if cmp -s "$tmp/ours.yuv" "$tmp/ref.yuv"; then
        exact=$((exact + 1))
    else
        local size; size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$f")
        local psnr; psnr=$(ffmpeg -nostdin -hide_banner -f rawvideo -pix_fmt yuv420p -s "$size" -i "$tmp/ours.yuv" \
            -f rawvideo -pix_fmt yuv420p -s "$size" -i "$tmp/ref.yuv" -lavfi psnr -f null - 2>&1 | grep -o 'average:[^ ]*')
        echo "FAIL mpeg1video $name: not bit-exact ($(stat -c %s "$tmp/ours.yuv") vs $(stat -c %s "$tmp/ref.yuv") bytes, PSNR $psnr)"
        head -3 "$tmp/err"
        fail=1
    fi
}

src() { echo "-f lavfi -i $1=s=$2:r=25 -t $3"; }
# Picture structures and GOP sizes.
for s in 352x288 98x66; do
    for gop in "-g 1" "-g 12 -bf 0" "-g 12 -bf 1" "-g 12 -bf 2" "-g 15 -bf 2" "-g 15 -bf 2 -flags +cgop -sc_threshold 1000000000"; do
        # shellcheck disable=SC2046
        check "testsrc2-$s-${gop// /}" $(src testsrc2 "$s" 1) $gop -q:v 5
    done
done
# Quantizers 1..31 (intra-only and IBBP), plus rate control.
for q in 1 2 3 4 6 8 12 16 24 31; do
    # shellcheck disable=SC2046
    check "mandelbrot-q$q" $(src mandelbrot 176x144 0.6) -g 12 -bf 2 -q:v $q
    # shellcheck disable=SC2046
    check "testsrc-I-q$q" $(src testsrc 128x96 0.2) -g 1 -q:v $q
done
for b in 200k 1M 4M; do
    # shellcheck disable=SC2046
    check "testsrc2-352x288-b$b" $(src testsrc2 352x288 1) -g 12 -bf 2 -b:v $b
done
# Large pictures, odd sizes, noise (escapes, large levels), motion search variants.
# shellcheck disable=SC2046
check "testsrc2-720x576" $(src testsrc2 720x576 0.6) -g 12 -bf 2 -b:v 4M
# shellcheck disable=SC2046
check "testsrc-33x17" $(src testsrc 33x17 1) -g 12 -bf 2 -q:v 3
# shellcheck disable=SC2046
check "noise-q1" $(src testsrc2 160x120 0.4) -vf noise=alls=60:allf=t -g 6 -bf 2 -q:v 1
# shellcheck disable=SC2046
check "mandelbrot-mbd-rd" $(src mandelbrot 320x240 0.6) -g 12 -bf 2 -mbd rd -trellis 1 -b:v 800k
# shellcheck disable=SC2046
check "testsrc2-me-full" $(src testsrc2 320x240 0.6) -g 12 -bf 2 -me_method full -b:v 300k
# Custom quantizer matrices (loaded in the sequence header).
im=$(seq -s, 8 1 71); nm=$(for i in $(seq 64); do echo -n "$((10 + i % 13)),"; done); nm=${nm%,}
# shellcheck disable=SC2046
check "custom-matrices" $(src testsrc2 352x288 0.6) -g 12 -bf 2 -q:v 4 -intra_matrix "$im" -inter_matrix "$nm"

echo "$([ $fail = 0 ] && echo ok || echo FAIL)   mpeg1video: $exact/$total ffmpeg-encoded streams decode bit-exact (md5 of yuv420p vs ffmpeg -idct simple)"
exit $fail
