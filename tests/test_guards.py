"""Behaviour the mutation run (scripts/mutation.sh) showed no other test pinned down.

Each test states a rule a patient or a clinic relies on; expected values come from the inputs
(the message, CLDR through Babel, the bytes written), never from the code under test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from hashlib import sha256
from pathlib import Path

import numpy as np
import pytest
from babel import Locale
from babel.units import format_unit

import packager
from packager.atomic import atomic_write, write_if_changed
from packager.builders import FORMATS, formats
from packager.document import Outdated
from packager.engine.manifest import is_fresh, read_manifest, write_index, write_manifest
from packager.errors import IncompleteTranslation, PackagerError
from packager.i18n.checks.lexicon import check_lexicon
from packager.i18n.checks.rules import check_message
from packager.i18n.pofile import read_catalog, write_catalog
from packager.i18n.translate import OutdatedRefused, Translation, localize, localized, translate
from packager.project import load_project
from packager.source import MAX_SOURCE_BYTES, read_article
from packager.speech import audio

from .conftest import SLUG, po_strings
from .test_publishing import edit_source, front_matter_version


def test_persian_zero_width_non_joiner_inside_a_word_is_text_not_an_invisible_character() -> None:
    """CLDR spells milligrams "میلی‌گرم" with U+200C inside the word; at a word's edge it hides nothing
    a reader needs, so there it is still reported."""
    written = format_unit(5, "mass-milligram", locale="fa")
    assert "\u200c" in written
    assert "invisible-character" not in {code for code, _ in check_message("Take 5 mg.", f"{written}.", "fa")}
    for hidden in ("\u200c5 mg.", "5 mg\u200c.", "5\u200cmg."):
        assert "invisible-character" in {code for code, _ in check_message("Take 5 mg.", hidden, "fa")}, hidden


# --- atomic writes -------------------------------------------------------------------------------


def test_write_if_changed_leaves_an_identical_file_alone_and_rewrites_a_different_one(tmp_path: Path) -> None:
    """A rebuild that makes the same bytes does not touch the file staff print from (same inode,
    same time); a different content of the same size is written all the same."""
    path = tmp_path / "out" / "handout.pdf"
    assert write_if_changed(path, b"abcd") is True and path.read_bytes() == b"abcd"
    before = path.stat()
    assert write_if_changed(path, b"abcd") is False
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert write_if_changed(path, b"abce") is True and path.read_bytes() == b"abce"
    assert write_if_changed(path, b"abc") is True and path.read_bytes() == b"abc"


def test_an_atomic_write_is_readable_by_everyone_and_leaves_no_temporary(tmp_path: Path) -> None:
    """0644 whatever the umask of the build, so the web server of the clinic can serve the file;
    temporaries go to ``tmp_dir`` (made if missing) and none is left behind."""
    path, scratch = tmp_path / "build" / "es" / "handout.pdf", tmp_path / "build" / ".tmp"
    old = os.umask(0o077)
    try:
        atomic_write(path, b"%PDF-1.7", tmp_dir=scratch)
    finally:
        os.umask(old)
    assert path.read_bytes() == b"%PDF-1.7"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert scratch.is_dir() and list(scratch.iterdir()) == [] and [p.name for p in path.parent.iterdir()] == [path.name]


def test_an_atomic_write_builds_its_temporary_in_tmp_dir_not_beside_the_output(tmp_path: Path, monkeypatch) -> None:
    """A SIGKILL between write and rename must leave nothing half-written in the folder staff print from."""
    import packager.atomic

    renamed: list[tuple[Path, Path]] = []
    real = os.replace
    monkeypatch.setattr(packager.atomic.os, "replace", lambda a, b: (renamed.append((Path(a), Path(b))), real(a, b)))
    path, scratch = tmp_path / "out" / "a.pdf", tmp_path / "scratch"
    atomic_write(path, b"x", tmp_dir=scratch)
    atomic_write(tmp_path / "b.pdf", b"y")
    assert [(a.parent, b) for a, b in renamed] == [(scratch, path), (tmp_path, tmp_path / "b.pdf")]
    assert all(a.name.startswith(f".{b.name}.") and a.name.endswith(".tmp") for a, b in renamed)


def test_an_interrupted_atomic_write_removes_its_temporary_and_raises(tmp_path: Path, monkeypatch) -> None:
    """Even a KeyboardInterrupt (Ctrl-C during a build) cleans up and is passed on."""
    import packager.atomic

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(packager.atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt, match=r"^$"):
        atomic_write(tmp_path / "a.pdf", b"x")
    assert list(tmp_path.iterdir()) == []


def test_speech_cache_entries_are_not_fsynced_and_a_short_one_is_made_again(tmp_path: Path, monkeypatch) -> None:
    """Cache entries end with their digest, so they skip the fsync outputs get: one a power cut
    left empty or short is a miss, removed, and synthesised again."""
    import numpy as np

    import packager.atomic
    from packager.speech.cache import SynthesisCache

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(packager.atomic.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    cache = SynthesisCache(tmp_path / "tts")
    samples = np.linspace(-0.5, 0.5, 2205, dtype=np.float32)
    stored, rate = cache.put("ab" * 32, samples, 22050)
    cache.put_chapter("cd" * 32, b"\xff\xf3" * 100)
    assert synced == []
    atomic_write(tmp_path / "out" / "a.pdf", b"%PDF-1.7")
    assert len(synced) == 1, "outputs stay durable"
    (entry,) = (tmp_path / "tts").glob("ab/*.wav")
    assert np.array_equal(cache.get("ab" * 32)[0], stored) and cache.hits == 1  # type: ignore[index]
    for size in (entry.stat().st_size // 2, 0):
        entry.write_bytes(entry.read_bytes()[:size])
        assert cache.get("ab" * 32) is None and not entry.exists()
        cache.put("ab" * 32, samples, rate)
    assert np.array_equal(cache.get("ab" * 32)[0], stored)  # type: ignore[index]
    assert (cache.hits, cache.misses) == (2, 2)


# --- build state: build/manifest.json, build/index.html and freshness ---------------------------

EMPTY_MANIFEST = {"version": 1, "targets": {}, "locales": {}, "failures": {}}


@pytest.mark.parametrize(
    "content",
    [None, "not json", "[]", '{"version": 2, "targets": {}, "locales": {}, "failures": {}}',
     '{"targets": {}, "locales": {}, "failures": {}}', '{"version": 1, "targets": [], "locales": {}, "failures": {}}',
     '{"version": 1, "targets": {}, "locales": {}}', '{"version": 1, "targets": {}, "locales": 3, "failures": {}}'],
)  # fmt: skip
def test_a_missing_or_damaged_manifest_reads_as_empty_so_everything_is_rebuilt(tmp_path: Path, content) -> None:
    if content is not None:
        (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    assert read_manifest(tmp_path) == EMPTY_MANIFEST


def test_a_manifest_folder_reads_as_empty_and_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").mkdir()
    assert read_manifest(tmp_path) == EMPTY_MANIFEST
    with pytest.raises(PackagerError, match=r"manifest\.json: the manifest is a folder; remove it and build again$"):
        write_manifest(tmp_path, EMPTY_MANIFEST)


def _out(article: str, locale: str, fmt: str, path: str, data: bytes = b"", **more) -> dict:
    digest = sha256(data).hexdigest()
    return {"article": article, "locale": locale, "format": fmt, "path": path, "sha256": digest, **more}


def test_the_manifest_lists_every_output_in_target_order_and_reads_back(tmp_path: Path) -> None:
    """Sorted keys, every target's outputs in one list, non-ASCII kept as it is, one final newline."""
    state = {"targets": {
        "t/vi/handout": {"inputs": "b", "outputs": [_out("t", "vi", "handout", "vi/t.pdf")]},
        "t/ar/handout": {"inputs": "a", "outputs": [_out("t", "ar", "handout", "ar/t.pdf", title="الذئبة")]},
    }, "locales": {"t/vi": {"state": "current"}, "t/ar": {"state": "outdated"}},
        "failures": {"t/zh/audio": "no voice", "t/es/audio": "no voice"}}  # fmt: skip
    write_manifest(tmp_path, state)
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert text.endswith("}\n") and "الذئبة" in text
    assert data["version"] == 1 and data["packager"] == packager.__version__
    assert list(data["targets"]) == ["t/ar/handout", "t/vi/handout"]
    assert list(data["locales"]) == ["t/ar", "t/vi"] and list(data["failures"]) == ["t/es/audio", "t/zh/audio"]
    assert [o["path"] for o in data["outputs"]] == ["ar/t.pdf", "vi/t.pdf"]
    assert read_manifest(tmp_path) == {key: value for key, value in data.items() if key != "outputs"}
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["manifest.json"]


