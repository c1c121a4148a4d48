"""eSpeak NG's library forked per utterance (packager/speech/engines/espeak_server.py) says exactly
what the `espeak-ng` command line says, in any order, and its CPU is counted in the build's stages."""

from __future__ import annotations

import random
import subprocess

import numpy as np
import pytest

from packager import timings
from packager.errors import PackagerError
from packager.speech.engines import Voice, espeak

#: Voices with their own scripts, the Klatt variant (random noise), a language island in SSML,
#: a language where a voice's name is expected (the shipped settings' French: the command line picks its voice).
CASES = [
    ("CAR T-cell therapy is strong medicine, and it has risks.", "en-us+klatt4", 190, False),
    ("La terapia es fuerte, y tiene riesgos.", "es-419+klatt4", 200, False),
    ("Le traitement dure 3 semaines.", "fr", 175, False),
    ("Le traitement dure 3 semaines.", "fr-fr", 175, False),  # a language, which the command line looks up
    ("العلاج قوي وله مخاطر.", "ar", 250, False),
    ("Điều trị kéo dài ba tuần.", "vi", 150, False),
    ("उपचार तीन सप्ताह तक चलता है।", "hi", 175, False),
    ('<speak><voice name="fr">Prenez du </voice><voice name="en">Benlysta</voice></speak>', "fr", 175, True),
]


def command_line(text: str, voice: str, speed: int, ssml: bool) -> tuple[np.ndarray, int]:
    command = ["espeak-ng", "-v", voice, "-s", str(speed), "-b", "1", *(["-m"] if ssml else []), "--stdout"]
    return espeak._read_wav(subprocess.run(command, input=text.encode(), capture_output=True, check=True).stdout)


def test_every_utterance_is_the_command_lines_bit_for_bit_whatever_came_before() -> None:
    """The library keeps state between utterances (echo, noise, pitch): called twice in one process it
    says the same text differently. Forked from a fresh start, it does not."""
    order = CASES * 2
    random.Random(7).shuffle(order)
    for text, voice, speed, ssml in [*CASES, *order]:
        served = espeak._served(voice, speed, text, ssml)
        assert served is not None, f"no server for {voice}"
        samples, rate = served
        expected, expected_rate = command_line(text, voice, speed, ssml)
        assert rate == expected_rate
        got = np.frombuffer(samples, dtype="<i2").astype(np.float32) / 32768.0
        assert got.shape == expected.shape and np.array_equal(got, expected), (voice, text)


def test_the_servers_cpu_is_counted_in_the_stage_that_asked() -> None:
    """A server lives on, so the kernel does not count its CPU until it ends: each answer says
    what it has used, and the synthesis stage counts it (as it counted the command line's)."""
    text, voice, speed, ssml = CASES[0]
    espeak._served(voice, speed, text, ssml)  # started outside the measure
    timings.take()
    with timings.stage("synthesise"):
        for _ in range(10):
            espeak._served(voice, speed, text, ssml)
    spent = timings.take()["synthesise"]
    client = 10 * 0.0005  # what this process itself spends on an answer, generously
    assert spent > client + 10 * 0.001  # the server's forks and syntheses: a few ms each
    espeak._stop_all()
    timings.take()
    assert timings._elsewhere[0] == pytest.approx(0.0, abs=1e-9)  # ended: the kernel counts it now


def test_a_server_that_died_is_started_again() -> None:
    text, voice, speed, ssml = CASES[2]
    assert espeak._served(voice, speed, text, ssml) is not None
    espeak._servers[voice][0].kill()
    espeak._servers[voice][0].wait()
    served = espeak._served(voice, speed, text, ssml)
    assert served is not None
    assert np.array_equal(np.frombuffer(served[0], "<i2").astype(np.float32) / 32768.0, command_line(*CASES[2])[0])


def test_a_voice_the_library_cannot_load_is_left_to_the_command_line_which_says_why() -> None:
    assert espeak._served("xx-nonexistent", 175, "Hello.", False) is None
    assert "xx-nonexistent" in espeak._unserved  # not tried again for every utterance
    voice = Voice(engine="espeak-ng", name="xx-nonexistent", locale="en", rate=150)
    with pytest.raises(PackagerError, match="espeak-ng failed"):
        espeak.EspeakEngine().synthesize("Hello.", voice)
