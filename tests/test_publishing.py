"""Real change: an English correction keeps every language published (marked outdated), a project
or article can refuse outdated translations, one broken language fails only its own targets, and
one broken article only its own.

Expected wording comes from the files (the source's front matter, the interface catalogs read
as text), never from the lookups under test.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from packager.document import Article
from packager.project import load_project
from packager.source import read_article
from tests.conftest import REPO, SHIPPED_LOCALES, SLUG, copy_project, run_packager, ui_string
from tests.test_blocks import ARTICLES
from tests.test_blocks import SLUG as SECOND

EDITED_FROM = "The first studies were small, but the results were strong."
EDITED_TO = "The first studies were small, but the results were very strong."
OUTDATED_MSGID = "This translation is of version {version}; the {language} article is now {current}."
SPOKEN_MSGID = "This translation is of an earlier version of the article. The {language} article has changed since."


def front_matter_version(root: Path) -> str:
    return re.search(r"^version: (\S+)$", (root / "source" / f"{SLUG}.md").read_text(encoding="utf-8"), re.M)[1]


def edit_source(root: Path, new_version: str, extra: str = "") -> None:
    """One English correction in one paragraph, with a new version, as a clinic would make it."""
    path = root / "source" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8")
    assert EDITED_FROM in text
    text = text.replace(EDITED_FROM, EDITED_TO, 1)
    text = re.sub(r"^version: \S+$", f"version: {new_version}{extra}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def translated_version(root: Path, locale: str) -> str:
    """The article version a shipped translation is of, read from the files: the article as it is
    when the catalog is complete (no fuzzy or empty entry), else the catalog's latest snapshot in
    ``locales/history/`` (kept when an update merged a newer text into it)."""
    catalog = root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po"
    text = catalog.read_text(encoding="utf-8") if catalog.exists() else ""
    complete = not re.search(r"^#,.*\bfuzzy\b", text, re.M) and not re.search(r'^msgstr ""\n(?!")', text, re.M)
    snapshots = sorted((root / "locales" / "history" / SLUG).glob(f"*.{locale}.po"))
    if complete or not snapshots:
        return front_matter_version(root)
    return snapshots[-1].name.split("-", 1)[1].removesuffix(f".{locale}.po")


def published_article(locale: str, version: str) -> Article:
    """What an output of ``locale`` must show, from the files a translator edits: the source and
    the catalog, or for an outdated translation the earlier source and catalog kept in
    ``locales/history/`` (``version`` from :func:`translated_version`)."""
    import dataclasses

    from tests.conftest import expected_article, po_strings

    if version == front_matter_version(REPO):
        return expected_article(read_article(REPO / "source" / f"{SLUG}.md"), locale)
    (source,) = (REPO / "locales" / "history" / SLUG).glob(f"*-{version}.md")
    strings = po_strings(source.with_name(f"{source.stem}.{locale}.po"))
    return read_article(source).map_texts(lambda text: dataclasses.replace(text, markdown=strings[text.key]))


def build_outdated(tmp_path: Path, fmt: str, locale: str) -> tuple[Path, str, str]:
    """A copy of the project whose English article moved on a version, built in one format and
    locale: the project's folder, the version the translation is of and the article's new version.

    """
    root = copy_project(tmp_path / "project")
    current = front_matter_version(root)
    old = translated_version(root, locale)
    edit_source(root, current + ".1")
    result = run_packager("-C", str(root), "build", "--format", fmt, "--locale", locale)
    assert result.returncode == 0, result.stderr
    return root, old, current + ".1"


def assert_outdated_notices(notices: list[str], locale: str, old: str, new: str = "") -> None:
    """The outdated notice of a translation of version ``old`` (now ``new``, by default ``old``.1),
    in ``locale`` and in English."""
    new = new or f"{old}.1"
    translated = ui_string(locale, OUTDATED_MSGID).split("{")[0].strip()
    assert any(translated in n and old in n and new in n for n in notices), notices
    assert OUTDATED_MSGID.format(version=old, language="English", current=new) in notices


def assert_published_notices(notices: list[str], locale: str) -> None:
    """A shipped translation's notices: draft, in its language and in English, and outdated when it is."""
    draft = "Draft translation: not yet reviewed by a qualified medical translator."
    version, current = translated_version(REPO, locale), front_matter_version(REPO)
    if locale == "en":
        assert notices == []
    elif version != current:
        assert ui_string(locale, draft) in notices and draft in notices
        assert_outdated_notices(notices, locale, version, current)
    else:
        assert notices == [ui_string(locale, draft), draft]


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages).replace("\n", " ")
    return unicodedata.normalize("NFKC", text)  # Arabic presentation forms back to letters


