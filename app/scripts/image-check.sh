#!/usr/bin/env bash
# Build the model server image and run it as a cluster would: read-only root filesystem, uid
# 10001, PORT set. Checks /health, /predict (served by the committed model) and that SIGTERM
# gives exit status 0; prints the build time and the image size. Needs a Docker engine, so it
# is not part of npm test. Extra arguments go to docker build, e.g. --no-cache.
#   bash app/scripts/image-check.sh [--no-cache]      (IMAGE and CHECK_PORT override the defaults)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."   # app/: the build context

image=${IMAGE:-model-server:check}
port=${CHECK_PORT:-8123}
container=model-server-check-$$
url=http://127.0.0.1:$port
sample='[8.3252, 41.0, 6.98, 1.02, 322.0, 2.55, 37.88, -122.23]'

fail() {
  echo "image-check: FAIL: $*" >&2
  docker logs "$container" 2>&1 | tail -n 20 >&2 || true
  exit 1
}
trap 'docker rm -f "$container" >/dev/null 2>&1 || true' EXIT

# --network host: another server on the port would answer in the container's place.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "port $port is already in use; set CHECK_PORT"
fi

started=$(date +%s%3N)
timeout 1200 docker build --network host "$@" -t "$image" . || fail "docker build failed"
build_ms=$(($(date +%s%3N) - started))

docker run -d --name "$container" --read-only --user 10001:10001 --network host -e PORT="$port" "$image" >/dev/null

status=000
for _ in $(seq 150); do   # up to ~30 s for the model to load
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/health" || true)
  [[ $status == 200 ]] && break
  [[ $(docker inspect -f '{{.State.Running}}' "$container") == true ]] || fail "the container exited"
  sleep 0.2
done
[[ $status == 200 ]] || fail "/health answered $status, not 200, within 30 s"
health=$(curl -sf --max-time 5 "$url/health") || fail "/health"
[[ $health == '{"status":"healthy","model_loaded":true}' ]] || fail "/health said $health"

predict=$(curl -sf --max-time 5 -H 'content-type: application/json' -d "{\"features\": $sample}" "$url/predict") \
  || fail "/predict did not answer 200"
python3 - "$predict" models/california-housing/metadata.json <<'PY' || fail "/predict said $predict"
import json, sys
answer, metadata = json.loads(sys.argv[1]), json.load(open(sys.argv[2]))
assert answer["model_version"] == metadata["model_version"], "not the committed model"
assert 3.5 < answer["prediction"] < 5.0, "implausible prediction (the sample's true value is 4.526)"
PY

docker kill -s TERM "$container" >/dev/null
exit_code=$(timeout 30 docker wait "$container") || fail "still running 30 s after SIGTERM"
[[ $exit_code == 0 ]] || fail "exit status $exit_code after SIGTERM"

size=$(docker image inspect -f '{{.Size}}' "$image")
echo "image-check: OK  $image  build $((build_ms / 1000)).$((build_ms % 1000 / 100)) s  size $((size / 1000000)) MB ($size bytes)"
echo "  read-only root, uid 10001, PORT=$port: /health 200, /predict $predict, SIGTERM -> exit 0"
