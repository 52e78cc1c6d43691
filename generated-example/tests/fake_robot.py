"""A fake WeCom group robot on 127.0.0.1 that checks requests as the real service does.

Like the real robot, it returns HTTP 200 with an errcode for every rejected message:
93000 for an unknown key, 40008 for an unknown msgtype, 44004 for empty content and
40058 for content over the byte limit or a body that is not JSON. Tests can queue
faults (delays, resets, 5xx, malformed replies, errcodes) and set a rate limit.

It also enforces the documented rules of the other message types and of
upload_media: image MD5, size and format, 1 to 8 news articles with title and url,
media_ids that the same key uploaded, and the required template card fields. The
errcodes for these cases are guesses (40004-40009 for media, 40058 otherwise),
because the documentation does not say which code each broken rule returns.
"""

import base64
import binascii
import hashlib
import json
import re
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SEND_PATH = "/cgi-bin/webhook/send"
UPLOAD_PATH = "/cgi-bin/webhook/upload_media"
MEGABYTE = 1024 * 1024
UPLOAD_MAX_BYTES = {"file": 20 * MEGABYTE, "voice": 2 * MEGABYTE}
IMAGE_MAX_BYTES = 2 * MEGABYTE
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
class Upload:
    """A file received by upload_media: a media_id works only for the same key and type."""

    key: str
    media_type: str
    filename: str
    filelength: str
    data: bytes
    media_id: str


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
    uploads: list[Upload] = field(default_factory=list)
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
        if request.path not in (SEND_PATH, UPLOAD_PATH) or len(keys) != 1 or keys[0] not in self.valid_keys:
            return 200, _error(93000, "invalid webhook url")
        if request.path == UPLOAD_PATH:
            return 200, self._handle_upload(request, keys[0])
        try:
            message = request.json()
        except (UnicodeDecodeError, ValueError):
            return 200, _error(40058, "Warning: wrong json format.")
        if not isinstance(message, dict):
            return 200, _error(40058, "Warning: wrong json format.")

        msgtype = message.get("msgtype")
        if msgtype not in KNOWN_MSGTYPES:
            return 200, _error(40008, "invalid message type")
        rejection = _check_content(msgtype, message.get(msgtype)) or self._check_other_types(
            msgtype, message.get(msgtype), keys[0]
        )
        if rejection:
            return 200, rejection

        with self._lock:
            if self.rate_limit and self._over_rate_limit():
                return 200, _error(45009, "api freq out of limit")
            self._accepted_times.append(time.monotonic())
            self.delivered.append(message)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _handle_upload(self, request: ReceivedRequest, key: str) -> dict:
        media_type = request.query.get("type", [""])[0]
        if media_type not in UPLOAD_MAX_BYTES:
            return _error(40004, "invalid media type")
        part = _media_part(request)
        if part is None:
            return _error(40058, "missing media part")
        filename, filelength, data = part
        if len(data) <= 5 or len(data) > UPLOAD_MAX_BYTES[media_type]:
            return _error(40006, "invalid file size")
        if media_type == "voice" and not data.startswith(b"#!AMR"):
            return _error(40005, "invalid file type")
        with self._lock:
            media_id = f"fake-media-{len(self.uploads) + 1}"
            self.uploads.append(Upload(key, media_type, filename, filelength, data, media_id))
        return {"errcode": 0, "errmsg": "ok", "type": media_type, "media_id": media_id, "created_at": "1700000000"}

    def _check_other_types(self, msgtype: str, body, key: str) -> dict | None:
        if msgtype in CONTENT_LIMITS:
            return _check_mentions(body)
        if not isinstance(body, dict):
            return _error(40058, f"missing {msgtype}")
        if msgtype == "image":
            return _check_image(body)
        if msgtype == "news":
            return _check_news(body)
        if msgtype == "template_card":
            return _check_card(body)
        with self._lock:
            uploads = {upload.media_id: upload for upload in self.uploads}
        upload = uploads.get(body.get("media_id"))
        if upload is None or upload.key != key or upload.media_type != msgtype:
            return _error(40007, "invalid media_id")
        return None

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


def _check_mentions(body: dict) -> dict | None:
    for name in ("mentioned_list", "mentioned_mobile_list"):
        value = body.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return _error(40058, f"invalid {name}")
    return None


def _check_image(body: dict) -> dict | None:
    try:
        data = base64.b64decode(body.get("base64", ""), validate=True)
    except (binascii.Error, TypeError):
        return _error(40058, "invalid base64")
    if len(data) > IMAGE_MAX_BYTES:
        return _error(40009, "invalid image size")
    if not data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return _error(40005, "invalid file type")
    if body.get("md5") != hashlib.md5(data).hexdigest():  # noqa: S324 - the API's checksum.
        return _error(40058, "image md5 not match")
    return None


def _check_news(body: dict) -> dict | None:
    articles = body.get("articles")
    if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
        return _error(40058, "articles size must be 1 to 8")
    for article in articles:
        if not isinstance(article, dict) or not article.get("title") or not article.get("url"):
            return _error(40058, "article title and url are required")
    return None


def _check_card(card: dict) -> dict | None:
    action = card.get("card_action")
    if not isinstance(action, dict) or action.get("type") not in (1, 2):
        return _error(40058, "invalid card_action")
    required = "url" if action["type"] == 1 else "appid"
    if not action.get(required):
        return _error(40058, f"card_action.{required} is required")
    main_title = card.get("main_title") or {}
    if card.get("card_type") == "text_notice":
        if not main_title.get("title") and not card.get("sub_title_text"):
            return _error(40058, "main_title.title or sub_title_text is required")
    elif card.get("card_type") == "news_notice":
        if not main_title.get("title"):
            return _error(40058, "main_title is required")
        if not (card.get("card_image") or {}).get("url") and not (card.get("image_text_area") or {}).get("image_url"):
            return _error(40058, "card_image or image_text_area is required")
    else:
        return _error(40058, "invalid card_type")
    if len(card.get("horizontal_content_list", [])) > 6 or len(card.get("jump_list", [])) > 3:
        return _error(40058, "too many items")
    return None


def _media_part(request: ReceivedRequest) -> tuple[str, str, bytes] | None:
    """Return the filename, filelength and bytes of the multipart field "media"."""
    content_type = request.headers.get("content-type", "")
    boundary = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if not content_type.startswith("multipart/form-data") or boundary is None:
        return None
    delimiter = b"--" + boundary.group(1).encode("ascii")
    for section in request.body.split(delimiter)[1:-1]:
        head, separator, data = section.partition(b"\r\n\r\n")
        if not separator or not data.endswith(b"\r\n"):
            return None
        disposition = ""
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            if line.lower().startswith("content-disposition:"):
                disposition = line.split(":", 1)[1]
        parameters = dict(re.findall(r';\s*(\w+)="?([^";]*)"?', disposition))
        if parameters.get("name") == "media":
            return parameters.get("filename", ""), parameters.get("filelength", ""), data[:-2]
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
