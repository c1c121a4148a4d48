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
