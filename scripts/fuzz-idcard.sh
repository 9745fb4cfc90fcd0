#!/usr/bin/env bash
# Fuzzes the SAM frame decoder with libFuzzer (swiftc -sanitize=fuzzer,address).
# Usage: scripts/fuzz-idcard.sh [SECONDS] [extra libFuzzer flags...]
#   SECONDS defaults to 30 (bounded, for CI); FUZZ_RUNS=N bounds by iterations instead.
# New inputs that reach new code go to a scratch folder; copy the interesting ones into
# Tests/Fuzz/idcard-corpus/ (the committed corpus) and commit them. Crashes are written to
# .build/fuzz/ as crash-* and make the script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
out=.build/fuzz
mkdir -p "$out/scratch-corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name IDCardFuzz \
    Sources/KioskCore/IDCard/*.swift Tests/Fuzz/IDCardFrameFuzzer.swift \
    -o "$out/idcard-fuzz" 2> >(grep -v "Cannot export local symbol" >&2)
limit=(-max_total_time="$seconds")
[[ -n "${FUZZ_RUNS:-}" ]] && limit=(-runs="$FUZZ_RUNS")
"$out/idcard-fuzz" "${limit[@]}" -max_len=4096 -timeout=10 -artifact_prefix="$out/" \
    "$@" "$out/scratch-corpus" Tests/Fuzz/idcard-corpus
