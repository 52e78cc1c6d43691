"""out: the alert that reaches the fake robot, and what the step prints."""

import re

from wecom_alert_resource.i18n import LANGUAGE

from conftest import BUILD_ENV, new_test_key

# Lines of the default alert, per language, for the build in BUILD_ENV.
EXPECTED_LINES = {
    "zh_CN": {
        "failed": '# <font color="warning">❌ 构建失败</font>',
        "succeeded": '# <font color="info">✅ 构建成功</font>',
        "none": "# 🔔 构建通知",
        "team": "> 团队：main",
        "pipeline": "> 流水线：shop-backend",
        "job": "> 作业：unit-tests",
        "build": "> 构建：#42",
        "time": re.compile(r"> 时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（Asia/Shanghai）"),
        "link": "[查看构建](https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42)",
    },
    "en": {
        "failed": '# <font color="warning">❌ Build failed</font>',
        "succeeded": '# <font color="info">✅ Build succeeded</font>',
        "none": "# 🔔 Build notification",
        "team": "> Team: main",
        "pipeline": "> Pipeline: shop-backend",
        "job": "> Job: unit-tests",
        "build": "> Build: #42",
        "time": re.compile(r"> Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia/Shanghai\)"),
        "link": "[Open the build](https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42)",
    },
}[LANGUAGE]


def expected_markdown(status_line: str, content: str = "") -> list:
    lines = [
        status_line,
        EXPECTED_LINES["team"],
        EXPECTED_LINES["pipeline"],
        EXPECTED_LINES["job"],
        EXPECTED_LINES["build"],
        EXPECTED_LINES["time"],
        "",
        EXPECTED_LINES["link"],
    ]
    if content:
        lines += ["", *content.splitlines()]
    return lines


def assert_lines_match(text: str, expected: list) -> None:
    actual = text.split("\n")
    assert len(actual) == len(expected), text
    for line, pattern in zip(actual, expected, strict=True):
        if isinstance(pattern, re.Pattern):
            assert pattern.fullmatch(line), line
        else:
            assert line == pattern


def only_message(robot) -> dict:
    assert len(robot.delivered) == 1, robot.delivered
    return robot.delivered[0]


def test_out_sends_failed_markdown_alert(runner, robot, source, workdir):
    result = runner.run("out", {"source": source, "params": {"status": "failed"}}, workdir)

    assert result.returncode == 0, result.stderr
    message = only_message(robot)
    assert set(message) == {"msgtype", "markdown"}
    assert message["msgtype"] == "markdown"
    assert set(message["markdown"]) == {"content"}
    assert_lines_match(message["markdown"]["content"], expected_markdown(EXPECTED_LINES["failed"]))


def test_out_posts_utf8_json(runner, robot, source, workdir):
    runner.run("out", {"source": source, "params": {"content": "发布失败 🚨"}}, workdir)

    request = robot.requests[0]
    assert request.path == "/cgi-bin/webhook/send"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert "发布失败 🚨".encode() in request.body


def test_out_status_defaults_to_build_status(runner, robot, source, workdir):
    result = runner.run("out", {"source": source}, workdir, env={**BUILD_ENV, "BUILD_STATUS": "succeeded"})

    assert result.returncode == 0, result.stderr
    content = only_message(robot)["markdown"]["content"]
    assert content.split("\n")[0] == EXPECTED_LINES["succeeded"]


def test_out_param_status_beats_build_status(runner, robot, source, workdir):
    env = {**BUILD_ENV, "BUILD_STATUS": "succeeded"}
    runner.run("out", {"source": source, "params": {"status": "failed"}}, workdir, env=env)

    assert only_message(robot)["markdown"]["content"].split("\n")[0] == EXPECTED_LINES["failed"]


def test_out_without_status_is_neutral(runner, robot, source, workdir):
    result = runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    content = only_message(robot)["markdown"]["content"]
    assert content.split("\n")[0] == EXPECTED_LINES["none"]
    assert "<font" not in content


def test_out_prints_version_and_string_metadata(runner, robot, robot_key, source, workdir):
    result = runner.run("out", {"source": source, "params": {"status": "failed"}}, workdir)

    output = result.json()
    assert set(output) == {"version", "metadata"}
    assert output["version"]["build_id"] == "1234"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", output["version"]["sent_at"])
    for pair in output["metadata"]:
        assert set(pair) == {"name", "value"}
        assert isinstance(pair["value"], str)
    metadata = {pair["name"]: pair["value"] for pair in output["metadata"]}
    assert metadata["msgtype"] == "markdown"
    assert metadata["status"] == "failed"
    assert metadata["errcode"] == "0"
    assert metadata["errmsg"] == "ok"
    assert robot_key not in result.stdout
    assert robot_key not in result.stderr


def test_out_version_is_unique_per_put(runner, robot, source, workdir):
    first = runner.run("out", {"source": source}, workdir).json()["version"]
    second = runner.run("out", {"source": source}, workdir).json()["version"]

    assert first != second
    assert len(robot.delivered) == 2


