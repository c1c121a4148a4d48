"""The narration as an audiobook: AAC in an MP4 container (.m4b) with tags and chapters, made by ffmpeg.

Apple Books and audiobook apps read chapters from MP4, not from ID3 CHAP frames.
Kept apart from ``audio`` (numpy): planning a build asks for ``ffmpeg_version`` only.
"""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packager.speech.audio import ChapterMark, Tags

#: Mean bit rate (kbit/s) of ffmpeg's AAC for speech per unit of its quality scale (``-q:a``), measured.
AAC_KBPS_PER_QUALITY = 57.0


def encode_m4b(mp3: bytes, tags: Tags, chapters: list[ChapterMark], bitrate: int) -> bytes:
    """An audiobook for Apple Books and audiobook apps: AAC in MP4 with the same tags and chapters.

    ffmpeg decodes the narration's MP3 frames and encodes AAC-LC at about the same bit rate
    (mastering is done once, on the MP3's signal); bit-exact flags keep encoder
    versions and dates out, so the same narration gives the same bytes.

    The AAC is variable-bit-rate: ffmpeg's constant-bit-rate control encodes a frame up
    to five times over to spend its bits, and speech, with its pauses, leaves most frames
    short of them. Its quality scale comes to about 57 kbit/s a unit on the shipped
    narrations (1.12 gave 61 kbit/s in English, 66 in Arabic, 67 in Chinese); in English
    at 65 kbit/s the AAC had a higher signal-to-noise ratio than at a constant 64 (35.2
    against 34.2 dB) for half the CPU.
    """
    lines = [";FFMETADATA1"]
    fields = {"title": tags.title, "artist": tags.artist, "album": tags.album, "date": str(tags.year)}
    fields |= {"copyright": tags.licence, "comment": tags.comment, "genre": "Audiobook"}
    lines += [f"{key}={_ffmeta(value)}" for key, value in fields.items() if value]
    for mark in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={mark.start_ms}", f"END={mark.end_ms}"]
        lines.append(f"title={_ffmeta(mark.title)}")
    with tempfile.TemporaryDirectory(prefix="packager-m4b-") as tmp:
        folder = Path(tmp)
        (folder / "in.mp3").write_bytes(mp3)
        (folder / "meta.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = ["ffmpeg", "-nostdin", "-v", "error", "-i", "in.mp3", "-i", "meta.txt"]
        command += [
            "-map",
            "0:a",
            "-map_metadata",
            "1",
            "-map_chapters",
            "1",
            "-c:a",
            "aac",
            "-q:a",
            f"{bitrate / AAC_KBPS_PER_QUALITY:.2f}",
        ]
        # The "fast" coder: the default two-loop coder overshot peaks by 2.6 dB on Vietnamese at 64 kbit/s.
        command += ["-aac_coder", "fast"]
        command += ["-metadata:s:a:0", f"language={tags.language}", "-fflags", "+bitexact", "-flags:a", "+bitexact"]
        command += ["-brand", "M4B ", "-f", "mp4", "out.m4b"]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"ffmpeg could not make the M4B: {result.stderr.strip()[-500:]}")
        return (folder / "out.m4b").read_bytes()


@functools.lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """The first line of ``ffmpeg -version``: part of the M4B's inputs, since its AAC encoder makes the bytes."""
    try:
        result = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "ffmpeg missing"
    return (result.stdout.splitlines() or ["ffmpeg unknown"])[0]


#: Runs of whitespace that may break a line; no-break spaces (French puts a narrow one before "?") stay.
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def _ffmeta(value: str) -> str:
    """A value for ffmpeg's metadata file: its special characters escaped, on one line, no-break spaces kept."""
    one_line = _BREAKING_SPACE.sub(" ", value).strip(" ")
    return "".join("\\" + c if c in "=;#\\" else c for c in one_line)
