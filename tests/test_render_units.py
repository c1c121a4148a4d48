"""The print renderer's rules one at a time: fonts, paper, safety, structure, lazy imports.

Most tests stop at the HTML (fast); the few that need a PDF build one small handout.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from packager.builders import get_builder, no_progress
from packager.document import Article, Figure, Heading, Paragraph, Section, Text
from packager.errors import PackagerError
from packager.i18n.translate import localized
from packager.project import ClinicSettings, Project, Settings
from packager.render import fonts
from packager.render.html import (
    HANDOUT,
    LARGE_PRINT,
    counter_content,
    css_string,
    paper_size,
    render,
    shorten,
)
from packager.render.pdf import HandoutBuilder, LargePrintBuilder, make_fetcher
from packager.source import read_article

from .conftest import REPO, SLUG, figure_alts

TOTO = "\U0001e290"  # TOTO LETTER PA: no font in Debian's Noto packages draws it


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("units") / "project"
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, root / name)
    return root


def project_at(root: Path, **settings: object) -> Project:
    return Project(root=root, settings=Settings(**settings))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def article(root: Path) -> Article:
    return read_article(root / "source" / f"{SLUG}.md")


def _with_texts(article: Article, fn) -> Article:
    return article.map_texts(lambda t: dataclasses.replace(t, markdown=fn(t)))


# -- imports and the Builder contract ----------------------------------------------------------


def test_builders_load_without_weasyprint() -> None:
    """`packager --help` and planning a build must not pay for importing WeasyPrint."""
    code = (
        "import sys\n"
        "from packager.builders import get_builder\n"
        "b = get_builder('handout'); get_builder('large-print')\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
        "print(b.name)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "handout"


def test_outputs_and_inputs(root: Path, article: Article) -> None:
    project = project_at(root)
    handout, large = get_builder("handout"), get_builder("large-print")
    assert handout.outputs(article) == [f"{SLUG}.pdf"]
    assert large.outputs(article) == [f"{SLUG}.large-print.pdf"]
    inputs = large.inputs(project, "ar")
    names = {Path(p).name for p in inputs if isinstance(p, Path)}
    assert {"common.css", "large-print.css", "article.html", "blocks.html", "packager.po"} <= names
    assert "AtkinsonHyperlegible-Regular.ttf" in names
    assert "AtkinsonHyperlegible-Italic.ttf" not in names  # large print never sets italics
    assert any("Arabic" in n for n in names)
    assert any(isinstance(p, str) and p.startswith("weasyprint ") for p in inputs)
    assert "handout.css" in {Path(p).name for p in handout.inputs(project, "es") if isinstance(p, Path)}
    assert all(Path(p).exists() for p in inputs if isinstance(p, Path))


def test_preflight_names_the_missing_font_package(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    HandoutBuilder().preflight(project_at(root), ["en", "es", "ar", "zh_Hans", "vi"])
    monkeypatch.setattr(fonts, "base_families", lambda locale: ["Noto Sans Imaginary"])
    with pytest.raises(PackagerError, match=r"locale xx needs the font 'Noto Sans Imaginary'.*fonts-noto-core"):
        HandoutBuilder().preflight(project_at(root), ["xx"])


# -- paper --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "setting", "expected"),
    [
        ("US", "auto", "Letter"),
        ("ca", "auto", "Letter"),
        ("MX", "auto", "Letter"),
        ("PH", "auto", "Letter"),
        ("DE", "auto", "A4"),
        ("GB", "auto", "A4"),
        ("EG", "auto", "A4"),
        ("US", "A4", "A4"),
        ("FR", "Letter", "Letter"),
    ],
)
def test_paper_size_by_country_or_setting(root: Path, country: str, setting: str, expected: str) -> None:
    project = project_at(root, paper_size=setting, clinic=ClinicSettings(country=country))
    assert paper_size(project) == expected


# -- fonts --------------------------------------------------------------------------------------


def test_uncovered_character_in_a_catalog_is_a_build_error(tmp_path: Path, article: Article) -> None:
    """A translation with a character no installed font draws fails, naming locale, character and package."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "locales", root / "locales")
    po = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    text = po.read_text(encoding="utf-8")
    text, n = re.subn(r'(msgctxt "meta/title"\nmsgid "[^"]*"\nmsgstr ")', r"\g<1>" + TOTO + " ", text)
    assert n == 1
    po.write_text(text, encoding="utf-8")
    project = project_at(root)
    article = read_article(root / "source" / f"{SLUG}.md")  # its figure is inside this project
    translated = localized(project, article, "es")
    for builder in (HandoutBuilder(), LargePrintBuilder()):
        with pytest.raises(PackagerError, match="locale es") as caught:
            builder.build(translated, project, no_progress)
        message = str(caught.value)
        assert "locale es" in message
        assert "U+1E290" in message and TOTO in message
        assert "fonts-noto-core" in message


def test_debian_package_for_uncovered_characters() -> None:
    assert fonts.debian_package("狼") == "fonts-noto-cjk"
    assert fonts.debian_package("한") == "fonts-noto-cjk"
    assert fonts.debian_package("\U0001f600") == "fonts-noto-color-emoji"
    assert fonts.debian_package(TOTO) == "fonts-noto-core"


