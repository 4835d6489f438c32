"""Rules as YAML files: loading, validation of user rule files, and running them over a scan."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config, ConfigError
from ..model import Finding, Level, Scan
from ..positions import locate

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_rules_dir() -> Path:
    """`rules/` inside the wheel (linter/rules) or beside the package in a source checkout."""
    inside = PACKAGE_DIR / "rules"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "rules"


SCHEMA_NAME = "rule.schema.json"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    level: Level
    precision: str
    tags: tuple
    summary: str
    description: str
    message: str
    examples: dict
    security_severity: float | None = None
    check: str | None = None
    options: dict = field(default_factory=dict)
    match: dict | None = None
    help_uri: str | None = None
    path: str = ""

    @classmethod
    def from_dict(cls, raw: dict, path: str) -> "Rule":
        return cls(
            id=raw["id"],
            name=raw["name"],
            level=Level(raw["level"]),
            precision=raw["precision"],
            tags=tuple(raw["tags"]),
            summary=raw["summary"].strip(),
            description=raw["description"].strip(),
            message=raw["message"].strip(),
            examples=raw["examples"],
            security_severity=raw.get("security-severity"),
            check=raw.get("check"),
            options=raw.get("options") or {},
            match=raw.get("match"),
            help_uri=raw.get("help-uri"),
            path=path,
        )


def _yaml_load(text: str):
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


RULES_CACHE = PACKAGE_DIR / "data" / "builtin-rules.json"


def load_builtin_rules() -> list[Rule]:
    """Built-in rules, unvalidated at run time (a test validates them against the schema).

    The rule files are YAML; `linter/data/builtin-rules.json` holds them already parsed (written by
    `tools/gen_rules_cache.py`) so that runs which read no YAML input do not import PyYAML. Each entry carries the
    CRC-32 of its YAML file: any difference and the YAML files are read instead."""
    files = sorted(builtin_rules_dir().glob("*.yaml"))
    contents = {p: p.read_bytes() for p in files}
    cached = _cached_rules(contents)
    if cached is not None:
        return cached
    return [Rule.from_dict(_yaml_load(data.decode("utf-8")), str(p)) for p, data in contents.items()]


def rules_cache_text(contents: dict) -> str:
    """The cache file for these rule files (path -> bytes)."""
    import zlib

    entries = [
        {"file": p.name, "crc32": zlib.crc32(data), "rule": _yaml_load(data.decode("utf-8"))} for p, data in contents.items()
    ]
    return json.dumps({"version": 1, "rules": entries}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _cached_rules(contents: dict) -> list[Rule] | None:
    import zlib

    try:
        cache = json.loads(RULES_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = cache.get("rules", [])
    if [e["file"] for e in entries] != [p.name for p in contents] or any(
        zlib.crc32(data) != e["crc32"] for (p, data), e in zip(contents.items(), entries)
    ):
        return None
    return [Rule.from_dict(e["rule"], str(p)) for p, e in zip(contents, entries)]


def rule_schema() -> dict:
    return json.loads((builtin_rules_dir() / SCHEMA_NAME).read_text(encoding="utf-8"))


def load_user_rules(directory: str) -> list[Rule]:
    """Rule files from a user folder, each validated with jsonschema; errors name file, line and reason."""
    import jsonschema
    import yaml

    from ..positions import yaml_error_span, yaml_spans

    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"{directory}: rules folder does not exist")
    validator = jsonschema.Draft202012Validator(rule_schema())
    rules = []
    for path in sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml"))):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            raw = _yaml_load(text)
        except yaml.YAMLError as exc:
            span = yaml_error_span(text, exc)
            raise ConfigError(f"{path}:{span.start_line}:{span.start_col}: invalid YAML in rule file") from None
        errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
        if errors:
            error = errors[0]
            span = yaml_spans(text).span(tuple(error.absolute_path))
            where = f"{path}:{span.start_line}:{span.start_col}" if span else str(path)
            key = "/".join(str(k) for k in error.absolute_path) or "(top level)"
            raise ConfigError(f"{where}: invalid rule file at {key}: {error.message}")
        if raw.get("check"):
            from ..checks import CHECKS

            if raw["check"] not in CHECKS:
                raise ConfigError(f"{path}: unknown check {raw['check']!r}; known: {', '.join(sorted(CHECKS))}")
        rules.append(Rule.from_dict(raw, str(path)))
    return rules


def select_rules(rules: list[Rule], config: Config, select=(), ignore=()) -> list[Rule]:
    known = {r.id for r in rules}
    for rule_id in list(select) + list(ignore) + list(config.rules):
        if rule_id not in known:
            raise ConfigError(f"unknown rule id {rule_id!r}; known: {', '.join(sorted(known))}")
    ids = [r.id for r in rules]
    duplicated = [rule_id for rule_id, count in Counter(ids).items() if count > 1]
    if duplicated:
        raise ConfigError(f"rule id defined twice: {', '.join(duplicated)}")
    return [
        r
        for r in rules
        if (not select or r.id in select) and r.id not in ignore and config.rule(r.id).enabled
    ]


class Formatter(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def render(template: str, args: dict) -> str:
    return template.format_map(Formatter(args))


def run(scan: Scan, rules: list[Rule], config: Config, root: str = ".") -> list[Finding]:
    """Run every rule and turn its hits into findings with spans, levels and fingerprints."""
    return finish(check_scan(scan, rules, config), root)


def check_scan(scan: Scan, rules, config: Config) -> list[Finding]:
    """Every rule's hits on one scan as findings with spans and levels; not yet deduplicated nor fingerprinted
    (`finish` does both once, over the findings of all scans of a run)."""
    from ..checks import CHECKS, load_check
    from .match import run_match

    resolvers = {source.path: source.spans for source in scan.sources}
    findings: list[Finding] = []
    for rule in rules:
        if rule.check:
            if rule.check not in CHECKS:
                raise ConfigError(f"{rule.path}: unknown check {rule.check!r}")
            hits = load_check(rule.check)(scan, config, rule.options)
        else:
            hits = run_match(scan, rule.match)
        configured = config.rule(rule.id).level
        fixed = Level(configured) if configured else None  # else the hit's level, else the rule's
        for hit in hits:
            level = fixed or (Level(hit.level) if hit.level else rule.level)
            origin = hit.origin
            span = locate(resolvers.get(origin.path), origin)
            related = tuple(
                (o.path, locate(resolvers.get(o.path), o), text) for o, text in hit.related
            ) if hit.related else ()
            findings.append(
                Finding(
                    rule.id,
                    level,
                    render(rule.message, hit.args),
                    origin.path,
                    span,
                    tuple(origin.pointer),
                    hit.logical,
                    related,
                )
            )
    return findings


def finish(findings: list[Finding], root: str = ".") -> list[Finding]:
    return with_fingerprints(_one_per_place(findings), root)


def _one_per_place(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, place, message): a file read twice (a policy JSON that Terraform also loads with
    file(), a child module linted alone and through its call) reports once, under its most specific name."""
    best: dict = {}
    for finding in sorted(findings, key=lambda f: (f.sort_key, f.logical is None, f.logical or "")):
        key = (finding.rule_id, finding.path, finding.span, finding.message)
        best.setdefault(key, finding)
    return sorted(best.values(), key=lambda f: f.sort_key)


def with_fingerprints(findings: list[Finding], root: str = ".") -> list[Finding]:
    """A fingerprint that survives edits elsewhere in the file: rule, path (relative to the repository root),
    logical location, message, and the occurrence number among findings that share all of those."""
    if not findings:
        return []
    import hashlib  # loads OpenSSL: only runs with findings pay for it
    import os

    base = os.path.abspath(root)
    relative_paths: dict = {}
    seen: Counter = Counter()
    out = []
    for finding in findings:
        relative = relative_paths.get(finding.path)
        if relative is None:
            relative = relative_paths[finding.path] = os.path.relpath(os.path.abspath(finding.path), base).replace(os.sep, "/")
        key = (finding.rule_id, relative, finding.logical or "", finding.message)
        seen[key] += 1
        digest = hashlib.sha256(json.dumps([*key, seen[key]]).encode("utf-8")).hexdigest()[:32]
        out.append(replace(finding, fingerprint=digest))
    return out
