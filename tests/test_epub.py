"""EPUB 3: the article as XHTML with the narration as Media Overlays, for English and Arabic.

Only the epub format (and the narration it needs) is built, in a copy of the project. The
oracles: EPUBCheck (Debian's ``epubcheck``), the narration's own timings file, the source
article and the catalogs read as text.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from packager import inline
from packager.source import read_article
from tests.conftest import ALL_LOCALES, REPO, SLUG, copy_project, run_packager

LOCALES = ("en", "ar")
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "s": "http://www.w3.org/ns/SMIL",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
DRAFT = "Draft translation: not yet reviewed by a qualified medical translator."


def build(root: Path) -> subprocess.CompletedProcess:
    return run_packager("-C", str(root), "build", "--format", "epub", *(a for lc in LOCALES for a in ("--locale", lc)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("epub") / "project")
    result = build(root)
    assert result.returncode == 0, result.stderr
    return root


def epub(root: Path, locale: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(root / "build" / locale / f"{SLUG}.epub")


def xml(book: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(book.read(name))


def text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def items_of(block: object) -> list[object]:
    """Every list item of a block, nested ones included, from the document model."""
    from packager.document import Callout, Checklist, ListBlock, Quote

    if isinstance(block, (Quote, Callout)):
        return [item for inner in block.blocks for item in items_of(inner)]
    if isinstance(block, Checklist):
        return list(block.items)
    if not isinstance(block, ListBlock):
        return []
    return [i for item in block.items for i in [item, *(items_of(item.sublist) if item.sublist else [])]]


def clip_seconds(value: str) -> float:
    assert value.endswith("s"), value
    return float(value[:-1])


ACE = REPO / "tools" / "node_modules" / ".bin" / "ace-cli"


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_epubcheck_finds_no_error_and_no_warning(shipped_build: Path, locale: str) -> None:
    if not EPUBCHECK.exists():
        pytest.fail("epubcheck is not installed (debian-packages.txt lists it)")
    path = shipped_build / "build" / locale / f"{SLUG}.epub"
    result = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=600)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in report, report


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_ace_by_daisy_finds_no_violation(shipped_build: Path, locale: str, tmp_path: Path) -> None:
    """Ace by DAISY (npm ``@daisy/ace-cli``, tools/package-lock.json) on Debian's Chromium."""
    import os

    if not ACE.exists():
        pytest.fail("Ace by DAISY is not installed: run 'bash scripts/setup.sh --test'")
    path = shipped_build / "build" / locale / f"{SLUG}.epub"
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium", "PUPPETEER_SKIP_DOWNLOAD": "1"}
    command = [str(ACE), "--silent", "-o", str(tmp_path / "ace"), str(path)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "ace" / "report.json").read_text(encoding="utf-8"))
    found = [
        (check["earl:test"]["dct:title"], check["earl:test"]["earl:impact"], check["earl:result"].get("earl:pointer"))
        for document in report["assertions"]
        for check in document["assertions"]
        if check["earl:result"]["earl:outcome"] == "fail"
    ]
    assert found == [], found
    assert report["earl:result"]["earl:outcome"] == "pass"


@pytest.mark.parametrize("locale", LOCALES)
def test_container_is_mimetype_first_and_stored(built: Path, locale: str) -> None:
    book = epub(built, locale)
    first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.read("mimetype") == b"application/epub+zip"
    assert (built / "build" / locale / f"{SLUG}.epub").read_bytes()[30:38] == b"mimetype"


@pytest.mark.parametrize("locale", LOCALES)
def test_text_is_the_translated_article_with_lang_dir_and_notices(built: Path, locale: str) -> None:
    book = epub(built, locale)
    page = xml(book, "EPUB/content.xhtml")
    assert page.get("lang") == locale and page.get("{http://www.w3.org/XML/1998/namespace}lang") == locale
    assert page.get("dir") == ("rtl" if locale == "ar" else "ltr")
    from tests.test_publishing import assert_published_notices, published_article, translated_version

    article = published_article(locale, translated_version(REPO, locale))
    assert text(page.find(".//x:h1", NS)) == inline.plain(article.meta.title.markdown)
    for section in article.sections:
        element = page.find(f".//x:section[@id='{section.id}']", NS)
        assert element is not None, section.id
        if section.heading:
            assert text(element.find("x:h2", NS)) == inline.plain(section.heading.markdown)
    body_items = page.xpath(".//x:section[not(@class='about')]//x:li", namespaces=NS)
    assert len(body_items) == sum(len(items_of(b)) for s in article.sections for b in s.blocks)
    notices = [text(p) for p in page.findall(".//x:aside[@class='draft-notice']/x:p", NS)]
    assert_published_notices(notices, locale)
    nav = xml(book, "EPUB/nav.xhtml")
    toc = [text(a) for a in nav.findall(".//x:nav[@id='toc']//x:a", NS)]
    headed = [inline.plain(s.heading.markdown) for s in article.sections if s.heading]
    assert toc[: len(headed)] == headed


