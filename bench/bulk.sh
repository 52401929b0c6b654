#!/usr/bin/env bash
# One bulk stream through the tunnel and through the two-relay limit, in both directions, alternating so that a
# drift of the VM's speed shifts both alike: iperf3 as the service, server and agent started by their launchers
# (TLS 1.3, the created certificate verified), the limit as in bench/run.sh. Each start is warmed (WARM s each way,
# default 20: the JIT is still raising the tunnel's rate 15 s into a bulk load)
# and then measured ROUNDS times; the whole thing runs STARTS times on fresh JVMs.
# Needs: iperf3 python3, a built project (mvn -B -q -DskipTests package).
# Usage: bench/bulk.sh [seconds] [rounds] [starts]   Env: SERVER_ARGS, SERVER_JAVA_OPTS, AGENT_JAVA_OPTS, WARM, PLAIN=1
# (the session without TLS: what the encryption costs).
# Output: one Markdown row per round: Gbit/s tunnel / limit and their ratio, upload and download (-R).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-8}
ROUNDS=${2:-2}
STARTS=${3:-2}
WARM=${WARM:-20}
. bench/lib.sh
AGENT_JAR=tunnel-agent/target/tunnel-agent.jar
IPERF=15251

iperf3 -s -p $IPERF >/dev/null 2>&1 & PIDS+=($!)
java -cp "$AGENT_JAR" bench/NettyRelay.java 16252:$IPERF > "$OUT/relay-b.log" 2>&1 & PIDS+=($!)
java -cp "$AGENT_JAR" bench/NettyRelay.java 16251:16252 > "$OUT/relay-a.log" 2>&1 & PIDS+=($!)
wait_port $IPERF; wait_port 16251

gbps() { # port [-R]
  iperf3 -c 127.0.0.1 -p "$1" -t "$SECS" ${2:-} -J | python3 -c 'import json,sys; d=json.load(sys.stdin); e=d.get("error"); print("error: "+e if e else "%.2f" % (d["end"]["sum_received"]["bits_per_second"]/1e9))'
}
ratio() { python3 -c "import sys; a, b = sys.argv[1:]; print('%.2f' % (float(a) / float(b)))" "$1" "$2" 2>/dev/null || echo "-"; }

echo "| start | upload tunnel / limit (Gbit/s) | ratio | download tunnel / limit (Gbit/s) | ratio |"
echo "|---|---|---|---|---|"
for start in $(seq 1 "$STARTS"); do
  TOKEN=bench.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  rm -rf "$OUT/tls"
  # shellcheck disable=SC2086
  JAVA_OPTS="${SERVER_JAVA_OPTS:-}" tunnel-server/bin/tunnel-server --server.port=18080 --tunnel.server.bind-port=17000 \
    --spring.datasource.url=jdbc:h2:mem:bulk --tunnel.server.tls.generated-directory="$OUT/tls" ${SERVER_ARGS:-} \
    $([ "${PLAIN:-0}" = 1 ] && echo --tunnel.server.tls.enabled=false) \
    --tunnel.server.clients[0].name=bench --tunnel.server.clients[0].token="$TOKEN" \
    --tunnel.server.clients[0].proxies[0].name=iperf --tunnel.server.clients[0].proxies[0].local-port=$IPERF \
    --tunnel.server.clients[0].proxies[0].remote-port=18251 > "$OUT/server.log" 2>&1 & SERVER=$!; PIDS+=($SERVER)
  wait_port 17000
  if [ "${PLAIN:-0}" = 1 ]; then
    AGENT_TLS=(--insecure)
  else
    for _ in $(seq 1 100); do [ -f "$OUT/tls/agent-port.crt" ] && break; sleep 0.1; done
    AGENT_TLS=(--server-ca "$OUT/tls/agent-port.crt")
  fi
  JAVA_OPTS="${AGENT_JAVA_OPTS:-}" tunnel-agent/bin/tunnel-agent --server 127.0.0.1:17000 --token "$TOKEN" \
    "${AGENT_TLS[@]}" > "$OUT/agent.log" 2>&1 & AGENT=$!; PIDS+=($AGENT)
  wait_port 18251
  SECS=$WARM gbps 18251 >/dev/null; SECS=$WARM gbps 18251 -R >/dev/null
  for _ in $(seq 1 "$ROUNDS"); do
    up=$(gbps 18251); up_limit=$(gbps 16251); down=$(gbps 18251 -R); down_limit=$(gbps 16251 -R)
    echo "| $start | $up / $up_limit | $(ratio "$up" "$up_limit") | $down / $down_limit | $(ratio "$down" "$down_limit") |"
  done
  kill $AGENT $SERVER; wait $AGENT $SERVER 2>/dev/null || true
done
