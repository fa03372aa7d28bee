#!/usr/bin/env bash
# Runs trainerd's GPU checks from a bundle that docker/gpu-bundle.sh made, on the GPU host:
#
#   ./gpu-check.sh [OUT]       # OUT (default ./out) gets one log or JSON file per step
#
# 1. registration: TensorFlow's device log for a two-epoch job (which CUDA libraries it opened,
#    and whether it created the GPU device);
# 2. EngineBench --device gpu: the chapter's models and house prices on the bare engine;
# 3. ServiceBench: end to end through the packaged server (each job names its device);
# 4. the engine's tests (dev.trainerd.ml.tf) with JUnit's console launcher.
# Environment: DATA (default ./data), LD_LIBRARY_PATH for CUDA 12 and cuDNN 9 where the system's
# library path lacks them, STEPS (default "registration engine service tests").
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/out}" && cd "${1:-$here/out}" && pwd)
data=${DATA:-$here/data}
java=$here/jre/bin/java
# The jar's manifest names its libraries: exactly the GPU build's, whatever else lib/ holds.
cp="$here/app/trainerd-server.jar"
export CUDA_CACHE_MAXSIZE=${CUDA_CACHE_MAXSIZE:-4294967296}
started=$(date +%s)
step() { echo "[$(( $(date +%s) - started )) s] $*"; }
for s in ${STEPS:-registration engine service tests}; do
  case $s in
    registration)
      step "registration"
      TF_CPP_MIN_LOG_LEVEL=0 TF_CPP_VMODULE=dso_loader=1 "$java" -cp "$cp" dev.trainerd.bench.EngineBench \
        --data "$data" --models softmax --epochs 2 > "$out/registration.log" 2>&1
      grep -E 'Created device|opened dynamic library|Could not load|Cannot dlopen|"device"' "$out/registration.log" | cut -c1-240
      ;;
    engine)
      step "engine"
      TF_CPP_MIN_LOG_LEVEL=1 "$java" -cp "$cp" dev.trainerd.bench.EngineBench --data "$data" --device gpu \
        --models softmax,mlp,dropout,house --repeat 3 > "$out/engine.json" 2> "$out/engine.log"
      [ -s "$out/engine.json" ] && cat "$out/engine.json" || tail -3 "$out/engine.log"
      ;;
    service)
      step "service"
      TF_CPP_MIN_LOG_LEVEL=1 "$java" -XX:TieredStopAtLevel=1 -cp "$cp" dev.trainerd.bench.ServiceBench --jar "$here/app/trainerd-server.jar" \
        --data "$data" > "$out/service.json" 2> "$out/service.log"
      [ -s "$out/service.json" ] && cat "$out/service.json" || tail -3 "$out/service.log"
      ;;
    tests)
      step "tests"
      TF_CPP_MIN_LOG_LEVEL=1 "$java" -Dtrainerd.shared.data="$data" \
        -cp "$(ls "$here"/test/junit-platform-console-standalone-*.jar):$here/test/classes:$cp:$here/test/lib/*" \
        org.junit.platform.console.ConsoleLauncher execute --select-package dev.trainerd.ml.tf \
        --details=tree --disable-banner --disable-ansi-colors > "$out/tests.log" 2>&1
      grep -E 'tests (successful|failed)|containers failed|✘' "$out/tests.log" | head -40
      ;;
    *) echo "unknown step $s" >&2 ;;
  esac
done
step "done"
