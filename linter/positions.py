"""The one place where source positions are born.

Conventions (SPEC §4): lines and columns are 1-based; columns count Unicode characters; lines break on "\\n" only
("\\r\\n" is one break); a span starts at the token's first character as written and its end column is the
character after the token. Every other module works with pointers (tuples of keys and indexes) and asks this one
for spans.
"""
from __future__ import annotations

import json
import re
from functools import cached_property

from .model import Origin, Span, new_span

KEY = "\x00key"  # last pointer element that designates the key of a mapping entry rather than its value

_NEWLINE = re.compile("\n")
_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")


class LineIndex:
    """Character offsets to 1-based (line, column)."""

    def __init__(self, text: str):
        self.text = text
        self._rows: dict = {}  # row -> None (ASCII) or (its UTF-8 bytes, continuation bytes before each chunk)
        self._ascii: bool | None = None  # the whole text is ASCII: byte columns are character columns

    @cached_property
    def starts(self) -> list:
        """The offset of each line (for row-based lookups)."""
        return [0] + [m.end() for m in _NEWLINE.finditer(self.text)]

    @cached_property
    def _chunks(self) -> tuple[list, list]:
        """For each 4 KB of text, the line breaks before it and where the line it starts in begins: a position is
        then counted in C within one chunk (cheaper than a table of all lines for the few positions asked)."""
        text = self.text
        breaks, line_starts = [0], [0]
        for at in range(0, len(text), _LINE_CHUNK):
            breaks.append(breaks[-1] + text.count("\n", at, at + _LINE_CHUNK))
            last = text.rfind("\n", at, at + _LINE_CHUNK)
            line_starts.append(last + 1 if last >= 0 else line_starts[-1])
        return breaks, line_starts

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        breaks, line_starts = self._chunks
        chunk = offset // _LINE_CHUNK
        base = chunk * _LINE_CHUNK
        last = self.text.rfind("\n", base, offset)
        start = last + 1 if last >= 0 else line_starts[chunk]
        return breaks[chunk] + self.text.count("\n", base, offset) + 1, offset - start + 1

    def span(self, start: int, end: int) -> Span:
        sl, sc = self.position(start)
        el, ec = self.position(end)
        return Span(sl, sc, el, ec)

    def offset(self, line: int, col: int) -> int:
        """The character offset of a 1-based (line, column)."""
        line = max(1, min(line, len(self.starts)))
        return self.starts[line - 1] + col - 1

    def char_column(self, row: int, byte_col: int) -> int:
        """0-based row and byte column (tree-sitter points) to a 1-based character column.

        Each row is looked at once (a file may be one 10 MB line with 100,000 points on it): an ASCII row maps bytes
        to characters one to one; otherwise the characters before a byte are the bytes that do not continue a
        multi-byte character, counted per 4 KB chunk once and within the last chunk per call."""
        if row not in self._rows:
            start = self.starts[row] if row < len(self.starts) else len(self.text)
            end = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
            line = self.text[start:end]
            if line.isascii():
                self._rows[row] = None
            else:
                data = line.encode("utf-8")
                before = [0]
                for chunk in range(0, len(data), _CHUNK):
                    before.append(before[-1] + len(data[chunk:chunk + _CHUNK].translate(None, _NOT_CONTINUATION)))
                self._rows[row] = (data, before)
        found = self._rows[row]
        if found is None:
            return byte_col + 1
        data, before = found
        chunk = min(byte_col, len(data)) // _CHUNK
        continuations = before[chunk] + len(data[chunk * _CHUNK:byte_col].translate(None, _NOT_CONTINUATION))
        return byte_col - continuations + 1

    def node_span(self, node) -> Span:
        """The span of a tree-sitter node."""
        return self.point_span(node.start_point, node.end_point)

    def point_span(self, start_point: tuple[int, int], end_point: tuple[int, int]) -> Span:
        """A span from tree-sitter's 0-based (row, byte column) points."""
        if self._ascii is None:
            self._ascii = self.text.isascii()
        if self._ascii:
            return new_span(start_point[0] + 1, start_point[1] + 1, end_point[0] + 1, end_point[1] + 1)
        return new_span(
            start_point[0] + 1,
            self.char_column(*start_point),
            end_point[0] + 1,
            self.char_column(*end_point),
        )


