#!/usr/bin/env bash
# Stop the dockerd that scripts/ci/docker-up.sh started, using its PID file.
# Does nothing when that file is absent, so it is safe to call from a trap.
set -euo pipefail

CI_STATE_DIR=${CI_STATE_DIR:-/tmp/ci-docker}
DOCKER_DOWN_TIMEOUT=${DOCKER_DOWN_TIMEOUT:-30}
pid_file="$CI_STATE_DIR/dockerd.pid"

log() { printf '[docker-down] %s\n' "$*" >&2; }

if [ ! -f "$pid_file" ]; then
    log "no PID file at $pid_file; nothing to stop"
    exit 0
fi
pid=$(cat "$pid_file")
if ! kill -0 "$pid" 2>/dev/null; then
    log "dockerd (PID $pid) is not running"
    rm -f "$pid_file"
    exit 0
fi

# dockerd stops its containers and containerd on SIGTERM.
kill -TERM "$pid"
waited=0
while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$DOCKER_DOWN_TIMEOUT" ]; then
        log "dockerd (PID $pid) still running after ${DOCKER_DOWN_TIMEOUT}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
    fi
    sleep 1
    waited=$((waited + 1))
done
rm -f "$pid_file"
log "stopped dockerd (PID $pid)"
