"""Offline checks for the Concourse pipelines in ``pipeline/``.

``fly validate-pipeline`` would be the real check, but it needs a Concourse server.
These tests validate each pipeline against ``pipeline/schema.json`` instead. Then
they check what a schema cannot express: references between resources, resource
types and artifacts, documented ``((vars))``, and the settings of alert resources.

Every check returns a list of problems instead of asserting, so the tests at the
end can run the same checks on broken copies of the example pipeline.
"""

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PIPELINE_DIR = PROJECT_ROOT / "pipeline"
SCHEMA_PATH = PIPELINE_DIR / "schema.json"
EXAMPLE_PATH = PIPELINE_DIR / "example.yml"
README_PATH = PROJECT_ROOT / "README.md"
PIPELINE_PATHS = sorted(PIPELINE_DIR.glob("*.yml"))

# The name under which the pipelines declare this project's resource type.
RESOURCE_TYPE_NAME = "wecom-alert"

# Types that the Concourse release bundles into its workers, so pipelines use them
# without declaring them. NOTE: workers built from other distributions can lack some.
CORE_RESOURCE_TYPES = frozenset(
    {
        "bosh-io-release",
        "bosh-io-stemcell",
        "docker-image",
        "git",
        "github-release",
        "mock",
        "pool",
        "registry-image",
        "s3",
        "semver",
        "time",
    }
)

# Image types whose `source.tag` defaults to `latest` when it is missing.
IMAGE_TYPES = frozenset({"registry-image", "docker-image"})

HOOKS = ("on_success", "on_failure", "on_error", "on_abort", "ensure")

# ((name)), ((source:name)) or ((name.field)). A name that starts with ".:" is a
# local var that a load_var step sets, so neither fly nor a credential manager supplies it.
VAR_PATTERN = re.compile(r"\(\(\s*([^()\s]+)\s*\)\)")
LOCAL_VAR_PREFIX = ".:"

# A Markdown table row whose first cell is a var, with or without backticks:
# | `((wecom_webhook_url))` | ... |
README_VAR_ROW = re.compile(r"^[ \t]*\|[ \t]*`?\(\(([^()\s]+)\)\)`?[ \t]*\|", re.MULTILINE)


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys instead of keeping the last one."""


def _construct_unique_mapping(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def load_pipeline(path: Path) -> dict:
    """Parse one pipeline file, rejecting duplicate keys."""
    # UniqueKeyLoader derives from SafeLoader, which ruff's S506 cannot see.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # noqa: S506


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def read_documented_vars(readme_text: str) -> set[str]:
    """Return the vars listed in the first column of the README's Markdown tables."""
    return set(README_VAR_ROW.findall(readme_text))


# Walking the pipeline


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def _as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def iter_job_steps(job: dict) -> Iterator[tuple[str, dict]]:
    """Yield ``(location, step)`` for every step of a job, nested steps and hooks included."""
    job_location = f"jobs({job.get('name', '?')})"
    for index, step in enumerate(_as_list(job.get("plan"))):
        yield from _walk_step(step, f"{job_location}.plan[{index}]")
    for hook in HOOKS:
        if hook in job:
            yield from _walk_step(job[hook], f"{job_location}.{hook}")


def _walk_step(step: object, location: str) -> Iterator[tuple[str, dict]]:
    if not isinstance(step, dict):
        return
    yield location, step

    for hook in HOOKS:
        if hook in step:
            yield from _walk_step(step[hook], f"{location}.{hook}")
    for index, inner in enumerate(_as_list(step.get("do"))):
        yield from _walk_step(inner, f"{location}.do[{index}]")
    if "try" in step:
        yield from _walk_step(step["try"], f"{location}.try")

    parallel = step.get("in_parallel")
    if isinstance(parallel, dict):
        parallel = parallel.get("steps")
    for index, inner in enumerate(_as_list(parallel)):
        yield from _walk_step(inner, f"{location}.in_parallel[{index}]")


def iter_steps(pipeline: dict) -> Iterator[tuple[str, dict]]:
    """Yield ``(location, step)`` for every step of every job."""
    for job in _as_list(pipeline.get("jobs")):
        if isinstance(job, dict):
            yield from iter_job_steps(job)


