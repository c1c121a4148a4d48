"""Numbers, units and addresses in a message, normalised so a source and its translation compare.

A dose, a price or a phone number must survive translation exactly. Digits of
any script (Arabic-Indic, full-width…) become ASCII, each locale's decimal and
group separators are read with Babel's CLDR data, scale words ("million",
"万", "triệu") multiply, and a unit or currency next to a number is mapped to
one canonical name, so "$1 million", "1 millón de dólares" and "100万美元"
are the same amount.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from packager.i18n import cldr
from packager.inline import bare_address

# --- addresses ---------------------------------------------------------------------------------

_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]{}\"'`，。、；：）（]+")
_EMAIL = re.compile(r"(?i)(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
#: Anything shaped like a host name; it is an address when the public suffix list knows its ending.
_DOMAIN = re.compile(r"(?<![\w@./-])(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,63}(?![\w-])(?:/[^\s<>)]*)?")
#: A phone number never starts or ends inside a grouped number ("10.00 100,000" is two numbers).
_PHONE = re.compile(r"(?<![\w+(])(?<!\d[.,])(?:\+|\()?\d[\d \u00a0().\-–]{5,}\d(?![\w]|[.,]\d)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NOT_PHONE = re.compile(r"\.\s|\)\.|\(\d{4}\)|\d\(")
_TRAILING = ".,;:!?)]}'\"”’»。，、；：！？）"


@dataclass(frozen=True)
class Address:
    kind: str  # url | email | phone
    value: str  # normalised, what a reader would type


def digits_to_ascii(text: str) -> str:
    """Numbers in any disguise as plain ASCII digits, so that they compare as what a reader reads.

    Every decimal digit of any script as 0-9 ('٣٧٥' is 375); enclosed and Roman numerals as
    their value ('③' is 3, 'Ⅻ' is 12); full-width and other compatibility letters, digits and
    address marks as plain ones ('ｗｗｗ．' is 'www.', '１．５' is 1.5).
    """
    if text.isascii():  # the separators below are full-width: nothing to do
        return text
    text = "".join(_plain_char(c) if not c.isascii() else c for c in text)
    return _FULLWIDTH_SEPARATOR.sub(lambda m: {"．": ".", "，": ","}[m.group(0)], text)


@lru_cache(maxsize=8192)  # every character of every message of every catalog comes here
def _plain_char(char: str) -> str:
    """A numeral as its value; a compatibility letter or digit ('ｗ', '𝐰') or an address mark
    ('．', '＠', '／') as NFKC makes it. Other punctuation is left alone: a full-width comma in
    Chinese separates words, not thousands."""
    char = _numeral(char)
    if unicodedata.category(char[0])[0] in "LN" or char in "．＠／－＿":
        return unicodedata.normalize("NFKC", char)
    return char


def _numeral(char: str) -> str:
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    name = unicodedata.name(char, "")
    value = unicodedata.numeric(char, None)
    if value is not None and value == int(value) and _NUMERAL_NAMES.search(name):
        return f" {int(value)} " if "ROMAN" in name else str(int(value))
    return char


#: Numerals that stand for a number a reader would read (not superscripts or fractions).
_NUMERAL_NAMES = re.compile(r"CIRCLED|PARENTHESIZED|ROMAN NUMERAL|DIGIT \w+ FULL STOP|NUMBER \w+ FULL STOP|DINGBAT")


_FULLWIDTH_SEPARATOR = re.compile(r"(?<=\d)[．，](?=\d)")


def addresses(text: str, locale: str = "en") -> tuple[list[Address], str]:
    """Web and e-mail addresses and phone numbers written in ``text`` (plain text, not markup),
    and the text with them blanked out (so their digits are not read again as numbers).

    ``locale`` tells an amount from a phone number: "1 000 000 $" is a price in French."""
    text = digits_to_ascii(text)
    found: list[Address] = []

    def take(kind: str, normalise):
        def replace(match: re.Match[str]) -> str:
            raw = match.group(0)
            stripped = raw.rstrip(_TRAILING)
            value = normalise(stripped)
            if value is None or (kind == "phone" and _amount(match, stripped, locale)):
                return raw
            found.append(Address(kind, value))
            return " " * len(stripped) + raw[len(stripped) :]

        return replace

    text = _URL.sub(take("url", bare_address), text)
    text = _EMAIL.sub(take("email", str.lower), text)
    text = _DOMAIN.sub(take("url", _domain), text)
    text = _PHONE.sub(take("phone", _phone), text)
    return found, text


def exact_spans(text: str, locale: str) -> list[tuple[int, int]]:
    """Where plain ``text`` holds what a reader must copy exactly: web and e-mail addresses, phone
    numbers, and numbers with a unit or currency (doses, prices), as (start, end) positions."""
    converted = digits_to_ascii(text)
    if len(converted) != len(text):  # a numeral became several characters: positions would shift
        return []
    _, blanked = addresses(text, locale)
    spans = [[m.start(), m.end()] for m in re.finditer(r"\S+", converted) if not blanked[m.start() : m.end()].strip()]
    for number in numbers(blanked, locale):
        if number.unit:
            spans.append([number.start, number.start + len(number.raw)])
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and not text[merged[-1][1] : start].strip():  # one address's groups: "(555) 010-0199"
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _domain(raw: str) -> str | None:
    """A bare host (and path) whose ending is a public suffix: 'bit.ly/x', 'lupus-cure.xyz'; not 'e.g'."""
    host = raw.split("/", 1)[0].lower()
    return bare_address(raw) if public_suffixes().publicsuffix(host, accept_unknown=False) else None


@functools.lru_cache(maxsize=1)
def public_suffixes():
    """Mozilla's public suffix list, as the maintained publicsuffixlist package ships it."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def host_of(address: str) -> str:
    return bare_address(address).split("/", 1)[0].split("@")[-1]


