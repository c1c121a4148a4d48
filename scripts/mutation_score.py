"""The score of the last mutation run (scripts/mutation.sh), per module and in all.

Killed: a test failed, or the tests hung past mutmut's time limit. A mutant not yet run (the
run was interrupted) is left out, so the score of a partial run is the score of what ran.
    .venv/bin/python scripts/mutation_score.py [SECONDS]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.__main__ import status_by_exit_code


def main() -> None:
    total: Counter[str] = Counter()
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].values()
        counts = Counter(status_by_exit_code[code] for code in codes)
        total += counts
        killed, checked = counts["killed"] + counts["timeout"], counts.total() - counts["not checked"]
        if checked:
            print(
                f"  {meta.relative_to('mutants').with_suffix('')}: killed {killed} of {checked}",
                f"({100 * killed / checked:.1f}%);",
                f"survived {counts['survived']}, no tests {counts['no tests']}, not run {counts['not checked']}",
            )
    killed, checked = total["killed"] + total["timeout"], total.total() - total["not checked"]
    took = f" in {int(sys.argv[1]) // 60} min" if len(sys.argv) > 1 else ""
    print(
        f"mutation: killed {killed} of {checked} ({100 * killed / max(checked, 1):.1f}%){took};",
        f"survived {total['survived']}, no tests {total['no tests']}, timeouts {total['timeout']}",
    )


if __name__ == "__main__":
    main()
