"""A long book for the benchmark: 25 chapters of deterministic prose with sections and footnotes, 6 x 9 in."""

from __future__ import annotations

import random
from pathlib import Path

CHAPTERS = 25
#: Paragraphs per chapter, sentences per paragraph and words per sentence, as (low, high) ranges.
PARAGRAPHS, SENTENCES, WORDS = (26, 30), (4, 7), (9, 22)
#: One paragraph in NOTE_EVERY carries a footnote; one in SECTION_EVERY opens a section.
NOTE_EVERY, SECTION_EVERY = 3, 7
SEED = 20261125

_WORDS = """
the of and to in that is was for on with as by at from this which be are an it not or have had were their
has been but its more one all would other into also they when there than after only between through about
over such these some most under first new two years however while during before against since where both
those many each them well because same being made three including about among within without although
peace mission council member states diplomacy conflict resolution mandate ceasefire observers troops
operation security general assembly negotiation envoy settlement agreement region border civilians election
monitoring humanitarian reconstruction institution authority legitimacy consensus cooperation partnership
framework strategy deployment contribution responsibility accountability capacity assessment evaluation
transition withdrawal commitment sovereignty intervention protection stability reform government parties
community international regional organisation secretariat budget resolution delegation representative
ambassador treaty convention declaration principle impartiality consent neutrality force defence minimum
history century decade experience lesson practice doctrine approach instrument influence interest power
politics economy development society population territory capital province village road river mountain
"""
VOCABULARY = tuple(_WORDS.split())


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(*WORDS))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*SENTENCES)))


def chapter(number: int, rng: random.Random) -> str:
    title = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(3, 6))).title()
    lines = [f"# Chapter {number}: {title}", ""]
    notes: list[str] = []
    for index in range(rng.randint(*PARAGRAPHS)):
        if index and index % SECTION_EVERY == 0:
            lines += [f"## Section {number}.{index // SECTION_EVERY}: {sentence(rng)[:-1]}", ""]
        text = paragraph(rng)
        if index % NOTE_EVERY == 1:
            label = f"n{len(notes) + 1}"
            text += f"[^{label}]"
            notes.append(f"[^{label}]: {sentence(rng)} {sentence(rng)}")
        lines += [text, ""]
    return "\n".join(lines + notes) + "\n"


BOOK_YAML = """\
title: A Long Benchmark Book
authors: [Octavo Benchmark]
language: en
slug: long-benchmark-book
identifier: urn:uuid:0b7a1d44-5a4e-5c57-9d0b-3f3c2f2e6d11
publisher: Octavo Editions
date: 2026-11-25
edition: First edition
description: Generated, deterministic text for measuring build times.
print:
  trim: 6in 9in
  bleed: 0.125in
  printer: generic
"""


def write_long_book(folder: Path, chapters: int = CHAPTERS) -> Path:
    """Write the long book of `chapters` chapters into `folder` (created); the same bytes every time (the first
    chapters of a longer book are the shorter book's). 25 chapters make about 300 pages, 85 about 1,000."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    for number in range(1, chapters + 1):
        (folder / f"{number:02d}-chapter.md").write_text(chapter(number, rng), encoding="utf-8")
    return folder
