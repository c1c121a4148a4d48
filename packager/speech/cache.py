"""Synthesis cache: one WAV per utterance, keyed by everything that changes its sound,
and one encoded MP3 per chapter, keyed by its utterances and the mastering.

An unchanged paragraph is never synthesised again, even after another one
changed: keys are per utterance, not per article. An unchanged section is
not even mastered or encoded again: the narration is its chapters' MP3 frames
end to end.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
from pathlib import Path

import numpy as np

from packager.atomic import atomic_write

CACHE_FORMAT = 2  # 2: every entry ends with its digest
DIGEST = 32  # bytes of sha256 after each entry's payload


def cache_key(engine: str, version: str, identity: str, rate: int, text: str) -> str:
    payload = {"format": CACHE_FORMAT, "engine": engine, "version": version, "voice": identity, "rate": rate}
    payload["text"] = text
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class SynthesisCache:
    def __init__(self, root: Path):
        self.root = root
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def _read(self, path: Path, key: str) -> bytes | None:
        """An entry's payload, or None when it is missing or not what was stored under ``key``.

        Each entry ends with sha256(key + payload): a file swapped with another entry's,
        truncated or overwritten is a miss, removed, and made again, never played.
        """
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        payload, digest = data[:-DIGEST], data[-DIGEST:]
        if len(data) <= DIGEST or hashlib.sha256(key.encode() + payload).digest() != digest:
            path.unlink(missing_ok=True)
            return None
        return payload

    def _write(self, path: Path, key: str, payload: bytes) -> None:
        """Atomic but not fsynced: an entry a crash left short fails its digest and is made again."""
        atomic_write(path, payload + hashlib.sha256(key.encode() + payload).digest(), durable=False)

    def get(self, key: str) -> tuple[np.ndarray, int] | None:
        payload = self._read(self._path(key), key)
        try:
            if payload is None:
                raise EOFError
            with wave.open(io.BytesIO(payload), "rb") as wav:
                rate = wav.getframerate()
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError):
            self.misses += 1
            return None
        self.hits += 1
        return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0, rate

    def put(self, key: str, samples: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
        """Store as 16-bit PCM and return what was stored, so a cold and a warm build sound identical."""
        pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(pcm.tobytes())
        self._write(self._path(key), key, buffer.getvalue())
        return pcm.astype(np.float32) / 32768.0, rate

    def _chapter_path(self, key: str) -> Path:
        return self.root / "chapters" / key[:2] / f"{key}.mp3"

    def get_chapter(self, key: str) -> bytes | None:
        return self._read(self._chapter_path(key), key)

    def put_chapter(self, key: str, mp3: bytes) -> None:
        self._write(self._chapter_path(key), key, mp3)

    def get_timings(self, key: str) -> list[tuple[float, float]] | None:
        """Where each utterance of a cached chapter starts and ends (seconds from the chapter's start)."""
        data = self._read(self._chapter_path(key).with_suffix(".json"), key)
        return [tuple(span) for span in json.loads(data)] if data is not None else None  # type: ignore[misc]

    def put_timings(self, key: str, spans: list[tuple[float, float]]) -> None:
        self._write(self._chapter_path(key).with_suffix(".json"), key, json.dumps(spans).encode())
