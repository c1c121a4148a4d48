"""The listening station (``build/site/``) in a real browser: Debian's headless Chromium, driven
by Selenium through Debian's chromedriver, pages loaded from ``file://``.

Selenium rather than puppeteer-core: the tests stay in pytest and Python, and chromedriver is
Debian's own build for the same Chromium, so nothing is downloaded. The site is the one of the
shipped project built once per test run (``shipped_build``). The oracles: the catalogs and the
source read as text, the narration's timings file, and axe-core's WCAG 2.2 AA rules.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from benchmarks.browser import AXE, CHROMEDRIVER, CHROMIUM, axe_violations, chromium
from packager import inline
from tests.conftest import ALL_LOCALES, REPO, SLUG, ui_string
from tests.test_publishing import assert_published_notices, published_article, translated_version

DRAFT = "Draft translation: not yet reviewed by a qualified medical translator."


@pytest.fixture(scope="module")
def site(shipped_build: Path) -> Path:
    return shipped_build / "build" / "site"


@pytest.fixture(scope="module")
def browser():
    for need in (CHROMIUM, CHROMEDRIVER, AXE):
        if not need.exists():
            pytest.fail(f"{need} is missing: run 'bash scripts/setup.sh --test'")
    with chromium() as driver:
        yield driver


def page_of(site: Path, locale: str) -> Path:
    return site / locale / f"{SLUG}.html"


def words(element) -> str:
    return " ".join(element.text_content().split())


def words_of(text: str) -> str:
    return " ".join(text.split())


def source_paragraphs() -> list[str]:
    """Every text of the article as the template's msgids hold it (the source's words), plain."""
    pot = (REPO / "locales" / f"{SLUG}.pot").read_text(encoding="utf-8")
    msgids = [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r'^msgid "(.+)"$', pot, re.M)]
    return [words_of(inline.plain(m)) for m in msgids]


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_page_is_the_translated_article_with_lang_dir_and_notices(site: Path, locale: str) -> None:
    page = lxml_html.fromstring(page_of(site, locale).read_bytes())
    assert page.get("lang") == locale.replace("_", "-") and page.get("dir") == ("rtl" if locale == "ar" else "ltr")
    article = published_article(locale, translated_version(REPO, locale))
    assert words(page.find(".//h1")) == " ".join(inline.plain(article.meta.title.markdown).split())
    for section in article.sections:
        element = page.find(f".//section[@id='{section.id}']")
        assert element is not None, section.id
        if section.heading:
            assert words(element.find("h2")) == " ".join(inline.plain(section.heading.markdown).split())
        for block in section.blocks:
            text = getattr(block, "text", None)
            if text is not None:
                assert " ".join(inline.plain(text.markdown).split()) in words(element)
    notices = [words(p) for p in page.findall(".//div[@class='draft-notice']/p")]
    assert_published_notices(notices, locale)


def test_home_lists_every_language_in_its_own_name(site: Path) -> None:
    from babel import Locale

    home = lxml_html.fromstring((site / "index.html").read_bytes())
    links = {a.get("href"): a for a in home.findall(".//ul[@class='languages']//a")}
    assert set(links) == {f"{locale}/{SLUG}.html" for locale in ALL_LOCALES}
    for locale in ALL_LOCALES:
        link = links[f"{locale}/{SLUG}.html"]
        assert link.get("lang") == locale.replace("_", "-")
        assert words(link.find("span[@class='language']")) == Locale.parse(locale).get_display_name(locale)


def test_every_address_is_a_file_of_the_site(site: Path) -> None:
    """No network: every src and href is relative and names a file inside build/site/; only the
    article's own links (a reader may follow them) lead elsewhere."""
    source = (REPO / "source" / f"{SLUG}.md").read_text(encoding="utf-8")
    pages = [site / "index.html", *(page_of(site, locale) for locale in ALL_LOCALES)]
    for page in pages:
        tree = lxml_html.fromstring(page.read_bytes())
        for element in tree.iter():
            for attribute in ("src", "href"):
                value = element.get(attribute)
                if value is None or value.startswith("#"):
                    continue
                parts = urlsplit(value)
                if element.tag == "a" and parts.scheme in ("https", "http", "mailto", "tel"):
                    assert value.split(":", 1)[1].strip("/") in source, f"{page.name}: {value}"
                    continue
                assert not parts.scheme and not parts.netloc, f"{page.name}: {value}"
                target = (page.parent / parts.path).resolve()
                assert target.is_file() and target.is_relative_to(site.resolve()), f"{page.name}: {value}"
        assert "autoplay" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["index.html", *(f"{locale}/{SLUG}.html" for locale in ALL_LOCALES)])
def test_axe_finds_no_wcag_22_aa_violation(site: Path, browser, page: str) -> None:
    browser.get((site / page).as_uri())
    violations = axe_violations(browser)
    report = [(v["id"], v["help"], [n.get("target") for n in v["nodes"]][:5]) for v in violations]
    assert violations == [], json.dumps(report, indent=1, ensure_ascii=False)


