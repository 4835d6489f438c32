"""Terraform HCL policies: `Builder` turns evaluated values into PolicyDocuments.

A policy attribute's value (jsonencode, heredoc or templated JSON, a `data "aws_iam_policy_document"` with its
statement, condition and principals blocks, dynamic blocks, source and override documents, files read through
file()/templatefile()) becomes PolicyDocuments whose elements point into the files (see `terraform_hcl`).
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..model import Origin, PolicyDocument, Symbolic
from ..positions import KEY, DecodeError, decode, json_offsets
from .iam_json import DocumentReader
from .terraform_tree import (
    HclFile,
    Module,
    _attributes,
    _block_parts,
    _blocks,
    _body_items,
    _declared_calls,
)
from .terraform_values import (
    DOC_DATA,
    Choice,
    DocRef,
    Encoded,
    FileRef,
    Leaf,
    Lit,
    Lst,
    Obj,
    Str,
    Unknown,
    _empty,
    _from_json,
    _leaf,
    _leaf_text,
    _list_items,
    _make_value,
    _marked,
    _merge_statements,
    _plain,
    _render_template,
    _statementless,
    _to_raw,
    _value_text,
    value_text,
)

if TYPE_CHECKING:
    from .terraform_hcl import Evaluator

MAX_POLICY_FILE_BYTES = 2 * 1024 * 1024
STATEMENT_ATTRIBUTES = ("sid", "effect", "actions", "not_actions", "resources", "not_resources")
JSON_KEYS = {  # aws_iam_policy_document statement attributes -> IAM JSON keys
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


# -- policies -----------------------------------------------------------------------------------------------------------
class Builder:
    """Builds PolicyDocuments from evaluated values, and the principals and environments of a module tree."""

    def __init__(self, ev: Evaluator, scope: str):
        self.ev = ev
        self.scope = scope
        self.data_docs: dict = {}  # (id(module), name) -> PolicyDocument | None
        self.used_data: set = set()
        self.extra_sources: dict = {}  # JSON file path -> True

    def problem(self, rule, message, origin, logical):
        self.ev.note(rule, message, origin, logical)

    # a document from any value ----------------------------------------------------------------------------------
    def documents(self, value, logical: str, name: str, kind: str = "identity", depth: int = 0) -> tuple:
        """PolicyDocuments for a policy attribute's value (several for a conditional)."""
        if depth > 8:
            return ()
        if isinstance(value, Choice):  # both sides; an empty side ("" or null) means "no policy" there
            options = [o for o in value.options if not _empty(o)]
            return tuple(d for o in options for d in self.documents(o, logical, name, kind, depth + 1))
        if isinstance(value, DocRef):
            doc = self.data_document(value.module, value.name)
            self.used_data.add((id(value.module), value.name))
            return (doc,) if doc is not None else ()
        if isinstance(value, Encoded):
            return self.from_raw(value.value, value.value.origin, logical, name, kind)
        if isinstance(value, Str):
            return self.from_text(value, logical, name, kind)
        if isinstance(value, FileRef):
            return self.from_file(value, logical, name, kind)
        if isinstance(value, Unknown):
            why = f" ({value.why})" if value.why else ""
            self.problem("MWAA012", f"policy {value.text} is not determined by the module{why}; not analysed", value.origin, logical)
            return ()
        origin = getattr(value, "origin", None)
        if origin is not None:
            self.problem("MWAA000", "a policy is a JSON string (jsonencode(...), heredoc JSON or a policy document's .json), not an HCL value", origin, logical)
        return ()

    def reader(self, logical):
        return DocumentReader("", logical, _make_value)

    def finish(self, reader, raw, origin, logical, name, kind) -> tuple:
        doc = reader.document(raw, origin, name, kind if kind == "trust" else None)
        for problem in reader.problems:
            self.problem(problem.rule_id, problem.message, problem.origin, logical)
        if doc is None:
            return ()
        return (replace(doc, logical=logical, name=name, scope=self.scope),)

    def from_raw(self, value, origin, logical, name, kind) -> tuple:
        skipped: list = []
        raw = _to_raw(value, skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, origin, logical, name, kind)

    def prepare(self, raw, origin, logical, skipped):
        """Leaves where the document needs structure become MWAA012 notes instead of MWAA000 errors."""
        for leaf in skipped:
            self.problem("MWAA012", f"{_leaf_text(leaf)} is not determined by the module; not analysed", leaf.origin or origin, logical)
        if isinstance(raw, Leaf):
            self.problem("MWAA012", f"policy {_leaf_text(raw)} is not determined by the module; not analysed", raw.origin or origin, logical)
            return None
        if not isinstance(raw, dict):
            return raw
        raw = dict(raw)
        for key in ("Version", "Id"):
            if isinstance(raw.get(key), Leaf):
                raw[key] = _leaf_text(raw[key])
        body = raw.get("Statement")
        if isinstance(body, Leaf):
            self.problem("MWAA012", f"statements {_leaf_text(body)} are not determined by the module; not analysed", body.origin or origin, logical)
            return None
        if isinstance(body, dict):
            body = [body]
        if isinstance(body, list):
            kept = []
            for item in body:
                statement = self.prepare_statement(item, origin, logical)
                if statement is not None:
                    kept.append(statement)
            if not kept and body:
                return None
            raw["Statement"] = kept
        return raw

    def prepare_statement(self, item, origin, logical):
        if isinstance(item, Leaf):
            self.problem("MWAA012", f"statement {_leaf_text(item)} is not determined by the module; not analysed", item.origin or origin, logical)
            return None
        if not isinstance(item, dict):
            return item
        item = dict(item)
        for key in ("Effect", "Sid"):
            value = item.get(key)
            if isinstance(value, Leaf):
                if any(isinstance(p, Symbolic) for p in value.parts):
                    if key == "Sid":
                        item[key] = _leaf_text(value)
                        continue
                    self.problem("MWAA012", f"statement effect {_leaf_text(value)} is not determined by the module; not analysed", value.origin or origin, logical)
                    return None
                item[key] = "".join(value.parts)
        condition = item.get("Condition")
        if condition is not None:
            unknown = [condition] if isinstance(condition, Leaf) else [v for v in condition.values() if isinstance(v, Leaf)] if isinstance(condition, dict) else []
            if unknown:
                self.problem("MWAA012", f"condition {_leaf_text(unknown[0])} is not determined by the module; statement not analysed", unknown[0].origin or origin, logical)
                return None
        principal = item.get("Principal")
        if isinstance(principal, Leaf) and principal.parts == ("*",):
            item["Principal"] = "*"
        return item

    def from_text(self, value: Str, logical, name, kind) -> tuple:
        if value.directive:
            self.problem("MWAA012", "policy text uses template directives (%{...}); not analysed", value.origin, logical)
            return ()
        text, symbols = _marked(value.parts)
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            if symbols:
                self.problem("MWAA012", f"policy JSON with interpolations outside strings cannot be checked ({exc.msg})", value.origin, logical)
                return ()
            where = value.origin
            if value.heredoc is not None:
                file, start, _ = value.heredoc
                if file.text[start : start + len(text)] == text:
                    where = Origin(where.path, where.pointer, file.index.span(start + exc.pos, start + exc.pos + 1))
            message = "policy is an empty string" if not text.strip() else f"policy is not valid JSON: {exc.msg}"
            self.problem("MWAA000", message, where, logical)
            return ()
        origin = value.origin
        if value.heredoc is not None:
            file, start, base = value.heredoc
            file.json_texts.setdefault((base, start))  # positions in it are scanned when a finding asks (TreeSpans)
            span = file.spans.get(base)
            if span is None:
                values = json_offsets(file.text, start)[0]
                span = file.spans[base] = file.index.span(*values[()]) if () in values else None
            origin = Origin(file.path, base, span)
        skipped: list = []
        raw = _from_json(parsed, Origin(origin.path, origin.pointer), symbols, value.note, skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, Origin(origin.path, origin.pointer, origin.span), logical, name, kind)

    def from_file(self, value: FileRef, logical, name, kind) -> tuple:
        from . import read_bytes

        try:
            data = read_bytes(value.path)
            if len(data) > MAX_POLICY_FILE_BYTES:
                raise OverflowError(f"{value.path} is over {MAX_POLICY_FILE_BYTES:,} bytes")
            text = decode(data)
        except (OSError, ValueError, OverflowError, DecodeError) as exc:
            reason = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
            self.problem("MWAA012", f"policy file {value.path} cannot be read ({reason}); not analysed", value.origin, logical)
            return ()
        from . import MAX_NESTING, too_deep_at

        if too_deep_at(text) is not None:  # the file itself gets MWAA000 when the scan reads it as JSON
            self.problem("MWAA012", f"policy file {value.path}, nested deeper than {MAX_NESTING} levels", value.origin, logical)
            return ()
        parts: tuple = (text,)
        if value.template:
            rendered = _render_template(text, value.variables)
            if rendered is None:
                self.problem("MWAA012", f"template {value.path} uses directives (%{{...}}) that are not rendered; not analysed", value.origin, logical)
                return ()
            parts = rendered
        marked, symbols = _marked(parts)
        try:
            parsed = json.loads(marked)
        except ValueError as exc:
            if symbols:
                self.problem("MWAA012", f"template {value.path} interpolates outside JSON strings ({exc.msg}); not analysed", value.origin, logical)
            else:
                from ..positions import json_error

                error = json_error(text, exc)
                self.problem("MWAA000", f"{error.message} (policy file read by {logical})", Origin(value.path, (), error.span), logical)
            return ()
        origin = Origin(value.path, ())
        self.extra_sources[value.path] = True
        skipped: list = []
        raw = _from_json(parsed, origin, symbols, "", skipped)
        raw = self.prepare(raw, origin, logical, skipped)
        if raw is None:
            return ()
        return self.finish(self.reader(logical), raw, origin, logical, name, kind)

    # aws_iam_policy_document ------------------------------------------------------------------------------------------
    def data_document(self, mod: Module, name: str):
        key = (id(mod), name)
        if key in self.data_docs:
            return self.data_docs[key]
        self.data_docs[key] = None  # a document that includes itself resolves to nothing
        found = mod.index.get(("data", DOC_DATA, name))
        if found is None:
            return None
        file, block, pointer = found
        logical = f"{mod.prefix}data.{DOC_DATA}.{name}"
        body = _block_parts(file, block)[2]
        attrs = _attributes(body)
        calls = list(_declared_calls(file, block, pointer))
        top = Part(mod, file, block, attrs, {})
        raws = []
        for part in self.parts(top, "statement", pointer, logical, strict=False):
            ptr = pointer + ("Statement", len(raws))
            if part.node is not None:
                part.file.origin(ptr, part.node)
                if part.node.type == "block" and _block_parts(part.file, part.node)[0] == "statement":
                    calls.extend(c for c in _declared_calls(part.file, part.node, ptr) if c not in calls)
            raw = self.statement_raw(part, ptr, logical)
            if raw is not None:
                raws.append((raw, Origin(part.file.path, ptr)))
        is_trust = any("Principal" in raw for raw, _ in raws)
        reader = self.reader(logical)
        statements = [s for s in (reader.statement(raw, origin, is_trust) for raw, origin in raws) if s is not None]
        for problem in reader.problems:
            self.problem(problem.rule_id, problem.message, problem.origin, logical)
        merged: list = []
        for attr in ("source_policy_documents", "source_json"):
            if attr in attrs:
                merged = _merge_statements(merged, self.included(mod, file, attrs[attr], pointer + (attr,), logical))
        merged = _merge_statements(merged, statements)
        for attr in ("override_policy_documents", "override_json"):
            if attr in attrs:
                merged = _merge_statements(merged, self.included(mod, file, attrs[attr], pointer + (attr,), logical))
        doc = PolicyDocument(
            file.origin(pointer, block),
            tuple(merged),
            logical,
            logical,
            "trust" if any(s.principals for s in merged) else "identity",
            scope=self.scope,
            calls=tuple(calls),
        )
        self.data_docs[key] = doc
        return doc

    def included(self, mod, file, node, ptr, logical) -> list:
        """Statements of source_policy_documents / override_policy_documents (or source_json / override_json)."""
        value = self.ev.ev(mod, file, node, ptr, {})
        statements = []
        for item in _list_items(value):
            if _empty(item) or _statementless(item):
                continue
            for doc in self.documents(item, logical, logical):
                statements.extend(doc.statements)
        return statements

    def parts(self, part: "Part", kind: str, ptr: tuple, logical: str, strict: bool = True) -> list:
        """The `kind` blocks inside a part (dynamic blocks expanded, `kind = [{...}]` objects read), in order.
        A dynamic block over a collection the module does not determine raises Unresolved (strict), or is skipped
        with an MWAA012 note."""
        out = []
        try:
            self._parts(part, kind, ptr, logical, strict, out)
        except Unresolved as exc:
            if strict:
                raise
            self.problem("MWAA012", f"{exc.what}: {exc.why}; not analysed", exc.origin or part.file.origin(ptr, part.node), logical)
        return out

    def _parts(self, part, kind, ptr, logical, strict, out) -> None:
        if part.obj is not None:
            value = part.obj.get(kind)
            for item in _list_items(value) if value is not None else []:
                if isinstance(item, Obj):
                    out.append(Part(part.mod, part.file, None, {}, part.scope, item))
                else:
                    raise Unresolved(f"{kind} {_value_text(item)}", getattr(item, "origin", None))
            return
        body = _block_parts(part.file, part.node)[2]
        for item_kind, name, node in _body_items(body):
            if item_kind == "block":
                block_type, labels, inner = _block_parts(part.file, node)
                if block_type == kind:
                    out.append(Part(part.mod, part.file, node, _attributes(inner), part.scope))
                elif block_type == "dynamic" and labels == [kind]:
                    try:
                        out.extend(self.dynamic(part, node, ptr, logical))
                    except Unresolved as exc:
                        if strict:
                            raise
                        self.problem("MWAA012", f"{exc.what}: {exc.why}; its statements are not analysed", exc.origin, logical)
            elif name == kind:
                value = self.ev.ev(part.mod, part.file, node, ptr + (kind,), part.scope)
                for item in _list_items(value):
                    if not isinstance(item, Obj):
                        raise Unresolved(f"{kind} = {part.file.node_text(node)[:60]}", part.file.origin(ptr + (kind,), node))
                    out.append(Part(part.mod, part.file, None, {}, part.scope, item))

    def dynamic(self, part: "Part", node, ptr: tuple, logical: str) -> list:
        """The expansions of a dynamic block, each a Part whose scope binds the iterator."""
        file = part.file
        _, labels, inner = _block_parts(file, node)
        attrs = _attributes(inner)
        iterator = file.node_text(attrs["iterator"]).strip() if "iterator" in attrs else labels[0]
        content = next(iter(_blocks(file, inner, "content")), None)
        for_each = attrs.get("for_each")
        if content is None or for_each is None:
            return []
        where = file.origin(ptr + ("dynamic", labels[0]), node)
        collection = self.ev.ev(part.mod, file, for_each, ptr + ("dynamic", labels[0], "for_each"), part.scope)
        if isinstance(collection, Lst):
            items = _list_items(collection)
            as_set = all(isinstance(i, Str) for i in items)  # for_each over a set: key == value
            entries = [(item if as_set else Lit(i, where), item) for i, item in enumerate(items)]
        elif isinstance(collection, Obj):
            entries = [(Str((k,), origin), v) for k, v, origin in collection.items]
        else:
            raise Unresolved(f'dynamic "{labels[0]}" over {file.node_text(for_each)}', where, "the module does not determine the collection")
        content_attrs = _attributes(_block_parts(file, content)[2])
        out = []
        for key, item in entries:
            bound = dict(part.scope)
            bound[iterator] = Obj((("key", key, key.origin), ("value", item, getattr(item, "origin", where))), where)
            out.append(Part(part.mod, file, content, content_attrs, bound))
        return out

    def statement_raw(self, part: "Part", ptr: tuple, logical: str):
        """The IAM JSON of one statement, strings as Leafs positioned at their HCL tokens; None when it cannot be
        read (an MWAA012 note says why)."""
        try:
            return self._statement_raw(part, ptr, logical)
        except Unresolved as exc:
            where = exc.origin or (part.file.origin(ptr, part.node) if part.node is not None else Origin(part.file.path, ptr))
            self.problem("MWAA012", f"{exc.what}: {exc.why}; statement not analysed", where, logical)
            return None

    def _statement_raw(self, part, ptr, logical):
        raw: dict = {}
        for name, expr in part.attrs.items():
            if name not in STATEMENT_ATTRIBUTES:
                close = difflib.get_close_matches(name, STATEMENT_ATTRIBUTES, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else ""
                where = part.file.origin(ptr + (name, KEY), expr.prev_named_sibling or expr)
                self.problem("MWAA000", f'a statement block has no argument "{name}" (Terraform rejects it){hint}', where, logical)
        sid = part.value(self.ev, "sid", ptr + ("Sid",))
        if isinstance(sid, Str):
            raw["Sid"] = value_text(sid)
        effect = part.value(self.ev, "effect", ptr + ("Effect",))
        if effect is None:
            raw["Effect"] = "Allow"
        elif isinstance(effect, Str) and all(isinstance(p, str) for p in effect.parts):
            raw["Effect"] = "".join(effect.parts)
        else:
            raise Unresolved(f"effect {_value_text(effect)}", getattr(effect, "origin", None))
        optional: dict = {}  # keys whose list is empty on one side of a conditional: present or not, as it goes
        for attr, key in JSON_KEYS.items():
            value = part.value(self.ev, attr, ptr + (key,))
            items = [_leaf(v) for v in _list_items(value)] if value is not None else []
            if items:  # the provider leaves an empty list out of the JSON, as if the argument were not set
                raw[key] = items
                if isinstance(value, Choice) and any(isinstance(o, Lst) and not o.items for o in value.options):
                    optional[key] = value.origin
        for first, second in (("Action", "NotAction"), ("Resource", "NotResource")):
            if first in raw and second in raw and (first in optional or second in optional):
                raise Unresolved(f"whether the statement has {first} or {second}", optional.get(second) or optional.get(first), "a conditional the module does not determine chooses")
        conditions: dict = {}
        for sub in self.parts(part, "condition", ptr, logical):
            test = _plain(sub.value(self.ev, "test", ptr + ("Condition",)))
            variable = _plain(sub.value(self.ev, "variable", ptr + ("Condition", test)))
            if test is None or variable is None:
                raise Unresolved("a condition's test or variable", sub.file.origin(ptr + ("Condition",), sub.node) if sub.node is not None else None)
            values = sub.value(self.ev, "values", ptr + ("Condition", test, variable))
            found = conditions.setdefault(test, {}).setdefault(variable, [])
            found.extend(_leaf(v) for v in (_list_items(values) if values is not None else []))
        if conditions:
            raw["Condition"] = conditions
        for kind, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            for sub in self.parts(part, kind, ptr, logical):
                ptype = _plain(sub.value(self.ev, "type", ptr + (key,))) or "AWS"
                ids = sub.value(self.ev, "identifiers", ptr + (key, ptype))
                raw.setdefault(key, {}).setdefault(ptype, []).extend(_leaf(v) for v in (_list_items(ids) if ids is not None else []))
        return raw


class Unresolved(Exception):
    def __init__(self, what: str, origin: Origin | None, why: str = "not determined by the module"):
        super().__init__(what)
        self.what = what
        self.origin = origin
        self.why = why


@dataclass(frozen=True)
class Part:
    """A statement/condition/principals block, a dynamic block's content, or an object written in their place."""

    mod: Module
    file: HclFile
    node: object  # the block or content node; None for an object
    attrs: dict  # attribute name -> expression node
    scope: dict
    obj: Obj | None = None

    def value(self, ev: Evaluator, name: str, ptr: tuple):
        if self.obj is not None:
            return self.obj.get(name)
        expr = self.attrs.get(name)
        return None if expr is None else ev.ev(self.mod, self.file, expr, ptr, self.scope)
