"""Fast, direct checks of the per-message rules (i18n/checks/rules.py); see test_mutation_numbers."""

from __future__ import annotations

from packager.i18n.checks import rules


def codes(source: str, translation: str, locale: str = "es") -> list[str]:
    return [code for code, _ in rules.check_message(source, translation, locale)]


def test_blank_too_long_and_too_deep_are_refused_before_parsing() -> None:
    assert codes("Take 5 mg.", "   ") == ["empty-translation"]
    assert rules.check_message("Take 5 mg.", "x" * 5001, "es") == [
        ("too-long", "the translation has 5001 characters; the limit is 5000")
    ]
    assert codes("Take 5 mg.", "x" * 5000) != ["too-long"]
    assert rules.check_message("Take 5 mg.", "*" * 301, "es") == [
        ("too-deep", "the translation has 301 markup delimiters; the limit is 300")
    ]
    nested = "Tome " + "*a " * 5 + "**b " + "[c](https://a.org) " + "`d`" + " e**" + " f*" * 5
    assert "too-deep" not in codes("Take 5 mg.", nested)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    deep = "x " + "".join(f"{'*' if i % 2 else '**'}a " for i in range(10)) + "b"
    deep += "".join(f" c{'*' if i % 2 else '**'}" for i in reversed(range(10)))
    (finding,) = rules.check_message("Take it.", deep, "es")
    assert finding[0] == "too-deep" and "limit is 8" in finding[1]


def test_a_faithful_translation_has_no_findings() -> None:
    assert rules.check_message("Take 5 mg daily.", "Tome 5 mg al día.", "es") == []
    assert rules.check_message("Take two pills.", "Tome 2 pastillas.", "es") == []
    assert rules.check_message("Wait 3 months.", "Tann 3 mwa.", "ht") == []


def test_numbers_units_and_notation() -> None:
    assert rules.check_message("Take 5 mg daily.", "Tome 6 mg al día.", "es") == [
        ("number-changed", "'5' (mg) from the source is missing"),
        ("number-changed", "'6' (mg) is not in the source"),
    ]
    assert rules.check_message("Take 5 mg daily.", "Tome 5 g al día.", "es") == [
        ("unit-changed", "'5' (g) has g; the source has '5' (mg) with mg")
    ]
    assert rules.check_message("Take 5 mg daily.", "Tome 5 al día.", "es") == [
        ("unit-changed", "'5' has no unit; the source has '5' (mg) with mg")
    ]
    assert rules.check_message("It costs 1.500 dollars.", "Cuesta 1.500 dólares.", "es") == [
        ("number-format", "'1.500' keeps the source's notation; in es it reads as 1500, not 1.5")
    ]
    assert rules.check_message("Take 1.500 mg.", "Nehmen Sie 1.500 mg.", "de") == [
        ("number-misread", "'1.500' keeps the source's notation; in de it reads as 1500, not 1.5")
    ]


def test_invisible_characters_and_joiners() -> None:
    assert rules.check_message("Take it daily.", "Tómelo\u200b al día.", "es") == [
        ("invisible-character", "invisible character U+200B ZERO WIDTH SPACE that the source does not have")
    ]
    assert codes("Take it daily.", "Tómelo al\u00ad día.") == []  # a soft hyphen is a hint
    assert codes("Take it daily.", "Tómelo al día.\u202e") == ["invisible-character"]
    assert codes("Take it daily.", "Tómelo\u3164 al día.") == ["invisible-character"]
    assert codes("Take it daily.", "Tómelo\x07 al día.") == ["invisible-character"]
    assert codes("Take it\u200b daily.", "Tómelo\u200b al día.") == []  # the source has it too
    assert codes("Take 5 mg.", "۵ میلی\u200cگرم مصرف کنید.", "fa") == []  # a joiner inside a word
    assert codes("Take 5 mg.", "\u200c۵ میلی گرم مصرف کنید.", "fa")[:1] == ["invisible-character"]
    assert codes("Take 5 mg.", "۵ میلی گرم مصرف کنید.\u200c", "fa")[:1] == ["invisible-character"]
    assert codes("Take 5 mg.", "۵ میلی \u200cگرم مصرف کنید.", "fa")[:1] == ["invisible-character"]
    assert codes("Take 5 mg.", "۵ میلی\u200c5گرم مصرف کنید.", "fa")[:1] == ["invisible-character"]


