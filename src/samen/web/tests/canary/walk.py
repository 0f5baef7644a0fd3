"""One crawl per user over the canary world, read by three judgements (ADR 0054): the canary
(test_canary.py: exactly the markers the relation grants), plain Dutch (test_plain_dutch.py: no
code, no English month) and the downloads (test_downloads.py: every file classified and holding
only its markers). Each crawled every page as every user on its own before; the crawl is the
cost (every page rendered, every download unpacked), the judgements are text searches.

The seeds are the union of the three: the target cases' pages, the subject-access report and
its PDF, the register's downloads, the signals and referrals of the world."""

from __future__ import annotations

from samen.web.tests.canary import attacker
from samen.web.tests.canary.attacker import Crawl, date_forms, squash
from samen.web.tests.canary.world import CanaryWorld

# The slow documents without personal data (attacker.ONCE) and the one demo user whose crawl
# reads them (test_downloads.DOWNLOADS names the same users as `reached_by`).
SLOW_READER = {
    "/register/?format=pdf": "demo-programme",
    "/programma/?format=pdf": "demo-programme",
}


def needles(world: CanaryWorld, case: str, kind: str) -> list[str]:
    """The planted marker of `kind` for `case`, and every rendering of its planted dates."""
    target = world.targets[case]
    found = [squash(f"CANARY-{kind}-{case}")] if kind in target.markers else []
    for day in world.dates.get(case, {}).get(kind, []):
        found += date_forms(day)
    return found


def subject_access(world: CanaryWorld) -> list[str]:
    """The subject-access report of each target case, as a page and as a PDF."""
    urls = []
    for target in world.targets.values():
        urls += [
            f"/privacy/inzage/{target.number}/",
            f"/privacy/inzage/{target.number}/?format=pdf",
        ]
    return urls


def seeds(world: CanaryWorld) -> list[str]:
    urls = ["/register/?format=pdf", "/register/?format=csv"]
    for target in world.targets.values():
        n = target.number
        urls += [f"/zaken/{n}/", f"/identificatie/zaken/{n}/", f"/opvang/verwijzen/{n}/"]
    urls += subject_access(world)
    urls += [f"/signalen/{pk}/" for pk in world.signal_ids]
    urls += [f"/opvang/verwijzingen/{pk}/" for pk in world.referral_ids]
    return urls


def api_fill(world: CanaryWorld) -> dict[str, list[str]]:
    numbers = [t.number for t in world.targets.values()]
    ids = [str(i) for i in world.signal_ids + world.share_ids + world.referral_ids]
    return {"number": numbers, "id": ids, "pk": ids}


def walk(world: CanaryWorld, user: str, *, api: bool = True) -> Crawl:
    """Everything `user` reaches by GET from the home page and the seeds (and, with `api`, every
    GET operation of the API filled with the world's numbers and ids); the slow documents only
    in their reader's crawl."""
    skip = {url for url, reader in SLOW_READER.items() if reader != user}
    return attacker.crawl(
        user,
        seeds=seeds(world),
        api_fill=api_fill(world) if api else {},
        api=api,
        read_once=skip,
    )
