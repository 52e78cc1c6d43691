"""generated-example/ must be byte-identical to a render of the default answers."""

import difflib
import stat
from pathlib import Path

import pytest
from conftest import EXAMPLE_DIR, REPO_ROOT, iter_files
from cookiecutter.main import cookiecutter

FIX_COMMAND = "python3 scripts/dev.py regenerate-example"
MAX_DIFF_LINES = 200


def describe_difference(relative, expected_path, actual_path):
    """Return a unified diff of one file, or a note when the file is not text."""
    try:
        expected = expected_path.read_text(encoding="utf-8").splitlines(keepends=True)
        actual = actual_path.read_text(encoding="utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"{relative}: binary content differs\n"
    diff = difflib.unified_diff(actual, expected, f"generated-example/{relative}", f"fresh render/{relative}")
    return "".join(list(diff)[:MAX_DIFF_LINES])


@pytest.fixture(scope="module")
def default_render(tmp_path_factory):
    """Render the defaults the way regenerate-example does, ignoring ~/.cookiecutterrc."""
    output_dir = tmp_path_factory.mktemp("default-render")
    return Path(cookiecutter(str(REPO_ROOT), no_input=True, default_config=True, output_dir=str(output_dir)))


def test_example_matches_default_render(default_render):
    if not EXAMPLE_DIR.is_dir():
        pytest.fail(f"generated-example/ is missing; create it with: {FIX_COMMAND}")

    rendered_files = set(iter_files(default_render))
    example_files = set(iter_files(EXAMPLE_DIR))
    problems = []
    for relative in sorted(rendered_files - example_files):
        problems.append(f"missing in generated-example/: {relative}\n")
    for relative in sorted(example_files - rendered_files):
        problems.append(f"not produced by the template: generated-example/{relative}\n")

    for relative in sorted(rendered_files & example_files):
        expected_path = default_render / relative
        actual_path = EXAMPLE_DIR / relative
        if expected_path.read_bytes() != actual_path.read_bytes():
            problems.append(describe_difference(relative, expected_path, actual_path))
        expected_mode = stat.S_IMODE(expected_path.stat().st_mode)
        actual_mode = stat.S_IMODE(actual_path.stat().st_mode)
        if expected_mode != actual_mode:
            problems.append(f"{relative}: mode {actual_mode:o} in generated-example/, {expected_mode:o} in a render\n")

    assert not problems, (
        "generated-example/ is out of date with the template:\n\n" + "".join(problems) + f"\nFix it with: {FIX_COMMAND}"
    )
