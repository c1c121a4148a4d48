#!/usr/bin/env bash
# Mutation testing of the modules where a silent bug harms a patient ([tool.mutmut] in pyproject.toml):
# mutmut changes their code one small edit at a time (a < for a <=, a dropped call, another
# constant) and runs the tests that reach the changed function; a change no test notices "survives".
#   bash scripts/mutation.sh                        # every module; prints "killed X of Y (Z%)"
#   bash scripts/mutation.sh 'packager.i18n.checks.numbers*'   # only mutants whose name matches
#   .venv/bin/mutmut results; .venv/bin/mutmut show NAME       # the survivors, and what each changed
# Outside CI's required path: it takes tens of minutes on 2 cores. mutmut comes with the test lock.
# Results are kept in mutants/: a run without names runs only mutants not yet run or whose code
# changed; named mutants always run again. Remove mutants/ to start afresh. An interrupted run's
# score: .venv/bin/python scripts/mutation_score.py
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
"$python" scripts/mutation_score.py "$(($(date +%s) - start))"
