"""Fast, direct checks of the number and address reader (i18n/checks/numbers.py).

Each expected value is what a reader reads in the literal text of the test: these are the
tests mutation testing (scripts/mutation.sh) runs first against that module.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from packager.i18n.checks import numbers as num


def readings(text: str, locale: str = "en", source: str = "en") -> list[tuple[str, tuple[Decimal, ...], str | None]]:
    return [(n.raw, n.values, n.unit) for n in num.numbers(text, locale, source)]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("٣٧٥", "375"),  # Arabic-Indic digits
        ("③ and ⑫", "3 and 12"),  # circled numerals
        ("Ⅻ", " 12 "),  # a Roman numeral, set apart as a word
        ("ｗｗｗ．example．org", "www.example.org"),  # full-width letters and stops
        ("１．５", "1.5"),
        ("１，５", "1,5"),
        ("甲，乙", "甲，乙"),  # a full-width comma between words stays
        ("é", "é"),
        ("⒈", "1"),  # DIGIT ONE FULL STOP
    ],
)
def test_digits_in_any_disguise_become_ascii(text: str, plain: str) -> None:
    assert num.digits_to_ascii(text) == plain


def test_the_decimal_and_group_separators_are_the_locales() -> None:
    assert num.convention("en") == num.Convention(".", ",", 3)
    assert num.convention("de") == num.Convention(",", ".", 3)
    assert num.convention("hi").secondary == 2  # 3,75,000
    assert num.convention("not a locale") == num.Convention(".", ",")


@pytest.mark.parametrize(
    ("raw", "locale", "value"),
    [
        ("1,250", "en", Decimal(1250)),
        ("1,250", "de", Decimal("1.250")),
        ("1.250", "de", Decimal(1250)),
        ("1.250,5", "de", Decimal("1250.5")),
        ("1,250.5", "en", Decimal("1250.5")),
        ("-3", "en", Decimal(-3)),
        ("−3.5", "en", Decimal("-3.5")),
        ("3,75,000", "hi", Decimal(375000)),
        ("1,000,000", "en", Decimal(1000000)),
        ("12", "en", Decimal(12)),
        ("0.5", "en", Decimal("0.5")),
        ("1'000", "en", Decimal(1000)),
        ("1 000", "fr", Decimal(1000)),
        ("2٫5", "ar", Decimal("2.5")),
    ],
)
def test_read_gives_the_value_in_the_convention(raw: str, locale: str, value: Decimal) -> None:
    assert num.read(raw, num.convention(locale)) == value


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        ("1,25", "en"),  # a group of two after a comma
        ("1234,567", "en"),  # four digits before a group
        ("1,2345", "en"),
        ("3,75,000", "en"),  # India's grouping is not English
        ("1,000.000.5", "en"),
        ("1.2.3", "en"),
        ("1,00,000,000", "en"),
    ],
)
def test_read_refuses_what_the_convention_does_not_write(raw: str, locale: str) -> None:
    assert num.read(raw, num.convention(locale)) is None


def test_numbers_read_units_scales_and_positions() -> None:
    assert readings("Take 500 mg twice") == [("500", (Decimal(500),), "mg")]
    assert readings("$1 million") == [("1", (Decimal(1000000),), "USD")]
    assert readings("1 millón de dólares", "es") == [("1", (Decimal(1000000),), "USD")]
    assert readings("100万美元", "zh_Hans") == [("100", (Decimal(1000000),), "USD")]
    assert readings("3 millions", "en") == [("3", (Decimal(3000000),), None)]
    found = num.numbers("dose: 12 ml", "en")
    assert found[0].start == len("dose: ")


def test_a_number_read_both_ways_keeps_both_readings_locale_first() -> None:
    assert readings("1,5 mg", "de") == [("1,5", (Decimal("1.5"),), "mg")]
    assert readings("1.500 mg", "de") == [("1.500", (Decimal(1500), Decimal("1.5")), "mg")]
    assert readings("1,500 mg", "en") == [("1,500", (Decimal(1500),), "mg")]


def test_a_locale_cldr_does_not_know_reads_either_separator() -> None:
    (found,) = num.numbers("375.000", "xx")
    assert set(found.values) == {Decimal("375"), Decimal(375000)}


def test_a_version_is_compared_by_its_first_number() -> None:
    assert readings("version 1.2.3") == [("1.2.3", (Decimal(1),), None)]


def test_an_amount_after_a_symbol_ending_in_a_full_stop_is_read_but_not_one_after_a_separator() -> None:
    """The Caribbean guilder's symbol "Cg." (CLDR 46) is written against its amount: the amount
    is a number, so a changed price is caught (found by the property test); ".5" stays unread."""
    assert [(n.raw, n.values) for n in num.numbers("Take Cg.0.00 a day", "en")] == [("0.00", (Decimal("0.00"),))]
    assert [n.raw for n in num.numbers("Rs.1,000 and Cg.𞥑.𞥐𞥐", "am")] == ["1,000", "1.00"]
    assert num.numbers("take .5 of it", "en") == []


def test_a_hyphen_after_a_letter_is_not_a_minus() -> None:
    assert readings("CABA-201") == [("201", (Decimal(201),), None)]
    assert readings("it is -5 outside") == [("-5", (Decimal(-5),), None)]
    assert readings("(-5)") == [("-5", (Decimal(-5),), None)]


def test_a_unit_word_must_end_where_its_spelling_ends() -> None:
    assert readings("5 mgx") == [("5", (Decimal(5),), None)]
    assert readings("5 mg2")[0] == ("5", (Decimal(5),), None)
    assert readings("every 3 months")[0][2] == "month"
    assert readings("3개월마다", "ko")[0][2] == "month"  # Korean: a particle runs on


def test_a_scale_word_inside_a_longer_word_is_no_scale() -> None:
    assert readings("3 millionaires") == [("3", (Decimal(3),), None)]


def test_a_kilogram_is_not_a_thousand_grams() -> None:
    assert readings("1千克", "zh_Hans") == [("1", (Decimal(1),), "kg")]


def test_currency_before_the_amount() -> None:
    assert readings("US$ 375") == [("375", (Decimal(375),), "USD")]
    assert readings("€375") == [("375", (Decimal(375),), "EUR")]
    assert readings("ABCUSD 375")[0][2] is None  # a code glued to a word is no currency
    assert readings("x$375")[0][2] == "USD"  # a symbol may follow a letter


def test_words_the_source_writes_as_words() -> None:
    assert num.word_numbers("Take two tablets once, then half a dose") == {Decimal(2), Decimal(1), Decimal("0.5")}
    assert num.word_numbers("Nothing") == set()


def test_same_unit_reads_ambiguous_readings() -> None:
    assert num.same_unit("minute|month", "month")
    assert not num.same_unit("minute", "month")
    assert num.same_unit(None, None)
    assert not num.same_unit(None, "month")
    assert not num.same_unit("month", None)


def test_units_of_counts_the_units_it_finds() -> None:
    found = num.numbers("5 mg, 10 mg and 3 mL and 4", "en")
    assert num.units_of(found) == {"mg": 2, "ml": 1}


def n(raw: str, value: str, unit: str | None = None, *more: str) -> num.Number:
    return num.Number(raw, (Decimal(value), *(Decimal(m) for m in more)), unit, 0)


def test_compare_pairs_by_value_and_reports_what_is_left() -> None:
    source = [n("5", "5", "mg"), n("10", "10")]
    diff = num.compare(source, [n("10", "10"), n("5", "5", "mg")], set())
    assert diff == num.NumberDiff([], [], [], [])
    diff = num.compare(source, [n("5", "5", "mg"), n("11", "11")], set())
    assert [x.raw for x in diff.missing] == ["10"] and [x.raw for x in diff.added] == ["11"]
    assert diff.misread == [] and diff.unit_changed == []


def test_compare_lets_a_number_the_source_writes_in_words_be_added() -> None:
    diff = num.compare([], [n("2", "2")], {Decimal(2)})
    assert diff.added == []
    diff = num.compare([], [n("3", "3")], {Decimal(2)})
    assert [x.raw for x in diff.added] == ["3"]


def test_compare_finds_a_changed_unit_and_a_misread_notation() -> None:
    diff = num.compare([n("5", "5", "mg")], [n("5", "5", "gram")], set())
    assert [(s.unit, t.unit) for s, t in diff.unit_changed] == [("mg", "gram")]
    assert diff.missing == [] and diff.added == []
    source = [n("1.5", "1.5", "mg")]
    target = [n("1.5", "15", "mg", "1.5")]  # German reads 15; the source's notation 1.5
    diff = num.compare(source, target, set())
    assert [(s.raw, t.raw) for s, t in diff.misread] == [("1.5", "1.5")]
    assert diff.missing == [] and diff.added == [] and diff.unit_changed == []


def test_compare_prefers_the_source_number_with_the_same_unit() -> None:
    source = [n("5", "5", "mg"), n("5", "5", "mL")]
    diff = num.compare(source, [n("5", "5", "mL"), n("5", "5", "mg")], set())
    assert diff.unit_changed == []
    diff = num.compare(source, [n("5", "5", "gram")], set())
    assert [s.unit for s, _ in diff.unit_changed] == ["mg"]
    assert [x.unit for x in diff.missing] == ["mL"]


def test_compare_pairs_the_locales_reading_before_the_source_notation() -> None:
    source = [n("15", "15"), n("1.5", "1.5")]
    target = [n("1,5", "1.5"), n("15", "15", None, "1.5")]
    diff = num.compare(source, target, set())
    assert diff.misread == [] and diff.missing == [] and diff.added == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("see https://example.org/a.", "url", "example.org/a"),
        ("see www.example.org, then", "url", "example.org"),
        ("write to Help@Example.ORG.", "email", "help@example.org"),
        ("go to bit.ly/x now", "url", "bit.ly/x"),
        ("call +1 (555) 010-0199.", "phone", "+15550100199"),
        ("call (555) 010-0199", "phone", "5550100199"),
        ("call 555-010-0199", "phone", "5550100199"),
    ],
)
def test_addresses_are_found_normalised_and_blanked(text: str, kind: str, value: str) -> None:
    found, blanked = num.addresses(text)
    assert [(a.kind, a.value) for a in found] == [(kind, value)]
    assert len(blanked) == len(text)
    assert not any(c.isdigit() for c in blanked)


@pytest.mark.parametrize(
    "text",
    [
        "e.g. this",  # no public suffix
        "on 2024-03-05",  # a date
        "pages 1200-1300",
        "from 1990 - 2010",
        "10.00 100,000",  # two numbers side by side
        "(2022) 391(4)",  # a year then a number
        "call 123456",  # six digits: too short
        "ref 1. 2345678",
    ],
)
def test_what_is_no_address(text: str) -> None:
    assert num.addresses(text)[0] == []


def test_the_trailing_stop_stays_and_only_the_address_is_blanked() -> None:
    found, blanked = num.addresses("Call 555-010-0199.")
    assert found == [num.Address("phone", "5550100199")]
    assert blanked == "Call " + " " * len("555-010-0199") + "."
    found, blanked = num.addresses("Mail a@b.org!")
    assert blanked == "Mail " + " " * len("a@b.org") + "!"


def test_a_space_grouped_amount_with_a_currency_is_no_phone_number() -> None:
    assert num.addresses("1 000 000 $", "fr")[0] == []
    assert num.addresses("US$ 1 000 000", "en")[0] == []
    assert num.addresses("tel 1 000 000", "en")[0] == [num.Address("phone", "1000000")]
    assert num.addresses("tel 555 0100 199", "en")[0] == [num.Address("phone", "5550100199")]


def test_host_of_an_address() -> None:
    assert num.host_of("https://www.example.org/path") == "example.org"
    assert num.host_of("mailto:help@clinic.org") == "clinic.org"
    assert num.host_of("help@clinic.org") == "clinic.org"


def test_exact_spans_cover_addresses_and_numbers_with_units() -> None:
    text = "Take 500 mg, call (555) 010-0199 or see example.org and 3 times."
    spans = [text[a:b] for a, b in num.exact_spans(text, "en")]
    assert spans == ["500", "(555) 010-0199", "example.org"]


def test_exact_spans_are_none_when_a_numeral_widens_the_text() -> None:
    assert num.exact_spans("Chapter Ⅻ: 5 mg", "en") == []
    assert num.exact_spans("٣ mg", "ar") == [(0, 1)]


@pytest.fixture
def fresh_cldr():
    """Spellings and conventions read afresh from CLDR (they are cached per locale for speed)."""
    for cached in (num.convention, num._unit_spellings, num._scale_spellings):
        cached.cache_clear()
    yield
    for cached in (num.convention, num._unit_spellings, num._scale_spellings):
        cached.cache_clear()


def test_a_known_locale_reads_only_its_own_and_the_sources_words(fresh_cldr) -> None:
    assert readings("3 Monate", "fr") == [("3", (Decimal(3),), None)]  # German, not French
    assert readings("3 Monate", "xx")[0][2] == "month"  # an unknown locale reads every language's
    assert readings("3 millions", "xx")[0][1] == (Decimal(3000000),)
    assert readings("3 Millionen", "fr")[0][1] == (Decimal(3),)


def test_the_sources_notation_is_the_second_reading(fresh_cldr) -> None:
    assert readings("1,5 mg", "en", "de") == [("1,5", (Decimal("1.5"),), "mg")]
    assert readings("375,5", "xx") == [("375,5", (Decimal("375.5"),), None)]


def test_an_alphabetic_currency_code_stands_apart_from_words() -> None:
    assert readings("EUR 375")[0][2] == "EUR"
    assert readings("pay EUR 375")[0][2] == "EUR"
    assert readings("(EUR 375)")[0][2] == "EUR"
    assert readings("ABCEUR 375")[0][2] is None


def test_ambiguous_units_match_on_either_side() -> None:
    assert num.same_unit("month", "minute|month")
    assert not num.same_unit("month", "minute|second")


def test_groups_of_four_are_no_grouping() -> None:
    assert num.read("1,0000,000", num.convention("en")) is None
    assert num.read("1,00,00,000", num.convention("hi")) == Decimal(10000000)


def test_a_notation_kept_from_the_source_is_found_behind_a_number_with_one_reading() -> None:
    source = [n("1.5", "1.5", "mg")]
    target = [n("7", "7"), n("1.500", "1500", "mg", "1.5")]
    diff = num.compare(source, target, set())
    assert [(s.raw, t.raw) for s, t in diff.misread] == [("1.5", "1.500")]
    assert [x.raw for x in diff.added] == ["7"] and diff.missing == []


def test_an_unmatched_number_does_not_hide_the_ones_after_it() -> None:
    source = [n("5", "5", "mg"), n("10", "10")]
    diff = num.compare(source, [n("11", "11"), n("5", "5", "mg"), n("10", "10")], set())
    assert [x.raw for x in diff.added] == ["11"] and diff.missing == [] and diff.unit_changed == []


def test_an_amount_in_the_locales_own_currency_word_is_no_phone_number() -> None:
    assert num.addresses("1 000 000 dólares", "es")[0] == []
    assert num.addresses("1 000 000 dólares", "en")[0] == [num.Address("phone", "1000000")]


def test_domains_need_a_known_public_suffix_and_keep_their_whole_path() -> None:
    assert num.addresses("open notes.txt now")[0] == []
    assert num.addresses("go to bit.ly/a/b now")[0] == [num.Address("url", "bit.ly/a/b")]
    assert num.host_of("https://a.org/x/y") == "a.org"


def test_exact_spans_of_one_address_in_several_groups_and_of_a_dose_in_the_locales_words() -> None:
    text = "Call (555) 010-0199 now."
    assert [text[a:b] for a, b in num.exact_spans(text, "en")] == ["(555) 010-0199"]
    text = "Tome 500 miligramos."
    assert [text[a:b] for a, b in num.exact_spans(text, "es")] == ["500"]


@pytest.mark.parametrize("group", ["’", "\u00a0", "\u202f", "\u2009", "'", "٬"])
def test_every_group_mark_printers_use_groups_thousands(group: str) -> None:
    """Swiss apostrophes, no-break and thin spaces, the Arabic separator: in any locale."""
    assert num.read(f"1{group}000{group}000", num.convention("en")) == Decimal(1000000)


def test_only_the_groups_above_the_last_follow_the_locales_secondary_size() -> None:
    assert num.read("1,000,00,000", num.convention("en")) is None
    assert num.read("1,000,00,000", num.convention("hi")) is None


def test_an_iso_code_before_or_after_the_amount_is_a_price_like_its_symbol() -> None:
    """ "USD 375" is a price as "$375" is: a changed amount, a dropped currency and the right
    translation get the same findings; "USD 1 000 000" is an amount, not a phone number. Every
    compared currency, by its ISO 4217 code as Babel lists it (USD's code was missed once: the
    supplement's own USD words were read first and the code was never added)."""
    from babel.numbers import list_currencies

    from packager.i18n import cldr
    from packager.i18n.checks.rules import check_message

    for code in cldr.CURRENCIES:
        assert code in list_currencies()
        for locale in ("en", "es", "fr"):
            assert readings(f"{code} 375", locale)[0][2] == code
            assert readings(f"375 {code}", locale)[0][2] == code
            assert num.addresses(f"{code} 1 000 000", locale)[0] == []
    for source, translation in (("USD 375", "USD 37"), ("USD 375", "375"), ("USD 375", "375 dólares")):
        as_symbol = check_message(f"It costs {source.replace('USD ', '$')}.", f"Cuesta {translation}.", "es")
        assert check_message(f"It costs {source}.", f"Cuesta {translation}.", "es") == as_symbol
    assert [code for code, _ in check_message("It costs USD 375.", "Cuesta USD 37.", "es")] == ["number-changed"] * 2
    assert check_message("It costs USD 375.", "Cuesta 375 dólares.", "es") == []


def test_exact_spans_read_units_in_the_locales_own_words() -> None:
    """A dose is copied exactly however the language writes its unit ("horas", "Gramm", "毫克")."""
    for text, locale, number in (
        ("Tome 3 comprimidos cada 8 horas.", "es", "8"),
        ("Nehmen Sie 1,5 Gramm.", "de", "1,5"),
        ("每次 5 毫克。", "zh_Hans", "5"),
    ):
        start = text.index(number)
        assert num.exact_spans(text, locale) == [(start, start + len(number))]