_CHUNK = 4096
_LINE_CHUNK = 4096
_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)  # deleted, leaving UTF-8 continuation bytes


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


class TreeSpans(StaticSpans):
    """Spans of a Terraform file: those known up front by pointer, else those of the JSON texts in it (heredoc
    policies), each given as (base pointer, start offset) and scanned when a finding first asks for a position under
    its base; the first text that has the pointer answers."""

    def __init__(self, spans: dict, index: LineIndex, texts: list):
        self.spans = spans
        self.index = index
        self.texts = texts
        self._scanned: dict = {}  # start offset -> (value offsets, key offsets)

    def span(self, pointer) -> Span | None:
        pointer = tuple(pointer)
        found = self.spans.get(pointer)
        if found is not None or not self.texts:
            return found
        for base, start in self.texts:
            if pointer[: len(base)] != base:
                continue
            tables = self._scanned.get(start)
            if tables is None:
                tables = self._scanned[start] = json_offsets(self.index.text, start)[:2]
            rest = pointer[len(base) :]
            offsets = tables[1].get(rest[:-1]) if rest and rest[-1] == KEY else tables[0].get(rest)
            if offsets is not None:
                return self.index.span(*offsets)
        return None


def json_offsets(text: str, start: int = 0) -> tuple[dict, dict, list]:
    """Scan JSON text (from `start`) and return (value offsets, key offsets, duplicate keys).

    Offsets are pairs (start, end) of character offsets into `text`, by pointer. Duplicate keys are listed as
    (pointer, (start, end)) of the later key; the later value wins, as in IAM. Invalid JSON is scanned as far as
    it goes: callers parse with `json.loads` first and use this only for positions.
    """
    values: dict = {}
    keys: dict = {}
    dups: list = []
    for _ in json_scan(text, start, values, keys, dups):
        pass
    return values, keys, dups


def json_scan(text: str, start: int, values: dict, keys: dict, dups: list):
    """json_offsets as a generator that fills the three tables as it goes and yields after each value, so a caller
    that needs one position stops as soon as it is known (a 15 MB policy need not be scanned to its end)."""
    n = len(text)
    stack: list = []  # frames: [is_object, pointer, start offset, seen keys (object) or next index (array)]

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def read_key(frame, i):
        m = _STRING.match(text, i)
        if not m:
            raise ValueError
        token = m.group()
        key = token[1:-1] if "\\" not in token else json.loads(token)
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
                    yield
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
                yield
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
                    yield
                    i = skip(i + 1)
                    continue
                raise ValueError
            if not stack:
                return
    except (ValueError, IndexError):
        return


_SCAN_VALUE = json.scanner.make_scanner(json.JSONDecoder())  # (text, offset) -> (value, end offset), in C
_MEMBER_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t\n\r]*:[ \t\n\r]*', re.DOTALL)  # a key, its colon, the blanks after
_NEXT_MEMBER = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")


