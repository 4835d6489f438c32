"""IAM wildcard matching: `*` matches any run of characters (including ':' and '/'), `?` one character."""
from __future__ import annotations

import re
from functools import lru_cache


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=4096)
def compile_glob(pattern: str, case_sensitive: bool = True) -> re.Pattern:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def glob_match(pattern: str, text: str, case_sensitive: bool = True) -> bool:
    return compile_glob(pattern, case_sensitive).fullmatch(text) is not None


def globs_intersect(a: str, b: str) -> bool:
    """Whether some string matches both glob patterns (each may use `*` and `?`)."""
    seen: set = set()
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        ca = a[i] if i < len(a) else None
        cb = b[j] if j < len(b) else None
        if ca == "*":
            todo.append((i + 1, j))
            if cb is not None:
                todo.append((i, j + 1) if cb != "*" else (i + 1, j + 1))
                todo.append((i, j + 1))
        if cb == "*":
            todo.append((i, j + 1))
            if ca is not None:
                todo.append((i + 1, j))
        if ca is not None and cb is not None and ca != "*" and cb != "*":
            if ca == "?" or cb == "?" or ca == cb:
                todo.append((i + 1, j + 1))
    return False
