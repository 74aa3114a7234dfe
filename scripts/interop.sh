#!/usr/bin/env bash
# Live interop checks against the installed ffmpeg. Usage: scripts/interop.sh BIN_DIR
# Each check prints one line; the script fails if any check fails.
set -uo pipefail
bin=${1:-target/release}
fail=0
pass() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
tmp=$(mktemp -d)
# A channel layout name for a count, as ffmpeg's aformat filter accepts it.
ch_layout() { case $1 in 1) echo mono;; 2) echo stereo;; 6) echo 5.1;; 8) echo 7.1;; *) return 1;; esac; }
trap 'rm -rf "$tmp"' EXIT

# -pix_fmts: every format we describe must match ffmpeg's component count, bits per pixel and depths.
"$bin/ffw" -hide_banner -pix_fmts | tail -n +9 | cut -c6- >"$tmp/ours"
ffmpeg -hide_banner -pix_fmts 2>&1 | tail -n +9 | cut -c6- >"$tmp/theirs"
if grep -vxFf "$tmp/theirs" "$tmp/ours" >"$tmp/diff"; then
    bad "pix_fmts descriptors differ from ffmpeg:"; cat "$tmp/diff"
else
    pass "pix_fmts: $(wc -l <"$tmp/ours") formats match ffmpeg (components, bpp, depths)"
fi

# -sample_fmts and -layouts: identical listings.
for what in sample_fmts layouts; do
    if diff <("$bin/ffw" -hide_banner -$what) <(ffmpeg -hide_banner -$what 2>&1) >"$tmp/diff"; then
        pass "$what identical to ffmpeg"
    else
        bad "$what differs from ffmpeg:"; cat "$tmp/diff"
    fi
done

# Y4M, rawvideo and lavfi sources (crates/avformat/tests/y4m_interop.rs): packets vs
# `-c copy -f framemd5`, our Y4M read back by ffmpeg, seek landings, lavfi timing.
# Prints the per-group counts when all pass, every failing check with its diff otherwise.
if FASTFORWARD_INTEROP=1 cargo test -q -p avformat --test tests y4m_interop -- --nocapture \
        --test-threads 1 >"$tmp/y4m.log" 2>&1; then
    grep -E '^(y4m|rawvideo|lavfi): ' "$tmp/y4m.log" | sed 's/^/ok   /'
else
    bad "y4m/rawvideo/lavfi interop:"; grep -vE '^ok  ' "$tmp/y4m.log"
fi

# swscale against libswscale: PSNR / max difference per format pair and filter (bounds per pair
# are asserted in crates/swscale/tests/tests.rs).
if SWSCALE_LIVE=1 cargo test -q -p swscale --release --test tests live -- --nocapture >"$tmp/sws.log" 2>&1; then
    pass "swscale: $(grep -c 'PSNR' "$tmp/sws.log") conversions within their PSNR bounds of ffmpeg's"
else
    bad "swscale live comparison:"; tail -20 "$tmp/sws.log"
fi

# WAV and raw PCM demux/decode/mux against ffmpeg through avformat's `remux` example
# (packet framecrc, decoded md5, byte-identical remux to files and pipes).
scripts/interop-wav.sh || fail=1
scripts/interop-mpegps.sh "$bin" || fail=1

# MPEG-1 video: fresh ffmpeg-encoded elementary streams (I/IP/IBP/IBBP, GOP 1/12/15, q 1..31,
# bit rates, 352x288/720x576/98x66/33x17, custom matrices, closed GOPs) decode bit-exact.
scripts/interop-mpeg1video.sh "$bin" || fail=1
# MPEG audio Layer I/II: decode exactness, packets, probe, float decoder, encoder SNR.
scripts/interop-mp2.sh "$bin" || fail=1
# MPEG-1 video encoder: our streams decode in ffmpeg without warnings and md5-equal in both
# decoders; size within 10% of -b:v; PSNR within 0.5 dB of ffmpeg's encoder at the same rate.
scripts/interop-mpeg1video-enc.sh "$bin" || fail=1

# ---- media (through ffw): only once the formats exist in this build ----
have_format() { "$bin/ffw" -hide_banner -formats 2>/dev/null | grep -q " $1 "; }

# WAV: every PCM codec ffmpeg writes in WAV, several rates and channel counts:
# decoded samples (as ffmpeg's md5 muxer sees them) must be identical.
if have_format wav; then
    n=0; bad_n=0
    for codec in pcm_u8 pcm_s16le pcm_s24le pcm_s32le pcm_f32le pcm_f64le pcm_alaw pcm_mulaw; do
        for rate in 8000 22050 44100 48000 96000; do
            for ch in 1 2 6 8; do
                f="$tmp/in.wav"
                ffmpeg -v error -y -f lavfi -i "sine=f=440:r=$rate:d=0.3" -af "aformat=channel_layouts=$(ch_layout $ch 2>/dev/null || echo "${ch}c")" -c:a $codec "$f" 2>/dev/null \
                    || ffmpeg -v error -y -f lavfi -i "sine=f=440:r=$rate:d=0.3" -ac $ch -c:a $codec "$f"
                a=$("$bin/ffw" -v error -nostdin -i "$f" -f md5 - 2>&1)
                b=$(ffmpeg -v error -nostdin -i "$f" -f md5 - 2>&1)
                n=$((n + 1))
                if [ "$a" != "$b" ]; then bad_n=$((bad_n + 1)); echo "     wav $codec $rate Hz $ch ch: ours '$a' ffmpeg '$b'"; fi
            done
        done
    done
    if [ $bad_n -eq 0 ]; then pass "wav: $n files (8 codecs x 5 rates x 4 layouts) decode to ffmpeg's md5"; else bad "wav: $bad_n of $n files differ"; fi

    # What we write, ffmpeg reads back silently and identically.
    ffmpeg -v error -y -f lavfi -i "sine=f=1000:d=1" -ac 2 -c:a pcm_s16le "$tmp/src.wav"
    "$bin/ffw" -v error -nostdin -y -i "$tmp/src.wav" -c:a pcm_s24le "$tmp/ours.wav"
    msg=$(ffmpeg -v error -nostdin -i "$tmp/ours.wav" -f null - 2>&1)
    a=$(ffmpeg -v error -nostdin -i "$tmp/ours.wav" -c:a pcm_s32le -f md5 - 2>&1)
    b=$(ffmpeg -v error -nostdin -i "$tmp/src.wav" -c:a pcm_s32le -f md5 - 2>&1)
    if [ -z "$msg" ] && [ "$a" = "$b" ]; then pass "wav written by ffw reads back in ffmpeg silently and identically"; else bad "wav round trip: '$msg' $a vs $b"; fi
