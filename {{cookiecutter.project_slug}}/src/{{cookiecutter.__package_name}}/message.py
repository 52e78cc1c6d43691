"""WeCom message bodies built from the settings, the build metadata and the content.

Text, markdown and markdown_v2 alerts come from a template: the user's
``params.template`` or ``params.template_file``, or else the bundled one in
``alert_templates/<language>/``. Text over the type's byte limit is truncated or
split, as ``on_oversize`` selects. Images, files and voice recordings come from the
put's inputs, news articles and template cards from params or from the build.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import cards, limits, media
from .config import Settings
from .errors import ResourceError
from .i18n import tr
from .inputs import read_text_input
from .media import MediaFile
from .metadata import BuildMetadata
from .redaction import log
from .templating import render_default, render_user_template

# Maximum content size in UTF-8 bytes, as the WeCom robot documentation states.
CONTENT_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
TEXT_TYPES = tuple(CONTENT_LIMITS)
UPLOAD_TYPES = ("file", "voice")

# WeCom markdown supports only these three font colours. markdown_v2 has none.
STATUS_COLORS = {
    "succeeded": "info",
    "failed": "warning",
    "errored": "warning",
    "aborted": "comment",
    "started": "comment",
}
STATUS_ICONS = {
    "succeeded": "✅",
    "failed": "❌",
    "errored": "⚠️",
    "aborted": "⏹️",
    "started": "🚀",
}
TEMPLATE_FILES = {
    "markdown": "markdown.md.j2",
    "text": "text.txt.j2",
    "markdown_v2": "markdown_v2.md.j2",
    "news": "news.txt.j2",
}
# A split alert is sent as at most this many messages, because a robot accepts 20
# messages a minute. The last one ends with the truncation marker.
MAX_SPLIT_MESSAGES = 10
# A template card shows at most this many key/value rows.
CARD_ROWS = 6
# WeCom suggests at most this many characters for a card's sub_title_text.
CARD_SUBTITLE_CHARACTERS = 112


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to send to every robot.

    For file and voice messages ``media`` is uploaded to each robot first, because a
    media_id works only for the robot that uploaded it.
    """

    body: dict
    media: MediaFile | None = None

    def body_for_robot(self, upload: Callable[[MediaFile], str]) -> dict:
        """Return the body to send, uploading ``media`` with ``upload`` when there is one."""
        if self.media is None:
            return self.body
        msgtype = self.body["msgtype"]
        return {"msgtype": msgtype, msgtype: {"media_id": upload(self.media)}}

    def preview(self) -> dict:
        """Return the body for a dry run, with placeholders for the media_id and the image data."""
        body = self.body_for_robot(lambda file: f"<media_id of {file.filename}>")
        if body["msgtype"] == "image":
            image = body["image"]
            body = {"msgtype": "image", "image": {**image, "base64": f"<{len(image['base64'])} characters of base64>"}}
        return body


def build_messages(
    settings: Settings, build: BuildMetadata, content: str | None, workdir: str, now: datetime
) -> list[OutgoingMessage]:
    """Build the messages of one put, in order, checking every input before anything is sent."""
    msgtype = settings.msgtype
    context = alert_context(settings, build, content, now)
    _warn_ignored(settings)
    if msgtype in TEXT_TYPES:
        return _text_messages(settings, context, workdir)

    _reject_text_options(settings)
    if msgtype == "image":
        if not settings.image_file:
            raise ResourceError(tr("image_file_missing"))
        return [OutgoingMessage({"msgtype": "image", "image": media.image_body(workdir, settings.image_file)})]
    if msgtype in UPLOAD_TYPES:
        if not settings.media_file:
            raise ResourceError(tr("media_file_missing", msgtype=msgtype))
        upload = media.media_file(workdir, settings.media_file, msgtype)
        return [OutgoingMessage({"msgtype": msgtype, msgtype: {"media_id": ""}}, upload)]
    if msgtype == "news":
        return [OutgoingMessage({"msgtype": "news", "news": {"articles": _articles(settings, context)}})]
    return [OutgoingMessage({"msgtype": "template_card", "template_card": _card(settings, context)})]


def alert_context(settings: Settings, build: BuildMetadata, content: str | None, now: datetime) -> dict:
    """Collect the variables that alert templates can use."""
    status = settings.status or ""
    label = tr(f"status_{status}") if status else tr("status_none")
    icon = STATUS_ICONS.get(status, "🔔")
    return {
        "msgtype": settings.msgtype,
        "status": status,
        "status_label": label,
        "status_icon": icon,
        "status_color": STATUS_COLORS.get(status, ""),
        "title": settings.title or f"{icon} {label}",
        "team": build.team,
        "pipeline": build.pipeline,
        "job": build.job,
        "build_name": build.build_name,
        "build_id": build.build_id,
        "build_url": build.url(),
        "instance_vars": build.instance_vars,
        "created_by": build.created_by,
        "time": now.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M:%S"),
        "timezone": str(settings.timezone),
        "content": content or "",
    }


