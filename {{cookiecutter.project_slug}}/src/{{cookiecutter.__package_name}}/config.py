"""Configuration: merge ``source`` with ``params`` and validate every field.

All checks run before any network call, and each error names the field and the
fix. A key given in ``params`` overrides the same key in ``source``, so a single
resource can serve puts that need a different message type or robot.
"""

import difflib
import re
import urllib.parse
import zoneinfo
from dataclasses import dataclass

from .errors import ResourceError
from .i18n import tr
from .redaction import redact, register_secret

WECOM_SEND_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
DEFAULT_TIMEZONE = {{ cookiecutter.timezone | tojson }}
DEFAULT_MSGTYPE = {{ cookiecutter.default_msgtype | tojson }}

MSGTYPES = ("markdown", "text", "markdown_v2", "image", "news", "file", "voice", "template_card")
ON_OVERSIZE = ("truncate", "split")
STATUSES = ("succeeded", "failed", "errored", "aborted", "started")

# A robot key is a UUID in practice. The pattern is looser than a UUID so that a
# gateway with its own key format still works, but it rejects URLs and spaces.
KEY_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{7,127}")

# Read timeout in seconds for one request to the robot.
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 120.0

# Retries: at most this many attempts in all, stopping early when the next wait
# would end later than max_seconds after the first attempt started.
DEFAULT_MAX_ATTEMPTS = 4
MAX_ATTEMPTS_LIMIT = 10
DEFAULT_MAX_RETRY_SECONDS = 60.0
MAX_RETRY_SECONDS_LIMIT = 600.0


@dataclass(frozen=True)
class Field:
    """The expected JSON type of one configuration key."""

    kind: type | tuple[type, ...]
    choices: tuple[str, ...] = ()
    list_of_strings: bool = False


FIELDS: dict[str, Field] = {
    "webhook_url": Field((str, list), list_of_strings=True),
    "key": Field((str, list), list_of_strings=True),
    "msgtype": Field(str, choices=MSGTYPES),
    "status": Field(str, choices=STATUSES),
    "title": Field(str),
    "content": Field(str),
    "content_file": Field(str),
    "mentioned_list": Field(list, list_of_strings=True),
    "mentioned_mobile_list": Field(list, list_of_strings=True),
    "timezone": Field(str),
    "timeout": Field((int, float)),
    "dry_run": Field(bool),
    "allow_http": Field(bool),
    "ignore_errors": Field(bool),
    "disable": Field(bool),
    "skip_if_missing": Field(bool),
    "skip_if_empty": Field(bool),
    "retry": Field(dict),
    "proxy": Field(str),
    "ca_certs": Field(str),
    "insecure_skip_verify": Field(bool),
    "template": Field(str),
    "template_file": Field(str),
    "on_oversize": Field(str, choices=ON_OVERSIZE),
    "image_file": Field(str),
    "media_file": Field(str),
    "articles": Field(list),
    "card": Field(dict),
}

RETRY_FIELDS: dict[str, Field] = {
    "max_attempts": Field(int),
    "max_seconds": Field((int, float)),
    "on_read_timeout": Field(bool),
}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and for how long to retry a send that failed for a transient reason."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_seconds: float = DEFAULT_MAX_RETRY_SECONDS
    # A read timeout leaves it unknown whether the robot got the message, so by
    # default it is not retried: a lost alert fails the step, a duplicate would not.
    on_read_timeout: bool = False


@dataclass(frozen=True)
class Webhook:
    """The robot's send URL and the key inside it."""

    url: str
    key: str

    def masked_url(self) -> str:
        """Return the URL with the key masked, for logs and metadata."""
        return redact(self.url)


@dataclass(frozen=True)
class Settings:
    """Validated settings for one put.

    ``webhooks`` lists every robot to notify, in order. ``webhook`` is the first one.
    ``articles`` and ``card`` are checked when the message is built.
    """

    msgtype: str
    status: str | None
    title: str | None
    content: str | None
    content_file: str | None
    mentioned_list: tuple[str, ...]
    mentioned_mobile_list: tuple[str, ...]
    timezone: zoneinfo.ZoneInfo
    timeout: float
    dry_run: bool
    ignore_errors: bool
    disable: bool
    skip_if_missing: bool
    skip_if_empty: bool
    retry: RetryPolicy
    proxy: str | None
    ca_certs: str | None
    insecure_skip_verify: bool
    webhooks: tuple[Webhook, ...]
    template: str | None
    template_file: str | None
    on_oversize: str
    image_file: str | None
    media_file: str | None
    articles: tuple
    card: dict | None


