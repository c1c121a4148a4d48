"""Properties over random Markdown and random translations (hypothesis).

1. Nothing raises but PackagerError: not the checks, not the catalog reader, not the article reader.
2. Whatever a translation says, rendered HTML refers to nothing outside the project, and a
   translation that passes the checks links only where the source links.
3. A number or URL changed in a translation is always reported.
4. A quantity written as CLDR writes it in the locale (every unit and currency the checks compare,
   every decimal numbering system, every shipped locale and issue 12's languages) passes the
   checks; the same message with the amount (of any unit or any currency), the unit, the link or
   the phone number changed fails.

Which branches the examples reached is recorded with ``hypothesis.event``; to see it::

    .venv/bin/python -m pytest -q -p no:randomly tests/test_properties.py --hypothesis-show-statistics
"""

from __future__ import annotations

import functools
import os
import re
import string
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel.numbers import UnsupportedNumberingSystemError, format_currency, get_currency_precision, list_currencies
from babel.units import format_unit
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from packager import inline
from packager.errors import PackagerError
from packager.i18n import cldr
from packager.i18n.checks import check_catalog
from packager.i18n.checks.rules import check_message
from packager.i18n.pofile import read_catalog
from packager.source import read_article

from .conftest import REPO
from .test_cldr import LOCALES as ISSUE_12_LOCALES
from .test_cldr import _cldr_numbering_systems

#: PACKAGER_HYPOTHESIS_EXAMPLES=2000 for a long hunt; the default keeps the suite fast.
FAST = settings(
    max_examples=int(os.environ.get("PACKAGER_HYPOTHESIS_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
BLOCKING_CHANGE = {"number-changed", "unit-changed", "number-misread", "link-changed", "address-changed"}

words = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=8)
hosts = st.builds("https://{}.example/{}".format, words, words)
amounts = st.one_of(
    st.integers(0, 10**7).map(lambda n: f"{n:,}"),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False).map(str),
)


def _english_unit_words() -> list[str]:
    """What follows the number in every English CLDR pattern of every unit the checks know
    (" weeks", " wk", "°C", "%"...): the source's units, from CLDR rather than a hand-picked few."""
    patterns = Locale.parse("en")._data["unit_patterns"]
    found = {
        pattern.split("{0}", 1)[1]
        for cldr_id in cldr.CLDR_UNITS.values()
        for length in ("long", "short", "narrow")
        for form, pattern in (patterns[cldr_id].get(length) or {}).items()
        if form != "per" and pattern.startswith("{0}")
    }
    return sorted(found)


units = st.sampled_from(["", *_english_unit_words()])
number_tokens = st.builds(lambda a, u, dollar: ("$" if dollar and not u else "") + a + u, amounts, units, st.booleans())
link_tokens = st.builds("[{}]({})".format, words, hosts)
source_tokens = st.one_of(
    words, words, words, number_tokens, link_tokens, st.builds("**{}**".format, words), st.builds("*{}*".format, words)
)

HOSTILE = [
    "<script>alert('x')</script>", '<img src="file:///etc/passwd">', "![x](file:///etc/passwd)",
    "[a](javascript:alert(1))", "[a](file:///etc/passwd)", "[a](data:text/html,x)", "[a](//evil.example/)",
    "<https://evil.example/>", "http://evil.example/x.css", "&lt;b&gt;", "&#60;i&#62;", "\u202e", "\u200b",
    "**", "*", "_", "`", "[", "]", "(", ")", "\n", "\n\n", "# ", "> ", "- ", "1. ", "    ", "|", "---",
    "\\", "<", ">", "&", "&amp;", "١٢٣", "１２", "1,5", "1.500", "$", "€", "%", "mg",
]  # fmt: skip
translations = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE), source_tokens), max_size=20).map(
    "".join
)
locales = st.sampled_from(["es", "ar", "zh_Hans", "vi", "fr", "de", "xx"])

