"""The one place where source positions are born.

Conventions (SPEC §4): lines and columns are 1-based; columns count Unicode characters; lines break on "\\n" only
("\\r\\n" is one break); a span starts at the token's first character as written and its end column is the
character after the token. Every other module works with pointers (tuples of keys and indexes) and asks this one
for spans.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_right

from .model import Origin, Span

KEY = "\x00key"  # last pointer element that designates the key of a mapping entry rather than its value

_NEWLINE = re.compile("\n")
_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")


class LineIndex:
    """Character offsets to 1-based (line, column)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        sl, sc = self.position(start)
        el, ec = self.position(end)
        return Span(sl, sc, el, ec)

    def offset(self, line: int, col: int) -> int:
        """The character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self.starts)))
        return self.starts[line - 1] + col - 1

    def char_column(self, row: int, byte_col: int) -> int:
        """0-based row and byte column (tree-sitter points) to a 1-based character column."""
        start = self.starts[row] if row < len(self.starts) else len(self.text)
        end = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
        line = self.text[start:end]
        if line.isascii():
            return byte_col + 1
        return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore")) + 1

    def point_span(self, start_point: tuple[int, int], end_point: tuple[int, int]) -> Span:
        """A span from tree-sitter's 0-based (row, byte column) points."""
        return Span(
            start_point[0] + 1,
            self.char_column(*start_point),
            end_point[0] + 1,
            self.char_column(*end_point),
        )