def load_settings(source: dict, params: dict, build_status: str | None) -> Settings:
    """Validate ``source`` and ``params`` and merge them into :class:`Settings`.

    ``build_status`` is ``$BUILD_STATUS``, the default for ``params.status``.
    """
    # Register the keys first, so that no later error message can show one.
    for section in (source, params):
        _register_webhook_secrets(section)
    _reject_unknown_keys(source, "source")
    _reject_unknown_keys(params, "params")
    for section_name, section in (("source", source), ("params", params)):
        for name, value in section.items():
            _check_type(f"{section_name}.{name}", value, FIELDS[name])

    merged = {**source, **params}
    webhook_section = params if ("webhook_url" in params or "key" in params) else source
    webhook_prefix = "params" if webhook_section is params else "source"
    webhooks = _load_webhooks(webhook_section, webhook_prefix, merged.get("allow_http", False))

    return Settings(
        msgtype=merged.get("msgtype", DEFAULT_MSGTYPE),
        status=merged.get("status") or _status_from_build(build_status),
        title=merged.get("title"),
        content=merged.get("content"),
        content_file=merged.get("content_file"),
        mentioned_list=tuple(merged.get("mentioned_list", ())),
        mentioned_mobile_list=tuple(merged.get("mentioned_mobile_list", ())),
        timezone=_load_timezone(merged.get("timezone", DEFAULT_TIMEZONE)),
        timeout=_load_timeout(merged.get("timeout", DEFAULT_TIMEOUT)),
        dry_run=merged.get("dry_run", False),
        ignore_errors=merged.get("ignore_errors", False),
        disable=merged.get("disable", False),
        skip_if_missing=merged.get("skip_if_missing", False),
        skip_if_empty=merged.get("skip_if_empty", False),
        retry=_load_retry(merged.get("retry", {}), "params" if "retry" in params else "source"),
        proxy=_load_proxy(merged.get("proxy"), "params" if "proxy" in params else "source"),
        ca_certs=_load_ca_certs(merged.get("ca_certs"), "params" if "ca_certs" in params else "source"),
        insecure_skip_verify=merged.get("insecure_skip_verify", False),
        webhooks=webhooks,
        template=merged.get("template"),
        template_file=merged.get("template_file"),
        on_oversize=merged.get("on_oversize", "truncate"),
        image_file=merged.get("image_file"),
        media_file=merged.get("media_file"),
        articles=tuple(merged.get("articles", ())),
        card=merged.get("card"),
    )


def _register_webhook_secrets(section: dict) -> None:
    for name in ("webhook_url", "key"):
        values = section.get(name)
        for value in values if isinstance(values, list) else [values]:
            if not isinstance(value, str):
                continue
            if "://" not in value:
                register_secret(value.strip())
                continue
            for key in urllib.parse.parse_qs(urllib.parse.urlsplit(value.strip()).query).get("key", []):
                register_secret(key)
                register_secret(urllib.parse.quote(key, safe=""))


def _reject_unknown_keys(section: dict, section_name: str) -> None:
    for name in section:
        if name not in FIELDS:
            raise ResourceError(_unknown_key_message(f"{section_name}.{name}", name, FIELDS))


def _unknown_key_message(field_name: str, name: str, known: dict) -> str:
    # Separators first (msg_type, Msg-Type), then spelling (mesage) for the suggestion.
    without_separators = {key.replace("_", ""): key for key in known}
    suggestion = without_separators.get(name.replace("_", "").replace("-", "").lower())
    if suggestion is None:
        matches = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        suggestion = matches[0] if matches else None
    if suggestion is None:
        return tr("unknown_key", field=field_name)
    return tr("unknown_key_suggestion", field=field_name, suggestion=suggestion)


def _check_type(field_name: str, value: object, field: Field) -> None:
    # bool is a subclass of int in Python, but true is not a valid timeout.
    is_bool = isinstance(value, bool)
    if field.kind is bool:
        valid = is_bool
    else:
        valid = isinstance(value, field.kind) and not is_bool
    if not valid:
        raise ResourceError(
            tr("wrong_type", field=field_name, expected=_type_name(field), kind=_json_type(value))
        )
    if field.list_of_strings and not all(isinstance(item, str) for item in value):
        raise ResourceError(tr("list_not_strings", field=field_name))
    if field.choices and value not in field.choices:
        raise ResourceError(
            tr("not_a_choice", field=field_name, value=value, choices=", ".join(field.choices))
        )


def _type_name(field: Field) -> str:
    if field.list_of_strings:
        return tr("type_string_or_list") if field.kind == (str, list) else tr("type_list_of_strings")
    if field.kind is bool:
        return tr("type_boolean")
    if field.kind is str:
        return tr("type_string")
    if field.kind is dict:
        return tr("type_object")
    if field.kind is int:
        return tr("type_integer")
    return tr("type_number")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    names = {bool: "type_boolean", int: "type_number", float: "type_number", str: "type_string",
             list: "type_list", dict: "type_object"}
    return tr(names[type(value)]) if type(value) in names else type(value).__name__


