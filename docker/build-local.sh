#!/usr/bin/env bash
# Builds the CPU image with podman on a machine without a Docker engine or registry access to
# base images, runs it the way Kubernetes does (non-root, read-only root filesystem, tmpfs for
# /tmp and the native-library cache, a volume for /data) and checks its health from inside
# (the HealthCheck command) and from outside (metrics, and buf curl when .ci/tools has it).
#
#   sudo docker/build-local.sh            # from anywhere; needs root for debootstrap
#
# Steps:
#   1. the jar, built on the host with ./mvnw (the `runtime-prebuilt` target copies it);
#   2. the runtime base: a minimal Debian bookworm with openjdk-17-jre-headless, made with
#      debootstrap and imported under the Dockerfile's RUNTIME_IMAGE name, so the unchanged
#      Dockerfile builds offline (skipped when an image of that name exists already);
#   3. podman build --isolation=chroot --format docker (docker format keeps the HEALTHCHECK);
#   4. podman run, then wait until HealthCheck exits 0 through podman exec, then check the
#      exposed ports from the host.
#
# Environment: IMAGE (default trainerd:local), KEEP_RUNNING=1 leaves the container up,
# SKIP_MAVEN=1 reuses server/target, REBUILD_BASE=1 debootstraps again, HEALTH_TIMEOUT seconds
# (default 180), GRPC_PORT / METRICS_PORT on the host (default 50051 / 9464), DEBIAN_MIRROR
# (default: debootstrap's own), PODMAN_RUNTIME (default runc when installed, else podman's).
# Debian packages: podman buildah debootstrap runc curl.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

image=${IMAGE:-trainerd:local}
container=${CONTAINER:-trainerd-local}
grpc_port=${GRPC_PORT:-50051}
metrics_port=${METRICS_PORT:-9464}
health_timeout=${HEALTH_TIMEOUT:-180}
runtime_image=$(sed -n 's/^ARG RUNTIME_IMAGE=//p' docker/Dockerfile)
start=$SECONDS

step() { printf '\n== [%4ds] %s\n' "$((SECONDS - start))" "$*"; }
die() { echo "build-local: $*" >&2; exit 1; }

for tool in podman debootstrap; do
  command -v "$tool" >/dev/null 2>&1 \
    || die "$tool is missing (Debian: apt-get install podman buildah debootstrap)"
done
[[ $(id -u) -eq 0 ]] || die "run as root: debootstrap and rootful podman need it"
[[ -n $runtime_image ]] || die "no 'ARG RUNTIME_IMAGE=' line in docker/Dockerfile"
# crun refuses hosts with cgroups v1 controllers mounted next to a cgroup2 hierarchy ("cgroups in
# hybrid mode not supported"); runc copes. PODMAN_RUNTIME picks one explicitly.
runtime=${PODMAN_RUNTIME:-$(command -v runc >/dev/null 2>&1 && echo runc || true)}
runtime_flags=(${runtime:+--runtime "$runtime"})

# 1. The jar ----------------------------------------------------------------------------------
if [[ ${SKIP_MAVEN:-0} != 1 ]]; then
  step "building server/target/trainerd-server.jar on the host"
  ./mvnw -B -q -pl server -am -DskipTests package
fi
[[ -f server/target/trainerd-server.jar && -d server/target/lib ]] \
  || die "server/target/trainerd-server.jar or server/target/lib is missing"

