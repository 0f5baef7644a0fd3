"""Turn a letter file (.txt, .docx, .pdf) into paragraphs and footnotes.

Every format is brought into the shape of the plain-text export the ministry circulates:
body paragraphs carry "[footnoteRef:N]" where footnote N is cited, and the footnote texts
are kept apart, so the rest of the reader works on one representation.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

MARKER = "[footnoteRef:{n}]"
MARKER_RE = re.compile(r"\[footnoteRef:(\d+)\]")
# A footnote body in the text export: "[12:  Kamerstukken II, ...]" (may itself hold brackets
# such as a URL's query, so we stop at the "]" that is followed by whitespace/end or another note).
_FOOTNOTE_BODY_RE = re.compile(r"\[(\d+):\s+(.*?)\]\s*(?=\[\d+:\s|$|\s{2,}|\n)", re.DOTALL)
_BOOKMARK_RE = re.compile(r"\[bookmark: [^\]]*\]")


class UnsupportedFormat(ValueError):
    pass


@dataclass
class LetterText:
    paragraphs: list[str]
    footnotes: dict[int, str] = field(default_factory=dict)
    source_name: str = ""
    source_format: str = ""
    sha256: str = ""


def _clean(text: str) -> str:
    text = _BOOKMARK_RE.sub("", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", text).strip()


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_TABLE = str.maketrans(_SUPERSCRIPTS, "0123456789")
# A line of a trailing footnote list: "[3] Kamerstukken ...", "³ Kamerstukken ...".
_NOTE_LINE_RE = re.compile(
    rf"^\s*(?:\[(?P<bracket>\d{{1,3}})\]|(?P<sup>[{_SUPERSCRIPTS}]{{1,3}}))\s*(?P<text>\S.*)$"
)
_BRACKET_MARK_RE = re.compile(r"\[(\d{1,3})\](?!:)")
_SUPERSCRIPT_MARK_RE = re.compile(rf"[{_SUPERSCRIPTS}]{{1,3}}")


def _trailing_notes(lines: list[str]) -> tuple[list[str], dict[int, str]]:
    """Footnotes collected at the end of the text ("[1] ..." or "¹ ..." lines, as a letter
    pasted from a web page or written by hand has them): lift them off the body.

    Only the block at the very end counts, and only if its numbers run 1, 2, 3 ... so an
    ordinary bracketed or numbered line in the body is not taken for a note."""
    notes: dict[int, str] = {}
    end = len(lines)
    k = len(lines) - 1
    while k >= 0:
        line = lines[k]
        match = _NOTE_LINE_RE.match(line)
        if match:
            number = match.group("bracket") or match.group("sup").translate(_SUPERSCRIPT_TABLE)
            notes[int(number)] = match.group("text").strip()
            end = k
        elif line.strip():
            break
        k -= 1
    if not notes or sorted(notes) != list(range(1, len(notes) + 1)):
        return lines, {}
    return lines[:end], notes


def _mark_notes(line: str, numbers: set[int]) -> str:
    """Turn "[3]" and "³" where note 3 is cited into the reader's "[footnoteRef:3]"."""

    def bracket(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return MARKER.format(n=n) if n in numbers else match.group(0)

    def superscript(match: re.Match[str]) -> str:
        n = int(match.group(0).translate(_SUPERSCRIPT_TABLE))
        return MARKER.format(n=n) if n in numbers else match.group(0)

    line = _BRACKET_MARK_RE.sub(bracket, line)
    return _SUPERSCRIPT_MARK_RE.sub(superscript, line)


def from_plain_text(text: str, *, name: str = "", fmt: str = "txt") -> LetterText:
    """Split the text export into paragraphs, lifting footnote bodies out of them.

    Footnotes come inline ("[footnoteRef:3]" with "[3:  ...]" after the paragraph, Word's
    text export) or as a trailing list cited by "[3]" or a superscript "³"."""
    paragraphs: list[str] = []
    lines, footnotes = _trailing_notes(text.splitlines())
    listed = set(footnotes)
    for line in lines:
        if listed:
            line = _mark_notes(line, listed)

        # Footnote bodies are appended to the paragraph that cites them; remove them first.
        def _lift(match: re.Match[str]) -> str:
            footnotes[int(match.group(1))] = _clean(match.group(2))
            return " "

        body = _FOOTNOTE_BODY_RE.sub(_lift, line)
        body = _clean(body)
        if body:
            paragraphs.append(body)
    return LetterText(paragraphs, footnotes, name, fmt)


# --- .docx -------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_paragraph_text(p_element, note_numbers: dict[str, int]) -> str:
    parts: list[str] = []
    for node in p_element.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab" or node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append(" ")
        elif node.tag == f"{_W}footnoteReference":
            note_id = node.get(f"{_W}id", "")
            # Word numbers footnotes by order of appearance, not by their internal id.
            number = note_numbers.setdefault(note_id, len(note_numbers) + 1)
            parts.append(MARKER.format(n=number))
    return "".join(parts)


def from_docx(path: Path) -> LetterText:
    import docx  # python-docx; imported here so .txt reading needs no third-party package
    from lxml import etree

    document = docx.Document(str(path))
    note_numbers: dict[str, int] = {}
    paragraphs: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            paragraphs.append(_docx_paragraph_text(child, note_numbers))
        elif child.tag == f"{_W}tbl":
            # The annex lists actions in tables: one paragraph per row, cells joined by " | ".
            for row in child.iter(f"{_W}tr"):
                cells = [
                    " ".join(_docx_paragraph_text(p, note_numbers) for p in tc.iter(f"{_W}p"))
                    for tc in row.iter(f"{_W}tc")
                ]
                paragraphs.append(" | ".join(c.strip() for c in cells))
    footnotes: dict[int, str] = {}
    # python-docx has no footnote API; the footnotes part is read straight from the package.
    with zipfile.ZipFile(path) as archive:
        if "word/footnotes.xml" in archive.namelist():
            root = etree.fromstring(archive.read("word/footnotes.xml"))
            for note in root.iter(f"{_W}footnote"):
                note_id = note.get(f"{_W}id", "")
                if note_id in note_numbers:
                    text = " ".join(
                        "".join(t.text or "" for t in p.iter(f"{_W}t")) for p in note.iter(f"{_W}p")
                    )
                    footnotes[note_numbers[note_id]] = _clean(text)
    cleaned = [_clean(p) for p in paragraphs]
    return LetterText([p for p in cleaned if p], footnotes, path.name, "docx")


# --- .pdf --------------------------------------------------------------------------------

# "12 Kamerstukken ...", "12Kamerstukken ..." (raised number, no space), or the number already
# recognised as raised: "[footnoteRef:12]Kamerstukken ...".
_FOOTNOTE_LINE_RE = re.compile(
    r"^\s*(?:\[footnoteRef:(?P<marked>\d{1,3})\]|(?P<plain>\d{1,3})(?:\s+|(?=[A-Za-z])))"
    r"\s*(?P<text>\S.*)$"
)


def _note_number(match: re.Match[str]) -> int:
    return int(match.group("marked") or match.group("plain"))


def _split_pdf_page(lines: list[str], next_note: int) -> tuple[list[str], dict[int, str]]:
    """Separate the footnotes at the bottom of a page from its body.

    A PDF has no footnote structure left; we recognise a footnote as a line that starts with
    the next expected footnote number, after which every line is footnote text. Numbers must
    run on from the previous page, so a numbered list in the body is not taken for notes, and
    a note line starting with a number ("28 638, nr. 244") continues the note before it.
    """
    start = len(lines)
    expected = next_note
    # The notes are at the bottom: take the last line that starts with the expected number,
    # provided the text above it carries that number as a raised reference ("versterken.1").
    for i in range(len(lines) - 1, -1, -1):
        match = _FOOTNOTE_LINE_RE.match(lines[i])
        if match and _note_number(match) == expected:
            above = " ".join(lines[:i])
            marker = MARKER.format(n=expected)
            if marker in above or re.search(rf"[^\s\d/]{expected}(?=[\s.,;:)]|$)", above):
                start = i
            break
    current: int | None = None
    parts: dict[int, list[str]] = {}
    for line in lines[start:]:
        match = _FOOTNOTE_LINE_RE.match(line)
        if match and _note_number(match) == (current + 1 if current else expected):
            current = _note_number(match)
            parts[current] = [match.group("text").strip()]
        elif current is not None and line.strip():
            parts[current].append(line.strip())
    notes = {n: _join_lines(p) for n, p in parts.items()}
    return lines[:start], notes


def _insert_pdf_markers(text: str, numbers: list[int]) -> str:
    """Replace superscript numbers (extracted as plain digits glued to a word) by markers.

    Footnote numbers rise through the text, so each is looked for after the previous one; this
    keeps "18" from matching inside an earlier "2018"-like token."""
    position = 0
    for number in sorted(numbers):
        marker = MARKER.format(n=number)
        if marker in text:  # recognised by its size already
            position = max(position, text.index(marker) + len(marker))
            continue
        pattern = re.compile(rf"(?<=[^\s\d/])({number})(?=[\s.,;:)]|$)")
        match = pattern.search(text, position)
        if not match:
            continue
        text = text[: match.start()] + marker + text[match.end() :]
        position = match.start() + len(marker)
    return text


def _join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif re.search(r"[\w)][-/]$", text) and line[:1].isalnum():
            text += line  # a word, compound or URL broken at the line end: no space
        else:
            text += " " + line
    return text


def _line_text(fragments: list[tuple[str, float]]) -> str:
    """Join a line's fragments; a number set clearly smaller than the line is a footnote
    reference (Word raises and shrinks it), so "in 2014" + small "14" is not read as "201414"."""
    main = max((size for text, size in fragments if text.strip()), default=0.0)
    parts = []
    for text, size in fragments:
        if text.strip().isdigit() and size < 0.85 * main:
            parts.append(MARKER.format(n=int(text)))
        else:
            parts.append(text)
    return re.sub(r"\s{2,}", " ", "".join(parts)).strip()


def _pdf_page_lines(page: Any) -> list[str]:
    """The page's text lines, with an empty line wherever the vertical gap shows a new paragraph.

    pypdf's plain extraction keeps raised footnote numbers on their line ("versterken.1 Het")
    but drops blank lines; its layout mode keeps blank lines but moves superscripts to a line of
    their own. So we take plain text and read the paragraph gaps from each line's position."""
    lines: list[tuple[float, str]] = []
    current: list[tuple[str, float]] = []
    current_y: float | None = None

    def close() -> None:
        nonlocal current, current_y
        text = _line_text(current)
        if text and current_y is not None:
            lines.append((current_y, text))
        current, current_y = [], None

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        nonlocal current_y
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        # Some producers set the size with the text matrix and use "1 Tf": take both into account.
        effective = abs(size * tm[3] * cm[3]) or size
        for k, piece in enumerate(text.split("\n")):
            if k:
                close()
            if piece.strip() and current_y is None:
                current_y = y
            current.append((piece, effective))

    page.extract_text(visitor_text=visit)
    close()
    # The usual line distance is the most frequent one (ties: the smallest).
    gaps = Counter(round(a[0] - b[0], 1) for a, b in pairwise(lines) if a[0] > b[0])
    usual = min(gaps, key=lambda g: (-gaps[g], g)) if gaps else 0.0
    result: list[str] = []
    for k, (y, text) in enumerate(lines):
        if k:
            gap = lines[k - 1][0] - y
            if gap > 1.5 * usual or gap < 0:  # an extra line of space, or a jump up (column)
                result.append("")
        result.append(text)
    return result


def from_pdf(path: Path) -> LetterText:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages: list[list[str]] = []
    footnotes: dict[int, str] = {}
    for page in reader.pages:
        lines = _pdf_page_lines(page)
        body, notes = _split_pdf_page(lines, max(footnotes, default=0) + 1)
        footnotes.update(notes)
        while body and not body[-1]:
            body.pop()
        pages.append(body)
    # The full line length: a high percentile, so one long URL does not set it.
    lengths = sorted(len(line) for body in pages for line in body if line)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0
    paragraphs: list[str] = []
    current: list[str] = []
    for body in pages:
        for line in body:
            if line:
                current.append(line)
            elif current:
                paragraphs.append(_join_lines(current))
                current = []
        # A paragraph ends with the page only when the last line ends a sentence and is short;
        # a full last line means the text flowed on. (A heading at the foot of a page runs into
        # the next paragraph; the reader splits motion headings off again.)
        if (
            current
            and current[-1].endswith((".", ":", "!", "?"))
            and len(current[-1]) < 0.75 * width
        ):
            paragraphs.append(_join_lines(current))
            current = []
    if current:
        paragraphs.append(_join_lines(current))
    text = _insert_pdf_markers("\n".join(paragraphs), list(footnotes))
    cleaned = [_clean(p) for p in text.split("\n")]
    return LetterText(
        [p for p in cleaned if p],
        {k: _clean(v) for k, v in footnotes.items()},
        path.name,
        "pdf",
    )


def read_letter_text(path: str | Path) -> LetterText:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".text", ".md"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Exports from older Word versions on Windows are Windows-1252.
            text = raw.decode("cp1252", errors="replace")
        result = from_plain_text(text, name=path.name)
    elif suffix == ".docx":
        result = from_docx(path)
    elif suffix == ".pdf":
        result = from_pdf(path)
    else:
        raise UnsupportedFormat(f"cannot read {path.suffix or 'extensionless'} files: {path.name}")
    result.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return result
