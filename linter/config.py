"""Run configuration: `.mwaa-lint.yaml` or `[tool.mwaa-lint]` in pyproject.toml, found upward from the working
directory (or given with --config), validated by the schema in linter/data/config.schema.json."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .model import DeclaredCall, Environment, Origin, Record

CONFIG_NAMES = (".mwaa-lint.yaml", ".mwaa-lint.yml")


class ConfigError(Exception):
    """Invalid configuration or usage: exit code 2, message names file, line and key where known."""


# eq=False: compared by identity; nothing compares these by value, and each generated method costs start-up time
# (see linter/model.py; the repr comes from model.Record).
@dataclass(frozen=True, eq=False, repr=False)
class RuleSettings(Record):
    """What the configuration says about one rule."""

    enabled: bool = True
    level: str | None = None
    ignore: tuple = ()  # path globs, optionally with ":line"


DEFAULT_RULE_SETTINGS = RuleSettings()  # what an unconfigured rule gets (asked for once per rule and work item)


@dataclass(frozen=True, eq=False, repr=False)
class PrincipalDeclaration(Record):
    """Who calls which REST endpoints: `match` globs against paths, Terraform addresses, CloudFormation ids."""

    match: tuple
    calls: tuple  # tuple[DeclaredCall, ...]
    environment: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Config(Record):
    """The run configuration (defaults when there is no configuration file)."""

    path: str | None = None
    airflow_version: str | None = None
    environments: tuple = ()  # tuple[Environment, ...]
    principals: tuple = ()  # tuple[PrincipalDeclaration, ...]
    rules: dict = field(default_factory=dict)  # rule id -> RuleSettings
    fail_on: str = "warning"
    exclude: tuple = ()
    rules_dirs: tuple = ()
    base_dir: str = "."

    def rule(self, rule_id: str) -> RuleSettings:
        return self.rules.get(rule_id, DEFAULT_RULE_SETTINGS)


def find_config(start: str = ".") -> tuple[str, str] | None:
    """(path, kind) of the nearest configuration from `start` upward: kind "yaml" or "pyproject"."""
    directory = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate, "yaml"
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_section(pyproject) is not None:
            return pyproject, "pyproject"
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _pyproject_section(path: str):
    """The [tool.mwaa-lint] table, None when there is none. A file that never names mwaa-lint is not read as TOML:
    it cannot hold the table, and someone else's broken pyproject.toml is not our configuration error."""
    with open(path, "rb") as handle:
        text = handle.read()
    if b"mwaa-lint" not in text:
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return data.get("tool", {}).get("mwaa-lint")


def load_config(path: str | None = None, start: str = ".") -> Config:
    """The configuration given with --config, else the nearest one, else defaults."""
    if path is not None:
        if not os.path.isfile(path):
            raise ConfigError(f"{path}: configuration file does not exist")
        kind = "pyproject" if path.endswith(".toml") else "yaml"
    else:
        found = find_config(start)
        if found is None:
            return Config()
        path, kind = found
    if kind == "pyproject":
        raw = _pyproject_section(path)
        if raw is None:
            raise ConfigError(f"{path}: no [tool.mwaa-lint] section")
        return config_from_dict(raw, path)
    text = _config_text(path)
    import yaml

    from .positions import yaml_error_span

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if _expands_beyond(yaml.compose(text, Loader=loader), MAX_CONFIG_NODES):
            raise ConfigError(f"{path}: YAML aliases expand to more than {MAX_CONFIG_NODES:,} values (alias bomb?)")
        raw = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        span = yaml_error_span(text, exc)
        raise ConfigError(f"{path}:{span.start_line}:{span.start_col}: invalid YAML") from None
    return config_from_dict(raw or {}, path, text)


MAX_CONFIG_NODES = 100_000  # values of a configuration file once its aliases are expanded