SAFE_TAG = re.compile(r'<(?:/?(?:em|strong|code)|br|a href="(?P<href>https?://[^"<>]*|mailto:[^"<>]*|tel:[^"<>]*|#[^"<>]*)"'
                      r'|/a|span class="url"|/span)>')  # fmt: skip


def rendered_hrefs(html: str) -> list[str]:
    """The link targets in ``html``, failing if it holds any tag the renderer does not make itself."""
    hrefs = []
    position = 0
    for match in re.finditer(r"<[^>]*>", html):
        tag = SAFE_TAG.fullmatch(match.group(0))
        assert tag, f"unexpected markup {match.group(0)!r} in {html!r}"
        if tag["href"]:
            hrefs.append(tag["href"])
        position = match.end()
    assert "<" not in html[position:]
    return hrefs


def _sentence(tokens: list[str]) -> str:
    return " ".join(tokens).capitalize() + "."


@st.composite
def faithful(draw: st.DrawFn, tokens: list[str]) -> str:
    """A translation that keeps what must be kept: other words (and link texts) around the same
    numbers and link targets, maybe in another order. It must pass, so the link branch runs."""
    out = []
    for token in tokens:
        if token.startswith("[") and "](" in token:
            out.append(f"[{draw(words)}]({token.split('](', 1)[1]}")
        elif token.isalpha():
            out.append(draw(words))
        else:
            out.append(token)
    return _sentence(out[::-1] if draw(st.booleans()) else out)


@FAST
@given(data=st.data(), tokens=st.lists(source_tokens, min_size=1, max_size=14), locale=locales)
def test_checks_never_raise_and_what_passes_links_only_where_the_source_does(
    data: st.DataObject, tokens: list[str], locale: str
) -> None:
    source = _sentence(tokens)
    translation = data.draw(st.one_of(faithful(tokens), translations))
    findings = check_message(source, translation, locale)
    if any(code in ("too-long", "too-deep", "empty-translation") for code, _ in findings):
        event("refused before rendering")
        return  # refused before rendering; the renderer never sees it
    hrefs = rendered_hrefs(inline.to_html(translation, print_urls=True))
    assert all(inline.is_safe_href(h) for h in hrefs)
    blocking = {code for code, _ in findings if code not in _WARNINGS}
    if not blocking:
        links = sorted(link.href for link in inline.links(source))
        event(f"passes the checks, so links must match: {'with' if links else 'without'} a link")
        assert sorted(hrefs) == links
    else:
        event("a blocking finding")


_WARNINGS = {
    "number-format", "same-as-source", "length-ratio", "end-punctuation", "doubled-word", "readability",
    "unused-accept", "unknown-accept",
}  # fmt: skip


def _mutate_number(token: str, data: st.DataObject) -> str:
    digits = [i for i, c in enumerate(token) if c.isdigit()]
    i = data.draw(st.sampled_from(digits))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != token[i]]))
    return token[:i] + new + token[i + 1 :]


@FAST
@given(data=st.data(), tokens=st.lists(source_tokens, min_size=1, max_size=12), locale=locales)
def test_a_changed_number_or_url_is_always_reported(data: st.DataObject, tokens: list[str], locale: str) -> None:
    changeable = [i for i, t in enumerate(tokens) if any(c.isdigit() for c in t) or "](" in t]
    assume(changeable)
    source = " ".join(tokens) + "."
    i = data.draw(st.sampled_from(changeable))
    token = tokens[i]
    if "](" in token:
        event("changed: a link target")
        label, href = token[1:-1].split("](")
        last = data.draw(st.sampled_from([c for c in "xyz/" if c != href[-1]]))
        changed = f"[{label}]({href[:-1] + last})"
    else:
        event("changed: a number with a unit" if re.search(r"[^\d.,]", token) else "changed: a number")
        changed = _mutate_number(token, data)
        before = re.sub(r"[^\d.]", "", token.replace(",", "")).lstrip("0") or "0"
        after = re.sub(r"[^\d.]", "", changed.replace(",", "")).lstrip("0") or "0"
        assume(float(before) != float(after))
    translated = [changed if j == i else t for j, t in enumerate(tokens)]
    if data.draw(st.booleans()):  # some "translation" around it: reorder the words, keep the rest
        translated = translated[::-1]
    translation = " ".join(translated) + "."
    codes = {code for code, _ in check_message(source, translation, locale)}
    assert codes & BLOCKING_CHANGE, (source, translation, codes)


