"""Persona joins between template groups (issue 18, ADR 0048): names without an age, and the
chance of a persona measured per persona named."""

import numpy as np

from samen.online.engine.cluster import components, persona_edges
from samen.online.engine.extract import extract


def _background(groups: int, personas: int, first_group: int = 10):
    """Unrelated groups, each naming its own ``personas`` personas with ages."""
    names, ages, owners = [], [], []
    for g in range(groups):
        for k in range(personas):
            names.append(100 + personas * g + k)
            ages.append(20 + k)
            owners.append(first_group + g)
    return names, ages, owners


def _joined(names, ages, groups):
    left, right, links = persona_edges(np.array(names), np.array(ages), np.array(groups))
    labels = components(max(groups) + 1, np.array(groups)[left], np.array(groups)[right])
    return labels, links


def test_a_template_without_ages_joins_the_one_naming_the_same_women_with_ages():
    # One operator's two templates: "Anna (23)", "Mia (25)", ... and "Sweet Anna in Utrecht",
    # "Mia in Breda", ...: the same four women, one template never giving an age.
    titles_with = ["Anna (23)", "Mia (25)", "Lotte (21)", "Sanne (27)"]
    titles_without = [
        "Sweet Anna in Utrecht",
        "NEW Mia in Breda",
        "Nieuw: Lotte in Utrecht",
        "Sexy Sanne in Breda",
    ]
    vocabulary: dict[str, int] = {}
    names, ages, groups = _background(300, 2)
    for group, titles in ((0, titles_with), (1, titles_without)):
        for title in titles:
            found = extract(title, "")
            names.append(vocabulary.setdefault(found.names[0], 5000 + len(vocabulary)))
            ages.append(found.age)
            groups.append(group)
    assert ages[-4:] == [-1, -1, -1, -1]
    labels, links = _joined(names, ages, groups)
    assert labels[0] == labels[1]
    assert len(set(labels.tolist())) == 301 - 1 + 10 - 1  # only groups 0 and 1 joined
    [link] = links
    assert sorted(p[0] for p in link.personas) == sorted(vocabulary.values())
    assert all(p[1] == -1 for p in link.personas)  # the evidence is the names alone


def test_groups_giving_different_ages_for_the_same_names_stay_apart():
    names, ages, groups = _background(300, 2)
    for group, base in ((0, 22), (1, 30)):
        for k in range(4):
            names.append(5000 + k)
            ages.append(base + k)
            groups.append(group)
    labels, links = _joined(names, ages, groups)
    assert labels[0] != labels[1]
    assert links == []


def test_common_names_without_ages_do_not_join_groups():
    # Every group names "Anna" and "Mia" without an age: what they share is common.
    names, ages, groups = [], [], []
    for g in range(60):
        for name, age in ((7, -1), (8, -1), (100 + g, 25)):
            names.append(name)
            ages.append(age)
            groups.append(g)
    _, links = _joined(names, ages, groups)
    assert links == []


def test_a_persona_is_as_rare_as_its_share_of_all_personas_named():
    # 200 agencies naming six women each, and two small groups sharing both of their two
    # personas. Among 1,204 personas named a shared one is rare, although only 2 of 202 groups
    # (1%) name it: the chance is per persona named, not per group.
    names, ages, groups = _background(200, 6)
    for group in (0, 1):
        for name, age in ((5000, 24), (5001, 31)):
            names.append(name)
            ages.append(age)
            groups.append(group)
    labels, links = _joined(names, ages, groups)
    assert labels[0] == labels[1]
    assert [(p[0], p[1]) for p in links[0].personas] == [(5000, 24), (5001, 31)]
