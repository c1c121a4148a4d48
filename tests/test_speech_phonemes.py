"""Pronunciation regression: what eSpeak NG says for every lexicon entry, read back as phonemes (-x).

``tests/data/phonemes.yaml`` records, per locale, the phonemes of each entry's spoken form
as reviewed when the entry was added. A new entry without a recording, or an entry (or an
eSpeak NG upgrade) that changes how it sounds, fails here: listen, then update the file.
A few readings named in issue 15 are also checked against dictionary pronunciations.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from packager.speech.engines.espeak import EspeakEngine, engine_text
from packager.speech.lexicon import load_lexicon
from packager.speech.pinyin import to_pinyin
from tests.conftest import ALL_LOCALES

REPO = Path(__file__).resolve().parent.parent
RECORDED = REPO / "tests" / "data" / "phonemes.yaml"


def phonemes(locale: str, said: str) -> str:
    voice = EspeakEngine().default_voice(locale)  # the voice the narration uses, found as the build finds it
    assert voice is not None, locale
    said = engine_text(said, voice)  # as the engine is given it (pinyin, Arabic mark order)
    out = subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", said], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def spoken_entries(locale: str) -> dict[str, str]:
    lexicon = load_lexicon(REPO / "locales", locale)
    return {**lexicon.words, **{f"letter {k}": v for k, v in lexicon.letters.items()}}


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_every_lexicon_entry_sounds_as_recorded(locale: str) -> None:
    recorded = (yaml.safe_load(RECORDED.read_text(encoding="utf-8")) or {}).get(locale, {})
    entries = spoken_entries(locale)
    assert sorted(entries) == sorted(recorded), f"record the phonemes of new entries in {RECORDED.name}"
    changed = {w: (recorded[w], p) for w, said in entries.items() if (p := phonemes(locale, said)) != recorded[w]}
    assert not changed, changed


#: Dictionary pronunciations (Merriam-Webster, Cambridge) as eSpeak's English phonemes, for the words
#: issue 15 found misread: the entry must make eSpeak say these sounds.
ENGLISH = {
    "chimeric": "k'aIm'ErIk",  # kī-ˈmer-ik, not "CHY-merik"
    "allogeneic": "'aloUdZ'Vn'i:;'Ik",  # ˌa-lō-jə-ˈnē-ik
    "prednisone": "pr'Edn'Is'oUn",  # ˈpred-nə-ˌsōn
    "CAR": "k'A@",  # the word "car", not C-A-R
}


@pytest.mark.parametrize("written", sorted(ENGLISH))
def test_english_readings_from_the_dictionary(written: str) -> None:
    said = load_lexicon(REPO / "locales", "en").words.get(written, written)
    assert phonemes("en", said) == ENGLISH[written]


def test_espeak_reads_plaquenil_better_than_a_respelling() -> None:
    """ "plack when ill" stressed "when"; eSpeak's own reading is ˈpla-kwə-ˌnil, so there is no entry."""
    assert "Plaquenil" not in load_lexicon(REPO / "locales", "en").words
    assert phonemes("en", "Plaquenil") == "pl'akw@n,Il"


def test_arabic_shadda_keeps_its_vowel() -> None:
    """الدِّرَاسَات is ad-dirāsāt: the kasra after the doubled dal is heard (canonical mark order lost it)."""
    assert phonemes("ar", "الدِّرَاسَاتِ").startswith("?add:i")


def test_chinese_through_pypinyin() -> None:
    """Phrase readings and tone changes: 称为 chēng wéi; 一个 yí gè; 不对 bú duì."""
    assert to_pinyin("称为一个不对。") == "cheng1 wei2 yi2 ge4 bu2 dui4."
    assert "w'ei35" in phonemes("zh_Hans", "称为")
