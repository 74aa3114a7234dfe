#!/bin/sh
# 1 vs 2 threads on 1080p conversions and scaling: our swsconvert (`--threads N`, a rayon pool of N)
# and, as a reference, ffmpeg's libswscale (`-filter_threads N` and the scale filter's `threads=N`),
# alternated within each round. Optionally a second build of swsconvert (OLD=path) for before/after.
# Prints one line per run ("round task binary tN ms/frame") into OUT, then medians per task.
# INPOOL=1 adds runs of the new build with `--in-pool` (label `inpool`): the frame loop runs on one
# of the pool's threads, which then takes tasks itself instead of handing each frame off.
# Run from the repository root (inputs as in vs_ffmpeg.sh):
#   OLD=/path/to/old/swsconvert INPOOL=1 sh crates/swscale/benches/threads.sh [ROUNDS] [OUT]
set -e
ROUNDS=${1:-5}; OUT=${2:-${TMPDIR:-/tmp}/sws-threads.txt}
DIR=${TMPDIR:-/tmp}/sws-bench
N=300; NF=200
cargo build -q --release -p swscale --example swsconvert
NEW=target/release/examples/swsconvert
BINS="new"; [ -n "$OLD" ] && BINS="old new"; [ -n "$INPOOL" ] && BINS="$BINS inpool"
mkdir -p "$DIR"
[ -f "$DIR/frame1080.yuv" ] || ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=1920x1080:r=25 -frames:v 1 -pix_fmt yuv420p -f rawvideo "$DIR/frame1080.yuv"
[ -f "$DIR/frame1080.rgb24" ] || ffmpeg -nostdin -v error -f rawvideo -pix_fmt yuv420p -s 1920x1080 -i "$DIR/frame1080.yuv" -vf format=rgb24 -f rawvideo "$DIR/frame1080.rgb24"
: > "$OUT"
secs() { sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' | tail -1; }
task() { # label src_fmt input dst_fmt WxH flags
  label=$1; sf=$2; in=$3; df=$4; size=$5; flags=$6
  for t in 1 2; do
    for b in $BINS; do
      bin=$NEW; [ "$b" = old ] && bin=$OLD; extra=; [ "$b" = inpool ] && extra=--in-pool
      s=$(taskset -c 0,1 "$bin" "$in" 1920x1080 "$sf" - "$size" "$df" "$flags" --loop $N --threads $t $extra 2>&1 | secs)
      echo "$r $label $b t$t $(awk -v s="$s" -v n=$N 'BEGIN{printf "%.4f", s*1000/n}')" >> "$OUT"
    done
    s=$(taskset -c 0,1 ffmpeg -nostdin -benchmark -threads 1 -filter_threads $t -f rawvideo -pix_fmt "$sf" -s 1920x1080 -i "$in" \
      -sws_flags "$flags" -vf "loop=loop=$((NF-1)):size=1:start=0,scale=${size%x*}:${size#*x}:flags=$flags:threads=$t,format=$df" -f null - 2>&1 | secs)
    echo "$r $label ffmpeg t$t $(awk -v s="$s" -v n=$NF 'BEGIN{printf "%.4f", s*1000/n}')" >> "$OUT"
  done
}
for r in $(seq "$ROUNDS"); do
  echo "$r uptime $(date -u +%H:%M:%S) $(uptime | sed 's/.*average: //')" >> "$OUT"
  task yuv2rgb24 yuv420p "$DIR/frame1080.yuv" rgb24 1920x1080 bicubic
  task yuv2bgra yuv420p "$DIR/frame1080.yuv" bgra 1920x1080 bicubic
  task rgb2yuv rgb24 "$DIR/frame1080.rgb24" yuv420p 1920x1080 bicubic
  task yuv2nv12 yuv420p "$DIR/frame1080.yuv" nv12 1920x1080 bicubic
  task yuv720bilin yuv420p "$DIR/frame1080.yuv" yuv420p 1280x720 bilinear
  task yuv720bicub yuv420p "$DIR/frame1080.yuv" yuv420p 1280x720 bicubic
  task rgb720bilin rgb24 "$DIR/frame1080.rgb24" rgb24 1280x720 bilinear
done
echo "end uptime $(date -u +%H:%M:%S) $(uptime | sed 's/.*average: //')" >> "$OUT"
grep uptime "$OUT"
# Medians: task binary t1 t2 speed-up.
grep -v uptime "$OUT" | awk '{k=$2" "$3" "$4; v[k]=v[k]" "$5} END {for (k in v) print k, v[k]}' | sort |
  while read -r task bin t vals; do
    m=$(echo $vals | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$task $bin $t $m"
  done | awk '{k=$1" "$2; if ($3=="t1") a[k]=$4; else b[k]=$4} END {for (k in a) printf "%-12s %-7s 1 thread %.3f ms  2 threads %.3f ms  %.2fx\n", substr(k,1,index(k," ")-1), substr(k,index(k," ")+1), a[k], b[k], a[k]/b[k]}' | sort
