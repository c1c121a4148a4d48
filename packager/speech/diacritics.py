"""Arabic short vowels before synthesis: eSpeak NG guesses them badly from bare consonants.

Arabic is written without most short-vowel marks; a lexicon that asks for it
(``diacritise: tashkeel``) has every utterance diacritised by libtashkeel's
neural model (MIT/Apache-2.0, by Musharraf Omer), as shipped inside the
piper-tts package (``pip install -e '.[arabic]'``): offline, weights in the
package. Marks already in the text are kept as hints, so a lexicon entry
written with its vowels always wins over the model.

Before a pause (end of sentence, colon, semicolon) words take their pausal
form, as Arabic is read aloud: no case ending (الْعِلَاجُ. is read al-ʿilāj),
ta marbuta as h, -an as -ā. eSpeak NG would otherwise read every case ending.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)

#: Arabic letters (hamza to yeh) and the marks that can follow them (tanween, short vowels, shadda, sukun).
ARABIC_LETTER = re.compile(r"[\u0621-\u063a\u0641-\u064a]")
DIACRITIC = re.compile(r"[\u064b-\u0652]")


def coverage(texts: Iterable[str]) -> float:
    """Diacritics per Arabic letter (issue 15 measured 62 on 5,014 letters, 1.2%, before diacritisation)."""
    letters = marks = 0
    for text in texts:
        letters += len(ARABIC_LETTER.findall(text))
        marks += len(DIACRITIC.findall(text))
    return marks / letters if letters else 0.0


@functools.lru_cache(maxsize=4)
def _tashkeel() -> Callable[[str], str] | None:
    try:
        from piper.tashkeel import TashkeelDiacritizer
    except ImportError:
        log.warning("Arabic is narrated without short vowels: install packager's [arabic] extra (piper-tts)")
        return None
    return TashkeelDiacritizer()


def diacritiser(name: str) -> Callable[[str], str] | None:
    """The diacritiser a lexicon names, or None when its package is not installed."""
    if name != "tashkeel":
        raise ValueError(f"unknown diacritiser {name!r}")
    return _tashkeel()


def identity(name: str) -> str:
    """What makes the diacritiser's output: package version and the model's hash from the package record
    (read without importing the model's package: planning a build stays light)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("piper-tts")
    except PackageNotFoundError:
        return f"{name}: not installed"
    model = next((f for f in dist.files or () if f.as_posix() == "piper/tashkeel/model.onnx"), None)
    digest = model.hash.value if model is not None and model.hash is not None else "no model"
    return f"{name}: piper-tts {dist.version} model {digest}"


#: Where a reader pauses: before a full stop, colon, semicolon, question or exclamation mark, or the end.
_PAUSE = r"(?=[»\")\]]*(?:[.!?:;؛؟]|$))"
_LONG_VOWEL_LETTERS = "اآىوي"


_FINAL = re.compile(rf"([\u0621-\u063a\u0641-\u064a])([\u064b-\u0652]*)(ا?){_PAUSE}")


def pausal(text: str) -> str:
    """Pausal forms (waqf) of the diacritised words before each pause."""

    def word_end(m: re.Match[str]) -> str:
        letter, marks, alif = m[1], m[2], m[3]
        shadda = "\u0651" if "\u0651" in marks else ""
        if alif:  # -an written with its alif is read -ā; a long ā stays as it is
            return letter + "\u064e" + shadda + alif if "\u064b" in marks else m[0]
        if letter == "ة":  # -atun, -atan, -ati: -ah
            return "هْ"
        if letter in _LONG_VOWEL_LETTERS and not marks:
            return letter
        return letter + shadda + "\u0652"  # -u, -i, -a, -un, -in: no case ending

    return _FINAL.sub(word_end, text)


def diacritise(text: str, name: str) -> str:
    model = diacritiser(name)
    if model is None or not ARABIC_LETTER.search(text):
        return text
    return pausal(model(text))