def _load_webhooks(section: dict, prefix: str, allow_http: bool) -> tuple[Webhook, ...]:
    """Load the robot, or every robot when ``webhook_url`` or ``key`` is a list."""
    url = section.get("webhook_url")
    key = section.get("key")
    if url is not None and key is not None:
        raise ResourceError(tr("webhook_both", prefix=prefix))
    if not url and not key:
        raise ResourceError(tr("webhook_missing", prefix=prefix))

    name = "webhook_url" if key is None else "key"
    values = section[name]
    if isinstance(values, str):
        return (_load_webhook(name, values, f"{prefix}.{name}", allow_http),)

    webhooks = []
    for index, value in enumerate(values):
        field_name = f"{prefix}.{name}[{index}]"
        webhook = _load_webhook(name, value, field_name, allow_http)
        if webhook.key in {known.key for known in webhooks}:
            raise ResourceError(tr("webhook_duplicate", field=field_name))
        webhooks.append(webhook)
    return tuple(webhooks)


def _load_webhook(name: str, value: str, field_name: str, allow_http: bool) -> Webhook:
    value = value.strip()
    if name == "key":
        if value.startswith(("https://", "http://")):
            # A full URL pasted into `key` is unambiguous: use it as the URL.
            return _parse_webhook_url(value, field_name, allow_http)
        return _webhook_from_key(value, field_name)

    if KEY_PATTERN.fullmatch(value):
        # A bare key pasted into `webhook_url` cannot be mistaken for a URL.
        return _webhook_from_key(value, field_name)
    return _parse_webhook_url(value, field_name, allow_http)


def _webhook_from_key(key: str, field_name: str) -> Webhook:
    register_secret(key)
    if not KEY_PATTERN.fullmatch(key):
        raise ResourceError(tr("key_invalid", field=field_name))
    query = urllib.parse.urlencode({"key": key})
    return Webhook(url=f"{WECOM_SEND_URL}?{query}", key=key)


def _parse_webhook_url(url: str, field_name: str, allow_http: bool) -> Webhook:
    parts = urllib.parse.urlsplit(url)
    keys = urllib.parse.parse_qs(parts.query).get("key", [])
    for key in keys:
        register_secret(key)
        register_secret(urllib.parse.quote(key, safe=""))

    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ResourceError(tr("webhook_url_invalid", field=field_name))
    if parts.scheme == "http" and not allow_http:
        raise ResourceError(tr("webhook_url_http", field=field_name))
    if len(keys) != 1 or not KEY_PATTERN.fullmatch(keys[0]):
        raise ResourceError(tr("webhook_url_no_key", field=field_name))
    return Webhook(url=url, key=keys[0])


def _status_from_build(build_status: str | None) -> str | None:
    # Concourse 8.2 and newer set BUILD_STATUS inside step hooks only. Outside
    # them, or on older versions, the alert is neutral rather than an error.
    return build_status if build_status in STATUSES else None


def _load_timezone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ResourceError(tr("timezone_invalid", value=name)) from error


def _load_timeout(seconds: float) -> float:
    if not 0 < seconds <= MAX_TIMEOUT:
        raise ResourceError(tr("timeout_invalid", value=seconds, maximum=MAX_TIMEOUT))
    return float(seconds)


def _load_retry(section: dict, prefix: str) -> RetryPolicy:
    for name, value in section.items():
        if name not in RETRY_FIELDS:
            raise ResourceError(_unknown_key_message(f"{prefix}.retry.{name}", name, RETRY_FIELDS))
        _check_type(f"{prefix}.retry.{name}", value, RETRY_FIELDS[name])

    policy = RetryPolicy(**section)
    if not 1 <= policy.max_attempts <= MAX_ATTEMPTS_LIMIT:
        raise ResourceError(
            tr("range_invalid", field=f"{prefix}.retry.max_attempts", value=policy.max_attempts,
               minimum=1, maximum=MAX_ATTEMPTS_LIMIT)
        )
    if not 0 <= policy.max_seconds <= MAX_RETRY_SECONDS_LIMIT:
        raise ResourceError(
            tr("range_invalid", field=f"{prefix}.retry.max_seconds", value=policy.max_seconds,
               minimum=0, maximum=MAX_RETRY_SECONDS_LIMIT)
        )
    return policy


def _load_proxy(proxy: str | None, prefix: str) -> str | None:
    if not proxy:
        return None
    parts = urllib.parse.urlsplit(proxy)
    if parts.scheme not in ("http", "https", "socks5", "socks5h") or not parts.hostname:
        raise ResourceError(tr("proxy_invalid", field=f"{prefix}.proxy"))
    # Proxy URLs may carry a password.
    if parts.password:
        register_secret(parts.password)
    return proxy


def _load_ca_certs(pem: str | None, prefix: str) -> str | None:
    if not pem:
        return None
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise ResourceError(tr("ca_certs_invalid", field=f"{prefix}.ca_certs"))
    return pem
