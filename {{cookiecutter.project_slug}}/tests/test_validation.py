"""Configuration mistakes and broken input fail before any network call, on one line."""

import os

import pytest

from conftest import BUILD_ENV, new_test_key

KEY = new_test_key()
LOCAL_URL = f"http://127.0.0.1:9/cgi-bin/webhook/send?key={KEY}"
HTTPS_URL = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
LOCAL_SOURCE = {"webhook_url": LOCAL_URL, "allow_http": True}


def assert_clean_failure(result, *expected_fragments):
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in expected_fragments:
        assert fragment in result.stderr
    assert KEY not in result.stderr


@pytest.mark.parametrize(
    ("source", "params", "fragments"),
    [
        pytest.param({}, {}, ["source.webhook_url", "source.key"], id="no-robot"),
        pytest.param({"webhook_url": HTTPS_URL, "key": KEY}, {}, ["source.webhook_url", "source.key"], id="both"),
        pytest.param({**LOCAL_SOURCE, "msg_type": "text"}, {}, ["source.msg_type", "msgtype"], id="msg_type"),
        pytest.param(LOCAL_SOURCE, {"contnet": "x"}, ["params.contnet", "content"], id="misspelled-param"),
        pytest.param(LOCAL_SOURCE, {"colour": "red"}, ["params.colour"], id="unknown-param"),
        pytest.param(LOCAL_SOURCE, {"msgtype": "MARKDOWN"}, ["params.msgtype", "MARKDOWN", "markdown"], id="msgtype"),
        pytest.param(LOCAL_SOURCE, {"status": "success"}, ["params.status", "succeeded"], id="status"),
        pytest.param(LOCAL_SOURCE, {"dry_run": "true"}, ["params.dry_run", "true"], id="bool-as-string"),
        pytest.param({**LOCAL_SOURCE, "timeout": "10"}, {}, ["source.timeout"], id="timeout-string"),
        pytest.param({**LOCAL_SOURCE, "timeout": 0}, {}, ["timeout"], id="timeout-zero"),
        pytest.param({**LOCAL_SOURCE, "timeout": True}, {}, ["source.timeout"], id="timeout-bool"),
        pytest.param(LOCAL_SOURCE, {"mentioned_list": "zhangsan"}, ["params.mentioned_list"], id="mentions-string"),
        pytest.param(LOCAL_SOURCE, {"mentioned_list": [1, 2]}, ["params.mentioned_list"], id="mentions-numbers"),
        pytest.param({"webhook_url": LOCAL_URL}, {}, ["source.webhook_url", "https", "allow_http"], id="http"),
        pytest.param({"webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, {}, ["key"], id="no-key"),
        pytest.param({"webhook_url": "qyapi.weixin.qq.com/send?key=abc"}, {}, ["source.webhook_url"], id="no-scheme"),
        pytest.param({"key": "not a key"}, {}, ["source.key"], id="key-spaces"),
        pytest.param({"key": "short"}, {}, ["source.key"], id="key-short"),
        pytest.param({**LOCAL_SOURCE, "timezone": "Mars/Olympus"}, {}, ["timezone", "Mars/Olympus"], id="timezone"),
        pytest.param({**LOCAL_SOURCE, "retry": {"max_attempts": 0}}, {}, ["source.retry.max_attempts"], id="retry-0"),
        pytest.param({**LOCAL_SOURCE, "retry": {"attempts": 3}}, {}, ["source.retry.attempts"], id="retry-key"),
        pytest.param({**LOCAL_SOURCE, "retry": 3}, {}, ["source.retry"], id="retry-number"),
        pytest.param({**LOCAL_SOURCE, "proxy": "not a proxy"}, {}, ["source.proxy"], id="proxy"),
        pytest.param({**LOCAL_SOURCE, "ca_certs": "garbage"}, {}, ["source.ca_certs", "PEM"], id="ca-certs"),
        pytest.param(LOCAL_SOURCE, {"content": ["a"]}, ["params.content"], id="content-list"),
    ],
)
def test_invalid_configuration_is_rejected(host_runner, workdir, source, params, fragments):
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, *fragments)


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        pytest.param("/etc/passwd", "content_file", id="absolute"),
        pytest.param("../outside.md", "content_file", id="parent"),
        pytest.param("message/../../outside.md", "content_file", id="nested-parent"),
        pytest.param("message/missing.md", "skip_if_missing", id="missing"),
        pytest.param("message", "content_file", id="directory"),
        pytest.param("message/escape.md", "content_file", id="symlink-out"),
        pytest.param("message/latin1.md", "UTF-8", id="not-utf8"),
        pytest.param("message/binary.png", "UTF-8", id="binary"),
    ],
)
def test_bad_content_file_is_rejected(host_runner, tmp_path, workdir, path, fragment):
    outside = tmp_path / "outside.md"
    outside.write_text("secret outside the put", encoding="utf-8")
    message = workdir / "message"
    message.mkdir()
    os.symlink(outside, message / "escape.md")
    (message / "latin1.md").write_bytes("café".encode("latin-1"))
    (message / "binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")

    result = host_runner.run("out", {"source": LOCAL_SOURCE, "params": {"content_file": path}}, workdir)

    assert_clean_failure(result, fragment)
    assert "secret outside the put" not in result.stderr


