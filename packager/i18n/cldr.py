"""What CLDR (through Babel) says about writing quantities in a locale: units, currencies, scale words.

The translation checks must recognise "12 mois", "12 Monate", "12개월" and
"12 か月" as the source's "12 months" in any language a volunteer brings, so
the spellings come from CLDR's unit patterns (every length: long, short and
narrow; every plural form), currency symbols and names, and compact-decimal
patterns ("0 millions", "0万"), never from a list per language.

Babel has no unit data for a locale CLDR has not filled in (Haitian Creole
gets root's "m" for a month); then the locale's patterns are simply what
Babel returns, the same patterns ``babel.units.format_unit`` writes, so a
translation written with CLDR's own pattern always reads back.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

#: Canonical unit -> CLDR unit id. The canonical names are packager's: what a source and a
#: translation are compared by. Only units a patient article writes with a number.
CLDR_UNITS = {
    "percent": "concentr-percent",
    "mg": "mass-milligram",
    "mcg": "mass-microgram",
    "g": "mass-gram",
    "kg": "mass-kilogram",
    "ml": "volume-milliliter",
    "l": "volume-liter",
    "mmol/L": "concentr-millimole-per-liter",
    "mg/dL": "concentr-milligram-ofglucose-per-deciliter",
    "mmHg": "pressure-millimeter-ofhg",
    "°C": "temperature-celsius",
    "°F": "temperature-fahrenheit",
    "minute": "duration-minute",
    "hour": "duration-hour",
    "day": "duration-day",
    "week": "duration-week",
    "month": "duration-month",
}
#: Currencies compared by ISO code; their symbols and names come from CLDR.
CURRENCIES = ("USD", "EUR", "GBP")

#: Spellings in common use that CLDR does not list (checked by tests/test_cldr.py to be absent
#: from CLDR, so this stays the small remainder): the international unit has no CLDR unit id;
#: the others are variants the shipped translations use alongside CLDR's forms.
NOT_IN_CLDR: dict[str, tuple[str, ...]] = {
    "percent": ("‰", "porciento", "phần trăm", "بالمئة", "في المئة", "في المائة"),
    "USD": ("đô-la", "دولارات", "دولارًا"),
    "mg": ("ملغم", "ملغ", "ملليغرام"),
    "ml": ("ملليلتر",),
    "IU": ("IU", "UI", "国际单位", "đơn vị quốc tế", "وحدة دولية"),
    "°C": ("ºC", "grados"),
    "hour": ("hrs",),
    "week": ("星期",),
    "month": ("شهور",),
}

_SPACES = " \u00a0\u202f\u2009\u200e\u200f\u061c"  # and the bidi marks right-to-left patterns hold


def babel_locale(locale: str) -> Locale | None:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """Every language CLDR has data for (no regional variants)."""
    from babel.localedata import locale_identifiers

    return tuple(sorted(i for i in locale_identifiers() if "_" not in i and i != "root"))


def _words(pattern: str) -> list[str]:
    """The unit words of a CLDR pattern like '{0} mois' or '{0}个月' (nothing when no '{0}')."""
    if "{0}" not in pattern:
        return []
    return [w.strip(_SPACES) for w in pattern.split("{0}") if w.strip(_SPACES)]


@lru_cache(maxsize=128)
def unit_spellings(locale: str, supplement: bool = True) -> dict[str, frozenset[str]]:
    """Canonical unit -> every way ``locale`` writes it: CLDR unit patterns (all lengths and plural
    forms), currency symbols, names and plural names (and ``NOT_IN_CLDR`` with ``supplement``)."""
    loc = babel_locale(locale)
    found: dict[str, set[str]] = {unit: set(words) for unit, words in NOT_IN_CLDR.items()} if supplement else {}
    if loc is not None:
        patterns = _data(loc, "unit_patterns")
        for unit, cldr_id in CLDR_UNITS.items():
            if cldr_id not in patterns:
                continue
            for length in ("long", "short", "narrow"):
                forms = patterns[cldr_id].get(length) or {}
                for form in forms:
                    if form != "per":
                        found.setdefault(unit, set()).update(_words(forms[form]))
        plural_names = _data(loc, "currency_names_plural")
        for code in CURRENCIES:
            # The ISO code always (NOT_IN_CLDR's own USD words came first and once kept it out).
            spellings = found.setdefault(code, set())
            spellings.add(code)
            spellings.add(loc.currency_symbols.get(code, code))
            names = [loc.currencies.get(code, code)] + [plural_names[code][f] for f in plural_names.get(code) or {}]
            spellings.update(names)
            spellings.update(generic_currency_words(locale, code))
    return {unit: frozenset(s for s in spellings if s) for unit, spellings in found.items()}


def is_symbol(spelling: str) -> bool:
    """A currency symbol or code ("$", "US$", "€", "USD"), which may stand before the amount."""
    return not any(c.islower() for c in spelling)


@lru_cache(maxsize=128)
def scale_words(locale: str) -> dict[str, int]:
    """Scale word -> factor, from CLDR's compact-decimal patterns ('0 millions', '00 mille', '0万')."""
    loc = babel_locale(locale)
    if loc is None:
        return {}
    found: dict[str, int] = {}
    compact = _data(loc, "compact_decimal_formats")
    for length in ("long", "short"):
        by_form = compact.get(length) or {}
        for form in by_form:
            for magnitude, pattern in by_form[form].items():
                text = pattern.pattern if hasattr(pattern, "pattern") else str(pattern)
                zeros = text.count("0")
                word = re.sub(r"[0#.,¤]", "", text).strip(_SPACES + "'")
                if not zeros or not word or (len(word) == 1 and word.isascii()):
                    continue  # "0": no compact form; "0 k", "0 M": a letter that is too often something else
                found.setdefault(word, int(magnitude) // 10 ** (zeros - 1))
    return found


@lru_cache(maxsize=64)
def currency_wording(locale: str, source_locale: str = "en") -> dict[str, str]:
    """Currency symbol (the locale's and the source's) -> how an amount is said, as a template with one
    "{}": CLDR's currency unit pattern with the currency's plural name ("{} dollars des États-Unis").
    Where CLDR has no name in the locale (Haitian Creole), the source language's: better said in
    English than refused; a lexicon entry fixes it."""
    loc, source = babel_locale(locale), babel_locale(source_locale)
    if loc is None:
        return {}
    patterns = _data(loc, "currency_unit_patterns")
    pattern = patterns.get("other") or "{0} {1}"
    found: dict[str, str] = {}
    for code in CURRENCIES:
        name = next(filter(None, (_plural_name(where, code) for where in (loc, source) if where)), None)
        if not name:
            continue
        template = pattern.replace("{0}", "{}").replace("{1}", name.replace("{", "").replace("}", ""))
        for where in (loc, source):
            if where is not None:
                found.setdefault(where.currency_symbols.get(code, code), template)
        found.setdefault(code, template)
    return found


def _plural_name(loc: Locale, code: str) -> str | None:
    return (_data(loc, "currency_names_plural").get(code) or {}).get("other") or loc.currencies.get(code)


@lru_cache(maxsize=256)
def likely_subtags(locale: str) -> tuple[str, str, str]:
    """(language, script, region) of a locale, completed with CLDR's likely subtags: fr ->
    (fr, Latn, FR), zh_Hant -> (zh, Hant, TW), ur -> (ur, Arab, PK). A locale Babel does not know
    keeps what it says ("xx_YY" -> (xx, "", YY))."""
    from babel.core import get_global

    loc = babel_locale(locale)
    if loc is None:
        parts = re.split(r"[_-]", locale)
        return parts[0].lower(), "", next((p.upper() for p in parts[1:] if len(p) == 2), "")
    likely = get_global("likely_subtags")
    full = likely.get(str(loc)) or (loc.script and likely.get(f"{loc.language}_{loc.script}")) or ""
    parts = (full or likely.get(loc.language, "")).split("_")
    script = loc.script or next((p for p in parts[1:] if len(p) == 4), "")
    region = loc.territory or next((p for p in parts[1:] if len(p) == 2 or p.isdigit()), "")
    return loc.language, script, region


@lru_cache(maxsize=128)
def has_unit_words(locale: str) -> bool:
    """Whether CLDR writes units in this language itself, rather than inheriting root's symbols
    (Haitian Creole: "3 m" for three months); a translator's own words cannot be read there."""
    import pickle

    from babel import localedata

    loc = babel_locale(locale)
    if loc is None:
        return False
    for identifier in dict.fromkeys([str(loc), loc.language]):
        if not localedata.exists(identifier):
            continue
        # The locale's own file, not Babel's cache (which holds it merged with root's data).
        with open(localedata.resolve_locale_filename(identifier), "rb") as file:
            if pickle.load(file).get("unit_patterns"):  # Babel reads its data files the same way
                return True
    return False


def _data(loc: Locale, key: str):
    """One kind of a locale's CLDR data, empty where the locale (and root) has none."""
    try:
        return loc._data[key]
    except KeyError:
        return {}


@lru_cache(maxsize=128)
def generic_currency_words(locale: str, code: str) -> frozenset[str]:
    """Translators write "375 000 dólares" for CLDR's "dólares estadounidenses": the word the locale
    uses for every currency of the family (dollars: US, Canadian, Australian...; pounds), found as the
    words of this currency's names that most of its family's names share ("dólar", "dólares"; never
    "des" of "dollars des États-Unis" alone)."""
    loc, english = babel_locale(locale), babel_locale("en")
    if loc is None or english is None or code not in english.currencies:
        return frozenset()
    kind = english.currencies[code].split()[-1]  # "Dollar", "Pound", "Euro"
    plural = _data(loc, "currency_names_plural")

    def names(c: str) -> list[str]:
        found = [loc.currencies.get(c), *((plural.get(c) or {}).values())]
        return [name for name in found if name]

    def words(c: str) -> set[str]:
        return {w for name in names(c) for w in re.split(r"[\s-]+", name) if w.isalpha()}

    family = [c for c, name in english.currencies.items() if name.split()[-1] == kind and names(c)]
    own = words(code)
    if len(family) < 3:  # a currency without a family (the euro): its one-word names only
        return frozenset(w for w in own if w in names(code))
    counts = {w: sum(w in words(c) for c in family) for w in own}
    return frozenset(w for w, n in counts.items() if n * 2 >= len(family) and len(w) > 1)


def native_name(locale: str) -> str:
    """The locale's name in its own language ("français", "العربية"): what staff and readers choose
    from. Kept across builds under Babel's version, whose CLDR data is the answer."""
    from babel import __version__

    from packager import statcache

    def ask() -> tuple[str, list[str]]:
        try:
            return Locale.parse(locale).get_display_name(locale) or locale, []
        except (ValueError, UnknownLocaleError):
            return locale, []

    return statcache.remembered(f"babel {__version__} native name {locale}", ask)
