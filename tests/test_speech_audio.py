"""A tiny article built to audio with the default engine: files, tags, chapters, timing, level, cache."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from packager.project import Project, Settings
from packager.source import read_article
from packager.speech.builder import AudioBuilder
from tests.test_speech_measure import (
    audio_packets,
    decode,
    info_header,
    loudness,
    probe,
    probed_chapters,
    silences,
    true_peak_db,
)
from tests.test_speech_script import TINY

REPO = Path(__file__).resolve().parent.parent


def _project(root: Path, text: str = TINY) -> tuple[Project, object]:
    (root / "source").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "locales" / "en", root / "locales" / "en", dirs_exist_ok=True)
    (root / "source" / "tiny.md").write_text(text, encoding="utf-8")
    return Project(root, Settings()), read_article(root / "source" / "tiny.md")


def _write(product, folder: Path) -> None:
    for name, data in product.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("tiny")
    project, article = _project(root)
    calls: list[tuple[int, int, str]] = []
    product = AudioBuilder().build(article, project, lambda d, t, label: calls.append((d, t, label)))
    out = root / "build" / "en"
    _write(product, out)
    return project, article, product, out, calls


def test_the_playlist_lists_every_track_with_its_length_and_progress_counts_every_step(built) -> None:
    _, article, product, out, calls = built
    assert list(product.files) == AudioBuilder().outputs(article)
    playlist = (out / "tiny.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U"
    tracks = [line for line in playlist if line.endswith(".mp3")]
    assert tracks == [p for p in product.files if p.startswith("tiny/")]
    for info, track in zip(playlist[2::2], tracks, strict=True):
        seconds = int(info.split(":")[1].split(",")[0])
        assert abs(seconds - MP3(out / track).info.length) <= 1
    assert calls[-1][0] == calls[-1][1] and [c[0] for c in calls] == list(range(1, calls[-1][1] + 1))


def test_playlist_titles_are_one_line_and_keep_no_break_spaces() -> None:
    from packager.speech.audio import playlist

    title = "Qu'est-ce que CAR-T\u202f?\n1\u00a0000"
    lines = playlist(title, [("a/01.mp3", title, 1.4)]).decode("utf-8").splitlines()
    one_line = "Qu'est-ce que CAR-T\u202f? 1\u00a0000"
    assert lines == ["#EXTM3U", f"#PLAYLIST:{one_line}", f"#EXTINF:1,{one_line}", "a/01.mp3"]


def test_id3_tags_and_chapters_come_from_the_article_in_time_order(built) -> None:
    _, _, product, out, _ = built
    tags = ID3(out / "tiny.mp3")
    assert str(tags["TIT2"]) == "Tiny handout" and str(tags["TPE1"]) == "Test Writer"
    assert str(tags["TLAN"]) == "eng" and str(tags["TDRC"]) == "2025"  # the review year, not the clock
    assert str(tags["TALB"]) and str(tags["TXXX:SOURCE_VERSION"]) == "2.1.0"
    toc = tags.getall("CTOC")[0]
    chapters = [tags[f"CHAP:{cid}"] for cid in toc.child_element_ids]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == [
        "Tiny handout",
        "First part",
        "Medical disclaimer",
        "Contact",
        "References",
    ]
    samples, rate = decode(out / "tiny.mp3")
    assert rate == 22050 == MP3(out / "tiny.mp3").info.sample_rate
    assert chapters[0].start_time == 0
    for a, b in itertools.pairwise(chapters):
        assert a.start_time < a.end_time == b.start_time  # ordered and contiguous
    assert chapters[-1].end_time <= samples.size / rate * 1000 + 30
    # the CHAP frames themselves stand in time order in the file, as players that ignore CTOC read them
    assert [c.element_id for c in tags.getall("CHAP")] == list(toc.child_element_ids)
    listed = probed_chapters(out / "tiny.mp3")
    assert [t for t, _, _ in listed] == [str(c.sub_frames["TIT2"]) for c in chapters]
    assert [s for _, s, _ in listed] == sorted(s for _, s, _ in listed)
    # lameenc writes no LAME gapless frame, so decoders keep the encoder delay (about 0.07 s)
    assert product.info["duration"] == pytest.approx(samples.size / rate, abs=0.1)


def test_every_mp3_has_an_info_frame_counting_its_frames_and_bytes(built) -> None:
    """A Xing "Info" frame gives the frame and byte counts of every MP3, whole narration and tracks."""
    _, _, product, out, _ = built
    for name in product.files:
        if name.endswith(".mp3"):
            info = info_header(out / name)
            assert info is not None, name
            assert info["frames"] == audio_packets(out / name), name
            assert info["bytes"] == info["audio_bytes"], name
            assert MP3(out / name).info.length == pytest.approx(info["frames"] * 576 / 22050), name


def test_the_m4b_has_the_chapters_length_and_level_of_the_mp3(built) -> None:
    _, _, product, out, _ = built
    assert "tiny.m4b" in product.files
    streams = probe(out / "tiny.m4b", "-show_streams", "-select_streams", "a:0", "-show_format")
    assert streams["streams"][0]["codec_name"] == "aac"
    # Variable bit rate, near the settings' 64 kbit/s: less here, where pauses are a large part of the audio.
    assert 0.7 * 64_000 <= int(streams["streams"][0]["bit_rate"]) <= 1.2 * 64_000
    assert streams["format"]["tags"]["title"] == "Tiny handout"
    expected = probed_chapters(out / "tiny.mp3")
    got = probed_chapters(out / "tiny.m4b")
    assert [t for t, _, _ in got] == [t for t, _, _ in expected]
    for (_, s1, e1), (_, s2, e2) in zip(got, expected, strict=True):
        assert s1 == pytest.approx(s2, abs=0.002) and e1 == pytest.approx(e2, abs=0.002)
    samples, rate = decode(out / "tiny.m4b")
    mp3_samples, _ = decode(out / "tiny.mp3")
    assert samples.size / rate == pytest.approx(mp3_samples.size / rate, abs=0.1)
    assert -20.0 <= loudness(samples, rate) <= -18.0
    assert true_peak_db(samples) <= -3.0


def test_m4b_chapter_titles_keep_no_break_spaces_on_one_line(built, tmp_path: Path) -> None:
    """French writes a narrow no-break space before "?": the M4B's title keeps it; a line break
    becomes a space, and ffmpeg's special characters are escaped, not lost."""
    from packager.speech.audio import ChapterMark, Tags
    from packager.speech.audiobook import encode_m4b

    _, _, product, _, _ = built
    title = "Qu'est-ce que CAR-T\u202f?\n1\u00a0000 = mille; #1"
    tags = Tags(title=title, artist="a", album="b", language="fra", year=2026, version="1", licence="CC BY 4.0")
    (tmp_path / "t.m4b").write_bytes(encode_m4b(product.files["tiny.mp3"], tags, [ChapterMark("a", title, 0, 500)], 64))
    one_line = title.replace("\n", " ")
    assert [t for t, _, _ in probed_chapters(tmp_path / "t.m4b")] == [one_line]
    assert probe(tmp_path / "t.m4b", "-show_format")["format"]["tags"]["title"] == one_line


