#!/bin/bash
# The long fuzzing mode (docs/RELIABILITY.md, "Fuzzing"; `make fuzz-long`): feeds each target
# RUNS inputs through the libFuzzer harness HARNESS, continuing past findings, and prints per
# target the inputs executed, exec/s, findings and the slowest input.
#
#   scripts/fuzz-long.sh HARNESS RUNS TARGET…
#
# Each target starts from the committed corpus Fuzz/corpus/<target> and keeps what libFuzzer finds
# interesting in .build-fuzz/corpus/<target>. A crash, an input slower than 1 s (-timeout=1) or one
# over 4 GB ends libFuzzer's process with the input written to .build-fuzz/findings/<target>-*;
# the target then starts again for the inputs that remain, at most MAX_FINDINGS (default 20)
# times per target. A timeout whose input then runs within the limit three times alone is a stall
# of the machine (counted, kept in findings/replayed/), not a finding. SECONDS_PER_TARGET (0: no
# limit) caps a target's wall time; the summary says how many inputs actually ran. Logs: .build-fuzz/logs/<target>-<n>.log. Exit status 1 when
# anything was found.
set -u
harness=$1 runs=$2
shift 2
out=.build-fuzz
max_findings=${MAX_FINDINGS:-20}
seconds_per_target=${SECONDS_PER_TARGET:-0}
mkdir -p "$out/findings" "$out/logs"

# The inputs a libFuzzer log says it executed: its final statistics, else its last status line
# (a process that died of a crash or a timeout may print no statistics).
executed() {
    local n
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -1)
    [ -n "$n" ] || n=$(grep -o '^#[0-9]*' "$1" | tr -d '#' | sort -n | tail -1)
    echo "${n:-0}"
}

# Whether ARTIFACT runs within the 1-second limit three times in a row through the harness.
replays_within_limit() {
    local try
    for try in 1 2 3; do
        GITML_FUZZ_TARGET=$1 "$harness" -timeout=1 -rss_limit_mb=4096 "$2" >/dev/null 2>&1 || return 1
    done
}

printf '%-16s %12s %10s %9s %7s %12s\n' target inputs exec/s findings stalls slowest_s
status=0
for target in "$@"; do
    mkdir -p "$out/corpus/$target"
    done_runs=0 findings=0 stalls=0 slowest=0 attempt=0
    started=$(date +%s.%N)
    while [ "$done_runs" -lt "$runs" ]; do
        log="$out/logs/$target-$attempt.log"
        limit=()
        if [ "$seconds_per_target" -gt 0 ]; then
            left=$(awk -v s="$started" -v now="$(date +%s.%N)" -v cap="$seconds_per_target" 'BEGIN { printf "%d", cap - (now - s) }')
            [ "$left" -gt 0 ] || break
            limit=(-max_total_time="$left")
        fi
        GITML_FUZZ_TARGET=$target "$harness" -runs=$((runs - done_runs)) "${limit[@]}" -timeout=1 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$out/findings/$target-" "$out/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1
        code=$?
        ran=$(executed "$log")
        done_runs=$((done_runs + ran))
        slow=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1)
        slowest=$(awk -v a="$slowest" -v b="${slow:-0}" 'BEGIN { print (b > a ? b : a) }')
        attempt=$((attempt + 1))
        [ "$code" -eq 0 ] && break  # the inputs are done, or the time is up
        [ "$ran" -gt 0 ] || { echo "$target: the harness ran no input (exit $code); see $log" >&2; status=1; break; }
        # libFuzzer's -timeout is wall-clock: on a busy machine an ordinary input can overrun it. A
        # timeout input that then runs within the limit three times alone was the machine, not the
        # reader: it moves to findings/replayed/ and counts apart (stalls), not as a finding.
        artifact=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/^Test unit written to //')
        if [[ $artifact == */"$target"-timeout-* ]] && [ -f "$artifact" ] && replays_within_limit "$target" "$artifact"; then
            mkdir -p "$out/findings/replayed" && mv "$artifact" "$out/findings/replayed/"
            stalls=$((stalls + 1))
            echo "$target: stall $stalls: $artifact overran 1 s in the run but replays within it; log $log" >&2
            continue
        fi
        status=1
        findings=$((findings + 1))
        echo "$target: finding $findings (exit $code): $(grep -m1 -o "ERROR: libFuzzer: [a-z -]*" "$log"), $(grep -o "Test unit written to .*" "$log" | tail -1); log $log" >&2
        [ "$findings" -lt "$max_findings" ] || { echo "$target: stopped after $findings findings" >&2; break; }
    done
    wall=$(awk -v s="$started" -v now="$(date +%s.%N)" 'BEGIN { print now - s }')
    printf '%-16s %12d %10.0f %9d %7d %12s\n' "$target" "$done_runs" "$(awk -v n="$done_runs" -v w="$wall" 'BEGIN { print (w > 0 ? n / w : 0) }')" "$findings" "$stalls" "$slowest"
done
exit $status
