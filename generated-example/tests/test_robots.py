"""out: one put notifying several robots."""

import pytest

from fake_robot import Fault

KEYS = [
    "aaaaaaaa-1111-4000-8000-000000000001",
    "bbbbbbbb-2222-4000-8000-000000000002",
    "cccccccc-3333-4000-8000-000000000003",
]
UNKNOWN_KEY = "dddddddd-4444-4000-8000-000000000004"


@pytest.fixture
def robots(robot):
    """The fake robot, accepting every key in KEYS as a separate robot."""
    robot.valid_keys.update(KEYS)
    return robot


def keys_of_delivered_requests(robot) -> list[str]:
    return [request.query["key"][0] for request in robot.requests]


def metadata_of(result) -> dict:
    return {pair["name"]: pair["value"] for pair in result.json()["metadata"]}


def assert_keys_masked(result):
    for key in [*KEYS, UNKNOWN_KEY]:
        assert key not in result.stdout
        assert key not in result.stderr


def test_every_robot_gets_alert_in_order(runner, robots, workdir):
    source = {"webhook_url": [robots.url(key) for key in KEYS], "allow_http": True}
    result = runner.run("out", {"source": source, "params": {"content": "部署完成"}}, workdir)

    assert result.returncode == 0, result.stderr
    assert keys_of_delivered_requests(robots) == KEYS
    assert len(robots.delivered) == 3
    metadata = metadata_of(result)
    assert metadata["robots"] == "3/3"
    assert metadata["sent"] == "true"
    for key in KEYS:
        assert "****" + key[-4:] in metadata["robot"]
    assert_keys_masked(result)


def test_one_failing_robot_fails_step_after_others(runner, robots, workdir):
    urls = [robots.url(KEYS[0]), robots.url(UNKNOWN_KEY), robots.url(KEYS[1])]
    source = {"webhook_url": urls, "allow_http": True}
    result = runner.run("out", {"source": source}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert keys_of_delivered_requests(robots) == [KEYS[0], UNKNOWN_KEY, KEYS[1]]
    assert len(robots.delivered) == 2
    last_line = result.stderr.strip().splitlines()[-1]
    assert "93000" in last_line
    assert "1/3" in last_line or "1 of 3" in last_line or ("3 个机器人中有 1 个" in last_line)
    assert "****" + UNKNOWN_KEY[-4:] in last_line
    assert_keys_masked(result)


def test_ignore_errors_reports_partial_delivery(host_runner, robots, workdir):
    urls = [robots.url(KEYS[0]), robots.url(UNKNOWN_KEY), robots.url(KEYS[1])]
    source = {"webhook_url": urls, "allow_http": True, "ignore_errors": True}
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    metadata = metadata_of(result)
    assert metadata["robots"] == "2/3"
    assert metadata["sent"] == "partial"
    assert metadata["errcode"] == "93000"
    assert_keys_masked(result)


def test_transient_failure_of_one_robot_is_retried(host_runner, robots, workdir):
    robots.queue(Fault("errcode", errcode=-1))
    source = {
        "webhook_url": [robots.url(KEYS[0]), robots.url(KEYS[1])],
        "allow_http": True,
        "retry": {"max_seconds": 30},
    }
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    assert keys_of_delivered_requests(robots) == [KEYS[0], KEYS[0], KEYS[1]]
    assert metadata_of(result)["robots"] == "2/2"


def test_each_robot_uploads_its_own_file(host_runner, robots, workdir):
    (workdir / "report.txt").write_text("测试报告：全部通过", encoding="utf-8")
    source = {"webhook_url": [robots.url(KEYS[0]), robots.url(KEYS[1])], "allow_http": True}
    params = {"msgtype": "file", "media_file": "report.txt"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    assert [upload.key for upload in robots.uploads] == KEYS[:2]
    assert [message["file"]["media_id"] for message in robots.delivered] == [
        upload.media_id for upload in robots.uploads
    ]


def test_split_messages_go_to_every_robot(host_runner, robots, workdir):
    content = "\n".join(f"第 {number} 行日志" for number in range(500))
    source = {"webhook_url": [robots.url(KEYS[0]), robots.url(KEYS[1])], "allow_http": True}
    params = {"msgtype": "text", "content": content, "on_oversize": "split"}
    result = host_runner.run("out", {"source": source, "params": params}, workdir)

    assert result.returncode == 0, result.stderr
    keys = keys_of_delivered_requests(robots)
    count = int(metadata_of(result)["messages"])
    assert count > 1
    assert keys == [KEYS[0]] * count + [KEYS[1]] * count


def test_key_list_in_dry_run_masks_every_key(host_runner, workdir):
    result = host_runner.run("out", {"source": {"key": KEYS, "dry_run": True}}, workdir)

    assert result.returncode == 0, result.stderr
    for key in KEYS:
        assert "****" + key[-4:] in result.stderr
    assert_keys_masked(result)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param({"key": [KEYS[0], KEYS[0]]}, "source.key[1]", id="duplicate"),
        pytest.param({"key": [KEYS[0], "not a key"]}, "source.key[1]", id="invalid-second"),
        pytest.param({"key": []}, "source.key", id="empty-list"),
        pytest.param({"webhook_url": [KEYS[0], 7]}, "source.webhook_url", id="number"),
    ],
)
def test_bad_robot_list_is_rejected(host_runner, workdir, source, fragment):
    result = host_runner.run("out", {"source": {**source, "dry_run": True}}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert fragment in result.stderr
    assert_keys_masked(result)
