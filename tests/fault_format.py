"""A format whose worker stops between writing a temporary file and renaming it into place,
so that a test can kill the build at the worst moment. Only the fault-injection tests load it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from packager import atomic
from packager.builders import Format, Product, register
from packager.document import Article
from packager.project import Project

PAUSED = "PACKAGER_TEST_PAUSED"  # the file this worker creates once it is paused

_replace = os.replace


def _paused_replace(src, dst) -> None:
    if str(dst).endswith(".slow.txt") and os.environ.get(PAUSED):
        Path(os.environ[PAUSED]).write_text(str(src))
        time.sleep(120)
    _replace(src, dst)


atomic.os = __import__("types").SimpleNamespace(**{**vars(os), "replace": _paused_replace})  # type: ignore


class SlowBuilder:
    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.slow.txt"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        return [Path(__file__), os.environ.get("PACKAGER_TEST_GENERATION", "")]

    def preflight(self, project: Project, locales: list[str]) -> None:
        return None

    def build(self, article: Article, project: Project, progress) -> Product:
        text = f"{os.environ.get('PACKAGER_TEST_GENERATION', '')}\n" * 200_000
        return Product({self.outputs(article)[0]: text.encode()})


register(Format("slow", "Slow test output", "tests.fault_format:SlowBuilder", order=95))
