"""eSpeak NG voices found in the engine's own list by BCP 47 matching, and calibrated speeds."""

from __future__ import annotations

import re
import subprocess

import pytest

from packager.errors import PackagerError
from packager.project import load_project
from packager.speech.engines import espeak, voice_for

LISTING = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True, check=True).stdout
#: Language column -> its rows, read here independently of packager's parser.
LISTED = {line.split()[1].lower() for line in LISTING.splitlines()[1:]}


@pytest.mark.parametrize(
    ("locale", "voice"),
    [
        ("pt_BR", "pt-br"),  # language and region listed together
        ("fr", "fr-fr"),  # CLDR's likely region for French is France
        ("de", "de"),
        ("ru", "ru"),
        ("ko", "ko"),
        ("ja", "ja"),
        ("hi", "hi"),
        ("he", "he"),
        ("fa", "fa"),
        ("ur", "ur"),
        ("th", "th"),
        ("ht", "ht"),
        ("am", "am"),
        ("en_GB", "en-gb"),
        ("zh_Hant_HK", "yue"),  # Cantonese: CLDR says 90% of Hong Kong speaks it
        ("zh_Hant", "cmn-latn-pinyin"),  # Taiwan: Mandarin (the pinyin voice, see SUBSTITUTES)
    ],
)
def test_voice_is_found_by_bcp47_matching(locale: str, voice: str) -> None:
    assert voice in LISTED or voice == "cmn-latn-pinyin"
    assert espeak.match_voice(locale, espeak.voice_list()).split("+")[0] == voice


def test_a_language_espeak_cannot_speak_gets_one_line_naming_the_settings(tmp_path) -> None:
    assert "tl" not in LISTED and "fil" not in LISTED
    (tmp_path / "source").mkdir()
    (tmp_path / "packager.yaml").write_text("")
    with pytest.raises(PackagerError, match=re.escape("audio.voices.tl")) as caught:
        voice_for(load_project(tmp_path), "tl")
    message = str(caught.value)
    assert "\n" not in message and "audio.voices.tl" in message and "audio.engines.tl" in message


def test_settings_override_the_match(tmp_path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "packager.yaml").write_text("audio:\n  voices: {fr: fr-be}\n")
    _, voice = voice_for(load_project(tmp_path), "fr")
    assert voice.name == "fr-be"


@pytest.mark.parametrize("locale", ["fr", "hi", "am"])
def test_calibrated_speed_reaches_the_comfortable_syllable_rate(locale: str) -> None:
    name = espeak.match_voice(locale, espeak.voice_list())
    speed = espeak.calibrated_speed(name, locale)
    measured = espeak.articulation_rate(name, locale, speed)
    assert measured == pytest.approx(espeak.COMFORTABLE_SYLLABLES, rel=0.1)
