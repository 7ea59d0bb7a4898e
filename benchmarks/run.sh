#!/usr/bin/env bash
# Builds the benchmarks and runs the whole suite: prints one table of figures next to their
# same-run baselines, and writes them as JSON for benchmarks/charts.sh. Arguments go to BenchmarkSuite
# (--quick, --out FILE, --json FILE, --only NAME).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# One reactor run, so the classpath points at this checkout's modules, not at ~/.m2.
mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# the fan-out benchmark holds 10,000 sockets in this JVM and 10,000 in its client process
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec java -Xmx2g -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  io.pocketsync.benchmarks.BenchmarkSuite "$@"
