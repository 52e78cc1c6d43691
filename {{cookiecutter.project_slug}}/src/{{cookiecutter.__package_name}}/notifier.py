"""The work of ``out``: validate, build the WeCom message, send it, report the result.

:mod:`.protocol` calls :func:`publish` and contains no other WeCom-specific code.
"""

import json
import sys
from datetime import UTC, datetime

from .config import load_settings
from .delivery import deliver
from .i18n import tr
from .inputs import MissingInput, read_text_input
from .message import build_messages
from .metadata import BuildMetadata
from .redaction import log, redact


def publish(source: dict, params: dict, workdir: str, env) -> tuple[dict, list[dict]]:
    """Send one alert and return the version and metadata that ``out`` prints."""
    build = BuildMetadata.from_env(env)
    settings = load_settings(source, params, build.status or None)
    now = datetime.now(UTC)
    version = _version(build, now)
    metadata = {
        "msgtype": settings.msgtype,
        "status": settings.status or "none",
        "robot": ", ".join(webhook.masked_url() for webhook in settings.webhooks),
    }

    if settings.disable:
        log(tr("disabled"))
        return version, _metadata_pairs({**metadata, "sent": "false", "reason": "disable"})

    content = settings.content
    if settings.content_file:
        try:
            file_text = read_text_input(workdir, settings.content_file, "content_file")
        except MissingInput:
            if not settings.skip_if_missing:
                raise
            log(tr("skipped_missing", path=settings.content_file))
            return version, _metadata_pairs({**metadata, "sent": "false", "reason": "skip_if_missing"})
        if not file_text.strip() and settings.skip_if_empty:
            log(tr("skipped_empty", path=settings.content_file))
            return version, _metadata_pairs({**metadata, "sent": "false", "reason": "skip_if_empty"})
        content = "\n\n".join(part for part in (content, file_text.strip()) if part)

    messages = build_messages(settings, build, content, workdir, now)

    if settings.dry_run:
        log(tr("dry_run", url=metadata["robot"]))
        for message in messages:
            print(redact(_json(message.preview())), file=sys.stderr)
        return version, _metadata_pairs({**metadata, "sent": "false", "reason": "dry_run"})

    return version, _metadata_pairs({**metadata, **deliver(settings, messages)})


def _version(build: BuildMetadata, now: datetime) -> dict:
    # Unique per put: the send time to the microsecond, plus the build for context.
    version = {"sent_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    if build.build_id:
        version["build_id"] = build.build_id
    return version


def _metadata_pairs(values: dict) -> list[dict]:
    return [{"name": name, "value": redact(str(value))} for name, value in values.items()]


def _json(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, indent=2)