def test_symlink_inside_workdir_is_followed(host_runner, robot, source, workdir):
    (workdir / "message").mkdir()
    (workdir / "message" / "real.md").write_text("真实内容", encoding="utf-8")
    os.symlink(workdir / "message" / "real.md", workdir / "message" / "link.md")

    result = host_runner.run("out", {"source": source, "params": {"content_file": "message/link.md"}}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.delivered[0]["markdown"]["content"].endswith("真实内容")


def test_skip_if_missing_skips_alert(host_runner, robot, source, workdir):
    params = {"content_file": "message/none.md", "skip_if_missing": True}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.requests == []
    assert "skip_if_missing" in result.stderr


def test_skip_if_empty_skips_alert(host_runner, robot, source, workdir):
    (workdir / "message").mkdir()
    (workdir / "message" / "alert.md").write_text("  \n", encoding="utf-8")
    params = {"content_file": "message/alert.md", "skip_if_empty": True}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.requests == []
    metadata = {pair["name"]: pair["value"] for pair in result.json()["metadata"]}
    assert metadata["reason"] == "skip_if_empty"


def test_empty_file_without_skip_still_alerts(host_runner, robot, source, workdir):
    (workdir / "message").mkdir()
    (workdir / "message" / "alert.md").write_text("", encoding="utf-8")
    result = host_runner.run("out", {"source": source, "params": {"content_file": "message/alert.md"}}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered) == 1


def test_full_url_given_as_key_is_accepted(host_runner, workdir):
    result = host_runner.run("out", {"source": {"key": HTTPS_URL}, "params": {"dry_run": True}}, workdir)

    assert result.returncode == 0, result.stderr
    assert f"key=****{KEY[-4:]}" in result.stderr


def test_bare_key_given_as_webhook_url_is_accepted(host_runner, workdir):
    result = host_runner.run("out", {"source": {"webhook_url": KEY}, "params": {"dry_run": True}}, workdir)

    assert result.returncode == 0, result.stderr
    assert f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****{KEY[-4:]}" in result.stderr


def test_params_robot_replaces_source_robot(host_runner, robot, robot_key, workdir):
    source = {"key": new_test_key()}
    params = {"webhook_url": robot.url(robot_key), "allow_http": True}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered) == 1


def test_null_params_are_empty(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": source, "params": None}, workdir)

    assert result.returncode == 0, result.stderr


def test_huge_content_is_cut_not_rejected(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": source, "params": {"content": "长" * 500_000}}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered[0]["markdown"]["content"].encode("utf-8")) <= 4096


def test_insecure_skip_verify_warns(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": {**source, "insecure_skip_verify": True}}, workdir)

    assert result.returncode == 0, result.stderr
    assert "insecure_skip_verify" in result.stderr


def test_proxy_setting_routes_requests(host_runner, robot, robot_key, workdir):
    # The fake robot acts as the proxy: a proxied plain-HTTP request carries the
    # absolute URL of an unreachable host, which the robot never resolves.
    source = {
        "webhook_url": f"http://robot.invalid/cgi-bin/webhook/send?key={robot_key}",
        "allow_http": True,
        "proxy": f"http://127.0.0.1:{robot.port}",
    }
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered) == 1


def test_proxy_environment_variable_routes_requests(host_runner, robot, robot_key, workdir):
    # Without source.proxy, requests honours HTTP_PROXY and NO_PROXY as usual.
    source = {"webhook_url": f"http://robot.invalid/cgi-bin/webhook/send?key={robot_key}", "allow_http": True}
    env = {**BUILD_ENV, "HTTP_PROXY": f"http://127.0.0.1:{robot.port}"}
    result = host_runner.run("out", {"source": source}, workdir, env=env)

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered) == 1
