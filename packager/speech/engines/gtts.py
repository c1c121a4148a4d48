"""gTTS: Google Translate's voices, online, used only when settings choose it.

429 and 5xx answers are retried with exponential backoff; when they persist
the builder switches to ``audio.fallback`` if settings name one, else stops
with a clear error.
"""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Callable
from importlib import metadata
from typing import TYPE_CHECKING

from packager.errors import PackagerError
from packager.speech import islands
from packager.speech.engines import EngineUnavailable, Voice

if TYPE_CHECKING:  # numpy is for synthesis, not for planning a build
    import numpy as np

#: gTTS language codes per locale where they differ from the language code.
LANGS = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW", "pt_BR": "pt"}
RETRIES = 4
BACKOFF = 1.0  # seconds before the first retry; doubles each time
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class GttsEngine:
    name = "gtts"
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def version(self) -> str:
        return metadata.version("gTTS")

    def default_voice(self, locale: str) -> str | None:
        from gtts.lang import tts_langs

        code = LANGS.get(locale, locale.split("_")[0])
        return code if code in tts_langs() else None

    def check(self, voice: Voice) -> None:
        from gtts.lang import tts_langs

        if voice.name not in tts_langs():
            raise PackagerError(f"gTTS has no language {voice.name!r} for {voice.locale}")

    def identity(self, voice: Voice) -> str:
        return voice.name

    def synthesize(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        from gtts import gTTS, gTTSError

        text = islands.strip(text)  # one voice per utterance: islands in the utterance's voice
        delay = BACKOFF
        for attempt in range(RETRIES + 1):
            buffer = io.BytesIO()
            try:
                gTTS(text, lang=voice.name, lang_check=False).write_to_fp(buffer)
                return _decode_mp3(buffer.getvalue())
            except gTTSError as exc:
                status = getattr(exc.rsp, "status_code", None)
                retry = status is None or status in RETRY_STATUS
                if not retry:
                    raise PackagerError(f"gTTS refused the request: {exc}") from None
                if attempt == RETRIES:
                    raise EngineUnavailable(f"gTTS still failing after {RETRIES} retries: {exc}") from None
                self.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _decode_mp3(data: bytes) -> tuple[np.ndarray, int]:
    import numpy as np

    """Decode with ffmpeg (installed by the setup script) to mono float samples."""
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-ac", "1", "-f", "f32le", "pipe:1"],
        input=data,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout:
        raise EngineUnavailable("gTTS returned audio that does not decode")
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=sample_rate", "-of", "csv=p=0", "pipe:0"],
        input=data,
        capture_output=True,
        text=False,
        check=False,
    )
    rate = int(probe.stdout.decode().strip() or 24000)
    return np.frombuffer(result.stdout, dtype="<f4").copy(), rate
