"""Fixtures that build the resource's image and run its scripts inside it.

``resource_image`` builds the image once per session. ``container_runner`` runs
``/opt/resource/check|in|out`` the way Concourse does: a fresh container, the
payload on stdin, the working directory as ``$1`` and the ``BUILD_*`` variables
in the environment. ``--network host`` lets the scripts reach the fake robot on
127.0.0.1.

Without a reachable Docker daemon these fixtures skip, except when ``CI=true``:
there they fail, because a skipped image test would hide a broken build.

Environment:
    DOCKER      the Docker CLI to call (default ``docker`` from PATH).
    BASE_IMAGE  passed as ``--build-arg BASE_IMAGE``; unset means the Dockerfile's default.
"""

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IMAGE_TAG = "wecom-alert-resource:test"
RESOURCE_DIR = "/opt/resource"
CONTAINER_WORKDIR = "/tmp/build/put"  # noqa: S108 - the path Concourse uses inside the container.
BUILD_TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class ResourceImage:
    """A built image of the resource and the base it was built on."""

    tag: str
    image_id: str
    base_image: str
    build_seconds: float


def docker_cli() -> str:
    return os.environ.get("DOCKER", "docker")


def docker(*args: str, timeout: float = 120, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run the Docker CLI and return the completed process without checking its exit code."""
    return subprocess.run(
        [docker_cli(), *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def require_docker() -> None:
    """Skip the calling test without a Docker daemon, or fail it when CI=true."""
    reason = _docker_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the image tests to run, so start dockerd first")
    pytest.skip(reason)


def _docker_unavailable_reason() -> str | None:
    cli = docker_cli()
    if shutil.which(cli) is None:
        return f"Docker CLI {cli!r} not found (set DOCKER to its path)"
    # `docker version` exits non-zero when it cannot reach the daemon and prints the reason on stderr.
    try:
        version = docker("version", timeout=30)
    except subprocess.TimeoutExpired:
        return f"no Docker daemon reachable: `{cli} version` timed out after 30 s"
    if version.returncode != 0:
        first_line = version.stderr.decode("utf-8", "replace").strip().splitlines()[:1] or ["no output"]
        return f"no Docker daemon reachable: `{cli} version` failed: {first_line[0]}"
    return None


def build_image(context: Path, tag: str) -> subprocess.CompletedProcess:
    """Build ``context`` as ``tag``, passing BASE_IMAGE from the environment when it is set."""
    args = ["build", "--force-rm", "--tag", tag]
    base_image = os.environ.get("BASE_IMAGE")
    if base_image:
        args += ["--build-arg", f"BASE_IMAGE={base_image}"]
    return docker(*args, str(context), timeout=BUILD_TIMEOUT_SECONDS)


def image_id(reference: str) -> str:
    return _inspect(reference, "{{.Id}}")


def image_size(reference: str) -> int:
    """Return the image's size in bytes, base layers included, as `docker image inspect` reports it."""
    return int(_inspect(reference, "{{.Size}}"))


def image_layers(reference: str) -> list[str]:
    """Return the digests of the image's file system layers, base first."""
    return _inspect(reference, "{{range .RootFS.Layers}}{{println .}}{{end}}").split()


def _inspect(reference: str, template: str) -> str:
    completed = docker("image", "inspect", "--format", template, reference)
    if completed.returncode != 0:
        pytest.fail(f"`docker image inspect {reference}` failed: {completed.stderr.decode('utf-8', 'replace').strip()}")
    return completed.stdout.decode("utf-8").strip()


def default_base_image() -> str:
    """Return the base image this build uses: BASE_IMAGE if set, else the Dockerfile's ARG default."""
    if os.environ.get("BASE_IMAGE"):
        return os.environ["BASE_IMAGE"]
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, flags=re.MULTILINE)
    if match is None:
        pytest.fail("Dockerfile has no `ARG BASE_IMAGE=<image>` line")
    return match.group(1)


def build_failure_message(completed: subprocess.CompletedProcess, tag: str) -> str:
    output = (completed.stdout + completed.stderr).decode("utf-8", "replace").strip().splitlines()
    tail = "\n".join(output[-40:])
    return f"`docker build` of {tag} failed with exit code {completed.returncode}; last lines:\n{tail}"


@pytest.fixture(scope="session")
def resource_image() -> ResourceImage:
    """The project's image, built once per test session and tagged ``<slug>:test``."""
    require_docker()
    started = time.monotonic()
    completed = build_image(PROJECT_ROOT, IMAGE_TAG)
    build_seconds = time.monotonic() - started
    if completed.returncode != 0:
        base_image = default_base_image()
        base_missing = docker("image", "inspect", base_image).returncode != 0
        if base_missing and os.environ.get("CI") != "true":
            # The daemon cannot pull the base: a fact about this machine, not the code.
            pytest.skip(
                f"base image {base_image} is not on this Docker daemon and could not be pulled; "
                "set BASE_IMAGE to an image the daemon has, or deselect these tests with -m 'not docker'"
            )
        pytest.fail(build_failure_message(completed, IMAGE_TAG))
    return ResourceImage(
        tag=IMAGE_TAG,
        image_id=image_id(IMAGE_TAG),
        base_image=default_base_image(),
        build_seconds=build_seconds,
    )


class ContainerRunner:
    """Runs /opt/resource/check|in|out in a fresh container of the resource image.

    ``run`` has the signature of the host runner in conftest.py, so one test body
    serves both.
    """

    name = "container"

    def __init__(self, image: ResourceImage):
        self.image = image

    def run(self, script: str, payload, workdir: Path | None = None, env: dict | None = None):
        """Run ``script`` with ``payload`` on stdin; ``env`` replaces the default ``BUILD_*`` variables.

        ``workdir`` is mounted at /tmp/build/put and passed as ``$1``. Files the
        script writes there belong to root on the host.
        """
        # conftest.py imports this module, so importing it back at module level would be circular.
        from conftest import BUILD_ENV, ScriptResult, _payload_bytes

        args = ["run", "--interactive", "--rm", "--network", "host"]
        if workdir is not None:
            args += ["--volume", f"{workdir}:{CONTAINER_WORKDIR}"]
        for name, value in (BUILD_ENV if env is None else env).items():
            args += ["--env", f"{name}={value}"]
        args += [self.image.tag, f"{RESOURCE_DIR}/{script}"]
        if workdir is not None:
            args.append(CONTAINER_WORKDIR)

        completed = docker(*args, stdin=_payload_bytes(payload))
        return ScriptResult(
            completed.returncode,
            completed.stdout.decode("utf-8"),
            completed.stderr.decode("utf-8"),
        )


@pytest.fixture
def container_runner(resource_image) -> ContainerRunner:
    """Runs the resource's scripts inside ``resource_image``."""
    return ContainerRunner(resource_image)
