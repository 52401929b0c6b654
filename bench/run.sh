#!/usr/bin/env bash
# Side-by-side loopback benchmark of the tunnel against direct, a two-hop socat relay and an OpenSSH reverse
# tunnel (ssh -R), all measured in one run. Needs: iperf3 socat openssh-server (apt-get install), a built project
# (mvn -B -q -DskipTests package). Usage: bench/run.sh [seconds-per-iperf-run]   Output: a Markdown table.
# Env: ONLY_TUNNEL=1 skips the reference paths; TUNNEL_JAVA_OPTS adds JVM flags to server and agent (e.g.
# -Dtunnel.transport=epoll); AGENT_JAVA_OPTS replaces the agent's small-footprint JVM flags; AGENT_CONNECTIONS sets
# the agent's connection set (default 2, as shipped).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
OUT=bench/out; mkdir -p "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

IPERF=15201 ECHO=15300
probe() { java -XX:+UseSerialGC bench/LoadProbe.java "$@"; }
# Waits for a listener without connecting to it (a probe connection would confuse iperf3's server).
wait_port() { for _ in $(seq 1 300); do ss -Hltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

# The "internal" services.
iperf3 -s -p $IPERF >/dev/null 2>&1 & PIDS+=($!)
java -XX:+UseSerialGC bench/LoadProbe.java echo-server $ECHO >/dev/null 2>&1 & PIDS+=($!)
wait_port $IPERF; wait_port $ECHO

# Two socat hops: the shape of any tunnel (a relay on the server, a relay on the agent), no framing.
socat TCP-LISTEN:16202,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:$IPERF & PIDS+=($!)
socat TCP-LISTEN:16201,bind=127.0.0.1,reuseaddr,fork TCP:127.0.0.1:16202 & PIDS+=($!)
socat TCP-LISTEN:16302,bind=127.0.0.1,reuseaddr,fork,nodelay TCP:127.0.0.1:$ECHO,nodelay & PIDS+=($!)
socat TCP-LISTEN:16301,bind=127.0.0.1,reuseaddr,fork,nodelay TCP:127.0.0.1:16302,nodelay & PIDS+=($!)

# OpenSSH reverse tunnel on a private sshd.
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
    -R 127.0.0.1:17201:127.0.0.1:$IPERF -R 127.0.0.1:17301:127.0.0.1:$ECHO "$(id -un)@127.0.0.1" & PIDS+=($!)

# The tunnel: server and agent as shipped.
TOKEN=bench.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
rm -rf "$OUT/tls"
java ${TUNNEL_JAVA_OPTS:-} -jar tunnel-server/target/tunnel-server.jar --server.port=18080 --tunnel.server.bind-port=17000 \
  --spring.datasource.url=jdbc:h2:mem:bench --tunnel.server.tls.generated-directory="$OUT/tls" \
  --tunnel.server.clients[0].name=bench --tunnel.server.clients[0].token="$TOKEN" \
  --tunnel.server.clients[0].proxies[0].name=iperf --tunnel.server.clients[0].proxies[0].local-port=$IPERF \
  --tunnel.server.clients[0].proxies[0].remote-port=18201 \
  --tunnel.server.clients[0].proxies[1].name=echo --tunnel.server.clients[0].proxies[1].local-port=$ECHO \
  --tunnel.server.clients[0].proxies[1].remote-port=18301 > "$OUT/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
wait_port 17000
# The agent verifies the server's (created) certificate: the same TLS 1.3 session a deployment runs.
java ${TUNNEL_JAVA_OPTS:-} ${AGENT_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx64m} -jar tunnel-agent/target/tunnel-agent.jar \
  --server 127.0.0.1:17000 --token "$TOKEN" --server-ca "$OUT/tls/agent-port.crt" --connections "${AGENT_CONNECTIONS:-2}" \
  > "$OUT/agent.log" 2>&1 &
AGENT=$!; PIDS+=($AGENT)
wait_port 18201; wait_port 18301; wait_port 17201; wait_port 16201

gbps() { python3 -c 'import json,sys; d=json.load(sys.stdin); e=d.get("error"); print("error: "+e if e else "%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))'; }
measure() { # name iperf-port echo-port
  local one eight lat rate
  one=$(iperf3 -c 127.0.0.1 -p "$2" -t "$SECS" -J | gbps)
  eight=$(iperf3 -c 127.0.0.1 -p "$2" -t "$SECS" -P 8 -J | gbps)
  lat=$(probe latency 127.0.0.1 "$3" 20000 1024)
  rate=$(probe connect-rate 127.0.0.1 "$3" 5 8)
  echo "| $1 | $one | $eight | $(echo "$lat" | sed -E 's/p50_us=([0-9]+) p99_us=([0-9]+) max_us=([0-9]+)/\1 \/ \2/') | $(echo "$rate" | sed -E 's/conn_per_s=([0-9]+) failed=([0-9]+)/\1 (failed \2)/') |"
}

echo "| path | 1 stream Gbit/s | 8 streams Gbit/s | 1 KiB req/resp p50 / p99 µs | new connections/s |"
echo "|---|---|---|---|---|"
if [ -z "${ONLY_TUNNEL:-}" ]; then
  measure "direct" $IPERF $ECHO
  measure "two socat hops" 16201 16301
  measure "ssh -R" 17201 17301
fi
measure "tunnelplane" 18201 18301
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$1"/status; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/"$1"/status; }
echo
echo "RSS after the run (MiB, current / peak): server $(rss $SERVER) / $(hwm $SERVER), agent $(rss $AGENT) / $(hwm $AGENT)"
echo "server-side session ends during the run: $(grep -c "agent disconnected" "$OUT/server.log" || true)"
