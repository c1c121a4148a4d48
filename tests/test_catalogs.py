"""The translator's workflow: extract, init, update, stats, and applying a catalog to the tree."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from packager.cli import main
from packager.errors import IncompleteTranslation, PackagerError
from packager.i18n.pofile import REVIEW_BY, read_catalog, write_catalog
from packager.i18n.translate import translate
from packager.project import load_project
from packager.source import read_article
from tests.conftest import REPO, SHIPPED_LOCALES, SLUG


def msgfmt_check(path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def po(root: Path, locale: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po"


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_shipped_catalogs_pass_msgfmt_and_are_complete_drafts(locale: str) -> None:
    path = po(REPO, locale)
    msgfmt_check(path)
    catalog = read_catalog(path, locale=locale)
    messages = [m for m in catalog if m.id]
    assert messages and all(m.string and not m.fuzzy for m in messages)
    assert not catalog.extra_headers.get(REVIEW_BY), "machine drafts must not claim a medical review"


def test_shipped_template_is_current_and_valid(project_copy: Path) -> None:
    before = (project_copy / "locales" / f"{SLUG}.pot").read_bytes()
    assert main(["-C", str(project_copy), "--quiet", "extract"]) == 0
    assert (project_copy / "locales" / f"{SLUG}.pot").read_bytes() == before, "run 'packager extract' and commit"
    msgfmt_check(project_copy / "locales" / f"{SLUG}.pot")


def test_template_has_one_message_per_text_with_context_comment_and_location(project_copy: Path) -> None:
    catalog = read_catalog(project_copy / "locales" / f"{SLUG}.pot")
    article = read_article(project_copy / "source" / f"{SLUG}.md")
    texts = list(article.texts())
    messages = [m for m in catalog if m.id]
    assert len(messages) == len(texts)
    by_key = {m.context: m for m in messages}
    for text in texts:
        message = by_key[text.key]
        assert message.id == text.markdown
        assert message.auto_comments == [text.comment]
        assert message.locations == [(f"source/{SLUG}.md", text.line)]
    kinds = {m.context.split("/")[-1].rstrip("0123456789") for m in messages}
    assert {"title", "summary", "heading", "p", "item"} <= kinds
    assert any("/table1/r" in m.context for m in messages)
    # Translators see Markdown, never HTML.
    assert any("**" in m.id for m in messages) and not any("<strong>" in m.id for m in messages)
    assert any("[clinicaltrials.gov](https://clinicaltrials.gov/)" in m.id for m in messages)


def test_extract_and_update_twice_change_no_byte(project_copy: Path) -> None:
    for _ in range(2):
        assert main(["-C", str(project_copy), "-q", "extract"]) == 0
        assert main(["-C", str(project_copy), "-q", "update"]) == 0
    snapshot = {p: p.read_bytes() for p in (project_copy / "locales").rglob("*.po*")}
    assert main(["-C", str(project_copy), "-q", "extract"]) == 0
    assert main(["-C", str(project_copy), "-q", "update"]) == 0
    assert {p: p.read_bytes() for p in (project_copy / "locales").rglob("*.po*")} == snapshot
    # The shipped catalogs are already in that stable form.
    for p, data in snapshot.items():
        assert (REPO / p.relative_to(project_copy)).read_bytes() == data, p


def test_volunteer_workflow_init_translate_update_stats(project_copy: Path, capsys: pytest.CaptureFixture) -> None:
    root = str(project_copy)
    assert main(["-C", root, "init", "it"]) == 0
    path = po(project_copy, "it")
    msgfmt_check(path)
    text = path.read_text(encoding="utf-8")
    from babel.messages.plurals import get_plural  # the installed CLDR's rule: whatever its version says

    assert '"Language: it\\n"' in text and f'"Plural-Forms: {get_plural("it").plural_forms}\\n"' in text
    with pytest.raises(PackagerError, match="already exists"):
        from packager.i18n import workflow

        workflow.init(load_project(project_copy), "it")

    # A volunteer translates one message in a text editor.
    text = text.replace(
        'msgid "Lupus and CAR T-cell therapy"\nmsgstr ""',
        'msgid "Lupus and CAR T-cell therapy"\nmsgstr "Lupus e terapia CAR-T"',
    )
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["-C", root, "stats", "--json"]) == 0
    rows = {r["locale"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["it"]["translated"] == 1 and rows["it"]["untranslated"] == rows["it"]["total"] - 1
    assert rows["es"]["percent"] == 100.0 and rows["es"]["reviewed"] is False

    assert main(["-C", root, "update"]) == 0
    msgfmt_check(path)
    assert 'msgstr "Lupus e terapia CAR-T"' in path.read_text(encoding="utf-8")
    assert main(["-C", root, "stats"]) == 0
    table = capsys.readouterr().out
    assert "it" in table and "not reviewed (draft)" in table


def test_update_fuzzy_matches_edits_and_keeps_obsolete(project_copy: Path) -> None:
    source = project_copy / "source" / f"{SLUG}.md"
    text = source.read_text(encoding="utf-8")
    old = "The first studies were small, but the results were strong."
    new = "The first studies were small, but the results were very strong."
    # The whole list item, as the article words it today: only its opening words are assumed.
    lines = text.splitlines(keepends=True)
    removed = next(line for line in lines if line.startswith("- **Keep taking your medicines.**"))
    source.write_text(text.replace(old, new).replace(removed, ""), encoding="utf-8")
    assert main(["-C", str(project_copy), "-q", "update"]) == 0
    path = po(project_copy, "es")
    msgfmt_check(path)
    written = path.read_text(encoding="utf-8")
    assert f'#| msgid "{old}"' in written, "translators see what the old source said"
    assert '#~ msgid "**Keep taking your medicines.**' in written, "removed entries stay as #~"
    catalog = read_catalog(path, locale="es")
    edited = next(m for m in catalog if m.id == new)
    assert edited.fuzzy and edited.string.startswith("Los primeros estudios")
    # A fuzzy entry counts as untranslated: the locale is now refused, naming what is missing.
    article = read_article(source)
    with pytest.raises(IncompleteTranslation, match=r"missing: .*what-did-the-early-studies-show/p1"):
        translate(article, catalog, "es")


def test_long_translations_are_never_rewrapped(project_copy: Path) -> None:
    path = po(project_copy, "es")
    longest = max(
        (line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("msgstr")), key=len
    )
    assert len(longest) > 200
    assert main(["-C", str(project_copy), "-q", "update"]) == 0
    assert longest in path.read_text(encoding="utf-8").splitlines()


def test_identity_catalog_reproduces_the_source_exactly(project_copy: Path) -> None:
    article = read_article(project_copy / "source" / f"{SLUG}.md")
    catalog = read_catalog(project_copy / "locales" / f"{SLUG}.pot")
    for message in catalog:
        if message.id:
            message.string = message.id
    result = translate(article, catalog, "en")
    assert result == dataclasses.replace(article, draft=True)
    assert list(result.texts()) == list(article.texts())


def test_translation_replaces_every_text_and_threshold_refuses_partial(project_copy: Path) -> None:
    article = read_article(project_copy / "source" / f"{SLUG}.md")
    catalog = read_catalog(po(project_copy, "es"), locale="es")
    spanish = translate(article, catalog, "es")
    assert spanish.locale == "es" and spanish.draft
    assert spanish.meta.title.markdown != article.meta.title.markdown
    assert [t.key for t in spanish.texts()] == [t.key for t in article.texts()]
    first = next(m for m in catalog if m.id)
    first.string = ""
    with pytest.raises(IncompleteTranslation, match=r"locale es is 99% translated, below the 100% threshold"):
        translate(article, catalog, "es")
    assert translate(article, catalog, "es", threshold=90).meta.title == article.meta.title


def test_a_review_covers_exactly_what_was_reviewed(project_copy: Path) -> None:
    """Signed in reviews/ with 'packager review': voided by any change of translation, lexicon or version."""
    from packager.i18n.translate import localize

    root = str(project_copy)

    def reviewed() -> bool:
        project = load_project(project_copy)
        return not localize(project, read_article(project.articles()[0]), "vi").article.draft

    assert not reviewed()
    assert main(["-C", root, "-q", "review", "vi", "--by", "Dr. Nguyen Van A"]) == 0
    signoff = (project_copy / "reviews" / SLUG / "vi.yaml").read_text(encoding="utf-8")
    version = read_article(project_copy / "source" / f"{SLUG}.md").meta.version  # what was reviewed
    assert "by: Dr. Nguyen Van A" in signoff and f"source_version: {version}" in signoff
    assert reviewed()
    path = po(project_copy, "vi")
    original = path.read_bytes()
    catalog = read_catalog(path, locale="vi")
    next(m for m in catalog if m.context == "meta/title").string += " (sửa)"
    write_catalog(path, catalog)
    assert not reviewed(), "a changed translation voids the review"
    path.write_bytes(original)
    assert reviewed()
    lexicon = project_copy / "locales" / "vi" / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not reviewed(), "a changed pronunciation lexicon voids the review"
