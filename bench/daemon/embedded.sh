# shellcheck shell=bash disable=SC2034  # sets bs and daemon for the sourcing script
# Sourced by latency.sh, threads.sh, stalls.sh and open_loop_bytes.sh: a daemon (or the raw responder) on
# its embedded cluster.
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

# wait_ready PID WORK TEXT: waits up to 30 s for TEXT in WORK/log, then sets `bs` from WORK/out
# (its bootstrap.servers= line). A process that dies or is not ready by then: its log, exit 1.
wait_ready() {
  wait_for_line "$1" "$2/log" "$3" 30
  bs=$(bootstrap_servers "$2/out")
}

# start_hmmd BIN WORK: hanzo-hmmd --embedded-kafka (plus HMMD_ARGS), metrics on a free port;
# sets `daemon` (its pid) and `bs`.
start_hmmd() {
  # shellcheck disable=SC2086 # word splitting of HMMD_ARGS is wanted
  "$1/hanzo-hmmd" --embedded-kafka --metrics-listen 127.0.0.1:0 ${HMMD_ARGS:-} >"$2/out" 2>"$2/log" &
  daemon=$!
  wait_ready "$daemon" "$2" 'hanzo-hmmd: ready'
}

# need_positive PROGRAM NAME VALUE: exits 64 unless VALUE is a positive integer.
need_positive() {
  [[ $3 =~ ^[1-9][0-9]*$ ]] || { echo "$1: $2 must be a positive integer, not '$3'" >&2; exit 64; }
}