#: Digits grouped in threes by spaces or full stops, as French or Spanish print large numbers.
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:([ \u00a0\u202f\u2009.])\d{3})(?:\1\d{3})*")


def _amount(match: re.Match[str], stripped: str, locale: str) -> bool:
    """A space-grouped number with a currency or unit beside it ("US$ 1 000 000", "1 000 000 $")
    is an amount, which the number check compares; a phone number has no unit."""
    if not _SPACE_GROUPED.fullmatch(stripped):
        return False
    units = _unit_spellings((locale, "en"))
    before, after = match.string[: match.start()], match.string[match.start() + len(stripped) :]
    return _unit_before(before, units) is not None or _unit_after(after, units) is not None


def _phone(raw: str) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 7 or _DATE.match(raw.strip()) or re.fullmatch(r"\d{4}[ \u00a0]?[-–][ \u00a0]?\d{4}", raw):
        return None
    if _NOT_PHONE.search(raw) or raw.count("(") != raw.count(")"):  # "(2022) 391(4)": a year, then a number
        return None
    return ("+" if raw.startswith("+") else "") + digits


# --- numbers -----------------------------------------------------------------------------------

#: Currencies are not doses: a misread separator in a price is a warning, in a dose an error.
DOSE_UNITS = frozenset(cldr.CLDR_UNITS) | {"IU"}
#: Scale words CLDR's compact-decimal patterns do not give (Chinese 千/百万/千万 are not compact
#: forms; English plurals; Vietnamese and Arabic variants the shipped translations use).
SCALES_NOT_IN_CLDR: dict[str, int] = {
    "millions": 10**6, "billions": 10**9, "千万": 10**7, "百万": 10**6, "千": 10**3,
    "ngàn": 10**3, "tỉ": 10**9, "مليارات": 10**9,
}  # fmt: skip
#: English number words in the source: a translation may write them as digits.
WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100, "first": 1, "second": 2, "third": 3,
    "once": 1, "twice": 2, "half": 0.5, "dozen": 12,
}  # fmt: skip

_SEPARATORS = ".,٫٬'’\u00a0\u202f\u2009"


def _readable(locales: tuple[str, ...]) -> tuple[str, ...]:
    """The locales whose spellings to read: a locale CLDR does not know reads every language's."""
    if all(cldr.babel_locale(locale) for locale in locales):
        return locales
    return (*locales, *cldr.languages())


@lru_cache(maxsize=128)
def _unit_spellings(locales: tuple[str, ...]) -> list[tuple[str, str]]:
    """(spelling, canonical unit) for these locales, longest spelling first."""
    pairs = {(s, u) for locale in locales for u, spellings in cldr.unit_spellings(locale).items() for s in spellings}
    for locale in _readable(locales)[len(locales) :]:  # any language: not its one- or two-letter words
        pairs.update((s, u) for u, spellings in cldr.unit_spellings(locale).items() for s in spellings if len(s) > 2)
    # One spelling, several units ("m" is a month and a minute where CLDR has only root's data):
    # the reading is every one of them, "minute|month", and matches a source with any of them.
    units: dict[str, set[str]] = {}
    for spelling, unit in pairs:
        units.setdefault(spelling, set()).add(unit)
    return sorted(((s, "|".join(sorted(u))) for s, u in units.items()), key=lambda p: (-len(p[0]), p))


