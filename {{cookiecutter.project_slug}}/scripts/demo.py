#!/usr/bin/env python3
"""Send one sample alert through ``assets/out`` to a fake WeCom robot and show every step.

Run it from a checkout after ``pip install -r requirements-dev.txt``::

    python3 scripts/demo.py --status failed --msgtype text --content "Disk almost full"

It starts the fake robot of the tests (``tests/fake_robot.py``) on 127.0.0.1 and
runs ``assets/out`` as Concourse does: the payload on stdin, the put's working
directory as ``$1`` with a sample ``message/alert.md``, and sample ``BUILD_*``
variables. It prints the payload, the script's stdout and stderr, and the request
bodies the robot received, then writes an HTML preview of the messages. Nothing
is sent anywhere but to 127.0.0.1.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT_ROOT / "scripts"), str(PROJECT_ROOT / "tests"), str(PROJECT_ROOT / "src")]

from {{ cookiecutter.__package_name }}.redaction import mask  # noqa: E402

import preview  # noqa: E402
from fake_robot import FakeRobot, RobotServer  # noqa: E402

OUT_SCRIPT = PROJECT_ROOT / "assets" / "out"
DEFAULT_PREVIEW = PROJECT_ROOT / "demo-output" / "preview.html"
# The preview shows the send time in the time zone the alerts use by default.
PREVIEW_TIMEZONE = ZoneInfo({{ cookiecutter.timezone | tojson }})
DEFAULT_MSGTYPE = {{ cookiecutter.default_msgtype | tojson }}
STATUSES = ("succeeded", "failed", "errored", "aborted", "started")

# Metadata of a sample pipeline build, as Concourse sets it for a put step.
DEMO_BUILD_ENV = {
    "BUILD_ID": "1234",
    "BUILD_NAME": "42",
    "BUILD_TEAM_NAME": "main",
    "BUILD_PIPELINE_NAME": "shop-backend",
    "BUILD_JOB_NAME": "unit-tests",
    "ATC_EXTERNAL_URL": "https://ci.example.com",
}
# The build link that the resource derives from DEMO_BUILD_ENV.
DEMO_BUILD_URL = "https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42"

TEXTS = {
    "zh_CN": {
        "sample_markdown": (
            "**失败的测试**：`test_checkout_total`\n"
            "> AssertionError: expected 42, got 41\n"
            '<font color="comment">完整日志见构建页面。</font>\n'
        ),
        "sample_text": "失败的测试：test_checkout_total\nAssertionError: expected 42, got 41\n完整日志见构建页面。\n",
        "passed_markdown": "**测试**：128 个全部通过，用时 `3m12s`\n",
        "passed_text": "测试：128 个全部通过，用时 3m12s\n",
        "stdin": "发给 assets/out 的 stdin（webhook 的 key 已遮盖）",
        "stdout": "assets/out 的 stdout（Concourse 读取的结果）",
        "stderr": "assets/out 的 stderr（构建日志）",
        "exit": "assets/out 退出码：{code}",
        "received": "假机器人收到的请求体",
        "nothing_received": "机器人没有收到消息。",
        "preview": "预览已写入：{path}",
        "no_preview": "没有消息可预览，未写入 {path}。",
    },
    "en": {
        "sample_markdown": (
            "**Failed test**: `test_checkout_total`\n"
            "> AssertionError: expected 42, got 41\n"
            '<font color="comment">The full log is on the build page.</font>\n'
        ),
        "sample_text": (
            "Failed test: test_checkout_total\n"
            "AssertionError: expected 42, got 41\n"
            "The full log is on the build page.\n"
        ),
        "passed_markdown": "**Tests**: all 128 passed in `3m12s`\n",
        "passed_text": "Tests: all 128 passed in 3m12s\n",
        "stdin": "stdin sent to assets/out (webhook key masked)",
        "stdout": "stdout of assets/out (the result Concourse reads)",
        "stderr": "stderr of assets/out (the build log)",
        "exit": "assets/out exit code: {code}",
        "received": "Request bodies the fake robot received",
        "nothing_received": "The robot received no message.",
        "preview": "Preview written to {path}",
        "no_preview": "No message to preview, so {path} was not written.",
    },
}[preview.LANGUAGE]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Send a sample alert through assets/out to a fake WeCom robot on 127.0.0.1 "
        "and write an HTML preview of what the group would see."
    )
    parser.add_argument("--status", choices=STATUSES, default="failed", help="params.status (default: failed)")
    parser.add_argument(
        "--msgtype", choices=("markdown", "text"), help="params.msgtype (default: the resource's default)"
    )
    parser.add_argument("--title", help="params.title, replacing the title line chosen by status")
    parser.add_argument("--content", help="params.content, text added below the build details")
    parser.add_argument(
        "--mention", action="append", default=[], metavar="USERID", help="add USERID to params.mentioned_list"
    )
    parser.add_argument(
        "--preview",
        type=Path,
        default=DEFAULT_PREVIEW,
        help=f"where to write the HTML preview (default: {DEFAULT_PREVIEW.relative_to(PROJECT_ROOT)})",
    )
    return parser.parse_args(argv)


def build_params(arguments: argparse.Namespace) -> dict:
    """Return the put's params: the chosen options plus the sample content file."""
    params = {"status": arguments.status, "content_file": "message/alert.md"}
    for name in ("msgtype", "title", "content"):
        value = getattr(arguments, name)
        if value is not None:
            params[name] = value
    if arguments.mention:
        params["mentioned_list"] = arguments.mention
    return params


