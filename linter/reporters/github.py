"""GitHub Actions workflow-command annotations (`::error file=…,line=…::message`), one per active finding.

For repositories without code scanning: the runner turns each line into an annotation on the pull request's
diff. Escaping follows GitHub's toolkit, @actions/core `packages/core/src/command.ts`
(https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts):

    escapeData:     % -> %25, \\r -> %0D, \\n -> %0A
    escapeProperty: the same, then : -> %3A and , -> %2C

The runner (actions/runner `src/Runner.Worker/ActionCommandManager.cs`, `ValidateLinesAndColumns`) drops `col`
and `endColumn` when `line` and `endLine` differ, so a multi-line span is annotated by lines only. It keeps only
the first 10 errors and the first 10 warnings of a step as annotations (`_maxIssueCount` in the runner's
ExecutionContext.cs; notices are capped the same way), so when a level has more, a final notice says so and
points to the complete reports.
"""
from __future__ import annotations

from .report import Report, summary_line

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}
ANNOTATIONS_PER_LEVEL = 10  # what GitHub shows per level and step


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def relative_path(path: str, root: str) -> str:
    import os

    return os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")


def annotation_path(path: str, root: str) -> str:
    """Relative to the repository root; a file outside it keeps its absolute path, which the runner makes
    relative to the workspace itself when it can (a `../` path it cannot place)."""
    import os

    relative = relative_path(path, root)
    return os.path.abspath(path).replace(os.sep, "/") if relative == ".." or relative.startswith("../") else relative


def annotation(finding, root: str, rule_names: dict) -> str:
    span = finding.span
    properties = [("file", annotation_path(finding.path, root)), ("line", span.start_line)]
    if span.start_line == span.end_line:
        properties += [("col", span.start_col), ("endLine", span.end_line), ("endColumn", span.end_col)]
    else:
        properties += [("endLine", span.end_line)]
    name = rule_names.get(finding.rule_id)
    properties.append(("title", f"{finding.rule_id} {name}" if name else finding.rule_id))
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{COMMANDS[finding.level.value]} {rendered}::{escape_data(finding.message)}"


def overflow_notice(counts: dict) -> str | None:
    over = [(level, n) for level, n in counts.items() if n > ANNOTATIONS_PER_LEVEL]
    if not over:
        return None
    words = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "note": ("note", "notes")}
    listed = ", ".join(f"{n} {words[level][n != 1]}" for level, n in over)
    text = (
        f"mwaa-lint emitted {listed}; GitHub shows only the first {ANNOTATIONS_PER_LEVEL} annotations of each level "
        "per step. See the step log above for all of them, or use `mwaa-lint check --format markdown` "
        "(e.g. >> $GITHUB_STEP_SUMMARY) or `--format sarif` with code scanning for the complete report."
    )
    return f"::notice title=mwaa-lint::{escape_data(text)}"


def render(report: Report) -> str:
    rule_names = {rule.id: rule.name for rule in report.rules}
    active = report.active
    lines = [annotation(f, report.root, rule_names) for f in active]
    counts = {level: sum(1 for f in active if f.level.value == level) for level in COMMANDS}
    notice = overflow_notice(counts)
    if notice is not None:
        if counts["note"] > ANNOTATIONS_PER_LEVEL:
            lines.insert(0, notice)  # after ten notices GitHub would drop this one too: say it first
        else:
            lines.append(notice)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
