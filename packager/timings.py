"""CPU seconds per build stage, so that where a build's time goes is measured, not guessed.

``with stage("render"):`` adds the CPU the block used, this process's and that of the
programs it ran and waited for (espeak-ng, ffmpeg), to the stage's total in this process.
A stage inside another counts once, in the inner stage. Each worker hands its totals back
with the target it built (:func:`take`); the engine adds them up for its report.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: The stages, in the order a target goes through them ("plan": hashing inputs, checking outputs).
STAGES = ("plan", "parse", "translate", "render", "synthesise", "master", "encode", "write")

_spent: dict[str, float] = {}
_open: list[list[float]] = []  # per open stage: [CPU at its start, CPU of the stages inside it]
#: CPU spent for this process by helpers it has not waited for yet (eSpeak NG's server), as they say.
_elsewhere = [0.0]


def cpu_seconds() -> float:
    """This process's CPU time and that of its children: the programs it ran and waited for, and
    the helpers that live on, by what they said they used."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime + _elsewhere[0]


def count_elsewhere(seconds: float) -> None:
    """CPU a helper process spent for this one; when the helper is waited for, the kernel counts
    it among the children, and what it said is taken back (a negative ``seconds``)."""
    _elsewhere[0] += seconds


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = cpu_seconds()
    _open.append([start, 0.0])
    try:
        yield
    finally:
        _, inner = _open.pop()
        spent = cpu_seconds() - start
        _spent[name] = _spent.get(name, 0.0) + spent - inner
        if _open:
            _open[-1][1] += spent


def take() -> dict[str, float]:
    """The totals since the last call, by stage; they start again from zero."""
    spent = {name: round(seconds, 4) for name, seconds in _spent.items()}
    _spent.clear()
    return spent


def add(total: dict[str, float], more: dict[str, float]) -> dict[str, float]:
    """Two sets of stage totals added up."""
    return {name: round(total.get(name, 0.0) + more.get(name, 0.0), 4) for name in {*total, *more}}
