"""The interface catalog a project holds: shipped drafts, init, update, stats, check, fallback, rebuilds.

Expected words are read from the PO files with Babel's reader (or from the source's front
matter, dates in CLDR's long form through Babel), never through packager's ``ui_gettext``.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from babel.dates import format_date
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from packager.i18n.checks import check_ui_words
from tests.conftest import REPO, SLUG, copy_project, run_packager

#: Every locale this project ships an interface catalog for.
SHIPPED = sorted(p.parent.parent.name for p in (REPO / "locales").glob("*/LC_MESSAGES/packager.po"))
DRAFT = "Draft translation: not yet reviewed by a qualified medical translator."


def interface_po(root: Path, locale: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / "packager.po"


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def translations(path: Path) -> dict[str, str]:
    return {m.id: m.string for m in read(path) if m.id and m.string and not m.fuzzy}


def template_ids(root: Path = REPO) -> list[str]:
    return [m.id for m in read(root / "locales" / "packager.pot") if m.id]


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_nineteen_shipped_catalogs_are_complete_checked_unreviewed_drafts() -> None:
    wanted = {"fr", "de", "pt_BR", "ru", "ko", "ja", "hi", "he", "fa", "ur", "th", "zh_Hant", "ht", "tl", "am"}
    assert wanted | {"ar", "es", "vi", "zh_Hans"} == set(SHIPPED)
    ids = template_ids()
    assert len(ids) > 30
    for locale in SHIPPED:
        path = interface_po(REPO, locale)
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (locale, result.stderr)
        catalog = read(path)
        strings = translations(path)
        assert sorted(strings) == sorted(ids), locale  # every message, none fuzzy, none left over
        for msgid, msgstr in strings.items():  # the same placeholders, by name
            assert sorted(re.findall(r"\{\w+\}", msgid)) == sorted(re.findall(r"\{\w+\}", msgstr)), (locale, msgid)
        assert catalog.plural_forms == get_plural(locale).plural_forms, locale  # CLDR's, as init writes it
        assert path.read_text(encoding="utf-8").startswith("# DRAFT: machine-drafted"), locale
        errors = [str(f) for f in check_ui_words(REPO / "locales", locale) if f.blocking]
        assert errors == [], errors  # what 'packager check' would refuse
    assert not (REPO / "packager" / "locale").exists(), "the package ships no interface translations"


def test_init_update_and_stats_cover_the_interface_catalog(project_copy: Path, capsys: pytest.CaptureFixture) -> None:
    from packager.cli import main

    root = str(project_copy)
    # An older project: article catalogs but no interface catalog. init starts the interface one alone.
    interface_po(project_copy, "es").unlink()
    assert main(["-C", root, "init", "es"]) == 0
    assert sorted(translations(interface_po(project_copy, "es"))) == []
    assert [m.id for m in read(interface_po(project_copy, "es")) if m.id] == template_ids()
    assert main(["-C", root, "init", "es"]) == 2  # every catalog exists: an error, nothing written
    assert "already exists" in capsys.readouterr().err

    # A volunteer translates two messages; an entry removed by hand comes back with update.
    path = interface_po(project_copy, "es")
    text = path.read_text(encoding="utf-8")
    text = text.replace('msgid "Contents"\nmsgstr ""', 'msgid "Contents"\nmsgstr "Contenido"')
    text = text.replace('msgid "Landmarks"\nmsgstr ""', 'msgid "Landmarks"\nmsgstr "Puntos de referencia"')
    text = re.sub(r'#: [^\n]*\nmsgid "Large print"\nmsgstr ""\n\n', "", text)
    path.write_text(text, encoding="utf-8")
    assert "Large print" not in translations(path) and 'msgid "Large print"' not in text
    assert main(["-C", root, "-q", "update"]) == 0
    assert 'msgid "Large print"' in path.read_text(encoding="utf-8")
    assert translations(path) == {"Contents": "Contenido", "Landmarks": "Puntos de referencia"}

    capsys.readouterr()
    assert main(["-C", root, "stats", "--json"]) == 0
    rows = {r["locale"]: r for r in json.loads(capsys.readouterr().out)}
    total = len(template_ids())
    assert rows["es"]["interface"] == {"translated": 2, "fuzzy": 0, "untranslated": total - 2}
    assert rows["ar"]["interface"] == {"translated": total, "fuzzy": 0, "untranslated": 0}
    assert main(["-C", root, "stats"]) == 0
    assert f"2/{total}" in capsys.readouterr().out


def test_check_reports_a_broken_placeholder_in_the_interface_catalog(project_copy: Path) -> None:
    path = interface_po(project_copy, "es")
    text = path.read_text(encoding="utf-8")
    broken = text.replace('msgstr "Página {page} de {pages}"', 'msgstr "Página {pgae} de {pages}"')
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('msgstr "Página {pgae} de {pages}"')  # 0-based msgstr = 1-based msgid
    result = run_packager("-C", str(project_copy), "check", "--locale", "es")
    assert result.returncode == 1
    assert f"locales/es/LC_MESSAGES/packager.po:{line}: error:" in result.stdout
    assert "[placeholder-changed]" in result.stdout


TINY = """---
title: Tiny handout
slug: {slug}
language: en
version: 1.0.0
reviewed: 2026-11-01
summary: A short test.
authors:
  - Test Writer
