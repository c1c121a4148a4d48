"""Assembly and delivery: silences, loudness, true peak, MP3 encoding, ID3 chapters, playlist.

Targets come from broadcast practice for spoken word: -19 LUFS integrated for
mono speech and a true-peak ceiling below -1.5 dBTP so that MP3 decoding
never clips.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from packager.project import MP3_BITRATES

SAMPLE_RATE = 22050  # Piper and eSpeak voices speak at 22.05 kHz; more would only add bytes
TARGET_LUFS = -19.0
ENCODER_LOSS_LU = 0.4  # measured: MP3 coding at 64 kbit/s and the last limiting pass take this much off
PEAK_CEILING_DBTP = -4.5  # before encoding: MP3 and AAC overshoot (up to ~1.2 dB) stay under -3 dBTP (ACX)
LOWPASS_HZ = 9000  # speech needs no more; the 64 kbit/s encoder cuts near here anyway
LEAD_IN = 0.7  # seconds before the first word of every track
TAIL = 1.5  # seconds after the last word of every track: between sections a listener hears 2.2 s
SILENCE_DB = -50.0


def to_rate(samples: np.ndarray, rate: int, target: int = SAMPLE_RATE) -> np.ndarray:
    if rate == target:
        return samples
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, target)
    return resample_poly(samples, target // g, rate // g).astype(np.float32)


def trim(samples: np.ndarray, rate: int) -> np.ndarray:
    """Drop the engine's own leading and trailing silence, so our pauses are the only ones."""
    if samples.size == 0:
        return samples
    threshold = 10 ** (SILENCE_DB / 20)
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if loud.size == 0:
        return samples[:0]
    margin = int(0.01 * rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]


