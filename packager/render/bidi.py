"""Left-to-right runs in right-to-left text, isolated so they read in order.

In an Arabic, Hebrew, Persian or Urdu paragraph the Unicode bidi algorithm
resolves the neutral characters at the edges of a Latin run by the paragraph's
direction: "https://" at a line end prints as "//:https", "391(4)" as "(4)391",
and a journal name broken over two lines comes out in the wrong order. So every
left-to-right run (a URL, a citation, a drug or trial name, a number with its
unit) is wrapped in ``<span class="ltr" dir="ltr">``: the themes lay it out as
an isolated inline block, in order, wrapping inside itself when it is long.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: Strong left-to-right letters and European digits start and end a run.
_STRONG = frozenset({"L", "EN"})
#: Right-to-left letters and Arabic-Indic digits end a run.
_RTL = frozenset({"R", "AL", "AN"})
#: Arabic-script punctuation (bidi class CS or ON) belongs to the right-to-left text around it.
_RTL_PUNCTUATION = frozenset("،؛؟۔")
_PAIRS = {"(": ")", "[": "]", "{": "}"}
#: Punctuation that ends a sentence or clause of the surrounding text rather than the run.
_ENDS = frozenset(".,;:!?،؛)]}\"'»”")
_TAG = re.compile(r"(<[^>]*>)")


def _bidi(char: str) -> str:
    return unicodedata.bidirectional(char)


def ltr_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each left-to-right run of ``text``: from a strong left-to-right character or
    European digit to the last one before a right-to-left character, with a currency or percent sign
    touching it ("$375,000", "50%") and the brackets that belong to it ("(2024)", "391(4)")."""
    runs: list[tuple[int, int]] = []
    start = end = None
    for i, char in enumerate([*text, "\u05d0"]):  # a Hebrew letter at the end closes the last run
        kind = _bidi(char)
        if kind in _STRONG:
            start = i if start is None else start
            end = i + 1
        elif (kind in _RTL or char in _RTL_PUNCTUATION) and start is not None:
            runs.append(_extend(text, start, end))
            start = end = None
    return runs


def _extend(text: str, start: int, end: int) -> tuple[int, int]:
    while start and _bidi(text[start - 1]) == "ET":
        start -= 1
    while end < len(text) and _bidi(text[end]) == "ET":
        end += 1
    while end < len(text) and _bidi(text[end]) not in _RTL and not text[end].isspace() and text[end] not in _ENDS:
        end += 1  # the rest of the word: a URL's closing "/"
    if not text[end:].strip(".,;:!? "):  # the text ends with the run: its full stop stays with it, in
        end = len(text.rstrip())  # order, and cannot be pushed past the margin by a run as wide as a line
    inside = text[start:end]
    for opening, closing in _PAIRS.items():
        if inside.count(opening) > inside.count(closing) and text[end : end + 1] == closing:
            end += 1
        if start and text[start - 1] == opening and inside.count(closing) > inside.count(opening):
            start -= 1  # "(2024). Anti-CD19 …": the run holds the closing bracket
        elif start and text[start - 1] == opening and text[end : end + 1] == closing:
            start, end = start - 1, end + 1
    return start, end


def isolate_ltr(fragment: str) -> str:
    """Escaped inline HTML with each left-to-right run of its text wrapped in a span (tags untouched)."""
    out = []
    for part in _TAG.split(fragment):
        if not part or part.startswith("<"):
            out.append(part)
            continue
        text = html.unescape(part)
        pieces, last = [], 0
        for start, end in ltr_runs(text):
            pieces.append(html.escape(text[last:start], quote=False))
            pieces.append(f'<span class="ltr" dir="ltr">{html.escape(text[start:end], quote=False)}</span>')
            last = end
        pieces.append(html.escape(text[last:], quote=False))
        out.append("".join(pieces))
    return "".join(out)
