"""Time to read a 30-page progress letter as PDF and as DOCX (and the text export).

Run: .venv/bin/python benchmarks/letter_read.py [--pages 30] [--runs 3]

The letter is the seed letter followed by the corpus letters (tests/corpus), repeated until the
PDF layout (95 characters, 48 lines a page, footnotes at the foot of the page that cites them)
reaches the page count; footnotes are renumbered so they run on. The same text is written as a
.docx with real footnotes. Prints pages, paragraphs, footnotes, references and items found,
and the median and slowest of `--runs` reads per format.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from samen.programme.letter import read_letter  # noqa: E402
from samen.programme.letter.extract import read_letter_text  # noqa: E402
from samen.programme.tests.letter_files import seed_as_docx, seed_as_pdf  # noqa: E402

SOURCES = [
    ROOT / "src/samen/programme/tests/fixtures/voortgangsbrief_2025.txt",
    *sorted((ROOT / "src/samen/programme/tests/corpus").glob("*.txt")),
]


def _export(paragraphs: list[str], notes: dict[int, str]) -> str:
    """Paragraphs in Word's text-export form: markers inline, note bodies after the paragraph."""
    lines = []
    for paragraph in paragraphs:
        cited = [int(n) for n in re.findall(r"\[footnoteRef:(\d+)\]", paragraph)]
        bodies = "".join(f" [{n}:  {notes[n]}] " for n in cited if n in notes)
        lines.append(paragraph + bodies)
    return "\n\n".join(lines) + "\n"


def build_letter(directory: Path, pages: int) -> tuple[Path, int]:
    paragraphs: list[str] = []
    notes: dict[int, str] = {}
    offset = 0
    round_ = 0
    while True:
        source = SOURCES[round_ % len(SOURCES)]
        round_ += 1
        letter = read_letter_text(source)
        shift = offset

        def renumber(match: re.Match[str], shift: int = shift) -> str:
            return f"[footnoteRef:{int(match.group(1)) + shift}]"

        paragraphs += [re.sub(r"\[footnoteRef:(\d+)\]", renumber, p) for p in letter.paragraphs]
        notes.update({n + shift: text for n, text in letter.footnotes.items()})
        offset = max(notes, default=offset)
        text_path = directory / "brief.txt"
        text_path.write_text(_export(paragraphs, notes), encoding="utf-8")
        pdf = seed_as_pdf(text_path, directory / "brief.pdf")
        from pypdf import PdfReader

        count = len(PdfReader(str(pdf)).pages)
        if count < pages:
            continue
        # Overshot: drop paragraphs from the end until the layout has exactly `pages` pages.
        while count > pages:
            paragraphs.pop()
            text_path.write_text(_export(paragraphs, notes), encoding="utf-8")
            count = len(PdfReader(str(seed_as_pdf(text_path, directory / "brief.pdf"))).pages)
        return text_path, count


def timed(path: Path, runs: int) -> tuple[list[float], object]:
    times = []
    reading = None
    for _ in range(runs):
        start = time.perf_counter()
        reading = read_letter(path)
        times.append(time.perf_counter() - start)
    return times, reading


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="samen-letter-bench-") as tmp:
        directory = Path(tmp)
        text_path, pages = build_letter(directory, args.pages)
        docx = seed_as_docx(text_path, directory / "brief.docx")
        pdf = directory / "brief.pdf"
        print(f"letter: {pages} pages (PDF layout), {text_path.stat().st_size // 1024} kB text")
        for label, path in (("pdf", pdf), ("docx", docx), ("txt", text_path)):
            times, reading = timed(path, args.runs)
            data = reading.as_dict()["summary"]
            print(
                f"{label:<5} median {statistics.median(times):6.2f} s  max {max(times):6.2f} s"
                f"  paragraphs {len(reading.paragraphs):>4}  footnotes {len(reading.footnotes):>3}"
                f"  references {data['references']:>3}  items {data['items']:>3}"
                f"  done {data['by_status'].get('done', 0):>3}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
