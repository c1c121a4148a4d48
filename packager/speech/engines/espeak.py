"""eSpeak NG: offline, installed by the setup script, the default everywhere.

It is a formant synthesiser: robotic but clear and always available. Voices
and the Klatt variant are per language data below; Mandarin uses the
pinyin voice because 1.51's ``cmn`` reads tone digits aloud in English, and
is given pinyin made by pypinyin (phrase readings and tone changes).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from typing import TYPE_CHECKING

from packager.errors import PackagerError
from packager.speech import islands
from packager.speech.engines import Voice

if TYPE_CHECKING:
    import numpy as np

#: eSpeak voice per language. klatt4 is the variant an offline recogniser understands best in English.
DEFAULT_VOICES = {"en": "en-us+klatt4", "es": "es-419+klatt4", "ar": "ar", "vi": "vi", "zh": "cmn-latn-pinyin"}
#: Bump when ``engine_text`` changes what eSpeak is given (cached utterances are keyed by the identity).
ENGINE_TEXT_FORMAT = 3
#: Voices that read pinyin with tone numbers: the text is converted by ``packager.speech.pinyin`` first.
PINYIN_VOICES = frozenset({"cmn-latn-pinyin"})
#: eSpeak's -s is nominal; these factors, measured on the shipped article with our pauses, turn the
#: target words (characters) a minute of the whole recording into the -s eSpeak needs.
SPEED_FACTOR = {"en": 1.1, "es": 1.3, "ar": 1.7, "vi": 0.83, "zh": 1.0}


@functools.lru_cache(maxsize=1)
def _binary() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise PackagerError("espeak-ng is not installed; run the setup script (apt-get install espeak-ng)")
    return path


@functools.lru_cache(maxsize=1)
def _voices() -> frozenset[str]:
    out = subprocess.run([_binary(), "--voices"], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 5:
            names.add(fields[1].lower())
            names.add(fields[4].split("/")[-1].lower())
    return frozenset(names)


class EspeakEngine:
    name = "espeak-ng"

    @functools.lru_cache(maxsize=1)  # noqa: B019 - one engine object per build, cheap
    def version(self) -> str:
        out = subprocess.run([_binary(), "--version"], capture_output=True, text=True, check=True).stdout
        return out.split("Data at")[0].replace("eSpeak NG text-to-speech:", "").strip()

    def default_voice(self, locale: str) -> str | None:
        return DEFAULT_VOICES.get(locale) or DEFAULT_VOICES.get(locale.split("_")[0])

    def check(self, voice: Voice) -> None:
        base = voice.name.split("+")[0].lower()
        if base not in _voices():
            raise PackagerError(f"espeak-ng has no voice {base!r} for {voice.locale} (see espeak-ng --voices)")

    def identity(self, voice: Voice) -> str:
        identity = f"{voice.name} -s {_speed(voice)} text-{ENGINE_TEXT_FORMAT}"
        if _pinyin_voice(voice.name):
            from packager.speech import pinyin

            identity += f" {pinyin.version()}"
        return identity

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        speed = _speed(voice)
        text, ssml = espeak_input(text, voice)
        result = subprocess.run(
            [_binary(), "-v", voice.name, "-s", str(speed), "-b", "1", *(["-m"] if ssml else []), "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise PackagerError(f"espeak-ng failed: {result.stderr.decode(errors='replace').strip()}")
        return _read_wav(result.stdout)


def _pinyin_voice(voice_name: str) -> bool:
    return voice_name.split("+")[0].lower() in PINYIN_VOICES


_VOWEL_THEN_SHADDA = re.compile("([\u064b-\u0650])\u0651")


def engine_text(text: str, voice_name: str) -> str:
    """The text as eSpeak NG reads it right with ``voice_name``.

    Pinyin voices get pinyin. Arabic shadda goes before the vowel on the same letter:
    Unicode's canonical order puts it after (دِّ is dal, kasra, shadda), and eSpeak NG then
    drops the vowel (الدِّرَاسَات read "addrāsāt").
    """
    if _pinyin_voice(voice_name):
        from packager.speech.pinyin import to_pinyin

        text = to_pinyin(text)
    return _VOWEL_THEN_SHADDA.sub("\u0651\\1", text)


def espeak_input(text: str, voice: Voice) -> tuple[str, bool]:
    """What eSpeak NG is given for an utterance, and whether it is SSML (``-m``): with language
    islands, each piece in its own voice, as eSpeak NG can switch voice inside one utterance."""
    pieces = islands.segments(text)
    if not any(language for language, _ in pieces):
        return engine_text(text, voice.name), False
    return "<speak>" + "".join(_ssml_voice(language, piece, voice) for language, piece in pieces) + "</speak>", True


def _ssml_voice(language: str | None, piece: str, voice: Voice) -> str:
    """One piece of an utterance in SSML, in the utterance's voice or, for an island, its language's default."""
    from xml.sax.saxutils import escape, quoteattr

    name = voice.name if language is None else (DEFAULT_VOICES.get(language) or voice.name)
    return f"<voice name={quoteattr(name)}>{escape(engine_text(piece, name))}</voice>"


def _speed(voice: Voice) -> int:
    return round(voice.rate * SPEED_FACTOR.get(voice.language, 1.0))


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """eSpeak streams a WAV header with an unknown length; read the format and the samples after it."""
    import numpy as np

    rate = int.from_bytes(data[24:28], "little")
    start = data.find(b"data") + 8
    samples = np.frombuffer(data[start : start + (len(data) - start) // 2 * 2], dtype="<i2")
    return samples.astype(np.float32) / 32768.0, rate
