"""English intelligibility of the narration: pocketsphinx recall per section track, across espeak-ng settings.

For each setting (voice variant, rate, pause scale) every section of the English speech
script is synthesised with espeak-ng, laid out with its pauses and mastered as in a build,
then split at its pauses by pocketsphinx's voice-activity endpointer and recognised by
pocketsphinx's English model. Recall is the share of the section's spoken words the
recogniser returns in order (longest common subsequence), per section and on average.
A recogniser trained on human speech is a harsh, repeatable stand-in for a listener.

    .venv/bin/python benchmarks/intelligibility.py                       # the settings below
    .venv/bin/python benchmarks/intelligibility.py --variants klatt4 --rates 140,155 --pauses 1,1.5
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from packager.project import load_project  # noqa: E402
from packager.source import read_article  # noqa: E402
from packager.speech import audio, islands  # noqa: E402
from packager.speech.engines import Voice  # noqa: E402
from packager.speech.engines.espeak import EspeakEngine  # noqa: E402
from packager.speech.lexicon import load_lexicon  # noqa: E402
from packager.speech.script import build_script  # noqa: E402


def section_pcm(utterances, voice: Voice, pause_scale: float) -> np.ndarray:
    """16 kHz 16-bit PCM of one section track, made as the build makes it (trim, pauses, master)."""
    from scipy.signal import resample_poly

    engine = EspeakEngine()
    pieces = [audio.silence(audio.LEAD_IN)]
    for n, utterance in enumerate(utterances):
        samples, rate = engine.synthesize(utterance.text, voice)
        pieces.append(audio.trim(audio.to_rate(samples, rate), audio.SAMPLE_RATE))
        pieces.append(audio.silence(audio.TAIL if n == len(utterances) - 1 else utterance.pause * pause_scale))
    mastered = audio.master(np.concatenate(pieces)).astype(np.float64)
    return (np.clip(resample_poly(mastered, 320, 441), -1, 1) * 32767).astype("<i2")


def recognise(pcm: np.ndarray) -> list[str]:
    """Words pocketsphinx hears, speech segment by speech segment (as found by its endpointer)."""
    from pocketsphinx import Decoder, Endpointer

    decoder = Decoder(samprate=16000, loglevel="FATAL")
    endpointer = Endpointer(sample_rate=16000)
    data, size = pcm.tobytes(), endpointer.frame_bytes
    words: list[str] = []
    for start in range(0, len(data) - size + 1, size):
        was_in_speech = endpointer.in_speech
        speech = endpointer.process(data[start : start + size])
        if speech is None:
            continue
        if not was_in_speech:
            decoder.start_utt()
        decoder.process_raw(speech)
        if not endpointer.in_speech:  # a pause ends the segment
            decoder.end_utt()
            words += decoder.hyp().hypstr.split() if decoder.hyp() else []
    if endpointer.in_speech:  # the track ended inside speech (it should not: every track ends in silence)
        decoder.end_utt()
        words += decoder.hyp().hypstr.split() if decoder.hyp() else []
    return words


def recall(said: list[str], heard: list[str]) -> float:
    matcher = difflib.SequenceMatcher(None, said, heard, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(said))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="klatt4,klatt,klatt2,default", help="espeak-ng voice variants of en-us")
    parser.add_argument("--rates", default="155", help="words a minute (the default English rate is 155)")
    parser.add_argument("--pauses", default="1", help="multipliers of the script's pauses")
    args = parser.parse_args()
    project = load_project(REPO)
    slug = sorted(project.source_dir.glob("*.md"))[0].stem
    script = build_script(read_article(project.source_dir / f"{slug}.md"), load_lexicon(project.locales_dir, "en"))
    chapters = [c for c in script.chapters if c.utterances]
    said = [re.findall(r"[a-z']+", " ".join(islands.strip(u.text) for u in c.utterances).lower()) for c in chapters]
    print("setting                         mean   min    per section (" + ", ".join(c.id[:10] for c in chapters) + ")")
    for variant in args.variants.split(","):
        name = "en-us" if variant == "default" else f"en-us+{variant}"
        for rate in (int(r) for r in args.rates.split(",")):
            for scale in (float(p) for p in args.pauses.split(",")):
                started = time.perf_counter()
                voice = Voice("espeak-ng", name, "en", rate)
                scores = [
                    recall(words, recognise(section_pcm(c.utterances, voice, scale)))
                    for c, words in zip(chapters, said, strict=True)
                ]
                label = f"{name} rate {rate} pauses x{scale:g}"
                per = " ".join(f"{s:.2f}" for s in scores)
                seconds = time.perf_counter() - started
                print(f"{label:31s} {np.mean(scores):.3f}  {min(scores):.2f}   {per}  ({seconds:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
