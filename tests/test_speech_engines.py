"""Engines: clear errors before work, gTTS retries on a faked HTTP layer, Piper intelligibility."""

from __future__ import annotations

import base64
import difflib
import re
import shutil
from pathlib import Path

import lameenc
import numpy as np
import pytest
import requests

from packager.errors import PackagerError
from packager.project import AudioSettings, Project, Settings
from packager.source import read_article
from packager.speech import audio
from packager.speech.builder import AudioBuilder
from packager.speech.engines import EngineUnavailable, voice_for
from packager.speech.engines.gtts import GttsEngine
from packager.speech.lexicon import load_lexicon
from packager.speech.normalize import normalize
from tests.test_speech_script import TINY

REPO = Path(__file__).resolve().parent.parent


def _project(root: Path, **audio_settings) -> Project:
    return Project(root, Settings(audio=AudioSettings(**audio_settings)))


@pytest.mark.parametrize(
    ("settings", "locale", "message"),
    [
        ({"voices": {"es": "xx-nowhere"}}, "es", "no voice 'xx-nowhere'"),
        ({"engine": "piper"}, "es", "no voice for es"),
        ({"engine": "piper", "voices": {"en": "/nonexistent.onnx"}}, "en", ".onnx"),
        ({"engine": "gtts", "voices": {"vi": "klingon"}}, "vi", "no language"),
        ({"engine": "festival"}, "en", "unknown audio engine"),
        ({"engine": "gtts", "fallback": "piper"}, "ar", "no voice for ar"),
    ],
)
def test_preflight_refuses_missing_voices(tmp_path: Path, settings: dict, locale: str, message: str) -> None:
    with pytest.raises(PackagerError, match=re.escape(message)):
        AudioBuilder().preflight(_project(tmp_path, **settings), ["en", locale])


def test_default_engine_speaks_with_the_network_blocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the default engine tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    AudioBuilder().preflight(_project(tmp_path), ["en", "es", "ar", "zh_Hans", "vi"])
    engine, voice = voice_for(_project(tmp_path), "en")
    samples, rate = engine.synthesize("Hello.", voice)
    assert engine.name == "espeak-ng" and len(samples) > rate // 10


def _tone_mp3() -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(24000)
    encoder.set_channels(1)
    t = np.arange(12000) / 24000
    pcm = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush())


class FakeGoogle:
    """Stands in for requests' HTTP layer: answers with the given statuses, then with audio."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.calls = 0

    def send(self, session, request, **kwargs) -> requests.Response:
        self.calls += 1
        response = requests.Response()
        response.request = request
        response.url = request.url
        response.status_code = self.statuses.pop(0) if self.statuses else 200
        payload = base64.b64encode(_tone_mp3()).decode()
        response._content = f')]}}\'\n\n[["wrb.fr","jQ1olc","[\\"{payload}\\"]"]]'.encode()
        response._content_consumed = True
        return response


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch):
    def install(statuses: list[int]) -> FakeGoogle:
        fake = FakeGoogle(statuses)
        monkeypatch.setattr(requests.Session, "send", lambda self, request, **kw: fake.send(self, request, **kw))
        return fake

    return install


def test_gtts_retries_429_and_5xx_with_backoff(tmp_path: Path, fake_google) -> None:
    fake = fake_google([429, 503])
    engine, voice = voice_for(_project(tmp_path, engine="gtts"), "es")
    slept: list[float] = []
    engine.sleep = slept.append
    samples, rate = engine.synthesize("Hola.", voice)
    assert 0.45 <= samples.size / rate <= 0.7 and fake.calls == 3
    assert slept == [1.0, 2.0]


def test_gtts_gives_up_clearly(tmp_path: Path, fake_google) -> None:
    fake_google([500] * 10)
    engine, voice = voice_for(_project(tmp_path, engine="gtts"), "es")
    engine.sleep = lambda s: None
    with pytest.raises(EngineUnavailable, match="still failing"):
        engine.synthesize("Hola.", voice)


def test_gtts_falls_back_to_the_named_engine(tmp_path: Path, fake_google, monkeypatch) -> None:
    fake_google([503] * 100)
    monkeypatch.setattr(GttsEngine, "sleep", staticmethod(lambda s: None))
    shutil.copytree(REPO / "locales" / "en", tmp_path / "locales" / "en")
    (tmp_path / "tiny.md").write_text(TINY, encoding="utf-8")
    article = read_article(tmp_path / "tiny.md")
    product = AudioBuilder().build(article, _project(tmp_path, engine="gtts", fallback="espeak-ng"), lambda *a: None)
    assert product.info["engine"].startswith("espeak-ng") and "gtts" in product.info["fallback_from"]
    with pytest.raises(PackagerError, match="still failing"):
        AudioBuilder().build(article, _project(tmp_path / "x", engine="gtts"), lambda *a: None)


PARAGRAPH = (
    "Remission is not the same as a cure. Some people have gone a long time without signs of lupus and without "
    "medicines. But the studies are young, and we need more time and more research to know if the good results last."
)


def recognised_share(settings: dict, tmp_path: Path) -> float:
    """Share of the paragraph's words an offline recogniser (pocketsphinx, English model) recovers, in order."""
    from pocketsphinx import Decoder
    from scipy.signal import resample_poly

    engine, voice = voice_for(_project(tmp_path, **settings), "en")
    samples, rate = engine.synthesize(normalize(PARAGRAPH, load_lexicon(REPO / "locales", "en")), voice)
    speech = audio.master(audio.to_rate(samples, rate))
    pcm = (np.clip(resample_poly(speech.astype(np.float64), 320, 441), -1, 1) * 32767).astype("<i2")
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm.tobytes(), full_utt=True)
    decoder.end_utt()
    heard = decoder.hyp().hypstr.split() if decoder.hyp() else []
    said = re.findall(r"[a-z']+", PARAGRAPH.lower())
    matcher = difflib.SequenceMatcher(None, said, heard, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(said)


def test_best_english_voice_is_intelligible(tmp_path: Path) -> None:
    """Piper's bundled en_US joe voice: the best English voice shipped (not the default: see its licence)."""
    assert recognised_share({"engine": "piper"}, tmp_path) >= 0.80


def test_default_english_voice_stays_recognisable(tmp_path: Path) -> None:
    """eSpeak NG scores far lower with a recogniser trained on human speech; guard against it getting worse."""
    assert recognised_share({}, tmp_path) >= 0.40