medical_reviewers: {reviewers}
licence: CC BY 4.0
source: tests
---

## First part

One paragraph.
"""


def test_footer_says_last_updated_unless_a_medical_reviewer_is_named(tmp_path: Path) -> None:
    """Issue 13: a bare "Reviewed 1 November 2026" reads as a medical review."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "plain.md").write_text(TINY.format(slug="plain", reviewers="[]"), encoding="utf-8")
    named = TINY.format(slug="named", reviewers='["Dr. Ana Ruiz", "Dr. Wei Chen"]')
    (tmp_path / "source" / "named.md").write_text(named, encoding="utf-8")
    result = run_packager("-C", str(tmp_path), "build", "-q", "--format", "handout")
    assert result.returncode == 0, result.stderr
    day = format_date(date(2026, 11, 1), "long", locale="en")
    plain, reviewed = (pdf_text(tmp_path / "build" / "en" / f"{slug}.pdf") for slug in ("plain", "named"))
    assert squash(f"Last updated {day}") in squash(plain)
    assert "Reviewed" not in plain and "Medically reviewed" not in plain and "Medical review by" not in plain
    assert squash(f"Medically reviewed by Dr. Ana Ruiz, Dr. Wei Chen, {day}") in squash(reviewed)
    assert "Reviewed" not in reviewed
    assert squash("Medical review by Dr. Ana Ruiz, Dr. Wei Chen") in squash(reviewed)  # About this handout


def _handout(root: Path) -> tuple[str, str]:
    result = run_packager("-C", str(root), "build", "--json", "--locale", "es", "--format", "handout")
    assert result.returncode == 0, result.stderr[-2000:]
    (status,) = [o["status"] for o in json.loads(result.stdout)]
    return status, pdf_text(root / "build" / "es" / f"{SLUG}.pdf")


