#!/usr/bin/env bash
# Side-by-side loopback benchmark, all in one run: real clients (pgbench -S, redis-benchmark, wrk), iperf3 and a
# 1 KiB request/response probe through four paths to the same services:
#   direct        the service itself
#   limit         two chained plain Netty relays (bench/NettyRelay.java): a tunnel's two hops without framing,
#                 flow control or TLS, the ceiling to approach
#   ssh -R        an OpenSSH reverse tunnel on a private sshd
#   tunnelplane   server and agent started as the README starts them (their launchers; TLS 1.3, two connections)
# Every path is warmed before it is measured. The tunnel's cold start (pgbench -S from the moment its proxy port
# opens) is measured first, while its JVMs are fresh, and the RSS of server and agent is sampled throughout.
# Needs: iperf3 wrk redis-tools postgresql-client openssh-server (apt-get install), the machine's PostgreSQL and
# Redis on their standard ports, a built project (mvn -B -q -DskipTests package).
# Usage: bench/run.sh [seconds-per-measurement]   Output: Markdown tables on stdout, logs under bench/out.
# Env: ONLY_TUNNEL=1 skips the reference paths; TUNNEL_JAVA_OPTS adds JVM flags to server and agent (e.g.
# -Dtunnel.transport=nio), SERVER_JAVA_OPTS / AGENT_JAVA_OPTS to one of them; SERVER_CMD / AGENT_CMD replace a
# launch command (default: the shipped launchers, tunnel-server/bin/tunnel-server and tunnel-agent/bin/tunnel-agent).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
OUT=bench/out; mkdir -p "$OUT"
PIDS=()
# TERM first (the server drains, JFR recordings are written), KILL whatever is still there 30 s later.
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 300); do
    alive=0; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

