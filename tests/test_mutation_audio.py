"""Fast checks of audio assembly (speech/audio.py) on synthetic signals, measured independently.

Behaviour only (lengths, loudness, peaks, decoded durations, tags read back with mutagen and
ffprobe), never the internals, which are being optimised: the broadcast targets are
-19 LUFS integrated (within 1 LU) and true peaks under -3 dBTP after MP3 coding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from packager.speech import audio
from tests.test_speech_measure import audio_packets, decode, info_header, loudness, probed_chapters, true_peak_db

RATE = 22050


def tone(seconds: float, amplitude: float, hz: float = 440.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def speechlike(seconds: float, amplitude: float, rate: int = RATE) -> np.ndarray:
    """Bursts of a tone with peaks well above its average, as speech has."""
    t = np.arange(round(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * 3 * t) > 0.3).astype(np.float64)
    clicks = np.zeros_like(t)
    clicks[:: rate // 5] = 1.0
    return (amplitude * (0.3 * envelope * np.sin(2 * np.pi * 300 * t) + clicks)).astype(np.float32)


def test_silence_lasts_what_is_asked() -> None:
    assert audio.silence(1.5).size == round(1.5 * audio.SAMPLE_RATE)
    assert audio.silence(0.01, 16000).size == 160
    assert not audio.silence(0.5).any()


def test_trim_drops_silence_but_keeps_ten_milliseconds() -> None:
    quiet = np.zeros(RATE, dtype=np.float32)
    sound = tone(0.5, 0.5)
    trimmed = audio.trim(np.concatenate([quiet, sound, quiet]), RATE)
    margin = RATE // 100
    assert abs(trimmed.size - (sound.size + 2 * margin)) <= 2
    assert audio.trim(quiet, RATE).size == 0
    assert audio.trim(np.zeros(0, dtype=np.float32), RATE).size == 0
    # Sound under -50 dBFS is silence; just over it is not.
    assert audio.trim(np.full(100, 10 ** (-51 / 20), dtype=np.float32), RATE).size == 0
    assert audio.trim(np.full(100, 10 ** (-49 / 20), dtype=np.float32), RATE).size == 100
    start = np.concatenate([sound, quiet])
    assert abs(audio.trim(start, RATE).size - (sound.size + margin)) <= 2


def test_resampling_keeps_the_duration() -> None:
    sound = tone(1.0, 0.5, rate=16000)
    assert audio.to_rate(sound, 16000).size == RATE
    assert audio.to_rate(sound, 16000, 8000).size == 8000
    same = tone(1.0, 0.5)
    assert audio.to_rate(same, RATE) is same
    assert audio.to_rate(sound, 16000).dtype == np.float32


def test_true_peak_is_measured_between_samples() -> None:
    # A sine at a quarter of the rate, sampled at 45 degrees: the samples read 0.707, the wave peaks at 1.
    samples = np.sin(2 * np.pi * 0.25 * np.arange(4000) + np.pi / 4).astype(np.float32)
    assert np.max(np.abs(samples)) == pytest.approx(0.7071, abs=1e-3)
    assert audio.true_peak(samples) == pytest.approx(1.0, abs=0.02)
    assert audio.true_peak(np.zeros(0, dtype=np.float32)) == 0.0
    # Sampled at 22.5 degrees: the samples read 0.924, and twice as many would miss the peak too.
    samples = np.sin(2 * np.pi * 0.25 * np.arange(4000) + np.pi / 8).astype(np.float32)
    assert np.max(np.abs(samples)) == pytest.approx(0.9239, abs=1e-3)
    assert audio.true_peak(samples) == pytest.approx(1.0, abs=0.03)


def test_loudness_needs_one_gating_block() -> None:
    with pytest.raises(ValueError, match=r"^loudness needs at least 400 ms of audio$"):
        audio.loudness(tone(0.39, 0.1))
    assert audio.loudness(tone(0.4, 0.1)) == pytest.approx(loudness(tone(0.4, 0.1).astype(np.float64), RATE), abs=0.01)


@pytest.mark.parametrize("lufs", [-70.5, -69.5])
def test_loudness_below_the_absolute_gate_is_none_as_pyloudnorm_says(lufs: float) -> None:
    """BS.1770's absolute gate at -70 LUFS: a tone just under it has no loudness, just over it has its own."""
    base = tone(3.0, 0.1, 1000.0)
    quiet = (base * 10 ** ((lufs - loudness(base.astype(np.float64), RATE)) / 20)).astype(np.float32)
    expected = loudness(quiet.astype(np.float64), RATE)
    assert (expected == float("-inf")) is (lufs < -70)
    assert audio.loudness(quiet) == pytest.approx(expected, abs=0.01)


