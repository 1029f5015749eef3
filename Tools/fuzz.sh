#!/usr/bin/env bash
# Coverage-guided fuzzing of SpikeMesh's loaders with libFuzzer (Docs/Fuzzing.md).
#
#   Tools/fuzz.sh build                      build the libFuzzer binary (.build/fuzz)
#   Tools/fuzz.sh run TARGET [RUNS]          fuzz TARGET for RUNS executions (default 1000000)
#   Tools/fuzz.sh all [RUNS]                 every target in turn
#
# Targets: onnx hardware network idx gzip inflate dataset cli. Seeds come from the committed
# fixtures, Tests/SpikeMeshTests/Fixtures/fuzz/TARGET and the ONNX and hardware files
# (Tools/fuzz.sh seeds TARGET prints them); the corpus grows in .build/fuzz/corpus,
# findings (crash-*, leak-*, timeout-*, oom-*) land in .build/fuzz/findings/TARGET. Each run
# ends with one summary line: target, executions, coverage (libFuzzer's cov: and ft:), the
# corpus size and the number of findings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=.build/fuzz
bin=$root/release/spikemesh-fuzz
targets="onnx hardware network idx gzip inflate dataset cli"

build() {
    swift build -c release --product spikemesh-fuzz --scratch-path "$root" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSPIKEMESH_FUZZ >&2
}

# The committed files a target starts from.
seeds() {
    local f=Tests/SpikeMeshTests/Fixtures
    case "$1" in
        onnx) ls $f/onnx/*.onnx $f/models/*.onnx Examples/*.onnx ;;
        hardware) ls HardwareModels/*.json ;;
    esac
    ls $f/fuzz/"$1"/* 2>/dev/null || true
}

run() {
    local target=$1 runs=${2:-1000000}
    local corpus=$root/corpus/$target findings=$root/findings/$target log=$root/logs/$target.log
    mkdir -p "$corpus" "$findings" "$(dirname "$log")"
    for s in $(seeds "$target"); do
        # Large seeds slow every execution; libFuzzer's -max_len cuts them anyway.
        [ "$(stat -c %s "$s")" -le 200000 ] && cp -n "$s" "$corpus/" || true
    done
    [ -n "$(ls -A "$corpus")" ] || printf 'seed' > "$corpus/empty-seed"
    local start=$(date +%s)
    SPIKEMESH_FUZZ_TARGET=$target "$bin" "$corpus" -runs="$runs" -max_len=65536 -timeout=10 \
        -rss_limit_mb=4096 -malloc_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 \
        > "$log" 2>&1 || true
    local seconds=$(( $(date +%s) - start ))
    local execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    local last=$(grep -E '#[0-9]+.*cov:' "$log" | tail -1)
    local cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo 0)
    local ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo 0)
    local found=$(ls "$findings" | wc -l)
    echo "$target: ${execs:-0} executions in ${seconds} s, cov $cov, ft $ft, corpus $(ls "$corpus" | wc -l) files, findings $found"
}

case "${1:-}" in
    build) build ;;
    seeds) seeds "$2" ;;
    run) [ -x "$bin" ] || build; run "$2" "${3:-1000000}" ;;
    all) [ -x "$bin" ] || build; for t in $targets; do run "$t" "${2:-1000000}"; done ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
esac
