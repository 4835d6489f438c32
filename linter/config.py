"""Run configuration: what the config file and command line say. Loading lives in `load_config`."""
from __future__ import annotations

from dataclasses import dataclass, field


class ConfigError(Exception):
    """Invalid configuration or usage: exit code 2, message names file, line and key where known."""


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool = True
    level: str | None = None
    ignore: tuple = ()  # path globs, optionally with ":line"


@dataclass(frozen=True)
class Config:
    path: str | None = None
    airflow_version: str | None = None
    environments: tuple = ()  # tuple[Environment, ...]
    principals: tuple = ()  # tuple[PrincipalDeclaration, ...]
    rules: dict = field(default_factory=dict)  # rule id -> RuleSettings
    fail_on: str = "warning"
    exclude: tuple = ()
    rules_dirs: tuple = ()

    def rule(self, rule_id: str) -> RuleSettings:
        return self.rules.get(rule_id, RuleSettings())
