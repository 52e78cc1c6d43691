"""Checks that the examples in README.md and README.zh-CN.md work as printed.

Every ```json block must parse as written, so a placeholder such as ``...`` may
appear only inside a JSON string. Every ```yaml block must parse and, combined
into a pipeline, pass the checks that tests/test_pipelines.py runs on the files
in ``pipeline/``. The ``sh`` block that runs ``./assets/out`` with ``dry_run``
runs here with a test key. The Chinese README must keep the English README's
code blocks, sections and var table, so that the two cannot drift apart.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ScriptResult, new_test_key, script_environment
from test_pipelines import (
    README_VAR_ROW,
    UniqueKeyLoader,
    alert_resource_problems,
    image_tag_problems,
    read_documented_vars,
    resource_reference_problems,
    resource_type_problems,
    schema_problems,
    var_problems,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README_PATHS = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "README.zh-CN.md"]
ENGLISH_README, CHINESE_README = README_PATHS

# A fenced block: ```lang on its own line, the body, then ``` on its own line.
FENCED_BLOCK = re.compile(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)
TABLE_ROW = re.compile(r"^\|.*\|[ \t]*$", re.MULTILINE)
DEMO_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")

readme_paths = pytest.mark.parametrize("readme", README_PATHS, ids=lambda path: path.name)


def fenced_blocks(path: Path, language: str | None = None) -> list[str]:
    """Return the bodies of the fenced code blocks in ``path``, optionally only those in ``language``."""
    text = path.read_text(encoding="utf-8")
    return [body for lang, body in FENCED_BLOCK.findall(text) if language is None or lang == language]


def load_yaml_block(body: str):
    # UniqueKeyLoader derives from SafeLoader, which ruff's S506 cannot see.
    return yaml.load(body, Loader=UniqueKeyLoader)  # noqa: S506


def readme_pipelines(path: Path) -> list[tuple[str, dict]]:
    """Combine the README's YAML blocks into pipelines: the resource configuration plus each jobs or steps example.

    A block with ``resource_types`` or ``resources`` but no ``jobs`` is the
    resource configuration. A block with ``jobs`` is a jobs example, and a list is
    a list of steps that becomes the plan of one job.
    """
    base: dict = {}
    examples: list[tuple[str, dict]] = []
    for index, body in enumerate(fenced_blocks(path, "yaml")):
        document = load_yaml_block(body)
        label = f"yaml block {index + 1}"
        if isinstance(document, list):
            examples.append((label, {"jobs": [{"name": "readme-example", "plan": document}]}))
        elif isinstance(document, dict) and "jobs" in document:
            examples.append((label, document))
        elif isinstance(document, dict) and {"resource_types", "resources"} & set(document):
            base.update(document)
        else:
            pytest.fail(f"{path.name} {label} is neither a resource configuration, jobs nor a list of steps")
    return [(label, {**base, **example}) for label, example in examples]


def pipeline_problems(pipeline: dict, documented_vars: set[str]) -> list[str]:
    """Run the pipeline checks of test_pipelines.py that apply to README examples.

    The artifact check is left out, because the examples run tasks from a task
    file (``file: ci/build.yml``) whose outputs the README does not show.
    """
    return [
        *schema_problems(pipeline),
        *resource_reference_problems(pipeline),
        *resource_type_problems(pipeline),
        *var_problems(pipeline, documented_vars),
        *alert_resource_problems(pipeline),
        *image_tag_problems(pipeline),
    ]


@readme_paths
def test_json_blocks_parse(readme):
    blocks = fenced_blocks(readme, "json")

    assert blocks, f"{readme.name} has no json block"
    for body in blocks:
        try:
            json.loads(body)
        except ValueError as error:
            pytest.fail(f"{readme.name}: json block does not parse ({error}):\n{body}")


@readme_paths
def test_yaml_blocks_parse(readme):
    blocks = fenced_blocks(readme, "yaml")

    assert blocks, f"{readme.name} has no yaml block"
    for body in blocks:
        try:
            load_yaml_block(body)
        except yaml.YAMLError as error:
            pytest.fail(f"{readme.name}: yaml block does not parse ({error}):\n{body}")


@readme_paths
def test_yaml_examples_pass_pipeline_checks(readme):
    documented = read_documented_vars(ENGLISH_README.read_text(encoding="utf-8"))
    pipelines = readme_pipelines(readme)

    assert pipelines, f"{readme.name} has no jobs or steps example"
    for label, pipeline in pipelines:
        problems = pipeline_problems(pipeline, documented)
        assert not problems, f"{readme.name} {label}:\n" + "\n".join(problems)


def test_readme_pipeline_check_catches_typo():
    pipeline = readme_pipelines(ENGLISH_README)[0][1]
    pipeline["resources"][0]["check-every"] = pipeline["resources"][0].pop("check_every")

    problems = pipeline_problems(pipeline, read_documented_vars(ENGLISH_README.read_text(encoding="utf-8")))

    assert any("'check-every' was unexpected" in problem for problem in problems), problems


def test_translation_keeps_code_blocks():
    assert fenced_blocks(CHINESE_README) == fenced_blocks(ENGLISH_README)


def test_translation_keeps_sections():
    english = HEADING.findall(ENGLISH_README.read_text(encoding="utf-8"))
    chinese = HEADING.findall(CHINESE_README.read_text(encoding="utf-8"))

    assert chinese == english, "README.zh-CN.md should have the same heading levels in the same order"


def test_translation_keeps_table_rows():
    english = TABLE_ROW.findall(ENGLISH_README.read_text(encoding="utf-8"))
    chinese = TABLE_ROW.findall(CHINESE_README.read_text(encoding="utf-8"))

    assert len(chinese) == len(english)


def test_translation_keeps_var_table():
    english = README_VAR_ROW.findall(ENGLISH_README.read_text(encoding="utf-8"))
    chinese = README_VAR_ROW.findall(CHINESE_README.read_text(encoding="utf-8"))

    assert chinese == english


def test_readmes_link_each_other():
    assert "(README.zh-CN.md)" in ENGLISH_README.read_text(encoding="utf-8")
    assert "(README.md)" in CHINESE_README.read_text(encoding="utf-8")


def test_dry_run_command_runs(tmp_path):
    blocks = [body for body in fenced_blocks(ENGLISH_README, "sh") if "./assets/out" in body and "dry_run" in body]
    assert len(blocks) == 1, "README.md should have one sh block that runs ./assets/out with dry_run"
    key = new_test_key()
    command = blocks[0].replace("00000000-0000-4000-8000-000000000000", key)
    environment = script_environment({})
    # A dry run must not connect anywhere. Should it try, this closed local proxy
    # makes the attempt fail instead of reaching the real WeCom service.
    environment["HTTPS_PROXY"] = environment["HTTP_PROXY"] = "http://127.0.0.1:9"
    # The command's `mktemp -d` then creates its directory under tmp_path.
    environment["TMPDIR"] = str(tmp_path)

    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=PROJECT_ROOT,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    result = ScriptResult(completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8"))

    assert result.returncode == 0, result.stderr
    metadata = {pair["name"]: pair["value"] for pair in result.json()["metadata"]}
    assert metadata["sent"] == "false"
    assert metadata["reason"] == "dry_run"
    assert f"****{key[-4:]}" in result.stderr
    assert '"msgtype"' in result.stderr, "the dry run should print the request body"


@readme_paths
def test_demo_options_exist(readme):
    commands = [body for body in fenced_blocks(readme, "sh") if "scripts/demo.py" in body]
    assert commands, f"{readme.name} should show how to run scripts/demo.py"
    help_text = subprocess.run(
        [sys.executable, "scripts/demo.py", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=script_environment({}),
        timeout=120,
        check=True,
    ).stdout

    for option in sorted({option for body in commands for option in DEMO_OPTION.findall(body)}):
        assert option in help_text, f"{readme.name} uses {option}, which scripts/demo.py does not accept"
