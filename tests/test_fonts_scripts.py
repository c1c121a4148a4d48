"""Fonts chosen by script through fontconfig, and the Debian package named for a missing script."""

from __future__ import annotations

import subprocess
import unicodedata
from collections import defaultdict

import pytest
from fontTools.ttLib import TTFont

from packager.render import fonts


def _fc_lang(tag: str) -> set[str]:
    out = subprocess.run(["fc-list", f":lang={tag}", "family"], capture_output=True, text=True, check=True).stdout
    return {line.split(",")[0] for line in out.splitlines() if line}


@pytest.mark.parametrize(
    ("locale", "tag", "must"),
    [
        ("ko", "ko", "KR"), ("ja", "ja", "JP"), ("zh_Hant", "zh-tw", "TC"), ("zh_Hans", "zh-cn", "SC"),
        ("zh_Hant_HK", "zh-hk", "HK"), ("ur", "ur", "Nastaliq"), ("he", "he", "Hebrew"), ("fa", "fa", "Arabic"),
        ("hi", "hi", "Devanagari"), ("th", "th", "Thai"), ("am", "am", "Ethiopic"), ("ar", "ar", "Arabic"),
    ],
)  # fmt: skip
def test_the_locale_face_supports_its_language_in_fontconfig(locale: str, tag: str, must: str) -> None:
    family = fonts.locale_family(locale)
    assert family in _fc_lang(tag) and must in family and ("Sans" in family or "Nastaliq" in family)


def test_latin_and_cyrillic_locales_use_the_latin_faces() -> None:
    assert fonts.base_families("fr") == [] and fonts.base_families("ru") == []


def test_the_package_named_for_a_missing_character_is_one_whose_fonts_draw_it() -> None:
    """For letters of every script the installed Noto fonts draw, the named package owns a face
    covering it (dpkg -S), so the error's advice installs a font that works."""
    out = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True, check=True).stdout
    files = sorted({line.split(":")[0] for line in out.splitlines() if "/noto/" in line and "Regular" in line})
    assert len(files) > 100, "fonts-noto-core and fonts-noto-cjk are installed by scripts/setup.sh"
    listing = subprocess.run(["dpkg", "-S", *files], capture_output=True, text=True, check=True).stdout
    owner_of = {line.split(": ", 1)[1]: line.split(":")[0] for line in listing.splitlines()}
    owners: dict[int, set[str]] = defaultdict(set)
    samples = set()
    for path in files:
        owner = owner_of[path]
        font = TTFont(path, fontNumber=0, lazy=True)
        cmap = font.getBestCmap()
        font.close()
        for code in cmap:
            owners[code].add(owner)
        letters = [c for c in cmap if c > 0x2FF and unicodedata.category(chr(c)).startswith("L")]
        samples.update(letters[:: max(1, len(letters) // 10)])
    wrong = {chr(c): fonts.debian_package(chr(c)) for c in samples if fonts.debian_package(chr(c)) not in owners[c]}
    assert wrong == {}
