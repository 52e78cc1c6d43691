"""Docker figures: the image's size over its base, and `out` in a fresh container.

Environment:
    DOCKER      the Docker CLI to call (default ``docker`` from PATH).
    BASE_IMAGE  passed as ``--build-arg BASE_IMAGE`` when set; unset means the Dockerfile's default.
"""

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

BUILD_TIMEOUT_SECONDS = 900
IMAGE_TAG_SUFFIX = ":bench"


@dataclass
class BuiltImage:
    """The image built for the benchmark, its base, and their sizes in bytes."""

    tag: str
    base: str
    size: int
    base_size: int
    build_seconds: float


def docker_cli() -> str:
    return os.environ.get("DOCKER", "docker")


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([docker_cli(), *args], capture_output=True, timeout=timeout, check=False)


def unavailable_reason() -> str | None:
    """Return why Docker figures cannot be taken here, or None when `docker info` succeeds."""
    cli = docker_cli()
    if shutil.which(cli) is None:
        return f"Docker CLI {cli!r} not found (set DOCKER to its path)"
    try:
        info = docker("info", timeout=30)
    except subprocess.TimeoutExpired:
        return f"`{cli} info` timed out after 30 s"
    if info.returncode != 0:
        lines = info.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"]
        return f"`{cli} info` failed: {lines[-1]}"
    return None


def base_image(project: Path) -> str:
    """Return BASE_IMAGE when set, else the default of the Dockerfile's ``ARG BASE_IMAGE=``."""
    if os.environ.get("BASE_IMAGE"):
        return os.environ["BASE_IMAGE"]
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, flags=re.MULTILINE)
    if match is None:
        raise RuntimeError("the Dockerfile has no `ARG BASE_IMAGE=<image>` line")
    return match.group(1)


def image_size(reference: str) -> int:
    completed = docker("image", "inspect", "--format", "{{.Size}}", reference)
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"`docker image inspect {reference}` failed: {message}")
    return int(completed.stdout.decode("utf-8").strip())


def build_image(project: Path, slug: str) -> BuiltImage:
    """Build ``project`` as ``<slug>:bench`` and inspect its size and its base's size."""
    tag = slug + IMAGE_TAG_SUFFIX
    args = ["build", "--force-rm", "--tag", tag]
    if os.environ.get("BASE_IMAGE"):
        args += ["--build-arg", f"BASE_IMAGE={os.environ['BASE_IMAGE']}"]
    started = time.perf_counter()
    completed = docker(*args, str(project), timeout=BUILD_TIMEOUT_SECONDS)
    build_seconds = time.perf_counter() - started
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"`docker build` failed with exit code {completed.returncode}: " + " | ".join(output[-5:]))

    base = base_image(project)
    return BuiltImage(tag, base, image_size(tag), image_size(base), build_seconds)


def layer_sizes(tag: str) -> list[tuple[int, str]]:
    """Return (size in bytes, creating instruction) for each layer of ``tag``, newest first."""
    completed = docker("history", "--no-trunc", "--human=false", "--format", "{{.Size}}\t{{.CreatedBy}}", tag)
    if completed.returncode != 0:
        return []
    layers = []
    for line in completed.stdout.decode("utf-8", "replace").splitlines():
        size, _, created_by = line.partition("\t")
        if size.isdigit():
            layers.append((int(size), " ".join(created_by.split())))
    return layers
