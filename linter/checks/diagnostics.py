"""MWAA000 and MWAA012: problems the sources found while reading files."""
from __future__ import annotations

from ..model import Hit


def _forward(scan, rule_id: str):
    for diagnostic in scan.diagnostics:
        if diagnostic.rule_id == rule_id:
            yield Hit(diagnostic.origin, {"message": diagnostic.message}, logical=diagnostic.logical)


def parse_errors(scan, config, options):
    return _forward(scan, "MWAA000")


def not_analysed(scan, config, options):
    return _forward(scan, "MWAA012")
