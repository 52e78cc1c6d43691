"""Build metadata that Concourse passes to ``in`` and ``out`` as environment variables."""

import json
import urllib.parse
from dataclasses import dataclass, field

# Characters that make Concourse quote an instance-var key in a URL.
_QUOTED_KEY_CHARACTERS = set(',.:/ "')


@dataclass(frozen=True)
class BuildMetadata:
    """The ``BUILD_*`` variables of the build that runs the step.

    Job and pipeline names are empty in one-off builds (``fly execute``).
    """

    build_id: str = ""
    build_name: str = ""
    team: str = ""
    pipeline: str = ""
    job: str = ""
    atc_external_url: str = ""
    instance_vars: dict = field(default_factory=dict)
    created_by: str = ""
    build_url: str = ""
    status: str = ""

    @classmethod
    def from_env(cls, env) -> "BuildMetadata":
        """Read the metadata from ``env``, a mapping such as ``os.environ``.

        ``BUILD_URL`` appeared in Concourse 8.0, ``BUILD_STATUS`` in 8.2 (set only in
        step hooks), and ``BUILD_CREATED_BY`` needs ``expose_build_created_by`` on the
        resource. Missing variables are empty strings.
        """
        return cls(
            build_id=env.get("BUILD_ID", ""),
            build_name=env.get("BUILD_NAME", ""),
            team=env.get("BUILD_TEAM_NAME", ""),
            pipeline=env.get("BUILD_PIPELINE_NAME", ""),
            job=env.get("BUILD_JOB_NAME", ""),
            atc_external_url=env.get("ATC_EXTERNAL_URL", "").rstrip("/"),
            instance_vars=_parse_instance_vars(env.get("BUILD_PIPELINE_INSTANCE_VARS", "")),
            created_by=env.get("BUILD_CREATED_BY", ""),
            build_url=env.get("BUILD_URL", ""),
            status=env.get("BUILD_STATUS", ""),
        )

    @property
    def is_one_off(self) -> bool:
        return not self.job

    def url(self) -> str:
        """Return the link to the build in the Concourse web UI, or "" if unknown.

        Prefer ``BUILD_URL``. For Concourse before 8.0, build the link the way the web
        UI routes it, with each path segment escaped.
        """
        if self.build_url:
            return self.build_url
        if not self.atc_external_url:
            return ""
        if self.is_one_off:
            return f"{self.atc_external_url}/builds/{_segment(self.build_id)}"

        path = "/".join(
            [
                "teams",
                _segment(self.team),
                "pipelines",
                _segment(self.pipeline),
                "jobs",
                _segment(self.job),
                "builds",
                _segment(self.build_name),
            ]
        )
        query = instance_vars_query(self.instance_vars)
        return f"{self.atc_external_url}/{path}" + (f"?{query}" if query else "")


def instance_vars_query(instance_vars: dict) -> str:
    """Encode instance vars as Concourse does: ``vars.<key>=<JSON value>``, sorted.

    Nested objects are flattened to dotted keys, and a key segment that contains a
    separator is wrapped in double quotes.
    """
    pairs = sorted(_flatten(instance_vars, ()))
    return "&".join(
        f"vars.{urllib.parse.quote(key, safe='.')}="
        f"{urllib.parse.quote(json.dumps(value, ensure_ascii=False, separators=(',', ':')), safe='')}"
        for key, value in pairs
    )


def _flatten(value: dict, prefix: tuple[str, ...]):
    for key, item in value.items():
        path = (*prefix, _quote_key(str(key)))
        if isinstance(item, dict) and item:
            yield from _flatten(item, path)
        else:
            yield ".".join(path), item


def _quote_key(key: str) -> str:
    if _QUOTED_KEY_CHARACTERS.intersection(key):
        return json.dumps(key, ensure_ascii=False)
    return key


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _parse_instance_vars(raw: str) -> dict:
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
