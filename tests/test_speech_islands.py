"""Language islands: what a translation keeps in English is spoken in English, with English lexicon entries."""

from __future__ import annotations

import subprocess

import pytest

from packager.i18n.translate import localized
from packager.project import load_project
from packager.source import read_article
from packager.speech import islands
from packager.speech.engines import Voice
from packager.speech.engines.espeak import espeak_input
from packager.speech.lexicon import load_lexicon
from packager.speech.script import build_script
from tests.conftest import SLUG, copy_project


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory):
    project = load_project(copy_project(tmp_path_factory.mktemp("islands") / "project"))
    source = read_article(project.source_dir / f"{SLUG}.md")
    english = load_lexicon(project.locales_dir, "en")
    out = {}
    for locale in ("es", "ar", "zh_Hans", "vi"):
        article = localized(project, source, locale)
        lexicon = load_lexicon(project.locales_dir, locale)
        out[locale] = build_script(article, lexicon, source=source, source_lexicon=english)
    return out


def _islands(script) -> list[tuple[str, str]]:
    return [(lang, piece) for u in script.utterances() for lang, piece in islands.segments(u.text) if lang]


@pytest.mark.parametrize("locale", ["es", "ar", "zh_Hans", "vi"])
def test_the_english_title_is_an_english_island(scripts, locale: str) -> None:
    """Spoken with the English lexicon ("bee cells"), whatever the locale's own entry for "B cells" says."""
    found = _islands(scripts[locale])
    assert ("en", "Lupus: bee cells, tee cells and the Immune System") in found, found
    assert all(lang == "en" for lang, _ in found)


def test_only_untranslated_spans_become_islands(scripts) -> None:
    found = " ".join(piece for _, piece in _islands(scripts["es"]))
    assert "células" not in found and "receptor" not in found.split()  # Spanish text, even a shared word, stays
    arabic = [piece for _, piece in _islands(scripts["ar"])]
    assert "Don Thomas" in arabic and not any("الخلايا" in p for p in arabic)


def test_espeak_speaks_an_island_with_the_english_voice() -> None:
    text = "Lea sobre " + islands.mark("en", "the Immune System") + ", de Kaleidoscope."
    said, ssml = espeak_input(text, Voice("espeak-ng", "es-419+klatt4", "es", 155))
    assert ssml and '<voice name="en-us+klatt4">the Immune System</voice>' in said
    phonemes = subprocess.run(["espeak-ng", "-m", "-q", "-x", said], capture_output=True, text=True, check=True).stdout
    assert "Imj'u:n s'Ist@m" in phonemes  # English "immune system", not Spanish "inmune sistem"
    assert islands.strip(text) == "Lea sobre the Immune System, de Kaleidoscope."
