"""Text-to-speech engines behind one small interface, chosen per locale in settings.

An engine says whether it has a voice for a locale (before any work starts)
and turns one normalised utterance into mono samples. Everything else
(caching, pauses, loudness, encoding) is shared and lives outside.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from packager.errors import PackagerError
from packager.project import Project

if TYPE_CHECKING:  # numpy is for synthesis, not for planning a build
    import numpy as np

ENGINES = {
    "espeak-ng": "packager.speech.engines.espeak:EspeakEngine",
    "piper": "packager.speech.engines.piper:PiperEngine",
    "gtts": "packager.speech.engines.gtts:GttsEngine",
}

#: Comfortable words a minute (CJK: characters) for the shipped languages, measured on the shipped
#: article (tests/test_speech_delivery.py). Elsewhere the rate is 0: each engine's own comfortable
#: rate (eSpeak: a calibrated syllable rate; Piper: the voice's natural length).
DEFAULT_RATE = {"en": 155, "es": 155, "ar": 120, "vi": 175, "zh": 215}


class EngineUnavailable(PackagerError):
    """An online engine kept failing: the builder may switch to the fallback engine."""


@dataclass(frozen=True)
class Voice:
    """One engine, one voice, one speed: everything that decides how an utterance sounds."""

    engine: str
    name: str  # eSpeak voice, Piper .onnx path, or gTTS language code
    locale: str
    rate: int  # words (CJK: characters) a minute; 0: the engine's comfortable rate for the language

    @property
    def language(self) -> str:
        return self.locale.split("_")[0]


class Engine(Protocol):
    name: str

    def version(self) -> str:
        """Part of every cache key and of the build inputs."""
        ...

    def default_voice(self, locale: str) -> str | None: ...

    def check(self, voice: Voice) -> None:
        """Raise PackagerError if the voice or its language is missing; cheap, offline."""
        ...

    def identity(self, voice: Voice) -> str:
        """What identifies the voice's sound beyond its name (e.g. a model file's hash)."""
        ...

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """Mono float32 samples in [-1, 1] and their sample rate.

        ``text`` may hold language islands (``packager.speech.islands``): an engine that can switch
        voice speaks each in its language; one that cannot reads ``islands.strip(text)``.
        """
        ...


def get_engine(name: str) -> Engine:
    if name not in ENGINES:
        raise PackagerError(f"unknown audio engine {name!r} (known: {', '.join(ENGINES)})", "packager.yaml")
    module, _, attr = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), attr)()


def voice_for(project: Project, locale: str, engine_name: str | None = None) -> tuple[Engine, Voice]:
    """The engine and voice settings choose for ``locale`` (or ``engine_name``, for the fallback)."""
    audio = project.settings.audio
    name = engine_name or audio.engines.get(locale) or audio.engine
    engine = get_engine(name)
    configured = audio.voices.get(locale) if engine_name is None or engine_name == _configured(audio, locale) else None
    voice_name = configured or engine.default_voice(locale)
    if not voice_name:
        raise PackagerError(
            f"engine {name} has no voice for {locale}; set audio.voices.{locale} "
            f"(or audio.engines.{locale} with a voice that speaks it) in packager.yaml, "
            f"or do without audio for it: 'skip: {{{locale}: audio}}'",
            "packager.yaml",
        )
    rate = audio.rate or DEFAULT_RATE.get(locale.split("_")[0], 0)
    voice = Voice(name, voice_name, locale, rate)
    engine.check(voice)
    return engine, voice


def _configured(audio, locale: str) -> str:
    return audio.engines.get(locale) or audio.engine
