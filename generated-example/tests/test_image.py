"""Checks on the built image: its contents, how Concourse runs it, layer reuse and size.

The image size and the bytes the resource adds to its base are printed and
written to ``image-size.json`` in pytest's base temporary directory (and to the
path in ``IMAGE_SIZE_REPORT`` when that variable is set).
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from container import (
    PROJECT_ROOT,
    RESOURCE_DIR,
    build_failure_message,
    build_image,
    docker,
    image_id,
    image_layers,
    image_size,
)

pytestmark = pytest.mark.docker

SCRIPTS = ("check", "in", "out")
PACKAGE = "wecom_alert_resource"
# Goal for what the venv and the resource add on top of the base image.
ADDED_BYTES_GOAL = 5_000_000
# Files that make up the build context (see .dockerignore).
CONTEXT_FILES = ("Dockerfile", ".dockerignore", "requirements.txt", "assets", "src")


def python_in_image(image, code: str):
    """Run ``code`` with the image's python3, which is the one the scripts use."""
    return docker("run", "--rm", image.tag, "python3", "-c", code)


def test_scripts_are_executable(resource_image):
    code = (
        "import os\n"
        f"for name in {list(SCRIPTS)!r}:\n"
        f"    path = os.path.join({RESOURCE_DIR!r}, name)\n"
        "    print(name, os.path.isfile(path) and os.access(path, os.X_OK))\n"
    )
    completed = python_in_image(resource_image, code)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode().split("\n")[:3] == [f"{name} True" for name in SCRIPTS]


def test_package_sits_beside_scripts(resource_image):
    completed = python_in_image(resource_image, f"import os; print(os.path.isdir('{RESOURCE_DIR}/{PACKAGE}'))")

    assert completed.stdout.decode().strip() == "True"


def test_image_has_no_pip(resource_image):
    completed = python_in_image(
        resource_image,
        "import importlib.util, glob; print(importlib.util.find_spec('pip'), glob.glob('/opt/venv/bin/pip*'))",
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode().strip() == "None []"


def test_image_has_no_compiler(resource_image):
    completed = python_in_image(
        resource_image,
        "import shutil; print([n for n in ('cc', 'gcc', 'clang', 'c++', 'g++', 'make') if shutil.which(n)])",
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode().strip() == "[]"


def test_image_has_no_pip_cache(resource_image):
    completed = python_in_image(resource_image, "import os; print(os.path.exists('/root/.cache/pip'))")

    assert completed.stdout.decode().strip() == "False"


def test_check_in_out_run_like_concourse(container_runner, robot, source, workdir):
    version = {"ref": "0"}

    checked = container_runner.run("check", {"source": source})
    fetched = container_runner.run("in", {"source": source, "version": version}, workdir)
    put = container_runner.run("out", {"source": source, "params": {"status": "failed"}}, workdir)

    assert checked.returncode == 0, checked.stderr
    assert checked.json() == []
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.json()["version"] == version
    assert put.returncode == 0, put.stderr
    assert "version" in put.json()
    assert len(robot.delivered) == 1


def test_rebuild_reuses_every_layer(resource_image):
    completed = build_image(PROJECT_ROOT, resource_image.tag)

    assert completed.returncode == 0, build_failure_message(completed, resource_image.tag)
    assert image_id(resource_image.tag) == resource_image.image_id


def test_code_change_keeps_dependency_layer(resource_image, tmp_path):
    context = tmp_path / "context"
    for name in CONTEXT_FILES:
        source = PROJECT_ROOT / name
        target = context / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    changed_module = context / "src" / PACKAGE / "__init__.py"
    changed_module.write_text(changed_module.read_text(encoding="utf-8") + "\n# changed by test\n", encoding="utf-8")
    changed_tag = resource_image.tag + "-changed"

    completed = build_image(context, changed_tag)
    try:
        assert completed.returncode == 0, build_failure_message(completed, changed_tag)
        base_layers = image_layers(resource_image.base_image)
        original_layers = image_layers(resource_image.tag)
        changed_layers = image_layers(changed_tag)
        # The first layer after the base contains the venv with the dependencies.
        venv_layer = len(base_layers)
        assert changed_layers[: venv_layer + 1] == original_layers[: venv_layer + 1]
        assert changed_layers != original_layers
    finally:
        docker("image", "rm", "--force", changed_tag)


def test_resource_adds_little_to_base(resource_image, tmp_path_factory):
    """Record the image size; the goal is at most 5 MB on top of the base."""
    total_bytes = image_size(resource_image.tag)
    base_bytes = image_size(resource_image.base_image)
    report = {
        "image": resource_image.tag,
        "base_image": resource_image.base_image,
        "image_bytes": total_bytes,
        "base_bytes": base_bytes,
        "added_bytes": total_bytes - base_bytes,
        "added_goal_bytes": ADDED_BYTES_GOAL,
        "build_seconds": round(resource_image.build_seconds, 1),
    }
    text = json.dumps(report, indent=2)
    print(text)
    (tmp_path_factory.getbasetemp() / "image-size.json").write_text(text, encoding="utf-8")
    if os.environ.get("IMAGE_SIZE_REPORT"):
        Path(os.environ["IMAGE_SIZE_REPORT"]).write_text(text, encoding="utf-8")

    assert report["added_bytes"] > 0
