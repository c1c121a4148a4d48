"""Units, currencies and scale words read with CLDR's data: what Babel writes, the checks read back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel import Locale
from babel.numbers import format_compact_decimal, format_currency
from babel.units import format_unit

from packager.i18n import cldr
from packager.i18n.checks import numbers as num

#: The languages of issue 12's acceptance list, the shipped ones and English.
LOCALES = ("fr", "de", "pt_BR", "ru", "ko", "ja", "hi", "he", "fa", "ur", "th", "zh_Hant", "ht", "tl", "am")
SHIPPED = ("en", "es", "ar", "zh_Hans", "vi")


@pytest.mark.parametrize("locale", LOCALES + SHIPPED)
@pytest.mark.parametrize("unit", sorted(cldr.CLDR_UNITS))
@pytest.mark.parametrize(("count", "length"), [(1, "long"), (2, "long"), (5, "long"), (12, "short"), (12, "narrow")])
def test_every_cldr_unit_pattern_reads_back(locale: str, unit: str, count: int, length: str) -> None:
    written = format_unit(count, cldr.CLDR_UNITS[unit], length=length, locale=locale)
    if str(count) not in written:
        pytest.skip(f"CLDR writes {written!r} without the number")  # Arabic 'شهر' for one month
    found = num.numbers(f"— {written} —", locale)
    assert len(found) == 1 and found[0].values[0] == count, written
    assert num.same_unit(found[0].unit, unit), (written, found[0].unit)


@pytest.mark.parametrize("locale", LOCALES + SHIPPED)
def test_prices_in_cldr_format_read_back(locale: str) -> None:
    for code in cldr.CURRENCIES:
        written = format_currency(375000, code, locale=locale)
        found = num.numbers(num.digits_to_ascii(written), locale)
        assert [(n.values[0], n.unit) for n in found][:1] == [(375000, code)], written


@pytest.mark.parametrize("locale", [loc for loc in LOCALES + SHIPPED if cldr.scale_words(loc)])
def test_compact_scale_words_multiply(locale: str) -> None:
    written = format_compact_decimal(3_000_000, format_type="long", locale=locale)
    found = num.numbers(written, locale)
    assert found[0].values[0] == 3_000_000, written


def test_the_hand_written_remainder_is_not_in_cldr() -> None:
    """NOT_IN_CLDR holds only what CLDR lacks: drop an entry when CLDR gains it."""
    for locale in SHIPPED:
        from_cldr = cldr.unit_spellings(locale, supplement=False)
        for unit, spellings in cldr.NOT_IN_CLDR.items():
            assert not set(spellings) & from_cldr.get(unit, frozenset()), (locale, unit)
    assert "IU" not in cldr.CLDR_UNITS  # the international unit has no CLDR unit id


def test_a_locale_cldr_does_not_know_reads_every_languages_words() -> None:
    assert Locale.parse("fr").language == "fr"
    found = num.numbers("12 mois et 3 Monate", "xx")
    assert [n.unit for n in found] == ["month", "month"]


def _cldr_numbering_systems() -> set[str]:
    """Every numbering system a CLDR locale uses (default, native, traditional, finance)."""
    from babel.localedata import locale_identifiers

    found = set()
    for identifier in locale_identifiers():
        data = Locale.parse(identifier)._data
        found.add(data["default_numbering_system"])
        found.update(data["numbering_systems"].values())
    return found


def test_digits_of_every_decimal_numbering_system_cldr_knows_are_read() -> None:
    """ICU writes 1,234,567.5 in each system; the checks read it back. Algorithmic systems (Ethiopic,
    Japanese and Chinese numerals, Roman...) have no digits to read. hanidec is left out on purpose:
    its digits 一二三 are also the everyday Chinese words for numbers."""
    from icu4py.messageformat import MessageFormat

    systems = _cldr_numbering_systems() - {"hanidec"}
    read = []
    for system in sorted(systems):
        written = MessageFormat("{n, number}", f"en@numbers={system}").format({"n": 1234567.5})
        if sum(c.isdecimal() for c in written) != 8:
            continue  # algorithmic: no place-value digits
        assert [n.values[0] for n in num.numbers(written, "en")] == [Decimal("1234567.5")], (system, written)
        read.append(system)
    assert {"arab", "arabext", "deva", "beng", "thai", "mymr", "tibt", "latn"} <= set(read)


def test_a_language_without_cldr_unit_words_is_not_refused_for_its_own() -> None:
    """CLDR has no unit words for Haitian Creole (it inherits root's "m"): "3 mwa" cannot be read,
    so it is not called a changed unit; where CLDR has the words, a changed unit still is."""
    from packager.i18n.checks.rules import number_rule

    assert not cldr.has_unit_words("ht") and cldr.has_unit_words("fr") and cldr.has_unit_words("pt_BR")
    assert list(number_rule("Every 3 months.", "Chak 3 mwa.", "ht")) == []
    assert [code for code, _ in number_rule("Every 3 months.", "Tous les 3 jours.", "fr")] == ["unit-changed"]


@pytest.mark.parametrize(
    ("locale", "written", "unit"),
    [("fr", "1 250 dollars", "USD"), ("es", "1250 dólares", "USD"), ("de", "1250 Dollar", "USD"),
     ("ko", "1250 달러", "USD"), ("fr", "3 des 5 patients", None), ("fr", "3 livres", "GBP")],
)  # fmt: skip
def test_the_word_for_every_dollar_stands_for_the_us_dollar_and_no_other_word_does(
    locale: str, written: str, unit: str | None
) -> None:
    """The generic word comes from CLDR's names of the currency's family (US, Canadian, Australian
    dollars...), so "dólares" is read as dollars but "des" of "dollars des États-Unis" is not."""
    assert num.numbers(written, locale)[0].unit == unit