def test_the_index_page_says_for_each_language_what_it_publishes(tmp_path: Path) -> None:
    """Staff see, per article and language (named in itself, as CLDR names it): the files (labelled
    by format, main file first), and why a language is outdated, a draft, not built or carries
    accepted findings. A locale the manifest lists only among failures is listed too."""
    handout, audio = FORMATS["handout"].label, FORMATS["audio"].label
    state = {"targets": {
        "t/es/handout": {"outputs": [_out("t", "es", "handout", "es/t.pdf", main=True, draft=True)]},
        "t/es/audio": {"outputs": [
            _out("t", "es", "audio", "es/t.m4b"), _out("t", "es", "audio", "es/t.mp3", main=True),
            _out("t", "es", "audio", "es/t/01.mp3"), _out("t", "es", "audio", "es/t.json"),
        ]},
        "t/en/handout": {"outputs": [_out("t", "en", "handout", "en/t.pdf", main=True)]},
    }, "locales": {
        "t/es": {"state": "outdated", "version": "1.0", "source_version": "1.1",
                 "accepted_findings": ["k: m [c]", "j: n [d]"]},
        "t/xx": {"state": "refused", "reason": "only an earlier version <1.0> is complete"},
        "t/fr": {"state": "failed", "reason": "translation check failed"},
        "t/de": {"state": "refused"},
        "t/en": {"state": "current"},
    }, "failures": {"t/en/audio": "no voice for en", "t/xx/handout": "refused", "t/fr/handout": "check failed",
                    "t/zh_Hans/audio": "no voice"}}  # fmt: skip
    write_index(tmp_path, state)
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    rows = re.findall(
        r"^<li><strong>t</strong>: <span lang=\"([^\"]+)\">(.*?)</span> \((.*?)\): (.*?)</li>$", page, re.M
    )
    assert [(lang, name, locale) for lang, name, locale, _ in rows] == [
        (locale.replace("_", "-"), Locale.parse(locale).get_display_name(locale) if locale != "xx" else "xx", locale)
        for locale in ("de", "en", "es", "fr", "xx", "zh_Hans")
    ]
    items = {locale: item for _, _, locale, item in rows}
    assert items["en"] == f'<a href="en/t.pdf">{handout}</a><br><em>not built: audio: no voice for en</em>'
    links = {  # in the registry's build order, each format's main file first
        "handout": [f'<a href="es/t.pdf">{handout}</a>'],
        "audio": [f'<a href="es/t.mp3">{audio}</a>', f'<a href="es/t.m4b">{audio} (m4b)</a>'],
    }
    assert items["es"] == " · ".join(link for fmt in formats() for link in links.get(fmt.name, [])) + (
        "<br><em>outdated translation: of version 1.0; the article is now 1.1</em>"
        "<br><em>draft translation, not yet medically reviewed</em>"
        "<br><em>2 check findings accepted by a reviewer: k: m [c]; j: n [d]</em>"
    )
    assert items["xx"] == "no files<br><em>not built: only an earlier version &lt;1.0&gt; is complete</em>"
    assert items["fr"] == "no files<br><em>not built: translation check failed</em>"  # its reason, once
    assert items["de"] == "no files<br><em>not built: </em>"
    assert items["zh_Hans"] == "no files<br><em>not built: audio: no voice</em>"
    assert page.startswith(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Patient handouts</title>'
    )
    assert "</head>\n<body><h1>Patient handouts</h1>\n<ul>\n<li>" in page and page.endswith(
        "</li>\n</ul></body></html>\n"
    )


