"""out: alert text from the user's Jinja2 template, rendered in the sandbox."""

import pytest

from wecom_alert_resource.i18n import LANGUAGE

from conftest import BUILD_ENV

# cookiecutter renders this file with Jinja2, so template markers are split.
OPEN, CLOSE, BLOCK_OPEN, BLOCK_CLOSE = "{" * 2, "}" * 2, "{" + "%", "%" + "}"


def template(text: str) -> str:
    """Turn << expression >> and <% statement %> into Jinja2 syntax."""
    return text.replace("<<", OPEN).replace(">>", CLOSE).replace("<%", BLOCK_OPEN).replace("%>", BLOCK_CLOSE)


def sent_content(robot) -> str:
    (message,) = robot.delivered
    return message[message["msgtype"]]["content"]


def assert_clean_failure(result, robot, *fragments):
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert robot.requests == []


def test_template_sees_build_metadata(runner, robot, source, workdir):
    env = {
        **BUILD_ENV,
        "BUILD_CREATED_BY": "zhangsan",
        "BUILD_PIPELINE_INSTANCE_VARS": '{"branch":"release/1.2"}',
        "BUILD_STATUS": "failed",
    }
    text = (
        "<< team >>|<< pipeline >>|<< job >>|<< build_name >>|<< build_id >>|<< status >>|"
        "<< created_by >>|<< instance_vars.branch >>|<< build_url >>"
    )
    result = runner.run(
        "out", {"source": source, "params": {"msgtype": "text", "template": template(text)}}, workdir, env=env
    )

    assert result.returncode == 0, result.stderr
    assert sent_content(robot) == (
        "main|shop-backend|unit-tests|42|1234|failed|zhangsan|release/1.2|"
        "https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42"
        "?vars.branch=%22release%2F1.2%22"
    )


def test_template_control_flow_and_filters(host_runner, robot, source, workdir):
    text = "<% if status == 'failed' %>失败<% else %>成功<% endif %>：<< job | upper >>"
    params = {"msgtype": "markdown", "status": "failed", "template": template(text)}
    host_runner.run("out", {"source": source, "params": params}, workdir)

    assert sent_content(robot) == "失败：UNIT-TESTS"


def test_template_file_from_inputs(host_runner, robot, source, workdir):
    (workdir / "alert").mkdir()
    (workdir / "alert" / "message.md.j2").write_text(template("## << title >>\n<< content >>"), encoding="utf-8")
    params = {"msgtype": "markdown", "template_file": "alert/message.md.j2", "title": "发布", "content": "完成"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert sent_content(robot) == "## 发布\n完成"


def test_content_file_is_data_not_template(runner, robot, source, workdir):
    commit_message = template("修复 << config.__class__ >> 和 <% raw %> 的解析")
    (workdir / "commit.txt").write_text(commit_message, encoding="utf-8")
    params = {"msgtype": "text", "template": template("提交：<< content >>"), "content_file": "commit.txt"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert sent_content(robot) == "提交：" + commit_message


def test_unknown_variable_is_named(host_runner, robot, source, workdir):
    params = {"template": template("<< piepline >> 失败")}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template", "piepline", "pipeline")


def test_unknown_variable_in_template_file_is_named(host_runner, robot, source, workdir):
    (workdir / "alert.j2").write_text(template("<< buildname >>"), encoding="utf-8")
    result = host_runner.run("out", {"source": source, "params": {"template_file": "alert.j2"}}, workdir)

    assert_clean_failure(result, robot, "params.template_file", "buildname")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("<< ().__class__.__mro__[1].__subclasses__() >>", id="mro"),
        pytest.param("<< team.__class__.__base__ >>", id="class-base"),
        pytest.param("<< instance_vars.update.__globals__ >>", id="globals"),
        pytest.param("<< cycler.__init__.__globals__.os >>", id="cycler-globals"),
    ],
)
def test_sandbox_escape_is_rejected(host_runner, robot, source, workdir, text):
    result = host_runner.run("out", {"source": source, "params": {"template": template(text)}}, workdir)

    assert_clean_failure(result, robot, "params.template")


def test_sandbox_rejection_names_sandbox(host_runner, robot, source, workdir):
    params = {"template": template("<< ().__class__.__mro__ >>")}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template", "__class__")
    assert ("沙箱" if LANGUAGE == "zh_CN" else "sandbox") in result.stderr


def test_syntax_error_names_line(host_runner, robot, source, workdir):
    params = {"template": template("第一行\n<% if status %>没有结束")}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template", "2")


def test_template_and_template_file_conflict(host_runner, robot, source, workdir):
    (workdir / "alert.j2").write_text("x", encoding="utf-8")
    params = {"template": "x", "template_file": "alert.j2"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template", "params.template_file")


def test_blank_template_is_rejected(host_runner, robot, source, workdir):
    params = {"template": template("<% if false %>x<% endif %>  \n")}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template")


def test_filter_error_is_one_line(host_runner, robot, source, workdir):
    params = {"template": template("<< 1 // 0 >>")}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template")
