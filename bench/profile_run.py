"""Where one mwaa-lint run spends its time, in process: phases, then cProfile's top functions.

    <mwaa-lint venv>/bin/python bench/profile_run.py FOLDER [--text] [--no-cprofile]

Uses linter.run's own steps (the same calls `lint()` makes), so it follows the linter's structure; when that
structure changes, this script says so instead of measuring something else. Prints JSON (or a table with --text).
"""
from __future__ import annotations

import cProfile
import json
import pstats
import sys
import time


def phases(folder: str) -> dict:
    out = {}
    t = time.perf_counter()
    from linter import cli  # noqa: F401  (what the console script imports first)
    out["import linter.cli"] = time.perf_counter() - t
    t = time.perf_counter()
    from linter.config import load_config
    from linter.engine import finish
    from linter.reporters import get_reporter
    from linter.reporters.report import Report
    from linter.run import Checker, RunOptions, load_rules, parse_item, suppress_findings, work_items
    from linter.sources import discover
    config = load_config(None)
    options = RunOptions(paths=(folder,), root=folder)
    out["config"] = time.perf_counter() - t
    t = time.perf_counter()
    rules = load_rules(config, options)
    checker = Checker(tuple(rules), config)
    out["load rules"] = time.perf_counter() - t
    t = time.perf_counter()
    files = discover(options.paths, config.exclude)
    items = work_items(files)
    out[f"discover ({len(files)} files, {len(items)} work items)"] = time.perf_counter() - t
    parse_s = check_s = 0.0
    results = [checker.check([])]
    for item in items:  # what Checker.lint_item does, timed in its two halves
        t = time.perf_counter()
        outcomes = parse_item(item)
        parse_s += time.perf_counter() - t
        t = time.perf_counter()
        results.append(checker.check(outcomes))
        check_s += time.perf_counter() - t
    out["parse"] = parse_s
    out[f"assemble + rules + spans ({sum(r.policies for r in results)} policies)"] = check_s
    t = time.perf_counter()
    findings = finish([f for r in results for f in r.findings], options.root)
    findings = suppress_findings(findings, tuple(s for r in results for s in r.suppressions), config, options)
    out[f"deduplicate, fingerprint, suppress ({len(findings)} findings)"] = time.perf_counter() - t
    t = time.perf_counter()
    report = Report(findings=tuple(findings), rules=tuple(rules), files=len(files), policies=sum(r.policies for r in results),
                    skipped=0, root=options.root, options={})
    get_reporter("text")(report)
    out["text report"] = time.perf_counter() - t
    t = time.perf_counter()
    get_reporter("sarif")(report)
    out["sarif report (not part of a text run)"] = time.perf_counter() - t
    return out


def top(folder: str, count: int = 15) -> list:
    from linter.config import load_config
    from linter.run import RunOptions, lint

    config = load_config(None)
    profiler = cProfile.Profile()
    profiler.enable()
    lint(config, RunOptions(paths=(folder,), root=folder))
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, _) in stats.stats.items():
        short = filename.split("site-packages/")[-1] if "site-packages/" in filename else filename
        rows.append((tt, ct, nc, f"{short}:{line}({name})"))
    rows.sort(reverse=True)
    return [[r[3], f"{r[0] * 1000:.0f} ms", f"{r[1] * 1000:.0f} ms", str(r[2])] for r in rows[:count]]


def main() -> None:
    folder = sys.argv[1]
    try:
        data = {"phases": phases(folder), "top": [] if "--no-cprofile" in sys.argv else top(folder)}
    except (ImportError, TypeError, AttributeError) as exc:
        sys.exit(f"the linter's run steps changed ({type(exc).__name__}: {exc}); update bench/profile_run.py")
    if "--text" in sys.argv:
        for name, seconds in data["phases"].items():
            print(f"{name:45} {seconds * 1000:8.1f} ms")
        for row in data["top"]:
            print("  ".join(row))
    else:
        print(json.dumps(data))


if __name__ == "__main__":
    main()
