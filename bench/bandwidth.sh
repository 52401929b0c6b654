#!/usr/bin/env bash
# A proxy's bandwidth limit measured with iperf3 while an unlimited proxy of the same agent runs alongside, both
# through one server and one agent on loopback (each proxy to an iperf3 server of its own). Needs: iperf3 curl
# python3, a built project (mvn -B -q -DskipTests package).
# Usage: bench/bandwidth.sh [seconds] [limit-bytes-per-second]   Output: a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
LIMIT=${2:-10000000}
. bench/lib.sh

LIMITED=15211 FREE=15212 ADMIN=bench-admin
iperf3 -s -p $LIMITED >/dev/null 2>&1 & PIDS+=($!)
iperf3 -s -p $FREE >/dev/null 2>&1 & PIDS+=($!)
wait_port $LIMITED; wait_port $FREE
rm -rf "$OUT/tls"
java -jar tunnel-server/target/tunnel-server.jar --server.port=18080 --tunnel.server.bind-port=17000 \
  --spring.datasource.url=jdbc:h2:mem:bandwidth --tunnel.server.tls.generated-directory="$OUT/tls" \
  --tunnel.api.admin-token=$ADMIN > "$OUT/server.log" 2>&1 & PIDS+=($!)
wait_port 18080
API=http://127.0.0.1:18080/api/v1
api() { curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$@"; }
read -r ID TOKEN < <(api -d '{"name":"bench"}' $API/clients | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["token"])')
api -o /dev/null -d "{\"name\":\"limited\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":$LIMITED,\"remotePort\":18211,\"bandwidthLimit\":$LIMIT}" $API/clients/$ID/proxies
api -o /dev/null -d "{\"name\":\"free\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":$FREE,\"remotePort\":18212}" $API/clients/$ID/proxies
tunnel-agent/bin/tunnel-agent --server 127.0.0.1:17000 --token "$TOKEN" > "$OUT/agent.log" 2>&1 & PIDS+=($!)
wait_port 18211; wait_port 18212
sleep 2 # the agent's sessions settle

rate() { python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/8e6, 2))' "$1"; }
run() { # label reverse-flag
  iperf3 -c 127.0.0.1 -p 18211 -t "$SECS" $2 -J > "$OUT/limited.json" & local a=$!
  iperf3 -c 127.0.0.1 -p 18212 -t "$SECS" $2 -J > "$OUT/free.json" & local b=$!
  wait $a $b
  echo "| $1 | $(python3 -c "print(round($LIMIT/1e6, 2))") | $(rate "$OUT/limited.json") | $(rate "$OUT/free.json") |"
}
alone() { # reverse-flag: the unlimited proxy by itself, for comparison
  iperf3 -c 127.0.0.1 -p 18212 -t "$SECS" $1 -J > "$OUT/alone.json"; rate "$OUT/alone.json"
}
echo "| direction | limit (MB/s) | limited proxy (MB/s) | unlimited proxy alongside (MB/s) | unlimited proxy alone (MB/s) |"
echo "|---|---|---|---|---|"
echo "$(run "from visitors (upload)" "") $(alone "") |"
echo "$(run "to visitors (download, -R)" "-R") $(alone "-R") |"
