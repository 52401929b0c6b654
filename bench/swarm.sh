#!/usr/bin/env bash
# Scale harness: CLIENTS simulated agents x CONNECTIONS sessions (bench/AgentSwarm.java, one JVM) against the
# packaged server on H2, then a reconnect storm (the server restarted under them). Reports logins/s, server heap
# and RSS per session, idle CPU, the Prometheus page's size and scrape time, and the storm's recovery.
# Needs a build (mvn -B -q -DskipTests package). Usage: bench/swarm.sh CLIENTS CONNECTIONS
# Environment: SETTLE seconds between the last login and the idle window (default 10; longer lets the JIT finish),
# IDLE seconds of the idle window (30), STORM=0 skips the restart, PROFILE=1 records JFR, SERVER_CMD replaces the
# server's launch command (default tunnel-server/bin/tunnel-server, as the README starts it), SERVER_JAVA_OPTS adds
# JVM flags.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-1000}
CONNECTIONS=${2:-1}
OUT=bench/out/swarm; rm -rf "$OUT"; mkdir -p "$OUT"
ADMIN=swarm-admin
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The clients, configured statically: client i is swarm-i with token swarm-i.secret-swarm-i.
python3 - "$CLIENTS" > "$OUT/clients.yml" <<'PY'
import sys
n = int(sys.argv[1])
print("tunnel:\n  server:\n    clients:")
for i in range(n):
    print(f"      - name: swarm-{i}\n        token: swarm-{i}.secret-swarm-{i}")
PY

SERVER_ARGS=(--server.port=18090 --tunnel.server.bind-address=127.0.0.1 --tunnel.server.bind-port=17090
  --spring.datasource.url=jdbc:h2:mem:swarm --tunnel.api.admin-token=$ADMIN
  --tunnel.server.tls.generated-directory="$OUT/tls" --spring.config.additional-location="file:$OUT/clients.yml"
  --tunnel.server.shutdown.lb-grace=0s --tunnel.server.shutdown.drain=2s
  # Every simulated agent dials from 127.0.0.1; real fleets come from many addresses.
  --tunnel.server.login.max-pending-per-address=100000)