fi

# Y4M: every pixel format ffmpeg writes, odd sizes: framemd5 line for line.
if have_format yuv4mpegpipe; then
    n=0; bad_n=0
    for pf in yuv420p yuv422p yuv444p yuv411p gray yuv420p10le yuv422p12le yuv444p16le gray16le yuva444p; do
        for size in 64x48 33x17; do
            f="$tmp/in.y4m"
            ffmpeg -v error -y -f lavfi -i "testsrc=s=$size:d=0.2" -pix_fmt $pf -strict -1 "$f"
            # stdout only: ffmpeg 5.1 writes odd-width 9-16 bit 4:2:x files it cannot read back
            # in full, and both tools then stop with their own error message.
            a=$("$bin/ffw" -v error -nostdin -i "$f" -f framemd5 -fflags +bitexact - 2>/dev/null)
            b=$(ffmpeg -v error -nostdin -i "$f" -f framemd5 -fflags +bitexact - 2>/dev/null)
            n=$((n + 1))
            if [ "$a" != "$b" ]; then bad_n=$((bad_n + 1)); echo "     y4m $pf $size differs:"; diff <(echo "$a") <(echo "$b") | head -5; fi
        done
    done
    if [ $bad_n -eq 0 ]; then pass "y4m: $n files framemd5 identical to ffmpeg"; else bad "y4m: $bad_n of $n files differ"; fi

    ffmpeg -v error -y -f lavfi -i "testsrc=s=33x17:d=0.2" -pix_fmt yuv420p "$tmp/src.y4m"
    "$bin/ffw" -v error -nostdin -y -i "$tmp/src.y4m" "$tmp/ours.y4m"
    msg=$(ffmpeg -v error -nostdin -i "$tmp/ours.y4m" -f null - 2>&1)
    a=$(ffmpeg -v error -nostdin -i "$tmp/ours.y4m" -f framemd5 -fflags +bitexact - 2>&1)
    b=$(ffmpeg -v error -nostdin -i "$tmp/src.y4m" -f framemd5 -fflags +bitexact - 2>&1)
    if [ -z "$msg" ] && [ "$a" = "$b" ]; then pass "y4m written by ffw reads back in ffmpeg silently and identically"; else bad "y4m round trip: '$msg'"; fi
fi

# Accurate input seeking and -t trimming: the same frames and samples as ffmpeg.
if [ -f "$tmp/src.wav" ] && [ -f "$tmp/src.y4m" ]; then
    n=0; bad_n=0
    for f in "$tmp/src.wav" "$tmp/src.y4m"; do
        # (Seeking past the end differs: ffmpeg writes the header only after the first frame,
        # so with no frame at all its #sar line is 0/1; ours is written up front.)
        for opts in "-ss 0.08" "-ss 0.123" "-ss 0.04 -t 0.1" "-t 0.07"; do
            # shellcheck disable=SC2086
            a=$("$bin/ffw" -v error -nostdin $opts -i "$f" -f framemd5 -fflags +bitexact - 2>&1)
            # shellcheck disable=SC2086
            b=$(ffmpeg -v error -nostdin $opts -i "$f" -f framemd5 -fflags +bitexact - 2>&1)
            n=$((n + 1))
            [ "$a" = "$b" ] || { bad_n=$((bad_n + 1)); echo "     $(basename "$f") $opts differs"; }
        done
    done
    if [ $bad_n -eq 0 ]; then pass "-ss/-t: $n seeks and trims give ffmpeg's frames and samples"; else bad "-ss/-t: $bad_n of $n differ"; fi
fi

# ffwprobe vs ffprobe on the fields issue 3 names.
for f in "$tmp/src.wav" "$tmp/src.y4m"; do
    [ -f "$f" ] || continue
    "$bin/ffwprobe" -v error -of json -show_format -show_streams "$f" >"$tmp/ours.json" 2>&1
    ffprobe -v error -of json -show_format -show_streams "$f" >"$tmp/theirs.json" 2>&1
    if out=$(scripts/probe_compare.py "$tmp/ours.json" "$tmp/theirs.json"); then
        pass "ffwprobe json matches ffprobe on $(basename "$f")"
    else
        bad "ffwprobe json differs on $(basename "$f"):"; echo "$out"
    fi
done

exit $fail
