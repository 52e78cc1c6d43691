"""TLS to the robot: a private CA through ca_certs, and insecure_skip_verify."""

import ssl
import subprocess

import pytest

from fake_robot import FakeRobot, RobotServer


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory):
    """Create a CA and a certificate for 127.0.0.1 signed by it, with the openssl CLI."""
    directory = tmp_path_factory.mktemp("pki")

    def openssl(*arguments):
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test Private CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "robot.key",
            "-out", "robot.csr")
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="ascii")
    openssl("x509", "-req", "-in", "robot.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "robot.pem")
    return directory


@pytest.fixture
def tls_robot(private_ca, robot_key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(private_ca / "robot.pem", private_ca / "robot.key")
    server = RobotServer(FakeRobot(valid_keys={robot_key}), tls_context=context)
    yield server.start()
    server.stop()


def test_private_ca_from_ca_certs(host_runner, tls_robot, robot_key, private_ca, workdir):
    source = {"webhook_url": tls_robot.url(robot_key), "ca_certs": (private_ca / "ca.pem").read_text()}
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(tls_robot.delivered) == 1


def test_unknown_ca_fails_cleanly(host_runner, tls_robot, robot_key, workdir):
    source = {"webhook_url": tls_robot.url(robot_key), "retry": {"max_attempts": 1}}
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 1
    assert result.stdout == ""
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr or "certificate" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert tls_robot.delivered == []


def test_insecure_skip_verify_sends_with_warning(host_runner, tls_robot, robot_key, workdir):
    source = {"webhook_url": tls_robot.url(robot_key), "insecure_skip_verify": True}
    result = host_runner.run("out", {"source": source}, workdir)

    assert result.returncode == 0, result.stderr
    assert len(tls_robot.delivered) == 1
    assert "insecure_skip_verify" in result.stderr
    assert "InsecureRequestWarning" not in result.stderr
