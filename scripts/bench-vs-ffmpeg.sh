#!/usr/bin/env bash
# Ours vs ffmpeg, per ../shared/BENCH-PROTOCOL.md: the same input, alternating
# runs, ROUNDS rounds, medians; ratio = ours / ffmpeg for the `bench: rtime`
# both print (transcode time without start-up and probing) and for the whole
# process wall time. Usage: scripts/bench-vs-ffmpeg.sh BIN_DIR [ROUNDS] [TASK-FILTER]
set -euo pipefail
bin=$(realpath "${1:-target/release}")
rounds=${2:-5}
filter=${3:-}
data=bench-data
mkdir -p "$data"

# Inputs (deterministic; generated once, kept out of git).
[ -f "$data/hour.wav" ] || ffmpeg -v error -nostdin -f lavfi -i "sine=f=440:r=44100:d=3600" -ac 2 -c:a pcm_s16le -fflags +bitexact "$data/hour.wav"
# MPEG-1 video (BENCH-PROTOCOL inputs, as elementary streams until the MPEG-PS demuxer exists).
[ -f "$data/m1v720.m1v" ] || ffmpeg -v error -nostdin -f lavfi -i "testsrc2=s=1280x720:r=25" -t 20 -c:v mpeg1video -b:v 6M -g 12 -bf 2 -f mpeg1video "$data/m1v720.m1v"
[ -f "$data/m1v720_hard.m1v" ] || ffmpeg -v error -nostdin -f lavfi -i "mandelbrot=s=1280x720:r=25" -t 20 -c:v mpeg1video -q:v 4 -g 12 -bf 2 -f mpeg1video "$data/m1v720_hard.m1v"
[ -f "$data/m1v1080.m1v" ] || ffmpeg -v error -nostdin -f lavfi -i "testsrc2=s=1920x1080:r=25" -t 10 -c:v mpeg1video -b:v 6M -g 12 -bf 2 -f mpeg1video "$data/m1v1080.m1v"
[ -f "$data/m1v1080_hard.m1v" ] || ffmpeg -v error -nostdin -f lavfi -i "mandelbrot=s=1920x1080:r=25" -t 10 -c:v mpeg1video -q:v 4 -g 12 -bf 2 -f mpeg1video "$data/m1v1080_hard.m1v"
# MPEG-1 video encoding inputs (10 s at 352x288, 5 s at 720x576).
for src in testsrc2 mandelbrot; do
    [ -f "$data/$src-cif.y4m" ] || ffmpeg -v error -nostdin -f lavfi -i "$src=s=352x288:r=25" -t 10 -pix_fmt yuv420p "$data/$src-cif.y4m"
    [ -f "$data/$src-576.y4m" ] || ffmpeg -v error -nostdin -f lavfi -i "$src=s=720x576:r=25" -t 5 -pix_fmt yuv420p "$data/$src-576.y4m"
done
[ -f "$data/clip1080.y4m" ] || ffmpeg -v error -nostdin -f lavfi -i "testsrc2=s=1920x1080:r=25" -frames:v 300 -pix_fmt yuv420p "$data/clip1080.y4m"

# MPEG-1 video encode: input, -b:v, tool -> command (-g 12 -bf 2, single-threaded, to stdout).
enc() {
    local tool=$bin/ffw
    [ "$3" = ffmpeg ] && tool=ffmpeg
    echo "$tool -nostdin -benchmark -threads 1 -i $data/$1.y4m -c:v mpeg1video -b:v $2 -g 12 -bf 2 -f mpeg1video -"
}

