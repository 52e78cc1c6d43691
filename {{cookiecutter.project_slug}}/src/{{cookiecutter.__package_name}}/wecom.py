"""HTTP client for the WeCom group robot webhook API.

The robot answers HTTP 200 even when it rejects a message, so success means
``errcode == 0`` in the JSON reply. Every text that could contain the URL passes
through :func:`.redaction.redact` before it reaches an exception or the log.
"""

import json
from dataclasses import dataclass

import requests

from .config import Webhook
from .errors import ResourceError
from .i18n import errcode_hint, tr
from .redaction import redact

# Seconds to wait for the TCP and TLS handshake; the read timeout is configurable.
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class RobotReply:
    """The robot's JSON reply to a send request."""

    errcode: int
    errmsg: str


class RobotError(ResourceError):
    """The robot rejected the message or could not be reached."""

    def __init__(self, message: str, errcode: int | None = None):
        super().__init__(message)
        self.errcode = errcode


def send_message(webhook: Webhook, body: dict, timeout: float) -> RobotReply:
    """POST ``body`` to the robot as UTF-8 JSON and return its reply.

    Raises :class:`RobotError` when the request fails or ``errcode`` is not 0.
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    try:
        response = requests.post(webhook.url, data=data, headers=headers, timeout=(CONNECT_TIMEOUT, timeout))
    except requests.Timeout as error:
        raise RobotError(tr("send_timeout", url=webhook.masked_url(), seconds=timeout)) from error
    except requests.RequestException as error:
        raise RobotError(tr("send_failed", url=webhook.masked_url(), error=redact(str(error)))) from error

    if response.status_code != 200:
        raise RobotError(
            tr("http_status", url=webhook.masked_url(), status=response.status_code, body=_excerpt(response.text))
        )
    reply = _parse_reply(response, webhook)
    if reply.errcode != 0:
        raise RobotError(
            tr("robot_rejected", errcode=reply.errcode, errmsg=redact(reply.errmsg), hint=errcode_hint(reply.errcode)),
            errcode=reply.errcode,
        )
    return reply


def _parse_reply(response: requests.Response, webhook: Webhook) -> RobotReply:
    try:
        reply = response.json()
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or not isinstance(reply.get("errcode"), int):
        raise RobotError(tr("reply_invalid", url=webhook.masked_url(), body=_excerpt(response.text)))
    return RobotReply(errcode=reply["errcode"], errmsg=str(reply.get("errmsg", "")))


def _excerpt(text: str, limit: int = 200) -> str:
    one_line = " ".join(redact(text).split())
    return one_line if len(one_line) <= limit else one_line[:limit] + "…"
