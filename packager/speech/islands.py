"""Language islands: text in another language inside an utterance, spoken with that language's voice.

A translation keeps some text in the source language: titles of English papers
and sites, names, whole reference entries. Read with the translation's rules
they sound wrong ("te immune sistem"). An island is a span of a translated text
that stands, word for word, in the source text of the same message, and is made
of Latin-script words (one at least with small letters, so acronyms the
locale's lexicon says its own way, like "CAR T", stay with the locale; two at
least in a Latin-script locale, where "receptor" is Spanish too). Only
delimited spans are candidates: the whole text, a quotation, an emphasis, a
sentence or clause, and, in a locale not written in Latin script, a run of
Latin-script words.

In the speech script an island is held in the utterance text between private-use
marks (``ISLAND_START`` lang ``ISLAND_LANG_END`` text ``ISLAND_END``); engines that can
switch voice mid-utterance (eSpeak NG through SSML) read :func:`segments`, the
others :func:`strip`.
"""

from __future__ import annotations

import re

ISLAND_START, ISLAND_LANG_END, ISLAND_END = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{ISLAND_START}([A-Za-z_]+){ISLAND_LANG_END}(.*?){ISLAND_END}", re.DOTALL)

_LATIN_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’-]*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[\s,:&.()0-9-]+{_LATIN_WORD})*\.?")
_QUOTED = re.compile(r"“([^”]+)”|«\s?([^»]+?)\s?»|\"([^\"]+)\"|「([^」]+)」|‘([^’]+)’")
_CLAUSE = re.compile(r"[^.:;!?。；：！？]+[.:;!?。；：！？]?")
_LOWER_WORD = re.compile(r"[a-zà-öø-ÿ]{2,}")


def mark(lang: str, text: str) -> str:
    return f"{ISLAND_START}{lang}{ISLAND_LANG_END}{text}{ISLAND_END}"


def segments(text: str) -> list[tuple[str | None, str]]:
    """(language or None for the utterance's own, text) in order; empty pieces dropped."""
    out: list[tuple[str | None, str]] = []
    position = 0
    for m in _MARKED.finditer(text):
        out.append((None, text[position : m.start()]))
        out.append((m.group(1), m.group(2)))
        position = m.end()
    out.append((None, text[position:]))
    return [(lang, piece) for lang, piece in out if piece.strip()]


def strip(text: str) -> str:
    """The utterance text without island marks, for engines that speak one language at a time."""
    return _MARKED.sub(lambda m: m.group(2), text)


def find(text: str, source: str, emphasised: list[str], latin_script: bool) -> list[tuple[int, int]]:
    """Spans of ``text`` that are islands of the source language (see the module docstring)."""
    candidates: list[tuple[int, int]] = [(0, len(text))]
    for m in _QUOTED.finditer(text):
        group = next(g for g in range(1, 6) if m.group(g))
        candidates.append((m.start(group), m.end(group)))
    for phrase in emphasised:
        candidates += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]
    candidates += [(m.start(), m.end()) for m in _CLAUSE.finditer(text)]
    if not latin_script:
        candidates += [(m.start(), m.end()) for m in _LATIN_RUN.finditer(text)]
    found: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda span: (span[0] - span[1], span[0])):  # longest first
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1] in " \t,;:":
            end -= 1
        piece = text[start:end]
        if not _LOWER_WORD.search(piece) or not re.fullmatch(rf"[\s\W\d]*{_LATIN_WORD}.*", piece, re.DOTALL):
            continue
        if re.search(r"[^\x00-\u024f\u2010-\u201f\s]", piece):  # another script inside: not one island
            continue
        if piece not in source or any(s < end and start < e for s, e in found):
            continue
        if latin_script and len(re.findall(_LATIN_WORD, piece)) < 2:  # one word may be the locale's own too
            continue
        found.append((start, end))
    return sorted(found)
