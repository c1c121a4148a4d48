"""The shipped article narrated in every shipped locale, measured on the produced files.

Uses the session's one full build (``shipped_build``); nothing here synthesises.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from mutagen.id3 import ID3

from packager import inline
from packager.i18n.translate import localized
from packager.i18n.ui import ui_gettext
from packager.project import load_project
from packager.source import read_article
from packager.speech.lexicon import load_lexicon
from packager.speech.script import build_script
from tests.conftest import ALL_LOCALES, REPO, SLUG
from tests.test_speech_measure import decode, loudness, probe, probed_chapters, silences, true_peak_db

#: Comfortable pace of the whole recording (pauses included), in the words the narration counts
#: (README, "Words a minute"): words; Vietnamese syllables (written as words); Chinese characters;
#: Korean syllable blocks. The shipped languages with a measured default rate (DEFAULT_RATE) have
#: a band of about +-15% around it.
RATE_RANGE = {"en": (140, 170), "es": (140, 180), "ar": (100, 140), "vi": (150, 200), "zh_Hans": (180, 250)}
#: Korean: the eojeol range it had (100-140) at the article's 2.5 syllable blocks an eojeol.
RATE_RANGE |= {"zh_Hant": RATE_RANGE["zh_Hans"], "ko": (250, 350)}
#: The other voices are calibrated to 320 syllables a minute of speech (README): at the article's
#: syllables a word in eSpeak's transcription (fr 1.6, pt_BR 2.1, ht 1.7) and its pauses (8% of the
#: recording) that is 182, 140 and 175 words a minute, +-15%.
RATE_RANGE |= {"fr": (155, 210), "pt_BR": (120, 160), "ht": (150, 200)}


@pytest.fixture(scope="module", params=ALL_LOCALES)
def narration(request, shipped_build):
    locale = request.param
    project = load_project(shipped_build)
    article = localized(project, read_article(project.source_dir / f"{SLUG}.md"), locale)
    folder = project.build_dir / locale
    samples, rate = decode(folder / f"{SLUG}.mp3")
    return locale, project, article, folder, samples, rate


def test_chapters_tracks_and_playlist(narration) -> None:
    _, _, article, folder, samples, rate = narration
    tags = ID3(folder / f"{SLUG}.mp3")
    chapters = [tags[f"CHAP:{cid}"] for cid in tags.getall("CTOC")[0].child_element_ids]
    headed = [s for s in article.sections if s.heading]
    main = [inline.plain(s.heading.markdown) for s in headed if s.id != "references"]
    references = [inline.plain(s.heading.markdown) for s in headed if s.id == "references"]
    contact = ui_gettext(REPO / "locales", article.locale)("Contact")
    expected = [inline.plain(article.meta.title.markdown), *main, contact, *references]
    assert [str(c.sub_frames["TIT2"]) for c in chapters] == expected
    assert chapters[0].start_time == 0 and chapters[-1].end_time <= samples.size / rate * 1000 + 30
    for a, b in itertools.pairwise(chapters):
        assert a.start_time < a.end_time == b.start_time
    # in the file too, the chapters stand in time order: mutagen's frames and ffprobe's list
    assert [c.element_id for c in tags.getall("CHAP")] == list(tags.getall("CTOC")[0].child_element_ids)
    titles = [str(c.sub_frames["TIT2"]) for c in chapters]
    assert [t for t, _, _ in probed_chapters(folder / f"{SLUG}.mp3")] == titles
    tracks = sorted((folder / SLUG).glob("*.mp3"))
    assert len(tracks) == len(chapters)
    playlist = (folder / f"{SLUG}.m3u8").read_text(encoding="utf-8")
    assert all(f"{SLUG}/{t.name}" in playlist for t in tracks)
    assert rate == 22050
    assert str(tags["TDRC"]) == str(article.meta.reviewed.year)
    assert str(tags["TXXX:SOURCE_VERSION"]) == article.meta.version


def test_m4b_chapters_and_level(narration) -> None:
    locale, _, _, folder, samples, rate = narration
    m4b = folder / f"{SLUG}.m4b"
    expected = probed_chapters(folder / f"{SLUG}.mp3")
    got = probed_chapters(m4b)
    # exactly: French titles keep their narrow no-break space before "?" (no line break before it)
    assert [t for t, _, _ in got] == [t for t, _, _ in expected], locale
    for (_, s1, e1), (_, s2, e2) in zip(got, expected, strict=True):
        assert s1 == pytest.approx(s2, abs=0.002) and e1 == pytest.approx(e2, abs=0.002), locale
    # Variable bit rate, near the 64 kbit/s of the shipped settings (the default) over a whole narration.
    stream = probe(m4b, "-show_streams", "-select_streams", "a:0")["streams"][0]
    assert 0.85 * 64_000 <= int(stream["bit_rate"]) <= 1.2 * 64_000, locale
    audio, audio_rate = decode(m4b)
    assert audio.size / audio_rate == pytest.approx(samples.size / rate, abs=0.2), locale
    assert -20.0 <= loudness(audio, audio_rate) <= -18.0, locale
    assert true_peak_db(audio) <= -3.0, locale


def test_level_and_silences(narration) -> None:
    locale, _, _, folder, samples, rate = narration
    assert -20.0 <= loudness(samples, rate) <= -18.0, locale
    assert true_peak_db(samples) <= -3.0, locale  # audiobook specs (ACX) ask for -3 dBTP
    gaps = silences(samples, rate)
    duration = samples.size / rate
    assert 0.5 <= gaps[0][1] <= 1.0 and gaps[0][0] == 0
    assert 1.0 <= duration - gaps[-1][0] <= 5.0
    starts = [c.start_time / 1000 for c in ID3(folder / f"{SLUG}.mp3").getall("CHAP")]
    for at in sorted(starts)[1:]:
        assert any(s <= at <= e and e - s >= 1.0 for s, e in gaps), (locale, at)
    inner = [e - s for s, e in gaps[1:-1]]
    assert max(inner) <= 3.0, locale


def test_orientation_in_every_locale(narration) -> None:
    """Parts counted and skippable, "Part N of M" in the language, a synthetic-voice notice, a spoken end.

    The script is made with the lexicon's words, number spelling and diacritiser left out, so the catalog's
    wording appears as written.
    """
    locale, project, article, folder, _, _ = narration
    _ = ui_gettext(project.locales_dir, locale)
    lexicon = load_lexicon(project.locales_dir, locale)
    plain = dataclasses.replace(lexicon, words={}, letters={}, numbers="engine", diacritise="")
    script = build_script(article, plain, locales_dir=project.locales_dir)
    said = [[u.text for u in chapter.utterances] for chapter in script.chapters]
    total = len(script.chapters)
    assert total == len(ID3(folder / f"{SLUG}.mp3").getall("CHAP"))
    voice = _("This recording uses a synthetic voice: a computer reads the text.")
    parts = _("This recording has {parts} parts. To skip to the next part, use the next track or next chapter button.")
    assert voice in said[0] and parts.format(parts=total) in said[0], locale
    for n, chapter in enumerate(said[1:], start=2):
        assert chapter[0] == _("Part {number} of {total}.").format(number=n, total=total), locale
    assert script.chapters[-2].id == "closing" and script.chapters[-1].id == "references"
    assert _("The last part is the full reference list. You can stop the recording here.") in said[-2]
    assert said[-1][-1] == _("End of recording."), locale
    items = next(s for s in article.sections if s.id == "references").blocks[0].items
    for n in range(1, len(items) + 1):  # every entry, read in full (its text follows the label)
        label = _("Reference {number}: {reference}").format(number=n, reference="").strip()
        assert any(t.startswith(label) and len(t) > len(label) + 20 for t in said[-1]), (locale, n)
    comment = str(ID3(folder / f"{SLUG}.mp3").getall("COMM")[0])
    assert voice in comment, locale


def test_speech_rate(narration) -> None:
    locale, project, article, _, samples, rate = narration
    script = build_script(article, load_lexicon(project.locales_dir, locale))
    words = sum(u.words for u in script.utterances())
    low, high = RATE_RANGE[locale]
    assert low <= words / (samples.size / rate / 60) <= high, locale


def test_timings_match_the_decoded_audio(narration) -> None:
    """Each part starts where its chapter starts, and each utterance starts and ends at the edges
    of speech in the decoded MP3: silence between two utterances' times, speech at their edges."""
    import json

    _, _, _, folder, samples, rate = narration
    timings = json.loads((folder / f"{SLUG}.timings.json").read_text(encoding="utf-8"))
    tags = ID3(folder / f"{SLUG}.mp3")
    chapters = [tags[f"CHAP:{cid}"] for cid in tags.getall("CTOC")[0].child_element_ids]
    assert [s["title"] for s in timings["sections"]] == [str(c.sub_frames["TIT2"]) for c in chapters]
    for section, chapter in zip(timings["sections"], chapters, strict=True):
        assert (
            abs(section["start"] * 1000 - chapter.start_time) <= 2
            and abs(section["end"] * 1000 - chapter.end_time) <= 2
        )
    assert abs(timings["duration"] - samples.size / rate) < 0.2
    spans = [(u["start"], u["end"]) for s in timings["sections"] for u in s["utterances"]]
    assert all(a < b for a, b in spans) and all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(spans))
    slack = 0.12  # the encoder's delay and the 10 ms windows

    def level(a: float, b: float) -> float:
        window = samples[int(a * rate) : int(b * rate)]
        return 20 * float(np.log10(max(float(np.sqrt((window**2).mean())), 1e-10))) if window.size else -200.0

    for (_, end), (start, _) in itertools.pairwise(spans):  # between two utterances: silence
        if start - end > 2 * slack:
            assert level(end + slack, start - slack) < -50, (end, start)
    for a, b in spans:  # and speech where an utterance is said, from its first to its last word
        assert b - a < 3 * slack or level(a + slack, b - slack) > -45, (a, b)
        assert level(a, a + 3 * slack) > -45 and level(b - 3 * slack, b) > -45, (a, b)
