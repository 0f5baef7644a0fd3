"""A generator of clearly synthetic online ads with ground truth, for tests and benchmarks.

Operators run several personas from one or two text templates, across cities, behind a few
contacts written in many obfuscated ways; benign independents write their own ads (and sometimes
repost them); benign clubs advertise several people from one address. Phone numbers come from the
fictional range +31 6 1234 xxxx, e-mail addresses use the reserved domains example.com/.org/.net,
URLs the .example top-level domain. No text is copied from real ads.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from .extract import LEXICON

GRAMMAR: dict = json.loads(
    resources.files("samen.online.engine").joinpath("data/synth_grammar.json").read_text("utf-8")
)
PHONE_POOL_PREFIX = "+3161234"  # + four digits: 10,000 fictional numbers
_CHOICE_RE = re.compile(r"\[([^\[\]]*)\]")
_SLOT_RE = re.compile(r"\{(\w+)\}")
_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
_KEYCAP = "\ufe0f\u20e3"
_SEPARATOR_EMOJI = ("🔥", "💋", "❤️", "✨", "🌹")
_DIGITS_BY_LANGUAGE = {
    "nl": ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "pl": [
        "zero",
        "jeden",
        "dwa",
        "trzy",
        "cztery",
        "pięć",
        "sześć",
        "siedem",
        "osiem",
        "dziewięć",
    ],
    "ro": ["zero", "unu", "doi", "trei", "patru", "cinci", "șase", "șapte", "opt", "nouă"],
    "bg": ["нула", "едно", "две", "три", "четири", "пет", "шест", "седем", "осем", "девет"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
}
assert all(
    w in LEXICON["digit_words"][str(d)]
    for ws in _DIGITS_BY_LANGUAGE.values()
    for d, w in enumerate(ws)
), "synthetic digit words must be known to the extractor"


def expand(frame: str, rng: random.Random) -> str:
    """Pick one option in every [a|b|c] group; slots stay for later."""
    return _CHOICE_RE.sub(lambda m: rng.choice(m.group(1).split("|")), frame)


def fill(template: str, slots: dict[str, str]) -> str:
    return _SLOT_RE.sub(lambda m: slots.get(m.group(1), m.group(0)), template)


def write_phone(e164: str, language: str, rng: random.Random) -> str:
    """The same number the way ads write it: plain, spaced, dotted, with emoji, spelled out."""
    national = "0" + e164[3:]  # +316... -> 06...
    style = rng.randrange(10)
    if style == 0:
        return national
    if style == 1:
        return f"{national[:2]}-{national[2:]}"
    if style == 2:
        return " ".join([national[:2], national[2:4], national[4:6], national[6:8], national[8:]])
    if style == 3:
        return f"+31 6 {e164[4:8]} {e164[8:]}"
    if style == 4:
        return "00" + e164[1:]
    if style == 5:
        return ".".join([national[:2], national[2:4], national[4:6], national[6:8], national[8:]])
    if style == 6:
        emoji = rng.choice(_SEPARATOR_EMOJI)
        return emoji.join([national[:2], national[2:4], national[4:6], national[6:8], national[8:]])
    if style == 7:
        return "".join(d + _KEYCAP for d in national)
    if style == 8:
        words = _DIGITS_BY_LANGUAGE[language]
        return " ".join(words[int(d)] for d in national)
    return "o" + national[1:2] + "-" + national[2:].replace("1", "l")


@dataclass
class _Operator:
    operator_id: str
    exploitative: bool
    kind: str  # "operator", "club", "independent"
    language: str
    templates: list[str]
    personas: list[tuple[str, int]]
    cities: list[str]
    phones: list[str]
    handles: list[str]
    emails: list[str]
    images: dict[int, list[str]]
    start: date
    span_days: int
    price_range: tuple[int, int]
    ads_left: int


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        pool = [f"{PHONE_POOL_PREFIX}{n:04d}" for n in range(10_000)]
        self.rng.shuffle(pool)
        self.phones = pool
        self.serial = 0
        langs = GRAMMAR["languages"]
        self.languages = list(langs)
        self.language_weights = [langs[lang]["weight"] for lang in self.languages]

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def _phone(self) -> str | None:
        # Numbers are handed out once: two unrelated ads never share a fictional number.
        return self.phones.pop() if self.phones else None

    def _language(self) -> str:
        return self.rng.choices(self.languages, self.language_weights)[0]

    def _handle(self, name: str) -> str:
        return f"synth_{name.lower() if name.isascii() else 'x'}_{self._next()}"

    def _image(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    def operator(self, ads: int) -> _Operator:
        rng = self.rng
        language = self._language()
        grammar = GRAMMAR["languages"][language]
        frames = grammar["frames"]
        indicator_frames = grammar["indicators"]
        templates = []
        for _ in range(rng.choice((1, 1, 2))):
            chosen = sorted(rng.sample(range(len(frames)), rng.randint(6, len(frames))))
            sentences = [expand(frames[i], rng) for i in chosen]
            for indicator, probability in (
                ("we_language", 0.5),
                ("movement", 0.5),
                ("controlled_availability", 0.5),
                ("youth_emphasis", 0.3),
                ("third_party_payment", 0.3),
                ("crypto_only", 0.2),
            ):
                if rng.random() < probability:
                    sentences.insert(
                        rng.randrange(len(sentences) + 1),
                        expand(rng.choice(indicator_frames[indicator]), rng),
                    )
            templates.append(" ".join(sentences))
        personas = [
            (rng.choice(grammar["names"]), rng.randint(18, 24)) for _ in range(rng.randint(2, 8))
        ]
        phones = [p for p in (self._phone() for _ in range(rng.choice((1, 1, 2)))) if p]
        handles = [self._handle(personas[0][0])] if rng.random() < 0.5 or not phones else []
        emails = (
            [f"{self._handle(personas[0][0])}@{rng.choice(_EMAIL_DOMAINS)}"]
            if rng.random() < 0.3
            else []
        )
        return _Operator(
            operator_id=f"op{self._next():06d}",
            exploitative=True,
            kind="operator",
            language=language,
            templates=templates,
            personas=personas,
            cities=rng.sample(GRAMMAR["cities"], rng.randint(3, 7)),
            phones=phones,
            handles=handles,
            emails=emails,
            images={i: [self._image() for _ in range(2)] for i in range(len(personas))},
            start=date(2026, 1, 1) + timedelta(days=rng.randrange(250)),
            span_days=rng.randint(10, 60),
            price_range=(40, 120),
            ads_left=ads,
        )

    def club(self, ads: int) -> _Operator:
        rng = self.rng
        language = self._language()
        grammar = GRAMMAR["languages"][language]
        words = rng.sample(grammar["words"], 4)
        template = " ".join(
            fill(expand(frame, rng), {"w1": words[0].capitalize()}) for frame in grammar["club"]
        )
        # Clubs differ in more than their name: without this, thousands of clubs at a million
        # ads would share one boilerplate text.
        extra = [expand(f, rng) for f in rng.sample(grammar["frames"], rng.randint(4, 6))]
        extra.append(
            fill(
                expand(grammar["benign"][1], rng),
                dict(zip(("w1", "w2", "w3"), words[1:], strict=True)),
            )
        )
        rng.shuffle(extra)
        phone = self._phone()
        return _Operator(
            operator_id=f"club{self._next():06d}",
            exploitative=False,
            kind="club",
            language=language,
            templates=[" ".join([template, *extra])],
            personas=[
                (rng.choice(grammar["names"]), rng.randint(21, 40))
                for _ in range(rng.randint(3, 8))
            ],
            cities=[rng.choice(GRAMMAR["cities"])],
            phones=[phone] if phone else [],
            handles=[] if phone else [self._handle("club")],
            emails=[],
            images={},
            start=date(2026, 1, 1) + timedelta(days=rng.randrange(300)),
            span_days=rng.randint(20, 60),
            price_range=(120, 250),
            ads_left=ads,
        )

    def independent(self, ads: int) -> _Operator:
        """A benign person writing her own ad: sentences drawn afresh, so no two share a
        template."""
        rng = self.rng
        language = self._language()
        grammar = GRAMMAR["languages"][language]
        # Every independent ad says something of her own (the sentence with words from the
        # vocabulary), so that two independents rarely share half their text.
        pool = grammar["frames"] + grammar["benign"][:1] + grammar["benign"][2:]
        sentences = [expand(f, rng) for f in rng.sample(pool, rng.randint(4, 7))]
        sentences.insert(rng.randrange(len(sentences) + 1), expand(grammar["benign"][1], rng))
        if rng.random() < 0.08:  # the weak keywords also occur in benign ads
            indicator = rng.choice(("movement", "youth_emphasis", "controlled_availability"))
            sentences.append(expand(rng.choice(grammar["indicators"][indicator]), rng))
        words = rng.sample(grammar["words"], 5)
        text = fill(" ".join(sentences), {f"w{i + 1}": w for i, w in enumerate(words)})
        phone = self._phone() if rng.random() < 0.5 else None
        name = rng.choice(grammar["names"])
        has_handle = not phone and rng.random() < 0.6
        return _Operator(
            operator_id=f"ind{self._next():07d}",
            exploitative=False,
            kind="independent",
            language=language,
            templates=[text],
            personas=[(name, rng.randint(19, 45))],
            cities=[rng.choice(GRAMMAR["cities"])],
            phones=[phone] if phone else [],
            handles=[self._handle(name)] if has_handle else [],
            emails=(
                [f"{self._handle(name)}@{rng.choice(_EMAIL_DOMAINS)}"]
                if not phone and not has_handle
                else []
            ),
            images={0: [self._image()]} if rng.random() < 0.5 else {},
            start=date(2026, 1, 1) + timedelta(days=rng.randrange(330)),
            span_days=rng.randint(1, 30),
            price_range=(100, 250),
            ads_left=ads,
        )

    def ad(self, op: _Operator, ad_id: str) -> dict:
        rng = self.rng
        persona_index = rng.randrange(len(op.personas))
        name, age = op.personas[persona_index]
        city = rng.choice(op.cities)
        price = rng.randint(*op.price_range) // 10 * 10
        contact_options = [("phone", p) for p in op.phones] + [("handle", h) for h in op.handles]
        contact_options += [("email", e) for e in op.emails]
        ad: dict = {
            "id": ad_id,
            "url": f"https://{rng.choice(GRAMMAR['platforms'])}/ad/{ad_id}",
            "platform": "",
            "posted_at": (op.start + timedelta(days=rng.randrange(op.span_days))).isoformat()
            + f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            "city": city,
        }
        ad["platform"] = ad["url"].split("/")[2]
        contact_text = ""
        if contact_options:
            kind, value = rng.choice(contact_options)
            if kind == "phone":
                if rng.random() < 0.25:
                    ad["phone"] = value
                contact_text = write_phone(value, op.language, rng)
            elif kind == "handle":
                contact_text = rng.choice(
                    (
                        f"Telegram: @{value}",
                        f"t.me/{value}",
                        f"Snapchat: {value}",
                        f"insta: @{value}",
                    )
                )
            else:
                user, domain = value.split("@")
                contact_text = rng.choice((value, f"{user} [at] {domain.replace('.', ' [dot] ')}"))
        template = rng.choice(op.templates)
        text = fill(
            template,
            {
                "name": name,
                "age": str(age),
                "city": city,
                "price": str(price),
                "contact": contact_text or "-",
            },
        )
        if "{contact}" not in template and contact_text:
            text += " " + contact_text
        text = self._noise(text, op)
        grammar = GRAMMAR["languages"][op.language]
        title = rng.choice(
            (
                f"{name} ({age})",
                f"{name}, {age}",
                f"{name} - {city}",
                expand(rng.choice(grammar["frames"][:2]), rng).split(",")[0],
            )
        )
        ad["title"] = fill(title, {"city": city, "name": name, "age": str(age)})
        ad["text"] = text
        if rng.random() < 0.5:
            ad["price"] = price
        images = op.images.get(persona_index if op.kind == "operator" else 0)
        if images and rng.random() < 0.7:
            ad["image_hashes"] = rng.sample(images, rng.randint(1, len(images)))
        return ad

    def _noise(self, text: str, op: _Operator) -> str:
        rng = self.rng
        if rng.random() < 0.3:  # a typo
            words = text.split(" ")
            i = rng.randrange(len(words))
            if len(words[i]) > 3 and words[i].isalpha():  # a typo in a number would be a new number
                w = words[i]
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
            text = " ".join(words)
        if rng.random() < 0.3:
            text = text + " " + rng.choice(_SEPARATOR_EMOJI) * rng.randint(1, 3)
        if op.kind == "operator" and rng.random() < 0.15:  # one sentence dropped
            sentences = text.split(". ")
            if len(sentences) > 4:
                sentences.pop(rng.randrange(1, len(sentences) - 1))
            text = ". ".join(sentences)
        return text


def generate(ads: int, seed: int) -> Iterator[tuple[dict, str, bool]]:
    """``(ad, operator_id, is_exploitative)`` for ``ads`` ads, interleaved in posting-like order.

    About 30% of ads come from exploitative operators, 4% from clubs, the rest from independents
    (15% of whom repost their ad a few times).
    """
    gen = Generator(seed)
    rng = gen.rng
    owners: list[_Operator] = []
    remaining = ads
    while remaining > 0:
        roll = rng.random()
        # Owner kinds drawn so that ads split about 31% operator, 4% club, 65% independent.
        if roll < 0.035:
            op = gen.operator(min(remaining, rng.randint(4, 30)))
        elif roll < 0.042:
            op = gen.club(min(remaining, rng.randint(4, 16)))
        else:
            op = gen.independent(min(remaining, 1 if rng.random() < 0.85 else rng.randint(2, 4)))
        remaining -= op.ads_left
        owners.append(op)
    # Interleave owners' ads as a stream does, without holding all ads in memory: draw owners
    # weighted by ads left. A shuffled list of owner indices, one entry per ad, is small enough.
    slots = [i for i, op in enumerate(owners) for _ in range(op.ads_left)]
    rng.shuffle(slots)
    for n, owner_index in enumerate(slots, start=1):
        op = owners[owner_index]
        yield gen.ad(op, f"ad{n:08d}"), op.operator_id, op.exploitative


def write_synthetic(
    ads: int, seed: int, out: Path, truth: Path | None = None, bad_lines: int = 0
) -> Path:
    """Write ``ads`` ads to ``out`` (JSON Lines, or CSV when it ends in .csv) and the truth file
    ``ad_id,operator_id,is_exploitative`` (default: ``<out stem>.truth.csv``). ``bad_lines``
    malformed lines are mixed in, to exercise error reporting; they are not in the truth file."""
    truth = truth or out.with_name(out.name.split(".")[0] + ".truth.csv")
    rng = random.Random(seed + 1)
    bad_at = set(rng.sample(range(ads), min(bad_lines, ads))) if bad_lines else set()
    as_csv = out.suffix.lower() == ".csv"
    columns = [
        "id",
        "url",
        "platform",
        "posted_at",
        "city",
        "title",
        "text",
        "phone",
        "email",
        "image_hashes",
        "price",
        "age",
    ]
    with (
        open(out, "w", encoding="utf-8", newline="") as ads_file,
        open(truth, "w", encoding="utf-8", newline="") as truth_file,
    ):
        truth_writer = csv.writer(truth_file)
        truth_writer.writerow(["ad_id", "operator_id", "is_exploitative"])
        ad_writer = csv.DictWriter(ads_file, columns) if as_csv else None
        if ad_writer:
            ad_writer.writeheader()
        for n, (ad, operator_id, exploitative) in enumerate(generate(ads, seed)):
            if n in bad_at:
                ads_file.write('{"id": "broken", "text": \n' if not as_csv else "broken,row\n")
            if ad_writer:
                row = dict(ad)
                row["image_hashes"] = ";".join(ad.get("image_hashes", ()))
                ad_writer.writerow(row)
            else:
                ads_file.write(json.dumps(ad, ensure_ascii=False) + "\n")
            truth_writer.writerow([ad["id"], operator_id, int(exploitative)])
    return truth
