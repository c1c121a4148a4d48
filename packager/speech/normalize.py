"""Text as an engine should receive it: no "$", no 375,000, no "https://".

One pipeline for every language; what differs (acronyms, currency wording,
"dot", whether numbers are written out) comes from the locale's lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from packager.errors import PackagerError
from packager.i18n.checks.numbers import convention
from packager.speech.lexicon import Lexicon
from packager.speech.numbers import speller

_TLDS = "com|org|gov|net|edu|int|info|io|uk|eu|de|fr|es|mx|ar|cn|vn|us|ca|au|nz|ie|health"
_URL = re.compile(
    r"(?:(?:https?://|www\.)[^\s<>()\]]+|"
    rf"\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>()\]]*)?)",
    re.IGNORECASE,
)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SEPARATED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_DIGITS = re.compile(r"\d+")
_ASCII_WORD = r"[A-Za-z0-9]"
_ACRONYM = re.compile(r"(?<![A-Za-z])([A-Z]{2,6})(?![A-Za-z])")
_LEFTOVER = re.compile(r"[*_#<>`|\\~^{}\[\]]")
_KEPT = 0xF0000
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")


def sayable_address(address: str, lexicon: Lexicon) -> str:
    """What a listener would type: the host name without scheme or www, dots spoken."""
    host = re.sub(r"^(?:https?://|mailto:|tel:)", "", address.strip(), flags=re.IGNORECASE)
    host = re.split(r"[/?#]", host, maxsplit=1)[0].removeprefix("www.").removeprefix("WWW.").lower()
    # a label the lexicon knows is said its way: "lupusencyclopedia" as "lupus encyclopedia"
    return f" {lexicon.dot} ".join(lexicon.words.get(part, part) for part in host.split(".") if part)


def normalize(text: str, lexicon: Lexicon) -> str:
    """``text`` (plain, no Markdown) made sayable for ``lexicon.locale``.

    Lexicon output is final: it is held aside as a placeholder so that later
    steps never rewrite it (a pinyin "ka3" must not become "ka three").
    """
    kept: list[str] = []

    def keep(said: str) -> str:
        kept.append(said)
        return chr(_KEPT + len(kept) - 1)  # one private-use character: no digits to misread

    text = _URL.sub(lambda m: _address(m.group(0), lexicon, keep), text)
    text = _ungroup(text, lexicon.locale)
    text = _currency(text, lexicon)
    text = _apply_words(text, lexicon, keep)
    text = _SEPARATED.sub(lambda m: m.group(1).replace(",", ""), text)
    text = _ranges(text, lexicon)
    text = _symbol_templates(text, lexicon)
    text = _numbers(text, lexicon)
    if lexicon.letters:
        text = _ACRONYM.sub(lambda m: keep(_spell_letters(m.group(1), lexicon)), text)
    for symbol, said in lexicon.symbols.items():
        said = said.replace("{}", "").strip()  # a template's words, where no number comes first
        text = text.replace(symbol, f" {said} " if lexicon.word_joiner else said)
    text = re.sub("[\U000f0000-\U000ffffd]", lambda m: kept[ord(m.group(0)) - _KEPT], text)
    text = _LEFTOVER.sub(" ", text)
    text = re.sub(r"[ \t\n]+", " ", text).strip()
    text = re.sub(r" ([,.;:!?、，。；：！？）)،؟])", r"\1", text)
    _guard(text, lexicon)
    return text


def _address(found: str, lexicon: Lexicon, keep: Callable[[str], str]) -> str:
    """A sentence's full stop after an address belongs to the sentence, not to the address."""
    address = found.rstrip(".,;:!?")
    return keep(sayable_address(address, lexicon)) + found[len(address) :]


def _apply_words(text: str, lexicon: Lexicon, keep: Callable[[str], str]) -> str:
    """Whole-word replacements, longest first and in one pass, so no replacement is replaced again."""
    entries = lexicon.sorted_words()
    if not entries:
        return text
    pattern = "|".join(_bounded(written) for written, _ in entries)
    table = dict(entries)
    return re.sub(pattern, lambda m: keep(table[m.group(0)]), text)


def _bounded(written: str) -> str:
    """Boundaries only where the entry starts or ends with a Latin letter or digit (not inside CJK)."""
    start = rf"(?<!{_ASCII_WORD})" if re.match(_ASCII_WORD, written) else ""
    end = rf"(?!{_ASCII_WORD})" if re.match(_ASCII_WORD, written[-1]) else ""
    return start + re.escape(written) + end


