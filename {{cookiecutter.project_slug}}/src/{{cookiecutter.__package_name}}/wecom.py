"""HTTP client for the WeCom group robot webhook API.

The robot returns HTTP 200 even when it rejects a message, so success means
``errcode == 0`` in the JSON reply. Every text that could contain the URL passes
through :func:`.redaction.redact` before it reaches an exception or the log.

Which failures are retried:

- connection errors, HTTP 5xx and 429, a reply that is not JSON, errcode -1 (busy)
  and 45009 (rate limit): yes, with backoff;
- a read timeout: only with ``retry.on_read_timeout``, because the robot may already
  have accepted the message;
- any other errcode, such as 93000 (invalid key) or 40058 (invalid parameter): never,
  because sending the same request again cannot succeed.
"""

import atexit
import json
import os
import tempfile
import urllib.parse
from dataclasses import dataclass

import requests
import urllib3

from .config import Settings, Webhook
from .errors import ResourceError
from .i18n import errcode_hint, tr
from .redaction import log, redact
from .retry import TransientError, call_with_retries

# Seconds to wait for the TCP and TLS handshake; the read timeout is configurable.
CONNECT_TIMEOUT = 5.0

# errcodes worth another attempt: -1 is "system busy", 45009 the rate limit.
BUSY_ERRCODE = -1
RATE_LIMIT_ERRCODE = 45009
# A robot accepts 20 messages a minute, so a rate-limited send waits a while.
RATE_LIMIT_MIN_DELAY = 3.0


@dataclass(frozen=True)
class RobotReply:
    """The robot's JSON reply: errcode 0 and "ok" on success, plus any other fields."""

    errcode: int
    errmsg: str
    fields: dict


