"""One lint run: discover files, parse them, assemble the scan, run the rules, build the report."""
from __future__ import annotations

from dataclasses import dataclass, field

from .config import Config
from .model import Scan
from .reporters.report import Report


@dataclass(frozen=True)
class RunOptions:
    paths: tuple = (".",)
    select: tuple = ()
    ignore: tuple = ()
    rules_dirs: tuple = ()
    report_options: dict = field(default_factory=dict)
    root: str = "."


def parse_all(files: list[str]) -> list:
    """Parse every file; .tf files are grouped by folder, as Terraform reads a module."""
    import os

    from .sources import parse_file, parse_terraform_module

    outcomes = []
    modules: dict = {}
    for path in files:
        if path.endswith(".tf"):
            modules.setdefault(os.path.dirname(path) or ".", []).append(path)
        else:
            outcomes.append(parse_file(path))
    for directory, members in sorted(modules.items()):
        outcomes.extend(parse_terraform_module(directory, members))
    return outcomes


def assemble(outcomes, config: Config) -> Scan:
    sources = tuple(o.source for o in outcomes if o.source is not None)
    return Scan(
        sources=sources,
        documents=tuple(d for s in sources for d in s.documents),
        environments=tuple(config.environments) + tuple(e for s in sources for e in s.environments),
        principals=tuple(p for s in sources for p in s.principals),
        diagnostics=tuple(d for s in sources for d in s.diagnostics),
        skipped=tuple(o.path for o in outcomes if o.skipped),
    )


def load_rules(config: Config, options: RunOptions) -> list:
    from .engine import load_builtin_rules, load_user_rules, select_rules

    rules = load_builtin_rules()
    for directory in tuple(config.rules_dirs) + tuple(options.rules_dirs):
        rules.extend(load_user_rules(directory))
    return select_rules(rules, config, options.select, options.ignore)


def lint(config: Config, options: RunOptions) -> Report:
    from .engine import run
    from .sources import discover

    rules = load_rules(config, options)
    files, _ = discover(options.paths, config.exclude)
    outcomes = parse_all(files)
    scan = assemble(outcomes, config)
    findings = run(scan, rules, config)
    return Report(
        findings=tuple(findings),
        rules=tuple(rules),
        files=len(files) - len(scan.skipped),
        policies=len(scan.documents),
        skipped=len(scan.skipped),
        root=options.root,
        options=options.report_options,
    )


def exit_code(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = {"error": 3, "warning": 2, "note": 1}[fail_on]
    return 1 if any(f.level.rank >= threshold for f in report.active) else 0