def printed(sentence: str, text: str) -> bool:
    """Every word of ``sentence`` is in ``text``. pdfplumber gives right-to-left lines in visual order,
    with a lam-alef ligature's two letters in logical order: those are compared without the lams."""

    def canon(words: str) -> str:
        return "".join(c for c in words if unicodedata.category(c) != "Mn" and c != "\u0644")

    words = [  # words with vowel marks are left out: the PDF places marks apart from their letters
        w for w in re.split(r"[\s；;،؛，。.,()]+", sentence) if len(w) > 1 and canon(w) == w.replace("\u0644", "")
    ]
    if re.search(r"[\u3400-\u9fff]", sentence):  # no spaces between Chinese words: compare phrases
        phrases = re.split(r"[\s；;，,。.:：]+", unicodedata.normalize("NFKC", sentence))
        return all(phrase in re.sub(r"\s+", "", text) for phrase in phrases)
    return bool(words) and all(w in text or canon(w[::-1]) in canon(text) or canon(w) in canon(text) for w in words)


def manifest(root: Path) -> dict:
    return json.loads((root / "build" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The shipped project after an English correction (new version), handouts built."""
    root = copy_project(tmp_path_factory.mktemp("edited") / "project")
    old = front_matter_version(root)
    new = old + ".1"
    edit_source(root, new)
    result = run_packager("-C", str(root), "build", "--format", "handout", "--quiet")
    assert result.returncode == 0, result.stderr
    return root, old, new


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_an_english_correction_keeps_each_translation_published_marked_outdated(
    edited: tuple[Path, str, str], locale: str
) -> None:
    root, old, new = edited
    text = pdf_text(root / "build" / locale / f"{SLUG}.pdf")
    notice = ui_string(locale, OUTDATED_MSGID).format(version=old, current=new, language="")
    assert printed(notice, text), notice
    english = OUTDATED_MSGID.format(version=old, language="English", current=new)
    assert re.sub(r"\s+", " ", english) in re.sub(r"\s+", " ", text)
    outputs = [o for o in manifest(root)["outputs"] if o["locale"] == locale]
    assert outputs and all(
        o["translation"] == {"state": "outdated", "version": old, "source_version": new} for o in outputs
    )
    assert all(o["article_version"] == old for o in outputs)
    assert manifest(root)["locales"][f"{SLUG}/{locale}"]["state"] == "outdated"
    # The published text is the earlier one: its wording of the edited paragraph, from the catalog.
    catalog = (root / "locales" / locale / "LC_MESSAGES" / f"{SLUG}.po").read_text(encoding="utf-8")
    old_translation = re.search(r'msgid "[^"]*' + re.escape(EDITED_FROM) + r'[^"]*"\nmsgstr "([^"]*)"', catalog).group(
        1
    )
    assert printed(old_translation, text), old_translation


def test_the_english_handout_is_current_with_the_correction(edited: tuple[Path, str, str]) -> None:
    root, _old, new = edited
    assert EDITED_TO in pdf_text(root / "build" / "en" / f"{SLUG}.pdf")
    state = manifest(root)["locales"][f"{SLUG}/en"]
    assert (state["state"], state["version"], state["source_version"]) == ("current", new, new)


def test_the_index_lists_every_language_with_its_state(edited: tuple[Path, str, str]) -> None:
    root, old, new = edited
    index = (root / "build" / "index.html").read_text(encoding="utf-8")
    for locale in SHIPPED_LOCALES:
        row = next(line for line in index.splitlines() if f"({locale})" in line)
        assert f"{locale}/{SLUG}.pdf" in row and f"of version {old}; the article is now {new}" in row


def test_the_spoken_opening_says_the_translation_is_outdated(edited: tuple[Path, str, str]) -> None:
    from packager.i18n.translate import localize
    from packager.speech.lexicon import load_lexicon
    from packager.speech.script import build_script

    root, _old, _new = edited
    project = load_project(root)
    article = read_article(project.articles()[0])
    for locale in SHIPPED_LOCALES:
        spoken = ui_string(locale, SPOKEN_MSGID)
        localized_article = localize(project, article, locale).article
        script = build_script(
            localized_article, load_lexicon(project.locales_dir, locale), locales_dir=project.locales_dir
        )
        said = " ".join(u.text for u in script.chapters[0].utterances)
        opening = "".join(c for c in said if unicodedata.category(c) != "Mn")  # Arabic is spoken with vowel marks
        before, _, after = spoken.partition("{language}")
        assert before.strip()[:20] in opening and after.strip()[-12:].rstrip("。.") in opening, (spoken, opening)


def test_stats_and_check_list_what_is_outdated(edited: tuple[Path, str, str]) -> None:
    root, old, _new = edited
    stats = json.loads(run_packager("-C", str(root), "stats", "--json").stdout)
    assert {(r["locale"], r["state"], r["published_version"]) for r in stats} == {
        (locale, "outdated", old) for locale in SHIPPED_LOCALES
    }
    result = run_packager("-C", str(root), "check", "--json")
    assert result.returncode == 0, result.stdout[-2000:]
    reports = [r for r in json.loads(result.stdout) if r["locale"] in SHIPPED_LOCALES]
    assert len(reports) == len(SHIPPED_LOCALES)
    for report in reports:
        outdated = [f for f in report["findings"] if f["code"] == "outdated"]
        assert len(outdated) == 1 and f"version {old}" in outdated[0]["message"]


def test_translations_stay_published_after_update_marks_the_entry_fuzzy(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    old = front_matter_version(root)
    edit_source(root, old + ".1")
    assert run_packager("-C", str(root), "update", "-q").returncode == 0
    catalog = (root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po").read_text(encoding="utf-8")
    assert "#, fuzzy\n#| msgid" in catalog
    assert run_packager("-C", str(root), "update", "-q").returncode == 0  # a second update keeps the #| line
    assert (root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po").read_text(encoding="utf-8") == catalog
    stats = json.loads(run_packager("-C", str(root), "stats", "--json").stdout)
    assert {(r["state"], r["published_version"], r["fuzzy"]) for r in stats} == {("outdated", old, 1)}


def test_a_removed_paragraph_is_published_from_the_obsolete_entry(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    path = root / "source" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8")
    paragraph = next(p for p in text.split("\n\n") if EDITED_FROM in p)
    path.write_text(text.replace(paragraph + "\n\n", "", 1), encoding="utf-8")
    assert run_packager("-C", str(root), "update", "-q").returncode == 0
    assert "#~ msgid" in (root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po").read_text(encoding="utf-8")
    stats = json.loads(run_packager("-C", str(root), "stats", "--json").stdout)
    assert {r["state"] for r in stats} == {"outdated"}


@pytest.mark.parametrize("how", ["setting", "front-matter"])
def test_outdated_translations_can_be_refused_and_are_listed_with_the_reason(tmp_path: Path, how: str) -> None:
    root = copy_project(tmp_path / "project")
    assert run_packager("-C", str(root), "build", "--format", "handout", "-q").returncode == 0
    old = front_matter_version(root)
    new = old + ".1"
    if how == "setting":
        (root / "packager.yaml").write_text("outdated_translations: refuse\n", encoding="utf-8")
        edit_source(root, new)
        because = "outdated_translations: refuse"
    else:
        edit_source(root, new, f"\nwithdraw_translations_before: {new}")
        because = f"withdraws translations older than {new}"
    result = run_packager("-C", str(root), "build", "--format", "handout")
    assert result.returncode == 1
    data = manifest(root)
    index = (root / "build" / "index.html").read_text(encoding="utf-8")
    for locale in SHIPPED_LOCALES:
        state = data["locales"][f"{SLUG}/{locale}"]
        assert state["state"] == "refused" and because in state["reason"]
        assert because in data["failures"][f"{SLUG}/{locale}/handout"]
        row = next(line for line in index.splitlines() if f"({locale})" in line)
        assert "not built" in row and because in row
        assert not (root / "build" / locale / f"{SLUG}.pdf").exists(), "an outdated handout was left to print"
        assert sum(f"/{locale} (handout)" in line for line in result.stderr.splitlines()) == 1
    assert (root / "build" / "en" / f"{SLUG}.pdf").exists()


def test_an_empty_catalog_fails_only_its_own_locale_and_is_named_once(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    assert run_packager("-C", str(root), "init", "it", "-q").returncode == 0
    result = run_packager("-C", str(root), "build", "--format", "handout", "--format", "large-print")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1 and "/it (handout, large-print)" in errors[0] and "0% translated" in errors[0]
    for locale in ("en", *SHIPPED_LOCALES):
        assert (root / "build" / locale / f"{SLUG}.pdf").exists()
    assert manifest(root)["locales"][f"{SLUG}/it"]["state"] == "failed"
    check = run_packager("-C", str(root), "check", "--locale", "it")
    assert check.returncode == 1 and "[incomplete]" in check.stdout


def test_a_missing_voice_fails_only_that_audio_target(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    (root / "packager.yaml").write_text("audio:\n  voices: {es: no-such-voice}\n", encoding="utf-8")
    result = run_packager("-C", str(root), "build", "--locale", "es", "--format", "handout", "--format", "audio")
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("packager: error:")]
    assert len(errors) == 1 and "/es (audio)" in errors[0] and "no-such-voice" in errors[0]
    assert (root / "build" / "es" / f"{SLUG}.pdf").exists()


def test_errors_that_help(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    result = run_packager("-C", str(root), "build", "--locale", "xx")
    assert result.returncode == 2 and f"there are: en, {', '.join(SHIPPED_LOCALES)}" in result.stderr
    (root / "packager.yaml").write_text("audio:\n  bitrat: 64\n", encoding="utf-8")
    result = run_packager("-C", str(root), "stats")
    assert result.returncode == 2 and "packager.yaml:2: unknown setting 'audio.bitrat'" in result.stderr
    assert "did you mean 'audio.bitrate'?" in result.stderr
    (root / "packager.yaml").unlink()
    result = run_packager("stats", "--json", cwd=root / "locales" / "es")  # found upwards, like git
    assert result.returncode == 0 and {r["locale"] for r in json.loads(result.stdout)} == set(SHIPPED_LOCALES)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = run_packager("stats", cwd=outside)
    assert result.returncode == 2 and "-C DIR" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_deleted_catalog_is_no_longer_published(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    assert run_packager("-C", str(root), "build", "--format", "handout", "-q").returncode == 0
    (root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po").unlink()  # the clinic withdrew a wrong translation
    assert run_packager("-C", str(root), "build", "--format", "handout", "-q").returncode == 0
    assert not (root / "build" / "es" / f"{SLUG}.pdf").exists()
    data = manifest(root)
    assert f"{SLUG}/es" not in data["locales"] and all(o["locale"] != "es" for o in data["outputs"])
    assert "(es)" not in (root / "build" / "index.html").read_text(encoding="utf-8")


def test_a_locale_one_article_lacks_still_builds_the_others(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    second = (root / "source" / f"{SLUG}.md").read_text(encoding="utf-8").replace(f"slug: {SLUG}", "slug: second", 1)
    (root / "source" / "second.md").write_text(second, encoding="utf-8")  # no Spanish catalog for it
    result = run_packager("-C", str(root), "build", "--locale", "es", "--format", "handout", "-q")
    assert result.returncode == 0, result.stderr
    assert (root / "build" / "es" / f"{SLUG}.pdf").exists()
    result = run_packager("-C", str(root), "build", "--locale", "xx", "--format", "handout")
    assert result.returncode == 2 and "no catalog for locale xx" in result.stderr


def test_a_catalog_with_msgmerges_obsolete_previous_lines_is_read(tmp_path: Path) -> None:
    from packager.i18n.pofile import read_catalog

    root = copy_project(tmp_path / "project")
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    extra = '\n#~| msgid "An older wording."\n#~ msgctxt "gone/p1"\n'
    extra += '#~ msgid "A removed paragraph."\n#~ msgstr "Un párrafo quitado."\n'
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    catalog = read_catalog(path, locale="es")
    assert catalog.obsolete and run_packager("-C", str(root), "check", "--locale", "es", "-q").returncode == 0


def test_a_fuzzy_entry_rewritten_for_the_new_text_does_not_leak_into_the_outdated_handout(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    edit_source(root, front_matter_version(root) + ".1")
    assert run_packager("-C", str(root), "update", "-q").returncode == 0
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    text = path.read_text(encoding="utf-8")
    old = re.search(r'#\| msgid "[^"]*' + re.escape(EDITED_FROM) + r'[^"]*"\n(?:.*\n){2}msgstr "([^"]*)"', text)[1]
    path.write_text(
        text.replace(f'msgstr "{old}"', 'msgstr "Borrador a medio hacer del texto nuevo."'), encoding="utf-8"
    )
    assert run_packager("-C", str(root), "build", "--locale", "es", "--format", "handout", "-q").returncode == 0
    shown = pdf_text(root / "build" / "es" / f"{SLUG}.pdf")
    assert "a medio hacer" not in shown and printed(old, shown), "the outdated handout prints the old translation"


def test_one_failing_article_leaves_the_others_outputs_and_index_entry(tmp_path: Path) -> None:
    """Two articles in one project (issue 13, A.3): the second's figure goes missing, so its render
    fails at build time; the build exits 1 naming the file and line, and the first article's
    handout, manifest entry and index link are as the last good build left them."""
    root = copy_project(tmp_path / "project")
    shutil.copytree(ARTICLES, root / "source", dirs_exist_ok=True)
    build = ("-C", str(root), "build", "--locale", "en", "--format", "handout")
    assert run_packager(*build, "-q").returncode == 0
    first = root / "build" / "en" / f"{SLUG}.pdf"
    before = first.read_bytes()
    index = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert f"en/{SLUG}.pdf" in index and f"en/{SECOND}.pdf" in index

    (root / "source" / "images" / "steps.svg").unlink()
    result = run_packager(*build)
    assert result.returncode == 1, result.stderr
    source = (root / "source" / f"{SECOND}.md").read_text(encoding="utf-8")
    line = source[: source.index("images/steps.svg")].count("\n") + 1
    errors = [e for e in result.stderr.splitlines() if e.startswith("packager: error:")]
    assert len(errors) == 1 and f"{SECOND}/en (handout)" in errors[0] and f"{SECOND}.md:{line}:" in errors[0]
    assert first.read_bytes() == before
    data = manifest(root)
    listed = {o["path"]: o["sha256"] for o in data["outputs"]}
    assert listed[f"en/{SLUG}.pdf"] == hashlib.sha256(before).hexdigest()
    assert f"{SECOND}/en/handout" in data["failures"]
    index = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert f"en/{SLUG}.pdf" in index and f"en/{SECOND}.pdf" not in index
