"""A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment: counts by rule, one table per file.

Deterministic (no timestamps, no environment), paths relative to the report's root. Cell text is escaped so a
message cannot break the table or inject markup: `|` and Markdown punctuation are backslash-escaped, newlines
become `<br>`. Suppressed findings are not in the tables; a collapsed `<details>` section lists them with their
reason.
"""
from __future__ import annotations

import re

from .report import Report, plural, summary_line

LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}
_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|~&#])")


def cell(text: str) -> str:
    """Text safe inside a GFM table cell: one line, `|` and inline markup escaped."""
    text = _PUNCTUATION.sub(r"\\\1", str(text))
    return text.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def code(text: str, in_table: bool = False) -> str:
    """An inline code span that holds any text (backticks in it get a longer fence).

    In a table GFM splits cells at `|` even inside code spans unless it is written `\\|`."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def _relative(path: str, root: str) -> str:
    from .github import relative_path

    return relative_path(path, root)


def _rule_label(rule_id: str, names: dict) -> str:
    name = names.get(rule_id)
    return f"{rule_id} {cell(name)}" if name else rule_id


def render(report: Report) -> str:
    names = {rule.id: rule.name for rule in report.rules}
    active = report.active
    out = ["## mwaa-lint", "", summary_line(report), ""]

    if active:
        by_rule: dict = {}
        for finding in active:
            key = (finding.rule_id, finding.level.value)
            by_rule[key] = by_rule.get(key, 0) + 1
        out += ["| Rule | Level | Findings |", "|---|---|---:|"]
        for (rule_id, level), count in sorted(by_rule.items(), key=lambda kv: (LEVEL_ORDER[kv[0][1]], kv[0][0])):
            out.append(f"| {_rule_label(rule_id, names)} | {level} | {count} |")
        out.append("")

        files: dict = {}
        for finding in sorted(active, key=lambda f: (_relative(f.path, report.root),) + f.sort_key[1:]):
            files.setdefault(_relative(finding.path, report.root), []).append(finding)
        for path, findings in files.items():
            out += [f"### {code(path)}", "", "| Line | Rule | Level | Message |", "|---:|---|---|---|"]
            for f in findings:
                out.append(f"| {f.span.start_line} | {_rule_label(f.rule_id, names)} | {f.level.value} | {cell(f.message)} |")
            out.append("")
    else:
        out += ["No findings.", ""]

    suppressed = report.suppressed
    if suppressed:
        out += [
            "<details>",
            f"<summary>{plural(len(suppressed), 'suppressed finding')}</summary>",
            "",
            "| File | Line | Rule | Suppressed by | Reason |",
            "|---|---:|---|---|---|",
        ]
        for f in sorted(suppressed, key=lambda f: (_relative(f.path, report.root),) + f.sort_key[1:]):
            reason = f.suppressed.reason or "(no reason given)"
            out.append(
                f"| {code(_relative(f.path, report.root), in_table=True)} | {f.span.start_line} | {_rule_label(f.rule_id, names)} "
                f"| {cell(f.suppressed.via)} | {cell(reason)} |"
            )
        out += ["", "</details>", ""]
    return "\n".join(out)
