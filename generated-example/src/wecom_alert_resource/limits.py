"""Fit message text into the robot's size limits, counted in UTF-8 bytes.

Two strategies, chosen with ``on_oversize``:

- :func:`truncate` cuts the text and appends a visible marker.
- :func:`split` cuts it into several messages. Each cut falls between lines where
  possible, never inside a markdown link, an HTML-like tag such as ``<font>`` or
  ``<@userid>``, or a table row, and never between a character and its combining
  marks or emoji joiners. A fenced code block stays in one message when it fits.
  When it does not, the block is cut between its lines and each part closes and
  reopens the fence, so every message renders as code.

This module has no WeCom knowledge: callers pass the limit.
"""

import re
import unicodedata
from dataclasses import dataclass

# Spans a cut must not fall inside: markdown links and images, and tags such as
# <font color="info">, </font> and <@userid>.
_ATOMIC_SPAN = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)|<[^<>\n]*>")
_FENCE_OPENING = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TABLE_ROW = re.compile(r"^ {0,3}\|")

# The smallest limit that leaves room for a fence and a few characters.
MIN_LIMIT = 32
# Characters after a cut position that are searched for a link or tag crossing it.
# A longer link or tag is cut like plain text. The window also keeps each cut's
# work proportional to the limit, not to the length of the text.
SPAN_LOOKAHEAD = 2048


def utf8_size(text: str) -> int:
    """Return the size of ``text`` in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def truncate(text: str, limit: int, marker: str) -> str:
    """Return ``text`` unchanged if it fits in ``limit`` bytes, else cut it and append ``marker``.

    The cut falls on a character boundary, so the result is valid UTF-8, and the
    result including the marker is at most ``limit`` bytes.
    """
    if utf8_size(text) <= limit:
        return text
    room = limit - utf8_size(marker)
    if room < 0:
        raise ValueError(f"limit {limit} is smaller than the marker ({utf8_size(marker)} bytes)")
    window = text[: room + SPAN_LOOKAHEAD]
    return text[: _max_characters(window, room, avoid_spans=False)] + marker


@dataclass(frozen=True)
class Part:
    """One message of a split: a slice of the original text plus fence lines added around it.

    ``prefix`` reopens a code block that the previous part had to close, and
    ``suffix`` closes a code block that continues in the next part.
    """

    prefix: str
    slice: str
    suffix: str

    @property
    def text(self) -> str:
        return self.prefix + self.slice + self.suffix


def split(text: str, limit: int) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` bytes each, in order.

    Joining the slices of :func:`split_parts` gives back ``text`` exactly. The only
    additions are the fence lines that close and reopen a code block too large for
    one message.
    """
    return [part.text for part in split_parts(text, limit)]


def split_parts(text: str, limit: int) -> list[Part]:
    """Cut ``text`` into :class:`Part` objects whose texts are at most ``limit`` bytes."""
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is below the minimum of {MIN_LIMIT} bytes")
    parts: list[Part] = []
    current = ""
    for block in _blocks(text):
        if utf8_size(current) + utf8_size(block.text) <= limit:
            current += block.text
            continue
        if current:
            parts.append(Part("", current, ""))
            current = ""
        if utf8_size(block.text) <= limit:
            current = block.text
            continue
        pieces = _split_block(block, limit)
        parts.extend(pieces[:-1])
        last = pieces[-1]
        if last.prefix:
            parts.append(last)
        else:
            current = last.slice
    if current or not parts:
        parts.append(Part("", current, ""))
    return parts


@dataclass(frozen=True)
class _Block:
    """Lines that should stay in one message: a fenced code block, a table or one line."""

    lines: list[str]
    fence: str = ""

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = _FENCE_OPENING.match(line)
        if opening:
            fence = opening.group(1)
            end = index + 1
            while end < len(lines) and not _closes_fence(lines[end], fence):
                end += 1
            end = min(end + 1, len(lines))
            blocks.append(_Block(lines[index:end], fence))
            index = end
        elif _TABLE_ROW.match(line):
            end = index + 1
            while end < len(lines) and _TABLE_ROW.match(lines[end]):
                end += 1
            blocks.append(_Block(lines[index:end]))
            index = end
        else:
            blocks.append(_Block([line]))
            index += 1
    return blocks


