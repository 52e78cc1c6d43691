"""jsonio must read and write JSON exactly as the json package does."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from {{ cookiecutter.__package_name }} import jsonio

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_loads_matches_json(value):
    text = json.dumps(value, ensure_ascii=False)

    assert jsonio.loads(text) == json.loads(text)


@given(json_values)
def test_dumps_parses_back(value):
    assert json.loads(jsonio.dumps(value)) == value


@given(st.text(max_size=30))
def test_loads_rejects_what_json_rejects(text):
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            jsonio.loads(text)
    else:
        actual = jsonio.loads(text)
        assert actual == expected or (isinstance(expected, float) and math.isnan(expected) and math.isnan(actual))


@pytest.mark.parametrize("text", ["", "   ", "{", '{"a": 1} x', "[1,]", "\ufeff{}", "nul"])
def test_loads_invalid_documents(text):
    with pytest.raises(ValueError):
        jsonio.loads(text)


def test_dumps_keeps_chinese_text():
    assert jsonio.dumps({"状态": "构建失败"}) == '{"状态": "构建失败"}'


def test_dumps_rejects_other_types():
    with pytest.raises(TypeError):
        jsonio.dumps({"a": object()})
