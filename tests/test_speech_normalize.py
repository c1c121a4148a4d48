"""Golden normalisation per shipped language: what the engine is given, word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from packager.errors import PackagerError
from packager.speech.lexicon import Lexicon, load_lexicon
from packager.speech.normalize import normalize
from packager.speech.numbers import spell_vi, spell_zh

LOCALES = Path(__file__).resolve().parent.parent / "locales"

GOLDEN = {
    "en": (
        "One estimate is $375,000 to $475,000. Close to $1 million (EurekAlert!, 2024). CRS and ICANS in SLE; "
        "the FDA; B cells. See clinicaltrials.gov or https://www.nejm.org/doi/full/10.1056/NEJMc2403743.",
        "One estimate is 375000 to 475000 dollars. Close to 1 million dollars (Eureka Alert, 2024). C R S and "
        "eye cans in S L E; the F D A; bee cells. See clinical trials dot gov or N E J M dot org.",
    ),
    "es": (
        "Un cálculo es de $375,000 a $475,000. Cerca de $1 millón. El SLE, el CRS y la FDA. "
        "Busque en clinicaltrials.gov.",
        "Un cálculo es de 375000 a 475000 dólares. Cerca de un millón de dólares. El ese ele e, el ce erre ese y la "
        "efe de a. Busque en clinical trials punto gov.",
    ),
    "ar": (
        "يبلغ من $375,000 إلى $475,000 للعلاج. قريبًا من $1 مليون. متلازمة (CRS) و FDA. ابحث في clinicaltrials.gov.",
        "يبلغ من 375000 إلى 475000 دولار للعلاج. قريبًا من مليون دولار. متلازمة (سِي آرْ إِسْ) و إِفْ دِي إِيه. "
        "ابحث في clinicaltrials نقطة gov.",
    ),
    "zh_Hans": (
        "费用为 $375,000 至 $475,000。总费用可能接近 $1 百万（2024）。CRS 和 ICANS。请在 clinicaltrials.gov 上搜索。",
        "费用为 三十七万五千 至 四十七万五千美元。总费用可能接近 一百万美元（二零二四）。 xi1 a1 er3 ai2 si1 和 "
        "ai4 xi1 ei1 en1 ai2 si1。请在 clinicaltrials 点 gov 上搜索。",
    ),
    "vi": (
        "Chi phí là $375,000 đến $475,000. Gần $1 triệu (2024). CRS và FDA. Tìm tại clinicaltrials.gov.",
        "Chi phí là ba trăm bảy mươi lăm nghìn đến bốn trăm bảy mươi lăm nghìn đô la. Gần một triệu đô la "
        "(hai nghìn không trăm hai mươi bốn). xê e rờ ét và ép đê a. Tìm tại clinicaltrials chấm gov.",
    ),
}


@pytest.mark.parametrize("locale", sorted(GOLDEN))
def test_golden(locale: str) -> None:
    written, said = GOLDEN[locale]
    assert normalize(written, load_lexicon(LOCALES, locale)) == said


@pytest.mark.parametrize(
    ("locale", "written", "said"),
    [
        ("en", "Take 10–20 mg, i.e. twice.", "Take 10 to 20 milligrams, that is twice."),
        ("en", "For 5-10 days; call 010-0199 before 2026-11-01.", "For 5 to 10 days; call 010-0199 before 2026-11-01."),
        ("en", "CAR stands for chimeric antigen receptor.", "car stands for kye-merrick antigen receptor."),
        ("en", "Watch at lupusencyclopedia.com.", "Watch at lupus encyclopedia dot com."),
        ("es", "Müller F, 1 millón, 21 millones.", "Miúler F, un millón, 21 millones."),
        ("zh_Hans", "约50%的人。", "约百分之五十的人。"),
        ("ar", "ما هو العلاج ؟", "ما هو العلاج؟"),
    ],
)
def test_ranges_abbreviations_addresses_and_number_grammar(locale: str, written: str, said: str) -> None:
    assert normalize(written, load_lexicon(LOCALES, locale)) == said


@pytest.mark.parametrize("locale", sorted(GOLDEN))
def test_nothing_unsayable_reaches_the_engine(locale: str) -> None:
    said = normalize(GOLDEN[locale][0], load_lexicon(LOCALES, locale))
    assert "$" not in said and "http" not in said and not re.search(r"\d,\d", said)
    if locale in ("zh_Hans", "vi"):  # eSpeak misreads long numbers here: they must arrive as words
        assert not re.search(r"(?<![a-z])\d+", said)


def test_a_lexicon_without_currency_refuses_dollars() -> None:
    with pytest.raises(PackagerError, match="currency symbol"):
        normalize("It costs $5.", Lexicon(locale="fr"))


def test_lexicon_output_is_not_rewritten() -> None:
    lexicon = Lexicon(locale="zh_Hans", words={"CAR T": "ka3 T"}, numbers="spell", word_joiner="")
    assert normalize("CAR T 细胞 2", lexicon) == "ka3 T 细胞 二"


def test_bad_lexicon_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "lexicon.yaml").write_text("words:\n  a: [b\n", encoding="utf-8")
    with pytest.raises(PackagerError, match=r"lexicon\.yaml:\d+: ") as exc:
        load_lexicon(tmp_path, "xx")
    assert exc.value.line


@pytest.mark.parametrize(
    ("n", "zh", "vi"),
    [
        (15, "十五", "mười lăm"),
        (21, "二十一", "hai mươi mốt"),
        (105, "一百零五", "một trăm linh năm"),
        (375000, "三十七万五千", "ba trăm bảy mươi lăm nghìn"),
        (1000000, "一百万", "một triệu"),
        (2024, "两千零二十四", "hai nghìn không trăm hai mươi bốn"),
    ],
)
def test_spelled_numbers(n: int, zh: str, vi: str) -> None:
    assert spell_zh(n) == zh
    assert spell_vi(n) == vi


def test_numbers_too_long_for_words_are_read_digit_by_digit() -> None:
    from packager.speech.numbers import spell_vi, spell_zh

    assert spell_vi(9780123456789).split()[:3] == ["chín", "bảy", "tám"]
    assert spell_zh(10**16 + 5) == "一" + "零" * 15 + "五"


@pytest.mark.parametrize("locale", ["fr", "de", "ko", "hi", "he", "zh_Hant", "am"])
def test_a_locale_without_a_lexicon_says_prices_with_cldr_currency_names(tmp_path, locale: str) -> None:
    from babel.numbers import format_currency, get_currency_name

    lexicon = load_lexicon(tmp_path, locale)
    said = normalize(f"— {format_currency(375000, 'USD', locale=locale)} —", lexicon)
    name = get_currency_name("USD", 375000, locale=locale)
    assert "375000" in said and name in said and "$" not in said, said
    said = normalize("It costs $1,250 in all.", lexicon)
    assert "1250" in said and name in said, said
