"""The build engine: plan targets (article x locale x format), rebuild what is out of date.

A target is up to date when the hash of all its inputs is unchanged (content hashes, not
timestamps) and its outputs are what the manifest says. Targets run in worker processes,
in dependency order; each output is written atomically; one target's failure fails only it
and the targets that need it. The engine never prints: it returns outcomes and reports
progress through a callback, and the command line decides what to show.

- :mod:`.inputs`: what a target depends on, hashed
- :mod:`.manifest`: ``build/manifest.json`` and ``build/index.html``
- :mod:`.plan`: which targets are stale, the translation and check gate
- :mod:`.run`: the worker pool, dependencies between targets, the lock
- :mod:`.cluster`: Dask distributed as the executor (``--scheduler``), for big libraries
- :mod:`.cache`: a shared cache of built targets by input hash (``--cache``), a folder or fsspec URL
"""

from packager.engine.plan import Outcome, Target
from packager.engine.run import Event, build

__all__ = ["Event", "Outcome", "Target", "build"]
