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
    root: str = "."  # repository root: SARIF URIs and fingerprints are relative to it
    baseline: str | None = None


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


def config_source(config: Config):
    """The configuration file as a source, so findings can point into it (declared calls, environments)."""
    from .model import ParsedSource
    from .positions import YamlFileSpans

    if config.path is None or config.path.endswith(".toml"):
        return None
    return ParsedSource(config.path, "config", spans=YamlFileSpans(config.path))


def with_declarations(principal, config: Config):
    """A principal with the calls declared next to its policies and in the configuration."""
    import os
    from dataclasses import replace
    from fnmatch import fnmatch

    calls = list(principal.calls)
    environment = principal.environment
    for doc in principal.documents:
        calls.extend(c for c in doc.calls if c not in calls)
    names = {principal.name, principal.logical or ""}
    for doc in principal.documents:
        names.add(os.path.relpath(os.path.abspath(doc.origin.path), config.base_dir))
        names.add(doc.origin.path)
    for declaration in config.principals:
        if any(fnmatch(name, pattern) for pattern in declaration.match for name in names if name):
            calls.extend(c for c in declaration.calls if c not in calls)
            environment = declaration.environment or environment
    if tuple(calls) == principal.calls and environment == principal.environment:
        return principal
    return replace(principal, calls=tuple(calls), environment=environment)


def assemble(outcomes, config: Config) -> Scan:
    sources = tuple(o.source for o in outcomes if o.source is not None)
    extra = config_source(config)
    return Scan(
        sources=sources + ((extra,) if extra else ()),
        documents=tuple(d for s in sources for d in s.documents),
        environments=tuple(config.environments) + tuple(e for s in sources for e in s.environments),
        principals=tuple(with_declarations(p, config) for s in sources for p in s.principals),
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
    findings = run(scan, rules, config, options.root)
    findings = suppress_findings(findings, scan, config, options)
    return Report(
        findings=tuple(findings),
        rules=tuple(rules),
        files=len(files) - len(scan.skipped),
        policies=len(scan.documents),
        skipped=len(scan.skipped),
        root=options.root,
        options=options.report_options,
    )


def suppress_findings(findings, scan: Scan, config: Config, options: RunOptions) -> list:
    from .suppress import apply, load_baseline

    baseline = load_baseline(options.baseline) if options.baseline else frozenset()
    regions = tuple(r for source in scan.sources for r in source.suppressions)
    return apply(findings, config, regions, baseline, options.baseline or "")


def repository_root(start: str = ".") -> str:
    """The nearest folder upward that holds .git, else `start`."""
    import os

    directory = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return os.path.abspath(start)
        directory = parent


def exit_code(report: Report, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    threshold = {"error": 3, "warning": 2, "note": 1}[fail_on]
    return 1 if any(f.level.rank >= threshold for f in report.active) else 0
