# fastforward task runner. `just` lists the recipes.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# The README's test command: every unit, integration and doc test (needs no ffmpeg).
test:
    cargo test --workspace

# Everything CI checks besides interop: format, lints, tests, docs, layering.
ci: fmt-check clippy test doc layering fuzz-build

fmt-check:
    cargo fmt --all -- --check

clippy:
    cargo clippy --workspace --all-targets -- -D warnings

doc:
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Fails when a crate depends on one at its own level or above.
layering:
    cargo run -q -p fastforward-tests --bin layering

# Live comparisons against the installed ffmpeg (installs it when run as root).
interop: ensure-ffmpeg
    cargo build -q --release -p ffw -p ffwprobe
    scripts/interop.sh target/release

# Criterion benches of every crate.
bench:
    cargo bench --workspace

# Ours vs ffmpeg on the same inputs, alternating, medians (see ../shared/BENCH-PROTOCOL.md).
bench-vs-ffmpeg: ensure-ffmpeg
    cargo build -q --release -p ffw
    scripts/bench-vs-ffmpeg.sh target/release

# Builds the fuzz targets (own workspace in fuzz/); run one with `cargo fuzz run -s none TARGET` if cargo-fuzz is installed.
fuzz-build:
    cargo build --manifest-path fuzz/Cargo.toml --bins

# Runs fuzz target TARGET for SECONDS on stable Rust, with the coverage instrumentation
# cargo-fuzz uses (plus debug assertions and overflow checks); the corpus grows in
# fuzz/corpus/TARGET and starts from the committed fixtures.
fuzz-run target seconds="120":
    cd fuzz && RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" cargo build --release --bin {{target}} --target x86_64-unknown-linux-gnu --target-dir ../target/fuzz
    mkdir -p fuzz/corpus/{{target}}
    target/fuzz/x86_64-unknown-linux-gnu/release/{{target}} -max_total_time={{seconds}} -rss_limit_mb=2048 -max_len=65536 fuzz/corpus/{{target}} fixtures/wav fixtures/y4m fixtures/bad

# loom models of rtos-sync's host port.
loom:
    RUSTFLAGS="--cfg loom" cargo test -p rtos-sync --release --test tests loom

# Regenerates committed fixtures and their references with ffmpeg.
fixtures: ensure-ffmpeg
    fixtures/generate.sh

ensure-ffmpeg:
    #!/usr/bin/env bash
    set -euo pipefail
    if command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null; then exit 0; fi
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q && apt-get install -y -q --no-install-recommends ffmpeg
    else
        echo "ffmpeg is missing: install it (apt-get install ffmpeg) or run as root" >&2
        exit 1
    fi
