"""Text segmentation by language, from ICU (CLDR's segmentation rules and dictionaries).

Sentence ends differ by script ("。", "؟", "।", "።", and "." except after an
abbreviation: ICU's ``ss=standard`` suppressions from CLDR), and Thai, Lao,
Khmer and Burmese are written without spaces between words, so a line may only
break where a dictionary says a word ends. ICU (through icu4py, which bundles
it) knows both; nothing here is a per-language list. icu4py is imported only
when a text needs it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Scripts written without spaces between words, where ICU finds the word ends with a dictionary.
#: (Chinese and Japanese break between any two characters under UAX #14, which Pango applies.)
NO_SPACE_SCRIPTS = frozenset({"THAI", "LAO", "KHMER", "MYANMAR"})
ZWSP = "\u200b"


def _icu_locale(locale: str, sentences: bool = False) -> str:
    tag = locale.replace("_", "-")
    return f"{tag}@ss=standard" if sentences else tag


def _spans(kind: str, text: str, locale: str, sentences: bool = False) -> list[tuple[int, int]]:
    """ICU's (start, end) pieces of ``text``, as indices into the Python string. ICU counts in
    UTF-16 code units, so past a character outside the BMP (an emoji, Adlam, a CJK extension)
    its offsets run ahead of Python's: they are mapped back here, for every caller."""
    from icu4py import breakers

    spans = list(getattr(breakers, kind)(text, _icu_locale(locale, sentences)).segments())
    if not text or max(text) <= "\uffff":
        return spans
    index, unit = {}, 0
    for i, char in enumerate(text):
        index[unit] = i
        unit += 2 if char > "\uffff" else 1
    index[unit] = len(text)
    return [(index[start], index[end]) for start, end in spans]


def sentences(text: str, locale: str) -> list[str]:
    """``text`` cut into sentences by ICU, abbreviations ("Dr.", "e.g.") not ending one."""
    from icu4py.breakers import SentenceBreaker

    return [s for s in SentenceBreaker(text, _icu_locale(locale, sentences=True)) if s.strip()]


def sentence_starts(text: str, locale: str) -> list[int]:
    """Where each sentence of ``text`` after the first starts (the cuts of :func:`sentences`; a
    sentence keeps the spaces after its end)."""
    if not text.strip():
        return []
    starts = [start for start, _ in _spans("SentenceBreaker", text, locale, sentences=True)]
    return [start for start in starts if text[:start].strip() and text[start:].strip()]


@lru_cache(maxsize=4096)
def ends_sentence(text: str, locale: str) -> bool:
    """Whether ``text`` ends with a sentence terminal of its language (".", "。", "؟", "।", "።" ...):
    ICU starts a new sentence after it."""
    text = text.rstrip()
    if not text:
        return False
    probe = text + " A"  # a following capital: after a terminal ICU must break before it
    bounds = [start for start, _ in _spans("SentenceBreaker", probe, locale)]
    return len(probe) - 1 in bounds or (bounds[-1] > 0 and probe[bounds[-1] :].strip() == "A")


def word_spans(text: str, locale: str) -> list[tuple[int, int]]:
    """(start, end) of every piece between ICU's word breaks for the language (words, spaces, marks)."""
    return _spans("WordBreaker", text, locale) if text else []


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ")[0]


def has_no_space_script(text: str) -> bool:
    return any(_script(c) in NO_SPACE_SCRIPTS for c in text)


def mark_word_breaks(text: str, locale: str) -> str:
    """``text`` with a zero-width space at each word end ICU finds inside runs of Thai, Lao, Khmer
    or Burmese, so the PDF renderer may break a line there (and only there)."""
    if not has_no_space_script(text):
        return text
    out, last = [], 0
    for start, _ in _spans("WordBreaker", text, locale):
        if start and _script(text[start - 1]) in NO_SPACE_SCRIPTS and _script(text[start]) in NO_SPACE_SCRIPTS:
            out.append(text[last:start] + ZWSP)
            last = start
    out.append(text[last:])
    return "".join(out)


#: Scripts written with spaces between words that a renderer may still break inside a word:
#: Korean breaks between any two Hangul syllables by UAX 14, but readers expect whole words
#: (CSS ``word-break: keep-all``, which WeasyPrint does not implement).
KEEP_ALL_SCRIPTS = frozenset({"HANGUL"})
_WORD = re.compile(r"\S+")


def keep_all_words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each space-separated word of ``text`` written in a keep-all script."""
    return [m.span() for m in _WORD.finditer(text) if any(_script(c) in KEEP_ALL_SCRIPTS for c in m.group())]


def find_word(text: str, phrase: str, locale: str) -> tuple[int, int] | None:
    """Where (start, end) ``phrase`` first occurs in ``text`` as whole words, ignoring case, or None.

    Word ends are ICU's for the language, so a term is found in Thai or Chinese, where no
    space separates it from its neighbours, and "remission" is not found in "remissions".
    """
    phrase = " ".join(phrase.split())
    if not phrase:
        return None
    matches = list(re.finditer(re.escape(phrase).replace(r"\ ", r"\s+"), text, re.IGNORECASE))
    if not matches:
        return None
    bounds = word_bounds(text, locale)
    return next((m.span() for m in matches if bounds[m.start()] and _word_ends(text, m.end(), bounds)), None)


def _word_ends(text: str, at: int, bounds: bytes) -> bool:
    """A word ends at ``at``; or, in Korean, a particle follows the noun in the same word
    ("관해에", in remission): Korean writes case endings onto the noun, so ICU's word holds both."""
    return bool(bounds[at]) or (0 < at < len(text) and _script(text[at - 1]) == _script(text[at]) == "HANGUL")


@lru_cache(maxsize=4096)
def word_bounds(text: str, locale: str) -> bytes:
    """A byte for each offset in ``text`` and its end: 1 where ICU says a word (or a run of space
    or punctuation) starts or ends. Bytes, not a set of offsets: the cache, full, holds about
    2 MB, not 25 (a set of a 456-character paragraph's offsets is about 6 KB)."""
    bounds = bytearray(len(text) + 1)
    bounds[0] = bounds[len(text)] = 1
    for start, end in _spans("WordBreaker", text, locale):
        bounds[start] = bounds[end] = 1
    return bytes(bounds)
