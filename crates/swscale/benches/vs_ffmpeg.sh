#!/bin/sh
# Side-by-side timing of ffmpeg's libswscale and ours, single-threaded, same input,
# alternating, median of ROUNDS; our throughput (bytes read + written per second) next to the
# machine's one-thread copy bandwidth at the same working-set size (examples/membw.rs).
# Run from the repository root:
#   sh crates/swscale/benches/vs_ffmpeg.sh [ROUNDS]
set -e
ROUNDS=${1:-5}
N=200
DIR=${TMPDIR:-/tmp}/sws-bench
mkdir -p "$DIR"
cargo build -q --release -p swscale --example swsconvert --example membw
OURS=target/release/examples/swsconvert
taskset -c 1 target/release/examples/membw 3110400 | grep -v "bytes: fill\|bytes: read"
[ -f "$DIR/frame1080.yuv" ] || ffmpeg -nostdin -v error -f lavfi -i testsrc2=s=1920x1080:r=25 -frames:v 1 -pix_fmt yuv420p -f rawvideo "$DIR/frame1080.yuv"
for f in rgb24 yuv420p10le; do
  [ -f "$DIR/frame1080.$f" ] || ffmpeg -nostdin -v error -f rawvideo -pix_fmt yuv420p -s 1920x1080 -i "$DIR/frame1080.yuv" -vf format=$f -f rawvideo "$DIR/frame1080.$f"
done
secs() { sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # label src_fmt input dst_fmt WxH flags bytes_read_and_written_per_frame
  label=$1; sf=$2; in=$3; df=$4; size=$5; flags=$6; bytes=$7
  : > "$DIR/ff.t"; : > "$DIR/us.t"
  for r in $(seq "$ROUNDS"); do
    taskset -c 1 ffmpeg -nostdin -benchmark -threads 1 -filter_threads 1 -f rawvideo -pix_fmt "$sf" -s 1920x1080 -i "$in" \
      -sws_flags "$flags" -vf "loop=loop=$((N-1)):size=1:start=0,scale=${size%x*}:${size#*x}:flags=$flags,format=$df" -f null - 2>&1 | secs >> "$DIR/ff.t"
    taskset -c 1 $OURS "$in" 1920x1080 "$sf" - "$size" "$df" "$flags" --loop $N 2>&1 | secs >> "$DIR/us.t"
  done
  ff=$(median < "$DIR/ff.t"); us=$(median < "$DIR/us.t")
  awk -v l="$label" -v f="$ff" -v u="$us" -v n=$N -v b="$bytes" 'BEGIN { printf "%-32s ffmpeg %6.3f ms/frame  ours %6.3f ms/frame  ratio %.2f  ours %4.1f GB/s\n", l, f*1000/n, u*1000/n, u/f, b*n/u/1e9 }'
}
run "yuv420p->rgb24 1080p" yuv420p "$DIR/frame1080.yuv" rgb24 1920x1080 bicubic 9331200
run "yuv420p->bgra 1080p" yuv420p "$DIR/frame1080.yuv" bgra 1920x1080 bicubic 11404800
run "rgb24->yuv420p 1080p" rgb24 "$DIR/frame1080.rgb24" yuv420p 1920x1080 bicubic 9331200
run "yuv420p->nv12 1080p" yuv420p "$DIR/frame1080.yuv" nv12 1920x1080 bicubic 6220800
run "yuv420p10le->yuv420p 1080p" yuv420p10le "$DIR/frame1080.yuv420p10le" yuv420p 1920x1080 bicubic 9331200
run "yuv420p 1080p->720p bilinear" yuv420p "$DIR/frame1080.yuv" yuv420p 1280x720 bilinear 4492800
run "yuv420p 1080p->720p bicubic" yuv420p "$DIR/frame1080.yuv" yuv420p 1280x720 bicubic 4492800
run "rgb24 1080p->720p bilinear" rgb24 "$DIR/frame1080.rgb24" rgb24 1280x720 bilinear 8985600
run "rgb24 1080p->720p lanczos" rgb24 "$DIR/frame1080.rgb24" rgb24 1280x720 lanczos 8985600