def test_the_manifest_and_the_index_are_written_through_build_tmp(tmp_path: Path, monkeypatch) -> None:
    """Their temporaries go to build/.tmp, never beside the files staff open."""
    import packager.atomic

    renamed: list[Path] = []
    real = os.replace
    monkeypatch.setattr(packager.atomic.os, "replace", lambda a, b: (renamed.append(Path(a).parent), real(a, b)))
    write_manifest(tmp_path, EMPTY_MANIFEST)
    write_index(tmp_path, EMPTY_MANIFEST)
    assert renamed == [tmp_path / ".tmp", tmp_path / ".tmp"]


def test_a_target_is_fresh_only_with_the_same_inputs_and_every_output_as_recorded(tmp_path: Path) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "t.pdf").write_bytes(b"pdf")
    good = {"inputs": "d", "outputs": [_out("t", "es", "handout", "es/t.pdf", b"pdf")]}
    assert is_fresh(good, "d", tmp_path)
    assert not is_fresh(good, "other inputs", tmp_path)
    assert not is_fresh(None, "d", tmp_path) and not is_fresh({"inputs": "d", "outputs": {}}, "d", tmp_path)
    for bad in ({}, {"path": 1, "sha256": "x"}, {"path": "es/t.pdf", "sha256": None}):
        assert not is_fresh({"inputs": "d", "outputs": [bad]}, "d", tmp_path), bad
    (tmp_path / "es" / "t.pdf").write_bytes(b"PDF")  # same size, other bytes
    assert not is_fresh(good, "d", tmp_path)
    (tmp_path / "es" / "t.pdf").unlink()
    assert not is_fresh(good, "d", tmp_path)
    (tmp_path / "es" / "t.pdf").mkdir()
    assert not is_fresh(good, "d", tmp_path)


