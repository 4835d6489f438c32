"""Machine-readable report: {"version": 1, "tool", "findings", "summary"} (README documents the shape)."""
from __future__ import annotations

import json

from .. import __version__
from .report import Report


def render(report: Report) -> str:
    findings = [
        {
            "rule": f.rule_id,
            "level": f.level.value,
            "message": f.message,
            "path": f.path,
            "line": f.span.start_line,
            "column": f.span.start_col,
            "end_line": f.span.end_line,
            "end_column": f.span.end_col,
            "logical": f.logical,
            "fingerprint": f.fingerprint,
            "suppressed": None
            if f.suppressed is None
            else {"kind": f.suppressed.kind, "reason": f.suppressed.reason, "via": f.suppressed.via},
        }
        for f in report.findings
    ]
    active = report.active
    summary = {
        "findings": len(active),
        "errors": sum(1 for f in active if f.level.value == "error"),
        "warnings": sum(1 for f in active if f.level.value == "warning"),
        "notes": sum(1 for f in active if f.level.value == "note"),
        "suppressed": len(report.suppressed),
        "files": report.files,
        "policies": report.policies,
        "skipped": report.skipped,
    }
    document = {"version": 1, "tool": {"name": "mwaa-lint", "version": __version__}, "findings": findings, "summary": summary}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
