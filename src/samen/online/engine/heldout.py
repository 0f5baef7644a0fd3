"""A second, independent corpus generator for held-out evaluation (issue 18, item 1).

Written apart from ``synth.py`` and on purpose unlike it, so that a score on this corpus says
something about ads the engine was not shaped on:

- templates are composed per operator from phrase parts, so two operators rarely share more than
  stock phrases, and 40% of operators write with two or three templates that share little text;
- a few operators are copycats: they take over about half of another operator's template;
- personas appear in many title forms (adjective before the name, name "in" a city, name without
  an age, brackets, "NEW") and in greetings inside the text;
- contacts are written in ways the engine's own generator does not use (one digit spelled out,
  numbers outside the numbering plan, foreign numbers, labelled handles), and a few hub contacts
  (a verification service, a site's support desk) recur in ads of unrelated advertisers;
- four languages: Dutch, English, Polish, Romanian;
- a text-only variant of every ad, with no phone, e-mail or handle anywhere.

Ground truth per ad: operator, kind (exploitative, agency, independent), whether it is
exploitative, the persona name and age as generated, and the template.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

LANGS = ("nl", "en", "pl", "ro")
CITIES = (
    "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg", "Breda",
    "Nijmegen", "Arnhem", "Haarlem", "Zwolle", "Leiden", "Maastricht", "Almere", "Enschede",
    "Apeldoorn", "Amersfoort", "Venlo", "Antwerpen",
)  # fmt: skip
NAMES = tuple(
    [
        "Ada",
        "Adela",
        "Aisha",
        "Alina",
        "Alma",
        "Amber",
        "Ana",
        "Andreea",
        "Angel",
        "Anita",
        "Bella",
        "Bianca",
        "Carla",
        "Celine",
        "Chloe",
        "Cleo",
        "Daria",
        "Dasha",
        "Demi",
        "Diana",
        "Dora",
        "Elena",
        "Eliza",
        "Emma",
        "Esmee",
        "Eva",
        "Fleur",
        "Gabi",
        "Gina",
        "Hana",
        "Ilona",
        "Ines",
        "Irina",
        "Iza",
        "Jade",
        "Jasmin",
        "Julia",
        "Kamila",
        "Kara",
        "Kasia",
        "Katya",
        "Kim",
        "Lara",
        "Laura",
        "Lena",
        "Lia",
        "Lidia",
        "Lily",
        "Lina",
        "Liz",
        "Lola",
        "Luna",
        "Madalina",
        "Maja",
        "Mara",
        "Maria",
        "Marta",
        "Maya",
        "Melisa",
        "Mia",
        "Mila",
        "Mira",
        "Monica",
        "Nadia",
        "Nala",
        "Nika",
        "Nina",
        "Noa",
        "Nora",
        "Ola",
        "Olivia",
        "Paula",
        "Petra",
        "Raluca",
        "Rita",
        "Roxana",
        "Ruby",
        "Sabina",
        "Sara",
        "Selena",
        "Sonia",
        "Stella",
        "Tamara",
        "Tara",
        "Tina",
        "Vera",
        "Vika",
        "Viola",
        "Wiktoria",
        "Yara",
        "Zara",
        "Zoe",
        "Zuzanna",
    ]
)
EMOJI = ("💋", "🔥", "❤️", "😘", "🌹", "✨", "💦", "😈", "🍒", "👑", "💎", "🥰")

# Per language: title adjectives, greetings ({name}, {age}, {city}), sentence parts from which each
# operator composes its own sentences, services, price lines, closings, and risk phrases by
# indicator category (what the literature on online trafficking signals names).
BANK: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "adj": ("Lieve", "Sexy", "Nieuwe", "Hete", "Mooie", "Zoete", "Ondeugende", "Exotische"),
        "new": ("NIEUW", "Nieuw!", "Net nieuw"),
        "in": ("in",),
        "age_unit": ("jaar", "jr"),
        "greet": (
            "Hoi schatjes, ik ben {name}, {age} jaar.",
            "Hallo heren! Mijn naam is {name} en ik ben {age}.",
            "Hey, {name} hier ({age}), nu in {city}.",
            "Welkom bij {name}!",
        ),
        "a": ("Ik ben een", "Je vindt in mij een", "Kom kennismaken met een", "Hier is een"),
        "b": (
            "slanke blonde",
            "sportieve donkere",
            "warme latina",
            "verleidelijke jonge",
            "speelse rondborstige",
            "elegante",
            "stoute kleine",
            "zachte lange",
        ),
        "c": (
            "dame die houdt van plezier",
            "meid voor een ontspannen avond",
            "vriendin met gouden handen",
            "vrouw met een glimlach",
            "schoonheid vol passie",
            "dame die jou verwent",
        ),
        "d": (
            "Discretie staat voorop",
            "Hygiëne is heel belangrijk voor mij",
            "Ik ontvang in een schoon appartement",
            "Ook op hotelbezoek",
            "Parkeren voor de deur",
            "Douche aanwezig",
            "Kom langs na je werk",
            "Geen haast, alle tijd voor jou",
            "Ik spreek een beetje Engels",
            "Bel of app voor een afspraak",
            "Alleen serieuze heren",
            "Geen anonieme nummers",
            "Elke dag open van 10 tot 22",
        ),
        "svc": ("GFE", "massage", "zoenen", "striptease", "rollenspel", "douchen samen"),
        "price": (
            "Half uur {price} euro",
            "€{price} per uur",
            "Vanaf {price} eur",
            "Uur: {price}€",
        ),
        "close": ("Tot snel!", "Kusjes", "Ik wacht op je", "Liefs", "Bel me snel"),
        "contact": ("Bel {phone}", "Tel: {phone}", "Whatsapp {phone}", "Bellen of appen: {phone}"),
        "third_party": (
            "Afspraken via mijn manager",
            "Boeken kan alleen via mijn agent",
            "Mijn vriend regelt de afspraken",
        ),
        "several": ("Wij zijn met 3 meiden", "Twee nieuwe meisjes deze week", "Keuze uit 4 dames"),
        "movement": (
            "Alleen deze week in {city}",
            "Op tournee, vertrek binnenkort",
            "Laatste dagen in {city}",
        ),
        "payment": (
            "Betaling alleen in crypto",
            "Alleen betalen met bitcoin",
            "Vooraf betalen met cadeaukaart",
        ),
        "youth": ("Net 18 geworden", "Heel jong en onervaren", "Jonge studente"),
        "mismatch": ("Spreek geen Nederlands, alleen Engels", "Ik spreek geen Nederlands"),
    },
    "en": {
        "adj": ("Sweet", "Sexy", "Hot", "Gorgeous", "Naughty", "Exotic", "Petite", "Stunning"),
        "new": ("NEW", "New!", "Brand new"),
        "in": ("in",),
        "age_unit": ("years", "yo", "y.o."),
        "greet": (
            "Hello gentlemen, my name is {name}, {age} years.",
            "Hi guys! I'm {name} ({age}) and I'm visiting {city}.",
            "Hey there, {name} here.",
            "Welcome to {name}'s page!",
        ),
        "a": ("I am a", "Meet a", "You will find a", "Let me be your"),
        "b": (
            "slim blonde",
            "sporty brunette",
            "warm latina",
            "seductive young",
            "playful curvy",
            "elegant",
            "cheeky petite",
            "soft tall",
        ),
        "c": (
            "lady who loves fun",
            "girl for a relaxing evening",
            "companion with magic hands",
            "woman with a smile",
            "beauty full of passion",
            "lady who spoils you",
        ),
        "d": (
            "Discretion guaranteed",
            "Hygiene is very important to me",
            "I receive in a clean apartment",
            "Outcalls to hotels too",
            "Free parking nearby",
            "Shower available",
            "Come by after work",
            "No rush, all the time for you",
            "Call or text for an appointment",
            "Serious gentlemen only",
            "No private numbers",
            "Open every day from 10 to 22",
        ),
        "svc": ("GFE", "massage", "kissing", "striptease", "role play", "shower together"),
        "price": ("30 min {price} euro", "€{price} per hour", "From {price} eur", "1h: {price}€"),
        "close": ("See you soon!", "Kisses", "Waiting for you", "Love", "Call me now"),
        "contact": ("Call {phone}", "Phone: {phone}", "WhatsApp {phone}", "Text me on {phone}"),
        "third_party": (
            "Bookings through my manager",
            "Appointments only via my agent",
            "My boyfriend handles the bookings",
        ),
        "several": ("We are 3 girls", "Two new girls this week", "Choice of 4 ladies"),
        "movement": (
            "Only this week in {city}",
            "On tour, leaving soon",
            "Last days in {city}",
        ),
        "payment": ("Payment only in crypto", "Bitcoin only", "Prepay with gift card"),
        "youth": ("Just turned 18", "Very young and new", "Young student girl"),
        "mismatch": ("No English, only Romanian", "I don't speak English"),
    },
    "pl": {
        "adj": ("Słodka", "Seksowna", "Gorąca", "Piękna", "Niegrzeczna", "Egzotyczna", "Nowa"),
        "new": ("NOWOŚĆ", "Nowa!", "Nowa w mieście"),
        "in": ("w",),
        "age_unit": ("lat",),
        "greet": (
            "Cześć panowie, jestem {name}, mam {age} lat.",
            "Hej! Mam na imię {name} ({age}), teraz w {city}.",
            "Witaj, tu {name}.",
        ),
        "a": ("Jestem", "Poznaj", "Czeka na ciebie"),
        "b": (
            "szczupła blondynka",
            "wysportowana brunetka",
            "ciepła",
            "uwodzicielska młoda",
            "zabawna krągła",
            "elegancka",
        ),
        "c": (
            "która kocha zabawę",
            "na relaksujący wieczór",
            "o magicznych dłoniach",
            "z uśmiechem",
            "pełna pasji",
        ),
        "d": (
            "Dyskrecja gwarantowana",
            "Higiena jest dla mnie bardzo ważna",
            "Przyjmuję w czystym mieszkaniu",
            "Dojazd do hotelu",
            "Parking w pobliżu",
            "Prysznic na miejscu",
            "Wpadnij po pracy",
            "Bez pośpiechu",
            "Dzwoń lub pisz",
            "Tylko poważni panowie",
            "Bez zastrzeżonych numerów",
        ),
        "svc": ("GFE", "masaż", "pocałunki", "striptiz", "odgrywanie ról"),
        "price": ("Pół godziny {price} euro", "€{price} za godzinę", "Od {price} eur"),
        "close": ("Do zobaczenia!", "Buziaki", "Czekam na ciebie", "Zadzwoń"),
        "contact": ("Dzwoń {phone}", "Tel: {phone}", "WhatsApp {phone}"),
        "third_party": ("Rezerwacje przez mojego menedżera", "Umawia mój przyjaciel"),
        "several": ("Jesteśmy 3 dziewczyny", "Dwie nowe dziewczyny w tym tygodniu"),
        "movement": ("Tylko w tym tygodniu w {city}", "W trasie, wkrótce wyjeżdżam"),
        "payment": ("Płatność tylko w kryptowalucie", "Tylko bitcoin"),
        "youth": ("Właśnie skończyłam 18 lat", "Bardzo młoda"),
        "mismatch": ("Nie mówię po polsku",),
    },
    "ro": {
        "adj": ("Dulce", "Sexy", "Fierbinte", "Frumoasa", "Obraznica", "Exotica", "Noua"),
        "new": ("NOU", "Noua!", "Noua in oras"),
        "in": ("in", "din"),
        "age_unit": ("ani",),
        "greet": (
            "Buna baieti, sunt {name}, am {age} ani.",
            "Salut! Ma numesc {name} ({age}), acum in {city}.",
            "Hei, aici {name}.",
        ),
        "a": ("Sunt o", "Cunoaste o", "Te asteapta o"),
        "b": (
            "blonda sportiva",
            "bruneta sexy",
            "latina calda",
            "tanara seducatoare",
            "jucausa",
            "eleganta",
        ),
        "c": (
            "care iubeste distractia",
            "pentru o seara relaxanta",
            "cu maini magice",
            "cu zambet",
            "plina de pasiune",
        ),
        "d": (
            "Discretie garantata",
            "Igiena este foarte importanta",
            "Primesc intr-un apartament curat",
            "Deplasari la hotel",
            "Parcare aproape",
            "Dus disponibil",
            "Vino dupa munca",
            "Fara graba",
            "Suna sau scrie",
            "Doar domni seriosi",
            "Fara numere ascunse",
        ),
        "svc": ("GFE", "masaj", "sarutari", "striptease", "joc de rol"),
        "price": ("Jumatate de ora {price} euro", "€{price} pe ora", "De la {price} eur"),
        "close": ("Pe curand!", "Pupici", "Te astept", "Suna-ma"),
        "contact": ("Suna {phone}", "Tel: {phone}", "WhatsApp {phone}"),
        "third_party": ("Programari prin managerul meu", "Prietenul meu face programarile"),
        "several": ("Suntem 3 fete", "Doua fete noi saptamana aceasta"),
        "movement": ("Doar saptamana aceasta in {city}", "In turneu, plec curand"),
        "payment": ("Plata doar in crypto", "Doar bitcoin"),
        "youth": ("Abia am implinit 18 ani", "Foarte tanara"),
        "mismatch": ("Nu vorbesc romana, doar engleza",),
    },
}
RISKS = ("third_party", "several", "movement", "payment", "youth", "mismatch")
# Written-out digits for one spelled digit in a number ("0zes..."), per language.
DIGIT_WORDS = {
    "nl": ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "pl": (
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
    ),
    "ro": ("zero", "unu", "doi", "trei", "patru", "cinci", "sase", "sapte", "opt", "noua"),
}
# Contacts that recur in ads of unrelated advertisers: they must not join them.
HUB_LINES = (
    "Geverifieerd door verify@checkmodels.eu",
    "Verified profile, questions: support@adsite-help.com",
    "Klachten over deze site: +31 20 555 0199",
)


@dataclass
class Persona:
    name: str
    age: int
    city: str


@dataclass
class Template:
    id: str
    lang: str
    title_form: int
    greet: str
    body: list[str]
    price_line: str
    close: str
    contact_line: str
    risks: list[str] = field(default_factory=list)


@dataclass
class Operator:
    id: str
    kind: str  # exploitative, agency, independent
    personas: list[Persona]
    templates: list[Template]
    contacts: list[str]  # phone numbers as digits with country code, or handles
    cities: list[str]
    hub: str = ""


class HeldOut:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"heldout-{seed}")
        self.counter = 0
        self.used_numbers: set[str] = set()

    # -- parts ------------------------------------------------------------------------------
    def _number(self) -> str:
        r = self.rng
        while True:
            kind = r.random()
            if kind < 0.75:
                number = "+316" + str(r.choice((1, 2, 3, 4, 5, 8))) + f"{r.randrange(10**7):07d}"
            elif kind < 0.85:  # outside the numbering plan (06-9...): a key all the same
                number = "+3169" + f"{r.randrange(10**7):07d}"
            elif kind < 0.93:
                number = "+48" + str(r.choice((5, 6, 7, 8))) + f"{r.randrange(10**8):08d}"
            else:
                number = "+407" + f"{r.randrange(10**8):08d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _sentence(self, lang: str) -> str:
        bank, r = BANK[lang], self.rng
        return f"{r.choice(bank['a'])} {r.choice(bank['b'])} {r.choice(bank['c'])}"

    def _template(self, op_id: str, n: int, lang: str, risks: list[str]) -> Template:
        bank, r = BANK[lang], self.rng
        body = [self._sentence(lang), *r.sample(bank["d"], r.randint(3, 5))]
        services = r.sample(bank["svc"], r.randint(2, 4))
        body.append(", ".join(services).capitalize())
        # A phrase of the operator's own: a rare word pair that stock phrases do not have.
        body.insert(r.randrange(1, len(body)), f"{r.choice(bank['b'])} {r.choice(bank['c'])}")
        r.shuffle(body)
        return Template(
            id=f"{op_id}-t{n}",
            lang=lang,
            title_form=r.randrange(9),
            greet=r.choice(bank["greet"]),
            body=body,
            price_line=r.choice(bank["price"]),
            close=r.choice(bank["close"]),
            contact_line=r.choice(bank["contact"]),
            risks=[r.choice(bank[k]) for k in risks],
        )

    def operator(self, kind: str) -> Operator:
        r = self.rng
        self.counter += 1
        op_id = f"h{self.counter:05d}"
        lang = r.choices(LANGS, weights=(5, 3, 1, 1))[0]
        if kind == "independent":
            n_personas, n_templates, n_contacts = 1, 1, 1
        elif kind == "agency":
            n_personas, n_templates, n_contacts = r.randint(3, 8), r.randint(1, 2), 1
        else:
            n_personas = r.randint(2, 7)
            n_templates = 1 if r.random() < 0.6 else r.randint(2, 3)
            n_contacts = r.randint(1, 3)
        home = r.choice(CITIES)
        cities = [home] if kind != "exploitative" else r.sample(CITIES, r.randint(2, 5))
        names = r.sample(NAMES, n_personas)
        personas = [Persona(name, r.randint(18, 34), r.choice(cities)) for name in names]
        risks: list[str] = []
        if kind == "exploitative":
            risks = r.sample(RISKS, r.randint(1, 3))
        templates = [
            self._template(op_id, n, lang if n == 0 or r.random() < 0.7 else r.choice(LANGS), risks)
            for n in range(n_templates)
        ]
        contacts = [self._number() for _ in range(n_contacts)]
        if r.random() < 0.2:
            contacts.append(f"tg:{names[0].lower()}{r.randrange(100, 999)}")
        hub = r.choice(HUB_LINES) if r.random() < 0.04 else ""
        return Operator(op_id, kind, personas, templates, contacts, cities, hub)

    def copycat(self, original: Operator) -> Operator:
        """Another advertiser that takes over about half of ``original``'s first template."""
        copy = self.operator(original.kind if original.kind != "independent" else "agency")
        source, own = original.templates[0], copy.templates[0]
        keep = self.rng.sample(source.body, max(1, len(source.body) // 2))
        own.body = keep + own.body[: max(1, len(own.body) - len(keep))]
        own.lang = source.lang
        return copy

    # -- one ad -----------------------------------------------------------------------------
    def write_phone(self, number: str, lang: str) -> str:
        r = self.rng
        if number.startswith("tg:"):
            return r.choice(("Telegram: @{}", "tg: {}", "t.me/{}")).format(number[3:])
        local = "0" + number[3:] if number.startswith("+31") else number
        style = r.randrange(8)
        if style == 0:
            return local
        if style == 1:
            return f"{local[:2]}-{local[2:4]} {local[4:6]} {local[6:8]} {local[8:]}"
        if style == 2:
            return number[:3] + " " + number[3:4] + " " + number[4:8] + " " + number[8:]
        if style == 3:
            return ".".join(local[i : i + 2] for i in range(0, len(local), 2))
        if style == 4 and local.startswith("06"):  # one digit spelled out: "0zes12345678"
            return "0" + DIGIT_WORDS[lang][6] + " " + local[2:]
        if style == 5:
            return local.replace("0", "o", 1)
        if style == 6:
            return " ".join(local[i : i + 3] for i in range(0, len(local), 3))
        return number

    def title(self, t: Template, p: Persona, city: str) -> str:
        bank, r = BANK[t.lang], self.rng
        adj, new, unit = r.choice(bank["adj"]), r.choice(bank["new"]), r.choice(bank["age_unit"])
        cin = r.choice(bank["in"])
        forms = (
            f"{adj} {p.name} ({p.age}) {cin} {city}",
            f"{new}: {p.name} {p.age} {unit}",
            f"{p.name} {cin} {city} {r.choice(EMOJI)}",
            f"{r.choice(EMOJI)} {p.name.upper()} {r.choice(EMOJI)} {p.age}",
            f"{adj} {p.name}",
            f"{p.name} - {p.age} - {city}",
            f"{new} {adj.lower()} {p.name} {cin} {city}!",
            f"{p.name} ({p.age} {unit})",
            f"{adj} {p.name} {p.age}",
        )
        return forms[t.title_form]

    def ad(self, op: Operator, with_contacts: bool, day: date) -> tuple[dict, dict, Persona]:
        r = self.rng
        t = r.choice(op.templates)
        p = r.choice(op.personas)
        city = p.city if op.kind != "exploitative" or r.random() < 0.5 else r.choice(op.cities)
        slots = {"name": p.name, "age": p.age, "city": city}
        lines = [t.greet.format(**slots)] if r.random() < 0.8 else []
        body = [s for s in t.body if r.random() > 0.12]
        if len(body) > 2 and r.random() < 0.3:  # two neighbouring sentences swap places
            i = r.randrange(len(body) - 1)
            body[i], body[i + 1] = body[i + 1], body[i]
        lines += body
        lines += [risk.format(city=city) for risk in t.risks if r.random() < 0.8]
        price = r.choice((50, 60, 70, 80, 100, 120, 150, 200)) + r.choice((0, 0, 10, -10))
        lines.append(t.price_line.format(price=price))
        if r.random() < 0.3:
            lines.append(f"{day.day}/{day.month}")
        lines.append(t.close + (" " + r.choice(EMOJI) if r.random() < 0.6 else ""))
        record = {
            "id": "",
            "url": "",
            "platform": r.choice(("kinky.example", "sexjobs.example", "escort.example")),
            "posted_at": day.isoformat(),
            "city": city if r.random() < 0.5 else "",
            "title": self.title(t, p, city),
            "text": "",
            "phone": "",
            "email": "",
            "image_hashes": [],
            "price": "",
            "age": "",
        }
        plain = dict(record)
        plain["text"] = "\n".join(lines)
        if with_contacts:
            contact = r.choice(op.contacts)
            if not contact.startswith("tg:") and r.random() < 0.25:
                record["phone"] = contact
            else:
                lines.append(t.contact_line.format(phone=self.write_phone(contact, t.lang)))
            if op.hub and r.random() < 0.7:
                lines.append(op.hub)
        record["text"] = "\n".join(lines)
        return record, plain, p


def generate(ads: int, seed: int):
    """(ad with contacts, the same ad text-only, truth row), ``ads`` times."""
    gen = HeldOut(seed)
    r = gen.rng
    operators: list[tuple[Operator, int]] = []
    planned = 0
    while planned < ads:
        roll = r.random()
        kind = "exploitative" if roll < 0.45 else "agency" if roll < 0.6 else "independent"
        size = r.randint(1, 4) if kind == "independent" else min(int(r.paretovariate(1.3) * 6), 400)
        if operators and kind != "independent" and r.random() < 0.06:
            op = gen.copycat(r.choice(operators)[0])
        else:
            op = gen.operator(kind)
        operators.append((op, size))
        planned += size
    schedule = [op for op, size in operators for _ in range(size)][:ads]
    r.shuffle(schedule)
    start = date(2026, 9, 1)
    for n, op in enumerate(schedule):
        day = start + timedelta(days=r.randrange(90))
        full, plain, persona = gen.ad(op, True, day)
        ad_id = f"ho{seed}-{n:07d}"
        for record in (full, plain):
            record["id"] = ad_id
            record["url"] = f"https://{record['platform']}/ad/{ad_id}"
        truth = {
            "ad_id": ad_id,
            "operator_id": op.id,
            "kind": op.kind,
            "is_exploitative": int(op.kind == "exploitative"),
            "persona_name": persona.name,
            "persona_age": persona.age,
        }
        yield full, plain, truth


def write_heldout(ads: int, seed: int, out: Path) -> tuple[Path, Path, Path]:
    """Write ``<out>`` (with contacts), ``<stem>.textonly.jsonl`` and ``<stem>.truth.csv``."""
    stem = out.name.split(".")[0]
    plain_path = out.with_name(stem + ".textonly.jsonl")
    truth_path = out.with_name(stem + ".truth.csv")
    columns = ["ad_id", "operator_id", "kind", "is_exploitative", "persona_name", "persona_age"]
    with (
        open(out, "w", encoding="utf-8") as full_file,
        open(plain_path, "w", encoding="utf-8") as plain_file,
        open(truth_path, "w", encoding="utf-8", newline="") as truth_file,
    ):
        writer = csv.DictWriter(truth_file, columns)
        writer.writeheader()
        for full, plain, truth in generate(ads, seed):
            full_file.write(json.dumps(full, ensure_ascii=False) + "\n")
            plain_file.write(json.dumps(plain, ensure_ascii=False) + "\n")
            writer.writerow(truth)
    return out, plain_path, truth_path
