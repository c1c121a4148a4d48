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
from collections.abc import Callable

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
    start: int | None = None
    end = 0
    for i, char in enumerate([*text, "\u05d0"]):  # a Hebrew letter at the end closes the last run
        kind = _bidi(char)
        if kind in _STRONG:
            start = i if start is None else start
            end = i + 1
        elif (kind in _RTL or char in _RTL_PUNCTUATION) and start is not None:
            runs.append(_extend(text, start, end))
            start = None
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


def map_text(fragment: str, change: Callable[[str], str]) -> str:
    """Escaped inline HTML with ``change`` applied to the text between its tags (tags untouched):
    ``change`` takes plain text and returns escaped HTML."""
    return "".join(part if part.startswith("<") else change(html.unescape(part)) for part in _TAG.split(fragment))


_OPEN, _LTR_SPAN, _CLOSE = "<", '<span class="ltr" dir="ltr">', "</span>"


def _step(atom: str) -> int:
    """How a tag changes the nesting depth (text: 0; <br>, <img>, <wbr>: 0)."""
    if not atom.startswith(_OPEN) or len(atom) == 1:
        return 0
    if atom.startswith("</"):
        return -1
    return 0 if atom.endswith("/>") or re.match(r"<(br|img|wbr)\b", atom) else 1


def isolate_ltr(fragment: str) -> str:
    """Escaped inline HTML with each left-to-right run of its text wrapped in a span: one span over
    whole elements when the run covers them ("*Nature Medicine*. <https://...>" is one run), else
    one per text node the run crosses."""
    atoms: list[str] = []  # tags, and the text one character at a time
    for part in _TAG.split(fragment):
        atoms.extend([part] if part.startswith(_OPEN) else html.unescape(part))
    chars = [i for i, atom in enumerate(atoms) if not atom.startswith(_OPEN) or len(atom) == 1]
    text = "".join(atoms[i] for i in chars)
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    for start, end in ltr_runs(text):
        first, last = chars[start], chars[end - 1] + 1
        while first and _step(atoms[first - 1]) == 1 and not _balanced(atoms[first:last]):
            first -= 1  # the run starts with an element: open before its tag
        while last < len(atoms) and _step(atoms[last]) == -1 and not _balanced(atoms[first:last]):
            last += 1  # the run ends with an element: close after its tag
        if _balanced(atoms[first:last]):
            opens[first] = opens.get(first, 0) + 1
            closes[last] = closes.get(last, 0) + 1
            continue
        for i in range(start, end):  # the run crosses an element's edge: one span per text node
            if i == start or chars[i - 1] != chars[i] - 1:
                opens[chars[i]] = opens.get(chars[i], 0) + 1
            if i == end - 1 or chars[i + 1] != chars[i] + 1:
                closes[chars[i] + 1] = closes.get(chars[i] + 1, 0) + 1
    out = []
    for i, atom in enumerate([*atoms, ""]):
        out.append(_CLOSE * closes.get(i, 0) + _LTR_SPAN * opens.get(i, 0))
        is_text = not atom.startswith(_OPEN) or len(atom) == 1
        out.append(html.escape(atom, quote=False) if is_text else atom)
    return "".join(out)


def _balanced(atoms: list[str]) -> bool:
    depth = 0
    for atom in atoms:
        depth += _step(atom)
        if depth < 0:
            return False
    return depth == 0
