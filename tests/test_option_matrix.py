"""Render every pair of choice values together and check each project statically.

The full product of the choices has 72 combinations. A greedy pairwise selection
covers every pair of values of any two options in far fewer renders, and each render
gets the static checks. Only a few representative combinations also run the generated
project's own test suite, which is slower.
"""

import itertools
import json
import os
import subprocess
import sys

import pytest
from conftest import REPO_ROOT, assert_valid_project, render

FACTORS = ["python_version", "default_msgtype", "language", "include_publish_pipeline", "license"]
CONTEXT = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))


def factor_values(option):
    """Return the values an option can take: the list of a choice, or both booleans."""
    default = CONTEXT[option]
    if isinstance(default, bool):
        return [default, not default]
    return list(default)


def uncovered_pairs(combination, covered):
    """Return the value pairs of combination that are not yet in covered."""
    indexed = list(enumerate(combination))
    return {pair for pair in itertools.combinations(indexed, 2) if pair not in covered}


def pairwise_combinations(values_per_factor):
    """Pick combinations until every pair of values of any two factors appears once.

    Greedy: each step takes the first combination, in product order, that covers the
    most pairs still missing. The result is deterministic for a given input.
    """
    candidates = list(itertools.product(*values_per_factor))
    covered = set()
    all_pairs = set()
    for combination in candidates:
        all_pairs |= uncovered_pairs(combination, set())

    chosen = []
    while covered != all_pairs:
        best = max(candidates, key=lambda combination: len(uncovered_pairs(combination, covered)))
        covered |= uncovered_pairs(best, covered)
        chosen.append(dict(zip(FACTORS, best, strict=True)))
    return chosen


def combination_id(combination):
    """Return a readable test id such as py3.13-markdown-zh_CN-publish-MIT."""
    publish = "publish" if combination["include_publish_pipeline"] else "nopublish"
    return "-".join(
        [
            f"py{combination['python_version']}",
            combination["default_msgtype"],
            combination["language"],
            publish,
            combination["license"],
        ]
    )


COMBINATIONS = pairwise_combinations([factor_values(option) for option in FACTORS])

# Combinations whose generated test suite also runs. The defaults are covered by
# `python3 scripts/dev.py test`, which runs the suite of generated-example/.
SUITE_COMBINATIONS = [
    {
        "python_version": "3.11",
        "default_msgtype": "text",
        "language": "en",
        "include_publish_pipeline": False,
        "license": "Proprietary",
    },
    {
        "python_version": "3.12",
        "default_msgtype": "markdown",
        "language": "en",
        "include_publish_pipeline": True,
        "license": "Apache-2.0",
    },
]


def test_pairwise_covers_every_value_pair():
    values = [factor_values(option) for option in FACTORS]
    for (first, first_values), (second, second_values) in itertools.combinations(enumerate(values), 2):
        for pair in itertools.product(first_values, second_values):
            found = any((combo[FACTORS[first]], combo[FACTORS[second]]) == pair for combo in COMBINATIONS)
            assert found, f"{FACTORS[first]}={pair[0]!r} with {FACTORS[second]}={pair[1]!r} is never rendered"


def test_pairwise_is_smaller_than_product():
    assert len(COMBINATIONS) < len(list(itertools.product(*(factor_values(option) for option in FACTORS))))


@pytest.mark.parametrize("combination", COMBINATIONS, ids=combination_id)
def test_combination_renders_valid_project(tmp_path, cookiecutter_config, combination):
    project = render(tmp_path / "out", cookiecutter_config, combination)
    assert_valid_project(project)
    assert (project / "pipeline" / "publish.yml").exists() == combination["include_publish_pipeline"]

    package_dir = project / "src" / "wecom_alert_resource"
    language_line = f"LANGUAGE = {json.dumps(combination['language'])}"
    assert language_line in (package_dir / "i18n.py").read_text(encoding="utf-8")
    msgtype_line = f"DEFAULT_MSGTYPE = {json.dumps(combination['default_msgtype'])}"
    assert msgtype_line in (package_dir / "config.py").read_text(encoding="utf-8")


def generated_suite_environment():
    """Return the environment for a generated suite: without CI, so Docker tests skip."""
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


@pytest.fixture(scope="module")
def running_suites(tmp_path_factory):
    """Render each suite combination and start its pytest, all at once.

    The generated suites spend much of their time waiting on timeouts and retry
    backoff, so running them side by side shortens the wall time on a small machine.
    Output goes to files, so a full pipe can never block a process.
    """
    base = tmp_path_factory.mktemp("suites")
    config = base / "config.yaml"
    config.write_text(json.dumps({"replay_dir": str(base / "replay"), "default_context": {}}))
    processes = {}
    for combination in SUITE_COMBINATIONS:
        name = combination_id(combination)
        project = render(base / name, config, combination)
        log_path = base / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "pytest", "-m", "not docker", "-p", "no:cacheprovider", "-q"],
                cwd=project,
                env=generated_suite_environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes[name] = (process, log_path)
    yield processes
    for process, _log_path in processes.values():
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("combination", SUITE_COMBINATIONS, ids=combination_id)
def test_generated_suite_passes(running_suites, combination):
    process, log_path = running_suites[combination_id(combination)]
    returncode = process.wait()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert returncode == 0, f"generated suite failed:\n{output[-12000:]}"