class RobotError(ResourceError):
    """The robot rejected the message or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None):
        super().__init__(message)
        self.errcode = errcode


class RobotClient:
    """Sends requests to one robot with the network settings of a put."""

    def __init__(self, webhook: Webhook, settings: Settings):
        self.webhook = webhook
        self.settings = settings
        self.session = requests.Session()
        if settings.proxy:
            self.session.proxies = {"http": settings.proxy, "https": settings.proxy}
        if settings.insecure_skip_verify:
            log(tr("insecure_warning"))
            self.session.verify = False
            _silence_urllib3_insecure_warning()
        elif settings.ca_certs:
            self.session.verify = _write_ca_bundle(settings.ca_certs)

    def send_message(self, body: dict) -> RobotReply:
        """POST ``body`` as UTF-8 JSON to the send URL, retrying transient failures."""
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        return call_with_retries(
            lambda: self._post_once(self.webhook.url, data=data, headers=headers),
            self.settings.retry,
        )

    def upload_media(self, path: str, media_type: str, filename: str | None = None) -> str:
        """Upload a file through upload_media and return its media_id.

        ``media_type`` is "file" or "voice". A media_id is valid for 3 days and only
        for the robot that uploaded it, so each robot of a put uploads its own copy.
        """
        with open(path, "rb") as file:
            data = file.read()
        body, content_type = _multipart_media(data, filename or os.path.basename(path))
        url = upload_url(self.webhook.url, media_type)
        reply = call_with_retries(
            lambda: self._post_once(url, data=body, headers={"Content-Type": content_type}),
            self.settings.retry,
        )
        media_id = reply.fields.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise RobotError(tr("upload_no_media_id", url=redact(url), body=_excerpt(json.dumps(reply.fields))))
        return media_id

    def _post_once(self, url: str, **request_arguments) -> RobotReply:
        """Make one POST and classify the outcome as success, transient or final failure."""
        masked_url = redact(url)
        timeout = self.settings.timeout
        try:
            response = self.session.post(url, timeout=(CONNECT_TIMEOUT, timeout), **request_arguments)
        except requests.exceptions.ConnectTimeout as error:
            final = RobotError(tr("send_timeout", url=masked_url, seconds=CONNECT_TIMEOUT))
            raise TransientError(tr("reason_connection", error=_one_line(error)), final) from None
        except requests.exceptions.ReadTimeout:
            final = RobotError(tr("read_timeout_not_retried", url=masked_url, seconds=timeout))
            if self.settings.retry.on_read_timeout:
                final = RobotError(tr("send_timeout", url=masked_url, seconds=timeout))
                raise TransientError(tr("reason_read_timeout"), final) from None
            raise final from None
        except requests.exceptions.ConnectionError as error:
            final = RobotError(tr("send_failed", url=masked_url, error=_one_line(error)))
            raise TransientError(tr("reason_connection", error=_one_line(error)), final) from None
        except requests.RequestException as error:
            raise RobotError(tr("send_failed", url=masked_url, error=_one_line(error))) from None

        return self._read_reply(response, masked_url)

    def _read_reply(self, response: requests.Response, masked_url: str) -> RobotReply:
        status = response.status_code
        if status != 200:
            final = RobotError(tr("http_status", url=masked_url, status=status, body=_excerpt(response.text)))
            if status >= 500 or status == 429:
                raise TransientError(tr("reason_http_status", status=status), final, _retry_after(response))
            raise final

        try:
            reply = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or not isinstance(reply.get("errcode"), int):
            final = RobotError(tr("reply_invalid", url=masked_url, body=_excerpt(response.text)))
            raise TransientError(tr("reason_malformed"), final)

        errcode = reply["errcode"]
        if errcode == 0:
            return RobotReply(errcode=0, errmsg=str(reply.get("errmsg", "")), fields=reply)

        errmsg = redact(str(reply.get("errmsg", "")))
        final = RobotError(
            tr("robot_rejected", url=masked_url, errcode=errcode, errmsg=errmsg, hint=errcode_hint(errcode)), errcode
        )
        if errcode == BUSY_ERRCODE:
            raise TransientError(tr("reason_errcode", errcode=errcode), final)
        if errcode == RATE_LIMIT_ERRCODE:
            raise TransientError(tr("reason_errcode", errcode=errcode), final, RATE_LIMIT_MIN_DELAY)
        raise final


def upload_url(send_url: str, media_type: str) -> str:
    """Return the upload_media URL of the robot whose send URL is ``send_url``.

    The last path segment ("send") becomes "upload_media", and ``type`` joins the
    query next to ``key``, so gateways that proxy the whole path keep working.
    """
    parts = urllib.parse.urlsplit(send_url)
    path = parts.path.rsplit("/", 1)[0] + "/upload_media"
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(name, value) for name, value in query if name != "type"] + [("type", media_type)]
    return urllib.parse.urlunsplit(parts._replace(path=path, query=urllib.parse.urlencode(query)))


def _multipart_media(data: bytes, filename: str) -> tuple[bytes, str]:
    # The API documents the part as name="media" with filename and filelength in
    # Content-Disposition. requests cannot add filelength, so urllib3 encodes it.
    field = urllib3.fields.RequestField(name="media", data=data, filename=filename)
    field.make_multipart(content_type="application/octet-stream")
    field.headers["Content-Disposition"] += f"; filelength={len(data)}"
    return urllib3.encode_multipart_formdata([field])


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 0.0


def _write_ca_bundle(pem: str) -> str:
    # requests needs a file path. The system store may be read-only on workers,
    # so the certificates go to a private temporary file instead.
    file_descriptor, path = tempfile.mkstemp(prefix="wecom-ca-", suffix=".pem")
    with os.fdopen(file_descriptor, "w", encoding="utf-8") as bundle:
        bundle.write(pem)
    atexit.register(os.unlink, path)
    return path


def _silence_urllib3_insecure_warning() -> None:
    # The resource prints its own warning once per put instead.
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def _one_line(error: Exception) -> str:
    return " ".join(redact(str(error)).split())


def _excerpt(text: str, limit: int = 200) -> str:
    one_line = " ".join(redact(text).split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"
