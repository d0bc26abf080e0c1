#!/usr/bin/env bash
# Builds what the benchmarks need and runs the whole comparison; writes benchmarks/results/results.md
# and results.json (--quick: benchmarks/results/quick/). Usage: benchmarks/run.sh [--quick]   (--quick: the CI smoke run, < 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=""
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK="--quick" ;;
    *) echo "usage: benchmarks/run.sh [--quick]" >&2; exit 2 ;;
  esac
done

HARNESS_PID=""
cleanup() {
  # The harness destroys its children itself (finally blocks and a shutdown hook); this covers an
  # interrupted run.sh.
  if [ -n "$HARNESS_PID" ] && kill -0 "$HARNESS_PID" 2>/dev/null; then
    kill "$HARNESS_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$HARNESS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$HARNESS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

log() { echo "[run.sh] $*"; }

mkdir -p benchmarks/target
BUILD_LOG=benchmarks/target/build.log

# 1. jmesh itself: the agent, the control server (and jmesh-policy installed for the JMH benchmarks).
#    A failing build leaves the jmesh column "not available"; the rest still runs.
NOPOLICY=""
if [ "${JMESH_BENCH_SKIP_BUILD:-}" != "1" ]; then
  log "building jmesh (mvn -q -DskipTests install at the root)"
  if ! mvn -q -DskipTests install > "$BUILD_LOG" 2>&1; then
    log "root build failed (see "$BUILD_LOG"); trying the policy module alone"
    if ! mvn -q -DskipTests install -pl policy -am >> "$BUILD_LOG" 2>&1; then
      log "policy module did not build either: JMH policy benchmarks are left out"
      NOPOLICY="-Djmesh.bench.nopolicy"
    fi
  fi
fi
[ -f agent/target/jmesh-agent.jar ] || log "agent/target/jmesh-agent.jar missing: the jmesh column will say not available"
[ -f control-server/target/jmesh-control-server.jar ] || log "control-server/target/jmesh-control-server.jar missing"

# 2. The benchmarks module (harness, load generator, TLS and JMH benchmarks, the OpenTelemetry agent).
log "building benchmarks (mvn -f benchmarks/pom.xml package)"
# The JMH benchmarks of agent and policy classes need those modules installed; leave them out, in
# that order, if the build fails with them.
BUILT=""
for FLAGS in "$NOPOLICY" "$NOPOLICY -Djmesh.bench.noagent" "-Djmesh.bench.nopolicy -Djmesh.bench.noagent"; do
  if mvn -q -f benchmarks/pom.xml -DskipTests $FLAGS package > "$BUILD_LOG" 2>&1; then
    BUILT=1
    [ -z "$(echo $FLAGS)" ] || log "benchmarks built with $FLAGS (some JMH benchmarks left out)"
    break
  fi
done
[ -n "$BUILT" ] || { cat "$BUILD_LOG"; exit 1; }

# 3. The sidecar pair's proxy and the tools.
if ! [ -x /usr/sbin/haproxy ]; then
  log "installing haproxy (Debian)"
  (apt-get install -y haproxy > /dev/null 2>&1 || { apt-get update > /dev/null 2>&1 && apt-get install -y haproxy > /dev/null 2>&1; }) \
    || log "haproxy could not be installed: the sidecar column will say not available"
fi
command -v openssl > /dev/null || log "openssl missing: sidecar and TLS sections will say not available"
command -v taskset > /dev/null || log "taskset missing: processes will not be pinned"

# 4. The comparison.
log "running the comparison ${QUICK:-(full)}"
# Full runs write benchmarks/results/, quick runs benchmarks/results/quick/ (not committed).
java -Xmx256m -XX:+UseSerialGC -jar benchmarks/target/jmesh-benchmarks.jar $QUICK --root "$ROOT" &
HARNESS_PID=$!
STATUS=0
wait "$HARNESS_PID" || STATUS=$?
HARNESS_PID=""
exit $STATUS
