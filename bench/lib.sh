# Shared by the loopback benchmarks that start a server and an agent (sourced, from the project root):
# bench/out for logs, background processes stopped on exit, and a wait for a listener that does not connect to it.
OUT=bench/out; mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 300); do ss -Hltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