def silence(seconds: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def true_peak(samples: np.ndarray) -> float:
    """Peak of the signal between samples too (4x oversampling, as in ITU-R BS.1770-4), as a linear value."""
    from scipy.signal import resample_poly

    if samples.size == 0:
        return 0.0
    return float(np.max(np.abs(resample_poly(samples.astype(np.float64), 4, 1))))


def loudness(samples: np.ndarray, rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (ITU-R BS.1770-4, LUFS) of mono ``samples``, as pyloudnorm measures it.

    pyloudnorm's K-weighting filters, with its gating done on whole arrays: its own
    integrated_loudness walks the 400 ms blocks in Python, which mastering cannot afford.
    """
    blocks = _Blocks(samples.size, rate)
    return blocks.gated(blocks.pieces(_k_power(samples, rate)))


_BLOCK, _OVERLAP_STEP = 0.4, 0.25  # gating blocks of 400 ms, each starting a quarter of a block after the last


def _k_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighted signal's square, sample by sample (the filters' pass-band gain included)."""
    from scipy.signal import sosfilt

    stages = _k_weighting(rate)
    sos = np.array([np.concatenate([stage.b, stage.a]) for stage in stages])
    weighted = sosfilt(sos, samples.astype(np.float64, copy=False))
    gain = float(np.prod([stage.passband_gain for stage in stages]))
    return np.square(weighted * gain, out=weighted)


class _Blocks:
    """BS.1770's overlapping gating blocks of a signal of ``size`` samples, as pyloudnorm bounds them.

    Blocks share their bounds: a signal's energy is summed once between consecutive bounds
    (its pieces), and each block's from those sums, so a change of energy inside a few pieces
    (what limiting does) is a new loudness without filtering the signal again.
    """

    def __init__(self, size: int, rate: int):
        if size < _BLOCK * rate:
            raise ValueError("loudness needs at least 400 ms of audio")
        count = np.arange(int(np.round((size / rate - _BLOCK) / (_BLOCK * _OVERLAP_STEP))) + 1)
        starts = (_BLOCK * (count * _OVERLAP_STEP) * rate).astype(np.int64)  # pyloudnorm's bounds, to the sample
        ends = np.minimum((_BLOCK * (count * _OVERLAP_STEP + 1) * rate).astype(np.int64), size)
        self.bounds = np.unique(np.concatenate([starts, ends, [size]]))
        self.first, self.last = np.searchsorted(self.bounds, starts), np.searchsorted(self.bounds, ends)
        self.length = _BLOCK * rate

    def pieces(self, power: np.ndarray) -> np.ndarray:
        """The energy of ``power`` between each bound and the next."""
        return np.add.reduceat(power, self.bounds[:-1]) if self.bounds.size > 1 else np.zeros(0)

    def piece_of(self, at: np.ndarray) -> np.ndarray:
        """The piece each sample index in ``at`` falls in."""
        return np.clip(np.searchsorted(self.bounds, at, side="right") - 1, 0, max(0, self.bounds.size - 2))

    def gated(self, pieces: np.ndarray) -> float:
        """Integrated loudness from the pieces' energies: absolute gate at -70 LUFS, relative at -10 LU."""
        energy = np.concatenate([[0.0], np.cumsum(pieces)])
        mean_square = (energy[self.last] - energy[self.first]) / self.length
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10 * np.log10(mean_square)
        gated = mean_square[levels >= -70.0]  # the absolute gate
        if gated.size == 0:
            return float("-inf")
        relative = -0.691 + 10 * np.log10(gated.mean()) - 10.0
        gated = mean_square[(levels > relative) & (levels > -70.0)]  # and the relative one
        if gated.size == 0:
            return float("-inf")
        return float(-0.691 + 10 * np.log10(gated.mean()))


@functools.lru_cache(maxsize=4)
def _k_weighting(rate: int) -> tuple[Any, ...]:
    """pyloudnorm's two K-weighting stages (high shelf, high pass) at ``rate``."""
    import pyloudnorm

    return tuple(pyloudnorm.Meter(rate, filter_class="K-weighting")._filters.values())


#: Samples a step of the limiter's gain curve spans (0.7 ms at 22.05 kHz); between steps it is interpolated.
LIMITER_HOP = 16


def master(samples: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Bring speech to the target loudness with its true peaks limited, measured after limiting.

    The limiter's gain depends only on the signal's true peaks, which scale with the gain:
    they are found once. The loudness a gain will give after limiting is first predicted
    from the K-weighted band-limited signal (limiting scales its energy where the gain curve
    dips), which costs no filtering; the predicted gain is then limited and measured, and
    the prediction's error corrected until the measure is within 0.15 LU of the target.
    """
    from scipy.ndimage import maximum_filter1d
    from scipy.signal import butter, sosfiltfilt

    # Band-limit first, as the MP3 encoder will: its own low-pass would otherwise add overshoot to limited peaks.
    band = sosfiltfilt(butter(8, LOWPASS_HZ, fs=rate, output="sos"), samples.astype(np.float64))
    blocks = _Blocks(band.size, rate)
    power = _k_power(band, rate)
    pieces = blocks.pieces(power)
    level = blocks.gated(pieces)
    if not np.isfinite(level):
        return band.astype(np.float32)
    # The look-ahead, in steps: each step's largest true peak within 5 ms (and a step) either side.
    window = max(2, round(0.005 * rate / LIMITER_HOP))
    nearby = maximum_filter1d(_step_peaks(band, LIMITER_HOP), size=2 * window + 1)
    step_power = np.add.reduceat(power, np.arange(0, band.size, LIMITER_HOP))
    step_piece = blocks.piece_of(np.arange(0, band.size, LIMITER_HOP))

    def predicted(gain_db: float) -> float:
        """Loudness after limiting, each step's K-weighted energy scaled by its limiter gain squared."""
        gain = 10 ** (gain_db / 20)
        curve = _gain_curve(gain * nearby, window)
        dips = np.flatnonzero(curve < 1.0)
        change = np.bincount(step_piece[dips], step_power[dips] * (curve[dips] ** 2 - 1), minlength=pieces.size)
        return blocks.gated(gain**2 * np.maximum(pieces + change, 0.0))  # steps straddle pieces: never below 0

    target = TARGET_LUFS + ENCODER_LOSS_LU
    gain_db, error, out = target - level, 0.0, band
    for _ in range(5):
        gain_db, expected = _solve(predicted, gain_db, target - error, 0.02)
        gain = 10 ** (gain_db / 20)
        out = _limited(band, gain, gain * nearby, window)
        reached = loudness(out, rate)
        if abs(target - reached) < 0.15:
            break
        error = reached - expected  # the prediction's error there: aim that much off next
    return out.astype(np.float32)


def _solve(measure: Callable[[float], float], gain_db: float, goal: float, tolerance: float) -> tuple[float, float]:
    """The gain (dB) whose ``measure`` is within ``tolerance`` of ``goal``, by secant steps, and its measure.

    Limiting flattens the slope: engines' speech, peaky, loses about half of each added dB to the
    limiter, so the first step assumes half and the slope is kept between 0.1 and 1 LU per dB.
    """
    tried: list[tuple[float, float]] = []
    for _ in range(8):
        tried.append((gain_db, measure(gain_db)))
        miss = goal - tried[-1][1]
        if abs(miss) < tolerance:
            break
        slope = 0.5
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            slope = min(1.0, max(0.1, (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])))
        gain_db += miss / slope
    return tried[-1]


def _gain_curve(nearby: np.ndarray, window: int) -> np.ndarray:
    """Per step, the least gain any true peak in ``nearby`` needs, smoothed over ``window`` steps."""
    from scipy.ndimage import uniform_filter1d

    ceiling = 10 ** (PEAK_CEILING_DBTP / 20)
    if nearby.size == 0 or nearby.max() <= ceiling:
        return np.ones(nearby.size)
    return uniform_filter1d(np.minimum(1.0, ceiling / np.maximum(nearby, 1e-12)), size=window)


def _limited(samples: np.ndarray, gain: float, nearby: np.ndarray, window: int) -> np.ndarray:
    """``samples`` times ``gain``, through a look-ahead peak limiter that never overshoots.

    ``nearby`` is, per step of the gain curve, the largest true peak (gain applied) within
    ``window`` steps either side. The curve is the least gain any peak nearby needs, smoothed
    by a moving average over ``window`` steps, then drawn sample by sample between the
    steps' centres: every value it takes is an average of gains no greater than any peak
    within reach needs. Only the steps that limit, and their neighbours, are drawn.
    """
    out = samples * gain
    curve = _gain_curve(nearby, window)
    limiting = curve < 1.0
    if not limiting.any():
        return out
    limiting[1:] |= limiting[:-1].copy()  # and the steps beside them, which interpolate towards them
    limiting[:-1] |= limiting[1:].copy()
    steps = np.flatnonzero(limiting)
    at = (steps[:, None] * LIMITER_HOP + np.arange(LIMITER_HOP)).ravel()
    at = at[at < out.size]
    out[at] *= np.interp((at + 0.5) / LIMITER_HOP - 0.5, np.arange(curve.size), curve)
    return out


def _step_peaks(samples: np.ndarray, step: int, block: int = 1 << 16) -> np.ndarray:
    """The true peak (the largest magnitude of the 4x-oversampled signal, as ITU-R BS.1770-4
    measures it) of each run of ``step`` samples.

    The oversampling filter is scipy's ``resample_poly(x, 4, 1)`` one, split into its four
    phases (each a 21-tap filter of the signal at its own rate), applied as products of
    spectra: one transform of each block of the signal serves all four phases. Blocks
    overlap by the filter's length, so memory stays a few MB however long the chapter is.
    """
    from scipy import fft

    block -= block % step
    taps = _PHASE_TAPS
    size = fft.next_fast_len(block + taps - 1, real=True)
    spectra = _phase_spectra(size)
    half = taps // 2
    padded = np.concatenate([np.zeros(half, np.float32), samples.astype(np.float32), np.zeros(half, np.float32)])
    out = np.empty(-(-samples.size // step), dtype=np.float64)
    for start in range(0, samples.size, block):
        end = min(start + block, samples.size)
        spectrum = fft.rfft(padded[start : end + 2 * half], size)
        phases = fft.irfft(spectrum * spectra, size)[:, taps - 1 : taps - 1 + end - start]
        peaks = np.max(np.abs(phases), axis=0)
        out[start // step : -(-end // step)] = np.maximum.reduceat(peaks, np.arange(0, peaks.size, step))
    return out


_PHASE_TAPS = 21  # taps of each of the four phases of resample_poly's 81-tap filter (10 either side)


@functools.lru_cache(maxsize=4)
def _phase_spectra(size: int) -> np.ndarray:
    """The spectra (``size``-point) of the four phases of ``resample_poly(x, 4, 1)``'s filter."""
    from scipy import fft
    from scipy.signal import firwin

    h = firwin(4 * 2 * 10 + 1, 1 / 4, window=("kaiser", 5.0)) * 4
    phases = np.zeros((4, _PHASE_TAPS))
    for p in range(4):
        taps = h[p::4]
        phases[p, : taps.size] = taps
    return fft.rfft(phases.astype(np.float32), size, axis=1)


def encode_mp3(samples: np.ndarray, bitrate: int, rate: int = SAMPLE_RATE) -> bytes:
    """Constant-bit-rate mono MP3 frames (no header: ``tag_mp3`` adds the Info frame for the whole file)."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(5)  # LAME's default: at 64 kbit/s mono speech, slower settings sound the same
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


#: Bit rates (kbit/s) of MPEG-2/2.5 Layer III by header index: the only kind ``encode_mp3`` writes at 22.05 kHz.
_MPEG2_L3_KBPS = (0, 8, *MP3_BITRATES)
_MPEG2_RATES = (22050, 24000, 16000)


def mp3_seconds(mp3: bytes) -> float:
    """The decoded length of untagged MPEG-2 Layer III frames, walking their headers (576 samples each)."""
    if len(mp3) < 4:
        return 0.0
    return len(_frame_offsets(mp3)) * 576 / _MPEG2_RATES[(int.from_bytes(mp3[:4], "big") >> 10) & 3]


@dataclass(frozen=True)
class Tags:
    title: str
    artist: str
    album: str
    language: str  # ISO 639-2, as ID3 wants
    year: int
    version: str  # the source article's version
    licence: str
    comment: str = ""
    track: str = ""  # "3/12"


@dataclass(frozen=True)
class ChapterMark:
    id: str
    title: str
    start_ms: int
    end_ms: int


def tag_mp3(mp3: bytes, tags: Tags, chapters: list[ChapterMark] | None = None) -> bytes:
    """ID3v2.4 tags (and CHAP/CTOC chapters) in front of ``mp3``; no dates from the clock.

    The frames are written in the order given here, chapters in time order: mutagen would
    sort them by size, and players that read CHAP frames in file order (and converters to
    M4B) then list the chapters out of order.
    """
    from mutagen.id3 import CHAP, COMM, CTOC, TALB, TCOP, TDRC, TIT2, TLAN, TPE1, TRCK, TXXX, CTOCFlags

    frames: list[Any] = [
        TIT2(encoding=3, text=tags.title),
        TPE1(encoding=3, text=tags.artist),
        TALB(encoding=3, text=tags.album),
        TLAN(encoding=3, text=tags.language),
        TDRC(encoding=3, text=str(tags.year)),
        TCOP(encoding=3, text=tags.licence),
        TXXX(encoding=3, desc="SOURCE_VERSION", text=tags.version),
    ]
    if tags.comment:
        frames.append(COMM(encoding=3, lang=tags.language, desc="", text=tags.comment))
    if tags.track:
        frames.append(TRCK(encoding=3, text=tags.track))
    if chapters:
        ids = [f"chp{n:02d}" for n in range(1, len(chapters) + 1)]
        frames.append(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=tags.title)],
            )
        )
        for element_id, mark in zip(ids, chapters, strict=True):
            frames.append(
                CHAP(
                    element_id=element_id,
                    start_time=mark.start_ms,
                    end_time=mark.end_ms,
                    start_offset=0xFFFFFFFF,
                    end_offset=0xFFFFFFFF,
                    sub_frames=[TIT2(encoding=3, text=mark.title)],
                )
            )
    body = b"".join(_frame_bytes(frame) for frame in frames)
    return b"ID3\x04\x00\x00" + _syncsafe(len(body)) + body + with_info_header(mp3)


def _frame_bytes(frame) -> bytes:
    """One ID3v2.4 frame as mutagen writes it (a tag holding only that frame, minus the tag header)."""
    from mutagen.id3 import ID3

    one = ID3()
    one.add(frame)
    buffer = io.BytesIO()
    one.save(buffer, v2_version=4, padding=lambda info: 0)
    return buffer.getvalue()[10:]


def _syncsafe(n: int) -> bytes:
    return bytes((n >> shift) & 0x7F for shift in (21, 14, 7, 0))


def with_info_header(mp3: bytes) -> bytes:
    """``mp3`` (untagged constant-bit-rate MPEG-2 Layer III frames) after a Xing "Info" frame.

    The Info frame is a silent frame of the same kind that decoders skip; it gives the
    number of frames, the number of bytes and a seek table, so players show the exact
    length and seek without scanning. The stream's own frames are left as they are.
    """
    if len(mp3) < 4:
        return mp3
    header = int.from_bytes(mp3[:4], "big") & ~(1 << 9) | (1 << 16)  # no padding slot, no CRC
    side_info = 9 if (header >> 6) & 3 == 3 else 17  # MPEG-2 Layer III: mono or stereo
    # Below 40 kbit/s a frame is too short for the Info data: as LAME does, the Info frame then
    # takes the lowest bit rate whose frame holds it (decoders read each frame's own header).
    while _frame_size(header) < 4 + side_info + 116:
        header += 1 << 12
    size = _frame_size(header)
    frames = len(_frame_offsets(mp3))
    total = size + len(mp3)
    toc = bytes(min(255, i * 256 // 100) for i in range(100))
    body = b"Info" + (7).to_bytes(4, "big") + frames.to_bytes(4, "big") + total.to_bytes(4, "big") + toc
    frame = header.to_bytes(4, "big") + bytes(side_info) + body
    return frame + bytes(size - len(frame)) + mp3


def _frame_size(header: int) -> int:
    rate = _MPEG2_RATES[(header >> 10) & 3]
    return 72 * _MPEG2_L3_KBPS[(header >> 12) & 0xF] * 1000 // rate + ((header >> 9) & 1)


def _frame_offsets(mp3: bytes) -> list[int]:
    """Byte offsets of the MPEG-2 Layer III frames of an untagged stream, walking their headers."""
    offsets, position = [], 0
    while position + 4 <= len(mp3):
        header = int.from_bytes(mp3[position : position + 4], "big")
        if header >> 21 != 0x7FF or (header >> 17) & 3 != 1 or (header >> 19) & 3 != 2:
            raise ValueError(f"not an MPEG-2 Layer III frame at byte {position}")
        offsets.append(position)
        position += _frame_size(header)
    return offsets


def playlist(title: str, entries: list[tuple[str, str, float]]) -> bytes:
    """Extended M3U in UTF-8: one line per track with its duration, paths relative to the playlist."""
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for path, track_title, seconds in entries:
        lines.append(f"#EXTINF:{round(seconds)},{_one_line(track_title)}")
        lines.append(path)
    return ("\n".join(lines) + "\n").encode("utf-8")


#: Runs of whitespace that may break a line; no-break spaces (French puts a narrow one before "?") stay.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def _one_line(text: str) -> str:
    return _BREAKING_SPACE.sub(" ", text).strip(" ")
