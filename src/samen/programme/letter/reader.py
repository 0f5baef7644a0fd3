"""Read a progress letter into proposed register updates.

The reader works in three passes over the paragraphs and footnotes from `extract`:
  1. every parliamentary reference (in footnotes or inline) becomes an item, tied to the motion
     or commitment named in the sentence that cites it;
  2. motions and commitments named without a reference (e.g. "toezegging aan het lid X") become
     items too, unless they refer back to an item already in scope;
  3. every sentence that signals a status is given to the item(s) it is about: the item it
     names, else the item the section heading is about, else the nearest one before it.
Nothing here writes anywhere: the result is a proposal that a person accepts or rejects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .citations import Reference, find_citations
from .extract import MARKER_RE, LetterText, read_letter_text
from .members import (
    BACKREF_RE,
    COMMITMENT_RE,
    MEMBER_MOTION_RE,
    MEMBERS_RE,
    MOTION_RE,
    Member,
    mentioned_members,
    names_in,
)
from .status import LetterStatus, statuses_in, strongest

KIND_MOTION = "motion"
KIND_COMMITMENT = "commitment"
KIND_DOCUMENT = "document"  # a cited paper that is neither (a bill, a letter)

_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            *("januari", "februari", "maart", "april", "mei", "juni"),
            *("juli", "augustus", "september", "oktober", "november", "december"),
        ],
        start=1,
    )
}
_DATE_RE = re.compile(rf"\b(\d{{1,2}})\s+({'|'.join(_MONTHS)})\s+(\d{{4}})\b", re.IGNORECASE)
_ACTION_LINE_RE = re.compile(r"\(actielijn\s+(\d)\)", re.IGNORECASE)
# Sections after the action lines are not about any one action line.
_TOP_SECTION_RE = re.compile(
    r"^(?:Internationale|Overige moties|Tot slot|Moties en toezeggingen)", re.I
)
# Abbreviations Dutch parliamentary letters use before a capital or a number: no sentence end.
# Rules as data: a new abbreviation is a new entry.
ABBREVIATIONS = (
    r"c\.\s?s", "nr", "nrs", r"o\.a", "bijv", r"i\.p\.v", "resp", "art", "artt", "blz",
    r"d\.d", r"t\.a\.v", r"m\.b\.t", r"e\.a", "mr", "dhr", "mevr", "prof", "dr", "ca", "zgn",
    "vgl", "Stb", "Stcrt",
)  # fmt: skip
# ("Sr.", "Sv.", "jl." and "e.d." often end a sentence: they are left out on purpose.)
_ABBREVIATION_END_RE = re.compile(r"\b(?:" + "|".join(ABBREVIATIONS) + r")\.$", re.I)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])((?:\[footnoteRef:\d+\])*)\s+(?=[A-Z0-9À-Ý“\"‘(])")
_REQUEST_RE = re.compile(r"\b(?:verzocht|verzoekt|roep(?:t|en)\s+op|motie)\b", re.I)


def split_sentences(paragraph: str) -> list[str]:
    """Sentence split that keeps footnote markers with the sentence they close."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(paragraph):
        candidate = paragraph[start : match.start()]
        # "c.s." mid-sentence is no end; "c.s.[footnoteRef:29] Naar ..." is, the note shows it.
        if not match.group(1) and _ABBREVIATION_END_RE.search(candidate):
            continue
        sentences.append(paragraph[start : match.end(1)].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def strip_markers(text: str) -> str:
    return re.sub(r"\s{2,}", " ", MARKER_RE.sub("", text)).strip()


def is_heading(paragraph: str) -> bool:
    text = strip_markers(paragraph)
    return len(text) < 300 and not text.endswith((".", ",", ":", ";", "?", "!")) and "|" not in text


def parse_dutch_date(text: str) -> date | None:
    match = _DATE_RE.search(text)
    if not match:
        return None
    day, month, year = match.groups()
    return date(int(year), _MONTHS[month.lower()], int(day))


# How sure the reader is that a status sentence speaks about the item: it names the item's
# members, it says "de motie"/"de toezegging" right after the item, it sits under the item's
# heading, or the item is merely the nearest one before it.
_TIE_CONFIDENCE = {"named": 0.95, "hint": 0.85, "heading": 0.8, "nearest": 0.65}


@dataclass
class Signal:
    status: LetterStatus
    sentence: str
    tie: str = "nearest"


@dataclass
class Item:
    """One proposed update: a motion, commitment or cited document, with what the letter says."""

    index: int
    kind: str
    mention: str
    subject: str
    members: list[Member]
    co_signers: bool
    paragraph: int
    sentence: int
    in_heading: bool
    section: str
    action_line: int | None
    reference: Reference | None = None
    footnote: int | None = None
    footnote_text: str = ""
    made_on: date | None = None
    signals: list[Signal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passage: str = ""

    @property
    def status(self) -> LetterStatus | None:
        return strongest([s.status for s in self.signals])

    @property
    def evidence(self) -> str:
        status = self.status
        return next((s.sentence for s in self.signals if s.status == status), "")

    @property
    def confidence(self) -> float:
        """0-1: how sure the proposal is. Without a status, how sure the item itself is (a
        cited reference is firmer than a name); with one, how firmly the evidence sentence is
        tied to the item. Every ambiguity the reader noted lowers it."""
        status = self.status
        if status is None:
            base = 0.9 if self.reference else 0.75
        else:
            tie = next(s.tie for s in self.signals if s.status == status)
            base = _TIE_CONFIDENCE[tie]
        return round(max(0.3, base - 0.15 * len(self.notes)), 2)

    def as_dict(self) -> dict[str, Any]:
        role = "made_to" if self.kind == KIND_COMMITMENT else "submitters"
        return {
            "index": self.index,
            "kind": self.kind,
            "reference": self.reference.as_dict() if self.reference else None,
            "mention": self.mention,
            "subject": self.subject,
            "members_role": role,
            "submitters": [m.as_dict() for m in self.members] if role == "submitters" else [],
            "made_to": [m.as_dict() for m in self.members] if role == "made_to" else [],
            "parties": sorted({m.party for m in self.members if m.party}),
            "co_signers": self.co_signers,
            "made_on": self.made_on.isoformat() if self.made_on else None,
            "status": self.status.value if self.status else None,
            "evidence": self.evidence,
            "confidence": self.confidence,
            "signals": [
                {"status": s.status.value, "sentence": s.sentence, "tie": s.tie}
                for s in self.signals
            ],
            "location": {
                "paragraph": self.paragraph,
                "sentence": self.sentence,
                "footnote": self.footnote,
                "footnote_text": self.footnote_text,
                "section": self.section,
                "action_line": self.action_line,
            },
            "passage": self.passage,
            "notes": self.notes,
        }


@dataclass
class CitationFound:
    reference: Reference
    paragraph: int
    sentence: int
    footnote: int | None
    item: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.reference.as_dict(),
            "paragraph": self.paragraph,
            "footnote": self.footnote,
            "item": self.item,
        }


@dataclass
class LetterReading:
    source_name: str
    source_format: str
    sha256: str
    paragraphs: list[str]
    footnotes: dict[int, str]
    references: list[CitationFound]
    items: list[Item]

    @property
    def done_items(self) -> list[Item]:
        return [i for i in self.items if i.status is LetterStatus.DONE]

    def as_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for item in self.items:
            key = item.status.value if item.status else "none"
            counts[key] = counts.get(key, 0) + 1
        return {
            "source": {
                "name": self.source_name,
                "format": self.source_format,
                "sha256": self.sha256,
            },
            "summary": {
                "references": len(self.references),
                "distinct_references": len({c.reference.key for c in self.references}),
                "items": len(self.items),
                "by_status": counts,
            },
            "references": [c.as_dict() for c in self.references],
            "items": [i.as_dict() for i in self.items],
        }


@dataclass
class _Para:
    text: str
    sentences: list[str]
    heading: bool
    block_heading: int | None  # index of the heading paragraph this paragraph falls under
    section: str
    action_line: int | None


# A motion heading run together with the text before or after it (a PDF page break, a lost
# line break): "... als afgedaan. Motie X (P) – onderwerp[footnoteRef:22] Het lid X ...".
_HEADING_INSIDE_RE = re.compile(
    r"(?:^|(?<=[.!?\]])\s+)"
    r"((?:Motie|Toezegging)\s(?:[^.]|c\.\s?s\.){0,300}?\s[–—-]\s(?:[^.]|c\.\s?s\.){0,400}?"
    r"\[footnoteRef:\d+\])"
    r"(?=\s+[A-ZÀ-Ý]|\s*$)"
)


def split_run_on_headings(paragraphs: list[str]) -> list[str]:
    result: list[str] = []
    for text in paragraphs:
        pieces: list[str] = []
        position = 0
        for match in _HEADING_INSIDE_RE.finditer(text):
            pieces += [text[position : match.start()], match.group(1)]
            position = match.end()
        pieces.append(text[position:])
        result += [piece.strip() for piece in pieces if piece.strip()]
    return result


def _structure(paragraphs: list[str]) -> list[_Para]:
    paras: list[_Para] = []
    heading_index: int | None = None
    section = ""
    action_line: int | None = None
    for i, text in enumerate(paragraphs):
        heading = is_heading(text)
        if heading:
            heading_index = i
            # A motion heading opens a block but stays inside the letter's section.
            if not _items_heading(text):
                section = strip_markers(text)
            if match := _ACTION_LINE_RE.search(text):
                action_line = int(match.group(1))
            elif _TOP_SECTION_RE.search(section):
                action_line = None
        paras.append(
            _Para(text, split_sentences(text), heading, heading_index, section, action_line)
        )
    return paras


def _find_mention(text: str, before: int) -> tuple[str, re.Match[str]] | None:
    """The last motion/commitment mention that starts before `before` in `text`."""
    found: list[tuple[str, re.Match[str]]] = []
    for kind, regex in (
        (KIND_MOTION, MOTION_RE),
        (KIND_MOTION, MEMBER_MOTION_RE),
        (KIND_COMMITMENT, COMMITMENT_RE),
    ):
        found += [(kind, m) for m in regex.finditer(text) if m.start() < before]
    if not found:
        return None
    return max(found, key=lambda pair: pair[1].start())


_REQUEST_CLAUSE_RE = re.compile(
    r"\b(?:verzocht|verzoekt|vraagt|roep(?:t|en)\s+(?:\w+\s+)?op|inzake)\s+(?:om\s+|tot\s+)?(?P<subject>.+)$",
    re.I,
)


def _subject(para: _Para, sentence: str, mention_end: int, in_heading: bool) -> str:
    if in_heading:
        # "Motie Boomsma (NSC) c.s. – oorzaken afname ..." : the subject follows the dash.
        text = strip_markers(para.text)
        parts = re.split(r"\s[–—-]\s", text, maxsplit=1)
        subject = parts[1].strip() if len(parts) == 2 else text
        return subject[0].upper() + subject[1:]
    # "De motie X verzocht om <subject>", "toezegging aan het lid X inzake <subject>".
    match = _REQUEST_CLAUSE_RE.search(strip_markers(sentence[mention_end:]))
    if match:
        subject = match.group("subject").strip().rstrip(".")
        return subject[0].upper() + subject[1:]
    return strip_markers(sentence)


def _locate_marker(paras: list[_Para], number: int) -> tuple[int, int, int] | None:
    marker = f"[footnoteRef:{number}]"
    for i, para in enumerate(paras):
        for j, sentence in enumerate(para.sentences):
            pos = sentence.find(marker)
            if pos >= 0:
                return i, j, pos
    return None


def read(letter: LetterText) -> LetterReading:
    paragraphs = split_run_on_headings(letter.paragraphs)
    paras = _structure(paragraphs)
    items: list[Item] = []
    citations: list[CitationFound] = []
    by_key: dict[str, Item] = {}

    def new_item(kind: str, i: int, j: int, match: re.Match[str] | None, **extra: Any) -> Item:
        para = paras[i]
        sentence = para.sentences[j]
        if match is not None:
            members, co_signers = mentioned_members(match)
            mention = strip_markers(match.group(0))
        else:
            members, co_signers, mention = [], False, ""
        item = Item(
            index=len(items),
            kind=kind,
            mention=mention,
            subject=_subject(para, sentence, match.end() if match else 0, para.heading),
            members=members,
            co_signers=co_signers,
            paragraph=i,
            sentence=j,
            in_heading=para.heading,
            section=para.section,
            action_line=para.action_line,
            passage=strip_markers(para.text if para.heading else sentence),
            **extra,
        )
        items.append(item)
        return item

    # Pass 1: references, in footnotes (tied through the marker) and inline.
    located: list[tuple[int, int, int, Reference, int | None]] = []
    for number, note in sorted(letter.footnotes.items()):
        for citation in find_citations(note):
            where = _locate_marker(paras, number)
            if where is None:
                continue  # a footnote nobody cites: nothing to tie it to
            located.append((*where, citation.reference, number))
    for i, para in enumerate(paras):
        for j, sentence in enumerate(para.sentences):
            for citation in find_citations(sentence):
                located.append((i, j, citation.start, citation.reference, None))
    located.sort(key=lambda x: (x[0], x[1], x[2]))

    for i, j, pos, reference, footnote in located:
        found = CitationFound(reference, i, j, footnote)
        citations.append(found)
        if reference.key in by_key:  # cited again: same motion
            found.item = by_key[reference.key].index
            continue
        sentence = paras[i].sentences[j]
        mention = _find_mention(sentence, pos)
        match: re.Match[str] | None
        if mention:
            kind, match = mention
        else:
            # No "motie"/"toezegging" before the citation: a paper such as a bill, unless the
            # sentence names members making a request ("Het lid X heeft verzocht ...").
            match = MEMBERS_RE.search(sentence[:pos])
            kind = KIND_MOTION if match and _REQUEST_RE.search(sentence) else KIND_DOCUMENT
        item = new_item(
            kind,
            i,
            j,
            match,
            reference=reference,
            footnote=footnote,
            footnote_text=letter.footnotes.get(footnote, "") if footnote else "",
        )
        found.item = item.index
        by_key[reference.key] = item

    # Pass 2: motions and commitments named without a parliamentary reference.
    for i, para in enumerate(paras):
        for j, sentence in enumerate(para.sentences):
            for kind, regex in (
                (KIND_MOTION, MOTION_RE),
                (KIND_MOTION, MEMBER_MOTION_RE),
                (KIND_COMMITMENT, COMMITMENT_RE),
            ):
                for match in regex.finditer(sentence):
                    if BACKREF_RE.search(sentence[: match.start()]):
                        continue
                    members, _ = mentioned_members(match)
                    in_scope = _items_in_scope(paras, items, i, j)
                    if para.heading:
                        # A heading without its own footnote names the motion that the
                        # paragraphs under it cite: that is the same motion.
                        in_scope += [it for it in items if paras[it.paragraph].block_heading == i]
                    if any(
                        it.kind == kind and names_in(" ".join(m.name for m in members), it.members)
                        for it in in_scope
                    ):
                        continue
                    # A footnote right after the mention that holds no citation describes it.
                    rest = sentence[match.end() :]
                    note_match = MARKER_RE.search(rest)
                    footnote = int(note_match.group(1)) if note_match else None
                    note_text = letter.footnotes.get(footnote, "") if footnote else ""
                    if note_text and find_citations(note_text):
                        continue  # pass 1 already made this item
                    new_item(
                        kind,
                        i,
                        j,
                        match,
                        footnote=footnote,
                        footnote_text=note_text,
                        made_on=parse_dutch_date(note_text) if kind == KIND_COMMITMENT else None,
                    )

    items.sort(key=lambda it: (it.paragraph, it.sentence))
    for n, item in enumerate(items):
        item.index = n
    for found in citations:
        if found.reference.key in by_key:
            found.item = by_key[found.reference.key].index

    _assign_statuses(paras, items)
    _infer_parties(paras, items)
    _check_years(items)
    return LetterReading(
        letter.source_name,
        letter.source_format,
        letter.sha256,
        paragraphs,
        letter.footnotes,
        citations,
        items,
    )


def _items_heading(text: str) -> bool:
    return bool(MOTION_RE.match(strip_markers(text)))


def _items_in_scope(paras: list[_Para], items: list[Item], i: int, j: int) -> list[Item]:
    """Items the sentence (i, j) may speak about: the heading's items and earlier ones here."""
    para = paras[i]
    heading = para.block_heading if not para.heading else i
    return [
        it
        for it in items
        if (it.in_heading and it.paragraph == heading) or (it.paragraph == i and it.sentence <= j)
    ]


def _items_in_block(paras: list[_Para], items: list[Item], i: int, j: int) -> list[Item]:
    """Items from the block's heading up to sentence (i, j)."""
    heading = paras[i].block_heading
    first = heading if heading is not None else 0
    return [
        it for it in items if first <= it.paragraph <= i and (it.paragraph < i or it.sentence <= j)
    ]


def _names_members(sentence: str) -> bool:
    return any(r.search(sentence) for r in (MEMBERS_RE, MOTION_RE, COMMITMENT_RE))


def _kind_hint(sentence: str) -> str | None:
    lowered = sentence.lower()
    if re.search(r"\bmoties?\b", lowered):
        return KIND_MOTION
    if re.search(r"\btoezegging(?:en)?\b", lowered):
        return KIND_COMMITMENT
    return None


def _assign_statuses(paras: list[_Para], items: list[Item]) -> None:
    for i, para in enumerate(paras):
        if para.heading:
            continue
        for j, raw in enumerate(para.sentences):
            sentence = strip_markers(raw)
            signals = statuses_in(sentence)
            if not signals:
                continue
            scope = [it for it in _items_in_scope(paras, items, i, j) if it.kind != KIND_DOCUMENT]
            heading_items = [it for it in scope if it.in_heading]
            here = [it for it in scope if not it.in_heading]
            # A sentence that names members speaks about their item, which may have been
            # introduced a paragraph earlier (a paragraph split by a page break).
            named = [
                it
                for it in _items_in_block(paras, items, i, j)
                if it.kind != KIND_DOCUMENT and names_in(sentence, it.members)
            ]
            hint = _kind_hint(sentence)
            if named:
                targets, tie = named, "named"
            elif not scope or _names_members(sentence):
                continue  # about no item here, or members without one: better unassigned
            else:
                # Unnamed. "de motie" / "deze toezegging" points to the nearest such item in
                # the paragraph; a sentence without either is about the item the section
                # heading names, or else the nearest item before it.
                pool_heading = [it for it in heading_items if hint is None or it.kind == hint]
                pool_here = [it for it in here if hint is None or it.kind == hint]
                if hint and pool_here:
                    targets, tie = pool_here[-1:], "hint"
                elif pool_heading:
                    targets, tie = pool_heading[:1], "heading"
                else:
                    targets, tie = (pool_here[-1:] or heading_items[:1] or here[-1:]), "nearest"
                if LetterStatus.DONE in signals and pool_heading and pool_here:
                    targets[0].notes.append(
                        "done declaration names no member; heading and paragraph both name one"
                    )
            for target in targets:
                for status in signals:
                    target.signals.append(Signal(status, sentence, tie))
                if LetterStatus.DONE in signals and hint and hint != target.kind:
                    called = "motie" if hint == KIND_MOTION else "toezegging"
                    target.notes.append(
                        f"the declaring sentence calls this a {called}"
                        f" but the letter cites it as a {target.kind}"
                    )


def _infer_parties(paras: list[_Para], items: list[Item]) -> None:
    """Fill a missing party from elsewhere in the same letter ("Motie Ceder en Bikker")."""
    known: dict[str, str] = {}
    for para in paras:
        for regex in (MOTION_RE, MEMBERS_RE, COMMITMENT_RE):
            for match in regex.finditer(para.text):
                for member in mentioned_members(match)[0]:
                    if member.party:
                        known.setdefault(member.name.lower(), member.party)
    for item in items:
        for member in item.members:
            if not member.party and member.name.lower() in known:
                member.party = known[member.name.lower()]
                member.party_inferred = True


def _check_years(items: list[Item]) -> None:
    """Flag a parliamentary year that disagrees with the dossier's neighbouring numbers."""
    refs = [
        it for it in items if it.reference and it.reference.year and it.reference.number.isdigit()
    ]
    for item in refs:
        ref = item.reference
        assert ref is not None
        same = [
            o.reference
            for o in refs
            if o is not item and o.reference and o.reference.dossier == ref.dossier
        ]
        lower = {r.year for r in same if int(r.number) < int(ref.number)}
        higher = {r.year for r in same if int(r.number) > int(ref.number)}
        if len(lower) == 1 and lower == higher and ref.year not in lower:
            item.notes.append(
                f"cited as {ref.year}, but nrs. of dossier {ref.dossier_display} on either side "
                f"are {next(iter(lower))}: check the parliamentary year"
            )


def read_letter(path: str | Path) -> LetterReading:
    return read(read_letter_text(path))
