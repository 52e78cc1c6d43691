"""Shared helpers for the template's own tests: rendering, importing hooks, checking output."""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

try:
    import tomllib
except ImportError:  # Python 3.10 has no tomllib; the TOML check is skipped there.
    tomllib = None

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = REPO_ROOT / "{{cookiecutter.project_slug}}"
EXAMPLE_DIR = REPO_ROOT / "generated-example"
HOOKS_DIR = REPO_ROOT / "hooks"
CONTEXT_KEYS = list(json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8")))

# Caches that tools write into a project; they are not part of a render.
IGNORED_NAMES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}

# Any Jinja2 delimiter that still contains a cookiecutter variable after rendering.
PLACEHOLDER_RE = re.compile(
    r"(\{\{|\{%|\{#)[^\n]*?\bcookiecutter\b|\bcookiecutter\.(?:" + "|".join(CONTEXT_KEYS) + r")\b"
)
JINJA_SYNTAX_RE = re.compile(r"\{\{|\{%|\{#")
# Files outside alert_templates/ that may contain "{{" on purpose, with the reason.
FOREIGN_TEMPLATE_FILES = {
    "tests/container.py": "`docker inspect --format` takes Go templates such as {{.Id}}",
}


def pytest_configure(config):
    """Point pytest-cookies at this repository even when pytest starts elsewhere."""
    if getattr(config.option, "template", None) in (None, "."):
        config.option.template = str(REPO_ROOT)


@pytest.fixture
def cookiecutter_config(tmp_path):
    """Return a cookiecutter config file that keeps replay files inside tmp_path."""
    config = tmp_path / "cookiecutter-config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "cookiecutters_dir": str(tmp_path / "cookiecutters"),
                "replay_dir": str(tmp_path / "replay"),
                "default_context": {},
            }
        ),
        encoding="utf-8",
    )
    return config


def render(output_dir, config_file, extra_context=None):
    """Render the template without prompts into output_dir and return the project path."""
    project = cookiecutter(
        str(REPO_ROOT),
        no_input=True,
        extra_context=extra_context or {},
        output_dir=str(output_dir),
        config_file=str(config_file),
    )
    return Path(project)


def iter_files(root):
    """Yield every file below root as a path relative to root, skipping tool caches."""
    root = Path(root)
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(name for name in dirs if name not in IGNORED_NAMES)
        for name in sorted(files):
            yield (Path(current) / name).relative_to(root)


def load_hook(name, path=None):
    """Import a hook module from its file, unrendered unless path names a rendered copy."""
    path = Path(path) if path else HOOKS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"hook_{name}_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def is_python_file(path):
    """Return whether path is Python source: a .py file or a script with a python shebang."""
    if path.suffix == ".py":
        return True
    with open(path, "rb") as handle:
        first_line = handle.readline()
    return first_line.startswith(b"#!") and b"python" in first_line


def alert_templates_dir(project):
    """Return the relative folder of the runtime Jinja2 templates in a rendered project."""
    matches = sorted(path.relative_to(project) for path in (project / "src").glob("*/alert_templates"))
    assert len(matches) == 1, f"expected one src/<package>/alert_templates folder, found {matches}"
    return matches[0]


def find_placeholders(project):
    """Return 'path:line: text' for every cookiecutter placeholder left in the project."""
    found = []
    for relative in iter_files(project):
        text = (project / relative).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if PLACEHOLDER_RE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
        if PLACEHOLDER_RE.search(str(relative)):
            found.append(f"{relative}: placeholder in the path")
    return found


def find_stray_jinja(project):
    """Return 'path:line: text' for Jinja2 syntax outside src/<package>/alert_templates/."""
    allowed = alert_templates_dir(project)
    found = []
    for relative in iter_files(project):
        if allowed in relative.parents or str(relative) in FOREIGN_TEMPLATE_FILES:
            continue
        text = (project / relative).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if JINJA_SYNTAX_RE.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def find_unparsable_files(project):
    """Return 'path: error' for Python, YAML, TOML and JSON files that do not parse."""
    problems = []
    for relative in iter_files(project):
        path = project / relative
        try:
            if is_python_file(path):
                compile(path.read_bytes(), str(path), "exec")
            elif path.suffix in (".yml", ".yaml"):
                list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
            elif path.suffix == ".toml" and tomllib is not None:
                tomllib.loads(path.read_text(encoding="utf-8"))
            elif path.suffix == ".json":
                json.loads(path.read_text(encoding="utf-8"))
        except (SyntaxError, ValueError, yaml.YAMLError) as error:
            problems.append(f"{relative}: {error}")
    return problems


def find_empty_dirs(project):
    """Return the relative folders below project that contain nothing."""
    empty = []
    for current, dirs, files in os.walk(project):
        if not dirs and not files and Path(current) != Path(project):
            empty.append(str(Path(current).relative_to(project)))
    return empty


def run_ruff(project):
    """Run `ruff check` with the project's own settings; return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def assert_valid_project(project):
    """Assert the static checks that every rendered project must pass."""
    placeholders = find_placeholders(project)
    assert not placeholders, "cookiecutter placeholders left:\n" + "\n".join(placeholders)

    stray = find_stray_jinja(project)
    assert not stray, "Jinja2 syntax outside alert_templates/:\n" + "\n".join(stray)

    unparsable = find_unparsable_files(project)
    assert not unparsable, "files that do not parse:\n" + "\n".join(unparsable)

    empty = find_empty_dirs(project)
    assert not empty, f"empty folders left: {empty}"

    ruff = run_ruff(project)
    assert ruff.returncode == 0, f"ruff check failed:\n{ruff.stdout}{ruff.stderr}"
