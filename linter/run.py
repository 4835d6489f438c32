"""One lint run: discover files, parse them, assemble the scan, run the rules, build the report."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

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
    jobs: int = 1  # worker processes (used only when the work is big enough: see lint_items)
    debug: bool = False  # let internal errors raise instead of reporting them as MWAA000


# --jobs: work items spread over worker processes only when the work pays for starting them (about 10 ms for two
# with fork, 100 ms with spawn, plus importing the parsers in each); below both thresholds one process is as fast.
PARALLEL_MIN_FILES = 50
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


def work_items(files: list[str]) -> list[tuple]:
    """The units of work, in a fixed order: ("file", path) for each file in discovery order, then
    ("module", folder, *paths) for each Terraform folder (all its .tf files form one module), folders sorted."""
    import os

    items: list[tuple] = []
    modules: dict = {}
    for path in files:
        if path.endswith(".tf"):
            modules.setdefault(os.path.dirname(path) or ".", []).append(path)
        else:
            items.append(("file", path))
    items.extend(("module", directory, *members) for directory, members in sorted(modules.items()))
    return items


def item_paths(item: tuple) -> tuple:
    return item[2:] if item[0] == "module" else item[1:]


def parse_item(item: tuple, debug: bool = False) -> list:
    """Outcomes of one work item. A parser that raises (a bug: sources report bad input as findings) becomes MWAA000
    for the item's files, so one file never stops the run; --debug lets the exception through.

    The cyclic garbage collector is paused meanwhile: a parse makes many objects and few cycles, and the collections
    its allocations would start walk every object made so far (a third of the time of a 1 MB template, a tenth of a
    large Terraform module); reference counting frees the rest."""
    import gc

    from .sources import parse_file, parse_terraform_module

    collecting = gc.isenabled()
    gc.disable()
    try:
        if item[0] == "module":
            return parse_terraform_module(item[1], list(item[2:]))
        return [parse_file(item[1])]
    except MemoryError:
        if debug:
            raise
        return failed_item(item, "parser crashed: out of memory while reading this file; not analysed")
    except Exception as exc:  # noqa: BLE001 - RecursionError included
        if debug:
            raise
        return failed_item(
            item,
            f"internal error while reading this file ({type(exc).__name__}: {exc}); not analysed. "
            "This is a bug in mwaa-lint: please report it (--debug shows the traceback)",
        )
    finally:
        if collecting:
            gc.enable()


def failed_item(item: tuple, message: str) -> list:
    from .model import Diagnostic, Origin, ParsedSource
    from .positions import FILE_START
    from .sources import Outcome

    return [
        Outcome(path, ParsedSource(path, "unknown", diagnostics=(Diagnostic("MWAA000", message, Origin(path, (), FILE_START)),)))
        for path in item_paths(item)
    ]


@dataclass(frozen=True)
class ItemResult:
    """What checking one work item leaves: all a run keeps of it (its parsed model is dropped)."""

    findings: tuple = ()  # tuple[Finding, ...] with spans, before deduplication and fingerprints
    suppressions: tuple = ()  # tuple[SourceSuppression, ...] declared in its files
    policies: int = 0
    skipped: tuple = ()  # paths that are not an input kind


@dataclass(frozen=True)
class Checker:
    """Checks work items one at a time: parse, assemble with the configuration, run the rules, locate findings.

    A policy is judged only with facts from its own file, template or module and from the configuration, so each
    item is checked alone (in a worker process with --jobs) and only its findings travel back."""

    rules: tuple
    config: Config
    debug: bool = False

    def lint_item(self, item: tuple) -> ItemResult:
        return self.check(parse_item(item, self.debug))

    def check(self, outcomes: list) -> ItemResult:
        from .engine import check_scan

        if all(o.source is None for o in outcomes) and not self.config.environments:
            return ItemResult(skipped=tuple(o.path for o in outcomes if o.skipped))  # nothing a rule could report on
        scan = assemble(outcomes, self.config)
        return ItemResult(
            findings=tuple(check_scan(scan, self.rules, self.config)),
            suppressions=tuple(r for source in scan.sources for r in source.suppressions),
            policies=len(scan.documents),
            skipped=scan.skipped,
        )


def lint_items(checker: Checker, files: list[str], jobs: int = 1) -> list:
    """An ItemResult per work item of these files, in item order whatever `jobs` is; the first is the
    configuration's own (facts such as its environments are checked even when no file is)."""
    items = work_items(files)
    results = None
    if jobs > 1 and len(items) > 1 and worth_parallel(files):
        from .parallel import lint_in_processes

        results = lint_in_processes(checker, items, jobs)  # None: no process pool on this system
    if results is None:
        results = [checker.lint_item(item) for item in items]
    return [checker.check([])] + results


def worth_parallel(files: list[str]) -> bool:
    import os

    if len(files) >= PARALLEL_MIN_FILES:
        return True
    total = 0
    for path in files:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue
        if total >= PARALLEL_MIN_BYTES:
            return True
    return False


def default_jobs() -> int:
    """The CPUs this process may run on."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def config_source(config: Config):
    """The configuration file as a source, so findings can point into it (declared calls, environments)."""
    if config.path is None or config.path.endswith(".toml"):
        return None
    return _config_source(config.path)


@lru_cache(maxsize=4)
def _config_source(path: str):
    """One per process: its spans are computed once, whichever work item's findings need them first."""
    from .model import ParsedSource
    from .positions import FileSpans

    return ParsedSource(path, "config", spans=FileSpans(path, "yaml"))


def with_declarations(principal, config: Config):
    """A principal with the calls declared next to its policies and in the configuration."""
    if not config.principals and not any(doc.calls for doc in principal.documents):
        return principal  # nothing to add
    import os
    from dataclasses import replace
    from fnmatch import fnmatch

    calls = list(principal.calls)
    environment = principal.environment
    for doc in principal.documents:
        calls.extend(c for c in doc.calls if c not in calls)
    if config.principals:
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
    from .engine import finish
    from .sources import discover

    rules = load_rules(config, options)
    files = discover(options.paths, config.exclude)
    checker = Checker(tuple(rules), config, options.debug)
    results = lint_items(checker, files, options.jobs)
    findings = finish([f for result in results for f in result.findings], options.root)
    regions = tuple(r for result in results for r in result.suppressions)
    findings = suppress_findings(findings, regions, config, options)
    skipped = sum(len(result.skipped) for result in results)
    return Report(
        findings=tuple(findings),
        rules=tuple(rules),
        files=len(files) - skipped,
        policies=sum(result.policies for result in results),
        skipped=skipped,
        root=options.root,
        options=options.report_options,
    )


def suppress_findings(findings, regions: tuple, config: Config, options: RunOptions) -> list:
    from .suppress import apply, load_baseline

    baseline = load_baseline(options.baseline) if options.baseline else frozenset()
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
