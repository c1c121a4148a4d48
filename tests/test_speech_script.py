"""The speech script is made from the document tree: headings, lists, links, figures, references."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from packager.source import read_article
from packager.speech.lexicon import load_lexicon
from packager.speech.script import build_script

LOCALES = Path(__file__).resolve().parent.parent / "locales"

TINY = """---
title: Tiny handout
slug: tiny
language: en
version: 2.1.0
reviewed: 2025-03-04
summary: A short test.
authors:
  - Test Writer
medical_reviewers: []
licence: CC BY 4.0
source: tests
---

## First part

Read more at [the trial registry](https://clinicaltrials.gov/) or [clinicaltrials.gov](https://clinicaltrials.gov/).

- One item.
- Two item.

![A drawing of a T cell](cell.png)

## References

1. Mackensen A, Müller F, et al. (2022). A long title nobody hears. *Nature Medicine*. <https://example.org/x>

## Medical disclaimer

This handout is for information only.
"""


@pytest.fixture
def tiny(tmp_path: Path):
    path = tmp_path / "tiny.md"
    path.write_text(TINY, encoding="utf-8")
    return read_article(path)


def test_opening_headings_lists_links_figures(tiny) -> None:
    script = build_script(tiny, load_lexicon(LOCALES, "en"))
    # the sections in order, then the closing part, then the reference list as the last part
    ids = ["introduction", "first-part", "medical-disclaimer", "closing", "references"]
    assert [c.id for c in script.chapters] == ids
    opening = [u.text for u in script.chapters[0].utterances]
    assert opening[:2] == ["Tiny handout.", "Language: English."]
    assert not any("draft" in t for t in opening)
    first = script.chapters[1].utterances
    assert first[1].text == "First part."  # the heading is announced, after "Part 2 of 5."
    assert "the trial registry" in first[2].text and "clinical trials dot gov" in first[2].text
    assert "https" not in first[2].text
    assert [u.text for u in first[3:5]] == ["One item.", "Two item."]  # one utterance per item
    assert first[3].pause < first[4].pause  # a pause between items, a longer one after the list
    assert first[5].text == "Figure: A drawing of a tee cell."
    assert [u.text for u in script.chapters[2].utterances][-1] == "This handout is for information only."


def test_orientation(tiny) -> None:
    """How many parts and how to skip; synthetic voice; "Part N of M"; contact; where the recording ends."""
    clinic = ("Riverside Lupus Clinic", "(555) 010-0199 · riverside.example/lupus")
    script = build_script(tiny, load_lexicon(LOCALES, "en"), clinic=clinic)
    total = len(script.chapters)
    assert total == 2 + len([line for line in TINY.splitlines() if line.startswith("## ")])
    opening = [u.text for u in script.chapters[0].utterances]
    assert "This recording uses a synthetic voice: a computer reads the text." in opening
    assert (
        f"This recording has {total} parts. To skip to the next part, use the next track or next chapter button."
        in opening
    )
    for n, chapter in enumerate(script.chapters[1:], start=2):
        assert chapter.utterances[0].text == f"Part {n} of {total}."
    closing = [u.text for u in script.chapters[-2].utterances]
    assert closing[1] == "Contact."
    assert closing[2] == "For questions, contact Riverside Lupus Clinic: 5 5 5, 0 1 0, 0 1 9 9, riverside dot example."
    assert script.utterances()[-1].text == "End of recording."


def test_references_read_in_full_as_the_last_part(tiny) -> None:
    said = [u.text for u in build_script(tiny, load_lexicon(LOCALES, "en")).chapters[-1].utterances]
    assert said[1] == "References."
    reference = (
        "Mackensen A, Mooller F, and others (2022). A long title nobody hears. Nature Medicine. example dot org."
    )
    assert said[2] == f"Reference 1: {reference}"
    assert not any("printed" in t for t in said)


def test_draft_translation_is_announced_in_its_language(tiny) -> None:
    draft = dataclasses.replace(tiny, locale="es", draft=True)
    script = build_script(draft, load_lexicon(LOCALES, "es"), locales_dir=LOCALES)
    opening = [u.text for u in script.chapters[0].utterances]
    assert opening[1] == "Idioma: español."
    assert opening[2].startswith("Esta grabación usa una voz sintética")
    assert opening[3].startswith("Esta es una traducción en borrador")
