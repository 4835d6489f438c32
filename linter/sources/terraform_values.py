"""Terraform: the abstract values HCL expressions are evaluated into, and what is computed from them alone.

Values (`Str`, `Lst`, `Obj`, `Lit`, `Unknown`, `Choice`, `DocRef`, `FileRef`, `Encoded`, `Leaf`), the operations on
them (parts, templates, format, list items), their conversion to raw JSON and back (`_to_raw`, `_from_json`,
`_make_value`), the statement merge, the resource types read and `Collected`/`_link` (principals linked to their
documents). Shared with `terraform_plan`: nothing here imports tree-sitter, the tree reader or the evaluator.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from ..model import Origin, Principal, Symbolic, Value

MAX_ITEMS = 10_000  # longer computed lists are left symbolic (as strings longer than terraform_hcl.MAX_TEXT)

POLICY_RESOURCES = {  # resource type -> attribute naming the principal it attaches to
    "aws_iam_policy": None,
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
PRINCIPAL_TYPES = {"role": "aws_iam_role", "user": "aws_iam_user", "group": "aws_iam_group"}
ATTACHMENTS = {
    "aws_iam_role_policy_attachment": "role",
    "aws_iam_user_policy_attachment": "user",
    "aws_iam_group_policy_attachment": "group",
}
DOC_DATA = "aws_iam_policy_document"
MARK = "\ue001"  # stands for a symbolic part while JSON text with interpolations is decoded


# -- abstract values ------------------------------------------------------------------------------------------------
# Never changed once made, but not frozen: a frozen dataclass's __init__ costs four times as much, and a value is
# made per evaluated node (unsafe_hash keeps the __eq__ and __hash__ frozen=True gives).
@dataclass(unsafe_hash=True)
class Str:
    parts: tuple  # str | Symbolic
    origin: Origin
    note: str = ""
    heredoc: tuple | None = None  # (HclFile, start offset, base pointer) when the text can be positioned as JSON
    directive: bool = False  # holds a %{...} template directive


@dataclass(unsafe_hash=True)
class Lit:
    value: object  # int, float, bool or None
    origin: Origin


@dataclass(unsafe_hash=True)
class Lst:
    items: tuple
    origin: Origin


@dataclass(unsafe_hash=True)
class Obj:
    items: tuple  # ((key, value, key origin), ...)
    origin: Origin

    def get(self, key):
        found = None
        for k, v, _ in self.items:
            if k == key:
                found = v
        return found


@dataclass(unsafe_hash=True)
class Unknown:
    text: str  # the expression as written
    origin: Origin
    why: str = ""


@dataclass(unsafe_hash=True)
class Choice:
    options: tuple  # both sides of a conditional
    origin: Origin


@dataclass(unsafe_hash=True)
class DocRef:
    """data.aws_iam_policy_document.NAME.json"""

    module: object
    name: str
    origin: Origin


@dataclass(unsafe_hash=True)
class FileRef:
    path: str
    origin: Origin
    variables: object = None  # Obj for templatefile()
    template: bool = False


@dataclass(unsafe_hash=True)
class Encoded:
    """jsonencode(value)"""

    value: object
    origin: Origin


@dataclass(unsafe_hash=True)
class Leaf:
    """A string handed to DocumentReader: becomes a Value with its own origin."""

    parts: tuple
    origin: Origin | None
    note: str = ""


def _symbolic(value) -> tuple:
    return (Symbolic("${" + value.text + "}"),)


def _join_notes(*notes) -> str:
    out = []
    for note in notes:
        for piece in (note or "").split("; "):
            if piece and piece not in out:
                out.append(piece)
    return "; ".join(out)


# -- operations and conversions -------------------------------------------------------------------------------------
def _moved(value, origin: Origin):
    """A string, literal or unknown value at another place (dataclasses.replace, without its cost)."""
    if type(value) is Str:
        return Str(value.parts, origin, value.note, value.heredoc, value.directive)
    if type(value) is Lit:
        return Lit(value.value, origin)
    return Unknown(value.text, origin, value.why)


def _with_note(value, note: str):
    if isinstance(value, Str):
        return replace(value, note=_join_notes(value.note, note))
    if isinstance(value, Lst):
        return replace(value, items=tuple(_with_note(v, note) for v in value.items))
    return value


def _literal_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_parts(value) -> tuple:
    """A value interpolated into a string: its parts and note."""
    if isinstance(value, Str):
        return value.parts, value.note
    if isinstance(value, Lit) and value.value is not None:
        return (_literal_text(value.value),), ""
    if isinstance(value, Choice):
        found = [_as_parts(o) for o in value.options]
        if all(f[0] == found[0][0] for f in found) and not any(isinstance(p, Symbolic) for p in found[0][0]):
            return found[0]
    if isinstance(value, Unknown):
        return _symbolic(value), ""
    text = getattr(value, "text", None) or "…"
    return (Symbolic("${" + text + "}"),), ""


def _merge_parts(parts) -> tuple:
    out: list = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return tuple(out) if out else ("",)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(raw: str, heredoc: bool) -> str:
    raw = raw.replace("$${", "${").replace("%%{", "%{")
    if heredoc or "\\" not in raw:
        return raw

    def one(match):
        text = match.group(0)
        if text[1] in _ESCAPES:
            return _ESCAPES[text[1]]
        try:
            return chr(int(text[2:], 16))
        except ValueError:
            return text

    return re.sub(r'\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])', one, raw)


def _format(spec: Str, args, origin):
    pattern = "".join(spec.parts)
    parts: list = []
    i = 0
    pieces = re.split(r"(%%|%[-+ #0-9.]*[sdvqf])", pattern)
    for piece in pieces:
        if piece == "%%":
            parts.append("%")
        elif piece.startswith("%") and len(piece) > 1:
            if i >= len(args):
                return None
            found, _ = _as_parts(args[i])
            parts.extend(found)
            i += 1
        else:
            parts.append(piece)
    return Str(_merge_parts(parts), origin)


def _list_items(value, flat: bool = False, depth: int = 0) -> list:
    """Items of a list-valued expression: both sides of conditionals; an unknown list is one symbolic item."""
    if depth > 16:
        return [Unknown("…", getattr(value, "origin", None), "nested too deeply")]
    if isinstance(value, Lst):
        items = []
        for item in value.items:
            if isinstance(item, Choice) or (flat and isinstance(item, Lst)):
                items.extend(_list_items(item, flat, depth + 1))
            else:
                items.append(item)
            if len(items) > MAX_ITEMS:
                break
        return items
    if isinstance(value, Choice):
        return [i for option in value.options for i in _list_items(option, flat, depth + 1)]
    return [value]


def _empty(value) -> bool:
    return (isinstance(value, Str) and value.parts == ("",)) or (isinstance(value, Lit) and value.value is None)


def _statementless(value) -> bool:
    """A known JSON object without "Statement" (e.g. a variable defaulting to "{}"): the provider merges it as no
    statements, so as a source or override document it adds nothing and is not an error."""
    text = _plain(value)
    if text is None or not text.lstrip().startswith("{"):
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, dict) and "Statement" not in parsed


def _plain(value) -> str | None:
    if isinstance(value, Str) and all(isinstance(p, str) for p in value.parts):
        return "".join(value.parts)
    return None


def _merge_statements(base: list, extra: list) -> list:
    """Terraform's merge: a statement with a Sid replaces the earlier one with the same Sid; others are appended."""
    out = list(base)
    for statement in extra:
        if statement.sid:
            at = next((i for i, s in enumerate(out) if s.sid == statement.sid), None)
            if at is not None:
                out[at] = statement
                continue
        out.append(statement)
    return out