AGENT_JAR=tunnel-agent/target/tunnel-agent.jar
probe() { java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 bench/LoadProbe.java "$@"; }
# Waits for a listener without connecting to it (a probe connection would confuse iperf3's server).
wait_port() { for _ in $(seq 1 600); do ss -Hltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
now_ms() { date +%s%3N; }

# The "internal" services: iperf3, an echo server, a small web site, and the machine's PostgreSQL and Redis.
IPERF=15201 ECHO=15300 HTTP=15400 PG=5432 REDIS=6379
iperf3 -s -p $IPERF >/dev/null 2>&1 & PIDS+=($!)
# (java directly, not through probe(): $! must be the JVM itself for the cleanup to stop it)
java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 bench/LoadProbe.java echo-server $ECHO >/dev/null 2>&1 & PIDS+=($!)
java -XX:+UseSerialGC -Dsun.net.httpserver.nodelay=true bench/HttpHello.java $HTTP >/dev/null 2>&1 & PIDS+=($!)
pg_isready -q -h 127.0.0.1 -p $PG && redis-cli -p $REDIS ping >/dev/null
if ! psql -qAt -h 127.0.0.1 -U postgres -d test -c "select 1 from pg_database where datname = 'bench'" | grep -q 1; then
  psql -q -h 127.0.0.1 -U postgres -d test -c "create database bench"
  pgbench -q -i -s 10 -h 127.0.0.1 -U postgres bench >/dev/null 2>&1
fi
wait_port $IPERF; wait_port $ECHO; wait_port $HTTP

# The tunnel first, so that its cold start is measured on fresh JVMs: server and agent as the README starts them.
TOKEN=bench.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
rm -rf "$OUT/tls"
proxy() { # index name local-port remote-port
  echo "--tunnel.server.clients[0].proxies[$1].name=$2 --tunnel.server.clients[0].proxies[$1].local-port=$3" \
       "--tunnel.server.clients[0].proxies[$1].remote-port=$4"
}
START=$(now_ms)
# shellcheck disable=SC2046
JAVA_OPTS="${TUNNEL_JAVA_OPTS:-} ${SERVER_JAVA_OPTS:-}" ${SERVER_CMD:-tunnel-server/bin/tunnel-server} --server.port=18080 --tunnel.server.bind-port=17000 \
  --spring.datasource.url=jdbc:h2:mem:bench --tunnel.server.tls.generated-directory="$OUT/tls" \
  --tunnel.server.clients[0].name=bench --tunnel.server.clients[0].token="$TOKEN" \
  $(proxy 0 iperf $IPERF 18201) $(proxy 1 echo $ECHO 18301) $(proxy 2 http $HTTP 18401) \
  $(proxy 3 pg $PG 18501) $(proxy 4 redis $REDIS 18601) > "$OUT/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
wait_port 17000
for _ in $(seq 1 100); do [ -f "$OUT/tls/agent-port.crt" ] && break; sleep 0.1; done
# The agent verifies the server's (created) certificate: the same TLS 1.3 session a deployment runs.
JAVA_OPTS="${TUNNEL_JAVA_OPTS:-} ${AGENT_JAVA_OPTS:-}" ${AGENT_CMD:-tunnel-agent/bin/tunnel-agent} \
  --server 127.0.0.1:17000 --token "$TOKEN" --server-ca "$OUT/tls/agent-port.crt" > "$OUT/agent.log" 2>&1 &
AGENT=$!; PIDS+=($AGENT)
for p in 18201 18301 18401 18501 18601; do wait_port $p; done
READY=$(now_ms)

# RSS of server and agent, sampled twice a second with the phase it belongs to.
PHASE_FILE=$OUT/phase; echo cold > "$PHASE_FILE"
rss_kib() { awk '/VmRSS/ {print $2}' /proc/"$1"/status 2>/dev/null || echo 0; }
agent_pid() { pgrep -P "$AGENT" java || echo "$AGENT"; } # the launcher may exec java or wait for it
( while kill -0 $SERVER 2>/dev/null; do
    echo "$(cat "$PHASE_FILE") $(rss_kib $SERVER) $(rss_kib "$(agent_pid)")"; sleep 0.5
  done ) > "$OUT/rss.log" 2>/dev/null & PIDS+=($!)

pgbench_tps() { # port seconds [extra pgbench args]
  local port=$1 secs=$2; shift 2
  pgbench -n -S -c 8 -j 2 -T "$secs" "$@" -h 127.0.0.1 -p "$port" -U postgres bench 2>&1
}
# Cold start: per-second rates from the moment the proxy ports opened.
pgbench_tps 18501 30 -P 1 > "$OUT/cold.log"
echo steady > "$PHASE_FILE"

# (redis-benchmark waits forever for replies on a connection that was closed under it: bounded by timeout)
redis_rps() { timeout 300 redis-benchmark -h 127.0.0.1 -p "$1" -t set,get -c 50 -n "$2" -q 2>/dev/null | tr '\r' '\n' \
  | awk '/requests per second/ {printf "%s%.0f", sep, $2; sep=" / "}'; }
wrk_rps() { wrk -t 2 -c 50 -d "$2"s "http://127.0.0.1:$1/" | awk '/Requests\/sec/ {printf "%.0f", $2}'; }
gbps() { python3 -c 'import json,sys; d=json.load(sys.stdin); e=d.get("error"); print("error: "+e if e else "%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))'; }
latency() { probe latency 127.0.0.1 "$1" 20000 1024 | sed -E 's/p50_us=([0-9]+) p99_us=([0-9]+) max_us=([0-9]+)/\1 \/ \2/'; }

# The paths, each as "iperf echo http pg redis" ports. Every workload is measured on all paths back to back (and
# the order of paths alternates between workloads), so a drift of this shared VM's speed during the run shifts the
# paths alike instead of favouring whichever block ran in a fast minute.
NAMES=(); PORTS=()
add_path() { NAMES+=("$1"); shift; PORTS+=("$*"); }
if [ -z "${ONLY_TUNNEL:-}" ]; then
  add_path "direct" $IPERF $ECHO $HTTP $PG $REDIS
  # The limit: hop B stands where the agent is, hop A where the server is.
  java -cp "$AGENT_JAR" bench/NettyRelay.java 16202:$IPERF 16302:$ECHO 16402:$HTTP 16502:$PG 16602:$REDIS \
    > "$OUT/relay-b.log" 2>&1 & PIDS+=($!)
  java -cp "$AGENT_JAR" bench/NettyRelay.java 16201:16202 16301:16302 16401:16402 16501:16502 16601:16602 \
    > "$OUT/relay-a.log" 2>&1 & PIDS+=($!)
  for p in 16201 16301 16401 16501 16601; do wait_port $p; done
  add_path "two Netty relays (limit)" 16201 16301 16401 16501 16601

  SSHD_DIR=$(mktemp -d)
  ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host" && ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/user"
  cp "$SSHD_DIR/user.pub" "$SSHD_DIR/authorized_keys" && chmod 600 "$SSHD_DIR/authorized_keys"
  mkdir -p /run/sshd
  cat > "$SSHD_DIR/sshd_config" <<CONF
Port 2222
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
GatewayPorts no
PidFile $SSHD_DIR/sshd.pid
CONF
  /usr/sbin/sshd -D -f "$SSHD_DIR/sshd_config" & PIDS+=($!)
  wait_port 2222
  ssh -N -i "$SSHD_DIR/user" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p 2222 \
      -R 127.0.0.1:17201:127.0.0.1:$IPERF -R 127.0.0.1:17301:127.0.0.1:$ECHO -R 127.0.0.1:17401:127.0.0.1:$HTTP \
      -R 127.0.0.1:17501:127.0.0.1:$PG -R 127.0.0.1:17601:127.0.0.1:$REDIS "$(id -un)@127.0.0.1" & PIDS+=($!)
  for p in 17201 17301 17401 17501 17601; do wait_port $p; done
  add_path "ssh -R" 17201 17301 17401 17501 17601
fi
add_path "tunnelplane" 18201 18301 18401 18501 18601
TUNNEL=$((${#NAMES[@]} - 1))

# Warm every client's path first.
for i in "${!NAMES[@]}"; do
  read -r iperf echo http pg redis <<< "${PORTS[$i]}"
  pgbench_tps "$pg" 5 >/dev/null; redis_rps "$redis" 50000 >/dev/null; wrk_rps "$http" 3 >/dev/null
  iperf3 -c 127.0.0.1 -p "$iperf" -t 2 >/dev/null; probe latency 127.0.0.1 "$echo" 5000 1024 >/dev/null
done

run_workload() { # workload path-index
  read -r iperf echo http pg redis <<< "${PORTS[$2]}"
  case $1 in
    pg) pgbench_tps "$pg" "$SECS" | awk '/^tps/ {printf "%.0f", $3}' ;;
    redis) redis_rps "$redis" 300000 ;;
    web) wrk_rps "$http" "$SECS" ;;
    one) iperf3 -c 127.0.0.1 -p "$iperf" -t "$SECS" -J | gbps ;;
    eight) iperf3 -c 127.0.0.1 -p "$iperf" -t "$SECS" -P 8 -J | gbps ;;
    lat) latency "$echo" ;;
  esac
}
declare -A CELL
WORKLOADS=(pg redis web one eight lat)
for w in "${!WORKLOADS[@]}"; do
  order=("${!NAMES[@]}")
  if [ $((w % 2)) = 1 ]; then order=(); for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do order+=("$i"); done; fi
  for i in "${order[@]}"; do
    [ "$i" = "$TUNNEL" ] && echo tunnel > "$PHASE_FILE"
    CELL[$i,${WORKLOADS[$w]}]=$(run_workload "${WORKLOADS[$w]}" "$i")
    echo steady > "$PHASE_FILE"
  done