# 2. The runtime base -------------------------------------------------------------------------
if [[ ${REBUILD_BASE:-0} == 1 ]] || ! podman image exists "$runtime_image"; then
  step "debootstrap: Debian bookworm + openjdk-17-jre-headless as $runtime_image"
  rootfs=$(mktemp -d /var/tmp/trainerd-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase --include=openjdk-17-jre-headless \
    bookworm "$rootfs" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
  rm -f "$rootfs.log"
  # What an image does not need: package lists and caches, documentation, locales.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap bookworm minbase + openjdk-17-jre-headless (local stand-in)" \
    - "$runtime_image" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
else
  step "runtime base $runtime_image exists (REBUILD_BASE=1 to make it again)"
fi

# 3. The image --------------------------------------------------------------------------------
step "podman build $image (target runtime-prebuilt: the jar from server/target)"
podman build --isolation=chroot --format docker --pull=never \
  -f docker/Dockerfile --ignorefile docker/Dockerfile.dockerignore \
  --target runtime-prebuilt -t "$image" .
podman image inspect "$image" --format 'image {{.Id}}: {{.Size}} bytes, user {{.Config.User}}'

# 4. Run and check ----------------------------------------------------------------------------
cleanup() {
  if [[ ${KEEP_RUNNING:-0} != 1 ]]; then
    podman rm -f "$container" >/dev/null 2>&1 || true
    podman volume rm -f "$container-data" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
podman rm -f "$container" >/dev/null 2>&1 || true

step "podman run $container (read-only root, tmpfs /tmp and native cache, volume /data)"
# --health-interval=disable: no systemd timer (there is no systemd here); the check runs on
# demand below. --ulimit: podman's defaults (nofile 1048576, nproc 32768) can exceed what the
# host lets a process set; these are ample for the JVM.
podman "${runtime_flags[@]}" run -d --name "$container" \
  --health-interval=disable --ulimit nofile=16384:16384 --ulimit nproc=4096:4096 \
  --read-only \
  --tmpfs /tmp:rw,size=256m \
  --tmpfs /var/cache/trainerd:rw,size=1g,U \
  -v "$container-data:/data" \
  -e TRAINERD_LOG_FORMAT=json \
  -p "127.0.0.1:$grpc_port:50051" -p "127.0.0.1:$metrics_port:9464" \
  "$image" >/dev/null

step "waiting for HealthCheck (podman exec) to exit 0, at most ${health_timeout}s"
waited_from=$SECONDS
until podman exec "$container" java -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -XX:-UsePerfData -cp /app/trainerd-server.jar dev.trainerd.server.HealthCheck; do
  if [[ $(podman inspect "$container" --format '{{.State.Running}}') != true ]]; then
    podman logs "$container" | tail -40 >&2
    die "the container exited"
  fi
  if ((SECONDS - waited_from >= health_timeout)); then
    podman logs "$container" | tail -40 >&2
    die "not SERVING after ${health_timeout}s"
  fi
  sleep 2
done
echo "SERVING after $((SECONDS - waited_from))s"

step "the image's own HEALTHCHECK (podman healthcheck run)"
podman healthcheck run "$container" && echo "healthy"

step "process user and read-only root"
podman exec "$container" sh -c 'echo "uid=$(id -u) gid=$(id -g)"; \
  if touch /app/probe 2>/dev/null; then echo "root filesystem is writable"; exit 1; \
  else echo "root filesystem is read-only"; fi; touch /data/probe && rm /data/probe && echo "/data is writable"'
[[ $(podman exec "$container" id -u) == 10001 ]] || die "the process does not run as uid 10001"

step "metrics from the host: 127.0.0.1:$metrics_port/metrics"
metrics=$(curl -fsS "http://127.0.0.1:$metrics_port/metrics")
echo "$metrics" | grep -E '^(jvm_memory_used_bytes|process_memory_resident_bytes|trainerd_jobs_queued_jobs)' | head -5
grep -q '^jvm_memory_used_bytes' <<<"$metrics" || die "no JVM metrics in the exposition"

buf=.ci/tools/node_modules/.bin/buf
if [[ -x $buf ]]; then
  step "gRPC from the host: buf curl through reflection and the health service"
  "$buf" curl --protocol grpc --http2-prior-knowledge --list-services "http://127.0.0.1:$grpc_port"
  "$buf" curl --protocol grpc --http2-prior-knowledge -d '{}' \
    "http://127.0.0.1:$grpc_port/grpc.health.v1.Health/Check"

  # A real training job: TensorFlow's native libraries unpack into the tmpfs cache on the first
  # job, so this proves the read-only root works with them.
  step "training linear regression in the container (native libraries load now)"
  call() { "$buf" curl --protocol grpc --http2-prior-knowledge -d "$2" "http://127.0.0.1:$grpc_port/$1"; }
  dataset=$(call trainerd.v1.DatasetService/CreateSyntheticDataset \
      '{"displayName":"linear","seed":42,"spec":{"linear":{}}}' \
    | sed -n 's/.*"name": "\(datasets\/[^"]*\)".*/\1/p' | head -1)
  [[ -n $dataset ]] || die "CreateSyntheticDataset returned no dataset name"
  job=$(call trainerd.v1.TrainingService/CreateTrainingJob \
      "{\"spec\":{\"dataset\":\"$dataset\",\"model\":{\"linear\":{}},\"batchSize\":10,\"learningRate\":0.03,\"epochs\":3}}" \
    | sed -n 's/.*"name": "\(trainingJobs\/[^"]*\)".*/\1/p' | head -1)
  [[ -n $job ]] || die "CreateTrainingJob returned no job name"
  events=$(call trainerd.v1.TrainingService/WatchTrainingJob "{\"name\":\"$job\"}")
  grep -q '"SUCCEEDED"' <<<"$events" || { echo "$events" | tail -20 >&2; die "$job did not succeed"; }
  echo "$job SUCCEEDED"
  podman exec "$container" du -sh /var/cache/trainerd /tmp
else
  step "buf curl skipped ($buf missing; npm ci --prefix .ci/tools installs it)"
fi

step "first log lines"
podman logs "$container" 2>&1 | head -5

step "done: $image built, ran and answered SERVING in $((SECONDS - start))s"
