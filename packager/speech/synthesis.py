"""Utterances -> cached, trimmed samples -> one mastered signal per chapter."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from packager.builders import Progress
from packager.speech import audio
from packager.speech.cache import SynthesisCache, cache_key
from packager.speech.engines import Engine, Voice
from packager.speech.script import Script
from packager.timings import stage

#: Bump when mastering or encoding changes the sound of a chapter.
CHAPTER_FORMAT = "chapter-4"


@dataclass
class Rendered:
    """Each chapter's MP3 frames (untagged, constant bit rate): end to end, they are the whole narration."""

    chapters: list[bytes]
    seconds: list[float]  # each chapter's decoded length
    info: dict[str, Any] = field(default_factory=dict)
    #: per chapter, per utterance: (start, end) in seconds from the chapter's start, in the mastered audio
    timings: list[list[tuple[float, float]]] = field(default_factory=list)


def chapter_key(utterance_keys: list[str], pauses: list[float], bitrate: int) -> str:
    settings = (CHAPTER_FORMAT, audio.SAMPLE_RATE, audio.TARGET_LUFS, audio.PEAK_CEILING_DBTP, audio.LOWPASS_HZ)
    payload = {"settings": settings, "lead": audio.LEAD_IN, "tail": audio.TAIL, "bitrate": bitrate}
    payload |= {"utterances": utterance_keys, "pauses": pauses}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def render(script: Script, engine: Engine, voice: Voice, cache_dir: Path, progress: Progress, bitrate: int) -> Rendered:
    """Synthesise (or reuse) every utterance, lay out pauses, master each chapter to -19 LUFS and encode it.

    Chapters are mastered and encoded one by one, so memory stays that of one section,
    and a chapter whose utterances did not change is taken whole from the cache.
    """
    cache = SynthesisCache(cache_dir)
    version, identity = engine.version(), engine.identity(voice)
    total = len(script.utterances())
    done = 0
    chapters: list[bytes] = []
    timings: list[list[tuple[float, float]]] = []
    for chapter in script.chapters:
        keys = [cache_key(engine.name, version, identity, voice.rate, u.text) for u in chapter.utterances]
        ckey = chapter_key(keys, [u.pause for u in chapter.utterances], bitrate)
        mp3 = cache.get_chapter(ckey)
        spans = cache.get_timings(ckey)
        if mp3 is None or spans is None:
            spans, position = [], audio.LEAD_IN
            pieces = [audio.silence(audio.LEAD_IN)]
            for i, (utterance, key) in enumerate(zip(chapter.utterances, keys, strict=True)):
                cached = cache.get(key)
                if cached is None:
                    with stage("synthesise"):
                        samples, rate = engine.synthesize(utterance.text, voice)
                        samples = audio.trim(audio.to_rate(samples, rate), audio.SAMPLE_RATE)
                    cached = cache.put(key, samples, audio.SAMPLE_RATE)
                last = i == len(chapter.utterances) - 1
                pause = audio.TAIL if last else utterance.pause
                pieces += [cached[0], audio.silence(pause)]
                length = cached[0].size / audio.SAMPLE_RATE
                spans.append((round(position, 3), round(position + length, 3)))
                position += length + round(pause * audio.SAMPLE_RATE) / audio.SAMPLE_RATE
                done += 1
                progress(done, total, chapter.id)
            with stage("master"):
                mastered = audio.master(np.concatenate(pieces))
            with stage("encode"):
                mp3 = audio.encode_mp3(mastered, bitrate)
            cache.put_chapter(ckey, mp3)
            cache.put_timings(ckey, spans)
        else:
            done += len(chapter.utterances)
            progress(done, total, chapter.id)
        chapters.append(mp3)
        timings.append(spans)
    seconds = [audio.mp3_seconds(mp3) for mp3 in chapters]
    words = sum(u.words for u in script.utterances())
    duration = sum(seconds)
    info = {
        "duration": round(duration, 2),
        "words": words,
        "words_per_minute": round(words / (duration / 60), 1),
        "cache_hits": cache.hits,
        "synthesised": cache.misses,
    }
    return Rendered(chapters, seconds, info, timings)
