"""Lint a folder of real-world IaC and policy files and summarise what happened: nothing may crash.

    python tools/realworld.py FOLDER [--list] [--no-cli] [--jobs N]

Fetched public repositories (Terraform MWAA modules, MWAA samples, the test fixtures of cfn-lint and checkov, ...)
go in FOLDER; never commit them. Two passes:

1. In process, item by item (a file, or a Terraform folder as one module), with exceptions let through and caught
   here, so an internal error shows its traceback: parse every file, run the rules on the whole scan, render every
   report format.
2. Unless --no-cli: the installed command line as a user runs it (`python -m linter check FOLDER --format json`),
   with --jobs 1 and --jobs N; both must exit 0 or 1 without a traceback and print the same bytes.

Prints: files (by input kind, skipped), policies found, analysed (with at least one statement), unresolvable (MWAA012
notes), MWAA000 findings, findings by rule, internal errors (must be 0) and times. `--list` prints every MWAA000 and
MWAA012 with its location. Exit status 1 when there is an internal error or a CLI run fails.
"""
from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def in_process(folder: str, show: bool) -> dict:
    """The run's own steps, item by item (as `lint()` does), with internal errors counted instead of raised."""
    from linter.config import Config
    from linter.engine import finish
    from linter.reporters import get_reporter
    from linter.reporters.report import Report
    from linter.run import Checker, RunOptions, failed_item, item_paths, load_rules, parse_item, work_items
    from linter.sources import discover

    errors: list = []
    started = time.perf_counter()
    files = discover([folder])
    config = Config()
    rules = load_rules(config, RunOptions())
    checker = Checker(tuple(rules), config, debug=True)
    kinds: collections.Counter = collections.Counter()
    found = analysed = skipped = 0
    located = []
    parse_s = check_s = 0.0
    for item in work_items(files):
        t = time.perf_counter()
        try:
            outcomes = parse_item(item, debug=True)
        except Exception:  # noqa: BLE001 - counting internal errors is the point
            errors.append((", ".join(item_paths(item)), traceback.format_exc()))
            outcomes = failed_item(item, "internal error")
        parse_s += time.perf_counter() - t
        kinds.update(o.source.kind for o in outcomes if o.source is not None)
        documents = [d for o in outcomes if o.source is not None for d in o.source.documents]
        found += len(documents)
        analysed += sum(1 for d in documents if d.statements)
        skipped += sum(1 for o in outcomes if o.skipped)
        t = time.perf_counter()
        try:
            located.extend(checker.check(outcomes).findings)
        except Exception:  # noqa: BLE001
            errors.append((f"(rules on {', '.join(item_paths(item))})", traceback.format_exc()))
        check_s += time.perf_counter() - t
    findings = finish(located, folder)
    checked = time.perf_counter()
    report = Report(
        findings=tuple(findings), rules=tuple(rules), files=len(files) - skipped, policies=found, skipped=skipped,
        root=folder, options={"category": "mwaa-lint/"},
    )
    for format in ("text", "json", "sarif", "github", "markdown"):
        try:
            get_reporter(format)(report)
        except Exception:  # noqa: BLE001
            errors.append((f"(reporter {format})", traceback.format_exc()))
    rendered = time.perf_counter()

    by_rule = collections.Counter(f.rule_id for f in findings)
    summary = {
        "files": len(files),
        "sources by kind": dict(sorted(kinds.items())),
        "skipped": skipped,
        "policies found": found,
        "analysed": analysed,
        "unresolvable (MWAA012)": by_rule.get("MWAA012", 0),
        "MWAA000": by_rule.get("MWAA000", 0),
        "findings": dict(sorted(by_rule.items())),
        "internal errors": len(errors),
        "seconds": {"parse": round(parse_s, 2), "rules": round(check_s, 2), "total": round(checked - started, 2), "render": round(rendered - checked, 2)},
    }
    if show:
        for finding in sorted(findings, key=lambda f: f.sort_key):
            if finding.rule_id in ("MWAA000", "MWAA012"):
                print(f"  {finding.path}:{finding.span.start_line}:{finding.span.start_col}: {finding.rule_id} {finding.message}")
    for where, trace in errors:
        print(f"--- internal error in {where}\n{trace}")
    return summary


def through_cli(folder: str, jobs: int) -> tuple[dict, list]:
    """The command line with --jobs 1 and --jobs N: exit status, tracebacks, time, and whether the outputs agree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results = {}
    problems = []
    outputs = {}
    for n in (1, jobs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "linter", "check", folder, "--format", "json", "--jobs", str(n)],
            capture_output=True, env=env, cwd=ROOT,
        )
        results[f"--jobs {n}"] = {"exit": done.returncode, "seconds": round(time.perf_counter() - started, 2)}
        outputs[n] = done.stdout
        if done.returncode not in (0, 1) or b"Traceback" in done.stderr:
            problems.append(f"--jobs {n}: exit {done.returncode}\n{done.stderr.decode(errors='replace')}")
    if outputs[1] != outputs[jobs]:
        problems.append(f"--jobs 1 and --jobs {jobs} printed different reports")
    results["same output"] = outputs[1] == outputs[jobs]
    return results, problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--list", action="store_true", help="print every MWAA000 and MWAA012 with its location")
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line runs")
    parser.add_argument("--jobs", type=int, default=2, help="the N of the --jobs N command-line run (default 2)")
    args = parser.parse_args(argv)
    summary = in_process(args.folder, args.list)
    problems = []
    if not args.no_cli:
        summary["command line"], problems = through_cli(args.folder, args.jobs)
    width = max(len(k) for k in summary) + 1
    print(f"{'folder:':<{width + 1}} {args.folder}")
    for key, value in summary.items():
        print(f"{key + ':':<{width + 1}} {value}")
    for problem in problems:
        print(f"--- {problem}")
    return 1 if summary["internal errors"] or problems else 0


if __name__ == "__main__":
    import signal

    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends the listing quietly
    sys.exit(main(sys.argv[1:]))
