"""The generated project that the benchmark runs, and the fake robot it sends alerts to.

The subject is generated-example/ when it matches a fresh render of the template's
working tree, and that fresh render otherwise. Either way the benchmark runs a copy in
a temporary directory, so its runs leave no ``__pycache__`` in generated-example/.
"""

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO_ROOT / "generated-example"
VENV_PYTHON = REPO_ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
# Caches that tools write into a project; they are not part of a render.
IGNORED_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv"}
RENDER_TIMEOUT_SECONDS = 300
DEFAULT_SLUG = "wecom-alert-resource"

# Renders the default answers, ignoring ~/.cookiecutterrc, and prints the project path.
RENDER_SCRIPT = """
import sys
from cookiecutter.main import cookiecutter
print(cookiecutter(sys.argv[1], no_input=True, default_config=True, output_dir=sys.argv[2]))
"""


@dataclass
class Subject:
    """The project copy to benchmark, its slug, and a sentence saying where it came from."""

    path: Path
    slug: str
    origin: str


def choose_python(requested: str | None) -> str:
    """Return the interpreter for every measured command: --python, else .venv, else this one."""
    if requested:
        return requested
    if VENV_PYTHON.exists():
        return str(VENV_PYTHON)
    return sys.executable


def can_import(python: str, module: str) -> bool:
    completed = subprocess.run([python, "-c", f"import {module}"], capture_output=True, check=False)
    return completed.returncode == 0


def render_template(python: str, output_dir: Path) -> Path:
    """Render the default answers of the template in REPO_ROOT into ``output_dir``."""
    completed = subprocess.run(
        [python, "-c", RENDER_SCRIPT, str(REPO_ROOT), str(output_dir)],
        capture_output=True,
        timeout=RENDER_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise RuntimeError("rendering the template failed: " + " | ".join(tail))
    return Path(completed.stdout.decode("utf-8").strip().splitlines()[-1])


def tree_snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Map each file below ``root`` (caches skipped) to its bytes and permission bits."""
    snapshot = {}
    for current, dirs, files in os.walk(root):
        dirs[:] = [name for name in dirs if name not in IGNORED_NAMES]
        for name in files:
            path = Path(current) / name
            snapshot[str(path.relative_to(root))] = (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
    return snapshot


def prepare_subject(python: str, scratch: Path) -> Subject:
    """Copy the project to benchmark into ``scratch``/project and return it with its origin."""
    copy = scratch / "project"
    if not can_import(python, "cookiecutter"):
        if not EXAMPLE_DIR.is_dir():
            raise RuntimeError(
                f"generated-example/ is missing and {python} cannot import cookiecutter to render the "
                "template; run `python3 scripts/dev.py regenerate-example` first"
            )
        shutil.copytree(EXAMPLE_DIR, copy, symlinks=True)
        # NOTE: assumes the default slug, because without cookiecutter nothing renders it.
        origin = f"generated-example/ (not compared with a fresh render: {python} has no cookiecutter)"
        return Subject(copy, DEFAULT_SLUG, origin)

    fresh = render_template(python, scratch / "render")
    if not EXAMPLE_DIR.is_dir():
        origin = "a fresh render of the template's working tree (generated-example/ is missing)"
        source = fresh
    elif tree_snapshot(EXAMPLE_DIR) != tree_snapshot(fresh):
        origin = "a fresh render of the template's working tree (generated-example/ is stale)"
        source = fresh
    else:
        origin = "generated-example/, which matches a fresh render of the template's working tree"
        source = EXAMPLE_DIR
    shutil.copytree(source, copy, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED_NAMES))
    return Subject(copy, fresh.name, origin)


def load_fake_robot(project: Path):
    """Import tests/fake_robot.py of ``project`` as a module (it uses the standard library only)."""
    path = project / "tests" / "fake_robot.py"
    spec = importlib.util.spec_from_file_location("bench_fake_robot", path)
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up in sys.modules while it builds the classes.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
