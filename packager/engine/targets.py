"""What a build is about and what it says: targets, their outcomes, the events it reports.

Kept apart from the planner, which imports the parser and the checks: a no-op build
(:mod:`.journal`) reports outcomes without importing either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.engine.spill import Spilled


@dataclass(frozen=True, slots=True)  # a build holds one per target it reports on
class Target:
    slug: str
    locale: str
    format: str
    source: Path

    @property
    def key(self) -> str:
        return f"{self.slug}/{self.locale}/{self.format}"

    def sibling(self, fmt: str) -> Target:
        """The same article and locale in another format (a target this one may need)."""
        return Target(self.slug, self.locale, fmt, self.source)


@dataclass(slots=True)
class Outcome:
    target: Target
    status: str  # built | up to date | failed | refused
    reason: str = ""
    seconds: float = 0.0
    outputs: list[dict[str, Any]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by stage (packager.timings)


def _target_key(outcome: Outcome) -> str:
    return outcome.target.key


def outcome_log(outcomes: Iterable[Outcome] = ()) -> Spilled[Outcome]:
    """Outcomes as a build reports them: kept on disk, one per target however many, and read
    back as they came or by target (``ordered()``), as the summary lists them."""
    return Spilled(outcomes, order=_target_key)


@dataclass(frozen=True)
class Event:
    """What the engine reports while it works; the command line decides how to show it.

    ``kind``: "progress" (a running target's step ``done`` of ``total``), "finished" (with
    its ``outcome``), "waiting" (for another build's lock), "cpu" (last: CPU seconds by stage).
    """

    kind: str
    key: str = ""
    done: int = 0
    total: int = 0
    label: str = ""
    outcome: Outcome | None = None
    queued: int = 0  # targets this build will run, for "finished" counters
    cpu: dict[str, float] = field(default_factory=dict)  # "cpu": CPU seconds by stage, the whole build's
