"""Concourse resource protocol: the check, in and out steps.

Concourse runs each script with a JSON payload on stdin and reads exactly one JSON
document from stdout. Everything else, including what libraries print, must go to
stderr, which Concourse streams into the build log. A non-zero exit fails the step.

This module contains no WeCom-specific code. ``out`` hands its payload to
:mod:`.notifier`, so another chat platform replaces that module, not this one.
"""

import os
import sys

from . import jsonio
from .errors import ResourceError
from .i18n import tr
from .redaction import redact

# The top-level keys of the JSON that Concourse writes to a script's stdin.
PAYLOAD_KEYS = ("source", "params", "version")


def check_main(argv: list[str]) -> int:
    """Run ``check``: a notifier has no upstream versions, so return the given one.

    Concourse saves the version each ``out`` prints and passes it to the next check.
    Returning it unchanged keeps the history stable. Inventing a new version here
    would add a phantom version on every check interval.
    """
    return _run_step(_check)


def in_main(argv: list[str]) -> int:
    """Run ``in``: echo the requested version without any network call.

    Concourse runs ``in`` after every put unless the put sets ``no_get: true``, and
    it caches the result by version, so this step must be cheap and work offline.
    """
    return _run_step(_in, argv)


def out_main(argv: list[str]) -> int:
    """Run ``out``: send the alert and report a version unique to this put."""
    return _run_step(_out, argv)


def _check(payload: dict) -> list:
    _read_object(payload, "source")
    version = _read_version(payload, required=False)
    return [] if version is None else [version]


def _in(payload: dict, workdir: str) -> dict:
    _read_object(payload, "source")
    _read_object(payload, "params")
    version = _read_version(payload, required=True)
    return {"version": version, "metadata": []}


def _out(payload: dict, workdir: str) -> dict:
    # Imported here so that check and in never pay for requests and Jinja2.
    from .notifier import publish

    source = _read_object(payload, "source")
    params = _read_object(payload, "params")
    version, metadata = publish(source, params, workdir, os.environ)
    return {"version": version, "metadata": metadata}


def _run_step(step, argv: list[str] | None = None) -> int:
    """Run one step with stdout reserved for its result, and turn errors into exit codes.

    File descriptor 1 is pointed at stderr for the duration of the step, so that a
    library or child process that prints cannot corrupt the result. The result goes
    to a duplicate of the original stdout, written once at the end.
    """
    result_stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr

    try:
        payload = _read_payload()
        if argv is None:
            result = step(payload)
        else:
            result = step(payload, _read_workdir(argv))
    except ResourceError as error:
        _log_error(str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - a traceback would be noise in the build log.
        _log_error(tr("unexpected_error", error=f"{type(error).__name__}: {error}"))
        return 1

    result_stream.write(jsonio.dumps(result))
    result_stream.write("\n")
    result_stream.close()
    return 0


def _log_error(message: str) -> None:
    # One line, so the build log shows the whole cause next to the failed step.
    one_line = " ".join(redact(message).split())
    print(tr("error_prefix") + one_line, file=sys.stderr, flush=True)


def _read_payload() -> dict:
    raw = sys.stdin.buffer.read()
    if not raw.strip():
        raise ResourceError(tr("stdin_empty"))
    try:
        payload = jsonio.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ResourceError(tr("stdin_not_json", error=error)) from error
    if not isinstance(payload, dict):
        raise ResourceError(tr("stdin_not_object", kind=type(payload).__name__))
    # Concourse sends no other keys, so another key is a typo in a hand-written
    # payload, such as "param", which would otherwise drop dry_run silently.
    for key in payload:
        if key not in PAYLOAD_KEYS:
            raise ResourceError(tr("stdin_unknown_key", name=key, allowed=", ".join(PAYLOAD_KEYS)))
    return payload


def _read_object(payload: dict, field: str) -> dict:
    # Concourse sends "source": null for a resource without a source block.
    value = payload.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ResourceError(tr("field_not_object", field=field, kind=type(value).__name__))
    return value


def _read_version(payload: dict, required: bool) -> dict | None:
    version = payload.get("version")
    if version is None:
        if required:
            raise ResourceError(tr("version_missing"))
        return None
    if not isinstance(version, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in version.items()
    ):
        raise ResourceError(tr("version_invalid", version=jsonio.dumps(version)))
    return version


def _read_workdir(argv: list[str]) -> str:
    if len(argv) < 2 or not argv[1]:
        raise ResourceError(tr("workdir_missing"))
    if not os.path.isdir(argv[1]):
        raise ResourceError(tr("workdir_not_found", path=argv[1]))
    return argv[1]
