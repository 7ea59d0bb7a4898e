#!/usr/bin/env bash
# Draws the charts of docs/benchmarks.md (PNG) from the results file benchmarks/run.sh writes.
#   benchmarks/charts.sh [RESULTS.json [OUTDIR]]   # defaults: benchmarks/target/benchmark-results.json, docs
# Plain Java2D, headless: needs only the JDK (no Python, no gnuplot). Charts whose rows are not in the results
# (e.g. a run with --only) are skipped with a note, not drawn empty.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ ! -f benchmarks/target/classpath.txt || ! -d benchmarks/target/classes/io/pocketsync/benchmarks/charts ]]; then
  mvn -B -q -DskipTests -pl benchmarks -am package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
fi
exec java -Djava.awt.headless=true -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  io.pocketsync.benchmarks.charts.Charts "$@"
