"""limits: byte-safe truncation and splitting of message text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from {{ cookiecutter.__package_name }}.limits import split, split_parts, truncate, utf8_size

MARKER = "\n…（已截断）"

# Text built from the pieces that make cutting hard: multi-byte characters, emoji
# with joiners and variation selectors, links, tags, table rows and code fences.
FRAGMENTS = st.sampled_from(
    [
        "告警",
        "a",
        " ",
        "\n",
        "🚀",
        "⚠️",
        "👩‍💻",
        "é",
        "e\u0301",
        "[查看构建](https://ci.example.com/builds/42)",
        "<@zhangsan>",
        '<font color="warning">失败</font>',
        "| 作业 | 状态 |\n",
        "|---|---|\n",
        "```python\n",
        "```\n",
        "~~~\n",
        "x = 1\n",
    ]
)
TEXTS = st.lists(FRAGMENTS, max_size=400).map("".join)
LIMITS = st.integers(min_value=40, max_value=600)


@given(text=TEXTS, limit=LIMITS)
@settings(max_examples=300, deadline=None)
def test_truncate_property(text, limit):
    result = truncate(text, limit, MARKER)

    assert utf8_size(result) <= limit
    result.encode("utf-8").decode("utf-8")
    if utf8_size(text) <= limit:
        assert result == text
    else:
        assert result.endswith(MARKER)
        assert text.startswith(result[: -len(MARKER)])


@given(text=TEXTS, limit=LIMITS)
@settings(max_examples=300, deadline=None)
def test_split_property(text, limit):
    parts = split_parts(text, limit)

    assert "".join(part.slice for part in parts) == text
    for part in parts:
        assert utf8_size(part.text) <= limit
        part.text.encode("utf-8").decode("utf-8")
        # Fence lines are the only additions, and only around a code block's cut.
        assert part.prefix == "" or part.prefix.lstrip().startswith(("```", "~~~"))
        assert part.suffix.strip() in ("", "```", "~~~") or set(part.suffix.strip()) <= {"`", "~"}


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        pytest.param("告" * 100, 300, id="fits-exactly"),
        pytest.param("告" * 101, 300, id="one-character-over"),
        pytest.param("a" + "告" * 100, 300, id="cut-inside-character"),
        pytest.param("🚀" * 100, 399, id="emoji-three-bytes-short"),
    ],
)
def test_truncate_stays_on_character_boundary(text, limit):
    result = truncate(text, limit, MARKER)

    assert utf8_size(result) <= limit
    if utf8_size(text) <= limit:
        assert result == text
    else:
        kept = result[: -len(MARKER)]
        assert text.startswith(kept)
        # At most one character's bytes of room is left unused.
        assert limit - utf8_size(result) < 4


def test_truncate_keeps_emoji_with_variation_selector_whole():
    text = "x" * 10 + "⚠️" * 40
    result = truncate(text, 10 + 3 + len(MARKER.encode()), MARKER)

    assert result == "x" * 10 + MARKER


def test_split_prefers_line_boundaries():
    lines = [f"第 {number} 行：构建失败\n" for number in range(100)]
    parts = split("".join(lines), 200)

    assert len(parts) > 1
    for part in parts[:-1]:
        assert part.endswith("\n")


def test_split_never_cuts_inside_link():
    link = "[查看构建](https://ci.example.com/teams/main/pipelines/shop/jobs/test/builds/42)"
    text = ("告警 " * 20 + link + " ") * 10
    parts = split(text, 150)

    assert "".join(parts) == text
    assert all(utf8_size(part) <= 150 for part in parts)
    assert sum(part.count(link) for part in parts) == 10


def test_split_keeps_table_together_when_it_fits():
    table = "| 作业 | 状态 |\n|---|---|\n" + "".join(f"| job-{number} | 失败 |\n" for number in range(5))
    text = "前言\n" * 30 + table + "结尾\n"
    parts = split(text, 200)

    assert "".join(parts) == text
    assert sum(table in part for part in parts) == 1


def test_split_never_cuts_inside_table_row():
    rows = "".join(f"| job-{number} | 失败，详见日志 |\n" for number in range(40))
    parts = split(rows, 120)

    for part in parts:
        for line in part.splitlines():
            assert line.startswith("|"), line
            assert line.endswith("|"), line


def test_split_keeps_small_code_block_whole():
    code = "```\n" + "".join(f"line {number}\n" for number in range(5)) + "```\n"
    text = "说明\n" * 40 + code
    parts = split(text, 120)

    assert sum(code in part for part in parts) == 1


def test_split_large_code_block_reopens_fence():
    code = "```python\n" + "".join(f"print({number})\n" for number in range(100)) + "```\n"
    parts = split(code, 200)

    assert len(parts) > 1
    for part in parts:
        assert utf8_size(part) <= 200
        assert part.startswith("```python\n")
        assert part.rstrip("\n").endswith("```")


def test_split_short_text_is_one_part():
    assert split("构建成功", 4096) == ["构建成功"]


def test_split_rejects_tiny_limit():
    with pytest.raises(ValueError, match="minimum"):
        split("text", 8)
