"""Left-to-right runs isolated in right-to-left text (the HTML level; the PDFs are read in
tests/test_new_languages.py)."""

from __future__ import annotations

import pytest

from packager.render.bidi import isolate_ltr, ltr_runs


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        (
            "راجع https://www.nejm.org/doi/full/10.1056/NEJMc2403743 الآن",
            ["https://www.nejm.org/doi/full/10.1056/NEJMc2403743"],
        ),
        ("المجلد 391(4)، ص", ["391(4)"]),
        ("في (2024). Anti-CD19 CAR T Cells. المجلة", ["(2024). Anti-CD19 CAR T Cells"]),
        ("مجلة New England Journal of Medicine الطبية", ["New England Journal of Medicine"]),
        ("تكلفة $375,000 و 50% و 5 mg، CABA-201 هنا.", ["$375,000", "50%", "5 mg", "CABA-201"]),
        ("ראו lupusencyclopedia.com/car-t/.", ["lupusencyclopedia.com/car-t/."]),  # the end keeps its stop
        ("نص عربي فقط ٣٧٥", []),
    ],
)
def test_ltr_runs(text: str, runs: list[str]) -> None:
    assert [text[a:b] for a, b in ltr_runs(text)] == runs


def test_tags_and_entities_are_untouched() -> None:
    html = 'انظر <a href="https://x.org/?a=1&amp;b=2">x.org &amp; y</a> الآن'
    assert isolate_ltr(html) == (
        'انظر <a href="https://x.org/?a=1&amp;b=2"><span class="ltr" dir="ltr">x.org &amp; y</span></a> الآن'
    )
