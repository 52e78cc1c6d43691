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

`generate` checks its key=value answers against cookiecutter.json before anything is
installed or rendered, and exits 2 on an unknown key or an invalid choice or boolean.
After a successful generation it prints the project path and the next steps.
"""

import difflib
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_DIR = REPO_ROOT / ".venv"
REQUIREMENTS = REPO_ROOT / "requirements-dev.txt"
EXAMPLE_DIR = REPO_ROOT / "generated-example"
COOKIECUTTER_JSON = REPO_ROOT / "cookiecutter.json"
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


# The strings that cookiecutter 2.7 accepts for a boolean option, after strip() and
# lower() (cookiecutter.prompt.YesNoPrompt).
BOOLEAN_TRUE = ("1", "true", "t", "yes", "y", "on")
BOOLEAN_FALSE = ("0", "false", "f", "no", "n", "off")
# Options of the cookiecutter 2.7 command line that take a value, so the argument after
# them (or the text after "=" or after the short letter) is that value, not key=value.
COOKIECUTTER_VALUE_OPTIONS = {
    "-c", "--checkout", "--directory", "--replay-file", "-o", "--output-dir",
    "--config-file", "--debug-file", "--accept-hooks",
}  # fmt: skip


def extra_context_arguments(arguments):
    """Return the key=value arguments of a cookiecutter command line, skipping option values."""
    pairs = []
    expect_value = False
    only_positional = False
    for argument in arguments:
        if expect_value:
            expect_value = False
        elif only_positional or not argument.startswith("-") or argument == "-":
            if "=" in argument:
                pairs.append(argument)
        elif argument == "--":
            only_positional = True
        elif argument.startswith("--"):
            expect_value = argument in COOKIECUTTER_VALUE_OPTIONS
        else:
            # A cluster of short options such as -fo DIR or -foDIR: the first letter
            # that takes a value ends the cluster, and the value is the rest or the next argument.
            for position, letter in enumerate(argument[1:], start=1):
                if f"-{letter}" in COOKIECUTTER_VALUE_OPTIONS:
                    expect_value = position == len(argument) - 1
                    break
    return pairs


def check_extra_context(pairs, context):
    """Return one bilingual error line for each key=value pair that cookiecutter would mishandle.

    context is the content of cookiecutter.json. Cookiecutter silently ignores an unknown
    key, and it stops with a traceback on a value outside a choice list or an invalid
    boolean, so these are caught here before it runs.
    """
    options = [key for key in context if not key.startswith("_")]
    errors = []
    for pair in pairs:
        key, value = pair.split("=", 1)
        if key.startswith("_"):
            errors.append(
                f"ERROR: {key}: 以 _ 开头的键由模板内部使用，不能在命令行设置 / "
                "keys starting with _ are internal to the template and cannot be set"
            )
        elif key not in context:
            errors.append(unknown_option_error(key, value, options))
        elif isinstance(context[key], list) and value not in context[key]:
            allowed = ", ".join(context[key])
            example = f"{key}={context[key][0]}"
            errors.append(
                f"ERROR: {key}: {value!r} 不在可选值 {allowed} 中；例如 {example} / "
                f"{value!r} is not one of {allowed}; for example {example}"
            )
        elif isinstance(context[key], bool) and value.strip().lower() not in BOOLEAN_TRUE + BOOLEAN_FALSE:
            true_values = "/".join(BOOLEAN_TRUE)
            false_values = "/".join(BOOLEAN_FALSE)
            example = f"{key}=no"
            errors.append(
                f"ERROR: {key}: {value!r} 不是布尔值，是用 {true_values}，否用 {false_values}（不区分大小写）；"
                f"例如 {example} / {value!r} is not a boolean; use {true_values} for true or {false_values} "
                f"for false, in any case; for example {example}"
            )
    return errors


def unknown_option_error(key, value, options):
    """Return the error line for a key that is not an option, naming the closest option."""
    matches = difflib.get_close_matches(key, options, n=1)
    if not matches:
        return (
            f"ERROR: {key}: 不是本模板的选项，选项名见 cookiecutter.json / "
            "not an option of this template; cookiecutter.json lists the option names"
        )
    example = f"{matches[0]}={value}"
    return (
        f"ERROR: {key}: 不是本模板的选项，是否想写 {matches[0]}？例如 {example} / "
        f"not an option of this template; did you mean {matches[0]}? For example {example}"
    )


def command_generate(arguments):
    """Check the key=value answers, then run cookiecutter on this template through .venv."""
    context = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))
    errors = check_extra_context(extra_context_arguments(arguments), context)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 2

    python = ensure_venv()
    command = [str(python), str(Path(__file__).resolve()), "_cookiecutter", *arguments]
    return subprocess.run(command, check=False).returncode


def next_steps(project):
    """Return the bilingual lines printed after a successful generation."""
    activate = r".venv\Scripts\activate" if os.name == "nt" else ". .venv/bin/activate"
    return [
        "",
        f"已生成项目 / Generated the project: {project}",
        "下一步 / Next steps:",
        f"  cd {shlex.quote(str(project))}",
        f"  python3 -m venv .venv && {activate}",
        "  pip install -r requirements-dev.txt",
        "  python3 scripts/demo.py --status failed  "
        "# 向本机的假机器人发送一条示例告警 / sends a sample alert to a local fake robot",
        "  pytest                                   # 运行测试 / runs the tests",
    ]


def run_cookiecutter(arguments):
    """Run the cookiecutter command line on this template inside .venv.

    Two things differ from plain `cookiecutter`. After a successful generation the
    project path and the next steps are printed. When the pre-generation hook rejects
    an answer, the hook's ERROR lines stay, and cookiecutter's traceback and its
    "Hook script failed" line are replaced by one closing line and exit status 1.
    """
    import logging

    from cookiecutter import cli
    from cookiecutter.exceptions import FailedHookException

    failed_hooks = []

    def drop_pre_gen_traceback(record):
        # cookiecutter.hooks logs "Stopping generation because <hook> hook script
        # didn't exit successfully" with the traceback of the FailedHookException.
        failure = record.exc_info and issubclass(record.exc_info[0], FailedHookException)
        if failure and "pre_gen_project" in (record.args or ()):
            failed_hooks.append("pre_gen_project")
            return False
        return True

    logging.getLogger("cookiecutter.hooks").addFilter(drop_pre_gen_traceback)
    generate = cli.cookiecutter

    def generate_and_report(*args, **kwargs):
        try:
            project = generate(*args, **kwargs)
        except FailedHookException:
            if "pre_gen_project" not in failed_hooks:
                raise
            print("生成已停止，没有写入任何文件 / Generation stopped; nothing was written", file=sys.stderr)
            sys.exit(1)
        print("\n".join(next_steps(Path(project).resolve())))
        return project

    # NOTE: this relies on cookiecutter 2.7's cli.main calling the module-level name
    # `cookiecutter`; tests/test_dev_generate.py fails if a new version stops doing so.
    cli.cookiecutter = generate_and_report
    return cli.main.main(args=[str(REPO_ROOT), *arguments], prog_name="cookiecutter")


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
    if command == "_cookiecutter":
        # Internal: generate runs this with the .venv interpreter.
        return run_cookiecutter(arguments)
    if command not in COMMANDS:
        print(f"dev.py: unknown command {command!r}; use one of: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    return COMMANDS[command](arguments)


if __name__ == "__main__":
    sys.exit(main())