def test_the_projects_catalog_is_printed_english_once_and_an_edit_rebuilds(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = interface_po(root, "es")
    words = translations(path)
    status, text = _handout(root)
    assert status == "built"
    page = squash(text)
    assert page.count(squash(words[DRAFT])) == 1 and page.count(squash(DRAFT)) == 1  # Spanish, then English
    reviewed = re.search(r"^reviewed: (\S+)$", (root / "source" / f"{SLUG}.md").read_text(encoding="utf-8"), re.M)[1]
    day = format_date(date.fromisoformat(reviewed), "long", locale="es")
    assert squash(words["Last updated {date}"].format(date=day)) in page
    assert squash(words["About this handout"]) in page

    # The volunteer leaves the draft notice untranslated and rewords a heading: the handout is rebuilt,
    # the English notice printed once (not once as "Spanish" and once as English), the new words shown.
    catalog = path.read_text(encoding="utf-8")
    catalog = catalog.replace(f'msgstr "{words[DRAFT]}"', 'msgstr ""')
    catalog = catalog.replace(f'msgstr "{words["About this handout"]}"', 'msgstr "Sobre esta hoja informativa"')
    path.write_text(catalog, encoding="utf-8")
    status, text = _handout(root)
    assert status == "built"
    page = squash(text)
    assert page.count(squash(DRAFT)) == 1
    assert squash("Sobre esta hoja informativa") in page and squash(words["About this handout"]) not in page
    status, _ = _handout(root)
    assert status == "up to date"


def test_a_project_without_interface_catalogs_prints_english(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    interface_po(root, "es").unlink()
    from packager.i18n.ui import ui_gettext

    assert ui_gettext(root / "locales", "es")("About this handout") == "About this handout"
    assert ui_gettext(root / "locales", "es_MX")("Contents") == "Contents"
    assert ui_gettext(REPO / "locales", "es_MX")("Contents") == translations(interface_po(REPO, "es"))["Contents"]


def test_a_reviewer_accepts_interface_findings_and_a_review_covers_the_interface(project_copy: Path) -> None:
    """Like the article's catalog: accepted only in reviews/, and any edit voids the review."""
    root = str(project_copy)
    path = interface_po(project_copy, "es")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Contenido"', 'msgstr "Contenido 2"'), encoding="utf-8")
    result = run_packager("-C", root, "check", "--locale", "es", "--json")
    assert result.returncode == 1
    (finding,) = [f for r in json.loads(result.stdout) for f in r["findings"] if f["severity"] == "error"]
    assert finding["code"] == "number-changed" and finding["key"] == "interface:Contents"
    accepted = run_packager("-C", root, "accept", "es", finding["accept_flag"], "--by", "Dr. Ana Ruiz")
    assert accepted.returncode == 0, accepted.stderr
    assert run_packager("-C", root, "check", "--locale", "es").returncode == 0

    assert run_packager("-C", root, "review", "es", "--by", "Dr. Ana Ruiz").returncode == 0
    stats = {r["locale"]: r for r in json.loads(run_packager("-C", root, "stats", "--json").stdout)}
    assert stats["es"]["reviewed"] is True
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('msgstr "Idioma: {language}."', 'msgstr "Lengua: {language}."'), encoding="utf-8")
    stats = {r["locale"]: r for r in json.loads(run_packager("-C", root, "stats", "--json").stdout)}
    assert stats["es"]["reviewed"] is False  # the interface changed since the review: a draft again


def test_an_article_cannot_take_the_interface_catalogs_name(tmp_path: Path) -> None:
    from packager.errors import PackagerError
    from packager.source import read_article

    path = tmp_path / "packager.md"
    path.write_text(TINY.format(slug="packager", reviewers="[]"), encoding="utf-8")
    with pytest.raises(PackagerError, match="slug 'packager' is the interface catalog's name"):
        read_article(path)


def test_a_regional_catalog_falls_back_to_its_language_message_by_message(project_copy: Path) -> None:
    """A volunteer starts es_MX: what it does not translate yet is Spanish (es), then English."""
    from packager.i18n.ui import ui_gettext, ui_paths

    locales = project_copy / "locales"
    (locales / "es_MX" / "LC_MESSAGES").mkdir(parents=True)
    spanish = translations(interface_po(REPO, "es"))
    mexican = interface_po(project_copy, "es_MX")
    text = interface_po(project_copy, "es").read_text(encoding="utf-8")
    text = text.replace('"Language: es\\n"', '"Language: es_MX\\n"')
    text = text.replace(f'msgstr "{spanish["Contents"]}"', 'msgstr "Índice"')
    mexican.write_text(text.replace(f'msgstr "{spanish["Landmarks"]}"', 'msgstr ""'), encoding="utf-8")
    _ = ui_gettext(locales, "es_MX")
    assert _("Contents") == "Índice" and _("Landmarks") == spanish["Landmarks"]
    assert ui_paths(locales, "es_MX") == [mexican, interface_po(project_copy, "es")]  # both are build inputs