def same_unit(a: str | None, b: str | None) -> bool:
    """Two readings name the same unit (either may be ambiguous, "minute|month")."""
    if a is None or b is None:
        return a is b
    return bool(set(a.split("|")) & set(b.split("|")))


@lru_cache(maxsize=128)
def _scale_spellings(locales: tuple[str, ...]) -> list[tuple[str, int]]:
    words = dict(SCALES_NOT_IN_CLDR)
    for locale in _readable(locales):
        words.update({w.lower(): f for w, f in cldr.scale_words(locale).items()})
    return sorted(words.items(), key=lambda p: (-len(p[0]), p))


@dataclass(frozen=True)
class Number:
    raw: str  # as written
    values: tuple[Decimal, ...]  # readings: the locale's first, then the source's (when they differ)
    unit: str | None
    start: int


@dataclass(frozen=True)
class Convention:
    decimal: str
    group: str
    secondary: int = 3  # digits in the groups above the first: 2 in India's 3,75,000 (CLDR #,##,##0)


@lru_cache(maxsize=64)
def convention(locale: str) -> Convention:
    """The locale's Latin-digit decimal and group separators (CLDR), English when Babel does not know it."""
    try:
        loc = Locale.parse(locale)
        symbols = loc.number_symbols["latn"]
        secondary = loc.decimal_formats[None].grouping[1]
        return Convention(symbols.get("decimal", "."), symbols.get("group", ","), secondary)
    except (UnknownLocaleError, ValueError, KeyError, TypeError):
        return Convention(".", ",")


_SPACES = "[ \u00a0\u202f\u2009]"
#: A number: "1 250" or "1 250,5" (groups of three after a space, as French or Spanish print
#: them), else digits with separators. A minus sign counts only after a space or bracket. Not
#: after a separator ("1.2.3", ".5"), but after a letter's full stop, as in a symbol ("Cg.1.00").
_NUMBER = re.compile(
    rf"(?:(?<![\d.,٫٬])|(?<=[^\W\d_]\.))(?:(?<![^\s(\[“\"'«])[-−])?"
    rf"(?:\d{{1,3}}(?:{_SPACES}\d{{3}})+(?!\d)(?:[.,٫]\d+)?|\d+(?:[.,٫٬'’]\d+)*)"
)


def read(raw: str, conv: Convention) -> Decimal | None:
    """``raw`` read with one convention; None when it is not a number in that convention."""
    negative = raw[:1] in "-−"
    body = raw.lstrip("-−")
    parts = re.split(r"([^\d])", body)
    digits, seps = parts[0::2], parts[1::2]
    if not seps:
        integer, fraction = body, ""
    else:
        groups = {conv.group, "٬", "'", "’", " ", "\u00a0", "\u202f", "\u2009"}
        decimals = {conv.decimal, "٫"}
        last_is_decimal = seps[-1] in decimals
        group_seps = seps[:-1] if last_is_decimal else seps
        group_parts = digits[: len(group_seps) + 1]
        if any(s not in groups for s in group_seps):
            return None
        sizes = [len(g) for g in group_parts[1:]]
        if group_seps and (len(group_parts[0]) > 3 or sizes[-1] != 3 or _bad_groups(sizes[:-1], conv)):
            return None
        integer = "".join(group_parts)
        fraction = digits[-1] if last_is_decimal else ""
    try:
        value = Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return None
    return -value if negative else value


def _bad_groups(upper: list[int], conv: Convention) -> bool:
    """The groups above the last three digits are neither all three digits nor all the locale's size."""
    return any(n != 3 for n in upper) and any(n != conv.secondary for n in upper)


#: Bidirectional marks a right-to-left locale's CLDR patterns put around numbers and symbols.
_BIDI_MARKS = str.maketrans({c: " " for c in "\u200e\u200f\u061c"})


def numbers(text: str, locale: str, source_locale: str = "en") -> list[Number]:
    """Every number in plain ``text`` (addresses already blanked), with its readings and unit.

    Units and scale words are read in the locale's spellings and the source's (translators keep
    "mg" and "$"), both from CLDR."""
    text = digits_to_ascii(text).translate(_BIDI_MARKS)
    conventions = [convention(locale), convention(source_locale)]
    if cldr.babel_locale(locale) is None:  # separators unknown: "375.000" may be either reading
        conventions.append(Convention(",", "."))
    units = _unit_spellings((locale, source_locale))
    scales = _scale_spellings((locale, source_locale))
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        if match.start() and text[match.start() - 1].isalpha() and raw[0] in "-−":
            raw = raw[1:]  # "CABA-201" is not minus 201
        after = text[match.end() :]
        scale, after = _scale(after, scales, units)
        readings = []
        for conv in conventions:
            value = read(raw, conv)
            if value is not None and value * scale not in readings:
                readings.append(value * scale)
        if not readings:  # "1.2.3": a version or a list of numbers, compared digit by digit
            readings = [Decimal(int(d)) for d in re.findall(r"\d+", raw)][:1]
        unit = _unit_after(after, units) or _unit_before(text[: match.start()], units)
        found.append(Number(raw, tuple(readings), unit, match.start()))
    return found