class JsonSpans:
    """Spans of a JSON text by pointer. Only the containers on the way to a pointer asked for are read, each as far
    as needed: a member's offsets are noted as it is reached, the members before it skipped with the C scanner.
    Like json_offsets, a repeated key points at its last occurrence (with `repeated_keys` false, a text known to
    repeat none, an object is read only up to the key), and invalid JSON is read as far as it goes."""

    def __init__(self, text: str, repeated_keys: bool = True):
        self.text = text
        self.repeated_keys = repeated_keys
        self.index = LineIndex(text)
        self._containers: dict = {}  # pointer -> [{key or index: (key offsets or None, value start)}, reader or None]
        self._ends: dict = {}  # pointer -> end offset of its value

    def span(self, pointer) -> Span | None:
        pointer = tuple(pointer)
        try:
            if pointer and pointer[-1] == KEY:
                member = self._member(pointer[:-1])
                found = member[0] if member else None
            else:
                start = self._start(pointer)
                found = (start, self._end(pointer, start)) if start is not None else None
        except (StopIteration, ValueError, RecursionError):
            found = None
        return self.index.span(*found) if found else None

    def _start(self, pointer: tuple) -> int | None:
        if not pointer:
            return _WS.match(self.text).end()
        member = self._member(pointer)
        return member[1] if member else None

    def _end(self, pointer: tuple, start: int) -> int:
        end = self._ends.get(pointer)
        if end is None:
            end = self._ends[pointer] = _SCAN_VALUE(self.text, start)[1]
        return end

    def _member(self, pointer: tuple) -> tuple | None:
        parent, key = pointer[:-1], pointer[-1]
        container = self._containers.get(parent)
        if container is None:
            start = self._start(parent)
            members: dict = {}
            container = self._containers[parent] = [members, self._read(parent, start, members) if start is not None else None]
        members, reader = container
        while reader is not None and (key not in members or (self.repeated_keys and isinstance(key, str))):
            try:
                next(reader)
            except StopIteration:
                container[1] = reader = None
        return members.get(key)

    def _read(self, pointer: tuple, start: int, members: dict):
        """Notes the members of the container at `start` one by one, yielding after each."""
        text = self.text
        is_object = text.startswith("{", start)
        if not is_object and not text.startswith("[", start):
            return
        i = _WS.match(text, start + 1).end()
        try:
            while text[i] not in "]}":
                if is_object:
                    found = _MEMBER_KEY.match(text, i)
                    if found is None:
                        return
                    key = found.group(1)
                    if "\\" in key:
                        key = json.loads(f'"{key}"')
                    key_at = (i, found.end(1) + 1)
                    i = found.end()
                else:
                    key, key_at = len(members), None
                if key in members:  # a repeated key: the last one counts
                    self._ends.pop(pointer + (key,), None)
                members[key] = (key_at, i)
                yield
                found = _NEXT_MEMBER.match(text, self._end(pointer + (key,), i))
                if found is None:
                    return
                i = found.end()
        except (StopIteration, ValueError, IndexError, RecursionError):
            return


def json_spans(text: str) -> JsonSpans:
    return JsonSpans(text)


def json_duplicate_keys(text: str) -> list[tuple[tuple, Span]]:
    index = LineIndex(text)
    _, _, dups = json_offsets(text)
    return [(pointer, index.span(*offsets)) for pointer, offsets in dups]


class FileSpans:
    """Spans for a JSON or YAML file, computed only when a finding in that file asks for one."""

    def __init__(self, path: str, syntax: str = "json", repeated_keys: bool = False, text: str | None = None):
        self.path = path
        self.syntax = syntax  # "json" or "yaml"
        self.repeated_keys = repeated_keys  # a JSON file whose objects repeat a key (see JsonSpans)
        self._text = text  # the text the parser read, if it is still at hand (else the file is read again)
        self._spans: JsonSpans | OffsetSpans | None = None

    def span(self, pointer) -> Span | None:
        if self._spans is None:
            text = self._text
            if text is None:
                from .sources import read_bytes  # its checks: a regular file, within the size limit

                text = decode(read_bytes(self.path))
            self._spans = JsonSpans(text, self.repeated_keys) if self.syntax == "json" else yaml_spans(text)
        return self._spans.span(pointer)


FILE_START = Span(1, 1, 1, 2)  # a whole-file finding marks the first character (SARIF regions are never empty)


def locate(resolver, origin: Origin) -> Span:
    """The span of an origin: its own span, else the nearest ancestor pointer that has one."""
    if origin.span is not None:
        return origin.span
    if resolver is not None:
        pointer = tuple(origin.pointer)
        while True:
            try:
                found = resolver.span(pointer)
            except (OSError, ValueError, OverflowError, DecodeError):  # the file changed since it was parsed
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


# --- CloudFormation helpers ---


class YamlLimitError(Exception):
    """A YAML document whose aliases expand beyond a node budget, or that nests too deeply (`offset`: where)."""

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.offset = offset


def _yaml_scalar_value(node):
    """Plain Python value of a YAML scalar node as CloudFormation reads it (2012-10-17 stays a string)."""
    tag = node.tag or ""
    value = node.value
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if tag.endswith(":null"):
        return None
    if tag.endswith(":int") and re.fullmatch(r"[-+]?[0-9]+", value):
        return int(value)
    return value


_YAML_STR = "tag:yaml.org,2002:str"
_YAML_MERGE = "tag:yaml.org,2002:merge"


