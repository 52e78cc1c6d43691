#!/usr/bin/env bash
# Start a Docker daemon for CI on a Debian 12 host without a service manager.
#
# Installs docker.io (Debian 12: dockerd 20.10, containerd, runc, and the
# 20.10 CLI at /usr/bin/docker) and mmdebstrap when missing, starts dockerd in the
# background, records its PID and waits until `docker info` succeeds.
# Stop the daemon with scripts/ci/docker-down.sh.
#
# Environment:
#   DOCKER           CLI to use (default /usr/bin/docker, the CLI that matches
#                    the 20.10 daemon; the 28.x CLI in /usr/local/bin also works)
#   CI_STATE_DIR     where the PID file and daemon log go (default /tmp/ci-docker)
#   DOCKER_UP_TIMEOUT  seconds to wait for the daemon (default 60)
#   SKIP_APT_UPDATE  set to 1 when the caller already ran apt-get update
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
CI_STATE_DIR=${CI_STATE_DIR:-/tmp/ci-docker}
DOCKER_UP_TIMEOUT=${DOCKER_UP_TIMEOUT:-60}
pid_file="$CI_STATE_DIR/dockerd.pid"
log_file="$CI_STATE_DIR/dockerd.log"

log() { printf '[docker-up] %s\n' "$*" >&2; }

install_missing_packages() {
    local missing=()
    # apparmor (a Recommends of docker.io) provides apparmor_parser, which
    # dockerd needs on kernels with AppArmor enabled.
    command -v dockerd >/dev/null 2>&1 && [ -x /usr/bin/docker ] || missing+=(docker.io apparmor)
    command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
    [ ${#missing[@]} -eq 0 ] && return 0

    if [ "$(id -u)" -ne 0 ]; then
        log "missing packages ${missing[*]}: run as root or install them with apt-get first"
        exit 1
    fi
    if [ "${SKIP_APT_UPDATE:-0}" != 1 ]; then
        apt-get update -qq
    fi
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

daemon_is_running() {
    [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

install_missing_packages
mkdir -p "$CI_STATE_DIR"

if "$DOCKER" info >/dev/null 2>&1; then
    log "a Docker daemon is already reachable; not starting another one"
    exit 0
fi
if daemon_is_running; then
    log "dockerd (PID $(cat "$pid_file")) is running but not answering yet"
else
    # setsid detaches dockerd from the caller's process group, so a Ctrl-C in
    # the calling shell does not kill it half-way. docker-down.sh stops it.
    setsid dockerd >"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
    log "started dockerd with PID $! (log: $log_file)"
fi

waited=0
until "$DOCKER" info >/dev/null 2>&1; do
    if ! daemon_is_running; then
        log "dockerd exited during start-up; last lines of $log_file:"
        tail -n 20 "$log_file" >&2
        exit 1
    fi
    if [ "$waited" -ge "$DOCKER_UP_TIMEOUT" ]; then
        log "dockerd did not respond within ${DOCKER_UP_TIMEOUT}s; last lines of $log_file:"
        tail -n 20 "$log_file" >&2
        exit 1
    fi
    sleep 1
    waited=$((waited + 1))
done
log "daemon ready: $("$DOCKER" version --format 'server {{.Server.Version}}, client {{.Client.Version}}')"