def _scale(after: str, scales: list[tuple[str, int]], units: list[tuple[str, str]]) -> tuple[int, str]:
    stripped = after.lstrip(" \u00a0")
    lowered = stripped.lower()
    unit = next((s for s, _ in units if stripped.startswith(s)), "")
    for word, factor in scales:
        if len(unit) > len(word):  # "1千克" is one kilogram, not a thousand grams
            break
        if lowered.startswith(word) and not _letter_at(stripped, len(word), word):
            rest = stripped[len(word) :]
            rest = re.sub(r"^\s*(?:de|of)\b", "", rest)  # "1 millón de dólares"
            return factor, rest
    return 1, after


#: Scripts whose words run on without a space (or, in Korean, with a particle attached): a unit
#: word there ends where its spelling ends ("3개월마다" is "every 3 months").
_RUN_ON_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR"})


def _letter_at(text: str, index: int, word: str) -> bool:
    """True when ``word`` at the start of ``text`` is only the start of a longer word."""
    if unicodedata.name(word[-1], "").split(" ")[0] in _RUN_ON_SCRIPTS:
        return False
    return index < len(text) and (text[index].isalpha() or text[index].isdigit())


def _unit_after(after: str, units: list[tuple[str, str]]) -> str | None:
    stripped = after.lstrip(" \u00a0\u202f")
    for spelling, unit in units:
        if stripped.startswith(spelling) and not _letter_at(stripped, len(spelling), spelling):
            return unit
    return None


def _unit_before(before: str, units: list[tuple[str, str]]) -> str | None:
    """A currency symbol or code written before the amount ("$375", "US$ 375", "USD 375")."""
    stripped = before.rstrip(" \u00a0\u202f")
    for spelling, unit in units:
        if unit in cldr.CURRENCIES and cldr.is_symbol(spelling) and stripped.endswith(spelling):
            head = stripped[: -len(spelling)]
            if not head or not head[-1].isalnum() or not spelling.isalpha():
                return unit
    return None


def word_numbers(text: str) -> set[Decimal]:
    """Numbers the source writes as words, which a translation may write as digits."""
    return {Decimal(str(WORDS[w])) for w in re.findall(r"[a-z]+", text.lower()) if w in WORDS}


@dataclass(frozen=True)
class NumberDiff:
    missing: list[Number]  # in the source, not in the translation
    added: list[Number]  # in the translation, not in the source
    misread: list[tuple[Number, Number]]  # (source, translation): equal only in the source's notation
    unit_changed: list[tuple[Number, Number]]


def compare(source: list[Number], target: list[Number], optional: set[Decimal]) -> NumberDiff:
    """Pair the translation's numbers with the source's by value; what is left over differs."""
    left = list(source)
    missing: list[Number] = []
    added: list[Number] = []
    misread: list[tuple[Number, Number]] = []
    unit_changed: list[tuple[Number, Number]] = []
    pairs: list[tuple[Number, Number]] = []
    # First the translation's own reading, then the source's notation kept by the translator.
    pending = list(target)
    for reading in (0, 1):
        still = []
        for number in pending:
            if reading >= len(number.values):
                still.append(number)
                continue
            value = number.values[reading]
            match = _best(left, value, number.unit)
            if match is None:
                still.append(number)
                continue
            left.remove(match)
            pairs.append((match, number))
            if reading == 1:
                misread.append((match, number))
        pending = still
    for number in pending:
        if not any(v in optional for v in number.values):
            added.append(number)
    missing.extend(left)
    for src, tgt in pairs:
        if not same_unit(src.unit, tgt.unit):
            unit_changed.append((src, tgt))
    return NumberDiff(missing, added, misread, unit_changed)


def _best(candidates: list[Number], value: Decimal, unit: str | None) -> Number | None:
    """The source number with this value, preferring one with the same unit."""
    same = [n for n in candidates if n.values[0] == value]
    return next((n for n in same if same_unit(n.unit, unit)), same[0] if same else None)


def units_of(found: list[Number]) -> Counter[str]:
    return Counter(n.unit for n in found if n.unit)
