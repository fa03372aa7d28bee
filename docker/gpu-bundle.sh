#!/usr/bin/env bash
# Builds target/gpu-bundle: what it takes to check trainerd's GPU build on an x86-64 Linux GPU
# host that has CUDA 12 and cuDNN 9 (TensorFlow 2.18's GPU library needs them; BENCHMARKS.md,
# seventh round) but no JDK, Maven, container runtime or network:
#
#   jre/       a jlink'd Java runtime of the JDK that runs this script
#   app/       the -Pgpu server jar and its libraries (TensorFlow's linux-x86_64-gpu native too)
#   test/      the engine's compiled tests (dev.trainerd.ml.tf) and JUnit's console launcher
#   data/      the Fashion-MNIST and house-price files, when ../shared/data (or DATA) has them
#   gpu-check.sh, which runs on the host (docker/gpu-check.sh)
#
#   docker/gpu-bundle.sh                 # from anywhere; then copy target/gpu-bundle over
#
# Builds with -Pgpu, then the CPU build again into server/target. Environment: DATA (default
# ../shared/data beside the repository).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$root/target/gpu-bundle
data=${DATA:-$root/../shared/data}

# One reactor run, so that the test classpath resolves the proto module from this build.
./mvnw -q -Pgpu -DskipTests -pl server -am package dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$root/target/gpu-bundle.classpath"
if ! ls server/target/lib/tensorflow-core-native-*-linux-x86_64-gpu.jar > /dev/null 2>&1; then
  echo "server/target is not a -Pgpu build" >&2
  exit 1
fi
junit_version=$(./mvnw -q help:evaluate -Dexpression=junit.version -DforceStdout)
launcher=org.junit.platform:junit-platform-console-standalone:$(echo "$junit_version" | sed 's/^5/1/')
./mvnw -q dependency:copy -Dartifact="$launcher" -DoutputDirectory="$root/target/gpu-bundle.launcher"

rm -rf "$out"
mkdir -p "$out/app/lib" "$out/test/lib"
cp server/target/trainerd-server.jar "$out/app/"
# Not the CPU native jar an earlier CPU build left in lib/: a 'lib/*' class path would load it.
for jar in server/target/lib/*.jar; do
  case "$jar" in *-linux-x86_64.jar) ;; *) cp "$jar" "$out/app/lib/" ;; esac
done
cp -r server/target/test-classes "$out/test/classes"
cp "$root"/target/gpu-bundle.launcher/*.jar "$out/test/"
# Test-scope libraries the server's lib/ lacks, without JUnit's own (the launcher carries them).
tr ':' '\n' < "$root/target/gpu-bundle.classpath" | while read -r jar; do
  name=$(basename "$jar")
  case "$name" in *.jar) ;; *) continue ;; esac
  case "$name" in junit-jupiter*|junit-platform*) continue ;; esac
  [ -f "$out/app/lib/$name" ] || cp "$jar" "$out/test/lib/"
done
modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 -q \
  --class-path "$(ls "$out"/app/lib/*.jar | tr '\n' ':')" "$out/app/trainerd-server.jar")
jlink --add-modules "$modules,jdk.crypto.ec,jdk.zipfs,jdk.jcmd" --strip-debug --no-header-files \
  --no-man-pages --output "$out/jre"
if [ -d "$data/fashion-mnist" ]; then
  mkdir -p "$out/data"
  cp -rL "$data/fashion-mnist" "$data/house-prices" "$out/data/"
  chmod -R u+w "$out/data"
fi
cp docker/gpu-check.sh "$out/"
# Back to the CPU build: its lib/ must not keep the GPU native jar, which a 'lib/*' class path
# would load.
rm -f server/target/lib/tensorflow-core-native-*-linux-x86_64-gpu.jar
./mvnw -q -DskipTests -pl server -am package
du -sh "$out"/* | sed "s|$out/||"