# name|our command|ffmpeg command (both single-threaded)
tasks=(
    "wav-1h->md5|$bin/ffw -nostdin -benchmark -threads 1 -i $data/hour.wav -f md5 -|ffmpeg -nostdin -benchmark -threads 1 -i $data/hour.wav -f md5 -"
    "wav-1h->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/hour.wav -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/hour.wav -f null -"
    "y4m-1080p-300->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/clip1080.y4m -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/clip1080.y4m -f null -"
    "m1v-720p-6M->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/m1v720.m1v -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/m1v720.m1v -f null -"
    "m1v-720p-mandel-q4->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/m1v720_hard.m1v -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/m1v720_hard.m1v -f null -"
    "m1v-1080p-6M->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/m1v1080.m1v -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/m1v1080.m1v -f null -"
    "m1v-1080p-mandel-q4->null|$bin/ffw -nostdin -benchmark -threads 1 -i $data/m1v1080_hard.m1v -f null -|ffmpeg -nostdin -benchmark -threads 1 -i $data/m1v1080_hard.m1v -f null -"
    "m1v-720p-6M->null-2thr|$bin/ffw -nostdin -benchmark -threads 2 -i $data/m1v720.m1v -f null -|ffmpeg -nostdin -benchmark -threads 2 -i $data/m1v720.m1v -f null -|0,1"
    "m1v-1080p-mandel-q4->null-2thr|$bin/ffw -nostdin -benchmark -threads 2 -i $data/m1v1080_hard.m1v -f null -|ffmpeg -nostdin -benchmark -threads 2 -i $data/m1v1080_hard.m1v -f null -|0,1"
    "m1v-enc-cif-testsrc2-1M|$(enc testsrc2-cif 1M ffw)|$(enc testsrc2-cif 1M ffmpeg)"
    "m1v-enc-cif-mandel-4M|$(enc mandelbrot-cif 4M ffw)|$(enc mandelbrot-cif 4M ffmpeg)"
    "m1v-enc-576-testsrc2-2M|$(enc testsrc2-576 2M ffw)|$(enc testsrc2-576 2M ffmpeg)"
    "m1v-enc-576-mandel-4M|$(enc mandelbrot-576 4M ffw)|$(enc mandelbrot-576 4M ffmpeg)"
    "y4m-1080p-300->framemd5|$bin/ffw -nostdin -benchmark -threads 1 -i $data/clip1080.y4m -f framemd5 -|ffmpeg -nostdin -benchmark -threads 1 -i $data/clip1080.y4m -f framemd5 -"
)

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Runs a command on CPUs $2 (default: CPU 1 only), prints "rtime wall" in seconds.
measure() {
    local s e err
    s=$(date +%s%N)
    err=$(taskset -c "${2:-1}" bash -c "$1" 2>&1 >/dev/null) || { echo "command failed: $1" >&2; echo "$err" | tail -3 >&2; return 1; }
    e=$(date +%s%N)
    echo "$(echo "$err" | grep -o 'rtime=[0-9.]*' | cut -d= -f2) $(echo "($e - $s) / 1000000000" | bc -l)"
}

printf '%-26s %10s %10s %7s %10s %10s %7s\n' task ours_rt ffm_rt ratio ours_wall ffm_wall ratio
for t in "${tasks[@]}"; do
    IFS='|' read -r name ours theirs cpus <<<"$t"
    [[ -n "$filter" && "$name" != *"$filter"* ]] && continue
    : >"$data/o.t"; : >"$data/f.t"
    for _ in $(seq "$rounds"); do
        measure "$ours" "${cpus:-1}" >>"$data/o.t"
        measure "$theirs" "${cpus:-1}" >>"$data/f.t"
    done
    ort=$(cut -d' ' -f1 "$data/o.t" | median); frt=$(cut -d' ' -f1 "$data/f.t" | median)
    ow=$(cut -d' ' -f2 "$data/o.t" | median); fw=$(cut -d' ' -f2 "$data/f.t" | median)
    printf '%-26s %10.3f %10.3f %7.2f %10.3f %10.3f %7.2f\n' "$name" "$ort" "$frt" "$(echo "$ort / $frt" | bc -l)" "$ow" "$fw" "$(echo "$ow / $fw" | bc -l)"
done
