"""Masking of the webhook key in everything the resource writes.

The WeCom key is the robot's only credential and it travels in the query string,
so it shows up in URLs, in ``requests`` exception text and in dry-run output.
Every secret is registered here once, and every line leaving the process passes
through :func:`redact`.
"""

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
    """Return ``text`` with every registered secret masked."""
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text
