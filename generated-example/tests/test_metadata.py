"""Build metadata and the build link, as a unit."""

import pytest

from wecom_alert_resource.metadata import BuildMetadata, instance_vars_query

PIPELINE_BUILD = {
    "BUILD_ID": "1234",
    "BUILD_NAME": "42",
    "BUILD_TEAM_NAME": "main",
    "BUILD_PIPELINE_NAME": "shop-backend",
    "BUILD_JOB_NAME": "unit-tests",
    "ATC_EXTERNAL_URL": "https://ci.example.com/",
}


def test_url_prefers_build_url():
    build = BuildMetadata.from_env({**PIPELINE_BUILD, "BUILD_URL": "https://ci.example.com/x"})

    assert build.url() == "https://ci.example.com/x"


def test_url_built_for_older_concourse():
    build = BuildMetadata.from_env(PIPELINE_BUILD)

    assert build.url() == "https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42"


def test_url_escapes_path_segments():
    env = {**PIPELINE_BUILD, "BUILD_JOB_NAME": "deploy/prod 1", "BUILD_NAME": "42.1"}

    assert BuildMetadata.from_env(env).url().endswith("/jobs/deploy%2Fprod%201/builds/42.1")


def test_url_for_one_off_build():
    env = {key: PIPELINE_BUILD[key] for key in ("BUILD_ID", "BUILD_NAME", "BUILD_TEAM_NAME", "ATC_EXTERNAL_URL")}

    assert BuildMetadata.from_env(env).url() == "https://ci.example.com/builds/1234"


def test_url_empty_without_atc_url():
    env = {key: value for key, value in PIPELINE_BUILD.items() if key != "ATC_EXTERNAL_URL"}

    assert BuildMetadata.from_env(env).url() == ""


def test_url_adds_instance_vars():
    env = {**PIPELINE_BUILD, "BUILD_PIPELINE_INSTANCE_VARS": '{"branch": "main", "n": 1}'}

    assert BuildMetadata.from_env(env).url().endswith("/builds/42?vars.branch=%22main%22&vars.n=1")


@pytest.mark.parametrize(
    ("instance_vars", "query"),
    [
        pytest.param({}, "", id="none"),
        pytest.param({"a": {"b": "c"}}, "vars.a.b=%22c%22", id="nested"),
        pytest.param({"k.x": True}, "vars.%22k.x%22=true", id="quoted-key"),
        pytest.param({"z": 1, "a": [1, 2]}, "vars.a=%5B1%2C2%5D&vars.z=1", id="sorted-list"),
        pytest.param({"分支": "主干"}, "vars.%E5%88%86%E6%94%AF=%22%E4%B8%BB%E5%B9%B2%22", id="unicode"),
    ],
)
def test_instance_vars_query(instance_vars, query):
    assert instance_vars_query(instance_vars) == query


def test_invalid_instance_vars_are_ignored():
    env = {**PIPELINE_BUILD, "BUILD_PIPELINE_INSTANCE_VARS": "{broken"}

    assert BuildMetadata.from_env(env).instance_vars == {}
