"""eSpeak NG: offline, installed by the setup script, the default everywhere.

It is a formant synthesiser: robotic but clear and always available. The voice
for a locale is found in the engine's own list (``espeak-ng --voices``) by
BCP 47 matching: the locale is completed with CLDR's likely subtags (``fr`` is
``fr-FR``, ``pt_BR`` stays ``pt-BR``), then a voice named for language and
region wins over one for the language alone, and among voices for the
language the engine's own priority decides. Chinese is one written language
with several spoken ones: the spoken one is the Chinese language CLDR says most
of the region speaks, if most do (Cantonese in Hong Kong and Macao), else
Mandarin (``zh_Hant`` is Taiwan: Mandarin). Settings (``audio.voices``) override.

Speed: eSpeak's ``-s`` is nominal. For the shipped languages a factor measured on
the shipped article with our pauses turns the target words (characters) a minute
into ``-s``. Any other voice is calibrated when first used: it reads the
locale's CLDR day and month names at the default speed, the syllables are
counted in eSpeak's own phoneme transcription, and ``-s`` is scaled so that the
voice articulates ``COMFORTABLE_SYLLABLES`` syllables a minute (pauses excluded).
Mandarin's pinyin voice is given pinyin made by pypinyin (phrase readings and tone changes).
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from packager.errors import PackagerError
from packager.i18n.cldr import likely_subtags
from packager.speech import islands
from packager.speech.engines import Voice

if TYPE_CHECKING:
    import numpy as np

#: Choices made over the match, each for a reason. The shipped Spanish is written for the Americas.
PREFERRED = {"es": "es-419"}
#: 1.51's ``cmn`` reads tone digits aloud in English, so Mandarin uses the pinyin voice.
SUBSTITUTES = {"cmn": "cmn-latn-pinyin"}
#: klatt4 is the variant an offline recogniser understands best in English and Spanish.
VARIANTS = {"en-us": "klatt4", "es-419": "klatt4"}
#: Factors measured on the shipped article with our pauses: target words (characters) a minute -> -s.
#: Bump when ``engine_text`` changes what eSpeak is given (cached utterances are keyed by the identity).
ENGINE_TEXT_FORMAT = 3
#: Voices that read pinyin with tone numbers: the text is converted by ``packager.speech.pinyin`` first.
PINYIN_VOICES = frozenset({"cmn-latn-pinyin"})
SPEED_FACTOR = {"en": 1.1, "es": 1.3, "ar": 1.7, "vi": 0.83, "zh": 1.0}
#: Syllables a minute of speech (pauses excluded) a calibrated voice aims at: the mean articulation
#: rate of the five shipped voices at their tested speeds, measured the same way (264-359).
COMFORTABLE_SYLLABLES = 320
NOMINAL_SPEED = 175  # eSpeak's default -s
_VOWELS = "aeiouyɑɐɒæɔəɘɵɛɜɞɨɪʉʊʌʏøœɶɤɯ"


@dataclass(frozen=True)
class EspeakVoice:
    name: str  # what -v takes: the Language column
    languages: tuple[tuple[str, int], ...]  # (BCP 47 tag, priority: lower is preferred)


@functools.lru_cache(maxsize=1)
def _binary() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise PackagerError("espeak-ng is not installed; run the setup script (apt-get install espeak-ng)")
    return path


@functools.lru_cache(maxsize=1)
def _listings() -> dict[str, str]:
    """What ``espeak-ng --version``, ``--voices`` and ``--voices=variant`` say, asked again only
    when the program, its library or its voice data changed: a no-op build runs no eSpeak."""
    import os

    from packager import statcache

    binary = _binary()

    def ask() -> tuple[dict[str, str], list[str]]:
        said = {
            option: subprocess.run([binary, option], capture_output=True, text=True, check=True).stdout
            for option in ("--version", "--voices", "--voices=variant")
        }
        data = said["--version"].partition("Data at:")[2].strip()
        walked = (top for name in ("lang", "voices") for top, _, _ in os.walk(os.path.join(data, name)))
        folders = [data, *walked] if data else []
        # The library (libespeak-ng) is in the folder above its data: upgrading either changes one of these.
        return said, [binary, *statcache.with_folders(folders, top=[os.path.dirname(data)] if data else [])]

    return statcache.remembered(f"espeak-ng {binary} {os.environ.get('ESPEAK_DATA_PATH', '')}", ask)


def voice_list() -> tuple[EspeakVoice, ...]:
    """``espeak-ng --voices``: each voice with the languages it speaks (its own, then the
    "Other Languages" column), as the engine ranks them."""
    return parse_voices(_listings()["--voices"])


def _version() -> str:
    return _listings()["--version"].split("Data at")[0].replace("eSpeak NG text-to-speech:", "").strip()


def variant_list() -> frozenset[str]:
    """``espeak-ng --voices=variant``: the variants a voice name may add after '+'."""
    lines = _listings()["--voices=variant"].splitlines()[1:]
    return frozenset(line.split()[4].split("/")[-1].lower() for line in lines if len(line.split()) > 4)


def parse_voices(listing: str) -> tuple[EspeakVoice, ...]:
    voices = []
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        others = re.findall(r"\(([^\s()]+) (\d+)\)", " ".join(fields[5:]))
        tags = ((fields[1].lower(), int(fields[0])), *((tag.lower(), int(p)) for tag, p in others))
        voices.append(EspeakVoice(fields[1].lower(), tags))
    return tuple(voices)


def _spoken_chinese(region: str | None, voices: tuple[EspeakVoice, ...]) -> str:
    """The spoken Chinese language for a region: one CLDR says most people there speak, else Mandarin."""
    from babel.core import get_global

    spoken = get_global("territory_languages").get(region or "", {})
    for language, info in sorted(spoken.items(), key=lambda kv: -kv[1]["population_percent"]):
        base = language.split("_")[0]
        if base != "zh" and info["population_percent"] >= 50 and any(v.name == base for v in voices):
            return base
    return "cmn"


def match_voice(locale: str, voices: tuple[EspeakVoice, ...]) -> str | None:
    """The eSpeak voice for ``locale`` by BCP 47 matching (see the module docstring), or None."""
    name = PREFERRED.get(locale) or _best_match(locale, voices)
    if name is None:
        return None
    name = SUBSTITUTES.get(name, name)
    return f"{name}+{VARIANTS[name]}" if name in VARIANTS else name


def _best_match(locale: str, voices: tuple[EspeakVoice, ...]) -> str | None:
    language, _, region = likely_subtags(locale)
    if language == "zh":
        language = _spoken_chinese(region, voices)
    wanted = [f"{language}-{region.lower()}"] if region else []
    wanted.append(language)
    for tag in wanted:
        ranked = sorted((p, i) for i, v in enumerate(voices) for t, p in v.languages if t == tag)
        if ranked:
            return voices[ranked[0][1]].name
    return None


class EspeakEngine:
    name = "espeak-ng"

    def version(self) -> str:
        return _version()

    def default_voice(self, locale: str) -> str | None:
        return match_voice(locale, voice_list())

    def check(self, voice: Voice) -> None:
        base, _, variant = voice.name.lower().partition("+")
        if variant and variant not in variant_list():  # "en+../../etc/passwd" names a file to eSpeak
            raise PackagerError(
                f"espeak-ng has no voice variant {variant!r}; set audio.voices.{voice.locale} to a voice "
                "and, after '+', one of 'espeak-ng --voices=variant'"
            )
        if not any(base == v.name or base in dict(v.languages) for v in voice_list()):
            raise PackagerError(
                f"espeak-ng has no voice {base!r} for {voice.locale}; "
                f"set audio.voices.{voice.locale} to one of 'espeak-ng --voices'"
            )

    def identity(self, voice: Voice) -> str:
        """The voice, its speed and how its text is prepared; a calibrated speed is a function of the
        engine's version (in every cache key), the voice and the calibration, so planning a build does
        not synthesise to know it."""
        if voice.rate:
            identity = f"{voice.name} -s {_speed(voice)}"
        else:
            from babel import __version__ as babel_version  # its CLDR data makes the calibration text

            identity = f"{voice.name} -s calibrated to {COMFORTABLE_SYLLABLES} syllables/min on "
            identity += f"the days and months of {voice.locale} in Babel {babel_version}"
        identity += f" text-{ENGINE_TEXT_FORMAT}"
        if _pinyin_voice(voice.name):
            from packager.speech import pinyin

            identity += f" {pinyin.version()}"
        return identity

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        import numpy as np

        speed = _speed(voice)
        text, ssml = espeak_input(text, voice)
        served = _served(voice.name, speed, text, ssml)
        if served is not None:
            samples, rate = served
            return np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0, rate
        result = subprocess.run(  # no library to load: the command line, with the same samples
            [_binary(), "-v", voice.name, "-s", str(speed), "-b", "1", *(["-m"] if ssml else []), "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise PackagerError(f"espeak-ng failed: {result.stderr.decode(errors='replace').strip()}")
        return _read_wav(result.stdout)


#: This process's eSpeak NG servers (``espeak_server.py``) by voice, with their sample rate and
#: the CPU seconds they had used at their last answer: one per voice a worker speaks in.
_servers: dict[str, list] = {}
MAX_SERVERS = 4
#: Voices whose server could not start (no library, or no voice or language of that name).
_unserved: set[str] = set()


def _answer(stream: IO[bytes]) -> tuple[bytes | str, float]:
    """One answer of a server: its samples or its error message, and the CPU it has used so far."""
    import struct

    head = stream.read(16)
    if len(head) < 16:
        return "the eSpeak NG server stopped", 0.0
    length, cpu = struct.unpack("<qd", head)
    body = stream.read(abs(length))
    return (body.decode(errors="replace") if length < 0 else body), cpu


def _server(voice: str) -> list | None:
    """The server for ``voice``, started when first asked; None if it cannot start (no library)."""
    known = _servers.get(voice)
    if known is not None and known[0].poll() is None:
        return known
    if voice in _unserved:
        return None
    if known is not None or len(_servers) >= MAX_SERVERS:
        _stop(voice if known is not None else next(iter(_servers)))
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("espeak_server.py")
    # -I -S: the standard library only, nothing from the environment, a small process to fork.
    command = [sys.executable, "-I", "-S", str(script), voice]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert server.stdout is not None
    rate = int.from_bytes(server.stdout.read(8).ljust(8, b"\xff"), "little", signed=True)
    if rate <= 0:  # no library, or no such voice: the command line will say so
        server.kill()
        server.wait()
        _unserved.add(voice)
        return None
    _servers[voice] = [server, rate, 0.0]
    return _servers[voice]


def _served(voice: str, speed: int, text: str, ssml: bool) -> tuple[bytes, int] | None:
    """The utterance's samples and rate from the voice's server, or None (the command line then says why).

    The server lives on, so the CPU it spends is not counted as a finished program's would
    be: each answer says how much it has used, and the difference counts as this process's."""
    from packager import timings

    server = _server(voice)
    if server is None:
        return None
    process, rate, used = server
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(json.dumps({"speed": speed, "ssml": ssml, "text": text}).encode() + b"\n")
        process.stdin.flush()
        answer, cpu = _answer(process.stdout)
    except OSError:
        answer, cpu = "the eSpeak NG server stopped", used
    timings.count_elsewhere(max(0.0, cpu - used))
    server[2] = max(cpu, used)
    if isinstance(answer, str):
        _stop(voice)
        return None
    return answer, rate


