"""cookiecutter.json: the options, their bilingual prompts and the generation settings."""

import json
import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

CONTEXT = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
PROMPTS = CONTEXT["__prompts__"]
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")

PROMPTED_OPTIONS = [
    "project_name",
    "project_slug",
    "resource_type_name",
    "image_repository",
    "version",
    "python_version",
    "default_msgtype",
    "language",
    "timezone",
    "include_publish_pipeline",
    "license",
    "author_name",
    "author_email",
]
CHOICES = {
    "python_version": ["3.13", "3.12", "3.11"],
    "default_msgtype": ["markdown", "text"],
    "language": ["zh_CN", "en"],
    "license": ["MIT", "Apache-2.0", "Proprietary"],
}


def assert_bilingual(label, where):
    """Assert a prompt label has Chinese and English text."""
    assert CJK_RE.search(label), f"{where}: no Chinese in {label!r}"
    assert LATIN_WORD_RE.search(label), f"{where}: no English in {label!r}"


@pytest.mark.parametrize("option", PROMPTED_OPTIONS)
def test_option_has_bilingual_prompt(option):
    assert option in CONTEXT
    prompt = PROMPTS[option]
    label = prompt["__prompt__"] if isinstance(prompt, dict) else prompt
    assert_bilingual(label, option)


@pytest.mark.parametrize("option", sorted(CHOICES))
def test_choice_values_and_labels(option):
    assert CONTEXT[option] == CHOICES[option]
    labels = PROMPTS[option]
    assert set(labels) == {"__prompt__", *CHOICES[option]}
    for value in CHOICES[option]:
        assert_bilingual(labels[value], f"{option}={value}")


def test_package_name_derived_not_prompted():
    assert "slugify" in CONTEXT["project_slug"]
    assert CONTEXT["__package_name"] == "{{ cookiecutter.project_slug | replace('-', '_') }}"


def test_publish_option_is_json_boolean():
    assert CONTEXT["include_publish_pipeline"] is True


def test_no_nested_template_keys():
    """A variable named template or templates switches cookiecutter to nested templates."""
    assert "template" not in CONTEXT
    assert "templates" not in CONTEXT


def test_generation_settings():
    assert CONTEXT["_copy_without_render"] == ["src/*/alert_templates/*"]
    assert CONTEXT["_new_lines"] == "\n"


def test_prompts_name_only_existing_options():
    assert set(PROMPTS) <= set(CONTEXT)


def run_dev_script(*arguments):
    """Run scripts/dev.py with this interpreter; return the completed process."""
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "dev.py"), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def test_dev_script_prints_usage():
    result = run_dev_script("--help")
    assert result.returncode == 0
    for command in ("generate", "test", "regenerate-example"):
        assert command in result.stdout


def test_dev_script_rejects_unknown_command():
    result = run_dev_script("bogus")
    assert result.returncode == 2
    assert "unknown command 'bogus'" in result.stderr