def test_out_stdout_is_one_json_document(runner, robot, source, workdir):
    result = runner.run("out", {"source": source, "params": {"content": "x"}}, workdir)

    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("{")


def test_out_text_message_with_mentions(runner, robot, source, workdir):
    params = {
        "msgtype": "text",
        "status": "failed",
        "content": "请查看日志",
        "mentioned_list": ["zhangsan", "@all"],
        "mentioned_mobile_list": ["13800001111"],
    }
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    message = only_message(robot)
    assert message["msgtype"] == "text"
    assert message["text"]["mentioned_list"] == ["zhangsan", "@all"]
    assert message["text"]["mentioned_mobile_list"] == ["13800001111"]
    lines = message["text"]["content"].split("\n")
    assert lines[0] == "❌ " + ("构建失败" if LANGUAGE == "zh_CN" else "Build failed")
    assert lines[-1] == "请查看日志"
    assert "<font" not in message["text"]["content"]


def test_out_markdown_mentions_go_into_content(runner, robot, source, workdir):
    params = {"mentioned_list": ["zhangsan", "lisi"]}
    runner.run("out", {"source": source, "params": params}, workdir)

    message = only_message(robot)
    assert message["markdown"]["content"].endswith("\n<@zhangsan> <@lisi>")
    assert "mentioned_list" not in message["markdown"]


def test_out_content_file_is_inserted_literally(runner, robot, source, workdir):
    (workdir / "message").mkdir()
    # Split literals, because cookiecutter renders this file with Jinja2 too.
    commit_message = "修复 {" "{ config.items() }" "} 和 {" "% raw %" "} 的解析\n第二行"
    (workdir / "message" / "alert.md").write_text(commit_message, encoding="utf-8")
    params = {"status": "failed", "content": "部署失败", "content_file": "message/alert.md"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    content = only_message(robot)["markdown"]["content"]
    assert_lines_match(content, expected_markdown(EXPECTED_LINES["failed"], "部署失败\n\n" + commit_message))


def test_out_custom_title(runner, robot, source, workdir):
    params = {"status": "succeeded", "title": "发布 v1.2.3 完成"}
    runner.run("out", {"source": source, "params": params}, workdir)

    first_line = only_message(robot)["markdown"]["content"].split("\n")[0]
    assert first_line == '# <font color="info">发布 v1.2.3 完成</font>'


def test_out_params_override_source(runner, robot, source, workdir):
    source = {**source, "msgtype": "text"}
    runner.run("out", {"source": source, "params": {"msgtype": "markdown"}}, workdir)

    assert only_message(robot)["msgtype"] == "markdown"


def test_out_build_url_from_concourse_wins(runner, robot, source, workdir):
    env = {**BUILD_ENV, "BUILD_URL": "https://ci.example.com/custom/42"}
    runner.run("out", {"source": source}, workdir, env=env)

    assert "(https://ci.example.com/custom/42)" in only_message(robot)["markdown"]["content"]


def test_out_one_off_build_links_build_id(runner, robot, source, workdir):
    env = {key: BUILD_ENV[key] for key in ("BUILD_ID", "BUILD_NAME", "BUILD_TEAM_NAME", "ATC_EXTERNAL_URL")}
    result = runner.run("out", {"source": source}, workdir, env=env)

    assert result.returncode == 0, result.stderr
    content = only_message(robot)["markdown"]["content"]
    assert "(https://ci.example.com/builds/1234)" in content


def test_out_dry_run_sends_nothing(runner, robot, robot_key, source, workdir):
    result = runner.run("out", {"source": source, "params": {"dry_run": True, "status": "failed"}}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.requests == []
    assert '"msgtype": "markdown"' in result.stderr
    assert robot_key[-4:] in result.stderr
    assert robot_key not in result.stderr
    assert robot_key not in result.stdout
    metadata = {pair["name"]: pair["value"] for pair in result.json()["metadata"]}
    assert metadata["reason"] == "dry_run"


def test_out_dry_run_with_bare_key(host_runner, workdir):
    key = new_test_key()
    result = host_runner.run("out", {"source": {"key": key}, "params": {"dry_run": True}}, workdir)

    assert result.returncode == 0, result.stderr
    assert f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****{key[-4:]}" in result.stderr
    assert key not in result.stderr + result.stdout


def test_out_unknown_key_fails_with_93000(runner, robot, workdir):
    unknown_key = new_test_key()
    source = {"webhook_url": robot.url(unknown_key), "allow_http": True}
    result = runner.run("out", {"source": source}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "93000" in result.stderr
    assert unknown_key[-4:] in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert len(robot.requests) == 1


def test_out_oversized_content_is_truncated_to_limit(runner, robot, source, workdir):
    params = {"content": "告警" * 3000}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    content = only_message(robot)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith(("（内容过长，已截断）", "(content too long, truncated)"))