def _config_text(path: str) -> str:
    """The configuration file's text, read with the limits of source files (a regular file within the size limit,
    UTF-8) and nested no deeper than they may be (some libyaml builds crash on deep nesting)."""
    from .positions import DecodeError, decode
    from .sources import MAX_NESTING, read_bytes, yaml_too_deep_at

    try:
        text = decode(read_bytes(path))
    except (OSError, ValueError, OverflowError, DecodeError) as exc:
        reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{path}: cannot read the configuration: {reason}") from None
    if yaml_too_deep_at(text) is not None:
        raise ConfigError(f"{path}: YAML nested deeper than {MAX_NESTING} levels")
    return text


def _expands_beyond(node, limit: int) -> bool:
    """Whether a composed YAML tree, aliases expanded (a recursive anchor expands forever), has over `limit` nodes."""
    todo = [node] if node is not None else []
    count = 0
    while todo:
        current = todo.pop()
        count += 1
        if count > limit:
            return True
        if current.id == "sequence":
            todo.extend(current.value)
        elif current.id == "mapping":
            for key, value in current.value:
                todo.extend((key, value))
    return False


def config_from_dict(raw, path: str, text: str | None = None) -> Config:
    from ._config_validator import JsonSchemaValueException, validate

    try:
        validate(raw)
    except JsonSchemaValueException as exc:
        pointer = tuple(exc.path)
        where = path
        if text is not None:
            from .positions import yaml_spans

            spans = yaml_spans(text)
            span = None
            probe = pointer
            while span is None and probe:
                span = spans.span(probe)
                probe = probe[:-1]
            if span is not None:
                where = f"{path}:{span.start_line}:{span.start_col}"
        key = "/".join(str(p) for p in pointer) or "(top level)"
        message = exc.message.replace("data.", "", 1).replace("data ", "configuration ", 1)
        raise ConfigError(f"{where}: invalid configuration at {key}: {message}") from None
    base = os.path.dirname(os.path.abspath(path))
    return Config(
        path=path,
        airflow_version=raw.get("airflow-version"),
        environments=tuple(_environment(e, path, i) for i, e in enumerate(raw.get("environments", ()))),
        principals=tuple(_principal(p, path, i) for i, p in enumerate(raw.get("principals", ()))),
        rules={
            rule_id: RuleSettings(s.get("enabled", True), s.get("level"), tuple(s.get("ignore", ())))
            for rule_id, s in raw.get("rules", {}).items()
        },
        fail_on=raw.get("fail-on", "warning"),
        exclude=tuple(raw.get("exclude", ())),
        rules_dirs=tuple(os.path.join(base, d) for d in raw.get("rules-dirs", ())),
        base_dir=base,
    )


def _environment(raw: dict, path: str, index: int) -> Environment:
    origin = Origin(path, ("environments", index))
    custom = tuple(
        (name, frozenset(tuple(reversed(p.rsplit(".", 1))) for p in permissions))
        for name, permissions in sorted(raw.get("custom-roles", {}).items())
    )
    return Environment(
        name=raw["name"],
        origin=origin.child("name"),
        airflow_version=raw.get("airflow-version"),
        version_origin=origin.child("airflow-version") if "airflow-version" in raw else None,
        webserver_access_mode=raw.get("webserver-access-mode", "PRIVATE_ONLY"),
        region=raw.get("region"),
        account=raw.get("account"),
        partition=raw.get("partition"),
        vpc_ids=tuple(raw.get("vpc-ids", ())),
        vpc_endpoint_ids=tuple(raw.get("vpc-endpoint-ids", ())),
        custom_roles=custom,
        note="from the configuration",
    )


def _principal(raw: dict, path: str, index: int) -> PrincipalDeclaration:
    match = raw["match"]
    origin = Origin(path, ("principals", index, "calls"))
    return PrincipalDeclaration(
        match=(match,) if isinstance(match, str) else tuple(match),
        calls=tuple(DeclaredCall(call, origin.child(i)) for i, call in enumerate(raw["calls"])),
        environment=raw.get("environment"),
    )
