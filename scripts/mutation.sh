#!/usr/bin/env bash
# Mutation testing of the modules where a silent bug harms a patient ([tool.mutmut] in pyproject.toml):
# mutmut changes their code one small edit at a time (a < for a <=, a dropped call, another
# constant) and runs the tests that reach the changed function; a change no test notices "survives".
#   bash scripts/mutation.sh                        # every module; prints "killed X of Y (Z%)"
#   bash scripts/mutation.sh 'packager.i18n.checks.numbers*'   # only mutants whose name matches
#   .venv/bin/mutmut results; .venv/bin/mutmut show NAME       # the survivors, and what each changed
# Outside CI's required path: it takes tens of minutes on 2 cores. mutmut comes with the test lock.
# Results are kept in mutants/ and only changed functions are re-run; remove mutants/ to start afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
mutmut="$(dirname "$python")/mutmut"
[ -x "$mutmut" ] || { echo "mutation: $mutmut missing; install requirements/test.lock first" >&2; exit 2; }
mkdir -p mutants
start=$(date +%s)
# mutmut's progress line is redrawn in place; only its summary matters here.
nice "$mutmut" run --max-children "${MUTATION_JOBS:-$(nproc)}" "$@" >mutants/run.log 2>&1 || {
    tail -40 mutants/run.log >&2
    exit 1
}
"$mutmut" export-cicd-stats >/dev/null
"$python" - "$(($(date +%s) - start))" <<'EOF'
import json
import sys

stats = json.load(open("mutants/mutmut-cicd-stats.json"))
# A mutant that makes the tests hang past mutmut's limit is caught too (timeout); one not yet run is left out.
killed = stats["killed"] + stats["timeout"]
checked = killed + stats["survived"] + stats["no_tests"] + stats["suspicious"] + stats["segfault"]
print(f"mutation: killed {killed} of {checked} ({100 * killed / max(checked, 1):.1f}%) in {int(sys.argv[1]) // 60} min;",
      f"survived {stats['survived']}, no tests {stats['no_tests']}, timeouts {stats['timeout']}")
EOF
