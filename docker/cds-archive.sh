#!/bin/sh
# Writes /app/trainerd.jsa, a class-data-sharing archive of the classes the server loads until it
# serves and its backend has warmed up. The JVM then maps those classes from the archive instead
# of loading and verifying each one on every start (BENCHMARKS.md: about 1.3 s -> 0.8 s to SERVING).
# Run at image build time, as root, after the jar and its libraries are in /app; the JVM in the
# image must be the one that uses the archive (a mismatch only turns sharing off, with a warning).
set -eu
work=$(mktemp -d)
java -XX:ArchiveClassesAtExit=/app/trainerd.jsa -XX:TieredStopAtLevel=1 -Dorg.bytedeco.javacpp.cachedir="$work/cache" \
  -jar /app/trainerd-server.jar --host 127.0.0.1 --grpc-port 0 --metrics-port 0 --data-dir "$work/data" \
  >"$work/log" 2>&1 &
pid=$!
waited=0
until grep -q -e "warmed up" -e "could not load the training backend" "$work/log"; do
  if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge 1200 ]; then
    cat "$work/log" >&2
    echo "cds-archive: the server did not warm up" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
done
# SIGTERM: the graceful shutdown ends the JVM normally, which writes the archive.
kill -TERM "$pid"
wait "$pid" || true
rm -rf "$work"
test -s /app/trainerd.jsa
chmod 0444 /app/trainerd.jsa