class DecodeError(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


def decode(data: bytes) -> str:
    """Bytes of a source file to text: UTF-8 with an optional BOM (dropped, not counted as a column)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError("file is UTF-16 encoded; IAM policies and templates must be UTF-8", Span(1, 1, 1, 2))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start - (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        good = data[: exc.start].decode("utf-8-sig", errors="replace")
        line, col = LineIndex(good).position(len(good))
        raise DecodeError(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte offset {max(start, 0)}", Span(line, col, line, col + 1)
        ) from None
    if "\x00" in text:
        at = text.index("\x00")
        line, col = LineIndex(text).position(at)
        raise DecodeError("NUL character in a text file (binary file?)", Span(line, col, line, col + 1))
    return text


class JsonSyntaxError(Exception):
    def __init__(self, message: str, span: Span):
        super().__init__(message)
        self.message = message
        self.span = span


def json_error(text: str, exc: json.JSONDecodeError) -> JsonSyntaxError:
    line, col = LineIndex(text).position(exc.pos)
    return JsonSyntaxError(f"invalid JSON: {exc.msg}", Span(line, col, line, col + 1))


class OffsetSpans:
    """Pointer -> (start, end) character offsets into a text, turned into spans on demand."""

    def __init__(self, index: LineIndex, values: dict, keys: dict | None = None):
        self.index = index
        self.values = values
        self.keys = keys or {}

    def span(self, pointer) -> Span | None:
        if pointer and pointer[-1] == KEY:
            found = self.keys.get(tuple(pointer[:-1]))
        else:
            found = self.values.get(tuple(pointer))
        return self.index.span(*found) if found else None


class StaticSpans:
    """Spans known up front (e.g. from tree-sitter nodes), by pointer."""

    def __init__(self, spans: dict):
        self.spans = spans

    def span(self, pointer) -> Span | None:
        return self.spans.get(tuple(pointer))


def json_offsets(text: str, start: int = 0) -> tuple[dict, dict, list]:
    """Scan JSON text (from `start`) and return (value offsets, key offsets, duplicate keys).

    Offsets are pairs (start, end) of character offsets into `text`, by pointer. Duplicate keys are listed as
    (pointer, (start, end)) of the later key; the later value wins, as in IAM. Invalid JSON is scanned as far as
    it goes: callers parse with `json.loads` first and use this only for positions.
    """
    values: dict = {}
    keys: dict = {}
    dups: list = []
    n = len(text)
    stack: list = []  # frames: [is_object, pointer, start offset, seen keys (object) or next index (array)]

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def read_key(frame, i):
        m = _STRING.match(text, i)
        if not m:
            raise ValueError
        key = json.loads(m.group())
        pointer = frame[1] + (key,)
        if key in frame[3]:
            dups.append((pointer, (i, m.end())))
        frame[3].add(key)
        keys[pointer] = (i, m.end())
        i = skip(m.end())
        if i >= n or text[i] != ":":
            raise ValueError
        return pointer, skip(i + 1)

    i = skip(start)
    pointer: tuple = ()
    try:
        while True:
            c = text[i] if i < n else ""
            if c in ("{", "["):
                frame = [c == "{", pointer, i, set() if c == "{" else 0]
                stack.append(frame)
                i = skip(i + 1)
                if i < n and text[i] == ("}" if frame[0] else "]"):
                    stack.pop()
                    values[frame[1]] = (frame[2], i + 1)
                    i = skip(i + 1)
                elif frame[0]:
                    pointer, i = read_key(frame, i)
                    continue
                else:
                    pointer = frame[1] + (0,)
                    frame[3] = 1
                    continue
            else:
                m = _STRING.match(text, i) if c == '"' else _SCALAR.match(text, i)
                if not m:
                    raise ValueError
                values[pointer] = (i, m.end())
                i = skip(m.end())
            # after a value: close finished containers, or step to the next member
            while stack:
                frame = stack[-1]
                c = text[i] if i < n else ""
                if c == ",":
                    i = skip(i + 1)
                    if frame[0]:
                        pointer, i = read_key(frame, i)
                    else:
                        pointer = frame[1] + (frame[3],)
                        frame[3] += 1
                    break
                if c in ("}", "]"):
                    stack.pop()
                    values[frame[1]] = (frame[2], i + 1)
                    i = skip(i + 1)
                    continue
                raise ValueError
            if not stack:
                return values, keys, dups
    except (ValueError, IndexError):
        return values, keys, dups


def json_spans(text: str) -> OffsetSpans:
    values, keys, _ = json_offsets(text)
    return OffsetSpans(LineIndex(text), values, keys)


def json_duplicate_keys(text: str) -> list[tuple[tuple, Span]]:
    index = LineIndex(text)
    _, _, dups = json_offsets(text)
    return [(pointer, index.span(*offsets)) for pointer, offsets in dups]


class JsonFileSpans:
    """Spans for a JSON file, computed only when a finding in that file asks for one."""

    def __init__(self, path: str):
        self.path = path
        self._spans: OffsetSpans | None = None

    def span(self, pointer) -> Span | None:
        if self._spans is None:
            with open(self.path, "rb") as handle:
                self._spans = json_spans(decode(handle.read()))
        return self._spans.span(pointer)

    def __getstate__(self):
        return {"path": self.path, "_spans": None}


class YamlFileSpans:
    """Spans for a YAML file (e.g. the configuration), computed only when a finding asks for one."""

    def __init__(self, path: str):
        self.path = path
        self._spans: OffsetSpans | None = None

    def span(self, pointer) -> Span | None:
        if self._spans is None:
            with open(self.path, "rb") as handle:
                self._spans = yaml_spans(decode(handle.read()))
        return self._spans.span(pointer)

    def __getstate__(self):
        return {"path": self.path, "_spans": None}


FILE_START = Span(1, 1, 1, 1)


def locate(resolver, origin: Origin) -> Span:
    """The span of an origin: its own span, else the nearest ancestor pointer that has one."""
    if origin.span is not None:
        return origin.span
    if resolver is not None:
        pointer = tuple(origin.pointer)
        while True:
            try:
                found = resolver.span(pointer)
            except (OSError, ValueError):
                found = None
            if found is not None:
                return found
            if not pointer:
                break
            pointer = pointer[:-1]
    return FILE_START


def yaml_node_offsets(node, pointer: tuple = ()) -> tuple[dict, dict]:
    """Pointer -> (start, end) character offsets of every value and key of a composed PyYAML node tree."""
    values: dict = {}
    keys: dict = {}
    todo = [(node, pointer)]
    while todo:
        current, where = todo.pop()
        values[where] = (current.start_mark.index, current.end_mark.index)
        if current.id == "mapping":
            for key_node, value_node in current.value:
                key = key_node.value if key_node.id == "scalar" else str(key_node.start_mark.index)
                keys[where + (key,)] = (key_node.start_mark.index, key_node.end_mark.index)
                todo.append((value_node, where + (key,)))
        elif current.id == "sequence":
            todo.extend((item, where + (i,)) for i, item in enumerate(current.value))
    return values, keys


def yaml_spans(text: str) -> OffsetSpans:
    """Spans of a YAML text (one document). Raises yaml.YAMLError on bad YAML."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    node = yaml.compose(text, Loader=loader)
    values, keys = yaml_node_offsets(node) if node is not None else ({}, {})
    return OffsetSpans(LineIndex(text), values, keys)


def yaml_error_span(text: str, exc) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return FILE_START
    line, col = LineIndex(text).position(mark.index)
    return Span(line, col, line, col + 1)
