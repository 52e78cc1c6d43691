"""out: every WeCom message type, as the fake robot receives it, and the size limits."""

import base64
import hashlib
import json
import os
import struct
import zlib

import pytest
import requests

from wecom_alert_resource.i18n import LANGUAGE

from conftest import BUILD_ENV
from fake_robot import Fault

BUILD_URL = "https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42"
TRUNCATED_MARKER = {"zh_CN": "\n…（内容过长，已截断）", "en": "\n… (content too long, truncated)"}[LANGUAGE]
MEGABYTE = 1024 * 1024
# cookiecutter renders this file with Jinja2, so template markers are split.
OPEN, CLOSE = "{" * 2, "}" * 2


def template(text: str) -> str:
    """Turn << name >> into a Jinja2 expression."""
    return text.replace("<<", OPEN).replace(">>", CLOSE)


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """Return a valid PNG image of black pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x00" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def metadata_of(result) -> dict:
    return {pair["name"]: pair["value"] for pair in result.json()["metadata"]}


def assert_clean_failure(result, robot, *fragments):
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr
    assert robot.requests == []


def test_text_exact_body_with_mentions(runner, robot, source, workdir):
    params = {
        "msgtype": "text",
        "template": template("<< pipeline >>/<< job >> #<< build_name >>：<< content >>"),
        "content": "部署失败",
        "mentioned_list": ["zhangsan", "@all"],
        "mentioned_mobile_list": ["13800001111", "@all"],
    }
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.delivered == [
        {
            "msgtype": "text",
            "text": {
                "content": "shop-backend/unit-tests #42：部署失败",
                "mentioned_list": ["zhangsan", "@all"],
                "mentioned_mobile_list": ["13800001111", "@all"],
            },
        }
    ]


def test_markdown_exact_body_with_mentions(runner, robot, source, workdir):
    params = {
        "msgtype": "markdown",
        "template": template("**<< title >>**"),
        "title": "发布",
        "mentioned_list": ["lisi"],
    }
    runner.run("out", {"source": source, "params": params}, workdir)

    assert robot.delivered == [{"msgtype": "markdown", "markdown": {"content": "**发布**\n<@lisi>"}}]


def test_markdown_v2_exact_body(runner, robot, source, workdir):
    params = {"msgtype": "markdown_v2", "template": template("| 作业 | << job >> |\n| --- | --- |")}
    runner.run("out", {"source": source, "params": params}, workdir)

    assert robot.delivered == [
        {"msgtype": "markdown_v2", "markdown_v2": {"content": "| 作业 | unit-tests |\n| --- | --- |"}}
    ]


def test_markdown_v2_default_alert_table(runner, robot, source, workdir):
    params = {"msgtype": "markdown_v2", "status": "failed", "content": "日志见附件"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    content = robot.delivered[0]["markdown_v2"]["content"]
    lines = content.split("\n")
    assert lines[0] == "# ❌ " + ("构建失败" if LANGUAGE == "zh_CN" else "Build failed")
    assert "<font" not in content
    assert ("| 作业 | unit-tests |" if LANGUAGE == "zh_CN" else "| Job | unit-tests |") in lines
    assert f"({BUILD_URL})" in content
    assert lines[-1] == "日志见附件"


def test_markdown_v2_ignores_mentions_with_notice(host_runner, robot, source, workdir):
    params = {"msgtype": "markdown_v2", "mentioned_list": ["zhangsan"]}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert "mentioned_list" in result.stderr
    assert "<@zhangsan>" not in robot.delivered[0]["markdown_v2"]["content"]


@pytest.mark.parametrize(
    "image", [pytest.param(png_bytes(4, 4), id="png"), pytest.param(b"\xff\xd8\xff\xe0" + b"j" * 64, id="jpg")]
)
def test_image_exact_body(runner, robot, source, workdir, image):
    (workdir / "charts").mkdir()
    (workdir / "charts" / "coverage.img").write_bytes(image)
    params = {"msgtype": "image", "image_file": "charts/coverage.img"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    expected = {"base64": base64.b64encode(image).decode("ascii"), "md5": hashlib.md5(image).hexdigest()}  # noqa: S324
    assert robot.delivered == [{"msgtype": "image", "image": expected}]


def test_image_of_exactly_two_megabytes_is_sent(host_runner, robot, source, workdir):
    image = png_bytes()
    image += b"\x00" * (2 * MEGABYTE - len(image))
    (workdir / "big.png").write_bytes(image)
    result = host_runner.run(
        "out", {"source": source, "params": {"msgtype": "image", "image_file": "big.png"}}, workdir
    )

    assert result.returncode == 0, result.stderr
    assert len(robot.delivered) == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        pytest.param(png_bytes() + b"\x00" * (2 * MEGABYTE), "2 MB", id="over-2-mb"),
        pytest.param(b"GIF89a" + b"\x00" * 32, "PNG", id="gif"),
        pytest.param(b"", "PNG", id="empty"),
    ],
)
def test_bad_image_is_rejected_before_sending(host_runner, robot, source, workdir, data, fragment):
    (workdir / "chart.png").write_bytes(data)
    params = {"msgtype": "image", "image_file": "chart.png"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.image_file", fragment)


def test_image_without_file_is_rejected(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": source, "params": {"msgtype": "image"}}, workdir)

    assert_clean_failure(result, robot, "params.image_file")


def test_news_exact_body(runner, robot, source, workdir):
    articles = [
        {
            "title": "发布 v1.2.3",
            "description": "点击查看变更",
            "url": "https://example.com/r/1",
            "picurl": "https://example.com/p.png",
        },
        {"title": "回滚手册", "url": "https://example.com/runbook"},
    ]
    result = runner.run("out", {"source": source, "params": {"msgtype": "news", "articles": articles}}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.delivered == [{"msgtype": "news", "news": {"articles": articles}}]


def test_news_default_article_links_build(runner, robot, source, workdir):
    params = {"msgtype": "news", "status": "failed", "content": "单元测试失败"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    articles = robot.delivered[0]["news"]["articles"]
    assert len(articles) == 1
    assert set(articles[0]) == {"title", "description", "url"}
    assert articles[0]["title"] == "❌ " + ("构建失败" if LANGUAGE == "zh_CN" else "Build failed")
    assert articles[0]["url"] == BUILD_URL
    description = articles[0]["description"].split("\n")
    assert description[0] == (
        "流水线 shop-backend / 作业 unit-tests #42"
        if LANGUAGE == "zh_CN"
        else "Pipeline shop-backend / job unit-tests #42"
    )
    assert description[-1] == "单元测试失败"


def test_news_cuts_long_title_and_description(host_runner, robot, source, workdir):
    articles = [{"title": "标题" * 50, "description": "描述" * 200, "url": "https://example.com/"}]
    host_runner.run("out", {"source": source, "params": {"msgtype": "news", "articles": articles}}, workdir)

    article = robot.delivered[0]["news"]["articles"][0]
    assert len(article["title"].encode()) <= 128
    assert len(article["description"].encode()) <= 512
    assert article["title"].endswith("…")


@pytest.mark.parametrize(
    ("articles", "fragment"),
    [
        pytest.param([{"title": "t", "url": "https://example.com/"}] * 9, "params.articles", id="nine"),
        pytest.param([{"title": "t"}], "params.articles[0].url", id="no-url"),
        pytest.param([{"url": "https://example.com/"}], "params.articles[0].title", id="no-title"),
        pytest.param([{"title": "t", "url": "example.com"}], "params.articles[0].url", id="url-without-scheme"),
        pytest.param(["t"], "params.articles[0]", id="not-object"),
        pytest.param(
            [{"title": "t", "url": "https://example.com/", "pic_url": "x"}], "params.articles[0].pic_url", id="typo"
        ),
    ],
)
def test_bad_articles_are_rejected(host_runner, robot, source, workdir, articles, fragment):
    params = {"msgtype": "news", "articles": articles}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, fragment)


def test_empty_articles_use_default_article(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": source, "params": {"msgtype": "news", "articles": []}}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.delivered[0]["news"]["articles"][0]["url"] == BUILD_URL


def test_news_without_build_url_needs_articles(host_runner, robot, source, workdir):
    env = {key: BUILD_ENV[key] for key in ("BUILD_ID", "BUILD_NAME")}
    result = host_runner.run("out", {"source": source, "params": {"msgtype": "news"}}, workdir, env=env)

    assert_clean_failure(result, robot, "params.articles")


@pytest.mark.parametrize(
    ("msgtype", "data"),
    [
        pytest.param("file", "测试报告\n".encode() * 100, id="file"),
        pytest.param("voice", b"#!AMR\n" + b"\x3c" * 200, id="voice"),
    ],
)
def test_upload_then_send_exact_body(runner, robot, robot_key, source, workdir, msgtype, data):
    (workdir / "reports").mkdir()
    (workdir / "reports" / "报告.bin").write_bytes(data)
    params = {"msgtype": msgtype, "media_file": "reports/报告.bin"}
    result = runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    upload_request, send_request = robot.requests
    assert upload_request.path == "/cgi-bin/webhook/upload_media"
    assert upload_request.query == {"key": [robot_key], "type": [msgtype]}
    assert send_request.path == "/cgi-bin/webhook/send"
    (upload,) = robot.uploads
    assert upload.data == data
    assert upload.filename == "报告.bin"
    assert upload.filelength == str(len(data))
    assert upload.media_type == msgtype
    assert robot.delivered == [{"msgtype": msgtype, msgtype: {"media_id": upload.media_id}}]
    assert robot_key not in result.stderr


@pytest.mark.parametrize(
    ("msgtype", "size", "head", "fragment"),
    [
        pytest.param("file", 5, b"", "5", id="file-5-bytes"),
        pytest.param("file", 20 * MEGABYTE + 1, b"", str(20 * MEGABYTE), id="file-over-20-mb"),
        pytest.param("voice", 2 * MEGABYTE + 1, b"#!AMR\n", str(2 * MEGABYTE), id="voice-over-2-mb"),
        pytest.param("voice", 100, b"RIFF", "AMR", id="voice-not-amr"),
    ],
)
def test_bad_upload_is_rejected_before_sending(host_runner, robot, source, workdir, msgtype, size, head, fragment):
    path = workdir / "media.bin"
    with open(path, "wb") as file:
        file.write(head)
    os.truncate(path, size)
    params = {"msgtype": msgtype, "media_file": "media.bin"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.media_file", fragment)


def test_busy_upload_is_retried(host_runner, robot, source, workdir):
    robot.queue(Fault("errcode", errcode=-1))
    (workdir / "report.txt").write_text("测试报告：全部通过", encoding="utf-8")
    params = {"msgtype": "file", "media_file": "report.txt", "retry": {"max_seconds": 30}}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    paths = [request.path for request in robot.requests]
    assert paths == ["/cgi-bin/webhook/upload_media", "/cgi-bin/webhook/upload_media", "/cgi-bin/webhook/send"]
    assert len(robot.uploads) == 1


def test_rejected_upload_fails_with_errcode(host_runner, robot, source, workdir):
    robot.queue(Fault("errcode", errcode=40006))
    (workdir / "report.txt").write_text("测试报告：全部通过", encoding="utf-8")
    params = {"msgtype": "file", "media_file": "report.txt"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 1
    assert "40006" in result.stderr
    assert robot.delivered == []


def test_file_of_exactly_20_megabytes_is_uploaded(host_runner, robot, source, workdir):
    path = workdir / "dump.bin"
    path.write_bytes(b"dump")
    os.truncate(path, 20 * MEGABYTE)
    result = host_runner.run(
        "out", {"source": source, "params": {"msgtype": "file", "media_file": "dump.bin"}}, workdir
    )

    assert result.returncode == 0, result.stderr
    assert len(robot.uploads[0].data) == 20 * MEGABYTE


def test_fake_robot_rejects_media_id_of_other_robot(host_runner, robot, workdir):
    robot.valid_keys.update({"aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"})
    (workdir / "a.txt").write_text("报告内容", encoding="utf-8")
    first = {"webhook_url": robot.url("aaaaaaaa-0000-4000-8000-000000000001"), "allow_http": True}
    host_runner.run("out", {"source": first, "params": {"msgtype": "file", "media_file": "a.txt"}}, workdir)
    foreign = {"msgtype": "file", "file": {"media_id": robot.uploads[0].media_id}}
    reply = requests.post(robot.url("aaaaaaaa-0000-4000-8000-000000000002"), json=foreign, timeout=10).json()
    assert reply["errcode"] == 40007


TEXT_NOTICE = {
    "card_type": "text_notice",
    "source": {"desc": "Concourse"},
    "main_title": {"title": "部署失败", "desc": "shop-backend"},
    "emphasis_content": {"title": "3", "desc": "失败用例"},
    "sub_title_text": "请值班同学处理",
    "horizontal_content_list": [
        {"keyname": "作业", "value": "unit-tests"},
        {"keyname": "日志", "value": "打开", "type": 1, "url": "https://example.com/log"},
    ],
    "jump_list": [{"type": 1, "title": "回滚手册", "url": "https://example.com/runbook"}],
    "card_action": {"type": 1, "url": "https://example.com/build"},
}
NEWS_NOTICE = {
    "card_type": "news_notice",
    "main_title": {"title": "发布完成"},
    "card_image": {"url": "https://example.com/banner.png", "aspect_ratio": 2.25},
    "vertical_content_list": [{"title": "版本", "desc": "v1.2.3"}],
    "card_action": {"type": 2, "appid": "wx123", "pagepath": "pages/index"},
}


@pytest.mark.parametrize(
    "card", [pytest.param(TEXT_NOTICE, id="text_notice"), pytest.param(NEWS_NOTICE, id="news_notice")]
)
def test_template_card_exact_body(runner, robot, source, workdir, card):
    result = runner.run("out", {"source": source, "params": {"msgtype": "template_card", "card": card}}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.delivered == [{"msgtype": "template_card", "template_card": card}]


def test_template_card_action_defaults_to_build(host_runner, robot, source, workdir):
    card = {"card_type": "text_notice", "main_title": {"title": "部署失败"}}
    host_runner.run("out", {"source": source, "params": {"msgtype": "template_card", "card": card}}, workdir)

    sent = robot.delivered[0]["template_card"]
    assert sent == {**card, "card_action": {"type": 1, "url": BUILD_URL}}


def test_default_template_card_describes_build(host_runner, robot, source, workdir):
    params = {"msgtype": "template_card", "status": "failed", "content": "单元测试失败"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    card = robot.delivered[0]["template_card"]
    assert card["card_type"] == "text_notice"
    assert card["main_title"] == {"title": "❌ " + ("构建失败" if LANGUAGE == "zh_CN" else "Build failed")}
    assert card["sub_title_text"] == "单元测试失败"
    assert card["card_action"] == {"type": 1, "url": BUILD_URL}
    values = [item["value"] for item in card["horizontal_content_list"]]
    assert values[:4] == ["main", "shop-backend", "unit-tests", "#42"]


@pytest.mark.parametrize(
    ("card", "fragment"),
    [
        pytest.param({"card_type": "button_interaction"}, "params.card.card_type", id="card-type"),
        pytest.param(
            {"card_type": "text_notice", "card_action": {"type": 1}}, "params.card.card_action.url", id="action-url"
        ),
        pytest.param(
            {"card_type": "text_notice", "card_action": {"type": 2}}, "params.card.card_action.appid", id="action-appid"
        ),
        pytest.param(
            {"card_type": "text_notice", "card_action": {"type": 3}}, "params.card.card_action.type", id="action-type"
        ),
        pytest.param({"card_type": "text_notice", "source": {}}, "main_title.title", id="text-no-title"),
        pytest.param(
            {**TEXT_NOTICE, "horizontal_content_list": [{"keyname": "k", "value": "v"}] * 7},
            "params.card.horizontal_content_list",
            id="seven-rows",
        ),
        pytest.param(
            {**TEXT_NOTICE, "horizontal_content_list": [{"value": "v"}]},
            "horizontal_content_list[0].keyname",
            id="row-keyname",
        ),
        pytest.param(
            {**TEXT_NOTICE, "horizontal_content_list": [{"keyname": "k", "type": 3}]},
            "horizontal_content_list[0].userid",
            id="row-userid",
        ),
        pytest.param({**TEXT_NOTICE, "jump_list": [{"title": "t"}] * 4}, "params.card.jump_list", id="four-jumps"),
        pytest.param({**TEXT_NOTICE, "jump_list": [{"type": 1}]}, "params.card.jump_list[0].title", id="jump-title"),
        pytest.param(
            {"card_type": "news_notice", "card_image": {"url": "https://e.com/a.png"}},
            "params.card.main_title",
            id="news-no-title",
        ),
        pytest.param({"card_type": "news_notice", "main_title": {"title": "t"}}, "card_image", id="news-no-image"),
        pytest.param(
            {**NEWS_NOTICE, "card_image": {"url": "https://e.com/a.png", "aspect_ratio": 3}},
            "aspect_ratio",
            id="aspect-ratio",
        ),
        pytest.param(
            {**NEWS_NOTICE, "card_image": None, "image_text_area": {"title": "t"}},
            "image_text_area.image_url",
            id="area-image",
        ),
        pytest.param(
            {**NEWS_NOTICE, "vertical_content_list": [{"title": "t"}] * 5}, "vertical_content_list", id="five-verticals"
        ),
    ],
)
def test_bad_template_card_is_rejected(host_runner, robot, source, workdir, card, fragment):
    card = {key: value for key, value in card.items() if value is not None}
    result = host_runner.run("out", {"source": source, "params": {"msgtype": "template_card", "card": card}}, workdir)

    assert_clean_failure(result, robot, fragment)


def test_template_is_rejected_for_image(host_runner, robot, source, workdir):
    (workdir / "a.png").write_bytes(png_bytes())
    params = {"msgtype": "image", "image_file": "a.png", "template": "x"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert_clean_failure(result, robot, "params.template", "image")


def test_dry_run_shows_placeholders_for_media(host_runner, robot, source, workdir):
    (workdir / "a.png").write_bytes(png_bytes())
    params = {"msgtype": "image", "image_file": "a.png", "dry_run": True}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert robot.requests == []
    assert "characters of base64>" in result.stderr


# Byte limits per message type and texts whose characters are 3 bytes (Chinese)
# or 4 bytes (emoji), so a cut by characters instead of bytes would show.
LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}


def sized_text(alphabet: str, size: int) -> str:
    """Return text of exactly ``size`` UTF-8 bytes: repeated ``alphabet`` topped up with ASCII."""
    width = len(alphabet.encode())
    return alphabet * (size // width) + "a" * (size % width)


SIZE_CASES = [
    pytest.param(msgtype, alphabet, offset, id=f"{msgtype}-{name}-{label}")
    for msgtype in LIMITS
    for name, alphabet in (("chinese", "告"), ("emoji", "🚀"))
    for label, offset in (("under", -1), ("at", 0), ("over", 1))
]


@pytest.mark.parametrize(("msgtype", "alphabet", "offset"), SIZE_CASES)
def test_truncate_mode_at_byte_limits(host_runner, robot, source, workdir, msgtype, alphabet, offset):
    content = sized_text(alphabet, LIMITS[msgtype] + offset)
    params = {"msgtype": msgtype, "template": template("<< content >>"), "content": content}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    (message,) = robot.delivered
    sent = message[msgtype]["content"]
    assert len(sent.encode()) <= LIMITS[msgtype]
    if offset <= 0:
        assert sent == content
    else:
        assert sent.endswith(TRUNCATED_MARKER)
        assert content.startswith(sent[: -len(TRUNCATED_MARKER)])


@pytest.mark.parametrize(("msgtype", "alphabet", "offset"), SIZE_CASES)
def test_split_mode_at_byte_limits(host_runner, robot, source, workdir, msgtype, alphabet, offset):
    content = sized_text(alphabet, LIMITS[msgtype] + offset)
    params = {"msgtype": msgtype, "template": template("<< content >>"), "content": content, "on_oversize": "split"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    parts = [message[msgtype]["content"] for message in robot.delivered]
    assert len(parts) == (1 if offset <= 0 else 2)
    assert all(len(part.encode()) <= LIMITS[msgtype] for part in parts)
    assert "".join(parts) == content
    assert metadata_of(result)["messages"] == str(len(parts))


def test_split_keeps_lines_links_and_order(host_runner, robot, source, workdir):
    lines = [f"{number:03d} 失败用例 [日志](https://ci.example.com/logs/{number}) 🚨" for number in range(120)]
    params = {
        "msgtype": "markdown",
        "template": template("<< content >>"),
        "content": "\n".join(lines),
        "on_oversize": "split",
    }
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    parts = [message["markdown"]["content"] for message in robot.delivered]
    assert len(parts) > 1
    assert "\n".join(parts).split("\n") == lines


def test_split_of_huge_content_is_capped(host_runner, robot, source, workdir):
    (workdir / "build.log").write_text("日志" * 2_000_000, encoding="utf-8")
    params = {"msgtype": "text", "content_file": "build.log", "on_oversize": "split"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    parts = [message["text"]["content"] for message in robot.delivered]
    assert len(parts) == 10
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert parts[-1].endswith(TRUNCATED_MARKER)


def test_truncate_of_huge_content(host_runner, robot, source, workdir):
    (workdir / "build.log").write_text("🚀" * 3_000_000, encoding="utf-8")
    params = {"msgtype": "markdown", "content_file": "build.log"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    content = robot.delivered[0]["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith(TRUNCATED_MARKER)


def test_split_puts_mentions_on_last_part(host_runner, robot, source, workdir):
    content = "\n".join([f"构建日志：第 {number} 行" for number in range(400)])
    params = {"msgtype": "text", "content": content, "on_oversize": "split", "mentioned_list": ["zhangsan"]}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    bodies = [message["text"] for message in robot.delivered]
    assert len(bodies) > 1
    assert all("mentioned_list" not in body for body in bodies[:-1])
    assert bodies[-1]["mentioned_list"] == ["zhangsan"]


def test_markdown_truncation_keeps_mentions(host_runner, robot, source, workdir):
    params = {"msgtype": "markdown", "content": "告警" * 3000, "mentioned_list": ["zhangsan"]}
    host_runner.run("out", {"source": source, "params": params}, workdir)

    content = robot.delivered[0]["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert content.endswith(TRUNCATED_MARKER + "\n<@zhangsan>")


def test_metadata_reports_one_robot(host_runner, robot, source, workdir):
    result = host_runner.run("out", {"source": source, "params": {"content": json.dumps({"a": 1})}}, workdir)

    metadata = metadata_of(result)
    assert metadata["robots"] == "1/1"
    assert metadata["messages"] == "1"