@FAST
@given(tokens=st.lists(source_tokens, min_size=1, max_size=12), locale=st.sampled_from(["ar", "fa", "hi"]))
def test_native_digits_alone_are_not_a_change(tokens: list[str], locale: str) -> None:
    source = " ".join(tokens) + "."
    zero = {"ar": 0x660, "fa": 0x6F0, "hi": 0x966}[locale]
    native = re.sub(r"\d", lambda m: chr(zero + int(m.group(0))), source)
    # Digits inside link targets stay as they are: an address is copied, not translated.
    native = re.sub(r"\]\(([^)]*)\)", lambda m: "](" + _ascii(m.group(1)) + ")", native)
    codes = {code for code, _ in check_message(source, native, "en" if locale == "hi" else locale)}
    assert not codes & BLOCKING_CHANGE, (source, native, codes)


def _ascii(text: str) -> str:
    return "".join(str(int(c)) if c.isdigit() else c for c in text)


# --- quantities as CLDR writes them ---------------------------------------------------------------

SHIPPED = sorted(p.name for p in (REPO / "locales").iterdir() if (p / "LC_MESSAGES").is_dir())
QUANTITY_LOCALES = sorted({*SHIPPED, *ISSUE_12_LOCALES})
#: Canonical units and the currencies the checks compare by code: a change between two is reported.
KNOWN_UNITS = sorted(cldr.CLDR_UNITS) + list(cldr.CURRENCIES)


@functools.cache
def decimal_digits() -> dict[str, str]:
    """Numbering system -> its digits 0-9, as ICU writes them, for every decimal system CLDR knows
    (hanidec's 一二三 are left out: they are also the everyday Chinese words for numbers)."""
    from icu4py.messageformat import MessageFormat

    found = {}
    for system in sorted(_cldr_numbering_systems() - {"hanidec"}):
        digits = "".join(MessageFormat("{n, number}", f"en@numbers={system}").format({"n": d}) for d in range(10))
        if len(digits) == 10 and all(unicodedata.decimal(c, None) == d for d, c in enumerate(digits)):
            found[system] = digits
    return found


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str  # a canonical unit (cldr.CLDR_UNITS) or an ISO 4217 currency code
    length: str  # CLDR unit pattern length

    def written(self, locale: str, system: str = "latn") -> str:
        """As CLDR writes it in ``locale``: the unit pattern or currency format, with the separators
        of the locale's own numbering system (Babel; Latin ones for a system the locale does not
        use) and the system's digits (ICU)."""
        data = Locale.parse(locale)._data
        own = {data["default_numbering_system"], *data["numbering_systems"].values()}
        try:
            text = self._format(locale, system if system in own else "latn")
        except UnsupportedNumberingSystemError:
            text = self._format(locale, "latn")
        # Without CLDR's bidi marks (Arabic's RLM before a price): the invisible-character rule refuses
        # every bidi control the source lacks, so a translator's copy of CLDR's output needs them out.
        return text.translate(str.maketrans("0123456789", decimal_digits()[system], "\u200e\u200f\u061c"))

    def _format(self, locale: str, system: str) -> str:
        if self.unit in cldr.CLDR_UNITS:
            return format_unit(
                self.value, cldr.CLDR_UNITS[self.unit], self.length, locale=locale, numbering_system=system
            )
        return format_currency(self.value, self.unit, locale=locale, numbering_system=system)