def iter_strings(value: object) -> Iterator[str]:
    """Yield every string in a parsed YAML document, mapping keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(key)
            yield from iter_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_strings(item)


def collect_vars(pipeline: dict) -> set[str]:
    """Return the ((vars)) a pipeline needs from fly or a credential manager."""
    names = set()
    for text in iter_strings(pipeline):
        names.update(VAR_PATTERN.findall(text))
    return {name for name in names if not name.startswith(LOCAL_VAR_PREFIX)}


def _named(items: object) -> dict[str, dict]:
    return {item["name"]: item for item in _as_list(items) if isinstance(item, dict) and "name" in item}


# Checks: each returns a list of problems, empty when the pipeline is fine


def schema_problems(pipeline: dict) -> list[str]:
    """Validate against pipeline/schema.json and describe each error with its location."""
    validator = jsonschema.Draft202012Validator(load_schema())
    problems = []
    for error in sorted(validator.iter_errors(pipeline), key=lambda error: error.json_path):
        if error.validator == "oneOf" and isinstance(error.instance, dict):
            step_types = ", ".join(next(iter(branch["required"])) for branch in error.validator_value)
            message = f"a step needs exactly one step type ({step_types}), found keys {sorted(error.instance)}"
        elif error.validator == "pattern" and "description" in error.schema:
            # The description reads better than the regular expression.
            message = f"{error.instance!r} is invalid: expected {error.schema['description']}"
        else:
            message = error.message
        problems.append(f"{error.json_path}: {message}")
    return problems


def resource_reference_problems(pipeline: dict) -> list[str]:
    """Report get and put steps that name a resource the pipeline does not declare."""
    declared = _named(pipeline.get("resources"))
    problems = []
    for location, step in iter_steps(pipeline):
        for kind in ("get", "put"):
            if kind not in step:
                continue
            name = step.get("resource", step[kind])
            if name not in declared:
                problems.append(f"{location}: {kind} uses resource {name!r}, which `resources` does not declare")
    return problems


def resource_type_problems(pipeline: dict) -> list[str]:
    """Report resources, resource types and task images whose type is neither declared nor core."""
    known = CORE_RESOURCE_TYPES | set(_named(pipeline.get("resource_types")))
    typed_items = [(f"resource_types({name})", item) for name, item in _named(pipeline.get("resource_types")).items()]
    typed_items += [(f"resources({name})", item) for name, item in _named(pipeline.get("resources")).items()]
    for location, step in iter_steps(pipeline):
        image = _as_dict(_as_dict(step.get("config")).get("image_resource"))
        if image:
            typed_items.append((f"{location}.config.image_resource", image))

    problems = []
    for location, item in typed_items:
        if item.get("type") not in known:
            problems.append(
                f"{location}: type {item.get('type')!r} is not declared in `resource_types` "
                "and is not a core Concourse type"
            )
    return problems


def var_problems(pipeline: dict, documented: set[str]) -> list[str]:
    """Report ((vars)) that the README's var table does not list."""
    return [
        f"(({name})) is used but README.md does not document it: "
        f"add a row whose first cell is `(({name}))` to its pipeline vars table"
        for name in sorted(collect_vars(pipeline) - documented)
    ]


def alert_resource_problems(pipeline: dict) -> list[str]:
    """Report alert resources that Concourse would check, and alert puts that run a get."""
    alert_resources = {
        name
        for name, resource in _named(pipeline.get("resources")).items()
        if resource.get("type") == RESOURCE_TYPE_NAME
    }
    problems = []
    for name in sorted(alert_resources):
        check_every = _named(pipeline.get("resources"))[name].get("check_every")
        if check_every != "never":
            found = "it is missing" if check_every is None else f"found {check_every!r}"
            problems.append(
                f"resources({name}): an alert resource has no versions to find, so set `check_every: never` ({found})"
            )
    for location, step in iter_steps(pipeline):
        if "put" not in step or step.get("resource", step["put"]) not in alert_resources:
            continue
        if step.get("no_get") is not True:
            problems.append(f"{location}: a put to an alert resource needs `no_get: true` to skip the implicit get")
    return problems


def image_tag_problems(pipeline: dict) -> list[str]:
    """Report images whose ``source.tag`` is missing or ``latest``."""
    images = [
        (f"resource_types({name})", item)
        for name, item in _named(pipeline.get("resource_types")).items()
        if item.get("type") in IMAGE_TYPES
    ]
    for location, step in iter_steps(pipeline):
        image = _as_dict(_as_dict(step.get("config")).get("image_resource"))
        if image.get("type") in IMAGE_TYPES and "digest" not in _as_dict(image.get("version")):
            images.append((f"{location}.config.image_resource", image))

    problems = []
    for location, image in images:
        tag = _as_dict(image.get("source")).get("tag")
        if not isinstance(tag, str) or not tag.strip():
            problems.append(
                f"{location}: set `source.tag` to a released version, because without it the image is latest"
            )
        elif tag.strip() == "latest":
            problems.append(f"{location}: pin `source.tag` to a released version instead of 'latest'")
    return problems


