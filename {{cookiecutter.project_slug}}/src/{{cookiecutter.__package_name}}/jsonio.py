"""JSON for the protocol's small documents, without importing the json package.

``import json`` costs about as much as starting Python itself, because
``json.decoder`` and ``json.encoder`` import ``re``. check and in run on every
check interval and after every put, so they parse with CPython's C scanner
``_json``, the accelerator that the json package uses internally, and encode the
few types a protocol result contains. Where ``_json`` is missing, as on other
Python implementations, :func:`loads` falls back to ``json.loads``.
"""

import math

try:
    import _json
except ImportError:  # pragma: no cover - CPython always ships _json.
    _json = None

_WHITESPACE = " \t\n\r"
_CONSTANTS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _ScannerOptions:
    """The attributes ``_json.make_scanner`` reads, set as ``json.loads`` sets them."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


def loads(text: str):
    """Parse one JSON document, raising ``ValueError`` as ``json.loads`` does."""
    if _json is not None:
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = _json.make_scanner(_ScannerOptions)(text, start)
        except (StopIteration, ValueError, SystemError):
            # The C scanner reports errors through json.decoder, which is not
            # loaded yet, so the json package below parses again and raises.
            pass
        else:
            if not text[end:].lstrip(_WHITESPACE):
                return value

    import json

    return json.loads(text)


def dumps(value) -> str:
    """Encode dicts, lists, strings, numbers, booleans and None as JSON.

    Non-ASCII text stays as it is, like ``json.dumps(value, ensure_ascii=False)``.
    """
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        # The same spelling json.dumps uses, so that it parses back.
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_encode_string(str(key))}: {dumps(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(item) for item in value) + "]"
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode_string(text: str) -> str:
    if _json is not None:
        return _json.encode_basestring(text)

    import json  # pragma: no cover

    return json.dumps(text, ensure_ascii=False)  # pragma: no cover