start_server() {
  JAVA_OPTS="${SERVER_JAVA_OPTS:-}" ${SERVER_CMD:-tunnel-server/bin/tunnel-server} "${SERVER_ARGS[@]}" >> "$OUT/server.log" 2>&1 &
  SERVER=$!; PIDS+=($SERVER)
  for _ in $(seq 1 600); do curl -sf localhost:18090/actuator/health/readiness >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server did not start" >&2; exit 1
}
heap_kib() { jcmd "$1" GC.run >/dev/null; jcmd "$1" GC.heap_info | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+'; }
rss_kib() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
sessions() { curl -s -H "Authorization: Bearer $ADMIN" localhost:18090/actuator/prometheus | awk '/^tunnel_sessions_active/ {print int($2)}'; }

start_server
PIN=$(grep -oE 'key pin [A-Za-z0-9_-]+' "$OUT/server.log" | head -1 | awk '{print $3}')
HEAP0=$(heap_kib $SERVER); RSS0=$(rss_kib $SERVER)

# PROFILE=1 also records the first 40 s of logins (login.jfr).
[ -n "${PROFILE:-}" ] && jcmd $SERVER JFR.start name=logins settings=profile duration=40s filename="$PWD/$OUT/login.jfr" >/dev/null
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${SWARM_JAVA_OPTS:--Xmx3g} -cp tunnel-agent/target/tunnel-agent.jar \
  bench/AgentSwarm.java 127.0.0.1:17090 "$CLIENTS" "$CONNECTIONS" "$PIN" > "$OUT/swarm.log" 2>&1 &
SWARM=$!; PIDS+=($SWARM)
for _ in $(seq 1 900); do grep -q ALL_UP "$OUT/swarm.log" && break; sleep 1; done
UP_SECONDS=$(grep -oE 'ALL_UP seconds=[0-9.]+' "$OUT/swarm.log" | cut -d= -f2)
WANTED=$((CLIENTS * CONNECTIONS))
sleep ${SETTLE:-10}   # settle: the logins' garbage, first keepalive rounds, the JIT
N=$(sessions)
HEAP1=$(heap_kib $SERVER); RSS1=$(rss_kib $SERVER)
thread_ticks() { for t in /proc/"$1"/task/*; do printf '%s\t%s\t%s\n' "${t##*/}" "$(awk '{print $14 + $15}' "$t/stat")" "$(cat "$t/comm")"; done; }
thread_ticks $SERVER > "$OUT/threads0.txt"
# PROFILE=1: a JFR recording of the idle window; the hottest frames go to idle-profile.txt.
[ -n "${PROFILE:-}" ] && jcmd $SERVER JFR.start name=idle settings=profile duration=${IDLE:-30}s filename="$PWD/$OUT/idle.jfr" >/dev/null
T0=$(cpu_ticks $SERVER); sleep ${IDLE:-30}; T1=$(cpu_ticks $SERVER)
RSS2=$(rss_kib $SERVER)   # the idle server as it stands, no collection forced
thread_ticks $SERVER > "$OUT/threads1.txt"
if [ -n "${PROFILE:-}" ]; then
  sleep 2
  jfr print --events jdk.ExecutionSample "$OUT/idle.jfr" | python3 -c '
import collections, re, sys
top, leaf, stack = collections.Counter(), collections.Counter(), []
for line in sys.stdin:
    m = re.match(r"\s+([\w.$<>]+)\(", line)
    if m:
        stack.append(m.group(1))
    elif line.startswith("}") and stack:
        leaf[stack[0]] += 1
        for frame in set(stack):
            if frame.startswith("io.tunnelplane") or frame.startswith("io.netty"):
                top[frame] += 1
        stack = []
print("samples by leaf frame:"); [print(n, f) for f, n in leaf.most_common(15)]
print("samples by frame on the stack (netty, tunnelplane):"); [print(n, f) for f, n in top.most_common(25)]
' > "$OUT/idle-profile.txt"
fi
# Where the idle CPU goes, by thread name without its number (ticks over the 30 s window).
python3 - "$OUT" > "$OUT/idle-threads.txt" <<'PY'
import collections, re, sys
out = sys.argv[1]
def load(name):
    rows = {}
    for line in open(f"{out}/{name}"):
        tid, ticks, comm = line.rstrip("\n").split("\t")
        rows[tid] = (int(ticks), re.sub(r"[-#]?\d+$", "", comm))
    return rows
before, after = load("threads0.txt"), load("threads1.txt")
by = collections.Counter()
for tid, (ticks, comm) in after.items():
    by[comm] += ticks - before.get(tid, (0, comm))[0]
for comm, ticks in by.most_common(8):
    print(ticks, comm)
PY
TICKS=$(getconf CLK_TCK)
read -r PROM_BYTES PROM_SECONDS < <(curl -s -o /dev/null -w '%{size_download} %{time_total}\n' \
  -H "Authorization: Bearer $ADMIN" localhost:18090/actuator/prometheus)

# The storm: restart the server under the connected swarm.
STORM_START=$(date +%s.%N)
if [ "${STORM:-1}" != 0 ]; then
  kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
  STORM_START=$(date +%s.%N)
  start_server
  CPU_A=$(cpu_ticks $SERVER); SWARM_A=$(cpu_ticks $SWARM)
  # PROFILE=1: both JVMs during the storm's logins (storm-server.jfr, storm-swarm.jfr).
  if [ -n "${PROFILE:-}" ]; then
    jcmd $SERVER JFR.start name=storm settings=profile duration=40s filename="$PWD/$OUT/storm-server.jfr" >/dev/null
    jcmd $SWARM JFR.start name=storm settings=profile duration=40s filename="$PWD/$OUT/storm-swarm.jfr" >/dev/null
  fi
  for _ in $(seq 1 600); do grep -q ALL_BACK "$OUT/swarm.log" && break; sleep 1; done
fi
STORM_END=$(date +%s.%N)
CPU_B=$(cpu_ticks $SERVER); CPU_A=${CPU_A:-$CPU_B}
SWARM_B=$(cpu_ticks $SWARM); SWARM_A=${SWARM_A:-$SWARM_B}
BACK_SECONDS=$(grep -oE 'ALL_BACK seconds=[0-9.]+' "$OUT/swarm.log" | tail -1 | cut -d= -f2 || true)
REFUSED=$(curl -s -H "Authorization: Bearer $ADMIN" localhost:18090/actuator/prometheus \
  | awk '/^tunnel_logins_refused_total/ {s += $2} END {print int(s)}')
LOCKED=$(curl -s -H "Authorization: Bearer $ADMIN" localhost:18090/actuator/prometheus \
  | awk '/^tunnel_logins_locked / {print int($2)}')

python3 - <<PY
n = $N
print("| agents x connections | sessions up | logins/s (all up in) | server heap per session | RSS per session | idle CPU | /actuator/prometheus | storm: all back in | logins refused | CPU during storm (server, swarm) |")
print("|---|---|---|---|---|---|---|---|---|---|")
heap = ($HEAP1 - $HEAP0) / n if n else 0
rss = ($RSS1 - $RSS0) / n if n else 0
idle = ($T1 - $T0) / $TICKS / ${IDLE:-30} * 100
storm_s = $STORM_END - $STORM_START
storm_cpu = ($CPU_B - $CPU_A) / $TICKS / storm_s * 100 if storm_s > 0.5 else 0
swarm_cpu = ($SWARM_B - $SWARM_A) / $TICKS / storm_s * 100 if storm_s > 0.5 else 0
up = float("${UP_SECONDS:-0}")
print(f"| $CLIENTS x $CONNECTIONS | {n} of $WANTED | {n/up if up else 0:.0f} ({up:.1f} s) | {heap:.1f} KiB | {rss:.1f} KiB | {idle:.1f} % of a core | {$PROM_BYTES/1024:.0f} KiB in {$PROM_SECONDS*1000:.0f} ms | ${BACK_SECONDS:-never} s | $REFUSED (locked out: ${LOCKED:-0}) | {storm_cpu:.0f} %, {swarm_cpu:.0f} % |")
print()
print(f"Server RSS: {$RSS0/1024:.0f} MiB started, {$RSS1/1024:.0f} MiB with {n} sessions (after a forced GC), "
      f"{$RSS2/1024:.0f} MiB at the end of the {${IDLE:-30}} s idle window.")
PY
