"""Adversarial catalogs: each case is one attack or mistake, and the exact outcome promised for it.

Three tables: translations of one message (checked by ``check_locale``),
malformed catalog files (``tests/data/adversarial/``, refused by
``read_catalog`` with file and line), and malformed projects (YAML, paths).
A fourth proves that what the checks let through cannot attack rendering.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from packager import cli, inline
from packager.errors import PackagerError
from packager.i18n.checks import Finding, check_locale
from packager.i18n.pofile import read_catalog, write_catalog
from packager.project import load_project
from packager.source import read_article
from tests.conftest import REPO, SLUG

DATA = Path(__file__).parent / "data" / "adversarial"

COST = "what-other-challenges-are-there/list1/item1"
TRIALS = "what-does-this-mean-for-you-today/list1/item2"
BOLD = "what-does-car-t-mean/list1/item1"
PLAIN = "what-is-car-t-cell-therapy/p1"
REF2 = "references/list1/item2"
REF3 = "references/list1/item3"
SIDE = "what-are-the-side-effects/list1/item1"


@pytest.fixture
def project(fresh_project: Path) -> Path:
    return fresh_project


def po_path(root: Path, locale: str = "es") -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po"


REVIEWER = "Test Reviewer"


def set_translation(root: Path, locale: str, key: str, change: str | Callable[[str], str], flags=()) -> None:
    """Change one translation; ``flags`` (``accept-<code>[:<id>]``) are then accepted by a reviewer,
    in the sign-off file, for exactly the new translation."""
    from packager.i18n.signoff import record_acceptance

    path = po_path(root, locale)
    catalog = read_catalog(path, locale=locale)
    message = next(m for m in catalog if m.context == key)
    message.string = change(str(message.string)) if callable(change) else change
    write_catalog(path, catalog)
    for flag in flags:
        finding = flag.removeprefix("accept-")
        record_acceptance(load_project(root), SLUG, locale, key, finding, message.id, message.string, REVIEWER)


def findings_for(root: Path, locale: str = "es") -> list[Finding]:
    project = load_project(root)
    article = read_article(project.articles()[0])
    return check_locale(project, article, locale)


def sub(old: str, new: str) -> Callable[[str], str]:
    """Replace ``old`` once, failing loudly if the shipped translation no longer contains it."""

    def change(text: str) -> str:
        assert old in text, f"{old!r} not in {text!r}"
        return text.replace(old, new, 1)

    return change


@dataclass(frozen=True)
class Case:
    id: str
    key: str
    change: str | Callable[[str], str]
    errors: frozenset[str]  # exactly the blocking error codes expected on this entry
    fragment: str = ""  # text one of those findings' messages must contain
    locale: str = "es"
    flags: tuple[str, ...] = ()
    warnings: frozenset[str] = field(default_factory=frozenset)  # warning codes that must appear
    accepted: frozenset[str] = field(default_factory=frozenset)  # codes that must be listed as accepted


def E(*codes: str) -> frozenset[str]:
    return frozenset(codes)


NOTHING = E()

MESSAGE_CASES = [
    # Links, addresses, phone numbers
    Case("link-target-changed", TRIALS, sub("https://clinicaltrials.gov/", "https://clinicaltrials.example/"),
         E("link-changed", "address-changed"), "'https://clinicaltrials.example/' is not in the source"),
    Case("link-dropped", TRIALS, sub("[clinicaltrials.gov](https://clinicaltrials.gov/)", "clinicaltrials.gov"),
         E("link-changed"), "the link to 'https://clinicaltrials.gov/' is missing"),
    Case("autolink-changed", REF3, sub("https://www.nejm.org/", "https://www.nejm.org.evil.example/"),
         E("link-changed", "address-changed"), "is not in the source"),
    Case("javascript-link", TRIALS, sub("https://clinicaltrials.gov/", "javascript:alert(1)"),
         E("link-changed"), "'javascript:alert(1)' is not in the source"),
    Case("file-link", TRIALS, sub("https://clinicaltrials.gov/", "file:///etc/passwd"),
         E("link-changed"), "'file:///etc/passwd'"),
    Case("data-link", TRIALS, sub("https://clinicaltrials.gov/", "data:text/html;base64," + "A" * 3000),
         E("link-changed"), "data:text/html"),
    Case("phone-added", PLAIN, lambda s: s + " Llame al +1 800 555 0199.", E("address-changed"),
         "phone number '+18005550199' is not in the source"),
    Case("email-added", PLAIN, lambda s: s + " Escriba a ayuda@estafa.example.", E("address-changed"),
         "e-mail address 'ayuda@estafa.example' is not in the source"),
    Case("address-in-text-changed", TRIALS, sub("[clinicaltrials.gov]", "[clinicaltrials.com]"),
         E("address-changed"), "web address 'clinicaltrials.com' is not in the source"),
    # Numbers, amounts, units
    Case("amount-changed", COST, sub("$375.000 a $475.000", "$37.500 a $475.000"), E("number-changed"),
         "'37.500' (USD) is not in the source"),
    Case("currency-changed", COST, sub("$375.000 a $475.000", "€375.000 a $475.000"), E("unit-changed"),
         "has EUR; the source has '375,000' (USD) with USD"),
    Case("scale-changed", COST, sub("$1 millón", "$1 mil"), E("number-changed"), "from the source is missing"),
    Case("year-changed", REF2, sub("(2022)", "(2012)"), E("number-changed"), "'2012' is not in the source"),
    Case("dose-added", SIDE, lambda s: s + " Tome 2 mg de paracetamol.", E("number-changed"),
         "'2' (mg) is not in the source"),
    Case("arabic-indic-digits-same", COST, sub("$375,000 إلى $475,000", "٣٧٥٬٠٠٠ دولار إلى $475,000"), NOTHING,
         locale="ar"),
    Case("arabic-indic-digits-changed", COST, sub("$375,000 إلى $475,000", "$٣٧٠٬٠٠٠ إلى $475,000"),
         E("number-changed"), "'370٬000' (USD) is not in the source", locale="ar"),
    Case("locale-separators-same", COST, sub("$375.000 a $475.000", "375.000 dólares a 475.000 dólares"), NOTHING),
    Case("us-separators-in-spanish", COST, sub("$375.000 a $475.000", "$375,000 a $475,000"), NOTHING,
         warnings=E("number-format")),
    Case("chinese-myriad-same", COST, sub("$1 百万", "100万美元"), NOTHING, locale="zh_Hans"),
    Case("chinese-myriad-changed", COST, sub("$1 百万", "10万美元"), E("number-changed"), locale="zh_Hans"),
    # Markdown structure
    Case("heading-injected", PLAIN, lambda s: "# " + s, E("structure-changed"),
         "parses as a level-1 heading, the source as a paragraph"),
    Case("list-injected", PLAIN, lambda s: "- " + s, E("structure-changed"), "a bulleted list"),
    Case("quote-injected", PLAIN, lambda s: "> " + s, E("structure-changed"), "a quotation"),
    Case("second-paragraph", PLAIN, lambda s: s + "\n\nOtro párrafo añadido.", E("structure-changed"),
         "a paragraph + a paragraph"),
    Case("code-block-injected", PLAIN, lambda s: "    " + s, E("structure-changed"), "a code block"),
    Case("bold-dropped", BOLD, sub("**Las células T**", "Las células T"), E("markup-changed"),
         "**bold**: 1 in the source, 0 in the translation"),
    Case("image-injected", PLAIN, lambda s: s + " ![x](https://evil.example/pixel.png)",
         E("markup-changed"), "image: 0 in the source, 1 in the translation"),
    Case("code-injected", PLAIN, lambda s: s + " `rm -rf /`", E("markup-changed"), "`code`"),
    # Empty and invisible
    Case("whitespace-only", PLAIN, "   \t ", E("empty-translation"), "empty or only spaces"),
    Case("link-without-text", TRIALS, "**[ ](https://clinicaltrials.gov/)**", E("empty-translation"), "empty"),
    Case("horizontal-rule", PLAIN, "** **", E("structure-changed"), "parses as a horizontal rule"),
    Case("zero-width-only", PLAIN, "\u200b\u200b", E("empty-translation", "invisible-character"), "U+200B"),
    Case("zero-width-space", PLAIN, sub("inmunoterapia", "inmuno\u200bterapia"), E("invisible-character"),
         "U+200B ZERO WIDTH SPACE"),
    Case("right-to-left-override", COST, sub("$375,000", "$\u202e000,573"), E("invisible-character",
         "number-changed"), "U+202E RIGHT-TO-LEFT OVERRIDE", locale="ar"),
    Case("bidi-isolate", PLAIN, lambda s: "\u2066" + s + "\u2069", E("invisible-character"),
         "U+2066 LEFT-TO-RIGHT ISOLATE"),
    Case("control-character", PLAIN, lambda s: s + "\x07", E("invisible-character"), "U+0007"),
    Case("tag-characters", PLAIN, lambda s: s + "\U000e0041\U000e0042", E("invisible-character"), "U+E0041"),
    # Raw HTML, script, CSS
    Case("script-tag", PLAIN, lambda s: s + "<script>alert('x')</script>", E("raw-html"), "'<script>'"),
    Case("style-attribute", PLAIN, lambda s: f'<span style="color:white">{s}</span>', E("raw-html"),
         "<span style"),
    Case("img-file-url", PLAIN, lambda s: s + '<img src="file:///etc/passwd">', E("raw-html"), "<img"),
    Case("entity-encoded-html", PLAIN, lambda s: s + "&lt;script&gt;x&lt;/script&gt;", E("raw-html"),
         "written with character references"),
    Case("css-link-tag", PLAIN, lambda s: s + '<link rel="stylesheet" href="http://evil.example/x.css">',
         E("raw-html", "address-changed"), "<link"),
    # Limits
    Case("too-long", PLAIN, lambda s: (s + " ") * 60, E("too-long"), "the limit is 5000"),
    Case("deep-emphasis", PLAIN, "*a " * 200 + "x" + " a*" * 200, E("too-deep"), "400 markup delimiters"),
    Case("deep-brackets", PLAIN, "[" * 1000 + "x" + "]" * 1000, E("too-deep"), "markup delimiters"),
    Case("nested-just-too-deep", PLAIN, "*a " * 12 + "x" + " a*" * 12, E("too-deep"), "nested 12 levels"),
    # Accept flags
    Case("accepted-number", REF2, sub("(2022)", "(2012)"), NOTHING, flags=("accept-number-changed",),
         accepted=E("number-changed")),
    Case("accept-covers-one-code", REF2, sub("(2022). Anti", "(2012). <b>Anti"), E("raw-html"),
         "'<b>'", flags=("accept-number-changed",), accepted=E("number-changed")),
    Case("accept-cannot-lift-limit", PLAIN, lambda s: (s + " ") * 60, E("too-long"),
         flags=("accept-too-long",), warnings=E("unknown-accept")),
    Case("accept-unknown-code", PLAIN, lambda s: s, NOTHING, flags=("accept-everything",),
         warnings=E("unknown-accept")),
    Case("accept-stale", PLAIN, lambda s: s, NOTHING, flags=("accept-number-changed",),
         warnings=E("unused-accept")),
    # Warnings only
    Case("same-as-source", PLAIN, "Immunotherapy means treating a disease with help from your own immune system. "
         "CAR T-cell therapy is one type of immunotherapy.", NOTHING, warnings=E("same-as-source")),
    Case("length-ratio", PLAIN, "Es terapia.", NOTHING, warnings=E("length-ratio")),
    Case("end-punctuation", PLAIN, lambda s: s.rstrip("."), NOTHING, warnings=E("end-punctuation")),
    Case("doubled-word", PLAIN, sub("es un tipo", "es es un tipo"), NOTHING, warnings=E("doubled-word")),
    Case("homoglyph-domain", TRIALS, sub("[clinicaltrials.gov]", "[clinicaltri\u0430ls.gov]"), E("address-changed"),
         "but the link goes to 'clinicaltrials.gov'", warnings=E("mixed-script")),
]  # fmt: skip


@pytest.mark.parametrize("case", MESSAGE_CASES, ids=lambda c: c.id)
def test_message_case(project: Path, case: Case) -> None:
    baseline = {(f.key, f.code) for f in findings_for(project, case.locale)}
    set_translation(project, case.locale, case.key, case.change, case.flags)
    found = [f for f in findings_for(project, case.locale) if f.key == case.key]
    new = [f for f in found if (f.key, f.code) not in baseline or f.blocking]
    blocking = {f.code for f in new if f.blocking}
    assert blocking == case.errors, [str(f) for f in found]
    if case.fragment:
        assert any(case.fragment in f.message for f in new if f.code in case.errors), [str(f) for f in found]
    assert case.warnings <= {f.code for f in found if f.severity == "warning"}, [str(f) for f in found]
    assert case.accepted == {f.code for f in found if f.accepted}, [str(f) for f in found]
    for finding in found:  # one line, naming the file and the entry's line
        text = str(finding)
        assert "\n" not in text and re.match(rf".*{SLUG}\.po:\d+: (error|warning): .+ \[[a-z-]+\]", text), text


def test_there_are_at_least_thirty_cases() -> None:
    tables = (MESSAGE_CASES, FILE_CASES, PROJECT_CASES, RENDER_CASES, SPECIAL_INPUTS, UI_CASES)
    assert sum(map(len, tables)) >= 30 and len(MESSAGE_CASES) >= 30


# --- malformed catalog files --------------------------------------------------------------------

FILE_CASES = [
    ("truncated-string.po", 16, "a string must be one quoted literal (truncated file?)"),
    ("truncated-entry.po", 15, "missing msgstr for msgid 'Key points'"),
    ("duplicate-entry.po", 19, "duplicate entry msgctxt 'meta/title' msgid 'Lupus and CAR T-cell therapy' (first on "
     "line 11)"),
    ("bad-plural-forms.po", 1, "bad Plural-Forms header 'nplurals=two; plural=n'"),
    ("huge-nplurals.po", 1, "bad Plural-Forms header 'nplurals=100000000; plural=n'"),
    ("bad-plural-index.po", 10, "msg has more translations than num_plurals of catalog"),
    ("unquoted-string.po", 11, "a string must be one quoted literal"),
    ("unknown-keyword.po", 14, "Unknown or misformatted keyword"),
    ("latin1-charset.po", 1, "charset 'iso-8859-1' in Content-Type: only UTF-8 is read"),
    ("latin1-bytes.po", 12, "the catalog is not valid UTF-8 (save it as UTF-8)"),
    ("binary-mo.po", 1, "the catalog is not valid UTF-8"),
    ("bad-header-date.po", 1, "bad header: time data 'yesterday'"),
    ("bad-language.po", 1, "bad header"),
    ("stray-continuation.po", 1, "Got line starting with \" but not in msgid, msgstr or msgctxt"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "line", "message"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_malformed_catalog_is_one_line_error(name: str, line: int, message: str) -> None:
    with pytest.raises(PackagerError, match=re.escape(message)) as info:
        read_catalog(DATA / name, locale="es")
    assert info.value.line == line
    assert message in info.value.message
    assert str(info.value).startswith(f"{info.value.path}:{line}: ") or f"{name}:{line}: " in str(info.value)


@pytest.mark.parametrize(("name", "line", "message"), FILE_CASES[:4], ids=[c[0] for c in FILE_CASES[:4]])
def test_check_command_names_file_and_line(project: Path, capsys, name: str, line: int, message: str) -> None:
    shutil.copy(DATA / name, po_path(project))
    assert cli.main(["-C", str(project), "check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{SLUG}.po:{line}: " in err[0] and message in err[0], err


def transform_file(root: Path, change: Callable[[bytes], bytes]) -> Path:
    path = po_path(root)
    path.write_bytes(change(path.read_bytes()))
    return path


def test_bom_and_crlf_are_read_exactly_like_the_plain_file(project: Path) -> None:
    before = findings_for(project)
    transform_file(project, lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    after = findings_for(project)
    assert [(f.key, f.code, f.line) for f in after] == [(f.key, f.code, f.line) for f in before]
    catalog = read_catalog(po_path(project), locale="es")
    title = next(m for m in catalog if m.context == "meta/title")
    assert title.string == "El lupus y la terapia con células CAR T"  # no stray \r, no BOM


def test_oversized_catalog_is_refused(project: Path) -> None:
    transform_file(project, lambda data: data + b"# padding\n" * 600_000)
    with pytest.raises(PackagerError, match="larger than 5000000 bytes"):
        findings_for(project)


PLURAL_ENTRY = 'msgctxt "unused/plural"\nmsgid "one month"\nmsgid_plural "{n} months"\n{forms}\n\n'


def _set_header(header: str, plural_forms: str | None = None) -> Callable[[bytes], bytes]:
    """Replace the Plural-Forms and Language lines by ``header``; add a plural entry with ``plural_forms``."""

    def change(data: bytes) -> bytes:
        text = data.decode()
        text = re.sub(r'"Plural-Forms: [^\n]*\n', "", text)
        text = re.sub(r'"Language: [^\n]*\n', "", text)
        text = text.replace('"Language-Team', header + '"Language-Team', 1)
        return (text + "\n" + PLURAL_ENTRY.replace("{forms}", plural_forms) if plural_forms else text).encode()

    return change


@pytest.mark.parametrize(
    "header",
    [
        "",
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n',
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n',
    ],
    ids=["missing", "three-forms", "one-form"],
)
def test_plural_forms_never_fail_a_catalog_without_plural_entries(project: Path, header: str) -> None:
    """Whatever CLDR version the installed Babel has (2.19 gave Spanish three forms)."""
    transform_file(project, _set_header(header))
    assert [f for f in findings_for(project) if f.code == "plural-forms"] == []


@pytest.mark.parametrize(
    ("header", "forms", "fragment"),
    [
        ("", 'msgstr[0] "un mes"\nmsgstr[1] "{n} meses"', "no Plural-Forms line"),
        (
            '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n',
            'msgstr[0] "un mes"\nmsgstr[1] "{n} meses"',
            "has 2 plural forms; Plural-Forms says 3",
        ),
    ],
    ids=["missing", "disagreeing"],
)
def test_plural_entries_must_agree_with_their_own_header(project: Path, header: str, forms: str, fragment: str) -> None:
    transform_file(project, _set_header(header, forms))
    errors = [f for f in findings_for(project) if f.blocking]
    assert [(f.code, f.key) for f in errors] == [("plural-forms", "")]
    assert fragment in errors[0].message and errors[0].line == 10


def test_plural_entries_that_agree_with_their_header_pass(project: Path) -> None:
    header = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
    transform_file(project, _set_header(header, 'msgstr[0] "un mes"\nmsgstr[1] "{n} meses"'))
    assert [f for f in findings_for(project) if f.blocking] == []


def test_a_language_header_for_another_locale_is_an_error_on_the_header_line(project: Path) -> None:
    transform_file(project, _set_header('"Language: ar\\n"\n'))
    errors = [f for f in findings_for(project) if f.blocking]
    assert [(f.code, f.key) for f in errors] == [("language-mismatch", "")]
    assert "'ar'" in errors[0].message and errors[0].line == 10


# --- malformed projects -------------------------------------------------------------------------


def _front_matter(root: Path, old: str, new: str) -> None:
    path = root / "source" / f"{SLUG}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _settings(text: str) -> Callable[[Path], None]:
    return lambda root: (root / "packager.yaml").write_text(text, encoding="utf-8")


TITLE = "title: Lupus and CAR T-cell therapy"
PROJECT_CASES = [
    ("yaml-syntax-front-matter", lambda r: _front_matter(r, "title: Lupus", "title: [Lupus"), [],
     f"source/{SLUG}.md:3: invalid front matter: did not find expected ',' or ']'"),  # libyaml's words
    ("yaml-bad-date", lambda r: _front_matter(r, "reviewed: 2026-11-26", "reviewed: 2026-13-45"), [],
     f"source/{SLUG}.md:6: invalid front matter: month must be in 1..12"),
    ("yaml-python-tag", lambda r: _front_matter(r, TITLE, "title: !!python/object/apply:os.system [id]"),
     [], "could not determine a constructor"),
    ("slug-escapes-build", lambda r: _front_matter(r, "slug: lupus-car-t-cell-therapy", "slug: ../../etc"), [],
     "front-matter field 'slug' must be lower-case letters, digits and hyphens"),
    ("yaml-syntax-settings", _settings("locales: [es\n"), [], "packager.yaml:2: invalid YAML"),
    ("settings-python-tag", _settings("locales: !!python/name:os.system\n"), [],
     "packager.yaml:1: setting 'locales' cannot be read"),
    ("settings-duplicate-key", _settings("locales: [es]\nlocales: [ar]\n"), [],
     "packager.yaml:2: setting 'locales' is given twice"),
    ("settings-locale-escapes", _settings("locales: ['../../tmp/x']\n"), [],
     "packager.yaml:1: '../../tmp/x' is not a locale name"),
    ("cli-locale-escapes", lambda r: None, ["--locale", "../../../tmp/x"], "'../../../tmp/x' is not a locale name"),
    ("cli-locale-absolute", lambda r: None, ["--locale", "/etc"], "'/etc' is not a locale name"),
    ("missing-catalog", lambda r: None, ["--locale", "it"], "no catalog for it"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "setup", "extra", "message"), PROJECT_CASES, ids=[c[0] for c in PROJECT_CASES])
def test_malformed_project_is_one_line_error(project: Path, capsys, name, setup, extra, message) -> None:
    setup(project)
    assert cli.main(["-C", str(project), "check", *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packager: error: ") and message in err[0], err
    assert not (project / "build").exists() and not Path("/tmp/x").exists()


# --- rendering cannot be attacked through a translation -----------------------------------------

RENDER_CASES = [
    ("script", "Hola <script>alert(1)</script>", ["<script"], "&lt;script&gt;"),
    ("style-css", '<style>@import url("http://evil.example/x.css")</style>', ["<style"], "&lt;style&gt;"),
    ("img-file", '<img src="file:///etc/passwd">', ["<img"], "&lt;img"),
    ("markdown-image", "![x](file:///etc/passwd)", ["<img", "file:"], ""),
    ("javascript-link", "[pulse](javascript:alert(1))", ["href", "javascript:"], "pulse"),
    ("file-link", "[ver](file:///etc/passwd)", ["href", "file:"], "ver"),
    ("data-link", "[ver](data:text/html;base64,PHNjcmlwdD4=)", ["href", "data:"], "ver"),
    ("protocol-relative", "[ver](//evil.example/x)", ["href"], "ver"),
    ("attribute-breakout", '[a](https://a.example/" onmouseover="x)', ['href="https://a.example/"'], "&quot;"),
    ("entity-smuggling", "&lt;script&gt;", ["<script"], "&lt;script&gt;"),
    ("reference-definition", "[a][r]\n[r]: javascript:alert(1)", ["href"], ""),
]


@pytest.mark.parametrize(("name", "text", "absent", "present"), RENDER_CASES, ids=[c[0] for c in RENDER_CASES])
def test_to_html_neutralises(name: str, text: str, absent: list[str], present: str) -> None:
    html = inline.to_html(text, print_urls=True)
    for bad in absent:
        assert bad not in html, html
    assert present in html, html
    tags = r'<(?:/?(?:em|strong|code)|br|a href="https?://[^"<>]*"|/a|span class="url"|/span)>'
    assert re.fullmatch(rf"(?:[^<]|{tags})*", html), html  # only our own tags, attributes quoted


# --- special files planted as inputs ------------------------------------------------------------

SPECIAL_INPUTS = [
    ("catalog-is-dev-zero", lambda r: po_path(r), "/dev/zero", "the catalog is a link to a file outside the project"),
    (
        "article-is-dev-urandom",
        lambda r: r / "source" / f"{SLUG}.md",
        "/dev/urandom",
        "the article is a link to a file outside the project",
    ),
    (
        "settings-is-dev-zero",
        lambda r: r / "packager.yaml",
        "/dev/zero",
        "the settings file is a link to a file outside",
    ),
    ("catalog-is-a-fifo", lambda r: po_path(r), None, "the catalog is not a regular file"),
]


@pytest.mark.parametrize(("name", "where", "target", "message"), SPECIAL_INPUTS, ids=[c[0] for c in SPECIAL_INPUTS])
def test_special_files_are_refused_without_reading_them(project: Path, capsys, name, where, target, message) -> None:
    path = where(project)
    path.unlink(missing_ok=True)
    if target is None:
        os.mkfifo(path)
    else:
        path.symlink_to(target)
    assert cli.main(["-C", str(project), "check"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


# --- packager's own words: placeholders go through str.format ----------------------------------

PAGE = "Page {page} of {pages}"
UI_CASES = [
    ("attribute-access", "Página {page.__class__.__mro__} de {pages}", "'{page.__class__.__mro__}' must be a plain",
     {"markup-changed"}),  # the underscores also read as emphasis
    ("huge-width", "Página {page:>999999999} de {pages}", "'{page:>999999999}' must be a plain {name}",
     {"address-changed"}),  # nine digits also read as a phone number
    ("conversion", "Página {page!r} de {pages}", "'{page!r}' must be a plain", set()),
    ("misspelt", "Página {pgae} de {pages}", "placeholders {pgae}, {pages} differ from the source's {page}, {pages}",
     set()),
    ("dropped", "Página {page}", "placeholders {page} differ", set()),
    ("positional", "Página {0} de {1}", "differ from the source's", {"number-changed"}),
    ("unbalanced", "Página {page de {pages}", "not a valid format string", set()),
]  # fmt: skip


@pytest.mark.parametrize(("name", "msgstr", "fragment", "also"), UI_CASES, ids=[c[0] for c in UI_CASES])
def test_ui_placeholders_must_stay_plain_names(tmp_path: Path, name: str, msgstr: str, fragment: str, also) -> None:
    from packager.i18n.checks import check_ui_words

    folder = tmp_path / "locales"
    shutil.copytree(REPO / "locales" / "es", folder / "es")
    path = folder / "es" / "LC_MESSAGES" / "packager.po"
    assert not [f for f in check_ui_words(folder, "es") if f.blocking]
    catalog = read_catalog(path, locale="es")
    catalog.get(PAGE).string = msgstr
    catalog.get(PAGE).flags.add("accept-placeholder-changed")  # cannot be accepted
    write_catalog(path, catalog)
    errors = [f for f in check_ui_words(folder, "es") if f.blocking]
    assert {f.code for f in errors} == {"placeholder-changed", *also}
    assert {f.key for f in errors} == {f"interface:{PAGE}"}
    assert any(fragment in f.message for f in errors), [str(f) for f in errors]
