#!/usr/bin/env bash
# Usage (from a directory holding noise48.wav / noise48.mp2, see docs/BENCHMARKS.md): scripts/bench-mp2.sh BIN_DIR [ROUNDS]
# MP2 decode/encode, ours vs ffmpeg, alternating rounds; prints utime medians.
F=$1; R=${2:-5}
run() { taskset -c 1 "$@" 2>&1 | sed -n 's/.*utime=\([0-9.]*\)s.*/\1/p'; }
declare -A t
for r in $(seq $R); do
  t[dec_ff]+="$(run ffmpeg -nostdin -benchmark -threads 1 -c:a mp2 -i noise48.mp2 -f null -) "
  t[dec_us]+="$(run $F/ffw -nostdin -benchmark -threads 1 -i noise48.mp2 -f null -) "
  t[decf_ff]+="$(run ffmpeg -nostdin -benchmark -threads 1 -c:a mp2float -i noise48.mp2 -f null -) "
  t[decf_us]+="$(run $F/ffw -nostdin -benchmark -threads 1 -c:a mp2float -i noise48.mp2 -f null -) "
  t[enc_ff]+="$(run ffmpeg -nostdin -benchmark -threads 1 -i noise48.wav -c:a mp2 -b:a 256k -f null -) "
  t[enc_us]+="$(run $F/ffw -nostdin -benchmark -threads 1 -i noise48.wav -c:a mp2 -b:a 256k -f null -) "
done
for k in dec_ff dec_us decf_ff decf_us enc_ff enc_us; do echo "$k $(echo ${t[$k]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')  [${t[$k]}]"; done
