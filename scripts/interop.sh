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

# Y4M, rawvideo and lavfi sources (crates/avformat/tests/y4m_interop.rs): packets vs
# `-c copy -f framemd5`, our Y4M read back by ffmpeg, seek landings, lavfi timing.
# Prints the per-group counts when all pass, every failing check with its diff otherwise.
if FASTFORWARD_INTEROP=1 cargo test -q -p avformat --test tests y4m_interop -- --nocapture \
        --test-threads 1 >"$tmp/y4m.log" 2>&1; then
    grep -E '^(y4m|rawvideo|lavfi): ' "$tmp/y4m.log" | sed 's/^/ok   /'
else
    bad "y4m/rawvideo/lavfi interop:"; grep -vE '^ok  ' "$tmp/y4m.log"
fi

exit $fail