def value_text(value: Str) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in value.parts)


def _value_text(value) -> str:
    if isinstance(value, Str):
        return value_text(value)
    return getattr(value, "text", None) or "the value"


def _leaf(value) -> Leaf:
    if isinstance(value, Str):
        return Leaf(value.parts, value.origin, value.note)
    if isinstance(value, Lit):
        return Leaf((_literal_text(value.value) if value.value is not None else "null",), value.origin)
    if isinstance(value, Unknown):
        return Leaf(_symbolic(value), value.origin)
    return Leaf((Symbolic("${…}"),), getattr(value, "origin", None))  # a list, an object or a policy reference


def _leaf_text(leaf: Leaf) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in leaf.parts)


def _to_raw(value, skipped: list, budget: list | None = None):
    """An evaluated HCL value as the JSON-like data DocumentReader reads; strings become Leafs. A budget of nodes
    keeps shared sub-values (local.a = [local.b, local.b], ...) from expanding without bound."""
    budget = budget if budget is not None else [MAX_ITEMS * 10]
    budget[0] -= 1
    if budget[0] < 0:
        return Leaf((Symbolic("${…}"),), getattr(value, "origin", None))
    if isinstance(value, Obj):
        return {key: _to_raw(item, skipped, budget) for key, item, _ in value.items}
    if isinstance(value, (Lst, Choice)) and not (isinstance(value, Choice) and all(isinstance(o, Str) for o in value.options)):
        items = _list_items(value)[:MAX_ITEMS]
        return [_to_raw(item, skipped, budget) for item in items]
    if isinstance(value, Lit):
        return value.value
    if isinstance(value, Choice):  # a string that differs by branch: every branch is an element
        leaves = [_leaf(o) for o in value.options]
        return leaves[0] if len({leaf.parts for leaf in leaves}) == 1 else leaves
    return _leaf(value)


