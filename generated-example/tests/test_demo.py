"""Tests of the local demo, scripts/demo.py, and of its HTML preview in a real browser.

The demo runs as a user would run it: a subprocess from the project root. Tests
marked ``browser`` open the preview in headless Chromium. They skip when
/usr/bin/chromium is missing, but fail when CI=true, because there a skipped
browser test would hide a broken preview.
"""

import os
import re
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEMO = PROJECT_ROOT / "scripts" / "demo.py"
CHROMIUM = Path("/usr/bin/chromium")

# The link that the resource builds from the demo's sample BUILD_* variables.
BUILD_URL = "https://ci.example.com/teams/main/pipelines/shop-backend/jobs/unit-tests/builds/42"

# A title with every character that HTML escaping must handle.
HOSTILE_TITLE = "Deploy <prod> & \"canary\" 'failed'"

# Chromium flags for a one-shot headless run that contacts no server.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WINDOW_WIDTH, WINDOW_HEIGHT = 800, 900

# The colour of <font color="warning"> in the preview, as RGB.
WARNING_RGB = (0xF0, 0x58, 0x2C)


def run_demo(*arguments: str) -> subprocess.CompletedProcess:
    """Run scripts/demo.py from the project root and return its result as text."""
    return subprocess.run(
        [sys.executable, str(DEMO), *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


class _PageParser(HTMLParser):
    """Collects the text, the link targets and the tag names of an HTML document."""

    def __init__(self):
        super().__init__()
        self.text_parts: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def parse_page(page: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser


def test_demo_markdown_alert(tmp_path):
    preview_path = tmp_path / "preview.html"

    result = run_demo(
        "--status", "failed", "--msgtype", "markdown", "--mention", "zhangsan", "--preview", str(preview_path)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert '"msgtype": "markdown"' in result.stdout
    assert '"value": "true"' in result.stdout, "the metadata should report sent=true"
    assert "key=****" in result.stdout
    assert not re.search(r"key=demo-[0-9a-f-]{36}", result.stdout), "the demo printed the whole webhook key"
    assert str(preview_path) in result.stdout

    page = parse_page(preview_path.read_text(encoding="utf-8"))
    assert BUILD_URL in page.hrefs
    assert "test_checkout_total" in page.text
    assert "@zhangsan" in page.text


def test_demo_text_alert(tmp_path):
    preview_path = tmp_path / "preview.html"
    content = "Disk <90%> & rising"

    result = run_demo(
        "--status", "succeeded", "--msgtype", "text", "--content", content, "--mention", "@all",
        "--preview", str(preview_path),
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert '"msgtype": "text"' in result.stdout
    assert '"mentioned_list": [' in result.stdout

    source = preview_path.read_text(encoding="utf-8")
    page = parse_page(source)
    assert content in page.text
    assert "Disk &lt;90%&gt; &amp; rising" in source
    assert BUILD_URL in page.hrefs, "a web address in a text message should become a link"
    assert 'class="bubble text"' in source


def test_demo_title_escaped(tmp_path):
    preview_path = tmp_path / "preview.html"

    result = run_demo("--msgtype", "markdown", "--title", HOSTILE_TITLE, "--preview", str(preview_path))

    assert result.returncode == 0, result.stdout + result.stderr
    page = parse_page(preview_path.read_text(encoding="utf-8"))
    assert HOSTILE_TITLE in page.text
    assert "prod" not in page.tags


def test_demo_rejects_unknown_status():
    result = run_demo("--status", "green")

    assert result.returncode == 2
    assert "--status" in result.stderr
    assert result.stdout == ""


# Headless Chromium


@pytest.fixture
def chromium() -> Path:
    """The Chromium binary. Skip without it, or fail when CI=true."""
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} not found; install it with `apt-get install chromium` to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}. CI=true requires the browser tests to run")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def preview_page(tmp_path) -> Path:
    """A preview written by the demo for a failed markdown alert with a hostile title."""
    preview_path = tmp_path / "demo-output" / "preview.html"
    result = run_demo(
        "--status", "failed", "--msgtype", "markdown", "--title", HOSTILE_TITLE, "--mention", "zhangsan",
        "--preview", str(preview_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return preview_path


def run_chromium(chromium: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run Chromium once with a fresh profile. Its stderr is noise such as D-Bus warnings."""
    return subprocess.run(
        [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=180,
        check=False,
    )


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG into ``(width, height, channels, rows)``."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position = 8
    header = b""
    compressed = bytearray()
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunk = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            compressed += chunk
        position += 12 + length

    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8, f"unsupported PNG bit depth {depth}"
    assert color_type in (2, 6), f"unsupported PNG colour type {color_type}, expected RGB or RGBA"
    assert interlace == 0, "interlaced PNG is not supported"
    channels = 4 if color_type == 6 else 3
    raw = zlib.decompress(bytes(compressed))
    stride = width * channels

    rows: list[bytes] = []
    previous = bytearray(stride)
    for row_index in range(height):
        start = row_index * (stride + 1)
        filter_type = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(row, previous, filter_type, channels)
        rows.append(bytes(row))
        previous = row
    return width, height, channels, rows


def _unfilter(row: bytearray, previous: bytearray, filter_type: int, channels: int) -> None:
    # Undo the PNG filters None (0), Sub (1), Up (2), Average (3) and Paeth (4) in place.
    for index in range(len(row)):
        left = row[index - channels] if index >= channels else 0
        up = previous[index]
        upper_left = previous[index - channels] if index >= channels else 0
        if filter_type == 1:
            row[index] = (row[index] + left) & 0xFF
        elif filter_type == 2:
            row[index] = (row[index] + up) & 0xFF
        elif filter_type == 3:
            row[index] = (row[index] + (left + up) // 2) & 0xFF
        elif filter_type == 4:
            estimate = left + up - upper_left
            distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
            predictor = (left, up, upper_left)[distances.index(min(distances))]
            row[index] = (row[index] + predictor) & 0xFF


def count_pixels(rows: list[bytes], channels: int, expected_rgb: tuple[int, int, int], tolerance: int) -> int:
    count = 0
    for row in rows:
        for offset in range(0, len(row), channels):
            if all(abs(row[offset + i] - expected_rgb[i]) <= tolerance for i in range(3)):
                count += 1
    return count


@pytest.mark.browser
def test_preview_screenshot(chromium, preview_page, tmp_path):
    screenshot = tmp_path / "shot.png"

    result = run_chromium(
        chromium,
        tmp_path / "profile",
        f"--screenshot={screenshot}",
        f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
        preview_page.as_uri(),
    )

    assert screenshot.is_file(), f"Chromium wrote no screenshot (exit {result.returncode}):\n{result.stderr}"
    width, height, channels, rows = decode_png(screenshot.read_bytes())
    colours = {row[offset : offset + 3] for row in rows[::4] for offset in range(0, len(row), channels * 4)}
    assert (width, height) == (WINDOW_WIDTH, WINDOW_HEIGHT)
    assert len(colours) > 20, f"the screenshot looks blank: only {len(colours)} colours"
    assert count_pixels(rows, channels, WARNING_RGB, tolerance=12) > 30, "no warning-coloured title in the screenshot"


@pytest.mark.browser
def test_preview_dom(chromium, preview_page, tmp_path):
    result = run_chromium(chromium, tmp_path / "profile", "--dump-dom", preview_page.as_uri())

    assert result.returncode == 0, result.stderr
    page = parse_page(result.stdout)
    assert HOSTILE_TITLE in page.text
    assert BUILD_URL in page.hrefs
    assert f'<a href="{BUILD_URL}"' in result.stdout
    assert "@zhangsan" in page.text
    assert "prod" not in page.tags