def test_a_manifest_path_out_of_build_or_through_a_symlink_is_never_fresh(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    (tmp_path / "secret").write_bytes(b"s")
    (build / "link.pdf").symlink_to(tmp_path / "secret")
    for path in ("../secret", str(tmp_path / "secret"), "link.pdf"):
        assert not is_fresh(
            {"inputs": "d", "outputs": [{"path": path, "sha256": sha256(b"s").hexdigest()}]}, "d", build
        )


# --- the translate transform: which text a locale publishes --------------------------------------


@pytest.fixture
def current(project_copy: Path) -> Path:
    """The project with a Spanish catalog that translates the source as it is now (each msgstr its
    msgid, which the checks pass) and, as ``packager update`` leaves it, one kept copy of this text:
    the tests below make their own translation state, whatever state the shipped catalogs are in."""
    catalog = read_catalog(project_copy / "locales" / f"{SLUG}.pot")
    for message in catalog:
        if message.id:
            message.string = message.id
    write_catalog(project_copy / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po", catalog)
    history = project_copy / "locales" / "history" / SLUG
    shutil.rmtree(history, ignore_errors=True)
    history.mkdir(parents=True)
    source = project_copy / "source" / f"{SLUG}.md"
    (history / f"0001-{front_matter_version(project_copy)}.md").write_bytes(source.read_bytes())
    return project_copy


def test_the_source_language_is_published_as_written(project_copy: Path) -> None:
    project = load_project(project_copy)
    article = read_article(project.source_dir / f"{SLUG}.md")
    assert localize(project, article, "en") == Translation(article, None, None, article)


def test_a_translation_exactly_at_the_threshold_is_published_and_one_below_is_refused(current: Path) -> None:
    """With one of the N texts untranslated the catalog is 100·(N−1)/N % complete (N from the source)."""
    article = read_article(current / "source" / f"{SLUG}.md")
    catalog = read_catalog(current / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po", locale="es")
    first = next(article.texts())
    catalog.get(first.markdown, context=first.key).string = ""
    complete = 100 * (len(list(article.texts())) - 1) / len(list(article.texts()))
    published = translate(article, catalog, "es", threshold=complete)
    assert next(published.texts()) == first and published.draft and published.locale == "es"
    with pytest.raises(
        IncompleteTranslation,
        match=rf"locale es is \d+% translated, below the [\d.]+% threshold; missing: {first.key}$",
    ):
        translate(article, catalog, "es", threshold=complete + 0.01)


def test_after_an_english_correction_the_earlier_translation_is_published_marked_outdated(current: Path) -> None:
    old = front_matter_version(current)
    edit_source(current, old + ".1")
    project = load_project(current)
    article = read_article(project.source_dir / f"{SLUG}.md")
    result = localize(project, article, "es")
    assert result.earlier and result.article.outdated == Outdated(old, old + ".1")
    assert result.source.meta.version == old and result.article.draft
    path = current / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    assert result.path == path and result.catalog is not None and result.article.locale == "es"  # checked too
    strings = po_strings(path)
    assert [t.markdown for t in result.article.texts()] == [strings[t.key] for t in result.source.texts()]


def test_after_update_the_outdated_translation_comes_from_the_catalog_as_update_kept_it(current: Path) -> None:
    """``packager update`` marks the edited entry fuzzy (its previous msgid the earlier text) and keeps
    the catalog as it was beside the earlier text; that copy is what is published, and checked."""
    from packager.cli import main

    old = front_matter_version(current)
    edit_source(current, old + ".1")
    assert main(["-C", str(current), "-q", "update"]) == 0
    project = load_project(current)
    article = read_article(project.source_dir / f"{SLUG}.md")
    result = localize(project, article, "es")
    kept = current / "locales" / "history" / SLUG / f"0001-{old}.es.po"
    assert result.path == kept and result.catalog is not None and result.article.outdated == Outdated(old, old + ".1")
    strings = po_strings(kept)
    assert [t.markdown for t in result.article.texts()] == [strings[t.key] for t in result.source.texts()]
    kept.unlink()  # without the copy: the fuzzy entries of the updated catalog, by their previous msgid
    result = localize(project, article, "es")
    assert result.path == current / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    assert [t.markdown for t in result.article.texts()] == [strings[t.key] for t in result.source.texts()]


def test_an_incomplete_translation_names_its_catalog_and_a_lower_threshold_publishes_it(current: Path) -> None:
    path = current / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    catalog = read_catalog(path, locale="es")
    next(m for m in catalog if m.id).string = ""
    write_catalog(path, catalog)
    shutil.rmtree(current / "locales" / "history")
    article = read_article(current / "source" / f"{SLUG}.md")
    with pytest.raises(IncompleteTranslation, match=rf"^{re.escape(str(path))}: locale es is \d+% translated"):
        localize(load_project(current), article, "es")
    (current / "packager.yaml").write_text("completeness_threshold: 90\n", encoding="utf-8")
    assert localize(load_project(current), article, "es").path == path


@pytest.mark.parametrize(
    ("settings", "withdraw", "reason"),
    [("outdated_translations: refuse\n", "", r"packager.yaml refuses outdated translations \(outdated_translations"),
     ("", "NEW", r"the article withdraws translations older than NEW \(withdraw_translations_before\)")],
)  # fmt: skip
def test_an_outdated_translation_is_refused_when_the_project_or_the_article_says_so(
    current: Path, settings: str, withdraw: str, reason: str
) -> None:
    old = front_matter_version(current)
    new = old + ".1"
    (current / "packager.yaml").write_text(settings, encoding="utf-8")
    edit_source(current, new, f"\nwithdraw_translations_before: {new}" if withdraw else "")
    project = load_project(current)
    article = read_article(project.source_dir / f"{SLUG}.md")
    with pytest.raises(
        OutdatedRefused,
        match=rf"^{re.escape(str(current / 'locales' / 'es' / 'LC_MESSAGES' / f'{SLUG}.po'))}: .*"
        rf"the last complete translation is of version {old}, and " + reason.replace("NEW", re.escape(new)),
    ):
        localize(project, article, "es")


def test_withdrawing_translations_before_the_version_they_translate_keeps_them(current: Path) -> None:
    old = front_matter_version(current)
    edit_source(current, old + ".1", f"\nwithdraw_translations_before: {old}")
    project = load_project(current)
    article = read_article(project.source_dir / f"{SLUG}.md")
    assert localize(project, article, "es").article.outdated == Outdated(old, old + ".1")


# --- audio mastering: what a listener hears, measured on synthetic signals -----------------------


def _tone(seconds: float, db: float, rate: int = audio.SAMPLE_RATE, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    rng = np.random.default_rng(7)  # speech-like: a tone with noise, so the loudness gate sees a real signal
    signal = np.sin(2 * np.pi * hz * t) + 0.3 * rng.standard_normal(t.size)
    return (signal / np.max(np.abs(signal)) * 10 ** (db / 20)).astype(np.float32)


@pytest.mark.parametrize("db", [-40.0, -12.0, -0.5])
def test_mastering_brings_quiet_and_loud_speech_to_the_target_loudness_under_the_peak_ceiling(db: float) -> None:
    """-19 LUFS within the ±1 LU the target allows (ITU-R BS.1770 through pyloudnorm), true peak
    under -3 dBTP as audiobook platforms (ACX) require."""
    import pyloudnorm
    from scipy.signal import resample_poly

    out = audio.master(_tone(3.0, db))
    level = pyloudnorm.Meter(audio.SAMPLE_RATE).integrated_loudness(out.astype(np.float64))
    assert -20.0 <= level <= -18.0
    assert 20 * np.log10(np.max(np.abs(resample_poly(out.astype(np.float64), 4, 1)))) <= -3.0
    assert out.dtype == np.float32 and out.size == round(3.0 * audio.SAMPLE_RATE)


@pytest.mark.parametrize(("seconds", "db"), [(0.4, -20.0), (1.0, -75.0), (2.3, -40.0), (7.05, -3.0), (61.0, -25.0)])
def test_the_mastering_loudness_meter_reads_what_pyloudnorm_reads(seconds: float, db: float) -> None:
    """The vectorised meter mastering uses gives pyloudnorm's integrated loudness (BS.1770-4) to 1e-6 LU,
    on lengths that are and are not whole gating steps, and below the -70 LUFS absolute gate."""
    import pyloudnorm

    signal = _tone(seconds, db) * np.linspace(0.2, 1.0, round(seconds * audio.SAMPLE_RATE), dtype=np.float32)
    expected = pyloudnorm.Meter(audio.SAMPLE_RATE).integrated_loudness(signal.astype(np.float64))
    assert audio.loudness(signal) == pytest.approx(expected, abs=1e-6)


def test_mastering_silence_returns_silence() -> None:
    out = audio.master(np.zeros(audio.SAMPLE_RATE, dtype=np.float32))
    assert out.dtype == np.float32 and out.size == audio.SAMPLE_RATE and not out.any()


def test_trimming_drops_the_engines_own_silence_but_keeps_10_ms_around_the_words() -> None:
    rate = audio.SAMPLE_RATE
    word = _tone(0.5, -20.0)
    padded = np.concatenate([np.zeros(rate), word, np.zeros(rate)])
    out = audio.trim(padded, rate)
    margin = int(0.01 * rate)
    first, last = np.flatnonzero(np.abs(word) > 10 ** (-50 / 20))[[0, -1]]
    assert out.size == (last - first + 1) + 2 * margin
    assert np.array_equal(out, padded[rate + first - margin : rate + last + margin + 1])
    assert audio.trim(np.zeros(100, dtype=np.float32), rate).size == 0
    assert audio.trim(np.zeros(0, dtype=np.float32), rate).size == 0


def test_silence_lasts_exactly_the_seconds_asked_at_the_rate_asked() -> None:
    assert audio.silence(0.7).size == round(0.7 * 22050) and not audio.silence(0.7).any()
    assert audio.silence(1.5, 16000).size == 24000 and audio.silence(1.5).dtype == np.float32


def test_resampling_keeps_the_duration() -> None:
    voice = _tone(2.0, -20.0, rate=16000)
    assert audio.to_rate(voice, 16000).size == 2 * 22050
    assert audio.to_rate(voice, 22050) is voice


def test_an_mp3_has_an_info_frame_and_lasts_as_long_as_its_samples(tmp_path: Path) -> None:
    """The Info frame (Xing header) counts the frames ffprobe finds and the file's bytes; the length
    read off the frame headers is the second encoded (plus the encoder's delay and padding)."""
    from tests.test_speech_measure import audio_packets

    mp3 = audio.encode_mp3(_tone(1.0, -20.0), 64)
    assert 1.0 <= audio.mp3_seconds(mp3) <= 1.2
    tagged = audio.with_info_header(mp3)
    (tmp_path / "a.mp3").write_bytes(tagged)
    info = tagged.index(b"Info")
    assert int.from_bytes(tagged[info + 8 : info + 12], "big") == audio_packets(tmp_path / "a.mp3")
    assert int.from_bytes(tagged[info + 12 : info + 16], "big") == len(tagged)
    assert tagged.endswith(mp3) and audio.mp3_seconds(tagged) == pytest.approx(audio.mp3_seconds(mp3) + 576 / 22050)
    assert audio.mp3_seconds(b"") == 0.0 and audio.with_info_header(b"ab") == b"ab"


def test_the_playlist_lists_every_track_with_its_rounded_length_on_one_line() -> None:
    text = audio.playlist("Lupus\nand  CAR T", [("t/01.mp3", "One\ttwo", 61.6), ("t/02.mp3", "Three", 2.4)])
    assert text.decode("utf-8") == (
        "#EXTM3U\n#PLAYLIST:Lupus and CAR T\n#EXTINF:62,One two\nt/01.mp3\n#EXTINF:2,Three\nt/02.mp3\n"
    )


def test_a_kept_copy_of_the_current_text_is_skipped_for_the_older_one_the_catalog_translates(
    current: Path,
) -> None:
    """``packager update`` keeps the new text too; the translation of the text before it is still found,
    and its figures still resolve from source/ (the article's own path)."""
    old = front_matter_version(current)
    edit_source(current, old + ".1")
    source = current / "source" / f"{SLUG}.md"
    history = current / "locales" / "history" / SLUG
    (history / f"0002-{old}.1.md").write_bytes(source.read_bytes())
    project = load_project(current)
    article = read_article(source)
    result = localize(project, article, "es")
    assert result.article.outdated == Outdated(old, old + ".1") and result.article.path == article.path
    assert localized(project, article, "es") == result.article


# --- pronunciation lexicons: an entry may change how words sound, never what is said -------------

LEXICON = """\
# a volunteer's lexicon
voices: {"not": ""}
words:
  "not": ""
  "375,000": "357000 or 12"
  "375,000 dollars": "375000 dollars"
  "CAR-T": "car tee"
  "3 mg": "three milligrams"
  "B6": "bee six"
  "妈": "ma1"
  "—": ""
  "x": ["a list"]
symbols:
  "%": "percent"
  "mg": "  "
letters:
  "١٢": "12"
  "5": "6"
other: "ignored"
"""


def test_a_lexicon_entry_that_deletes_a_word_or_changes_a_number_is_reported_with_its_line(tmp_path: Path) -> None:
    """Findings name the section, the written form and the line (1-based, from the text above);
    punctuation may be silent, a number said in words needs a reviewer, pinyin tone digits are no
    number, and digits of any script compare as what a reader reads."""
    path = tmp_path / "lexicon.yaml"
    path.write_text(LEXICON, encoding="utf-8")
    lines = {line.split(":")[0].strip().strip('"'): n for n, line in enumerate(LEXICON.splitlines(), start=1)}
    found = [(code, line, key) for code, _message, line, key in check_lexicon(path)]
    assert found == [
        ("lexicon-deletes", lines["not"], "lexicon/words/not"),
        ("lexicon-number", lines["375,000"], "lexicon/words/375,000"),
        ("lexicon-number-words", lines["3 mg"], "lexicon/words/3 mg"),
        ("lexicon-number-words", lines["B6"], "lexicon/words/B6"),  # a digit on a word is a number when written
        ("lexicon-deletes", lines["x"], "lexicon/words/x"),
        ("lexicon-deletes", lines["mg"], "lexicon/symbols/mg"),
        ("lexicon-number", lines["5"], "lexicon/letters/5"),
    ]
    messages = {key: message for _code, message, _line, key in check_lexicon(path)}
    assert messages["lexicon/words/not"] == "'not' is said as nothing: an entry may not delete words"
    assert (
        messages["lexicon/words/375,000"] == "'375,000' is said with the number(s) 357000, 12, which it does not show"
    )
    assert (
        messages["lexicon/words/3 mg"]
        == "'3 mg' is said in words ('three milligrams'): a reviewer should confirm the number"
    )


@pytest.mark.parametrize("text", ["words: [unclosed", "- a list\n- not a mapping\n", "", "words: 3\n"])
def test_a_lexicon_that_is_not_a_mapping_of_sections_has_no_entry_findings(tmp_path: Path, text: str) -> None:
    """The lexicon reader reports malformed files, naming the line; the check finds nothing to compare."""
    path = tmp_path / "lexicon.yaml"
    path.write_text(text, encoding="utf-8")
    assert list(check_lexicon(path)) == []


def test_an_oversized_kept_text_is_a_one_line_error_naming_it(current: Path) -> None:
    old = front_matter_version(current)
    edit_source(current, old + ".1")
    kept = current / "locales" / "history" / SLUG / f"0002-{old}.1.md"
    kept.write_bytes(b"x" * (MAX_SOURCE_BYTES + 1))
    project = load_project(current)
    with pytest.raises(
        PackagerError, match=rf"0002-{re.escape(old)}\.1\.md: the earlier text is larger than \d+ bytes$"
    ):
        localize(project, read_article(project.source_dir / f"{SLUG}.md"), "es")


def test_a_current_translation_names_its_catalog_file_so_the_build_checks_it(current: Path) -> None:
    """The build checks the catalog a Translation names (engine/plan.py); a Translation without it
    would be published unchecked."""
    from packager.engine.plan import localize_checked

    project = load_project(current)
    article = read_article(project.source_dir / f"{SLUG}.md")
    path = current / "locales" / "es" / "LC_MESSAGES" / f"{SLUG}.po"
    result = localize(project, article, "es")
    assert result.path == path and not result.earlier and result.article.locale == "es"
    strings = po_strings(path)
    assert [t.markdown for t in result.article.texts()] == [strings[t.key] for t in article.texts()]
    text = path.read_text(encoding="utf-8")
    number = re.search(r'^msgstr ".*?(\d{3})', text, re.M)
    path.write_text(text[: number.start(1)] + "999" + text[number.end(1) :], encoding="utf-8")
    with pytest.raises(PackagerError, match=r"^translation check failed: .*\[number-changed\]"):
        localize_checked(project, article, "es")


def test_an_oversized_lexicon_is_a_one_line_error_naming_it(tmp_path: Path) -> None:
    """A megabyte at most (read before parsing, so a planted /dev/zero cannot exhaust memory)."""
    path = tmp_path / "lexicon.yaml"
    path.write_bytes(b"#" * 1_000_000)
    assert list(check_lexicon(path)) == []
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(PackagerError, match=r"lexicon\.yaml: the lexicon is larger than 1000000 bytes$"):
        list(check_lexicon(path))
