"""Formats for the Dask cluster tests: one whose first task can be held until its worker is
killed, and one whose builder always raises. The tests register them for their own builds only."""

from __future__ import annotations

import os
import time
from pathlib import Path

from packager.builders import Format, Product
from packager.document import Article
from packager.project import Project

#: A folder shared with the workers (they inherit the environment): the hold switch and the attempt records.
FOLDER = "PACKAGER_TEST_CLUSTER_DIR"
ARMED = "hold-next"  # while this file exists, the next target to start holds there, its pid in "held"


def _folder() -> Path:
    return Path(os.environ[FOLDER])


class TitleBuilder:
    """The translated title and locale, as text: cheap, and its expected value comes from the catalog."""

    preload = ()

    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.title.txt"]

    def inputs(self, project: Project, locale: str) -> list[Path | str]:
        return [Path(__file__)]

    def preflight(self, project: Project, locales: list[str]) -> None:
        return None

    def build(self, article: Article, project: Project, progress) -> Product:
        try:
            (_folder() / ARMED).rename(_folder() / "holding")  # only one task takes the switch
        except FileNotFoundError:
            pass
        else:
            (_folder() / "held").write_text(str(os.getpid()))
            time.sleep(120)  # until the test kills this worker
        return Product({self.outputs(article)[0]: f"{article.locale}: {article.meta.title.markdown}\n".encode()})


class BrokenBuilder(TitleBuilder):
    def outputs(self, article: Article) -> list[str]:
        return [f"{article.slug}.broken.txt"]

    def build(self, article: Article, project: Project, progress) -> Product:
        with (_folder() / f"attempts-{article.slug}-{article.locale}").open("a") as attempts:
            attempts.write(f"{os.getpid()}\n")
        raise ValueError("this builder always fails")


TEST_FORMATS = (
    Format("title", "Title (test)", "tests.cluster_format:TitleBuilder", order=96),
    Format("broken", "Broken (test)", "tests.cluster_format:BrokenBuilder", order=97),
)
