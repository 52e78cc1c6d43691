"""check and in: the offline half of the protocol."""

import json
import subprocess
import sys

import pytest

from conftest import ASSETS, BUILD_ENV

VERSION = {"sent_at": "2026-12-04T12:00:00.000001Z", "build_id": "1234"}


def test_check_without_version_prints_empty_list(runner, source):
    result = runner.run("check", {"source": source})

    assert result.returncode == 0, result.stderr
    assert result.json() == []


def test_check_returns_given_version(runner, source):
    result = runner.run("check", {"source": source, "version": VERSION})

    assert result.returncode == 0, result.stderr
    assert result.json() == [VERSION]


def test_check_accepts_null_source(runner):
    # Concourse sends "source": null for a resource without a source block.
    result = runner.run("check", {"source": None})

    assert result.returncode == 0, result.stderr
    assert result.json() == []


def test_check_is_stable_across_calls(runner, source):
    first = runner.run("check", {"source": source, "version": VERSION}).json()
    second = runner.run("check", {"source": source, "version": VERSION}).json()

    assert first == second == [VERSION]


def test_in_echoes_version_exactly(runner, source, robot, workdir):
    result = runner.run("in", {"source": source, "version": VERSION, "params": {}}, workdir)

    assert result.returncode == 0, result.stderr
    assert result.json() == {"version": VERSION, "metadata": []}
    assert robot.requests == []


def test_in_works_offline(host_runner, workdir):
    # A closed port as the robot: any connection attempt would fail the step.
    source = {"webhook_url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=offline-key-1234", "allow_http": True}
    result = host_runner.run("in", {"source": source, "version": VERSION}, workdir)

    assert result.returncode == 0, result.stderr
    assert result.json()["version"] == VERSION


def test_in_without_version_fails(host_runner, source, workdir):
    result = host_runner.run("in", {"source": source}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "version" in result.stderr


def test_in_without_workdir_fails(host_runner, source):
    result = host_runner.run("in", {"source": source, "version": VERSION})

    assert result.returncode == 1
    assert result.stdout == ""
    assert "$1" in result.stderr


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param(b"", "stdin", id="empty"),
        pytest.param(b"   \n", "stdin", id="blank"),
        pytest.param(b"{not json", "JSON", id="not-json"),
        pytest.param(b"\xff\xfe", "JSON", id="not-utf8"),
        pytest.param(b"[]", "list", id="array"),
        pytest.param(b'"text"', "str", id="string"),
        pytest.param(b'{"source": []}', "source", id="source-list"),
        pytest.param(b'{"source": {}, "version": {"n": 1}}', "version", id="version-number"),
        pytest.param(b'{"source": {}, "version": "v1"}', "version", id="version-string"),
        pytest.param(b'{"source": {}, "param": {"dry_run": true}}', "param", id="misspelled-params"),
    ],
)
@pytest.mark.parametrize("script", ["check", "in"])
def test_bad_stdin_gives_one_line_error(host_runner, workdir, script, payload, field):
    result = host_runner.run(script, payload, workdir if script == "in" else None)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert field in result.stderr


@pytest.mark.parametrize("script", ["check", "in"])
def test_offline_scripts_skip_heavy_imports(script, workdir):
    """check and in run often, so they must not import requests or Jinja2."""
    payload = json.dumps({"source": {}, "version": VERSION}).encode()
    command = [sys.executable, "-X", "importtime", str(ASSETS / script)]
    if script == "in":
        command.append(str(workdir))
    completed = subprocess.run(command, input=payload, capture_output=True, env={**BUILD_ENV}, check=True)

    imported = {line.split("|")[-1].strip() for line in completed.stderr.decode().splitlines() if "|" in line}
    assert "requests" not in imported
    assert "jinja2" not in imported
    assert "urllib3" not in imported
    # json imports re, which costs about as much as Python's own start-up.
    assert "json" not in imported