def artifact_problems(pipeline: dict) -> list[str]:
    """Report puts that read a file from an artifact the job does not produce or the put does not stream."""
    problems = []
    for job in _as_list(pipeline.get("jobs")):
        if not isinstance(job, dict):
            continue
        steps = list(iter_job_steps(job))
        artifacts = _job_artifacts(step for _, step in steps)
        for location, step in steps:
            if "put" in step:
                problems += _put_artifact_problems(location, step, artifacts)
    return problems


def _job_artifacts(steps: Iterator[dict]) -> set[str]:
    artifacts = set()
    for step in steps:
        if "get" in step:
            artifacts.add(step["get"])
        config = _as_dict(step.get("config"))
        mapping = _as_dict(step.get("output_mapping"))
        for output in _as_list(config.get("outputs")):
            name = _as_dict(output).get("name")
            artifacts.add(mapping.get(name, name))
    return artifacts


def _put_artifact_problems(location: str, step: dict, artifacts: set[str]) -> list[str]:
    # Since Concourse 8.0 a put streams the artifacts named by the first path
    # segment of its string params (`inputs: detect`). An explicit list must
    # name every artifact the params read.
    inputs = step.get("inputs")
    problems = []
    for key, value in _as_dict(step.get("params")).items():
        if not isinstance(value, str) or "/" not in value:
            continue
        artifact = value.split("/", 1)[0]
        if key.endswith("_file") and artifact not in artifacts:
            problems.append(f"{location}: params.{key} reads {value!r}, but no step of the job produces {artifact!r}")
        if isinstance(inputs, list) and artifact in artifacts and artifact not in inputs:
            problems.append(f"{location}: params.{key} reads from {artifact!r}, which `inputs` does not list")
    return problems


def find_problems(pipeline: dict, documented_vars: set[str]) -> list[str]:
    """Run every check on one parsed pipeline."""
    return [
        *schema_problems(pipeline),
        *resource_reference_problems(pipeline),
        *resource_type_problems(pipeline),
        *var_problems(pipeline, documented_vars),
        *alert_resource_problems(pipeline),
        *image_tag_problems(pipeline),
        *artifact_problems(pipeline),
    ]


# Tests of the pipelines the project ships


def read_readme_vars() -> set[str]:
    """Return the vars documented in README.md, failing the test when the file is missing."""
    if not README_PATH.is_file():
        pytest.fail(
            f"{README_PATH.name} is missing from the project root. The var check reads the documented "
            "((vars)) from its pipeline vars table, a Markdown table whose first column holds `((var_name))`."
        )
    return read_documented_vars(README_PATH.read_text(encoding="utf-8"))


pipeline_paths = pytest.mark.parametrize("path", PIPELINE_PATHS, ids=lambda path: path.name)


def test_example_pipeline_present():
    assert EXAMPLE_PATH.is_file(), f"{EXAMPLE_PATH.relative_to(PROJECT_ROOT)} is missing"


def test_schema_is_valid_2020_12():
    jsonschema.Draft202012Validator.check_schema(load_schema())


@pipeline_paths
def test_pipeline_matches_schema(path):
    problems = schema_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_resources_declared(path):
    problems = resource_reference_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_resource_types_known(path):
    problems = resource_type_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_vars_documented(path):
    problems = var_problems(load_pipeline(path), read_readme_vars())

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_alert_resources(path):
    problems = alert_resource_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_images_pinned(path):
    problems = image_tag_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


@pipeline_paths
def test_pipeline_artifacts_exist(path):
    problems = artifact_problems(load_pipeline(path))

    assert not problems, "\n".join(problems)


def test_example_uses_project_resource_type():
    pipeline = load_pipeline(EXAMPLE_PATH)
    resource_types = _named(pipeline.get("resource_types"))
    alert_resources = [
        resource for resource in _as_list(pipeline.get("resources")) if resource.get("type") == RESOURCE_TYPE_NAME
    ]

    assert RESOURCE_TYPE_NAME in resource_types
    assert alert_resources, f"no resource in {EXAMPLE_PATH.name} has type {RESOURCE_TYPE_NAME!r}"


def test_example_alerts_every_outcome():
    outcomes = {"on_success", "on_failure", "on_error", "on_abort"}
    jobs = load_pipeline(EXAMPLE_PATH)["jobs"]

    assert any(outcomes <= set(job) for job in jobs), f"no job in {EXAMPLE_PATH.name} has all of {sorted(outcomes)}"


# Tests of the checks: each broken copy of the example must be reported


def _example_put(pipeline: dict, hook: str) -> dict:
    return pipeline["jobs"][0][hook]


