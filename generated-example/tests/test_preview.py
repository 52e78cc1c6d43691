"""Unit tests of scripts/preview.py, the HTML renderer of the local demo.

Message content is user text, so besides the supported WeCom markdown each test
checks that everything else reaches the page escaped.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from preview import markdown_to_html, message_to_html, render_inline, render_page, text_to_html

MARKDOWN_CASES = {
    "heading 1": ("# Build failed", "<h1>Build failed</h1>"),
    "heading 3": ("### Details", "<h3>Details</h3>"),
    "seven hashes stay text": ("####### x", "<p>####### x</p>"),
    "hash without space stays text": ("#42", "<p>#42</p>"),
    "bold": ("**failed** now", "<p><strong>failed</strong> now</p>"),
    "link": (
        "[Open](https://ci.example.com/builds/1)",
        '<p><a href="https://ci.example.com/builds/1" target="_blank" rel="noopener">Open</a></p>',
    ),
    "inline code": ("run `make test`", "<p>run <code>make test</code></p>"),
    "font info": ('<font color="info">ok</font>', '<p><span class="font-info">ok</span></p>'),
    "font comment": ('<font color="comment">note</font>', '<p><span class="font-comment">note</span></p>'),
    "font warning": ('<font color="warning">bad</font>', '<p><span class="font-warning">bad</span></p>'),
    "font single quotes": ("<font color='info'>ok</font>", '<p><span class="font-info">ok</span></p>'),
    "mention": ("<@zhangsan> look", '<p><span class="mention">@zhangsan</span> look</p>'),
    "mention all": ("<@all>", '<p><span class="mention">@all</span></p>'),
    "quote lines merge": ("> Team: main\n> Job: build", "<blockquote>Team: main<br>Job: build</blockquote>"),
    "quote without space": (">x", "<blockquote>x</blockquote>"),
    "lines in one paragraph": ("one\ntwo", "<p>one<br>two</p>"),
    "blank line splits paragraphs": ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
    "quote then text": ("> q\ntext", "<blockquote>q</blockquote>\n<p>text</p>"),
    "text then quote": ("text\n> q", "<p>text</p>\n<blockquote>q</blockquote>"),
    "heading with colour": (
        '# <font color="warning">❌ Build failed</font>',
        '<h1><span class="font-warning">❌ Build failed</span></h1>',
    ),
    "bold inside colour": (
        '<font color="info">**done**</font>',
        '<p><span class="font-info"><strong>done</strong></span></p>',
    ),
    "colour inside bold": (
        '**<font color="comment">x</font>**',
        '<p><strong><span class="font-comment">x</span></strong></p>',
    ),
    "markup inside code stays literal": ("`**x** <@y>`", "<p><code>**x** &lt;@y&gt;</code></p>"),
    "bold link label": (
        "[**Open**](https://x.example)",
        '<p><a href="https://x.example" target="_blank" rel="noopener"><strong>Open</strong></a></p>',
    ),
}

ESCAPE_CASES = {
    "script tag": ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    "ampersand": ("a & b", "<p>a &amp; b</p>"),
    "quotes": ('say "hi" it\'s', "<p>say &quot;hi&quot; it&#x27;s</p>"),
    "unsupported colour": ('<font color="red">x</font>', "<p>&lt;font color=&quot;red&quot;&gt;x&lt;/font&gt;</p>"),
    "javascript link": ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    "relative link": ("[x](/builds/1)", "<p>[x](/builds/1)</p>"),
    "html in bold": ("**<img src=x>**", "<p><strong>&lt;img src=x&gt;</strong></p>"),
    "html in mention": ("<@a<b>", "<p>&lt;@a&lt;b&gt;</p>"),
    "lone asterisks": ("2 ** 3", "<p>2 ** 3</p>"),
}


@pytest.mark.parametrize(("markdown", "expected"), MARKDOWN_CASES.values(), ids=MARKDOWN_CASES.keys())
def test_markdown_converted(markdown, expected):
    assert markdown_to_html(markdown) == expected


@pytest.mark.parametrize(("markdown", "expected"), ESCAPE_CASES.values(), ids=ESCAPE_CASES.keys())
def test_markdown_escaped(markdown, expected):
    assert markdown_to_html(markdown) == expected


def test_link_href_attribute_escaped():
    html = render_inline('[x](https://x.example/?a=1&b="2")')

    assert 'href="https://x.example/?a=1&amp;b=&quot;2&quot;"' in html


def test_everyone_name_used():
    assert markdown_to_html("<@all>", everyone="所有人") == '<p><span class="mention">@所有人</span></p>'


def test_blank_lines_at_ends_dropped():
    assert markdown_to_html("\n\n# A\n\n") == "<h1>A</h1>"


def test_text_escaped_and_linked():
    html = text_to_html("Link: https://ci.example.com/b/1?x=1&y=2\n<b>not bold</b>")

    assert (
        '<a href="https://ci.example.com/b/1?x=1&amp;y=2" target="_blank" rel="noopener">'
        "https://ci.example.com/b/1?x=1&amp;y=2</a>"
    ) in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "\n" in html


def test_text_mentions_appended():
    html = text_to_html("disk full", ["zhangsan", "@all"], ["13800000000"], everyone="所有人")

    assert html.startswith("disk full\n")
    assert '<span class="mention">@zhangsan</span>' in html
    assert '<span class="mention">@所有人</span>' in html
    assert '<span class="mention">@13800000000</span>' in html


def test_text_markdown_not_interpreted():
    assert text_to_html("**x** `y`") == "**x** `y`"


def test_message_markdown_bubble():
    html = message_to_html({"msgtype": "markdown", "markdown": {"content": "**x**"}}, language="en")

    assert html == '<div class="bubble markdown"><p><strong>x</strong></p></div>'


def test_message_text_bubble():
    message = {"msgtype": "text", "text": {"content": "hi", "mentioned_list": ["li"]}}

    html = message_to_html(message, language="en")

    assert html == '<div class="bubble text">hi\n<span class="mention">@li</span></div>'


def test_message_other_type_shown_as_json():
    message = {"msgtype": "news", "news": {"articles": [{"title": "<b>x</b>"}]}}

    html = message_to_html(message, language="en")

    assert "msgtype news" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_page_contains_bubbles(language):
    messages = [
        {"msgtype": "markdown", "markdown": {"content": "# T\n<script>x</script>"}},
        {"msgtype": "text", "text": {"content": "<img src=x onerror=alert(1)>"}},
    ]

    page = render_page(messages, "<12:00>", language=language)
    collector = _TagCollector()
    collector.feed(page)

    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<div class="message">') == 2
    assert "script" not in collector.tags
    assert "img" not in collector.tags
    assert "&lt;12:00&gt;" in page