def test_lead_in_tail_section_pauses_loudness_and_true_peak_of_the_narration(built) -> None:
    _, _, _, out, _ = built
    samples, rate = decode(out / "tiny.mp3")
    gaps = silences(samples, rate)
    duration = samples.size / rate
    assert gaps[0][0] == 0 and 0.5 <= gaps[0][1] <= 1.0  # lead-in
    assert gaps[-1][1] >= duration - 0.02 and 1.0 <= duration - gaps[-1][0] <= 5.0  # tail
    chapters = ID3(out / "tiny.mp3").getall("CHAP")
    boundaries = sorted(c.start_time / 1000 for c in chapters)[1:]
    for at in boundaries:  # the section changes inside a silence of at least a second
        assert any(s <= at <= e and e - s >= 1.0 for s, e in gaps), at
    assert max(e - s for s, e in gaps) <= 3.0
    assert -20.0 <= loudness(samples, rate) <= -18.0
    assert true_peak_db(samples) <= -3.0  # audiobook specs (ACX) ask for -3 dBTP


def test_a_cold_cache_gives_identical_mp3s_a_warm_one_resynthesises_only_changed_text(built, tmp_path: Path) -> None:
    _, _, product, _, _ = built
    project, article = _project(tmp_path / "again")
    fresh = AudioBuilder().build(article, project, lambda *a: None)
    assert fresh.files == product.files  # a cold cache gives byte-identical MP3s
    assert fresh.info["synthesised"] > 0
    warm = AudioBuilder().build(article, project, lambda *a: None)
    assert warm.info["synthesised"] == 0 and warm.files == fresh.files
    changed_project, changed = _project(tmp_path / "again", TINY.replace("information only", "reading only"))
    assert AudioBuilder().build(changed, changed_project, lambda *a: None).info["synthesised"] == 1