def _currency(text: str, lexicon: Lexicon) -> str:
    """ "$375,000 to $475,000" -> "375000 to 475000 dollars": a range says its unit once, at the end."""
    if not lexicon.currency:
        return text
    symbols = "|".join(re.escape(s) for s in lexicon.currency)
    scales = "|".join(re.escape(s) for s in sorted(lexicon.scales, key=len, reverse=True))
    scale = rf"(?:\s?(?P<scale>{scales}))?" if scales else ""
    amount = re.compile(rf"(?P<symbol>{symbols})\s?(?P<num>{_NUMBER}){scale}(?!\d|,\d)")
    # "375000 $US", as French and many others write it (group separators are gone by now)
    after = re.compile(
        rf"(?<![\d.,])(?P<num>{_NUMBER}|\d+,\d+){scale}[ \u00a0\u202f\u200e\u200f]*(?P<symbol>{symbols})(?!\w)"
    )
    joins = "|".join(re.escape(w) for w in lexicon.range_words)
    range_ = re.compile(rf"(?P<symbol>{symbols})\s?(?P<num>{_NUMBER})(?P<join>\s*(?:{joins}|[-–])\s*)(?=(?:{symbols}))")

    text = range_.sub(lambda m: m["num"] + m["join"], text)
    # the first amount of a range lost its symbol above; only the last one carries the unit

    def say(m: re.Match[str]) -> str:
        spec = lexicon.currency[m["symbol"]]
        number = m["num"] + (lexicon.word_joiner + m["scale"] if m.groupdict().get("scale") else "")
        if lexicon.word_joiner == "":
            number = number.replace(" ", "")
        return (spec.with_scale if m.groupdict().get("scale") else spec.amount).format(number)

    return after.sub(say, amount.sub(say, text))


def _ungroup(text: str, locale: str) -> str:
    """ "375 000" (French), "375.000" (German), "3,75,000" (Hindi) -> "375000": the locale's CLDR group
    separator between digit groups goes, so the engine reads one number; the decimal sign stays."""
    conv = convention(locale)
    group = conv.group
    if group == "," and conv.secondary == 3:  # English notation: handled below, as in the source
        return text
    seps = re.escape(group) + ("\u00a0\u202f " if group.isspace() else "")
    return re.sub(
        rf"(?<![\d.,])\d{{1,3}}(?:[{seps}]\d{{2,3}})*[{seps}]\d{{3}}(?![\d])", lambda m: re.sub(r"\D", "", m[0]), text
    )


#: "10–20" (en or em dash), or "10-20" with at most three digits a side (not a date, a phone number or an id).
_RANGE = re.compile(
    r"(?<![\d.,/–—-])(\d+(?:\.\d+)?)\s?[–—]\s?(\d+(?:\.\d+)?)(?![\d/–—-])"
    r"|(?<![\d.,/–—-])(\d{1,3})-(\d{1,3})(?![\d/–—-])"
)


def _ranges(text: str, lexicon: Lexicon) -> str:
    """ "10–20 mg" -> "10 to 20 mg": the range word is the lexicon's first ``range_words``."""
    if not lexicon.range_words:
        return text
    word, joiner = lexicon.range_words[0], lexicon.word_joiner

    def say(m: re.Match[str]) -> str:
        low, high = (m[1], m[2]) if m[1] else (m[3], m[4])
        return f"{low}{joiner}{word}{joiner}{high}"

    return _RANGE.sub(say, text)


def _place(template: str, match: re.Match[str]) -> str:
    return template.format(match[1])


def _symbol_templates(text: str, lexicon: Lexicon) -> str:
    """A symbol whose reading is a template places the number: "%": "百分之{}" makes "50%" 百分之50."""
    for symbol, said in lexicon.symbols.items():
        if "{}" in said:
            text = re.sub(rf"({_NUMBER})\s?{re.escape(symbol)}", partial(_place, said), text)
    return text


def _numbers(text: str, lexicon: Lexicon) -> str:
    if lexicon.numbers != "spell":
        return text
    spell = speller(lexicon.locale)
    if spell is None:
        where = lexicon.path or f"locales/{lexicon.locale}/lexicon.yaml"
        raise PackagerError(f"no number speller for {lexicon.locale}; set 'numbers: engine'", where)
    text = re.sub(r"(\d+)\.(\d+)", lambda m: f"{m[1]} {lexicon.decimal} {m[2]}", text)
    return _DIGITS.sub(lambda m: spell(int(m.group(0)), bool(_YEAR.match(m.group(0)))), text)


def _spell_letters(acronym: str, lexicon: Lexicon) -> str:
    if not all(c in lexicon.letters for c in acronym):
        return acronym
    return " " + " ".join(lexicon.letters[c] for c in acronym) + " "


def _guard(text: str, lexicon: Lexicon) -> None:
    """Refuse what no engine says right: a listener would hear "dollar sign" or "h t t p"."""
    problems = []
    if any(symbol in text for symbol in "$€£¥"):
        problems.append("a currency symbol")
    if re.search(r"\d,\d{3}", text):
        problems.append("a number with thousands separators")
    if re.search(r"https?:|www\.", text, re.IGNORECASE):
        problems.append("a web address")
    if problems:
        where = lexicon.path or f"locales/{lexicon.locale}/lexicon.yaml"
        raise PackagerError(
            f"cannot say {' and '.join(problems)} in {lexicon.locale!r}: {text[:80]!r}; add it to the lexicon", where
        )
