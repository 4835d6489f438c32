"""Every fixture's expected (rule, line, col) set equals what the linter reports."""
import pytest

from conftest import FIXTURES
from fixture_support import compare, expected_findings, fixture_cases

CASES = fixture_cases(FIXTURES / "iam-json")


def test_enough_iam_json_fixtures():
    assert len(CASES) >= 30
    clean = [c for c in CASES if not expected_findings(c)]
    assert len(clean) >= 10, "about a third of the fixtures must be clean (false-positive traps)"


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(case):
    problem = compare(case)
    assert not problem, problem
