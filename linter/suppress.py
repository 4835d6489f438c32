"""Suppression: inline `# mwaa-lint: ignore[ID] reason` comments, source declarations (CloudFormation Metadata),
configuration ignores (`rules: {ID: {ignore: [glob, glob:line]}}`) and baselines. Suppressed findings are kept,
marked with the reason, and counted; they never fail a run."""
from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from fnmatch import fnmatch

from .config import Config, ConfigError
from .model import Finding, Suppression

INLINE = r"#\s*mwaa-lint:\s*ignore\[([A-Za-z0-9_,\s]+)\]\s*(.*)$"  # compiled on first use (re caches it)
BASELINE_VERSION = 1


def inline_ignores(path: str) -> dict:
    """Line number -> (rule ids, reason) for every ignore comment in a file with `#` comments."""
    if path.endswith(".json"):
        return {}
    from .sources import source_text

    found = {}
    text = source_text(path)  # not open(): the file may be a FIFO or over the size limit
    if text is None or "mwaa-lint" not in text:
        return found
    for number, line in enumerate(text.split("\n"), start=1):
        if "mwaa-lint" not in line:
            continue
        match = re.search(INLINE, line.rstrip("\r"))
        if match:
            ids = tuple(i.strip().upper() for i in match.group(1).split(",") if i.strip())
            found[number] = (ids, match.group(2).strip())
    return found


def _inline(finding: Finding, comments: dict) -> Suppression | None:
    for line in (finding.span.start_line, finding.span.start_line - 1):
        entry = comments.get(line)
        if entry and finding.rule_id in entry[0]:
            return Suppression("inSource", entry[1] or f"ignore comment on line {line}", "comment")
    return None


def _declared(finding: Finding, regions) -> Suppression | None:
    for region in regions:
        if region.path == finding.path and finding.rule_id in region.rule_ids and region.start_line <= finding.span.start_line <= region.end_line:
            return Suppression("inSource", region.reason or "ignored in the source (Metadata)", "metadata")
    return None


def _configured(finding: Finding, config: Config) -> Suppression | None:
    patterns = config.rule(finding.rule_id).ignore
    if not patterns:
        return None
    relative = os.path.relpath(os.path.abspath(finding.path), config.base_dir).replace(os.sep, "/")
    for pattern in patterns:
        glob, _, line = pattern.rpartition(":") if re.search(r":\d+$", pattern) else (pattern, "", "")
        if (fnmatch(relative, glob) or fnmatch(finding.path, glob)) and (not line or int(line) == finding.span.start_line):
            return Suppression("external", f"configuration: rules.{finding.rule_id}.ignore {pattern!r}", "configuration")
    return None


def load_baseline(path: str) -> frozenset:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read baseline: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: baseline is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("version") != BASELINE_VERSION or not isinstance(raw.get("findings"), list):
        raise ConfigError(f"{path}: not an mwaa-lint baseline (write one with --write-baseline)")
    return frozenset(item.get("fingerprint") for item in raw["findings"] if isinstance(item, dict))


def baseline_text(findings) -> str:
    entries = [
        {"rule": f.rule_id, "path": f.path, "fingerprint": f.fingerprint, "message": f.message}
        for f in findings
        if f.suppressed is None
    ]
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"


def apply(findings, config: Config, regions=(), baseline: frozenset = frozenset(), baseline_path: str = "") -> list:
    """Mark suppressed findings (first reason wins: inline, source declaration, configuration, baseline)."""
    comments: dict = {}
    out = []
    for finding in findings:
        if finding.path not in comments:
            comments[finding.path] = inline_ignores(finding.path)
        reason = (
            _inline(finding, comments[finding.path])
            or _declared(finding, regions)
            or _configured(finding, config)
            or (Suppression("external", f"baseline {baseline_path}", "baseline") if finding.fingerprint in baseline else None)
        )
        out.append(replace(finding, suppressed=reason) if reason else finding)
    return out
