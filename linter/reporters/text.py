"""`path:line:col: level MWAA00N message`, one line per finding, then a summary line."""
from __future__ import annotations

from .report import Report, summary_line

COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}
RESET = "\x1b[0m"


def render(report: Report) -> str:
    color = report.options.get("color", False)
    show_source = report.options.get("show_source", False)
    lines = []
    sources: dict = {}
    for finding in report.active:
        level = finding.level.value
        shown_level = f"{COLORS[level]}{level}{RESET}" if color else level
        lines.append(
            f"{finding.path}:{finding.span.start_line}:{finding.span.start_col}: {shown_level} {finding.rule_id} {finding.message}"
        )
        if show_source:
            lines.extend(_source_excerpt(finding, sources))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _source_excerpt(finding, cache: dict) -> list[str]:
    if finding.path not in cache:
        from ..sources import source_text

        text = source_text(finding.path)  # not open(): the file may be a FIFO or over the size limit
        cache[finding.path] = text.split("\n") if text is not None else []
    lines = cache[finding.path]
    span = finding.span
    if not 0 < span.start_line <= len(lines):
        return []
    text = lines[span.start_line - 1].rstrip("\r").expandtabs(1)
    end = span.end_col if span.end_line == span.start_line else len(text) + 1
    width = max(1, end - span.start_col)
    return [f"    {text}", "    " + " " * (span.start_col - 1) + "^" * width]
