"""What every reporter receives: the findings of a run and its summary."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Record


# eq=False: compared by identity; nothing compares these by value, and each generated method costs start-up time
# (see linter/model.py; the repr comes from model.Record).
@dataclass(frozen=True, eq=False, repr=False)
class Report(Record):
    """The findings of a run and what the reporters need besides."""

    findings: tuple  # tuple[Finding, ...], sorted, suppressed ones included
    rules: tuple  # tuple[Rule, ...] that ran
    files: int = 0
    policies: int = 0
    skipped: int = 0
    root: str = "."  # findings' paths are made relative to this for SARIF
    successful: bool = True
    options: dict = field(default_factory=dict)

    @property
    def active(self) -> tuple:
        return tuple(f for f in self.findings if f.suppressed is None)

    @property
    def suppressed(self) -> tuple:
        return tuple(f for f in self.findings if f.suppressed is not None)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    active = report.active
    counts = {level: sum(1 for f in active if f.level.value == level) for level in ("error", "warning", "note")}
    parts = [plural(n, level) for level, n in counts.items() if n]
    head = plural(len(active), "finding") + (": " + ", ".join(parts) if parts else "")
    tail = f"{plural(report.files, 'file')}, {plural(report.policies, 'policy').replace('policys', 'policies')} checked"
    extras = []
    if report.skipped:
        extras.append(f"{report.skipped} skipped (not a policy, template or Terraform)")
    if report.suppressed:
        by_way = {}
        for finding in report.suppressed:
            by_way[finding.suppressed.via] = by_way.get(finding.suppressed.via, 0) + 1
        ways = ", ".join(f"{count} by {way}" for way, count in sorted(by_way.items()))
        extras.append(f"{len(report.suppressed)} suppressed ({ways})")
    return "; ".join([head, tail] + extras)
