"""The model's dataclasses keep what dataclasses give them: repr, value equality where things are compared, frozen."""
import dataclasses

import pytest

from linter.config import Config, RuleSettings
from linter.model import Diagnostic, Finding, Level, Origin, Span, Suppression, Symbolic, Value


def test_repr_is_the_dataclass_repr():
    origin = Origin("a.json", ("Statement", 0), Span(1, 2, 3, 4))
    assert repr(origin) == "Origin(path='a.json', pointer=('Statement', 0), span=Span(start_line=1, start_col=2, end_line=3, end_col=4))"
    value = Value(("x", Symbolic("${y}")), origin)
    assert repr(value).startswith("Value(parts=('x', Symbolic(text='${y}')), origin=Origin(") and repr(value).endswith(", note='')")
    assert repr(RuleSettings()) == "RuleSettings(enabled=True, level=None, ignore=())"
    assert repr(Suppression("inSource", "why")) == "Suppression(kind='inSource', reason='why', via='comment')"


def test_value_equality_where_compared_and_frozen_everywhere():
    assert Origin("a", (1,)) == Origin("a", (1,)) and hash(Span(1, 1, 1, 2)) == hash(Span(1, 1, 1, 2))
    assert Diagnostic("MWAA000", "m", Origin("a")) == Diagnostic("MWAA000", "m", Origin("a"))
    finding = Finding("MWAA001", Level.ERROR, "m", "a", Span(1, 1, 1, 2))
    for obj in (Origin("a"), finding, Config()):
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.path = "b"
    assert dataclasses.replace(finding, message="n").message == "n"


def test_value_records_compare_like_generated_dataclasses():
    """ValueRecord's __eq__/__hash__ are what @dataclass(frozen=True) generates: all fields, same class only."""
    from linter.model import Condition, DeclaredCall, PolicyDocument, Statement

    origin = Origin("a.json", ("Statement", 0))
    value = Value(("x", Symbolic("${y}")), origin)

    @dataclasses.dataclass(frozen=True)
    class Generated:
        parts: tuple
        origin: Origin
        note: str = ""

    same, other = Value(("x", Symbolic("${y}")), Origin("a.json", ("Statement", 0))), Value(("x",), origin)
    assert value == same and hash(value) == hash(same) and value != other
    assert hash(value) == hash(Generated(value.parts, value.origin, value.note))
    assert value != Generated(value.parts, value.origin) and value.__eq__(("x",)) is NotImplemented
    value.known  # a cached property is not a field: it changes neither equality nor hash
    assert value == same and hash(value) == hash(same)
    statement = Statement(origin, "Allow", actions=(value,), conditions=(Condition("StringEquals", "k", (value,), origin),))
    document = PolicyDocument(origin, (statement,), calls=(DeclaredCall("GET /x", origin),))
    twin = PolicyDocument(origin, (Statement(origin, "Allow", actions=(same,), conditions=(Condition("StringEquals", "k", (same,), origin),)),), calls=(DeclaredCall("GET /x", origin),))
    assert document == twin and hash(document) == hash(twin) and document != dataclasses.replace(twin, kind="trust")
    assert DeclaredCall("GET /x", origin) in [DeclaredCall("GET /x", Origin("a.json", ("Statement", 0)))]


def test_fast_span_and_origin_are_the_dataclass_objects():
    """model.new_span/new_origin/new_value skip the frozen __init__ for speed: what they make must not be told apart."""
    import pickle

    from linter.model import new_origin, new_span, new_value

    span, made = Span(3, 5, 3, 9), new_span(3, 5, 3, 9)
    origin, fast = Origin("a.tf", ("resource", 0), span), new_origin("a.tf", ("resource", 0), made)
    for slow, quick in ((span, made), (origin, fast)):
        assert quick == slow and hash(quick) == hash(slow) and repr(quick) == repr(slow)
        assert pickle.loads(pickle.dumps(quick)) == slow
        assert dataclasses.replace(quick) == slow and dataclasses.asdict(quick) == dataclasses.asdict(slow)
        with pytest.raises(dataclasses.FrozenInstanceError):
            quick.path = "b.tf" if quick is fast else None
    assert new_origin("a.tf", (), None) == Origin("a.tf") and origin.child("x", 1) == Origin("a.tf", ("resource", 0, "x", 1))
    value, quick = Value(("airflow:*",), origin, "n"), new_value(("airflow:*",), fast, "n")
    assert quick == value and hash(quick) == hash(value) and repr(quick) == repr(value) and quick.known == "airflow:*"
    assert pickle.loads(pickle.dumps(quick)) == value and new_value(("x",), fast) == Value(("x",), origin)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.note = ""
