"""Behaviour the mutation run (scripts/mutation.sh) showed no other test pinned down.

Each test states a rule a patient or a clinic relies on; expected values come from the inputs
(the message, CLDR through Babel, the bytes written), never from the code under test.
"""

from __future__ import annotations

from babel.units import format_unit

from packager.i18n.checks.rules import check_message


def test_persian_zero_width_non_joiner_inside_a_word_is_text_not_an_invisible_character() -> None:
    """CLDR spells milligrams "میلی‌گرم" with U+200C inside the word; at a word's edge it hides nothing
    a reader needs, so there it is still reported."""
    written = format_unit(5, "mass-milligram", locale="fa")
    assert "\u200c" in written
    assert "invisible-character" not in {code for code, _ in check_message("Take 5 mg.", f"{written}.", "fa")}
    for hidden in ("\u200c5 mg.", "5 mg\u200c.", "5\u200cmg."):
        assert "invisible-character" in {code for code, _ in check_message("Take 5 mg.", hidden, "fa")}, hidden