@pytest.mark.parametrize("locale", LOCALES)
def test_overlay_clips_are_the_narrations_utterances_and_point_at_the_text(built: Path, locale: str) -> None:
    book = epub(built, locale)
    timings = json.loads((built / "build" / locale / f"{SLUG}.timings.json").read_text(encoding="utf-8"))
    parts = {part["id"]: part for part in timings["sections"]}
    page = xml(book, "EPUB/content.xhtml")
    by_id = {e.get("id"): e for e in page.iter() if e.get("id")}
    section_of = {
        e.get("id"): section.get("id") for section in page.findall(".//x:section", NS) for e in section.iter()
    }
    pars = xml(book, "EPUB/content.smil").findall(".//s:par", NS)
    clips: dict[str, list[tuple[float, float]]] = {}
    for par in pars:
        target = par.find("s:text", NS).get("src")
        name, _, fragment = target.partition("#")
        assert name == "content.xhtml" and fragment in by_id, target  # every par resolves to an element
        audio = par.find("s:audio", NS)
        assert audio.get("src") == f"audio/{SLUG}.mp3"
        clip = (clip_seconds(audio.get("clipBegin")), clip_seconds(audio.get("clipEnd")))
        clips.setdefault(section_of.get(fragment, "introduction"), []).append(clip)
    opening = [(u["start"], u["end"]) for u in parts["introduction"]["utterances"]]
    assert clips["introduction"][0] == opening[0]  # the title
    assert clips["introduction"][1:] == opening[-(len(clips["introduction"]) - 1) :]  # summary, text before any heading
    for section_id, found in clips.items():
        if section_id == "introduction":
            continue
        said = [(u["start"], u["end"]) for u in parts[section_id]["utterances"]]
        assert found == said[1 : 1 + len(found)], section_id  # after "Part N of M."
        assert len(said) - 1 - len(found) in (0, 1)  # the last part also says where the recording ends
    spoken = page.xpath(
        ".//x:section[not(@class='about')]//*[self::x:h2 or self::x:h3 or self::x:p or self::x:li"
        " or self::x:tr[parent::x:tbody] or self::x:figure or self::x:ul[@class='checklist']]",
        namespaces=NS,
    )
    # every heading, paragraph, item, row and figure is synchronised, and a checklist's spoken announcement
    assert spoken and all(e.get("id") for e in spoken)
    title, summary = page.find(".//x:h1", NS), page.find(".//x:p[@class='summary']", NS)

    def sentences(element) -> list[str]:  # one par per sentence: a paragraph's, each of its sentences
        return [s.get("id") for s in element.findall("x:span[@class='s']", NS)] or [element.get("id")]

    targets = [par.find("s:text", NS).get("src").partition("#")[2] for par in pars]
    assert sorted(targets) == sorted(t for e in [title, summary, *spoken] for t in sentences(e))
    assert len(targets) > len(spoken) + 2  # some paragraph has more than one sentence
    audio_bytes = book.read(f"EPUB/audio/{SLUG}.mp3")
    assert audio_bytes == (built / "build" / locale / f"{SLUG}.mp3").read_bytes()