def _in_currency_precision(value: Decimal, unit: str) -> Decimal:
    """A price with as many decimals as the currency has (CLDR), so formatting does not round it."""
    if unit in cldr.CLDR_UNITS:
        return value
    return value.quantize(Decimal(1).scaleb(-get_currency_precision(unit)))


#: Below a million: "1.000.000" and "1 000 000", as most locales group a million, are read as
#: phone numbers (a false alarm, reported in issue 19's closing note).
amounts_cldr = st.one_of(
    st.integers(0, 10**6 - 1).map(Decimal),
    st.decimals(min_value=0, max_value=10**4, places=1),
    st.decimals(min_value=0, max_value=100, places=2),
)


def quantities(currencies: list[str]) -> st.SearchStrategy[Quantity]:
    """Amounts of the units and currencies the checks compare, or of ``currencies``."""
    return st.builds(
        lambda value, unit, length: Quantity(_in_currency_precision(value, unit), unit, length),
        amounts_cldr,
        st.one_of(st.sampled_from(KNOWN_UNITS), st.sampled_from(currencies)),
        st.sampled_from(["long", "short", "narrow"]),
    )


phones = st.builds(
    "+{} {:03d} {:03d} {:04d}".format, st.integers(1, 99), *[st.integers(0, 999)] * 2, st.integers(0, 9999)
)
systems = st.deferred(lambda: st.sampled_from(sorted(decimal_digits())))


def message(quantity: str, phone: str, href: str, label: str, translated: bool) -> str:
    """The source sentence, or a translation of it: other words and order, the same things to copy."""
    if translated:
        return f"[{label}]({href}) — {quantity} — {phone}."
    return f"Take {quantity} a day and call {phone}, or read [the {label} guide]({href})."


def _blocking(source: str, translation: str, locale: str) -> set[str]:
    return {code for code, _ in check_message(source, translation, locale) if code not in _WARNINGS}


@FAST
@given(
    quantity=quantities(list(cldr.CURRENCIES)), system=systems, locale=st.sampled_from(QUANTITY_LOCALES),
    phone=phones, href=hosts,
)  # fmt: skip
def test_a_quantity_written_as_cldr_writes_it_passes_the_checks(
    quantity: Quantity, system: str, locale: str, phone: str, href: str
) -> None:
    written = quantity.written(locale, system)
    assume(any(c.isdecimal() for c in written))  # Arabic 'أسبوع' for one week: no number to compare
    event(f"unit: {quantity.unit}")
    event(f"numbering system: {system}")
    source = message(quantity.written("en"), phone, href, "clinic", translated=False)
    translation = message(written, phone, href, "clinique", translated=True)
    assert not _blocking(source, translation, locale), (source, translation)


#: What each change to a faithful translation must be reported as.
CHANGES = {
    "amount": {"number-changed"},
    "unit": {"unit-changed"},
    "link": {"link-changed"},
    "phone": {"address-changed"},
}


@FAST
@given(
    data=st.data(), quantity=quantities(sorted(list_currencies())), system=systems,
    locale=st.sampled_from(QUANTITY_LOCALES), phone=phones, href=hosts, change=st.sampled_from(sorted(CHANGES)),
)  # fmt: skip
def test_a_changed_amount_unit_link_or_phone_number_fails_the_checks(
    data: st.DataObject, quantity: Quantity, system: str, locale: str, phone: str, href: str, change: str
) -> None:
    source = message(quantity.written("en"), phone, href, "clinic", translated=False)
    changed = {"quantity": quantity, "phone": phone, "href": href}
    if change == "amount":
        bigger = quantity.value + data.draw(st.integers(1, 10**4))
        changed["quantity"] = Quantity(_in_currency_precision(bigger, quantity.unit), quantity.unit, quantity.length)
    elif change == "unit":
        assume(quantity.unit in KNOWN_UNITS and cldr.has_unit_words(locale))
        other = data.draw(st.sampled_from([u for u in KNOWN_UNITS if u != quantity.unit]))
        changed["quantity"] = Quantity(_in_currency_precision(quantity.value, other), other, quantity.length)
    elif change == "link":
        changed["href"] = href + data.draw(st.sampled_from(["x", "/", "/x"]))
    else:
        changed["phone"] = _mutate_number(phone, data)
    written = changed["quantity"].written(locale, system)
    assume(any(c.isdecimal() for c in written) and any(c.isdecimal() for c in quantity.written("en")))
    event(f"changed: {change}")
    translation = message(written, changed["phone"], changed["href"], "clinique", translated=True)
    found = _blocking(source, translation, locale)
    for code in sorted(found):
        event(f"reported as: {code}")
    assert found & CHANGES[change], (source, translation, found)


