"""eSpeak NG's library, loaded once, forked per utterance: the command line's samples, without its start.

Starting ``espeak-ng`` costs about 7 ms of CPU (loading the program, its phoneme data and the
voice) and a sentence about 6 ms more; a narration is hundreds of utterances. The library
cannot simply be called again and again in one process: what it did before (its echo buffer,
its random noise, its pitch state) changes the next utterance's samples, so a cached
utterance would depend on the order it was made in. So this server loads the library and the
voice once, exactly as the command line does, and forks for each utterance: every child
starts from the state a fresh ``espeak-ng -v VOICE`` has, and its samples are the command
line's, bit for bit (a test compares them).

Run as ``python espeak_server.py VOICE``. It answers with its sample rate (8 bytes, little
endian; it exits instead if it cannot load the library or the voice), then takes requests, each
a line of JSON (``{"speed": 175, "ssml": false, "text": "..."}``). Each answer is 8 bytes of
length (negative: an error message follows), 8 bytes of the CPU seconds the server and its
children have used so far (a double: the build counts them in its synthesis stage), and that
many bytes of 16-bit samples. Standard library only, so the server forks small and fast.
"""

from __future__ import annotations

import ctypes
import json
import os
import struct
import sys

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_RATE = 1
POS_CHARACTER = 1
#: The command line's flags for ``-b 1`` (UTF-8) and its defaults: phoneme input, a pause at the end.
CHARS_UTF8, SSML, PHONEMES, ENDPAUSE = 0x1, 0x10, 0x100, 0x1000


def _load(voice: str) -> tuple[ctypes.CDLL, list[bytes], object, int]:
    library = ctypes.CDLL("libespeak-ng.so.1")
    chunks: list[bytes] = []

    @ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    def collect(wav, count, events):  # type: ignore[no-untyped-def]
        if count > 0 and wav:
            chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    rate = library.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
    if rate <= 0:
        raise RuntimeError("eSpeak NG could not start (its data folder is missing?)")
    library.espeak_SetSynthCallback(collect)
    c = ctypes  # espeak_Synth(text, size, position, position_type, end_position, flags, identifier, user_data)
    library.espeak_Synth.argtypes = (
        c.c_char_p,
        c.c_size_t,
        c.c_uint,
        c.c_int,
        c.c_uint,
        c.c_uint,
        c.c_void_p,
        c.c_void_p,
    )
    if library.espeak_SetVoiceByName(voice.encode()) != 0 and _by_language(library, voice) != 0:
        raise RuntimeError(f"Failed to read voice '{voice}'")  # the command line will say why
    return library, chunks, collect, rate


class _VoiceSpec(ctypes.Structure):
    """speak_lib.h's espeak_VOICE."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def _by_language(library: ctypes.CDLL, voice: str) -> int:
    """What the command line does with a name no voice has ("fr-fr"): the best voice for that
    language, every other property left empty."""
    spec = _VoiceSpec(languages=voice.encode())
    return int(library.espeak_SetVoiceByProperties(ctypes.byref(spec)))


def _speak(library: ctypes.CDLL, chunks: list[bytes], request: dict) -> bytes:
    """In the forked child: what ``espeak-ng -v VOICE -s SPEED -b 1 [-m] --stdout`` would say (the
    fork holds the state the command line has at this point, its random noise's seed included)."""
    library.espeak_SetParameter(ESPEAK_RATE, int(request["speed"]), 0)
    text = str(request["text"]).encode("utf-8")
    flags = CHARS_UTF8 | PHONEMES | ENDPAUSE | (SSML if request.get("ssml") else 0)
    library.espeak_Synth(text, len(text) + 1, 0, POS_CHARACTER, 0, flags, None, None)
    library.espeak_Synchronize()
    return b"".join(chunks)


def serve(voice: str) -> None:
    answers = sys.stdout.buffer
    try:
        library, chunks, _callback, rate = _load(voice)
    except (OSError, RuntimeError) as exc:
        sys.exit(f"espeak_server: {exc}")
    answers.write(struct.pack("<q", rate))  # ready: the sample rate
    answers.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read)
            code = 1
            try:
                samples = _speak(library, chunks, request)
                with os.fdopen(write, "wb") as out:
                    out.write(samples)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            samples = pipe.read()
        _, status = os.waitpid(child, 0)
        cpu = sum(os.times()[:4])
        if os.waitstatus_to_exitcode(status) != 0:
            message = f"eSpeak NG stopped on an utterance (status {status})".encode()
            answers.write(struct.pack("<qd", -len(message), cpu) + message)
        else:
            answers.write(struct.pack("<qd", len(samples), cpu) + samples)
        answers.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