def test_font_plan_follows_the_text() -> None:
    english = fonts.plan_fonts("en", "Lupus and CAR T-cell therapy, Müller 2024")
    assert [f.family for f in english.faces] == ["Atkinson Hyperlegible"]
    vietnamese = fonts.plan_fonts("vi", "Bệnh lupus và liệu pháp tế bào CAR T")
    assert vietnamese.faces[0].family == "Noto Sans"  # Atkinson lacks Vietnamese letters
    arabic = fonts.plan_fonts("ar", "الذئبة CAR T")
    assert [f.family for f in arabic.faces] == ["Atkinson Hyperlegible", "Noto Sans Arabic"]
    # A Chinese word quoted in a Spanish text finds its face without configuration.
    spanish = fonts.plan_fonts("es", "lupus (狼疮)")
    assert "Noto Sans CJK SC" in [f.family for f in spanish.faces]
    assert fonts.cjk_family("zh_Hant") == "Noto Sans CJK TC"


@pytest.mark.parametrize("latin", ["en", "vi"])
def test_latin_faces_tell_capital_i_from_small_l_and_one(latin: str) -> None:
    """Large-print guidance: I, l and 1 must differ. A serifed I is much wider than l; a bare bar is not."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    face = fonts.plan_fonts(latin, "Il1 ệ" if latin == "vi" else "Il1").faces[0]
    for path in (face.regular, face.bold):
        font = TTFont(path, fontNumber=face.index)
        glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
        shapes = {}
        for char in "Il1":
            pen = BoundsPen(glyphs)
            glyphs[cmap[ord(char)]].draw(pen)
            shapes[char] = pen.bounds
        width = {c: b[2] - b[0] for c, b in shapes.items()}
        assert width["I"] >= 1.25 * width["l"], (path.name, width)
        assert len(set(shapes.values())) == 3, (path.name, shapes)


def test_large_print_embeds_no_italic_face(article: Article) -> None:
    plan = fonts.plan_fonts("en", "x")
    assert "italic" not in plan.font_face_css(LARGE_PRINT.italics)
    assert "italic" in plan.font_face_css(HANDOUT.italics)


# -- safety -------------------------------------------------------------------------------------


def test_raw_html_in_a_translation_is_printed_as_text(root: Path, article: Article) -> None:
    evil = '<script>alert(1)</script><img src="http://evil.example/x.png"> & "quotes"'
    hostile = dataclasses.replace(_with_texts(article, lambda t: evil + " " + t.markdown), locale="es")
    html = render(hostile, project_at(root), HANDOUT).html
    assert "<script" not in html and '<img src="http://evil' not in html  # the article's own figure is an <img>
    assert html.count("<img") == len(list(article.figures()))
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_css_strings_cannot_break_out() -> None:
    value = css_string('a"; } @import url(http://x); </style><b>\\\n')
    assert value.startswith('"') and value.endswith('"')
    inner = value[1:-1]
    assert (
        '"' not in inner and "<" not in inner and "\n" not in inner and "}" in inner
    )  # braces are harmless in strings
    assert re.fullmatch(r'(?:[^"\\]|\\[0-9A-F]+ )*', inner)


def test_page_counter_is_isolated_for_right_to_left() -> None:
    content = counter_content("الصفحة {page} من {pages}")
    assert content.count("counter(page)") == 1 and content.count("counter(pages)") == 1
    assert content.index("counter(page)") < content.index("counter(pages)")
    assert content.count('"\\2068"') == 3 and content.count('"\\2069"') == 3


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/x.png",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        "file:///etc/fonts/fonts.conf",
        "ftp://example.org/x.png",
        "data:text/html,<script>x</script>",
        "data:image/png;base64," + "A" * 800_000,
    ],
)
def test_fetcher_refuses_everything_else(root: Path, url: str) -> None:
    fetcher = make_fetcher(project_at(root), [])
    with pytest.raises(PackagerError, match=r"refuse|refused"):
        fetcher.fetch(url)


def test_fetcher_serves_our_own_files(root: Path, tmp_path: Path) -> None:
    project = project_at(root)
    image = root / "source" / "tiny.png"
    _png(image)
    fetcher = make_fetcher(project, [])
    assert fetcher.fetch(image.as_uri()).read()[:4] == b"\x89PNG"
    css = Path(fonts.__file__).parent / "themes" / "common.css"
    assert b"contrast" in fetcher.fetch(css.as_uri()).read()
    assert fetcher.fetch(fonts.atkinson().regular.as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    outside = tmp_path / "secret.png"
    _png(outside)
    with pytest.raises(PackagerError, match=r"the print renderer refuses to read .*secret\.png"):
        fetcher.fetch(outside.as_uri())
    link = root / "source" / "link.png"
    link.symlink_to(outside)
    with pytest.raises(PackagerError, match=r"the print renderer refuses to read .*secret\.png"):  # link out
        fetcher.fetch(link.as_uri())


def _png(path: Path) -> None:
    import segno

    segno.make("packager").save(str(path), kind="png", scale=2)


# -- structure ----------------------------------------------------------------------------------


def _extra_section(article: Article, *blocks: object) -> Article:
    section = Section("extra", Text("Extra", "extra/heading", "", 1), tuple(blocks))  # type: ignore[arg-type]
    return dataclasses.replace(article, sections=(*article.sections, section))


def test_heading_levels_never_skip(root: Path, article: Article) -> None:
    deep = _extra_section(
        article,
        Heading(5, Text("Five", "extra/h1", "", 1)),
        Heading(6, Text("Six", "extra/h2", "", 1)),
        Heading(3, Text("Three", "extra/h3", "", 1)),
    )
    html = render(deep, project_at(root), HANDOUT).html
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    assert "<h3>Five</h3>" in html and "<h4>Six</h4>" in html and "<h3>Three</h3>" in html


def test_image_outside_source_is_refused(root: Path, article: Article) -> None:
    bad = _extra_section(article, Figure("../../etc/passwd", Text("a file", "extra/figure1/alt", "", 1)))
    with pytest.raises(PackagerError, match="must be a file inside"):
        render(bad, project_at(root), HANDOUT)


def test_image_is_printed_with_its_alt_text(root: Path, article: Article, tmp_path: Path) -> None:
    _png(root / "source" / "diagram.png")
    with_image = _extra_section(
        article,
        Paragraph(Text("Before the picture.", "extra/p1", "", 1)),
        Figure("diagram.png", Text("A CAR T cell finding a B cell", "extra/figure1/alt", "", 1)),
    )
    data = HandoutBuilder().build(with_image, project_at(root), no_progress).files[f"{SLUG}.pdf"]
    path = tmp_path / "figure.pdf"
    path.write_bytes(data)
    with pikepdf.open(path) as pdf:
        alts = figure_alts(pdf.Root.StructTreeRoot)
        images = {image.objgen for page in pdf.pages for image in page.get_images().values()}
    assert "A CAR T cell finding a B cell" in alts
    assert len(images) == 1


def test_no_masthead_without_clinic_or_publish_url(root: Path, article: Article) -> None:
    html = render(article, project_at(root), HANDOUT).html
    assert "<svg" not in html and 'class="masthead"' not in html
    with pytest.raises(PackagerError, match="publish_url"):
        render(article, project_at(root, publish_url="ftp://example.org"), HANDOUT)


def test_pdf_dates_come_from_the_review_or_source_date_epoch(
    root: Path, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = render(article, project_at(root), HANDOUT).html
    assert f'content="{article.meta.reviewed.isoformat()}"' in html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = render(article, project_at(root), HANDOUT).html
    assert 'content="2023-11-14T22:13:20Z"' in html


def test_slash_page_counter_keeps_its_order_in_arabic(
    root: Path, article: Article, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """WeasyPrint alone prints "1 / 5" as "5 / 1" in a right-to-left footer; ours stays "1 / 5"."""
    import pdfplumber

    from packager.render import html as render_html

    real = render_html.ui_gettext

    def slashed(locales_dir: Path, locale: str):
        gettext = real(locales_dir, locale)
        return lambda message: "{page} / {pages}" if message == "Page {page} of {pages}" else gettext(message)

    monkeypatch.setattr(render_html, "ui_gettext", slashed)
    project = project_at(root)
    arabic = localized(project, article, "ar")
    product = HandoutBuilder().build(arabic, project, no_progress)
    path = tmp_path / "ar.pdf"
    path.write_bytes(product.files[f"{SLUG}.pdf"])
    total = str(product.info["pages"])
    assert len(total) == 1
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        footer = [c for c in page.chars if c["top"] > page.height - 60 and c["text"] in ("1", "/", total)]
        line = min(-round(c["matrix"][5]) for c in footer)
        order = "".join(c["text"] for c in sorted(footer, key=lambda c: c["x0"]) if -round(c["matrix"][5]) == line)
    assert order == f"1/{total}"


def test_a_long_title_is_shortened_at_a_word_to_fit_the_footer() -> None:
    def width(text: str) -> float:
        return float(len(text))

    assert shorten("Lupus and CAR T-cell therapy", 40, width) == "Lupus and CAR T-cell therapy"
    assert shorten("Lupus and CAR T-cell therapy", 16, width) == "Lupus and CAR…"
    assert shorten("狼疮与细胞疗法", 4, width) == "狼疮与…"  # no spaces: cut between characters


@pytest.mark.parametrize("locale", ["ht", "fr", "am", "zh_Hant"])
def test_a_printed_date_names_its_month_or_is_iso_where_cldr_has_no_month_names(locale: str) -> None:
    """Haitian Creole has no month names in CLDR: root's pattern printed "2026 M11 1" on the handout."""
    from datetime import date

    from babel import Locale

    from packager.render.html import format_day

    month = Locale.parse(locale).months["format"]["wide"][11]
    printed = format_day(date(2026, 11, 1), locale)
    if month == "M11":
        assert printed == "2026-11-01"
    else:
        assert month in printed and "2026" in printed
