"""``make mutants``: mutmut 3 on the core modules, one module at a time, and the score.

Each module is tested by the test files that exercise it (``TESTS``; mutmut 3 then runs,
for each mutant, only the tests that reached the mutated function). The selection is
passed to pytest through ``OCPO_MUTANT_TESTS`` (see tests/conftest.py) because mutmut
reads one fixed configuration; mutmut runs at nice 10. The score counts killed (and
timed-out) mutants over all mutants with tests; accepted survivors are listed in
tests/mutation/accepted.md; each module's survivors are written to
var/mutants-<module>.txt.

    make mutants                                  # every module
    make mutants MUTANT_MODULES="ocpo/kb.py"       # one
    make mutants MUTANT_MODULES="ocpo/middleware.py:known_params,AnonymousCacheMiddleware.*"

After a colon, only the named functions (``Class.method``; ``*`` matches any part) are
mutated: the large modules take hours whole. ``OCPO_MUTANT_TESTS`` set beforehand replaces
the module's test selection (fewer tests a mutant, at the price of weaker kills).
``--report`` prints the scores of the mutants already run, without running any.

Do not reinstall the virtualenv while it runs: the mutants are imported through it, and a
reinstall mid-run made every later mutant "survive".
"""

import fnmatch
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

API_TESTS = [
    "tests/test_api.py",
    "tests/missions/test_api.py",
    "tests/interfaces/test_api.py",
    "tests/measures/test_api.py",
    "tests/security/test_bad_input.py",
    "tests/security/test_concurrency.py",
    "tests/test_api_errors.py",
    "tests/test_csv_export.py",
    "tests/test_caught_changes.py",
]
FILTER_TESTS = [
    "tests/missions/test_filters.py",
    "tests/interfaces/test_filters.py",
    "tests/measures/test_filters.py",
    "tests/test_caught_changes.py",
    # The list pages' filter forms: the widgets show and read back what is in force.
    "tests/missions/test_views.py",
    "tests/interfaces/test_views.py",
    "tests/measures/test_views.py",
    "tests/test_portal.py",
]
CACHE_TESTS = [
    "tests/test_datastate.py",
    "tests/test_aggregate_cache.py",
    "tests/test_conditional_cache.py",
    "tests/test_cache_outages.py",
    "tests/test_cache_headers.py",
    "tests/test_health.py",
]
TESTS = {
    "ocpo/datastate.py": CACHE_TESTS,
    "ocpo/middleware.py": CACHE_TESTS,
    "ocpo/selectors.py": [
        "tests/test_pages.py",
        "tests/test_caught_changes.py",
        "tests/test_search.py",
        "tests/kb/test_link_basis.py",
    ],
    "ocpo/filters.py": FILTER_TESTS,
    "missions/filters.py": FILTER_TESTS,
    "interfaces/filters.py": FILTER_TESTS,
    "measures/filters.py": FILTER_TESTS,
    "ocpo/kb.py": ["tests/kb"],
    "ocpo/rest.py": API_TESTS,
    "ocpo/api": API_TESTS,
}
KILLED = {"killed", "timeout"}


def mutant_patterns(dotted, functions):
    """mutmut's names for the mutants of ``functions`` (all of the module's without)."""
    from mutmut.mutation.trampoline_templates import mangle_function_name

    if not functions:
        return [f"{dotted}.*"]
    patterns = []
    for function in functions:
        class_name, _, name = function.rpartition(".")
        mangled = mangle_function_name(name=name, class_name=class_name or None)
        patterns.append(f"{dotted}.{mangled}__mutmut_*")
    return patterns


def accepted():
    """The survivors tests/mutation/accepted.md accepts: name -> reason."""
    table = (ROOT / "tests" / "mutation" / "accepted.md").read_text()
    return dict(re.findall(r"^\| `([^`]+)` \| [^|]* \| ([^|]+?) \|$", table, re.MULTILINE))


def run_module(module, functions=(), report_only=False):
    selected = os.environ.get("OCPO_MUTANT_TESTS", "").split() or TESTS[module]
    tests = [t for t in selected if (ROOT / t.split("::")[0]).exists()]
    dotted = module.removesuffix(".py").replace("/", ".")
    patterns = mutant_patterns(dotted, functions)
    env = {**os.environ, "OCPO_MUTANT_TESTS": " ".join(tests), "OCPO_ANONYMOUS_CACHE": "false"}
    if not report_only:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # fresh stats for this selection
        command = ["nice", "-n", "10", str(BIN / "mutmut"), "run", "--max-children", "1"]
        subprocess.run([*command, *patterns], cwd=ROOT, env=env, check=False)
    listing = subprocess.run(
        [str(BIN / "mutmut"), "results", "--all", "true"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = Counter()
    survivors = []
    for name, status in re.findall(r"^\s*(\S+): (.+)$", listing, re.MULTILINE):
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            continue
        statuses[status] += 1
        if status not in KILLED and status not in ("not checked", "no tests"):
            survivors.append(name)
    return statuses, survivors


def main(arguments):
    report_only = "--report" in arguments
    report = []
    reasons = accepted()
    for argument in [a for a in arguments if a != "--report"] or list(TESTS):
        module, _, functions = argument.partition(":")
        functions = [f for f in functions.split(",") if f]
        statuses, survivors = run_module(module, functions, report_only)
        tested = sum(n for s, n in statuses.items() if s not in ("no tests", "not checked"))
        killed = sum(statuses[s] for s in KILLED)
        # Equivalent survivors (no observable difference) and code run at import (mutmut's
        # forked runs keep the original) leave the count; "not worth a test" stays in it.
        excluded = [
            n for n in survivors if reasons.get(n, "").startswith(("equivalent", "run at import"))
        ]
        worth = tested - len(excluded)
        score = f"{100 * killed / worth:.1f}%" if worth else "n/a"
        unchecked = statuses.get("not checked", 0)
        report.append(
            f"{argument}: {killed} killed of {worth} non-equivalent ({score}); "
            f"{tested} tested, {len(excluded)} accepted as equivalent or run at import, "
            f"{len([n for n in survivors if n not in reasons])} survivors not yet accepted"
            + (f", {unchecked} not checked" if unchecked else "")
            + f"; {dict(statuses)}"
        )
        (ROOT / "var").mkdir(exist_ok=True)
        (ROOT / "var" / f"mutants-{module.replace('/', '.')}.txt").write_text(
            "\n".join(f"{n}: {reasons.get(n, 'not accepted')}" for n in survivors) + "\n"
        )
    print("\n".join(["", "mutation score per module:", *report]))


if __name__ == "__main__":
    main(sys.argv[1:])