done

echo "| path | pgbench -S, 8 clients, tps | redis-benchmark set / get, 50 clients, rps | wrk, 50 connections, rps | iperf3 1 stream Gbit/s | iperf3 8 streams Gbit/s | 1 KiB req/resp p50 / p99 µs |"
echo "|---|---|---|---|---|---|---|"
for i in "${!NAMES[@]}"; do
  echo "| ${NAMES[$i]} | ${CELL[$i,pg]} | ${CELL[$i,redis]} | ${CELL[$i,web]} | ${CELL[$i,one]} | ${CELL[$i,eight]} | ${CELL[$i,lat]} |"
done
echo paced > "$PHASE_FILE"
PACED=$(probe paced 127.0.0.1 18301 1000 30)
echo idle > "$PHASE_FILE"; sleep 5; echo end > "$PHASE_FILE"; sleep 1

# Cold start: the first second at >= 90 % of the warm rate, counted from the moment the proxy ports opened.
WARM=${CELL[$TUNNEL,pg]}
awk '/^progress:/ {print $2 + 0, $4 + 0}' "$OUT/cold.log" > "$OUT/cold.tps"
echo
echo "Cold start: proxy ports open $((READY - START)) ms after the server process started; from then, pgbench -S" \
     "reached 90 % of its warm $WARM tps after $(awk -v w="$WARM" '$2 >= 0.9 * w {print $1 " s"; f = 1; exit} END {if (!f) print "more than 30 s"}' "$OUT/cold.tps");" \
     "per second: $(awk '{printf "%s%.0f", sep, $2; sep = " "}' "$OUT/cold.tps")"
mib() { awk -v p="$1" -v c="$2" '$1 == p && $c > m {m = $c} END {printf "%.0f", m / 1024}' "$OUT/rss.log"; }
echo
echo "RSS (MiB, peak per phase): server cold $(mib cold 2) / under load $(mib tunnel 2) / idle after $(mib idle 2);" \
     "agent cold $(mib cold 3) / under load $(mib tunnel 3) / at 1 000 req/s $(mib paced 3) / idle after $(mib idle 3)"
echo "paced load through the tunnel: $PACED"
echo "server-side session ends during the run: $(grep -c "agent disconnected" "$OUT/server.log" || true)"