def yaml_plain(text: str, root, tag_key, max_nodes: int, max_depth: int):
    """A composed PyYAML node tree as plain Python values, with offsets by pointer.

    `tag_key(tag)` names the key a locally tagged node becomes (`!Sub x` -> {"Fn::Sub": x}), or None to keep the
    node as it is; the wrapped value gets the pointer of the tag plus that key, and both pointers get the span of the
    tagged node (which starts at the tag). Block collections end at their last child, not at the next token; block
    scalars (`|`, `>`) end at their last character.
    Returns (value, value offsets, key offsets, duplicate keys as (pointer, (start, end))); raises YamlLimitError when
    aliases expand beyond `max_nodes` nodes (alias bombs, recursive anchors) or nesting exceeds `max_depth`.
    """
    values: dict = {}
    keys: dict = {}
    duplicates: list = []
    budget = max_nodes
    open_nodes: set = set()  # ids of the collections being converted: an alias to one of them is a loop

    def convert(node, pointer: tuple, depth: int) -> tuple:
        """(plain value, end offset) of a node, its offsets (and its children's) noted."""
        nonlocal budget
        kind = node.id
        if kind != "scalar" and id(node) in open_nodes:
            raise YamlLimitError("YAML alias inside the node its anchor names (a recursive anchor)", node.start_mark.index)
        if depth > max_depth:
            raise YamlLimitError(f"YAML nested deeper than {max_depth} levels", node.start_mark.index)
        budget -= 1
        if budget < 0:
            raise YamlLimitError(f"YAML aliases expand to more than {max_nodes:,} nodes (alias bomb?)")
        start = node.start_mark.index
        tag = node.tag
        wrapper = tag_key(tag) if tag and tag[0] == "!" else None
        inner = pointer + (wrapper,) if wrapper else pointer
        if kind == "scalar":
            value = node.value if wrapper or tag == _YAML_STR else _yaml_scalar_value(node)
            end = node.end_mark.index
            if node.style in ("|", ">"):  # without the trailing line breaks
                end = start + len(text[start:end].rstrip())
        else:
            open_nodes.add(id(node))
            try:
                if kind == "sequence":
                    value, end = convert_sequence(node, inner, depth)
                else:
                    value, end = convert_mapping(node, inner, depth)
            finally:
                open_nodes.discard(id(node))
        values[pointer] = (start, end)
        if wrapper:
            values[inner] = (start, end)
            keys[inner] = (start, start + len(tag))
            return {wrapper: value}, end
        return value, end

    def convert_sequence(node, pointer: tuple, depth: int):
        value = []
        end = node.end_mark.index
        for i, item in enumerate(node.value):
            item_value, end = convert(item, pointer + (i,), depth + 1)
            value.append(item_value)
        if node.flow_style or not value:
            end = node.end_mark.index
        return value, end

    def convert_mapping(node, pointer: tuple, depth: int):
        value: dict = {}
        end = node.end_mark.index
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == _YAML_MERGE:
                merges.append(value_node)
                continue
            key = key_node.value if key_node.id == "scalar" else f"<key at offset {key_node.start_mark.index}>"
            where = pointer + (key,)
            if key in value:
                duplicates.append((where, (key_node.start_mark.index, key_node.end_mark.index)))
            keys[where] = (key_node.start_mark.index, key_node.end_mark.index)
            value[key], end = convert(value_node, where, depth + 1)
        for merge in merges:  # `<<: *anchor` fills keys the mapping does not set itself
            for source in merge.value if merge.id == "sequence" else [merge]:
                if source.id != "mapping":
                    continue
                for key_node, value_node in source.value:
                    key = key_node.value if key_node.id == "scalar" else f"<key at offset {key_node.start_mark.index}>"
                    if key not in value:
                        keys.setdefault(pointer + (key,), (key_node.start_mark.index, key_node.end_mark.index))
                        value[key] = convert(value_node, pointer + (key,), depth + 1)[0]
        if node.flow_style or not node.value:
            end = node.end_mark.index
        return value, end

    return convert(root, (), 0)[0], values, keys, duplicates


