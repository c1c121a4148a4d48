"""Measurements on produced MP3s, made independently of packager: ffmpeg decodes, numpy measures."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly


def decode(path: Path) -> tuple[np.ndarray, int]:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = int(json.loads(probe.stdout)["streams"][0]["sample_rate"])
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "pipe:1"], capture_output=True, check=True
    ).stdout
    return np.frombuffer(raw, dtype="<f4").astype(np.float64), rate


def probe(path: Path, *entries: str) -> dict:
    """ffprobe's JSON for ``path`` (e.g. ``-show_chapters``, ``-show_streams``)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", *entries, "-of", "json", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def probed_chapters(path: Path) -> list[tuple[str, float, float]]:
    """(title, start, end) of each chapter, in the order ffprobe lists them (file order)."""
    found = probe(path, "-show_chapters")["chapters"]
    return [(c["tags"]["title"], float(c["start_time"]), float(c["end_time"])) for c in found]


def info_header(path: Path) -> dict[str, int] | None:
    """The Xing/Info frame at the start of an MP3's audio (after its ID3v2 tag), read from its bytes."""
    data = path.read_bytes()
    start = 0
    if data[:3] == b"ID3":
        start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    header = int.from_bytes(data[start : start + 4], "big")
    mono, mpeg1 = (header >> 6) & 3 == 3, (header >> 19) & 3 == 3
    at = start + 4 + ((17 if mono else 32) if mpeg1 else (9 if mono else 17))
    if data[at : at + 4] not in (b"Info", b"Xing"):
        return None
    flags = int.from_bytes(data[at + 4 : at + 8], "big")
    fields = [int.from_bytes(data[at + 8 + 4 * i : at + 12 + 4 * i], "big") for i in range(2)]
    return {"flags": flags, "frames": fields[0], "bytes": fields[1], "audio_bytes": len(data) - start}


def audio_packets(path: Path) -> int:
    """Audio frames ffmpeg decodes (a Xing/Info frame is not one of them)."""
    stream = probe(path, "-count_packets", "-show_streams", "-select_streams", "a:0")["streams"][0]
    return int(stream["nb_read_packets"])


def loudness(samples: np.ndarray, rate: int) -> float:
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def true_peak_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.max(np.abs(resample_poly(samples, 4, 1)))))


def silences(samples: np.ndarray, rate: int, threshold_db: float = -50.0) -> list[tuple[float, float]]:
    """(start, end) seconds of runs quieter than ``threshold_db`` in 10 ms windows."""
    hop = rate // 100
    frames = samples[: samples.size // hop * hop].reshape(-1, hop)
    quiet = 20 * np.log10(np.maximum(np.sqrt((frames**2).mean(axis=1)), 1e-10)) < threshold_db
    runs, start = [], None
    for i, q in enumerate(np.append(quiet, False)):
        if q and start is None:
            start = i
        elif not q and start is not None:
            runs.append((start * hop / rate, i * hop / rate))
            start = None
    return runs