def _stop(voice: str) -> None:
    """Close a server: it finishes, and its CPU is counted when it is waited for, less what was counted."""
    from packager import timings

    process, _, used = _servers.pop(voice)
    if process.stdin is not None:
        process.stdin.close()
    process.wait()
    timings.count_elsewhere(-used)


@atexit.register
def _stop_all() -> None:
    for voice in list(_servers):
        _stop(voice)


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

    name = voice.name if language is None else (match_voice(language, voice_list()) or voice.name)
    return f"<voice name={quoteattr(name)}>{escape(engine_text(piece, name))}</voice>"


def _speed(voice: Voice) -> int:
    """eSpeak's -s: the settings' words a minute (or the shipped language's measured default)
    through the measured factor; otherwise the calibrated speed for a comfortable syllable rate."""
    if voice.rate:
        return round(voice.rate * SPEED_FACTOR.get(voice.language, 1.0))
    return calibrated_speed(voice.name, voice.locale)


@functools.lru_cache(maxsize=32)
def calibrated_speed(name: str, locale: str) -> int:
    rate = articulation_rate(name, locale, NOMINAL_SPEED)
    return max(80, min(400, round(NOMINAL_SPEED * COMFORTABLE_SYLLABLES / rate))) if rate else NOMINAL_SPEED