def _closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _split_block(block: _Block, limit: int) -> list[Part]:
    """Cut a block larger than ``limit`` between its lines, and lines that are still too large."""
    if not block.fence:
        pieces: list[str] = []
        for line in block.lines:
            pieces.extend(_split_line(line, limit, avoid_spans=True))
        return [Part("", slice_, "") for slice_ in _pack(pieces, limit)]

    # Each part of a code block may get the opening line in front and a closing
    # fence behind, so the slices leave room for both.
    opening_line = block.lines[0].rstrip("\r\n") + "\n"
    room = limit - utf8_size(opening_line) - utf8_size("\n" + block.fence)
    if room < MIN_LIMIT // 2:
        # An opening line nearly as large as a message leaves no room to reopen it.
        return _split_block(_Block(block.lines), limit)
    pieces = []
    for line in block.lines:
        pieces.extend(_split_line(line, room, avoid_spans=False))
    slices = _pack(pieces, room)
    parts = []
    for number, slice_ in enumerate(slices):
        prefix = opening_line if number > 0 else ""
        suffix = ""
        if number < len(slices) - 1:
            suffix = block.fence if slice_.endswith("\n") else "\n" + block.fence
        parts.append(Part(prefix, slice_, suffix))
    return parts


def _pack(pieces: list[str], limit: int) -> list[str]:
    slices: list[str] = []
    current = ""
    for piece in pieces:
        if current and utf8_size(current) + utf8_size(piece) > limit:
            slices.append(current)
            current = ""
        current += piece
    if current:
        slices.append(current)
    return slices


def _split_line(line: str, limit: int, avoid_spans: bool) -> list[str]:
    pieces = []
    start = 0
    # limit + 1 characters are at least limit + 1 bytes, so this prefix alone shows
    # whether the rest of the line fits.
    while utf8_size(line[start : start + limit + 1]) > limit:
        window = line[start : start + limit + SPAN_LOOKAHEAD]
        # A limit of at least 4 bytes always fits one character, so each cut advances.
        cut = max(_max_characters(window, limit, avoid_spans), 1)
        pieces.append(line[start : start + cut])
        start += cut
    if start < len(line):
        pieces.append(line[start:])
    return pieces


def _max_characters(text: str, limit: int, avoid_spans: bool) -> int:
    """Return the best cut position (in characters) whose prefix fits in ``limit`` bytes.

    Prefer a cut after whitespace in the second half of the room, then any position
    outside the atomic spans. A span longer than ``limit`` is cut where it must be.
    """
    fitting = len(text[:limit].encode("utf-8")[:limit].decode("utf-8", errors="ignore"))
    forbidden = _forbidden_cuts(text, fitting, avoid_spans)
    allowed = [cut for cut in range(fitting, 0, -1) if cut not in forbidden]
    for cut in allowed:
        if cut < fitting // 2:
            break
        if text[cut - 1].isspace():
            return cut
    if allowed:
        return allowed[0]
    return fitting


def _forbidden_cuts(text: str, fitting: int, avoid_spans: bool) -> set[int]:
    forbidden = set()
    for cut in range(1, fitting + 1):
        if cut < len(text) and _joins_previous(text[cut], text[cut - 1]):
            forbidden.add(cut)
    if avoid_spans:
        for match in _ATOMIC_SPAN.finditer(text):
            if match.start() >= fitting:
                break
            forbidden.update(range(match.start() + 1, match.end()))
    return forbidden


def _joins_previous(character: str, previous: str) -> bool:
    # Combining marks, variation selectors and zero-width joiners belong to the
    # character before them. A cut there would split an emoji such as ⚠️.
    return (
        unicodedata.combining(character) != 0
        or "\ufe00" <= character <= "\ufe0f"
        or character == "\u200d"
        or previous == "\u200d"
    )