def test_loudness_is_bs1770() -> None:
    sound = tone(3.0, 0.1, 1000.0)
    assert audio.loudness(sound) == pytest.approx(loudness(sound.astype(np.float64), RATE), abs=0.01)
    assert audio.loudness(sound, 44100) != pytest.approx(audio.loudness(sound), abs=0.01)


@pytest.mark.parametrize("amplitude", [0.01, 0.3, 0.9])
def test_mastering_reaches_the_target_loudness_under_the_peak_ceiling(amplitude: float) -> None:
    sound = speechlike(6.0, amplitude)
    out = audio.master(sound)
    assert out.dtype == np.float32 and out.size == sound.size
    # -19 LUFS after the encoder's measured loss (the target allows +-1 LU); mastering promises
    # to stop within 0.15 LU of it.
    assert loudness(out.astype(np.float64), RATE) == pytest.approx(-19.0 + 0.4, abs=0.15)
    assert true_peak_db(out.astype(np.float64)) <= -4.5 + 0.2


def crested(seconds: float, amplitude: float, power: float, rate: int = RATE) -> np.ndarray:
    """Noise whose peaks stand far above its average (Gaussian noise to a power, sign kept)."""
    noise = np.random.default_rng(7).standard_normal(round(seconds * rate))
    shaped = np.sign(noise) * np.abs(noise) ** power
    return (amplitude * shaped / np.max(np.abs(shaped))).astype(np.float32)


@pytest.mark.parametrize("power", [1.0, 2.0, 2.5, 3.0])
def test_mastering_reaches_the_target_where_the_limiter_takes_much_of_the_gain(power: float) -> None:
    """The more the peaks stand out, the more of each added dB the limiter takes back, and the
    more tries mastering needs; each still ends within 0.15 LU of the target, peaks under the ceiling."""
    out = audio.master(crested(6.0, 0.3, power))
    assert loudness(out.astype(np.float64), RATE) == pytest.approx(-19.0 + 0.4, abs=0.15)
    assert true_peak_db(out.astype(np.float64)) <= -4.5 + 0.2
    if power >= 2:  # limited: the peaks are taken to the ceiling, not below it (no loudness thrown away)
        assert true_peak_db(out.astype(np.float64)) == pytest.approx(-4.5, abs=0.05)


def test_mastering_at_another_sample_rate_measures_at_that_rate() -> None:
    rate = 44100  # above twice the 9 kHz low-pass; narration is resampled to 22.05 kHz before mastering
    out = audio.master(speechlike(6.0, 0.3, rate), rate)
    assert loudness(out.astype(np.float64), rate) == pytest.approx(-19.0 + 0.4, abs=0.15)
    assert true_peak_db(out.astype(np.float64)) == pytest.approx(-4.5, abs=0.05)


def test_mastering_a_quiet_steady_tone_changes_only_its_level() -> None:
    sound = tone(4.0, 0.01, 300.0)
    out = audio.master(sound)
    assert loudness(out.astype(np.float64), RATE) == pytest.approx(-18.6, abs=0.15)
    ratio = np.max(np.abs(out[RATE:-RATE])) / np.max(np.abs(sound[RATE:-RATE]))
    # A steady tone gets one gain, no limiting: the same shape everywhere.
    middle = out[RATE:-RATE] / ratio
    assert np.max(np.abs(middle - sound[RATE:-RATE])) < 0.002


def test_mastering_silence_returns_silence() -> None:
    out = audio.master(np.zeros(RATE * 2, dtype=np.float32))
    assert out.dtype == np.float32 and not out.any()