def test_raw_html_is_refused_however_it_is_written() -> None:
    assert rules.check_message("Take it daily.", "Tómelo <b>al</b> día.", "es") == [
        ("raw-html", "raw HTML '<b>' is not allowed; use Markdown")
    ]
    assert rules.check_message("Take it daily.", "Tómelo &lt;b&gt;al día.", "es") == [
        ("raw-html", "raw HTML '<b>' (written with character references) is not allowed; use Markdown")
    ]


def test_structure_markup_and_code() -> None:
    assert rules.check_message("Take it *daily*.", "Tómelo al día.", "es") == [
        ("markup-changed", "*emphasis*: 1 in the source, 0 in the translation")
    ]
    assert rules.check_message("Take it **daily**.", "Tómelo al día.", "es") == [
        ("markup-changed", "**bold**: 1 in the source, 0 in the translation")
    ]
    assert rules.check_message("Take it `daily`.", "Tómelo `diario`.", "es") == [
        ("markup-changed", "code `daily` must be kept exactly as in the source"),
        ("markup-changed", "code `diario` must be kept exactly as in the source"),
    ]
    assert rules.check_message("Take it daily.", "- Tómelo al día.", "es") == [
        ("structure-changed", "the translation parses as a bulleted list, the source as a paragraph")
    ]
    assert rules.check_message("Take it daily.", "## Tómelo al día.", "es") == [
        ("structure-changed", "the translation parses as a level-2 heading, the source as a paragraph")
    ]
    assert rules.check_message("Take it daily.", "1. Tómelo al día.", "es")[0] == (
        "structure-changed",
        "the translation parses as a numbered list, the source as a paragraph",
    )
    assert rules.check_message("Take it daily.", "> Tómelo al día.", "es") == [
        ("structure-changed", "the translation parses as a quotation, the source as a paragraph")
    ]
    assert codes("See [site](https://a.org).", "Vea [sitio](https://a.org).") == []


def test_links_and_addresses() -> None:
    assert rules.check_message("See [site](https://a.org).", "Vea [sitio](https://b.org).", "es") == [
        ("link-changed", "the link to 'https://a.org' is missing"),
        ("link-changed", "link target 'https://b.org' is not in the source"),
    ]
    assert rules.check_message("See [a.org](https://a.org).", "Vea [b.org](https://a.org).", "es") == [
        ("address-changed", "web address 'b.org' is not in the source"),
        ("address-changed", "the link text names 'b.org' but the link goes to 'a.org'"),
    ]
    assert codes("See [the site](#top).", "Vea [b.org](#top).") == ["address-changed"]  # only the written one
    assert codes("See [a.org](https://a.org).", "Vea [https://a.org](https://a.org).") == []
    assert rules.check_message("Call 555-010-0199.", "Llame al 555-010-0198.", "es") == [
        ("address-changed", "phone number '5550100198' is not in the source"),
        ("address-changed", "phone number '5550100199' from the source is missing"),
    ]
    assert rules.check_message("Write to a@b.org.", "Escriba a c@b.org.", "es") == [
        ("address-changed", "e-mail address 'c@b.org' is not in the source"),
        ("address-changed", "e-mail address 'a@b.org' from the source is missing"),
    ]
    # An address written as a link's target in one and as text in the other is the same address.
    assert codes("See [the site](https://a.org).", "Vea el sitio a.org.") == ["link-changed"]
    assert codes("See a.org.", "Vea [el sitio](https://a.org).") == ["link-changed"]


def test_warnings() -> None:
    same = "Take this medicine every day now."
    assert rules.check_message(same, same, "es") == [
        ("same-as-source", "the translation is identical to the source (untranslated?)")
    ]
    assert codes("Take 5 mg.", "Take 5 mg.") == []  # two words: a name or a dose, not untranslated
    assert rules.check_message("Take this medicine every day now please.", "Tome.", "es") == [
        ("length-ratio", "the translation is 0.15 times the length of the source (expected 0.33-3.0)")
    ]
    assert rules.check_message("Take this medicine every day now please.", "服药。", "zh_Hans") == [
        ("length-ratio", "the translation is 0.09 times the length of the source (expected 0.12-1.5)")
    ]
    assert codes("Take this medicine every day now please.", "服用此药每天。", "zh_Hans") == []
    assert codes("Take it.", "T.") == []  # a source under 20 letters is not compared
    assert rules.check_message(same, "Tome este medicamento todos los días", "es") == [
        ("end-punctuation", "the source ends with '.', the translation with 's'")
    ]
    assert codes(same, "Tome este medicamento:") == []
    assert codes("Take this medicine every", "Tome este medicamento todos") == []
    assert rules.check_message("Take the pill.", "Tome la la pastilla.", "es") == [
        ("doubled-word", "doubled word 'la la'")
    ]
    assert codes("Sing la la now.", "Cante la la ahora.") == []
    assert rules.check_message("Take the pill.", "Tome la Aspirіn.", "es") == [
        ("mixed-script", "'Aspirіn' mixes Latin letters with U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I")
    ]
    assert codes("Take 5 µg.", "Tome 5 µg.") == []
    assert codes("Take Aspirіn.", "Tome Aspirіn.") == []  # the source's own name


