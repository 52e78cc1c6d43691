#!/usr/bin/env python3
"""Developer commands for this cookiecutter template.

Usage:
    python3 scripts/dev.py generate [cookiecutter options...]
    python3 scripts/dev.py test [pytest options...]
    python3 scripts/dev.py regenerate-example

Every command first creates .venv in the repository root when it is missing and
installs the pinned requirements-dev.txt into it. The installation repeats only when
requirements-dev.txt changes. The script itself needs Python 3.10+ and the standard
library only, so it runs on a fresh machine.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = REPO_ROOT / ".venv"
REQUIREMENTS = REPO_ROOT / "requirements-dev.txt"
EXAMPLE_DIR = REPO_ROOT / "generated-example"
# Stores the hash of the requirements file that was last installed into .venv.
INSTALLED_STAMP = VENV_DIR / ".requirements-dev.sha256"
# pytest's exit code when no test was collected, for example after a -k filter.
PYTEST_NO_TESTS_COLLECTED = 5


def venv_executable(name):
    """Return the path of an executable inside .venv, on POSIX or Windows."""
    if os.name == "nt":
        return VENV_DIR / "Scripts" / f"{name}.exe"
    return VENV_DIR / "bin" / name


def ensure_venv():
    """Create .venv and install requirements-dev.txt when missing or changed; return its python."""
    python = venv_executable("python")
    if not python.exists():
        print(f"dev.py: creating {VENV_DIR}", file=sys.stderr)
        result = subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=False)
        if result.returncode != 0:
            sys.exit(
                "dev.py: creating the virtual environment failed; on Debian or Ubuntu install "
                "the venv module with `apt-get install python3-venv`, then run this command again"
            )

    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    installed = INSTALLED_STAMP.read_text().strip() if INSTALLED_STAMP.exists() else ""
    if installed != wanted:
        print(f"dev.py: installing {REQUIREMENTS.name} into {VENV_DIR}", file=sys.stderr)
        command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
        command += ["-r", str(REQUIREMENTS)]
        if subprocess.run(command, check=False).returncode != 0:
            sys.exit(f"dev.py: installing {REQUIREMENTS} failed; see the pip output above")
        INSTALLED_STAMP.write_text(wanted + "\n")
    return python


def command_generate(arguments):
    """Run cookiecutter on this template with the given cookiecutter options."""
    ensure_venv()
    cookiecutter = venv_executable("cookiecutter")
    return subprocess.run([str(cookiecutter), str(REPO_ROOT), *arguments], check=False).returncode


def run_pytest_suite(python, name, directory, arguments):
    """Run one pytest suite in directory; print and return whether it passed."""
    print(f"\n===== dev.py: {name}: pytest in {directory} =====", flush=True)
    command = [str(python), "-m", "pytest", *arguments]
    returncode = subprocess.run(command, cwd=directory, check=False).returncode
    if returncode == PYTEST_NO_TESTS_COLLECTED and arguments:
        print(f"dev.py: {name}: the pytest options selected no test here; not counted as a failure")
        return True
    return returncode == 0


def command_test(arguments):
    """Run the template's own tests, then the tests of generated-example/.

    The pytest options go to both suites. A suite that the options leave without any
    test (pytest exit code 5) is reported but does not fail the command.
    """
    python = ensure_venv()
    suites = [
        ("template tests", REPO_ROOT, ["tests", *arguments]),
        ("generated-example tests", EXAMPLE_DIR, list(arguments)),
    ]
    failed = []
    for name, directory, suite_arguments in suites:
        if not directory.is_dir():
            print(f"dev.py: {name}: {directory} is missing; run `python3 scripts/dev.py regenerate-example`")
            failed.append(name)
            continue
        if not run_pytest_suite(python, name, directory, suite_arguments):
            failed.append(name)

    print()
    if failed:
        print(f"dev.py: FAILED: {', '.join(failed)}")
        return 1
    print("dev.py: both suites passed")
    return 0


def render_example():
    """Render the default answers into generated-example/, replacing what is there.

    Runs inside .venv because it imports cookiecutter. default_config=True ignores
    ~/.cookiecutterrc, so the example never picks up a developer's own defaults.
    """
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory() as scratch:
        project = cookiecutter(
            str(REPO_ROOT),
            no_input=True,
            default_config=True,
            output_dir=os.path.join(scratch, "out"),
        )
        if EXAMPLE_DIR.exists():
            shutil.rmtree(EXAMPLE_DIR)
        shutil.copytree(project, EXAMPLE_DIR, symlinks=True)
    print(f"dev.py: rendered the default answers into {EXAMPLE_DIR}")
    return 0


def command_regenerate_example(arguments):
    """Re-render generated-example/ from the template's default answers."""
    if arguments:
        sys.exit(f"dev.py: regenerate-example takes no options, got {' '.join(arguments)}")
    python = ensure_venv()
    command = [str(python), str(Path(__file__).resolve()), "_render-example"]
    return subprocess.run(command, check=False).returncode


COMMANDS = {
    "generate": command_generate,
    "test": command_test,
    "regenerate-example": command_regenerate_example,
}


def main(argv=None):
    """Dispatch to a subcommand and return its exit code."""
    argv = sys.argv[1:] if argv is None else argv
    # The options after the subcommand belong to cookiecutter or pytest, so they are
    # passed on untouched instead of being parsed here.
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, arguments = argv[0], argv[1:]
    if command == "_render-example":
        # Internal: regenerate-example runs this with the .venv interpreter.
        return render_example()
    if command not in COMMANDS:
        print(f"dev.py: unknown command {command!r}; use one of: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    return COMMANDS[command](arguments)


if __name__ == "__main__":
    sys.exit(main())
