"""`scripts/dev.py generate`: the key=value check, hook failures and the closing output."""

import importlib.util
import json
import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT
from cookiecutter.prompt import YesNoPrompt

DEV_SCRIPT = REPO_ROOT / "scripts" / "dev.py"
CONTEXT = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def load_dev_module():
    """Import scripts/dev.py as a module without running its main()."""
    spec = importlib.util.spec_from_file_location("dev_script", DEV_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = load_dev_module()


def run_generate(output_dir, *answers):
    """Run `dev.py generate --no-input -o output_dir answers...`; return the completed process."""
    return subprocess.run(
        [sys.executable, str(DEV_SCRIPT), "generate", "--no-input", "-o", str(output_dir), *answers],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--no-input", "license=MIT"], ["license=MIT"]),
        (["-o", "dir=with=equals", "language=en"], ["language=en"]),
        (["--output-dir", "a=b", "--config-file", "c=d.yaml"], []),
        (["--output-dir=a=b", "version=1.0"], ["version=1.0"]),
        (["-fo", "a=b", "license=MIT"], ["license=MIT"]),
        (["-foa=b", "license=MIT"], ["license=MIT"]),
        (["-f", "-s", "license=MIT"], ["license=MIT"]),
        (["--accept-hooks", "no", "-c", "x=y", "--directory", "d=e"], []),
        (["--", "--odd=1"], ["--odd=1"]),
        (["--verbose", "no-equals-sign"], []),
    ],
)
def test_extra_context_skips_option_values(arguments, expected):
    assert dev.extra_context_arguments(arguments) == expected


@pytest.mark.parametrize(
    "pair",
    [
        "license=Apache-2.0",
        "language=en",
        "python_version=3.11",
        "project_name=Anything at all",
        "timezone=Europe/Berlin",
        "include_publish_pipeline=OFF",
        "include_publish_pipeline= yes ",
        "include_publish_pipeline=0",
    ],
)
def test_valid_answer_passes_check(pair):
    assert dev.check_extra_context([pair], CONTEXT) == []


def test_boolean_strings_match_cookiecutter():
    """The accepted strings must follow the installed cookiecutter, or the check misleads."""
    assert list(dev.BOOLEAN_TRUE) == YesNoPrompt.yes_choices
    assert list(dev.BOOLEAN_FALSE) == YesNoPrompt.no_choices


@pytest.mark.parametrize(
    ("pair", "fragments"),
    [
        ("licence=Apache-2.0", ["did you mean license?", "是否想写 license", "license=Apache-2.0"]),
        ("langauge=en", ["did you mean language?", "language=en"]),
        ("zzzz=1", ["not an option of this template", "cookiecutter.json"]),
        ("__package_name=x", ["internal to the template"]),
        ("_copy_without_render=x", ["internal to the template"]),
        ("license=GPL", ["'GPL' is not one of MIT, Apache-2.0, Proprietary", "license=MIT"]),
        ("language=zh", ["'zh' is not one of zh_CN, en", "不在可选值"]),
        ("python_version=3.9", ["'3.9' is not one of 3.13, 3.12, 3.11"]),
        ("include_publish_pipeline=maybe", ["'maybe' is not a boolean", "1/true/t/yes/y/on", "0/false/f/no/n/off"]),
        ("include_publish_pipeline=", ["'' is not a boolean"]),
    ],
)
def test_invalid_answer_error_line(pair, fragments):
    errors = dev.check_extra_context([pair], CONTEXT)
    assert len(errors) == 1
    line = errors[0]
    assert line.startswith(f"ERROR: {pair.split('=')[0]}: ")
    assert "\n" not in line
    assert CJK_RE.search(line.split(" / ")[0])
    for fragment in fragments:
        assert fragment in line


def test_unknown_key_without_close_match_has_no_suggestion():
    (line,) = dev.check_extra_context(["zzzz=1"], CONTEXT)
    assert "did you mean" not in line


def test_chinese_part_comes_first():
    (line,) = dev.check_extra_context(["license=GPL"], CONTEXT)
    chinese, english = line.split(" / ", 1)
    assert "；例如 license=MIT" in chinese
    assert "; for example license=MIT" in english
    assert not CJK_RE.search(english)


@pytest.mark.parametrize(
    "pair",
    ["licence=Apache-2.0", "license=GPL", "language=zh", "python_version=3.9", "include_publish_pipeline=maybe"],
)
def test_generate_rejects_answer_before_cookiecutter(tmp_path, pair):
    result = run_generate(tmp_path / "out", pair)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"ERROR: {pair.split('=')[0]}: ")
    assert not (tmp_path / "out").exists()


def test_generate_reports_every_bad_answer(tmp_path):
    result = run_generate(tmp_path / "out", "licence=MIT", "language=zh")

    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["licence", "language"]


def test_generate_hook_failure_without_traceback(tmp_path):
    result = run_generate(tmp_path / "out", "image_repository=registry.example.com/team/image:1.0")
    lines = result.stderr.splitlines()

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(lines) == 3
    assert lines[0].startswith("ERROR: image_repository: ")
    assert "；例如 " in lines[0]
    assert lines[1].startswith("ERROR: image_repository: ")
    assert "; for example " in lines[1]
    assert lines[2] == "生成已停止，没有写入任何文件 / Generation stopped; nothing was written"
    assert list((tmp_path / "out").iterdir()) == []


def test_generate_prints_path_and_next_steps(tmp_path):
    result = run_generate(tmp_path / "out", "project_name=Demo Alerts", "include_publish_pipeline=n")
    project = (tmp_path / "out" / "demo-alerts").resolve()

    assert result.returncode == 0, result.stdout + result.stderr
    assert project.is_dir()
    assert not (project / "pipeline" / "publish.yml").exists()
    assert f"已生成项目 / Generated the project: {project}" in result.stdout
    assert f"  cd {project}\n" in result.stdout
    assert "python3 scripts/demo.py --status failed" in result.stdout
    assert "pip install -r requirements-dev.txt" in result.stdout
    assert (project / "scripts" / "demo.py").is_file()
    assert (project / "requirements-dev.txt").is_file()