def test_nothing_plays_until_asked(site: Path, browser) -> None:
    browser.get(page_of(site, "en").as_uri())
    time.sleep(1)
    assert browser.execute_script("return [...document.querySelectorAll('audio')].every(a => a.paused)")


def test_keyboard_play_on_section_two_follows_the_timings(site: Path, shipped_build: Path, browser) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    timings = json.loads((shipped_build / "build" / "en" / f"{SLUG}.timings.json").read_text(encoding="utf-8"))
    part = timings["sections"][1]  # the second part of the narration: the article's first headed section
    browser.get(page_of(site, "en").as_uri())
    target = browser.execute_script(f"return document.querySelector('#{part['id']} .play')")
    for _ in range(60):  # Tab through the page as a keyboard user does, up to section 2's play
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if browser.switch_to.active_element == target:
            break
    assert browser.switch_to.active_element == target, "Tab never reached section 2's play button"
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    audio = f"document.querySelector('#{part['id']} audio')"
    assert browser.execute_script(f"return !{audio}.paused")  # Enter started this section's narration
    said = part["utterances"]
    # The first paragraph the part reads in more than one sentence: its first two sentences.
    later = next(n for n, u in enumerate(said) if u.get("joins"))
    first, second = (u["start"] - part["start"] for u in said[later - 1 : later + 1])

    def reading() -> dict:
        return browser.execute_script(
            "const e = document.querySelector('.reading');"
            "return e ? {id: e.id, text: e.textContent, whole: e.parentElement.textContent} : {};"
        )

    browser.execute_script(f"{audio}.pause(); {audio}.currentTime = arguments[0];", second - 0.05)
    time.sleep(0.5)
    before = reading()
    browser.execute_script(f"{audio}.currentTime = arguments[0];", second + 0.05)
    time.sleep(0.5)
    after = reading()
    assert first < second - 0.05  # "before" was read inside the first sentence
    # The highlight moved from one sentence to the next of the same paragraph, as the time passed
    # the second's start: the paragraph's text (from the catalog) holds the two, one after the other.
    assert before["id"] and after["id"] and before["id"] != after["id"]
    assert before["id"].rsplit("-", 1)[0] == after["id"].rsplit("-", 1)[0]
    paragraphs = source_paragraphs()
    pair = words_of(before["text"]) + " " + words_of(after["text"])
    assert any(pair in paragraph for paragraph in paragraphs), pair
    assert words_of(before["whole"]) in paragraphs
    section = browser.execute_script(f"return document.getElementById('{after['id']}').closest('section').id")
    assert section == part["id"]


def test_kiosk_returns_to_the_languages_when_idle(site: Path, browser) -> None:
    browser.get(page_of(site, "ar").as_uri() + "?kiosk&idle=1")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not urlsplit(browser.current_url).path.endswith("/index.html"):
        time.sleep(0.2)
    assert urlsplit(browser.current_url).path.endswith("/site/index.html")
    assert "kiosk" in urlsplit(browser.current_url).query  # the language list stays in kiosk mode


def test_manifest_lists_the_pages_and_the_home(shipped_build: Path) -> None:
    manifest = json.loads((shipped_build / "build" / "manifest.json").read_text(encoding="utf-8"))
    paths = {out["path"] for out in manifest["outputs"]}
    assert {f"site/{locale}/{SLUG}.html" for locale in ALL_LOCALES} <= paths
    shared = {out["path"]: out["sha256"] for out in manifest["shared"]["site"]}
    assert set(shared) == {"site/index.html", "site/assets/site.css", "site/assets/site.js"}
    for path, digest in shared.items():
        assert hashlib.sha256((shipped_build / "build" / path).read_bytes()).hexdigest() == digest
    index = (shipped_build / "build" / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'href="site/ar/{SLUG}\.html"', index)


def test_an_outdated_translation_says_so_on_its_page_and_the_home_page_and_rebuilds_the_same(tmp_path: Path) -> None:
    from tests.conftest import run_packager
    from tests.test_publishing import assert_outdated_notices, build_outdated

    root, old, new = build_outdated(tmp_path, "site", "ar")
    site = root / "build" / "site"
    page = lxml_html.fromstring(page_of(site, "ar").read_bytes())
    notices = [words(p) for p in page.findall(".//div[@class='draft-notice']/p")]
    assert_outdated_notices(notices, "ar", old, new)
    home = lxml_html.fromstring((site / "index.html").read_bytes())
    marks = [words(m) for m in home.findall(".//a[@lang='ar']/span[@class='mark']")]
    assert ui_string("ar", DRAFT) in marks
    assert any(old in m and new in m for m in marks if m != ui_string("ar", DRAFT)), marks
    # Reproducible: the page and the home page made again from the same inputs are the same bytes.
    before = {path: path.read_bytes() for path in (page_of(site, "ar"), site / "index.html")}
    page_of(site, "ar").unlink()
    (site / "index.html").unlink()
    result = run_packager("-C", str(root), "build", "--format", "site", "--locale", "ar")
    assert result.returncode == 0, result.stderr
    assert {path: path.read_bytes() for path in before} == before