def calibration_text(locale: str) -> str:
    """The locale's day and month names from CLDR: words every language has, in its own script."""
    from babel import Locale

    loc = Locale.parse(locale)
    days = [loc.days["format"]["wide"][i] for i in range(7)]
    months = [loc.months["format"]["wide"][i] for i in range(1, 13)]
    return " ".join(days + months)


def articulation_rate(name: str, locale: str, speed: int) -> float:
    """Syllables a minute ``name`` speaks at ``-s speed``: vowel nuclei in eSpeak's own IPA
    transcription of the calibration text over the length of its synthesis."""
    text = calibration_text(locale)
    ipa = subprocess.run(
        [_binary(), "-q", "-v", name, "--ipa"], input=text.encode("utf-8"), capture_output=True, check=True
    ).stdout.decode("utf-8", errors="replace")
    syllables = len(re.findall(f"[{_VOWELS}]+", ipa))
    if syllables < len(text.split()):  # no vowels written, none guessed (unpointed Hebrew): no measure
        return 0.0
    result = subprocess.run(
        [_binary(), "-v", name, "-s", str(speed), "--stdout"], input=text.encode("utf-8"), capture_output=True
    )
    samples, rate = _read_wav(result.stdout)
    seconds = samples.size / rate
    return syllables / seconds * 60 if seconds else 0.0


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """eSpeak streams a WAV header with an unknown length; read the format and the samples after it."""
    import numpy as np

    rate = int.from_bytes(data[24:28], "little")
    start = data.find(b"data") + 8
    samples = np.frombuffer(data[start : start + (len(data) - start) // 2 * 2], dtype="<i2")
    return samples.astype(np.float32) / 32768.0, rate
