"""Checks on a rendered project: placeholders, runtime templates, file modes, names."""

import json
import os
import secrets
import shutil
import stat
import subprocess
import sys

import pytest
import yaml
from conftest import (
    REPO_ROOT,
    TEMPLATE_DIR,
    alert_templates_dir,
    assert_valid_project,
    find_placeholders,
    find_stray_jinja,
    iter_files,
    render,
)

EXECUTABLES = ("assets/check", "assets/in", "assets/out")
TEMPLATE_ALERT_DIR = TEMPLATE_DIR / "src" / "{{cookiecutter.__package_name}}" / "alert_templates"

# Values of the default answers that must come from the answers, never from fixed text.
DEFAULT_LITERALS = [
    "WeCom Alert Resource",
    "wecom-alert-resource",
    "wecom_alert_resource",
    "wecom-alert",
    "registry.example.com/concourse",
    "Concourse resource type that sends build alerts to a WeCom group robot",
    "Platform Team",
    "platform@example.com",
]
# Places where a default literal is generic text and may stay, with the reason.
# Keys are paths relative to the project; values are the literals allowed there.
ALLOWED_LITERALS = {}


@pytest.fixture(scope="module")
def default_project(tmp_path_factory):
    """Render the default answers once for the checks in this module."""
    base = tmp_path_factory.mktemp("defaults")
    config = base / "config.yaml"
    config.write_text(yaml.safe_dump({"replay_dir": str(base / "replay"), "default_context": {}}))
    return render(base / "out", config)


def test_default_render_is_valid(default_project):
    assert_valid_project(default_project)


def test_placeholder_check_detects_leftovers(tmp_path):
    """The placeholder and Jinja checks must be able to fail."""
    (tmp_path / "src" / "pkg" / "alert_templates").mkdir(parents=True)
    (tmp_path / "a.py").write_text('NAME = "{{ cookiecutter.project_name }}"\n')
    (tmp_path / "b.txt").write_text("{% if cookiecutter.license == 'MIT' %}\n")
    (tmp_path / "c.txt").write_text("{{ build_name }}\n")
    assert len(find_placeholders(tmp_path)) == 2
    assert len(find_stray_jinja(tmp_path)) == 3


def test_alert_templates_copied_unrendered(default_project):
    rendered_dir = default_project / alert_templates_dir(default_project)
    source_files = sorted(iter_files(TEMPLATE_ALERT_DIR))
    assert source_files, f"no runtime templates under {TEMPLATE_ALERT_DIR}"
    assert sorted(iter_files(rendered_dir)) == source_files
    for relative in source_files:
        assert (rendered_dir / relative).read_bytes() == (TEMPLATE_ALERT_DIR / relative).read_bytes(), relative


