"""Masking of the webhook key in everything the resource writes.

The WeCom key is the robot's only credential and it travels in the query string,
so it shows up in URLs, in ``requests`` exception text and in dry-run output.
Every secret is registered here once, and every line leaving the process passes
through :func:`redact`.
"""

import sys

_secrets: set[str] = set()

# Characters of the key left visible, so users can tell two robots apart.
VISIBLE_CHARACTERS = 4


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`redact` masks it from now on."""
    if value:
        _secrets.add(value)


def mask(value: str) -> str:
    """Return ``value`` with everything but its last characters replaced by ``*``."""
    if len(value) <= VISIBLE_CHARACTERS:
        return "*" * len(value)
    return "****" + value[-VISIBLE_CHARACTERS:]


def redact(text: str) -> str:
    """Return ``text`` with every registered secret, and every ``key=`` URL parameter, masked.

    The second rule covers a webhook URL that reaches an error message before its
    key could be registered, for example one pasted into the wrong field.
    """
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    if "key=" in text:
        # Imported here: check and in call redact only on errors and must start fast.
        import re

        text = re.sub(r"(?<![A-Za-z0-9_])(key=)([A-Za-z0-9_%*-]+)", lambda match: match[1] + mask(match[2]), text)
    return text


def log(message: str) -> None:
    """Write ``message`` as one line to stderr, the build log, with secrets masked."""
    print(redact(message), file=sys.stderr, flush=True)
