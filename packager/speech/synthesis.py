"""Utterances -> cached, trimmed samples -> one mastered signal per chapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from packager.builders import Progress
from packager.speech import audio
from packager.speech.cache import SynthesisCache, cache_key
from packager.speech.engines import Engine, Voice
from packager.speech.script import Script


@dataclass
class Rendered:
    chapters: list[np.ndarray]
    rate: int
    info: dict[str, Any] = field(default_factory=dict)

    def full(self) -> np.ndarray:
        return np.concatenate(self.chapters)


def render(script: Script, engine: Engine, voice: Voice, cache_dir: Path, progress: Progress) -> Rendered:
    """Synthesise (or reuse) every utterance, lay out pauses, and master each chapter to -19 LUFS."""
    cache = SynthesisCache(cache_dir)
    version, identity = engine.version(), engine.identity(voice)
    total = len(script.utterances())
    done = 0
    chapters: list[np.ndarray] = []
    speech_seconds = 0.0
    for chapter in script.chapters:
        pieces = [audio.silence(audio.LEAD_IN)]
        for i, utterance in enumerate(chapter.utterances):
            key = cache_key(engine.name, version, identity, voice.rate, utterance.text)
            cached = cache.get(key)
            if cached is None:
                samples, rate = engine.synthesize(utterance.text, voice)
                samples = audio.trim(audio.to_rate(samples, rate), audio.SAMPLE_RATE)
                cached = cache.put(key, samples, audio.SAMPLE_RATE)
            samples = cached[0]
            speech_seconds += samples.size / audio.SAMPLE_RATE
            last = i == len(chapter.utterances) - 1
            pieces += [samples, audio.silence(audio.TAIL if last else utterance.pause)]
            done += 1
            progress(done, total, chapter.id)
        chapters.append(audio.master(np.concatenate(pieces)))
    full = np.concatenate(chapters)
    words = sum(u.words for u in script.utterances())
    duration = full.size / audio.SAMPLE_RATE
    info = {
        "duration": round(duration, 2),
        "loudness_lufs": round(audio.loudness(full), 2),
        "true_peak_dbtp": round(20 * np.log10(max(audio.true_peak(full), 1e-9)), 2),
        "words": words,
        "words_per_minute": round(words / (duration / 60), 1),
        "cache_hits": cache.hits,
        "synthesised": cache.misses,
    }
    return Rendered(chapters, audio.SAMPLE_RATE, info)
