"""The README's quick-start commands work as written.

The second command, `python3 scripts/dev.py test`, is what CI runs, so this file
covers the first: generating a resource, without prompts, into a fresh folder.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
QUICK_START_COMMAND = re.compile(r"^python3 (scripts/dev\.py generate)\b", re.MULTILINE)


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_readme_quick_start_names_the_commands(readme):
    text = (REPO_ROOT / readme).read_text(encoding="utf-8")

    assert QUICK_START_COMMAND.search(text)
    assert re.search(r"^python3 scripts/dev\.py test\b", text, re.MULTILINE)


def test_generate_command_creates_working_resource(tmp_path):
    command = QUICK_START_COMMAND.search((REPO_ROOT / "README.md").read_text(encoding="utf-8"))[1]
    completed = subprocess.run(
        [sys.executable, *command.split(), "--no-input", "-o", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr

    check = tmp_path / "wecom-alert-resource" / "assets" / "check"
    result = subprocess.run(
        [str(check)],
        input=json.dumps({"source": {}, "version": {"sent_at": "x"}}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"sent_at": "x"}]
