"""Properties over random Markdown and random translations (hypothesis).

1. Nothing raises but PackagerError: not the checks, not the catalog reader, not the article reader.
2. Whatever a translation says, rendered HTML refers to nothing outside the project, and a
   translation that passes the checks links only where the source links.
3. A number or URL changed in a translation is always reported.
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from packager import inline
from packager.errors import PackagerError
from packager.i18n.checks import check_catalog
from packager.i18n.checks.rules import check_message
from packager.i18n.pofile import read_catalog
from packager.source import read_article

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
units = st.sampled_from(["", " mg", "%", " mL", " hours"])
number_tokens = st.builds(lambda a, u, dollar: ("$" if dollar and not u else "") + a + u, amounts, units, st.booleans())
link_tokens = st.builds("[{}]({})".format, words, hosts)
source_tokens = st.one_of(
    words, words, words, number_tokens, link_tokens, st.builds("**{}**".format, words), st.builds("*{}*".format, words)
)
sources = st.lists(source_tokens, min_size=1, max_size=14).map(lambda t: " ".join(t).capitalize() + ".")

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


@FAST
@given(source=sources, translation=translations, locale=locales)
def test_checks_never_raise_and_what_passes_links_only_where_the_source_does(
    source: str, translation: str, locale: str
) -> None:
    findings = check_message(source, translation, locale)
    if any(code in ("too-long", "too-deep", "empty-translation") for code, _ in findings):
        return  # refused before rendering; the renderer never sees it
    hrefs = rendered_hrefs(inline.to_html(translation, print_urls=True))
    assert all(inline.is_safe_href(h) for h in hrefs)
    blocking = {code for code, _ in findings if code not in _WARNINGS}
    if not blocking:
        assert sorted(hrefs) == sorted(link.href for link in inline.links(source))


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
        label, href = token[1:-1].split("](")
        last = data.draw(st.sampled_from([c for c in "xyz/" if c != href[-1]]))
        changed = f"[{label}]({href[:-1] + last})"
    else:
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
