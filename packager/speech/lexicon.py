"""Per-locale pronunciation lexicons: ``locales/<ll>/lexicon.yaml``, edited by volunteers.

Everything that differs between languages in normalisation lives in these
files (acronyms, currency wording, how to say "dot" in an address), so a
new language needs a YAML file, not code; where a locale has no file, or the
file says nothing about a currency, CLDR's wording is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from packager.errors import PackagerError
from packager.i18n import cldr
from packager.project import SAFE_LOADER, locale_fallbacks, read_text_limited

LEXICON_FILE = "lexicon.yaml"


@dataclass(frozen=True)
class Currency:
    """How an amount is said: ``amount`` and ``with_scale`` are templates with one ``{}``."""

    amount: str
    with_scale: str


@dataclass(frozen=True)
class Lexicon:
    locale: str
    path: Path | None = None
    words: dict[str, str] = field(default_factory=dict)  # written form -> sayable form
    letters: dict[str, str] = field(default_factory=dict)  # A -> how to say it; spells acronyms when set
    symbols: dict[str, str] = field(default_factory=dict)  # "%" -> "percent"; "百分之{}" puts the number in
    currency: dict[str, Currency] = field(default_factory=dict)  # "$" -> templates
    scales: tuple[str, ...] = ()  # "million": words that may follow an amount
    range_words: tuple[str, ...] = ()  # "to": joins two amounts that share one unit
    dot: str = "dot"  # in addresses: "clinicaltrials dot gov"
    decimal: str = "point"  # 2.5 -> "2 point 5" where numbers are spelled
    numbers: str = "engine"  # "engine": digits go to the engine; "spell": packager writes them out
    word_joiner: str = " "  # "" for languages written without spaces
    diacritise: str = ""  # "tashkeel": Arabic short vowels added before synthesis (packager.speech.diacritics)

    def sorted_words(self) -> list[tuple[str, str]]:
        """Longest first, so "CAR T cells" wins over "CAR T"."""
        return sorted(self.words.items(), key=lambda kv: (-len(kv[0]), kv[0]))


_KEYS = {"words", "letters", "symbols", "currency", "scales", "range_words", "dot", "decimal", "numbers", "word_joiner"}
_KEYS |= {"diacritise"}


MAX_LEXICON_BYTES = 1_000_000


def lexicon_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / LEXICON_FILE


def find_lexicon(locales_dir: Path, locale: str) -> Path | None:
    """The lexicon file for ``locale``, or the one for its language (``es`` for ``es_MX``)."""
    for name in locale_fallbacks(locale):
        path = lexicon_path(locales_dir, name)
        if path.exists():
            return path
    return None


def lexicon_file(locales_dir: Path, locale: str) -> Lexicon:
    """Only what the locale's lexicon file says (no CLDR data: cheap enough for planning)."""
    path = find_lexicon(locales_dir, locale)
    return _read(path, locale) if path else Lexicon(locale=locale)


def load_lexicon(locales_dir: Path, locale: str) -> Lexicon:
    """The locale's lexicon file over what CLDR says (how an amount of each currency is said, scale words)."""
    lexicon = lexicon_file(locales_dir, locale)
    from_cldr = {s: Currency(t, t) for s, t in cldr.currency_wording(locale).items()}
    scales = lexicon.scales or tuple(dict.fromkeys([*cldr.scale_words(locale), *cldr.scale_words("en")]))
    return replace(lexicon, currency={**from_cldr, **lexicon.currency}, scales=scales)


def _read(path: Path, locale: str) -> Lexicon:
    text = read_text_limited(path, MAX_LEXICON_BYTES, "lexicon")
    try:
        data = yaml.load(text, Loader=SAFE_LOADER) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise PackagerError(f"invalid YAML: {exc.problem}", path, mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise PackagerError("the lexicon must be a mapping", path)
    unknown = set(data) - _KEYS
    if unknown:
        raise PackagerError(f"unknown lexicon key(s): {', '.join(sorted(unknown))}", path)

    def mapping(key: str) -> dict[str, str]:
        value = data.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, (str, int)) for v in value.values()):
            raise PackagerError(f"'{key}' must map written forms to sayable text", path)
        return {str(k): str(v) for k, v in value.items()}

    def names(key: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise PackagerError(f"'{key}' must be a list", path)
        return tuple(str(v) for v in value)

    currencies = data.get("currency") or {}
    if not isinstance(currencies, dict):
        raise PackagerError("'currency' must map symbols to templates", path)
    currency = {}
    for symbol, spec in currencies.items():
        templates = (
            [str(spec.get(k, spec.get("amount", ""))) for k in ("amount", "with_scale")]
            if isinstance(spec, dict)
            else []
        )
        # Exactly one "{}" and no other braces: the template is filled with str.format.
        if not templates or any(t.count("{") != 1 or t.count("}") != 1 or "{}" not in t for t in templates):
            raise PackagerError(f"currency {symbol!r} needs 'amount' (and 'with_scale') templates with one {{}}", path)
        currency[str(symbol)] = Currency(*templates)
    symbols = mapping("symbols")
    for symbol, said in symbols.items():
        if ("{" in said or "}" in said) and (said.count("{") != 1 or said.count("}") != 1 or "{}" not in said):
            raise PackagerError(f"symbol {symbol!r}: a template has exactly one {{}} for the number", path)
    numbers = str(data.get("numbers", "engine"))
    if numbers not in ("engine", "spell"):
        raise PackagerError("'numbers' must be 'engine' or 'spell'", path)
    diacritise = str(data.get("diacritise", ""))
    if diacritise not in ("", "tashkeel"):
        raise PackagerError("'diacritise' must be 'tashkeel' or left out", path)
    return Lexicon(
        locale=locale,
        path=path,
        words=mapping("words"),
        letters={k.upper(): v for k, v in mapping("letters").items()},
        symbols=symbols,
        currency=currency,
        scales=names("scales"),
        range_words=names("range_words"),
        dot=str(data.get("dot", "dot")),
        decimal=str(data.get("decimal", "point")),
        numbers=numbers,
        word_joiner=str(data.get("word_joiner", " ")),
        diacritise=diacritise,
    )
