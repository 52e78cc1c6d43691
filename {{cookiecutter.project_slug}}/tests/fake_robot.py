"""A fake WeCom group robot on 127.0.0.1 that checks requests as the real service does.

Like the real robot, it answers HTTP 200 with an errcode for every rejected message:
93000 for an unknown key, 40008 for an unknown msgtype, 44004 for empty content and
40058 for content over the byte limit or a body that is not JSON. Tests can queue
faults (delays, resets, 5xx, malformed replies, errcodes) and set a rate limit.
"""

import json
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SEND_PATH = "/cgi-bin/webhook/send"
CONTENT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
KNOWN_MSGTYPES = {"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"}


@dataclass
class ReceivedRequest:
    """One HTTP request as the robot received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Fault:
    """A scripted misbehaviour for the next request.

    ``kind`` is one of "errcode", "http_status", "delay", "reset" and "malformed".
    """

    kind: str
    errcode: int = 0
    status: int = 200
    body: str = ""
    seconds: float = 0.0


@dataclass
class FakeRobot:
    """State shared between the test and the server thread."""

    valid_keys: set[str]
    host: str = "127.0.0.1"
    port: int = 0
    scheme: str = "http"
    requests: list[ReceivedRequest] = field(default_factory=list)
    delivered: list[dict] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    rate_limit: tuple[int, float] | None = None
    _accepted_times: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, key: str) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{SEND_PATH}?key={key}"

    def queue(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def record_earlier_messages(self, count: int) -> None:
        """Count ``count`` messages as accepted just now, as if other builds sent them."""
        with self._lock:
            self._accepted_times.extend([time.monotonic()] * count)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def handle(self, request: ReceivedRequest) -> tuple[int, dict]:
        """Return the HTTP status and JSON reply for a request that got no fault."""
        keys = request.query.get("key", [])
        if request.path != SEND_PATH or len(keys) != 1 or keys[0] not in self.valid_keys:
            return 200, _error(93000, "invalid webhook url")
        try:
            message = request.json()
        except (UnicodeDecodeError, ValueError):
            return 200, _error(40058, "Warning: wrong json format.")
        if not isinstance(message, dict):
            return 200, _error(40058, "Warning: wrong json format.")

        msgtype = message.get("msgtype")
        if msgtype not in KNOWN_MSGTYPES:
            return 200, _error(40008, "invalid message type")
        rejection = _check_content(msgtype, message.get(msgtype))
        if rejection:
            return 200, rejection

        with self._lock:
            if self.rate_limit and self._over_rate_limit():
                return 200, _error(45009, "api freq out of limit")
            self._accepted_times.append(time.monotonic())
            self.delivered.append(message)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _over_rate_limit(self) -> bool:
        count, window = self.rate_limit
        now = time.monotonic()
        recent = [moment for moment in self._accepted_times if now - moment < window]
        return len(recent) >= count


def _check_content(msgtype: str, body) -> dict | None:
    if msgtype not in CONTENT_LIMITS:
        return None
    if not isinstance(body, dict) or not body.get("content"):
        return _error(44004, "empty content")
    limit = CONTENT_LIMITS[msgtype]
    if len(body["content"].encode("utf-8")) > limit:
        return _error(40058, f"{msgtype}.content exceed max length {limit}")
    return None


def _error(errcode: int, errmsg: str) -> dict:
    # The real service appends a hint with a lookup link to every error.
    return {"errcode": errcode, "errmsg": f"{errmsg}, hint: [fake-robot], more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"}


def _make_handler(robot: FakeRobot):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            parts = urlsplit(self.path)
            request = ReceivedRequest(
                method="POST",
                path=parts.path,
                query=parse_qs(parts.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            with robot._lock:
                robot.requests.append(request)

            fault = robot._next_fault()
            if fault is None:
                self._reply(*robot.handle(request))
            elif fault.kind == "errcode":
                self._reply(200, _error(fault.errcode, fault.body or "scripted error"))
            elif fault.kind == "http_status":
                self._send_raw(fault.status, fault.body.encode("utf-8"), "text/html")
            elif fault.kind == "malformed":
                self._send_raw(200, fault.body.encode("utf-8") or b"{not json", "application/json")
            elif fault.kind == "delay":
                time.sleep(fault.seconds)
                self._reply(*robot.handle(request))
            elif fault.kind == "reset":
                # SO_LINGER with a zero timeout makes close() send a TCP reset.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()

        def _reply(self, status: int, reply: dict) -> None:
            self._send_raw(status, json.dumps(reply).encode("utf-8"), "application/json; charset=UTF-8")

        def _send_raw(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up first, for example after its read timeout.
                pass

        def log_message(self, format, *args):
            pass

    return Handler


class RobotServer:
    """Runs a :class:`FakeRobot` in a background thread until :meth:`stop`."""

    def __init__(self, robot: FakeRobot, tls_context: ssl.SSLContext | None = None):
        self.robot = robot
        self._server = ThreadingHTTPServer((robot.host, 0), _make_handler(robot))
        self._server.daemon_threads = True
        if tls_context is not None:
            self._server.socket = tls_context.wrap_socket(self._server.socket, server_side=True)
            robot.scheme = "https"
        robot.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> FakeRobot:
        self._thread.start()
        return self.robot

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
