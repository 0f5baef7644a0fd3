"""Build small .docx and .pdf letters for the reader tests (no fixtures in binary form)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(path: Path, paragraphs: list[str], footnotes: dict[int, str]) -> Path:
    """A .docx whose paragraphs may hold "[fn:N]" where Word would put footnote N."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    for text in paragraphs:
        paragraph = document.add_paragraph()
        for piece in re.split(r"(\[fn:\d+\])", text):
            if match := re.fullmatch(r"\[fn:(\d+)\]", piece):
                run = paragraph.add_run()
                ref = OxmlElement("w:footnoteReference")
                # Word's ids are not the printed numbers; offset them so the reader must renumber.
                ref.set(qn("w:id"), str(int(match.group(1)) + 10))
                run._r.append(ref)
            elif piece:
                paragraph.add_run(piece)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Actie 23"
    table.rows[0].cells[1].text = "Onderzoek opvanglandschap"
    document.save(str(path))
    notes = "".join(
        f'<w:footnote w:id="{n + 10}"><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        "</w:footnote>"
        for n, text in footnotes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{_W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
        f"{notes}</w:footnotes>"
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/footnotes.xml", xml)
    return path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A minimal PDF, one text line per entry, Helvetica; enough for pypdf's text extraction."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    n = 4
    contents = []
    for lines in pages:
        ops = ["BT", "/F1 10 Tf", "11 TL", "40 810 Td"]
        for line in lines:
            # "{sup:N}" prints N raised and small, as Word prints footnote numbers.
            for piece in re.split(r"(\{sup:\d+\})", line):
                if match := re.fullmatch(r"\{sup:(\d+)\}", piece):
                    ops.append(f"/F1 6 Tf 4 Ts ({match.group(1)}) Tj /F1 10 Tf 0 Ts")
                elif piece:
                    ops.append(f"({_pdf_escape(piece)}) Tj")
            ops.append("T*")
        ops.append("ET")
        # WinAnsiEncoding is Windows-1252: it has the curly quotes and dashes Dutch letters use.
        stream = "\n".join(ops).encode("cp1252", errors="replace")
        contents.append((n, stream))
        page_ids.append(n + 1)
        n += 2
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for content_id, stream in contents:
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_id} 0 R "
                f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>"
            ).encode()
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))
    return path


def seed_as_docx(text_letter: Path, path: Path) -> Path:
    """The plain-text export turned back into a Word file with real footnotes."""
    from samen.programme.letter.extract import from_plain_text

    letter = from_plain_text(text_letter.read_text(encoding="utf-8"))
    body = [re.sub(r"\[footnoteRef:(\d+)\]", r"[fn:\1]", p) for p in letter.paragraphs]
    return make_docx(path, body, letter.footnotes)


def seed_as_pdf(
    text_letter: Path, path: Path, *, width: int = 95, lines_per_page: int = 48
) -> Path:
    """The letter laid out as a PDF: wrapped lines, raised footnote numbers in the text and
    before each note, notes at the bottom of the page that cites them."""
    import textwrap

    from samen.programme.letter.extract import from_plain_text

    letter = from_plain_text(text_letter.read_text(encoding="utf-8"))
    pages: list[list[str]] = []
    body: list[str] = []
    notes: list[str] = []

    def flush() -> None:
        pages.append([*body, "", *notes])
        body.clear()
        notes.clear()

    for paragraph in letter.paragraphs:
        for line in [*textwrap.wrap(paragraph, width), ""]:
            cited = [int(n) for n in re.findall(r"\[footnoteRef:(\d+)\]", line)]
            note_lines = [
                wrapped
                for n in cited
                for wrapped in textwrap.wrap(f"{{sup:{n}}}{letter.footnotes[n]}", width)
            ]
            if len(body) + len(notes) + len(note_lines) + 1 > lines_per_page:
                flush()
            body.append(re.sub(r"\[footnoteRef:(\d+)\]", r"{sup:\1}", line))
            notes.extend(note_lines)
    flush()
    return make_pdf(path, pages)