@pytest.mark.parametrize("locale", LOCALES)
def test_package_metadata(built: Path, locale: str) -> None:
    book = epub(built, locale)
    opf = xml(book, "EPUB/package.opf")
    article = read_article(REPO / "source" / f"{SLUG}.md")
    meta = opf.find("opf:metadata", NS)
    name = f"packager:{SLUG}:{locale}:{article.meta.version}"
    assert meta.findtext("dc:identifier", namespaces=NS) == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
    assert meta.findtext("dc:language", namespaces=NS) == locale
    assert meta.findtext("dc:date", namespaces=NS) == article.meta.reviewed.isoformat()
    props: dict[str, list[str]] = {}
    for element in meta.findall("opf:meta", NS):
        props.setdefault(element.get("property"), []).append(element.text)
    assert props["dcterms:modified"] == [f"{article.meta.reviewed.isoformat()}T00:00:00Z"]
    timings = json.loads((built / "build" / locale / f"{SLUG}.timings.json").read_text(encoding="utf-8"))
    seconds = round(timings["duration"] * 1000)
    duration = f"{seconds // 3_600_000}:{seconds // 60_000 % 60:02d}:{seconds // 1000 % 60:02d}.{seconds % 1000:03d}"
    assert props["media:duration"] == [duration, duration]  # the overlay's and the book's
    assert props["media:active-class"] == ["mo-active"]
    assert b".mo-active" in book.read("EPUB/epub.css")
    figures = list(read_article(REPO / "source" / f"{SLUG}.md").figures())
    assert set(props["schema:accessMode"]) == {"textual", "auditory"} | ({"visual"} if figures else set())
    assert set(props["schema:accessibilityFeature"]) >= {
        "structuralNavigation",
        "synchronizedAudioText",
        "tableOfContents",
        "readingOrder",
    }
    assert props["schema:accessibilityHazard"] == ["none"]
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    assert props["schema:accessibilitySummary"][0]


def test_manifest_and_index_list_the_epub(built: Path) -> None:
    manifest = json.loads((built / "build" / "manifest.json").read_text(encoding="utf-8"))
    found = {o["locale"]: o["path"] for o in manifest["outputs"] if o["format"] == "epub"}
    assert found == {lc: f"{lc}/{SLUG}.epub" for lc in LOCALES}
    index = (built / "build" / "index.html").read_text(encoding="utf-8")
    for path in found.values():
        assert f'href="{path}"' in index


def test_second_build_is_byte_identical(built: Path) -> None:
    first = {lc: (built / "build" / lc / f"{SLUG}.epub").read_bytes() for lc in LOCALES}
    for lc in LOCALES:
        (built / "build" / lc / f"{SLUG}.epub").unlink()
    result = build(built)
    assert result.returncode == 0, result.stderr
    for lc in LOCALES:
        assert (built / "build" / lc / f"{SLUG}.epub").read_bytes() == first[lc], lc