def _text_messages(settings: Settings, context: dict, workdir: str) -> list[OutgoingMessage]:
    msgtype = settings.msgtype
    text = _render_text(settings, context, workdir)

    mentions = ""
    if msgtype == "markdown":
        # WeCom ignores mentioned_list for markdown, so mentions go into the text.
        mentions = " ".join(f"<@{user}>" for user in settings.mentioned_list)
        mentions = f"\n{mentions}" if mentions else ""

    limit = CONTENT_LIMITS[msgtype] - limits.utf8_size(mentions)
    parts = _fit(text, limit, settings.on_oversize)
    parts[-1] += mentions

    messages = [OutgoingMessage({"msgtype": msgtype, msgtype: {"content": part}}) for part in parts]
    if msgtype == "text":
        # Mentions ride on the last part, so people are notified when the whole alert is there.
        last = messages[-1].body["text"]
        if settings.mentioned_list:
            last["mentioned_list"] = list(settings.mentioned_list)
        if settings.mentioned_mobile_list:
            last["mentioned_mobile_list"] = list(settings.mentioned_mobile_list)
    return messages


def _render_text(settings: Settings, context: dict, workdir: str) -> str:
    if settings.template is not None and settings.template_file is not None:
        raise ResourceError(tr("template_both"))
    if settings.template is not None:
        text = render_user_template(settings.template, "params.template", context)
    elif settings.template_file is not None:
        source = read_text_input(workdir, settings.template_file, "params.template_file")
        text = render_user_template(source, "params.template_file", context)
    else:
        text = render_default(TEMPLATE_FILES[settings.msgtype], context)
    if not text.strip():
        raise ResourceError(tr("message_empty"))
    return text


def _fit(text: str, limit: int, on_oversize: str) -> list[str]:
    if limits.utf8_size(text) <= limit:
        return [text]
    if on_oversize == "truncate":
        log(tr("content_truncated", limit=limit))
        return [limits.truncate(text, limit, tr("truncated_marker"))]

    # Trailing blank lines are cut from each part, and blank parts are dropped,
    # because the robot rejects empty content.
    parts = [part.rstrip() for part in limits.split(text, limit)]
    parts = [part for part in parts if part.strip()]
    if len(parts) > MAX_SPLIT_MESSAGES:
        log(tr("content_split_truncated", limit=limit, count=len(parts), maximum=MAX_SPLIT_MESSAGES))
        marker = tr("truncated_marker")
        parts = parts[:MAX_SPLIT_MESSAGES]
        parts[-1] = limits.truncate(parts[-1], limit - limits.utf8_size(marker), "") + marker
        return parts
    log(tr("content_split", limit=limit, count=len(parts)))
    return parts


def _warn_ignored(settings: Settings) -> None:
    """Log the set options that the message type cannot carry, so a lost mention is visible."""
    ignored = ["mentioned_list"] if settings.msgtype not in ("text", "markdown") else []
    if settings.msgtype != "text":
        ignored.append("mentioned_mobile_list")
    if settings.msgtype in ("image", *UPLOAD_TYPES):
        ignored += ["title", "content", "content_file"]
    has_own_body = (settings.msgtype == "news" and settings.articles) or (
        settings.msgtype == "template_card" and settings.card
    )
    if has_own_body:
        ignored += ["title", "content", "content_file"]
    present = [name for name in ignored if getattr(settings, name)]
    if present:
        log(tr("options_ignored", msgtype=settings.msgtype, fields=", ".join(present)))


def _reject_text_options(settings: Settings) -> None:
    if settings.template is not None or settings.template_file is not None:
        raise ResourceError(tr("template_wrong_msgtype", msgtype=settings.msgtype))


def _articles(settings: Settings, context: dict) -> list[dict]:
    if settings.articles:
        return cards.check_articles(list(settings.articles))
    # Without articles, one article links to the build: its title is the alert title
    # and its description names the job and carries the content.
    if not context["build_url"]:
        raise ResourceError(tr("news_no_build_url"))
    article = {
        "title": context["title"],
        "description": render_default(TEMPLATE_FILES["news"], context),
        "url": context["build_url"],
    }
    return [cards.fit_article(article)]


def _card(settings: Settings, context: dict) -> dict:
    if settings.card is not None:
        return cards.check_card(settings.card, context["build_url"])
    if not context["build_url"]:
        raise ResourceError(tr("card_action_missing", field="params.card.card_action"))

    rows = [
        (tr("label_team"), context["team"]),
        (tr("label_pipeline"), context["pipeline"]),
        (tr("label_job"), context["job"]),
        (tr("label_build"), f"#{context['build_name']}" if context["build_name"] else ""),
        (tr("label_time"), context["time"]),
    ]
    card = {
        "card_type": "text_notice",
        "main_title": {"title": context["title"]},
        "horizontal_content_list": [{"keyname": name, "value": value} for name, value in rows if value][:CARD_ROWS],
        "card_action": {"type": 1, "url": context["build_url"]},
    }
    content = context["content"].strip()
    if content:
        if len(content) > CARD_SUBTITLE_CHARACTERS:
            content = content[: CARD_SUBTITLE_CHARACTERS - 1] + "…"
        card["sub_title_text"] = content
    return card
