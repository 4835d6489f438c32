"""Reporters: findings in, text out. An explicit registry: format name -> "module:function"."""
from __future__ import annotations

from importlib import import_module

REPORTERS = {
    "text": "text:render",
    "json": "json:render",
    "sarif": "sarif:render",
    "github": "github:render",
    "markdown": "markdown:render",
}


def get_reporter(name: str):
    module, _, function = REPORTERS[name].partition(":")
    return getattr(import_module(f"{__name__}.{module}"), function)
