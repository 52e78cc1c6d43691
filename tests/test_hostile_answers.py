"""Unusual or hostile answers produce a valid project or a clean rejection, never code."""

import tempfile
from pathlib import Path

import pytest
from conftest import assert_valid_project
from cookiecutter.exceptions import FailedHookException

MARKER_NAME = "pwned-marker"


def injections(marker):
    """Return strings that would run `touch marker` if pasted into Python or a shell."""
    return [
        f'"; import os; os.system("touch {marker}") #',
        f"'; import os; os.system('touch {marker}') #",
        f'"""; import os; os.system("touch {marker}") #',
        f"'''\nimport os\nos.system('touch {marker}')\n'''",
        f"$(touch {marker})",
        f"`touch {marker}`",
    ]


# (option, value, expected outcome) for single unusual answers.
CASES = [
    ("project_name", 'O\'Connor "Quoted" Resource', "generated"),
    ("project_name", "Back\\slash Resource\\", "generated"),
    ("project_name", "企业微信告警", "generated"),
    ("project_name", "  Name   With   Spaces  ", "generated"),
    ("project_name", "two\nlines", "rejected"),
    ("project_description", 'He said "hi" \\ and \'\'\' and """', "generated"),
    ("project_description", "企业微信构建告警", "generated"),
    ("project_description", "trailing backslash \\", "generated"),
    ("author_name", 'O\'Connor \\ "Team"', "generated"),
    ("author_name", "平台组", "generated"),
    ("author_email", "o'connor@example.com", "generated"),
    ("project_slug", "import", "rejected"),
    ("project_slug", "Bad Slug", "rejected"),
    ("resource_type_name", "wecom alert", "rejected"),
    ("image_repository", "registry.example.com/team/image:latest", "rejected"),
    ("version", "1.0 beta", "rejected"),
    ("timezone", "Asia/Nowhere", "rejected"),
]

# Injection attempts per option: free text is generated, constrained values are rejected.
INJECTION_OUTCOMES = {
    "project_name": "generated",
    "project_description": "generated",
    "author_name": "generated",
    "author_email": "rejected",
    "resource_type_name": "rejected",
    "image_repository": "rejected",
    "version": "rejected",
    "timezone": "rejected",
}


def case_id(value):
    """Return a short readable id for a test value."""
    return repr(value)[:40]


def check_outcome(cookies, capfd, option, value, expected):
    """Bake with one answer changed and assert the expected outcome."""
    result = cookies.bake(extra_context={option: value})
    captured = capfd.readouterr()
    if expected == "generated":
        assert result.exception is None, f"{option}={value!r} failed:\n{captured.err}"
        assert result.exit_code == 0
        assert_valid_project(result.project_path)
    else:
        assert isinstance(result.exception, FailedHookException), f"{option}={value!r}: {result.exception!r}"
        assert result.project_path is None
        assert f"ERROR: {option}: " in captured.err or "ERROR: __package_name: " in captured.err, captured.err
        assert "Traceback" not in captured.err.split("ERROR:", 1)[1]


@pytest.mark.parametrize(("option", "value", "expected"), CASES, ids=[f"{o}-{case_id(v)}" for o, v, _ in CASES])
def test_unusual_answer(cookies, capfd, option, value, expected):
    check_outcome(cookies, capfd, option, value, expected)


@pytest.mark.parametrize("option", sorted(INJECTION_OUTCOMES))
def test_injection_runs_no_code(cookies, capfd, option):
    # A short folder keeps the slug derived from an injected project_name within
    # the 63-character limit, so the project is generated and its code is checked.
    marker_dir = Path(tempfile.mkdtemp(prefix="m"))
    marker = marker_dir / MARKER_NAME
    for value in injections(marker):
        expected = INJECTION_OUTCOMES[option]
        if "\n" in value and expected == "generated":
            expected = "rejected"  # Newlines are rejected in every single-line answer.
        check_outcome(cookies, capfd, option, value, expected)
        assert not marker.exists(), f"{option}={value!r} ran code"
    marker_dir.rmdir()
