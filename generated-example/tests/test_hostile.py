"""Property tests: whatever arrives on stdin, a script writes one JSON document or nothing.

A closed port on 127.0.0.1 replaces every robot and proxy here, so random
payloads can never reach another host.
"""

import json
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUILD_ENV, HostRunner, new_test_key

KEY = new_test_key()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CLOSED_PORT = _closed_port()
CLOSED_ROBOT = f"http://127.0.0.1:{CLOSED_PORT}/cgi-bin/webhook/send?key={KEY}"
# Any request that ignores the source still ends at the closed port.
NETWORK_ENV = {
    **BUILD_ENV,
    "HTTP_PROXY": f"http://127.0.0.1:{CLOSED_PORT}",
    "HTTPS_PROXY": f"http://127.0.0.1:{CLOSED_PORT}",
}

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
known_keys = st.sampled_from(
    ["webhook_url", "key", "msgtype", "status", "content", "content_file", "dry_run", "timeout", "retry",
     "mentioned_list", "timezone", "allow_http", "title", "ignore_errors"]
)
known_values = st.sampled_from(
    [CLOSED_ROBOT, KEY, "markdown", "text", "failed", "succeeded", True, False, 1, 0.5, "Asia/Shanghai",
     "../x", "/etc/hostname", ["@all"], {"max_attempts": 1}, "", None]
)
sections = st.dictionaries(known_keys, known_values | json_values, max_size=6)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "source": sections | json_values,
        "params": sections | json_values,
        "version": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2) | json_values,
    },
)
raw_inputs = st.binary(max_size=64) | st.text(max_size=64).map(str.encode)


def assert_protocol_output(result):
    assert "Traceback" not in result.stderr, result.stderr
    assert KEY not in result.stdout + result.stderr
    if result.returncode == 0:
        json.loads(result.stdout)
        assert result.stdout.count("\n") == 1
    else:
        assert result.returncode == 1
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) >= 1


@pytest.mark.parametrize("script", ["check", "in", "out"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads)
def test_random_payload_never_breaks_protocol(script, payload, tmp_path):
    result = HostRunner().run(script, payload, tmp_path if script != "check" else None, env=NETWORK_ENV)

    assert_protocol_output(result)


@pytest.mark.parametrize("script", ["check", "in", "out"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_inputs)
def test_random_bytes_never_break_protocol(script, raw, tmp_path):
    result = HostRunner().run(script, raw, tmp_path if script != "check" else None, env=NETWORK_ENV)

    assert_protocol_output(result)