def test_every_rule_code_has_a_severity() -> None:
    assert {rules.CODES[code][0] for code in ("number-changed", "unit-changed", "number-misread")} == {rules.ERROR}
    assert rules.CODES["number-format"][0] == rules.WARNING


def test_block_kinds_and_inline_markup_are_named() -> None:
    kinds = {
        "---": "a horizontal rule",
        "    code": "a code block",
        "| a | b |\n|---|---|\n| x | y |": "a table",
        "Tómelo al día.\n\nOtra.": "a paragraph + a paragraph",
    }
    for translation, name in kinds.items():
        assert rules.check_message("Take it daily.", translation, "es")[0] == (
            "structure-changed",
            f"the translation parses as {name}, the source as a paragraph",
        )
    assert rules.check_message("Take it daily.", "Tómelo  \nal día.", "es") == [
        ("markup-changed", "line break: 0 in the source, 1 in the translation")
    ]
    assert rules.check_message("Take it daily.", "Tómelo ![x](a.png) al día.", "es") == [
        ("markup-changed", "image: 0 in the source, 1 in the translation")
    ]
    assert rules.check_message("See [it](https://a.org).", "Vea eso.", "es") == [
        ("link-changed", "the link to 'https://a.org' is missing")
    ]


def test_a_misread_value_is_shown_as_a_reader_reads_it() -> None:
    assert rules.check_message("It costs 1.000 dollars.", "Cuesta 1.000 dólares.", "es") == [
        ("number-format", "'1.000' keeps the source's notation; in es it reads as 1000, not 1")
    ]


def test_a_dropped_unit_is_excused_only_where_cldr_has_no_unit_words() -> None:
    assert rules.check_message("Wait 3 months.", "Tann 3.", "ht") == []
    assert rules.check_message("Wait 3 months.", "Espere 3.", "es") == [
        ("unit-changed", "'3' has no unit; the source has '3' (month) with month")
    ]


def test_a_missing_address_is_named() -> None:
    assert rules.check_message("Call 555-010-0199 now.", "Llame ahora.", "es") == [
        ("address-changed", "phone number '5550100199' from the source is missing")
    ]


def test_a_closing_bracket_or_quote_after_the_stop_still_ends_the_sentence() -> None:
    assert codes("Take it daily.", "Tómelo al día.)") == []
    assert codes("Take it daily.", "«Tómelo al día.»") == []
    assert codes("Take 5 mg.", "Tome 5 mg") == ["end-punctuation"]


def test_a_joiner_is_text_only_between_letters_of_one_word() -> None:
    assert "invisible-character" not in codes("Take 5 mg.", "م\u200cی", "fa")  # second and next-to-last
    assert "invisible-character" in codes("Take 5 mg.", "\u200cمیلی گرم", "fa")  # first
    assert "invisible-character" in codes("Take 5 mg.", "میلی گرم\u200c", "fa")  # last
    assert "invisible-character" in codes("Take it daily.", "Tómelo\u200bal día.")  # not a joiner


def test_an_unnamed_invisible_character_is_shown_by_its_code_point() -> None:
    assert rules.check_message("Take it daily.", "Tómelo al\u0378 día.", "es") == [
        ("invisible-character", "invisible character U+0378 unnamed character that the source does not have")
    ]


def test_a_translation_of_no_block_at_all_is_named() -> None:
    findings = rules.check_message("Take it daily.", "[a]: https://a.org", "es")
    assert ("structure-changed", "the translation parses as nothing, the source as a paragraph") in findings


def test_markup_without_a_plain_name_is_named_as_the_parser_tags_it() -> None:
    """A footnote reference the source lacks: named by its label, as the catalog's comments do."""
    assert rules.check_message("Take it daily.", "Tómelo al día.[^1]", "es") == [
        ("markup-changed", "note:1: 0 in the source, 1 in the translation")
    ]