def test_mastering_cuts_above_nine_kilohertz() -> None:
    low, high = tone(4.0, 0.05, 1000.0), tone(4.0, 0.05, 10000.0)
    out = audio.master(low + high)
    spectrum = np.abs(np.fft.rfft(out))
    freqs = np.fft.rfftfreq(out.size, 1 / RATE)
    at = lambda hz: spectrum[np.argmin(np.abs(freqs - hz))]  # noqa: E731
    assert at(10000.0) < at(1000.0) / 10


def test_a_long_signal_is_limited_everywhere() -> None:
    """Peaks late in a long chapter (past the first block of samples) are limited too."""
    sound = speechlike(8.0, 0.05)
    sound[-RATE // 2 :: 997] = 1.0
    out = audio.master(sound)
    assert true_peak_db(out.astype(np.float64)) <= -4.5 + 0.2
    assert true_peak_db(out[-RATE:].astype(np.float64)) <= -4.5 + 0.2


def test_peaks_between_samples_are_limited_to_the_ceiling() -> None:
    """Short bursts of a sine at a quarter of the rate, sampled 45 degrees off its crests, over
    a voice-like tone: the bursts' samples read 3 dB under the wave's peaks, which only 4x
    oversampling sees; limited, the true peaks sit at the ceiling, the samples well under it."""
    t = np.arange(6 * RATE)
    bursts = np.sin(2 * np.pi * 0.25 * t + np.pi / 4) * (t % (RATE // 2) < RATE // 100)
    voice = 0.1 * np.sin(2 * np.pi * 300 * t / RATE) * (np.sin(2 * np.pi * 3 * t / RATE) > 0)
    out = audio.master((0.8 * bursts + voice).astype(np.float32)).astype(np.float64)
    assert loudness(out, RATE) == pytest.approx(-19.0 + 0.4, abs=0.15)
    assert true_peak_db(out) == pytest.approx(-4.5, abs=0.02)
    assert 20 * np.log10(np.max(np.abs(out))) < -4.5 - 2.0  # the limiter's gain curve bends the bursts a little


def write_mp3(tmp_path: Path, seconds: float, bitrate: int = 64) -> tuple[Path, bytes]:
    frames = audio.encode_mp3(tone(seconds, 0.3), bitrate)
    path = tmp_path / "a.mp3"
    path.write_bytes(audio.with_info_header(frames))
    return path, frames


@pytest.mark.parametrize(("seconds", "bitrate"), [(2.0, 64), (0.5, 32), (1.0, 48), (1.0, 160)])
def test_encoded_mp3_decodes_to_the_same_length(tmp_path: Path, seconds: float, bitrate: int) -> None:
    path, frames = write_mp3(tmp_path, seconds, bitrate)
    samples, rate = decode(path)
    assert rate == RATE
    assert samples.size / rate == pytest.approx(seconds, abs=0.1)
    assert audio.mp3_seconds(frames) == pytest.approx(seconds, abs=0.1)
    assert audio.mp3_seconds(frames) == audio_packets(path) * 576 / RATE
    assert loudness(samples, rate) == pytest.approx(loudness(tone(seconds, 0.3).astype(np.float64), RATE), abs=1.0)


@pytest.mark.parametrize("bitrate", [16, 24])
def test_at_the_lowest_bit_rates_lame_writes_16_khz_and_the_length_is_read_at_that_rate(
    tmp_path: Path, bitrate: int
) -> None:
    path, frames = write_mp3(tmp_path, 1.0, bitrate)
    samples, rate = decode(path)
    assert rate == 16000
    assert audio.mp3_seconds(frames) == audio_packets(path) * 576 / rate
    assert audio.mp3_seconds(frames) == pytest.approx(samples.size / rate, abs=0.1)


@pytest.mark.parametrize("bitrate", [16, 24, 32, 64])
def test_the_info_frame_counts_frames_and_bytes(tmp_path: Path, bitrate: int) -> None:
    """At a low bit rate too, where one frame is shorter than the Info data (a crash, once)."""
    path, frames = write_mp3(tmp_path, 1.0, bitrate)
    info = info_header(path)
    assert info is not None
    assert info["frames"] == audio_packets(path)
    assert info["bytes"] == path.stat().st_size
    assert path.read_bytes().endswith(frames)
    assert audio.with_info_header(b"") == b"" and audio.mp3_seconds(b"\xff") == 0.0


def test_a_stream_that_is_not_mpeg2_layer3_is_refused() -> None:
    with pytest.raises(ValueError, match="not an MPEG-2 Layer III frame at byte 0"):
        audio.mp3_seconds(b"RIFF....")
    frames = audio.encode_mp3(tone(0.2, 0.3), 64)
    with pytest.raises(ValueError, match=f"not an MPEG-2 Layer III frame at byte {len(frames)}"):
        audio.mp3_seconds(frames + b"\x00\x00\x00\x00")


def test_samples_are_clipped_not_wrapped_when_encoded(tmp_path: Path) -> None:
    loud = np.clip(tone(1.0, 1.5), -1.2, 1.2)
    path = tmp_path / "loud.mp3"
    path.write_bytes(audio.with_info_header(audio.encode_mp3(loud, 64)))
    samples, _ = decode(path)
    # Wrapped 16-bit integers would flip to the opposite sign: a square-ish wave stays near full scale.
    assert np.percentile(np.abs(samples[2000:-2000]), 90) > 0.8


TAGS = audio.Tags(
    title="Lupus : thérapie\u202fCAR-T",
    artist="Clinic",
    album="Handouts",
    language="fra",
    year=2025,
    version="1.1.0",
    licence="CC BY 4.0",
    comment="Read aloud",
    track="3/12",
)


def test_tags_and_chapters_read_back(tmp_path: Path) -> None:
    frames = audio.encode_mp3(tone(3.0, 0.3), 64)
    chapters = [
        audio.ChapterMark("c1", "Intro", 0, 1000),
        audio.ChapterMark("c2", "Second part", 1000, 2000),
        audio.ChapterMark("c3", "End", 2000, 3000),
    ]
    path = tmp_path / "t.mp3"
    path.write_bytes(audio.tag_mp3(frames, TAGS, chapters))
    tags = ID3(path)
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == TAGS.title and str(tags["TPE1"]) == "Clinic" and str(tags["TALB"]) == "Handouts"
    assert str(tags["TLAN"]) == "fra" and str(tags["TDRC"]) == "2025" and str(tags["TCOP"]) == "CC BY 4.0"
    assert str(tags["TXXX:SOURCE_VERSION"]) == "1.1.0" and str(tags["TRCK"]) == "3/12"
    (comment,) = tags.getall("COMM")
    assert comment.text == ["Read aloud"] and comment.lang == "fra" and comment.desc == ""
    # ID3v2.4 text in UTF-8 (encoding 3), which every v2.4 reader reads, in every text frame.
    texts = [f for f in tags.values() if hasattr(f, "encoding")] + [tags.getall("CTOC")[0].sub_frames["TIT2"]]
    texts += [chap.sub_frames["TIT2"] for chap in tags.getall("CHAP")]
    assert {f.FrameID for f in texts} >= {"TIT2", "TPE1", "TALB", "TLAN", "TDRC", "TCOP", "TXXX", "COMM", "TRCK"}
    assert {int(f.encoding) for f in texts} == {3}
    (toc,) = tags.getall("CTOC")
    assert toc.child_element_ids == ["chp01", "chp02", "chp03"] and str(toc.sub_frames["TIT2"]) == TAGS.title
    assert toc.flags & 3 == 3  # top level, ordered
    assert probed_chapters(path) == [("Intro", 0.0, 1.0), ("Second part", 1.0, 2.0), ("End", 2.0, 3.0)]
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.element_id)
    assert [(c.start_offset, c.end_offset) for c in chaps] == [(0xFFFFFFFF, 0xFFFFFFFF)] * 3
    # The tag is exactly as long as its header says; the Info frame follows it.
    assert info_header(path) is not None
    samples, _ = decode(path)
    assert samples.size / RATE == pytest.approx(3.0, abs=0.1)


def test_without_comment_track_or_chapters_those_frames_are_absent(tmp_path: Path) -> None:
    plain = audio.Tags("T", "A", "B", "eng", 2024, "1.0.0", "CC0")
    path = tmp_path / "p.mp3"
    path.write_bytes(audio.tag_mp3(audio.encode_mp3(tone(0.5, 0.3), 64), plain))
    tags = ID3(path)
    assert not tags.getall("COMM") and not tags.getall("TRCK") and not tags.getall("CTOC")
    assert not tags.getall("CHAP") and str(tags["TIT2"]) == "T"


def test_a_large_tag_keeps_its_syncsafe_size(tmp_path: Path) -> None:
    """A tag over 127 bytes (and over 16 KB) still ends where its header says."""
    big = audio.Tags("T" * 20000, "A", "B", "eng", 2024, "1.0.0", "CC0")
    path = tmp_path / "big.mp3"
    path.write_bytes(audio.tag_mp3(audio.encode_mp3(tone(0.5, 0.3), 64), big))
    assert str(ID3(path)["TIT2"]) == "T" * 20000
    assert info_header(path) is not None


def test_a_tag_over_two_megabytes_keeps_its_syncsafe_size(tmp_path: Path) -> None:
    """The size's first byte counts from 2 MiB up (7 bits a byte)."""
    big = audio.Tags("T" * (1 << 21), "A", "B", "eng", 2024, "1.0.0", "CC0")
    path = tmp_path / "big.mp3"
    path.write_bytes(audio.tag_mp3(audio.encode_mp3(tone(0.5, 0.3), 64), big))
    assert str(ID3(path)["TIT2"]) == "T" * (1 << 21)
    assert info_header(path) is not None


def test_playlist_lists_tracks_with_rounded_seconds() -> None:
    text = audio.playlist("Lupus\nguide", [("01.mp3", "Intro  part", 61.6), ("02.mp3", "Fin\u202f?", 2.4)]).decode()
    assert text == "#EXTM3U\n#PLAYLIST:Lupus guide\n#EXTINF:62,Intro part\n01.mp3\n#EXTINF:2,Fin\u202f?\n02.mp3\n"
    text = audio.playlist(" Vitamin X\n", [("01.mp3", "X-rays", 3.0)]).decode()
    assert text == "#EXTM3U\n#PLAYLIST:Vitamin X\n#EXTINF:3,X-rays\n01.mp3\n"


def test_the_settings_take_exactly_the_bit_rates_lame_writes_as_mpeg2_layer3(tmp_path: Path) -> None:
    """A bit rate packager.yaml accepts is written as asked: MPEG-2 Layer III at that rate, as
    mutagen reads the frames; any other (8 makes LAME write MPEG-2.5, 65 becomes 64, 0 becomes
    32) is refused with the file and line. Every whole number up to 320 is tried."""
    from mutagen.mp3 import MP3

    from packager.errors import PackagerError
    from packager.project import load_settings

    settings, mp3 = tmp_path / "packager.yaml", tmp_path / "a.mp3"
    accepted, written = set(), set()
    for kbps in range(321):
        settings.write_text(f"audio:\n  bitrate: {kbps}\n", encoding="utf-8")
        try:
            load_settings(settings)
            accepted.add(kbps)
        except PackagerError as exc:
            assert exc.message.startswith("setting 'audio.bitrate' must be one of 16, 24, 32,")
            assert (exc.path, exc.line) == (settings, 2)
        mp3.write_bytes(audio.encode_mp3(tone(0.3, 0.3), kbps))
        info = MP3(mp3).info
        if info.version == 2 and info.layer == 3 and info.bitrate == kbps * 1000:
            written.add(kbps)
    assert accepted == written
    assert {16, 64, 160} <= accepted and not {0, 8, 65, 192} & accepted


@pytest.mark.parametrize("bitrate", [16, 64])
def test_the_info_frame_has_the_seek_table_a_player_reads(tmp_path: Path, bitrate: int) -> None:
    """Read with mutagen's own Xing parser: frame count, byte count and a seek table. For a
    constant bit rate, i% of the playing time is i% of the bytes: entry i is 256 * i / 100."""
    import io

    from mutagen.mp3 import MP3
    from mutagen.mp3._util import XingHeader

    path, _frames = write_mp3(tmp_path, 2.0, bitrate)
    data = path.read_bytes()
    xing = XingHeader(io.BytesIO(data[data.index(b"Info") :]))
    packets = audio_packets(path)
    assert (xing.is_info, xing.frames, xing.bytes) == (True, packets, len(data))
    assert xing.toc == [int(256 * i / 100) for i in range(100)]
    assert MP3(path).info.length == pytest.approx(packets * 576 / MP3(path).info.sample_rate, abs=1e-6)
