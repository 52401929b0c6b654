#!/usr/bin/env bash
# HTTP through the shared virtual-host port (wrk) and UDP through a udp proxy (iperf3 -u), each against the same
# service reached directly, in one run on loopback. Needs: wrk iperf3 curl (apt-get install), a built project
# (mvn -B -q -DskipTests package). Usage: bench/vhost-udp.sh [seconds]   Output: Markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
. bench/lib.sh

WEB=15400 IPERF=15201 ADMIN=bench-admin
java -XX:+UseSerialGC -Dsun.net.httpserver.nodelay=true bench/HttpHello.java $WEB & PIDS+=($!)
iperf3 -s -p $IPERF >/dev/null 2>&1 & PIDS+=($!)
wait_port $WEB; wait_port $IPERF

TOKEN=bench.$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
rm -rf "$OUT/tls"
# iperf3 -u keeps a TCP control connection on the same port number: one tcp and one udp proxy share 18201.
java -jar tunnel-server/target/tunnel-server.jar --server.port=18080 --tunnel.server.bind-port=17000 \
  --spring.datasource.url=jdbc:h2:mem:bench --tunnel.server.tls.generated-directory="$OUT/tls" \
  --tunnel.api.admin-token=$ADMIN --tunnel.server.vhost.http-port=18000 \
  --tunnel.server.clients[0].name=bench --tunnel.server.clients[0].token="$TOKEN" \
  --tunnel.server.clients[0].proxies[0].name=iperf --tunnel.server.clients[0].proxies[0].local-port=$IPERF \
  --tunnel.server.clients[0].proxies[0].remote-port=18201 \
  --tunnel.server.clients[0].proxies[1].name=iperf-udp --tunnel.server.clients[0].proxies[1].type=udp \
  --tunnel.server.clients[0].proxies[1].local-port=$IPERF --tunnel.server.clients[0].proxies[1].remote-port=18201 \
  > "$OUT/server.log" 2>&1 & PIDS+=($!)
wait_port 18080
# The web site is an http proxy of an API-managed client; its token carries the key pin.
API=http://127.0.0.1:18080/api/v1
WEBTOKEN=$(curl -sf -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"name":"web"}' \
  $API/clients | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["token"])')
curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"hello\",\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":$WEB,\"customDomains\":[\"hello.bench.test\"]}" \
  $API/clients/${WEBTOKEN% *}/proxies
java -XX:+UseSerialGC -Xmx64m -jar tunnel-agent/target/tunnel-agent.jar --server 127.0.0.1:17000 \
  --token "$TOKEN" --server-ca "$OUT/tls/agent-port.crt" > "$OUT/agent.log" 2>&1 & PIDS+=($!)
java -XX:+UseSerialGC -Xmx64m -jar tunnel-agent/target/tunnel-agent.jar --server 127.0.0.1:17000 \
  --token "${WEBTOKEN#* }" > "$OUT/agent-web.log" 2>&1 & PIDS+=($!)
wait_port 18201
for _ in $(seq 1 100); do curl -sf -o /dev/null -H 'Host: hello.bench.test' http://127.0.0.1:18000/ && break; sleep 0.2; done

# The web site also gets a plain tcp proxy, so the vhost's own cost shows against the relay underneath it.
curl -sf -o /dev/null -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d "{\"name\":\"hello-tcp\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":$WEB,\"remotePort\":18402}" \
  $API/clients/${WEBTOKEN% *}/proxies
wait_port 18402

wrk_row() { # name connections url [host]
  local out
  out=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${SECS}s" --latency ${4:+-H "Host: $4"} "$3")
  echo "| $1 | $2 | $(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}') | $(echo "$out" | awk '$1=="50%" {print $2}') | $(echo "$out" | awk '$1=="99%" {print $2}') | $(echo "$out" | awk '/Non-2xx/ {print $NF}' | head -1) |"
}
# Every JVM on the path (backend, server, agent) is warmed first: a cold JIT makes the first seconds ~10x slower.
wrk -t2 -c32 -d"${WARMUP:-15}s" -H "Host: hello.bench.test" http://127.0.0.1:18000/ >/dev/null
wrk -t2 -c32 -d5s http://127.0.0.1:18402/ >/dev/null
wrk -t2 -c32 -d5s http://127.0.0.1:$WEB/ >/dev/null
echo "| HTTP path (wrk, ${SECS}s, after warm-up) | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
for c in 1 32; do
  wrk_row "direct" $c "http://127.0.0.1:$WEB/"
  wrk_row "tunnelplane tcp proxy" $c "http://127.0.0.1:18402/"
  wrk_row "tunnelplane vhost" $c "http://127.0.0.1:18000/" hello.bench.test
done
echo
udp_row() { # name port rate
  sleep 1 # iperf3 -s refuses a test while it still winds the previous one down
  iperf3 -c 127.0.0.1 -p "$2" -u -b "$3" -l 1400 -t "$SECS" -J | python3 -c '
import json,sys; d=json.load(sys.stdin); s=d.get("end", {}).get("sum")
print("| %s | %s | %.0f | %.3f | %.2f |" % (sys.argv[1], sys.argv[2], s["bits_per_second"]*(1-s["lost_percent"]/100)/1e6, s["jitter_ms"], s["lost_percent"])
      if s else "| %s | %s | error: %s | | |" % (sys.argv[1], sys.argv[2], d.get("error")))' "$1" "$3"
}
iperf3 -c 127.0.0.1 -p 18201 -u -b 200M -l 1400 -t 3 >/dev/null # warm-up
echo "| UDP path (iperf3 -u -l 1400, ${SECS}s) | offered | delivered Mbit/s | jitter ms | lost % |"
echo "|---|---|---|---|---|"
for rate in ${UDP_RATES:-100M 200M 300M 500M}; do
  udp_row "direct" $IPERF $rate
  udp_row "tunnelplane" 18201 $rate
done
echo
echo "datagrams the tunnel dropped itself (queue full; the rest of the loss is the public socket's receive buffer): $(curl -s http://127.0.0.1:18080/actuator/prometheus | awk '/^tunnel_udp_datagrams_dropped_total/ {s+=$2} END {print s+0}')"
