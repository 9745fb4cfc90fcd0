#!/usr/bin/env bash
# Runs one step of `make test` with a deadline. Past it, the step's evidence is printed (every
# process still running under it, with its age and what it waits on), then the step is
# stopped and fails.
# A hang then fails in minutes, with what hung, instead of at CI's own limit with nothing.
#
#   scripts/bounded.sh MINUTES command [arguments...]
set -uo pipefail
if (( $# < 2 )); then
    echo "usage: scripts/bounded.sh MINUTES command [arguments...]" >&2
    exit 2
fi
minutes=$1
shift

# Every process under `$1`, depth first (Foundation gives each child its own process group,
# so the tree, not a group, is what the step owns).
descendants() {
    local child
    for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}

"$@" </dev/null &
step=$!
# Interrupted (^C at make): the step goes too, not left running in the background.
trap 'kill -TERM "$step" $(descendants "$step") 2>/dev/null; wait "$step"; exit 130' INT TERM
deadline=$((SECONDS + minutes * 60))
while kill -0 "$step" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 2
done
if ! kill -0 "$step" 2>/dev/null; then
    wait "$step"
    exit $?
fi

pids=$(descendants "$step" | tr '\n' ' ')
echo
echo "=== TIMEOUT: '$*' still running after $minutes minutes. What was running under it:"
ps -o pid,ppid,etime,stat,wchan:22,args -p "$(echo $step $pids | tr ' ' ',')" | cut -c1-220
# Stop the step; the test environment scripts' traps then stop their servers.
kill -TERM "$step" $pids 2>/dev/null
sleep 10
kill -KILL "$step" $pids $(descendants "$step") 2>/dev/null
wait "$step" 2>/dev/null
echo "=== TIMEOUT: '$*' did not finish within $minutes minutes (what was running is listed above)."
exit 124
