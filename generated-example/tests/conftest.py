"""Fixtures that run the resource's scripts the way Concourse does.

Each script runs as a subprocess with the payload on stdin, the working directory
as ``$1`` and the ``BUILD_*`` variables in its environment. The ``runner`` fixture
runs the same test on the host and, where Docker is available, in the image.
"""

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from container import container_runner, resource_image  # noqa: F401 - fixtures used by name.
from fake_robot import FakeRobot, RobotServer

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ASSETS = PROJECT_ROOT / "assets"

# Metadata of a pipeline build as Concourse 8 sets it for get and put steps.
BUILD_ENV = {
    "BUILD_ID": "1234",
    "BUILD_NAME": "42",
    "BUILD_TEAM_NAME": "main",
    "BUILD_PIPELINE_NAME": "shop-backend",
    "BUILD_JOB_NAME": "unit-tests",
    "ATC_EXTERNAL_URL": "https://ci.example.com",
}


# Every output of every script run in this session, and every robot key the tests
# used, so that the session can prove no key leaked into any of them.
ALL_OUTPUTS: list[str] = []
TEST_KEYS: set[str] = set()


@dataclass
class ScriptResult:
    """What a script wrote and returned."""

    returncode: int
    stdout: str
    stderr: str

    def __post_init__(self):
        ALL_OUTPUTS.extend([self.stdout, self.stderr])

    def json(self):
        return json.loads(self.stdout)


def new_test_key() -> str:
    """Return a fresh robot key and remember it for the leak check."""
    key = str(uuid.uuid4())
    TEST_KEYS.add(key)
    return key


@pytest.fixture(scope="session", autouse=True)
def no_key_in_any_output():
    """Fail the session if any script ever wrote a whole test key to stdout or stderr."""
    yield
    leaks = [key for key in TEST_KEYS if any(key in output for output in ALL_OUTPUTS)]
    assert not leaks, f"robot keys leaked into script output: {len(leaks)} of {len(TEST_KEYS)}"


class HostRunner:
    """Runs assets/check|in|out directly, with this interpreter's bin dir first on PATH."""

    name = "host"

    def run(self, script: str, payload, workdir: Path | None = None, env: dict | None = None) -> ScriptResult:
        """Run ``script`` with ``payload`` (a dict, or raw str/bytes) on stdin.

        ``env`` is the whole ``BUILD_*`` environment: pass ``BUILD_ENV`` plus extras,
        or a smaller mapping to imitate a one-off build or an older Concourse.
        """
        command = [str(ASSETS / script)]
        if workdir is not None:
            command.append(str(workdir))
        completed = subprocess.run(
            command,
            input=_payload_bytes(payload),
            capture_output=True,
            env=script_environment(env),
            timeout=120,
            check=False,
        )
        return ScriptResult(completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8"))


def script_environment(build_env: dict | None) -> dict:
    """Return a Concourse-like environment: PATH, locale and the build metadata."""
    environment = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        "LANG": "C.UTF-8",
        # Requests to the fake robot must not go through a proxy from the host.
        "NO_PROXY": "127.0.0.1,localhost",
    }
    environment.update(BUILD_ENV if build_env is None else build_env)
    return environment


def _payload_bytes(payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def robot_key() -> str:
    return new_test_key()


@pytest.fixture
def robot(robot_key):
    """A fake WeCom robot on 127.0.0.1 that accepts ``robot_key``."""
    server = RobotServer(FakeRobot(valid_keys={robot_key}))
    yield server.start()
    server.stop()


@pytest.fixture
def source(robot, robot_key) -> dict:
    """A resource ``source`` that points at the fake robot.

    It names ``msgtype`` so that the tests behave the same whichever default the
    project was generated with.
    """
    return {"webhook_url": robot.url(robot_key), "allow_http": True, "msgtype": "markdown"}


@pytest.fixture
def host_runner() -> HostRunner:
    return HostRunner()


@pytest.fixture(params=["host", pytest.param("container", marks=pytest.mark.docker)])
def runner(request):
    """The scripts on the host, then the same scripts inside the built image."""
    if request.param == "host":
        return HostRunner()
    return request.getfixturevalue("container_runner")


@pytest.fixture
def workdir(tmp_path) -> Path:
    """The put's working directory ``$1``, with one folder per input."""
    path = tmp_path / "put"
    path.mkdir()
    return path
