#!/usr/bin/env bash
# Live interop checks against the installed ffmpeg. Usage: scripts/interop.sh BIN_DIR
# Each check prints one line; the script fails if any check fails.
set -uo pipefail
bin=${1:-target/release}
fail=0
pass() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }
tmp=$(mktemp -d)
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

# WAV and raw PCM demux/decode/mux against ffmpeg (through avformat's `remux` example until ffw
# does it; the script builds it).
scripts/interop-wav.sh || fail=1

exit $fail
