"""PDF reports (issue #16, item 5): tagged PDF/UA-1, landscape where the tables are wide, and a
table's header row repeated on every page it runs over. One rendering per report: WeasyPrint is
slow, and the register runs over many pages."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext

# Rendering does not touch the database engine's differences.
pytestmark = pytest.mark.once


def _reader(content: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content))


def _is_tagged_pdf_ua(reader) -> bool:
    root = reader.trailer["/Root"]
    return (
        "/StructTreeRoot" in root
        and bool(root.get("/MarkInfo", {}).get("/Marked"))
        and b"pdfuaid" in root["/Metadata"].get_object().get_data()
    )


def test_the_register_pdf_is_tagged_landscape_and_repeats_its_table_header(web_for):
    reader = _reader(web_for("demo-privacy").get("/register/?format=pdf").content)
    assert _is_tagged_pdf_ua(reader), "untagged PDF"
    box = reader.pages[0].mediabox
    assert box.width > box.height, "portrait: the register's six columns do not fit"
    with translation.override("nl"):
        header = "".join(gettext("Retention (days)").split())
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        # Without whitespace: a header cell may wrap over two lines.
        assert header in "".join(page.extract_text().split()), f"page {number}: no header row"


def test_the_subject_access_pdf_is_tagged_and_landscape(web_for, record):
    case = record().case
    response = web_for("demo-privacy").get(f"/privacy/inzage/{case.number}/?format=pdf")
    assert response.status_code == 200
    reader = _reader(response.content)
    assert _is_tagged_pdf_ua(reader), "untagged PDF"
    box = reader.pages[0].mediabox
    assert box.width > box.height, "portrait: the subject-access tables do not fit"


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_programme_overview_pdf_never_splits_a_row_over_a_page_break(web_for):
    """Tall rows (long promises) over several pages: each row's whole text is on one page. A
    row cut by a page break has its first lines on one page and the rest on the next, so its
    text is found whole on neither (compared without whitespace: cells wrap)."""
    from samen.programme.models import Commitment

    words = "de minister zegt toe de Kamer voor de zomer te informeren over de voortgang"
    rows = []
    for n in range(60):
        # Unique, tall rows of 6 to 11 lines, so that many page breaks fall inside a row unless
        # rows are kept whole.
        text = f"Toezegging{n:02d}: " + " ".join([words] * (4 + n % 7)) + f" einde{n:02d}"
        rows.append(text)
        Commitment.objects.create(code=f"tz-pdf-{n}", made_to="Tweede Kamer", description=text)
    response = web_for("demo-programme").get("/programma/?format=pdf")
    assert response.status_code == 200
    reader = _reader(response.content)
    pages = [_squeezed(page.extract_text()) for page in reader.pages]
    assert len(pages) >= 3, "too few pages to test page breaks"
    split = [text[:14] for text in rows if not any(_squeezed(text) in page for page in pages)]
    assert not split, f"rows split over a page break: {split}"