def _marked(parts) -> tuple:
    """Text with each symbolic part replaced by a marker, and the symbolic parts in order."""
    symbols = []
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(part)
        else:
            pieces.append(f"{MARK}{len(symbols)}{MARK}")
            symbols.append(part)
    return "".join(pieces), symbols


def _unmarked(text: str, symbols) -> tuple:
    pieces = text.split(MARK)
    parts = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1 and piece.isdigit() and int(piece) < len(symbols):
            parts.append(symbols[int(piece)])
        elif piece:
            parts.append(piece)
    return tuple(parts) if parts else ("",)


def _from_json(value, origin: Origin, symbols, note: str, skipped: list, pointer: tuple = ()):
    """Parsed JSON text as DocumentReader input; strings holding symbolic markers become Leafs."""
    if isinstance(value, dict):
        return {k: _from_json(v, origin, symbols, note, skipped, pointer + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v, origin, symbols, note, skipped, pointer + (i,)) for i, v in enumerate(value)]
    if isinstance(value, str) and (MARK in value or note):
        return Leaf(_unmarked(value, symbols), Origin(origin.path, origin.pointer + pointer), note)
    return value


def _render_template(text: str, variables) -> tuple | None:
    """templatefile(): `${name}` from the variables (unknown ones symbolic); None when %{...} directives are used."""
    if re.search(r"(?<!%)%\{", text):
        return None
    parts: list = []
    pos = 0
    for match in re.finditer(r"(?<!\$)\$\{([^}]*)\}", text):
        parts.append(text[pos : match.start()].replace("$${", "${"))
        name = match.group(1).strip().strip("~").strip()
        found = variables.get(name) if isinstance(variables, Obj) and re.fullmatch(r"[A-Za-z_][\w-]*", name) else None
        if isinstance(found, Str):
            parts.extend(found.parts)
        elif isinstance(found, Lit) and found.value is not None:
            parts.append(_literal_text(found.value))
        else:
            parts.append(Symbolic(match.group(0)))
        pos = match.end()
    parts.append(text[pos:].replace("$${", "${"))
    return _merge_parts(parts)


def _make_value(raw, origin: Origin):
    if isinstance(raw, Leaf):
        return Value(raw.parts, raw.origin or origin, raw.note)
    if isinstance(raw, str):
        return Value.literal(raw, origin)
    return None


# -- the module tree -----------------------------------------------------------------------------------------------------
@dataclass
class Collected:
    """Everything found in a module tree, before principals are linked (mutable while collecting)."""

    documents: list = field(default_factory=list)
    document_ids: set = field(default_factory=set)  # id() of each of documents (they are kept alive by the list)
    own: dict = field(default_factory=dict)  # policy address -> (documents, target address or None, calls, origin)
    principals: dict = field(default_factory=dict)  # principal address -> dict(info)
    attachments: list = field(default_factory=list)  # (principal address, policy address)
    environments: list = field(default_factory=list)


def _link(out: Collected, scope: str) -> tuple[list, list]:
    """Principals with their documents; documents with the names of their principals."""
    attached: dict = {}  # policy address -> principal addresses
    for principal, policy in out.attachments:
        attached.setdefault(policy, []).append(principal)
    members: dict = {address: list(info["documents"]) for address, info in out.principals.items()}
    calls: dict = {address: list(info["calls"]) for address, info in out.principals.items()}
    standalone = []
    for policy, (docs, target, policy_calls, origin) in out.own.items():
        targets = [t for t in ([target] if target else []) + attached.get(policy, []) if t in members]
        if not targets:
            standalone.append((policy, docs, policy_calls, origin))
        for t in targets:
            members[t].extend(d for d in docs if not any(d is m for m in members[t]))
            calls[t].extend(c for c in policy_calls if c not in calls[t])
    execution_roles = {e.execution_role for e in out.environments if e.execution_role}
    principals = []
    owners: dict = {}
    for address, info in out.principals.items():
        principals.append(
            Principal(
                address,
                tuple(members[address]),
                info["origin"],
                address,
                calls=tuple(calls[address]),
                is_execution_role=info["execution"] or address in execution_roles,
                scope=scope,
            )
        )
        for d in members[address] + list(info["trust"]):
            owners.setdefault(id(d), []).append(address)
    for policy, docs, policy_calls, origin in standalone:
        if not docs:
            continue
        principals.append(Principal(policy, tuple(docs), origin, policy, calls=tuple(policy_calls), scope=scope))
        for d in docs:
            owners.setdefault(id(d), []).append(policy)
    final = {id(d): replace(d, principals=tuple(dict.fromkeys(owners.get(id(d), ())))) for d in out.documents}
    documents = [final[id(d)] for d in out.documents]
    principals = [replace(p, documents=tuple(final.get(id(d), d) for d in p.documents)) for p in principals]
    return documents, principals