# --- files --------------------------------------------------------------------------------------

po_lines = st.one_of(
    st.sampled_from([
        'msgid ""', 'msgstr ""', '"Language: es\\n"', '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        'msgctxt "meta/title"', 'msgid "Lupus and CAR T-cell therapy"', 'msgstr "El lupus"', "#, fuzzy",
        "#, accept-number-changed", 'msgid_plural "x"', 'msgstr[0] "y"', 'msgstr[1] "z"', "#~ msgid \"old\"",
        '"Plural-Forms: nplurals=99999999; plural=n;\\n"', '"Content-Type: text/plain; charset=latin-1\\n"', "",
        '"unterminated', "msgid", "\ufeff", "#: source/x.md:1", '"POT-Creation-Date: nope\\n"',
    ]),
    st.text(max_size=30),
)  # fmt: skip


@FAST
@given(lines=st.lists(po_lines, max_size=25), crlf=st.booleans(), raw=st.binary(max_size=40))
def test_any_catalog_file_reads_or_is_a_one_line_error(tmp_path_factory, lines, crlf, raw) -> None:
    path = tmp_path_factory.mktemp("po") / "x.po"
    text = ("\r\n" if crlf else "\n").join(lines)
    path.write_bytes(text.encode("utf-8", "surrogatepass") + raw)
    try:
        catalog = read_catalog(path, locale="es")
    except PackagerError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(path))
        return
    article = read_article(_ARTICLE)
    for finding in check_catalog(article, catalog, path, "es"):
        assert "\n" not in str(finding)


_ARTICLE = Path(__file__).resolve().parent.parent / "source" / "lupus-car-t-cell-therapy.md"

FRONT = "---\ntitle: T\nslug: t\nlanguage: en\nversion: '1'\nreviewed: 2026-01-01\nsummary: S\nauthors: [a]\n"
FRONT += "medical_reviewers: []\nlicence: CC\nsource: s\n---\n"
markdown_lines = st.one_of(
    st.sampled_from(["## Heading", "### Sub", "- item", "1. item", "> quote", "", "| a | b |", "| --- | --- |",
                     "    code", "![alt](x.png)", "![](x.png)", "<div>x</div>", "# Title", "---", "* * *",
                     "[a](javascript:x)", "text with **bold** and [a](https://a.example/)", "  - nested"]),
    st.text(max_size=20),
)  # fmt: skip


@FAST
@given(body=st.lists(markdown_lines, max_size=20), front=st.sampled_from([FRONT, FRONT.replace("2026-01-01", "x:")]))
def test_any_article_reads_or_is_a_one_line_error(tmp_path_factory, body: list[str], front: str) -> None:
    path = tmp_path_factory.mktemp("md") / "a.md"
    path.write_text(front + "\n".join(body), encoding="utf-8", errors="surrogatepass")
    try:
        article = read_article(path)
    except PackagerError as exc:
        assert "\n" not in str(exc)
        return
    for text in article.texts():  # the source is held to the same rules as translations
        assert not inline.has_raw_html(text.markdown)
        assert all(inline.is_safe_href(link.href) for link in inline.links(text.markdown))


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