def scalar_char_map(text: str, start: int, end: int, value: str) -> list | None:
    """The offset in `text` of each character of a scalar's value, plus one past its last character.

    Works when the value appears in text[start:end] up to skipped whitespace and line breaks: block scalars
    (`|`, `>`, indentation removed), plain scalars and quoted scalars without escapes. Otherwise None (callers
    then fall back to the scalar's own span).
    """
    i = start
    if i < end and text[i] == "!":  # a tag: skip it and the blanks after it
        while i < end and text[i] not in " \t\r\n":
            i += 1
        while i < end and text[i] in " \t":
            i += 1
    if i < end and text[i] in "|>":
        newline = text.find("\n", i, end)
        if newline < 0:
            return None
        i = newline + 1
    elif i < end and text[i] in "\"'":
        i += 1
    out = []
    for char in value:
        while i < end and text[i] != char:
            if text[i] not in " \t\r\n":
                return None
            i += 1
        if i >= end:
            if char in " \t\r\n":  # trailing line breaks of a block scalar are not in its span
                out.append(end)
                continue
            return None
        out.append(i)
        i += 1
    out.append(out[-1] + 1 if out else i)
    return out


def embedded_json_offsets(text: str, start: int, end: int, value: str, pointer: tuple) -> tuple[dict, dict]:
    """Offsets into `text` of the values and keys of a JSON document held in a YAML scalar at `pointer`.

    Empty when the scalar's characters cannot be mapped back to the file (escapes): spans then fall back to the
    scalar itself.
    """
    chars = scalar_char_map(text, start, end, value)
    if chars is None:
        return {}, {}
    inner_values, inner_keys, _ = json_offsets(value)

    def moved(found: dict) -> dict:
        return {pointer + p: (chars[s], chars[e - 1] + 1 if e > s else chars[s]) for p, (s, e) in found.items() if p}

    return moved(inner_values), moved(inner_keys)


def entry_lines(resolver, pointer: tuple) -> tuple[int, int] | None:
    """First and last line of a mapping entry: its key (when known) through the end of its value."""
    value = resolver.span(tuple(pointer)) if resolver is not None else None
    if value is None:
        return None
    key = resolver.span(tuple(pointer) + (KEY,))
    first = min(value.start_line, key.start_line) if key else value.start_line
    return first, value.end_line


from dataclasses import dataclass as _dataclass  # noqa: E402  (CloudFormation helpers are appended here)


@_dataclass(frozen=True)
class CommentDirective:
    """A `# mwaa-lint: VERB args` comment: where it is, and its comma-separated arguments with their spans."""

    line: int  # 1-based line of the comment
    next_line: int  # the next line holding something other than blanks and comments
    verb: str  # e.g. "calls" or "ignore[MWAA001,MWAA002]" (blanks removed)
    rest: str  # the text after the verb
    items: tuple  # ((text, Span), ...): `rest` split at commas
    span: Span  # the comment, from "#" to the end of its text
    trailing: bool  # the comment follows other text on its line


_DIRECTIVE_HINT = re.compile(r"#[ \t]*mwaa-lint:")  # what every directive holds; found faster than _DIRECTIVE
_DIRECTIVE = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*mwaa-lint:[ \t]*([A-Za-z-]+(?:[ \t]*\[[^\]\n]*\])?)[ \t]*([^\n]*)", re.M)


def comment_directives(text: str) -> list[CommentDirective]:
    """Every `# mwaa-lint:` comment of a YAML (or HCL) text."""
    if "mwaa-lint:" not in text or not _DIRECTIVE_HINT.search(text):
        return []
    index = LineIndex(text)
    lines = text.split("\n")
    out = []
    for match in _DIRECTIVE.finditer(text):
        line, col = index.position(match.start())
        before = lines[line - 1][: col - 1]
        next_line = line + 1
        while next_line <= len(lines) and (not lines[next_line - 1].strip() or lines[next_line - 1].lstrip().startswith("#")):
            next_line += 1
        rest = match.group(2).rstrip()
        rest_start = match.start(2)
        items = []
        offset = 0
        for piece in rest.split(","):
            stripped = piece.strip()
            if stripped:
                begin = rest_start + offset + piece.index(stripped)
                items.append((stripped, index.span(begin, begin + len(stripped))))
            offset += len(piece) + 1
        end = match.start(2) + len(rest)
        out.append(
            CommentDirective(
                line, next_line, re.sub(r"\s+", "", match.group(1)), rest, tuple(items), index.span(match.start(), end), bool(before.strip())
            )
        )
    return out