def test_both_alert_languages_kept(default_project):
    rendered_dir = default_project / alert_templates_dir(default_project)
    assert (rendered_dir / "zh_CN").is_dir()
    assert (rendered_dir / "en").is_dir()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_scripts_executable_in_git():
    result = subprocess.run(
        ["git", "ls-files", "-s", "--", *(f"{{{{cookiecutter.project_slug}}}}/{name}" for name in EXECUTABLES)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    modes = {line.split("\t")[1]: line.split()[0] for line in result.stdout.splitlines()}
    for name in EXECUTABLES:
        path = f"{{{{cookiecutter.project_slug}}}}/{name}"
        assert modes.get(path) == "100755", f"{path} has git mode {modes.get(path)}; run git update-index --chmod=+x"


@pytest.mark.parametrize("name", EXECUTABLES)
def test_scripts_executable_in_render(default_project, name):
    mode = stat.S_IMODE((default_project / name).stat().st_mode)
    assert mode & 0o111 == 0o111, f"{name} has mode {mode:o}"
    assert os.access(default_project / name, os.X_OK)


def random_word(prefix):
    """Return a lowercase word that cannot occur in the template by chance."""
    return f"{prefix}{secrets.token_hex(4)}"


def find_default_literals(project):
    """Return 'path: literal' for each default answer that is still in the project."""
    found = []
    for relative in iter_files(project):
        allowed = ALLOWED_LITERALS.get(str(relative), ())
        text = (project / relative).read_text(encoding="utf-8", errors="replace")
        for literal in DEFAULT_LITERALS:
            if literal in allowed:
                continue
            if literal in text or literal in str(relative):
                found.append(f"{relative}: {literal!r}")
    return found


def test_canary_render_has_no_default_names(tmp_path, cookiecutter_config):
    """Text derived from the answers must change when the answers change."""
    word = random_word("canary")
    answers = {
        "project_name": f"Zebra {word} Notifier",
        "resource_type_name": random_word("rt-"),
        "image_repository": f"{random_word('reg')}.test/{random_word('team')}/{random_word('img')}",
        "project_description": f"Description {word}",
        "author_name": f"Author {word}",
        "author_email": f"{word}@{random_word('mail')}.test",
    }
    project = render(tmp_path / "out", cookiecutter_config, answers)
    leftovers = find_default_literals(project)
    assert not leftovers, f"default names left in a render with answers {answers}:\n" + "\n".join(leftovers)
    assert_valid_project(project)


def run_cookiecutter_cli(*arguments, cwd):
    """Run the cookiecutter command line of this interpreter; return the completed process."""
    environment = dict(os.environ, HOME=str(cwd))
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_config_file_default_context(tmp_path):
    """Org-wide defaults in a --config-file replace the template defaults."""
    org_defaults = {
        "author_name": "Ops Team",
        "author_email": "ops@corp.example",
        "image_repository": "harbor.corp.example/ci/wecom-alert-resource",
        "license": "Apache-2.0",
        "language": "en",
        "include_publish_pipeline": False,
        "timezone": "Europe/Berlin",
    }
    config = tmp_path / "org.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "cookiecutters_dir": str(tmp_path / "cookiecutters"),
                "replay_dir": str(tmp_path / "replay"),
                "default_context": org_defaults,
            }
        )
    )
    output_dir = tmp_path / "out"
    result = run_cookiecutter_cli(
        "--no-input", "--config-file", str(config), "-o", str(output_dir), str(REPO_ROOT), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr

    (replay_file,) = (tmp_path / "replay").glob("*.json")
    answers = json.loads(replay_file.read_text(encoding="utf-8"))["cookiecutter"]
    for option, value in org_defaults.items():
        assert answers[option] == value, option

    project = output_dir / "wecom-alert-resource"
    assert (project / "LICENSE").read_text(encoding="utf-8").lstrip().startswith("Apache License")
    assert 'LANGUAGE = "en"' in (project / "src" / "wecom_alert_resource" / "i18n.py").read_text(encoding="utf-8")
    assert not (project / "pipeline" / "publish.yml").exists()


def test_cli_false_answer_is_boolean(tmp_path):
    """`include_publish_pipeline=n` must mean false, which needs cookiecutter 2.7 or later."""
    output_dir = tmp_path / "out"
    result = run_cookiecutter_cli(
        "--no-input", "-o", str(output_dir), str(REPO_ROOT), "include_publish_pipeline=n", cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (output_dir / "wecom-alert-resource" / "pipeline" / "publish.yml").exists()


def test_cli_rejects_bad_answer_with_error_line(tmp_path):
    output_dir = tmp_path / "out"
    answer = "image_repository=registry.example.com/a/b:1.0"
    result = run_cookiecutter_cli("--no-input", "-o", str(output_dir), str(REPO_ROOT), answer, cwd=tmp_path)
    assert result.returncode == 1
    assert "ERROR: image_repository: 不能带标签 ':1.0'" in result.stderr
    assert "ERROR: image_repository: must not contain a tag (':1.0')" in result.stderr
    assert not output_dir.exists() or not any(output_dir.iterdir())


@pytest.mark.parametrize("license_name", ["MIT", "Apache-2.0", "Proprietary"])
def test_license_text_matches_choice(tmp_path, cookiecutter_config, license_name):
    project = render(tmp_path / "out", cookiecutter_config, {"license": license_name, "author_name": "Ops Team"})
    text = (project / "LICENSE").read_text(encoding="utf-8")
    first_line = text.lstrip().splitlines()[0]
    expected_first_line = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "Proprietary": "Copyright (c) Ops Team <platform@example.com>",
    }[license_name]
    assert first_line == expected_first_line
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
