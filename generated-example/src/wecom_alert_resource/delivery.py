"""Delivery of a put's messages to every robot, in order, with one result for all.

A failing robot does not stop the others: each robot gets its chance, and the step
fails afterwards, unless ``ignore_errors`` is set. The metadata reports how many robots
received every message, for example ``robots: 2/3``.
"""

from .config import Settings, Webhook
from .i18n import tr
from .media import MediaFile
from .message import OutgoingMessage
from .redaction import log
from .wecom import RobotClient, RobotError, RobotReply


def deliver(settings: Settings, messages: list[OutgoingMessage]) -> dict:
    """Send ``messages`` to every robot of ``settings`` and return the metadata to report.

    :raises RobotError: if a robot failed and ``ignore_errors`` is false. With one
        robot it is that robot's error, with several it lists every failure.
    """
    total = len(settings.webhooks)
    failures: list[tuple[Webhook, RobotError]] = []
    last_reply: RobotReply | None = None
    for webhook in settings.webhooks:
        try:
            last_reply = _send_all(RobotClient(webhook, settings), messages)
        except RobotError as error:
            failures.append((webhook, error))
            if total > 1:
                log(tr("robot_failed", url=webhook.masked_url(), error=str(error)))
            continue
        if len(messages) > 1:
            log(tr("sent_parts", url=webhook.masked_url(), count=len(messages)))
        else:
            log(tr("sent", url=webhook.masked_url()))

    delivered = total - len(failures)
    metadata = {"robots": f"{delivered}/{total}", "messages": str(len(messages))}
    if not failures:
        return {"sent": "true", **metadata, "errcode": "0", "errmsg": last_reply.errmsg if last_reply else ""}

    error = failures[0][1]
    if total > 1:
        details = "; ".join(f"{webhook.masked_url()}: {failure}" for webhook, failure in failures)
        error = RobotError(tr("robots_failed", failed=len(failures), total=total, errors=details), error.errcode)
    if not settings.ignore_errors:
        raise error
    log(tr("ignored_error", error=str(error)))
    errcode = "" if failures[0][1].errcode is None else str(failures[0][1].errcode)
    sent = "false" if delivered == 0 else "partial"
    return {"sent": sent, **metadata, "errcode": errcode, "error": str(error)}


def _send_all(client: RobotClient, messages: list[OutgoingMessage]) -> RobotReply:
    # A failed part stops this robot, because later parts would arrive out of context.
    reply = None
    for message in messages:
        reply = client.send_message(message.body_for_robot(lambda file: _upload(client, file)))
    return reply


def _upload(client: RobotClient, file: MediaFile) -> str:
    log(tr("uploading", name=file.filename, size=file.size, url=client.webhook.masked_url()))
    return client.upload_media(file.path, file.media_type, file.filename)
