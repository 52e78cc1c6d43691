"""Fault injection: the fake robot misbehaves, and out retries or fails as documented."""

import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from fake_robot import Fault


def run_out(host_runner, source, workdir, **params):
    return host_runner.run("out", {"source": source, "params": {"content": "部署失败", **params}}, workdir)


RETRY_LINE = re.compile(r"(第 \d+/\d+ 次发送失败|attempt \d+/\d+ failed)")


def retry_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if RETRY_LINE.search(line)]


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault("errcode", errcode=-1, body="system busy"), id="busy"),
        pytest.param(Fault("http_status", status=502, body="<html><h1>502 Bad Gateway</h1></html>"), id="http-502"),
        pytest.param(Fault("http_status", status=503, body="<html>unavailable</html>"), id="http-503"),
        pytest.param(Fault("malformed", body="<html>proxy error</html>"), id="malformed-reply"),
        pytest.param(Fault("reset"), id="connection-reset"),
    ],
)
def test_transient_fault_is_retried_once(host_runner, robot, source, workdir, fault):
    robot.queue(fault)
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.requests) == 2
    assert len(robot.delivered) == 1
    assert len(retry_lines(result.stderr)) == 1, result.stderr
    assert "1/4" in result.stderr


def test_retry_log_names_reason_and_delay(host_runner, robot, source, workdir):
    robot.queue(Fault("errcode", errcode=-1))
    result = run_out(host_runner, source, workdir)

    line = retry_lines(result.stderr)[0]
    assert "errcode -1" in line
    assert " s" in line or "秒" in line


def test_persistent_busy_stops_at_max_attempts(host_runner, robot, source, workdir):
    robot.queue(*[Fault("errcode", errcode=-1)] * 5)
    source = {**source, "retry": {"max_attempts": 3}}
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(robot.requests) == 3
    assert robot.delivered == []
    assert "-1" in result.stderr.splitlines()[-1]


def test_max_seconds_bounds_retries(host_runner, robot, source, workdir):
    robot.queue(*[Fault("errcode", errcode=-1)] * 5)
    source = {**source, "retry": {"max_attempts": 10, "max_seconds": 0}}
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 1
    assert len(robot.requests) == 1


@pytest.mark.parametrize("errcode", [93000, 40008, 40058, 44004, 40004])
def test_configuration_errcode_is_not_retried(host_runner, robot, source, workdir, errcode):
    robot.queue(Fault("errcode", errcode=errcode))
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(robot.requests) == 1
    assert str(errcode) in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_key_error_explains_fix(host_runner, robot, source, workdir):
    robot.queue(Fault("errcode", errcode=93000))
    result = run_out(host_runner, source, workdir)

    assert "93000" in result.stderr
    assert "webhook" in result.stderr.lower() or "Webhook" in result.stderr


def test_client_error_status_is_not_retried(host_runner, robot, source, workdir):
    robot.queue(Fault("http_status", status=404, body="not found"))
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 1
    assert len(robot.requests) == 1
    assert "404" in result.stderr


def test_read_timeout_is_not_retried_by_default(host_runner, robot, source, workdir):
    robot.queue(Fault("delay", seconds=2.5))
    result = run_out(host_runner, {**source, "timeout": 1}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(robot.requests) == 1
    assert "on_read_timeout" in result.stderr


def test_read_timeout_retry_when_enabled(host_runner, robot, source, workdir):
    robot.queue(Fault("delay", seconds=2.5))
    source = {**source, "timeout": 1, "retry": {"on_read_timeout": True}}
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.requests) == 2
    # The slow first request is accepted too, after its delay: the documented duplicate.
    deadline = time.monotonic() + 10
    while len(robot.delivered) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(robot.delivered) == 2


def test_rate_limit_waits_then_delivers_every_alert(host_runner, robot, source, workdir):
    # The real robot allows 20 messages a minute; the window here is 4 seconds,
    # and other builds have just used it up.
    robot.rate_limit = (20, 4.0)
    robot.record_earlier_messages(20)
    alerts = [f"告警 {number}" for number in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda text: run_out(host_runner, source, workdir, content=text), alerts))

    assert [result.returncode for result in results] == [0] * len(alerts), [r.stderr for r in results]
    contents = [message["markdown"]["content"].rsplit("\n", 1)[-1] for message in robot.delivered]
    assert sorted(contents) == sorted(alerts)
    assert all("45009" in result.stderr for result in results)


def test_connection_refused_retries_then_fails(host_runner, workdir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    source = {
        "webhook_url": f"http://127.0.0.1:{closed_port}/cgi-bin/webhook/send?key=closed-port-key-0001",
        "allow_http": True,
        "retry": {"max_attempts": 2},
    }
    result = run_out(host_runner, source, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(retry_lines(result.stderr)) == 1
    assert "closed-port-key-0001" not in result.stderr


def test_ignore_errors_turns_failure_into_warning(host_runner, robot, source, workdir):
    robot.queue(Fault("errcode", errcode=93000))
    result = run_out(host_runner, {**source, "ignore_errors": True}, workdir)

    assert result.returncode == 0, result.stderr
    metadata = {pair["name"]: pair["value"] for pair in result.json()["metadata"]}
    assert metadata["sent"] == "false"
    assert metadata["errcode"] == "93000"
    assert "ignore_errors" in result.stderr


def test_disable_skips_sending(host_runner, robot, source, workdir):
    result = run_out(host_runner, {**source, "disable": True}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.requests == []
    assert "disable" in result.stderr
