"""Remove the files of options that were not chosen, then any folder left empty.

Cookiecutter renders this file with Jinja2 and runs it inside the new project with its
own interpreter, so it uses the standard library only. Unrendered, the file is still
valid Python and tests import its functions directly.
"""

import json
import os
import sys
from pathlib import Path

# Paths relative to the project root, removed when the option is false.
FILES_OF_BOOLEAN_OPTIONS = {
    "include_publish_pipeline": ("pipeline/publish.yml",),
}


def paths_to_remove(answers):
    """Return the relative paths that belong to options answered with false."""
    paths = []
    for option, option_paths in FILES_OF_BOOLEAN_OPTIONS.items():
        if not answers[option]:
            paths.extend(option_paths)
    return paths


def remove_paths(project_dir, relative_paths):
    """Delete the given files under project_dir; a path that does not exist is skipped."""
    for relative_path in relative_paths:
        path = Path(project_dir, relative_path)
        if path.is_file() or path.is_symlink():
            path.unlink()


def remove_empty_dirs(project_dir):
    """Delete every empty folder below project_dir, deepest first; keep project_dir."""
    root = Path(project_dir)
    for current, _dirs, _files in os.walk(root, topdown=False):
        folder = Path(current)
        if folder != root and not any(folder.iterdir()):
            folder.rmdir()


def rendered_answers():
    """Return the answers that cookiecutter rendered into this file."""
    # The literals must stay single-quoted: tojson escapes ' but not the " that ends
    # every JSON string, so a double-quoted literal would end early.
    # fmt: off
    answers = {
        "include_publish_pipeline": json.loads(r'{{ cookiecutter.include_publish_pipeline | tojson }}'),
    }
    # fmt: on
    return answers


def main(project_dir=".", answers=None):
    """Prune the generated project in project_dir and return the exit code."""
    if answers is None:
        answers = rendered_answers()
    remove_paths(project_dir, paths_to_remove(answers))
    remove_empty_dirs(project_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