def run_out(payload: dict, workdir: Path) -> subprocess.CompletedProcess:
    """Run assets/out as Concourse does, with this interpreter's directory first on PATH.

    The script's ``#!/usr/bin/env python3`` line then finds the Python that has the
    project's dependencies, such as a virtual environment's.
    """
    environment = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        "LANG": "C.UTF-8",
        # The fake robot is local, so a proxy from the user's environment must not apply.
        "NO_PROXY": "127.0.0.1,localhost",
        **DEMO_BUILD_ENV,
    }
    return subprocess.run(
        [str(OUT_SCRIPT), str(workdir)],
        input=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        capture_output=True,
        env=environment,
        timeout=300,
        check=False,
    )


def print_section(title: str, text: str) -> None:
    print(f"\n=== {title} ===")
    print(text.rstrip("\n") if text.strip() else "(empty)")


def pretty_json(text: str) -> str:
    """Indent ``text`` if it is JSON, and return it unchanged otherwise."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    key = f"demo-{uuid.uuid4()}"
    server = RobotServer(FakeRobot(valid_keys={key}))
    robot = server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="wecom-demo-") as directory:
            workdir = Path(directory) / "put"
            (workdir / "message").mkdir(parents=True)
            # The sample file uses markdown only where the message type renders it.
            msgtype = arguments.msgtype or DEFAULT_MSGTYPE
            # A failure gets the failing test as sample content, any other status a summary.
            failing = arguments.status in ("failed", "errored")
            if msgtype == "text":
                sample = TEXTS["sample_text"] if failing else TEXTS["passed_text"]
            else:
                sample = TEXTS["sample_markdown"] if failing else TEXTS["passed_markdown"]
            (workdir / "message" / "alert.md").write_text(sample, encoding="utf-8")
            payload = {"source": {"webhook_url": robot.url(key), "allow_http": True}, "params": build_params(arguments)}
            completed = run_out(payload, workdir)
    finally:
        server.stop()

    shown_payload = json.dumps(payload, ensure_ascii=False, indent=2).replace(key, mask(key))
    print_section(TEXTS["stdin"], shown_payload)
    print_section(TEXTS["stdout"], pretty_json(completed.stdout.decode("utf-8", "replace")))
    print_section(TEXTS["stderr"], completed.stderr.decode("utf-8", "replace"))
    print(TEXTS["exit"].format(code=completed.returncode))

    # Every request body, including any the robot rejected. The preview shows only
    # the accepted messages, because only those appear in the group.
    received = "\n".join(pretty_json(request.body.decode("utf-8", "replace")) for request in robot.requests)
    print_section(TEXTS["received"], received or TEXTS["nothing_received"])

    messages = list(robot.delivered)

    preview_path = arguments.preview.resolve()
    if messages:
        preview_path.parent.mkdir(parents=True, exist_ok=True)
        sent_at = datetime.now(PREVIEW_TIMEZONE).strftime("%H:%M")
        preview_path.write_text(preview.render_page(messages, sent_at), encoding="utf-8")
        print("\n" + TEXTS["preview"].format(path=preview_path))
    else:
        print("\n" + TEXTS["no_preview"].format(path=preview_path))
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
