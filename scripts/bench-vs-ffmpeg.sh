#!/usr/bin/env bash
# Ours vs ffmpeg, per ../shared/BENCH-PROTOCOL.md: the same input, alternating
# runs, ROUNDS rounds, median wall time of each, ratio ours/ffmpeg.
# Usage: scripts/bench-vs-ffmpeg.sh BIN_DIR [ROUNDS]
# Tasks are added here as features land; each is "name|our command|ffmpeg command".
set -euo pipefail
bin=${1:-target/release}
rounds=${2:-5}
data=bench-data
mkdir -p "$data"

tasks=()
# (no transcoding tasks yet: the media core lands in issue 3)

if [ ${#tasks[@]} -eq 0 ]; then
    echo "bench-vs-ffmpeg: no tasks registered yet (ffw cannot transcode in this build)"
    exit 0
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_cmd() { local s e; s=$(date +%s%N); bash -c "$1" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }

printf '%-28s %12s %12s %8s\n' task ours_us ffmpeg_us ratio
for t in "${tasks[@]}"; do
    IFS='|' read -r name ours theirs <<<"$t"
    : >"$data/ours.t"; : >"$data/theirs.t"
    for _ in $(seq "$rounds"); do
        time_cmd "$ours" >>"$data/ours.t"
        time_cmd "$theirs" >>"$data/theirs.t"
    done
    o=$(median <"$data/ours.t"); f=$(median <"$data/theirs.t")
    printf '%-28s %12d %12d %8.2f\n' "$name" "$o" "$f" "$(echo "$o / $f" | bc -l)"
done