def _alert_resource(pipeline: dict) -> dict:
    return next(resource for resource in pipeline["resources"] if resource["type"] == RESOURCE_TYPE_NAME)


def _rename_key(mapping: dict, old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


def _break_put_key(pipeline: dict) -> None:
    _rename_key(_example_put(pipeline, "on_failure"), "no_get", "no-get")


def _break_resource_key(pipeline: dict) -> None:
    _rename_key(_alert_resource(pipeline), "check_every", "check-every")


def _break_job_hook_key(pipeline: dict) -> None:
    _rename_key(pipeline["jobs"][0], "on_failure", "on_failuer")


def _add_second_step_type(pipeline: dict) -> None:
    _example_put(pipeline, "on_success")["get"] = "alert"


def _break_timeout(pipeline: dict) -> None:
    pipeline["jobs"][0]["plan"][0]["timeout"] = "30 minutes"


def _use_undeclared_resource(pipeline: dict) -> None:
    _example_put(pipeline, "on_success")["put"] = "alerts"


def _use_undeclared_type(pipeline: dict) -> None:
    _alert_resource(pipeline)["type"] = "wecom-alrt"


def _use_undocumented_var(pipeline: dict) -> None:
    _alert_resource(pipeline)["source"]["webhook_url"] = "((wecom_webhook_ulr))"


def _drop_no_get(pipeline: dict) -> None:
    del _example_put(pipeline, "on_abort")["no_get"]


def _check_alert_resource(pipeline: dict) -> None:
    _alert_resource(pipeline)["check_every"] = "1m"


def _float_image_tag(pipeline: dict) -> None:
    pipeline["resource_types"][0]["source"]["tag"] = "latest"


def _drop_image_tag(pipeline: dict) -> None:
    del pipeline["resource_types"][0]["source"]["tag"]


def _read_missing_artifact(pipeline: dict) -> None:
    _example_put(pipeline, "on_failure")["params"]["content_file"] = "msg/alert.md"


def _omit_streamed_input(pipeline: dict) -> None:
    _example_put(pipeline, "on_success")["inputs"] = []


BROKEN_COPIES: dict[str, tuple[Callable[[dict], None], str]] = {
    "typo in put key": (_break_put_key, "'no-get' was unexpected"),
    "typo in resource key": (_break_resource_key, "'check-every' was unexpected"),
    "typo in job hook": (_break_job_hook_key, "'on_failuer' was unexpected"),
    "two step types": (_add_second_step_type, "exactly one step type"),
    "invalid timeout": (_break_timeout, "'30 minutes' is invalid: expected a Go duration"),
    "undeclared resource": (_use_undeclared_resource, "put uses resource 'alerts'"),
    "undeclared resource type": (_use_undeclared_type, "type 'wecom-alrt' is not declared"),
    "undocumented var": (_use_undocumented_var, "((wecom_webhook_ulr)) is used but README.md does not document it"),
    "alert put runs get": (_drop_no_get, "needs `no_get: true`"),
    "alert resource checked": (_check_alert_resource, "set `check_every: never` (found '1m')"),
    "image tag latest": (_float_image_tag, "instead of 'latest'"),
    "image tag missing": (_drop_image_tag, "set `source.tag` to a released version"),
    "content file from nowhere": (_read_missing_artifact, "no step of the job produces 'msg'"),
    "content file not streamed": (_omit_streamed_input, "which `inputs` does not list"),
}


@pytest.mark.parametrize(("break_pipeline", "expected"), BROKEN_COPIES.values(), ids=BROKEN_COPIES.keys())
def test_broken_copy_reported(break_pipeline, expected):
    pipeline = load_pipeline(EXAMPLE_PATH)
    documented = collect_vars(pipeline)
    assert find_problems(pipeline, documented) == []

    broken = copy.deepcopy(pipeline)
    break_pipeline(broken)
    problems = find_problems(broken, documented)

    assert any(expected in problem for problem in problems), problems


def test_duplicate_key_rejected(tmp_path):
    path = tmp_path / "duplicate.yml"
    path.write_text("jobs:\n- name: a\n  plan: []\n  plan: []\n", encoding="utf-8")

    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'plan'"):
        load_pipeline(path)


def test_readme_var_rows_parsed():
    readme = "\n".join(
        [
            "| Var | Meaning |",
            "|---|---|",
            "| `((wecom_webhook_url))` | robot URL |",
            "|((git_uri))|clone URL|",
            "Set ((not_a_row)) in prose, or in a later cell: | x | ((later_cell)) |",
        ]
    )

    assert read_documented_vars(readme) == {"wecom_webhook_url", "git_uri"}
