"""Pronunciation lexicons are checked like translations: an entry may change how words
sound, never what is said.

A lexicon (``locales/<ll>/lexicon.yaml``) is volunteer input that reaches every listener,
so ``"not": ""`` (the narration says "It is approved") or ``"375,000": "357000"`` (another
price than the page prints) must be refused. Errors: an entry that says nothing for a word
(deletes words), and digits in what is said that are not the written form's digits
(changes a number). Warning: a written number said in words, which only a reader of the
language can confirm, so a reviewer's sign-off (which covers the lexicon) is needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from packager.project import read_text_limited

#: Sections whose values are said in place of their keys.
SAID_FOR = ("words", "symbols", "letters")


def check_lexicon(path: Path) -> Iterator[tuple[str, str, int | None, str]]:
    """(code, message, line, key) for each entry of the lexicon at ``path`` that changes what is said."""
    from packager.i18n.checks.numbers import digits_to_ascii

    try:
        node = yaml.compose(read_text_limited(path, 1_000_000, "lexicon"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the lexicon reader reports malformed files, naming the line
    if not isinstance(node, yaml.MappingNode):
        return
    for section, body in node.value:
        if section.value not in SAID_FOR or not isinstance(body, yaml.MappingNode):
            continue
        for key, value in body.value:
            written, said = str(key.value), str(value.value) if isinstance(value, yaml.ScalarNode) else ""
            line, name = key.start_mark.line + 1, f"lexicon/{section.value}/{written}"
            if not re.search(r"\w", said) and re.search(r"\w", written):  # punctuation may be silent
                yield "lexicon-deletes", f"{written!r} is said as nothing: an entry may not delete words", line, name
                continue
            numbers_written = _numbers(digits_to_ascii(written))
            numbers_said = _numbers(digits_to_ascii(said), after_letters=False)  # "ka3": a pinyin tone
            if numbers_said and numbers_said != numbers_written:
                message = f"{written!r} is said with the number(s) {', '.join(numbers_said)}, which it does not show"
                yield "lexicon-number", message, line, name
            elif numbers_written and not numbers_said:
                message = f"{written!r} is said in words ({said!r}): a reviewer should confirm the number"
                yield "lexicon-number-words", message, line, name


def _numbers(text: str, after_letters: bool = True) -> list[str]:
    """The numbers in ``text``, separators removed: '375,000' and '375000' are one number.
    ``after_letters=False`` leaves out digits written onto a word (tone numbers in pinyin)."""
    start = "" if after_letters else r"(?<![^\W\d_])"
    found = re.findall(rf"{start}\d[\d,.\u00a0 ]*\d|{start}\d", text)
    return [re.sub(r"[^\d]", "", n) for n in found]
