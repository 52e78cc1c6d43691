#!/usr/bin/env bash
# Build a local Python base image from the Debian mirror, for CI machines that
# cannot reach any container registry.
#
# mmdebstrap writes a minimal Debian root file system (essential packages plus
# python3-venv, ca-certificates and tzdata) as a tar stream and `docker import`
# turns it into an image. Its python3 is Debian's (bookworm: 3.11), there is no
# `python` command, and pip is only available inside a venv (PEP 668).
#
# The host's extra CA certificates (/usr/local/share/ca-certificates/*.crt) are
# copied in and trusted, because HTTPS to PyPI passes through an intercepting
# proxy on these machines and `pip install` in `docker build` would fail
# otherwise. That trust belongs to this local CI image only; the project's
# Dockerfile never carries it.
#
# Usage: build-base-image.sh [IMAGE]   (default local/python-base:bookworm)
# Environment:
#   DOCKER         CLI to use (default /usr/bin/docker)
#   DEBIAN_SUITE   Debian release to bootstrap (default bookworm)
#   DEBIAN_MIRROR  package mirror (default http://deb.debian.org/debian)
#   FORCE_REBUILD  set to 1 to rebuild an image that already exists
#
# mmdebstrap runs each hook with the root directory as $1, so the hooks are
# single-quoted on purpose.
# shellcheck disable=SC2016
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
DEBIAN_SUITE=${DEBIAN_SUITE:-bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=${1:-local/python-base:$DEBIAN_SUITE}

log() { printf '[build-base-image] %s\n' "$*" >&2; }

previous_id=$("$DOCKER" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
if [ "${FORCE_REBUILD:-0}" != 1 ] && [ -n "$previous_id" ]; then
    log "$image already exists; set FORCE_REBUILD=1 to rebuild it"
    exit 0
fi
command -v mmdebstrap >/dev/null 2>&1 || {
    log "mmdebstrap not found: run scripts/ci/docker-up.sh or apt-get install mmdebstrap"
    exit 1
}

security_mirror=${DEBIAN_MIRROR%/debian}/debian-security
CI_IMPORT_ID_FILE=$(mktemp)
hooks=()
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    hooks+=(
        --customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"'
        --customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"'
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null 2>&1'
    )
fi

log "bootstrapping Debian $DEBIAN_SUITE from $DEBIAN_MIRROR into $image"
start=$SECONDS
# Documentation, man pages and translations are excluded to keep the image small.
mmdebstrap \
    --variant=essential \
    --include=python3-venv,ca-certificates,tzdata \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
    "${hooks[@]}" \
    --quiet \
    "$DEBIAN_SUITE" - \
    "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" \
    "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main" \
    "deb $security_mirror $DEBIAN_SUITE-security main" |
    "$DOCKER" import \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["python3"]' \
        - >"$CI_IMPORT_ID_FILE"
# Tag only after both ends of the pipe succeeded, so a truncated import never
# passes for a finished image on the next run.
"$DOCKER" tag "$(cat "$CI_IMPORT_ID_FILE")" "$image"
rm -f "$CI_IMPORT_ID_FILE"
if [ -n "$previous_id" ]; then
    # Fails, harmlessly, while images built on the previous base still exist.
    "$DOCKER" image rm "$previous_id" >/dev/null 2>&1 || true
fi

size=$("$DOCKER" image inspect --format '{{.Size}}' "$image")
log "built $image in $((SECONDS - start))s, size $size bytes ($("$DOCKER" run --rm "$image" python3 --version))"
