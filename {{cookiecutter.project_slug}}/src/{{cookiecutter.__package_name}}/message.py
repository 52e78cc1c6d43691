"""WeCom message bodies built from the settings, the build metadata and the content.

The alert text comes from Jinja2 templates in ``alert_templates/<language>/``. They
render in a sandbox with undefined names as errors, and user content is passed in
as data, so braces in a commit message arrive literally.
"""

import os
from datetime import datetime

import jinja2
import jinja2.sandbox

from .config import Settings
from .errors import ResourceError
from .i18n import LANGUAGE, tr
from .metadata import BuildMetadata

# Maximum content size in UTF-8 bytes, as the WeCom robot documentation states.
CONTENT_LIMITS = {"text": 2048, "markdown": 4096}

# WeCom markdown supports only these three font colours.
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
TEMPLATE_FILES = {"markdown": "markdown.md.j2", "text": "text.txt.j2"}
TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "alert_templates", LANGUAGE)


def build_message(settings: Settings, build: BuildMetadata, content: str | None, now: datetime) -> dict:
    """Build the JSON body for the robot's send API."""
    context = alert_context(settings, build, content, now)
    text = render_alert(TEMPLATE_FILES[settings.msgtype], context)

    if settings.msgtype == "markdown":
        # WeCom ignores mentioned_list for markdown, so mentions go into the text.
        mentions = " ".join(f"<@{user}>" for user in settings.mentioned_list)
        if mentions:
            text = f"{text}\n{mentions}"
        return {"msgtype": "markdown", "markdown": {"content": fit_to_limit(text, CONTENT_LIMITS["markdown"])}}

    body: dict = {"content": fit_to_limit(text, CONTENT_LIMITS["text"])}
    if settings.mentioned_list:
        body["mentioned_list"] = list(settings.mentioned_list)
    if settings.mentioned_mobile_list:
        body["mentioned_mobile_list"] = list(settings.mentioned_mobile_list)
    return {"msgtype": "text", "text": body}


def alert_context(settings: Settings, build: BuildMetadata, content: str | None, now: datetime) -> dict:
    """Collect the variables that alert templates can use."""
    status = settings.status or ""
    label = tr(f"status_{status}") if status else tr("status_none")
    icon = STATUS_ICONS.get(status, "🔔")
    return {
        "status": status,
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


def render_alert(template_name: str, context: dict) -> str:
    """Render one alert template from :data:`TEMPLATE_DIR`."""
    environment = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    try:
        return environment.get_template(template_name).render(context).strip()
    except jinja2.TemplateError as error:
        raise ResourceError(tr("template_failed", name=template_name, error=error)) from error


def fit_to_limit(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes on a character boundary, with a marker."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    marker = tr("truncated_marker")
    room = limit - len(marker.encode("utf-8"))
    # errors="ignore" drops the partial multi-byte character left at the cut.
    return encoded[:room].decode("utf-8", errors="ignore") + marker
