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
    assert [c.id for c in script.chapters] == ["introduction", "first-part", "references", "medical-disclaimer"]
    opening = [u.text for u in script.chapters[0].utterances]
    assert opening[:2] == ["Tiny handout.", "Language: English."]
    assert not any("draft" in t for t in opening)
    first = script.chapters[1].utterances
    assert first[0].text == "First part."  # the heading is announced
    assert "the trial registry" in first[1].text and "clinicaltrials dot gov" in first[1].text
    assert "https" not in first[1].text
    assert [u.text for u in first[2:4]] == ["One item.", "Two item."]  # one utterance per item
    assert first[2].pause < first[3].pause  # a pause between items, a longer one after the list
    assert first[4].text == "Figure: A drawing of a tee cell."
    assert [u.text for u in script.chapters[3].utterances][-1] == "This handout is for information only."


def test_references_are_shortened(tiny) -> None:
    said = [u.text for u in build_script(tiny, load_lexicon(LOCALES, "en")).chapters[2].utterances]
    assert said[1] == "Reference 1: Mackensen and others, 2022, Nature Medicine."
    assert not any("title" in t or "example" in t for t in said)


def test_draft_translation_is_announced_in_its_language(tiny) -> None:
    draft = dataclasses.replace(tiny, locale="es", draft=True)
    opening = [u.text for u in build_script(draft, load_lexicon(LOCALES, "es")).chapters[0].utterances]
    assert opening[1] == "Idioma: español."
    assert opening[2].startswith("Esta es una traducción en borrador")