def test_figures_tables_quotes_and_nested_lists_are_synchronised(tmp_path: Path) -> None:
    """A small article with every block kind: the picture travels with its description, every
    element the narration reads one by one has its own clip, and a paragraph or item of several
    sentences one clip per sentence."""
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    front = (REPO / "source" / f"{SLUG}.md").read_text(encoding="utf-8").split("---", 2)[1]
    front = re.sub(r"^glossary:\n(?:[ -].*\n)*", "", front, flags=re.M)  # its terms are not in this body
    alt = "Four steps: collect, change, grow and return the T cells"
    sentences = ["The treatment has four steps.", "Each one takes days.", "Your team explains them."]
    item = ["Collect the cells.", "It is like giving blood."]
    body = (
        f"## Steps\n\n{' '.join(sentences)}\n\n1. {' '.join(item)}\n   - It takes a few hours.\n"
        "2. Change them in a lab.\n\n> Ask your team how long each step takes.\n\n"
        "| Week | What happens |\n| --- | --- |\n| 1 | Collection |\n| 3 | Infusion |\n\n"
        f"![{alt}](steps.svg)\n\n## References\n\nThese are the sources. Ask us for a copy.\n\n"
        "1. Smith J, et al. A study of the cells. N Engl J Med. 2024.\n"
    )
    (root / "source" / "steps.md").write_text(f"---{front.replace(SLUG, 'steps')}---\n{body}", encoding="utf-8")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20"><rect width="50" height="20"/></svg>'
    (root / "source" / "steps.svg").write_text(svg, encoding="utf-8")
    result = run_packager("-C", str(root), "build", "--format", "epub", "--format", "site")  # one narration, both
    assert result.returncode == 0, result.stderr
    path = root / "build" / "en" / "steps.epub"
    check = subprocess.run(["java", "-jar", str(EPUBCHECK), str(path)], capture_output=True, text=True, timeout=600)
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in check.stdout + check.stderr, check.stdout + check.stderr
    book = zipfile.ZipFile(path)
    page = xml(book, "EPUB/content.xhtml")
    img = page.find(".//x:figure/x:img", NS)
    assert img.get("alt") == alt and book.read(f"EPUB/{img.get('src')}") == svg.encode()
    ids = {
        p.find("s:text", NS).get("src").partition("#")[2]
        for p in xml(book, "EPUB/content.smil").iter(f"{{{NS['s']}}}par")
    }
    wanted = page.xpath(
        ".//x:section[@id='steps']//*[self::x:h2 or self::x:p or self::x:li"
        " or self::x:tr[parent::x:tbody] or self::x:figure]",
        namespaces=NS,
    )
    assert len(wanted) == 1 + 2 + 3 + 2 + 1  # heading; paragraph and quoted one; three items; two rows; the figure

    def clips_of(element) -> list[str]:
        return [s.get("id") for s in element.findall("x:span[@class='s']", NS)] or [element.get("id")]

    targets = [t for e in wanted for t in clips_of(e)]
    assert set(targets) <= ids and len(targets) == len(wanted) + (3 - 1) + (2 - 1)
    paragraph = next(e for e in wanted if e.tag == f"{{{NS['x']}}}p")
    assert [text(s) for s in paragraph.findall("x:span[@class='s']", NS)] == sentences
    first_item = next(e for e in wanted if e.tag == f"{{{NS['x']}}}li")
    assert [text(s) for s in first_item.findall("x:span[@class='s']", NS)] == item
    timings = json.loads((root / "build" / "en" / "steps.timings.json").read_text(encoding="utf-8"))
    said = next(p for p in timings["sections"] if p["id"] == "steps")["utterances"]
    assert len(said) == 1 + len(targets)  # "Part 1 of N", then one utterance per clip
    # The paragraph's sentences are spoken one after the other, each timed on its own.
    spoken_sentences = said[2:5]
    assert [bool(u.get("joins")) for u in spoken_sentences] == [False, True, True]
    assert all(a["end"] < b["start"] for a, b in itertools.pairwise(spoken_sentences))
    # In the reference list's part, a paragraph is read sentence by sentence, each entry whole.
    references = page.find(".//x:section[@id='references']", NS)
    assert [text(s) for s in references.findall("x:p/x:span[@class='s']", NS)] == [
        "These are the sources.",
        "Ask us for a copy.",
    ]
    entry = references.find(".//x:li", NS)
    assert not entry.findall("x:span", NS) and entry.get("id") in ids
    props = [(m.get("property"), m.text) for m in xml(book, "EPUB/package.opf").iter(f"{{{NS['opf']}}}meta")]
    assert ("schema:accessMode", "visual") in props and ("schema:accessibilityFeature", "alternativeText") in props
    # The listening station's page: the same picture with its description, the same elements followed.
    from lxml import html as lxml_html

    site = root / "build" / "site" / "en"
    web = lxml_html.fromstring((site / "steps.html").read_bytes())
    img = web.find(".//figure/img")
    assert img.get("alt") == alt and (site / img.get("src")).read_bytes() == svg.encode()
    cues = {cue[0] for part in json.loads(web.get_element_by_id("narration").text)["parts"] for cue in part["cues"]}
    spoken = "self::h2 or self::p or self::li or self::tr[parent::tbody] or self::figure"
    followed = web.xpath(f".//section[@id='steps']//*[{spoken}]")
    assert len(followed) == len(wanted)
    assert [s.get("id") or e.get("id") for e in followed for s in (e.findall("span[@class='s']") or [e])] == targets
    assert set(targets) <= cues


def test_an_outdated_translation_says_so_in_the_text(tmp_path: Path) -> None:
    from tests.test_publishing import assert_outdated_notices, build_outdated

    root, old, new = build_outdated(tmp_path, "epub", "ar")
    page = xml(epub(root, "ar"), "EPUB/content.xhtml")
    notices = [text(p) for p in page.findall(".//x:aside[@class='draft-notice']/x:p", NS)]
    assert_outdated_notices(notices, "ar", old, new)
    opf = xml(epub(root, "ar"), "EPUB/package.opf")
    name = f"packager:{SLUG}:ar:{old}"  # the version this translation is of
    assert opf.findtext(".//dc:identifier", namespaces=NS) == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"
