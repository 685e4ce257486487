"""Each rule lives in one place: the copies that drifted apart are gone and cannot come back.

A rule written twice is two rules the day one copy changes (the forecast overrun had three edges,
`percent` and `signed` two roundings). These tests find the copies in the source and templates;
the behaviour of each rule is tested where it is defined (`tests/scoring/`) and on each surface.
"""

import re
from pathlib import Path

import pytest
from django.template import engines

import trustledger

PACKAGE = Path(trustledger.__file__).parent


def _sources(*suffixes: str, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        str(path.relative_to(PACKAGE)): path.read_text()
        for suffix in suffixes
        for path in PACKAGE.rglob(f"*{suffix}")
        if "migrations" not in path.parts and str(path.relative_to(PACKAGE)) not in skip
    }


def _offending_lines(pattern: str, sources: dict[str, str]) -> list[str]:
    found = re.compile(pattern)
    return [
        f"{name}:{number}: {line.strip()}"
        for name, text in sources.items()
        for number, line in enumerate(text.splitlines(), 1)
        if found.search(line)
    ]


NPS_THRESHOLD = (
    r"score\s*(>=|<=|>|<)\s*[5-9]\b"  # score >= 9, r.score <= 6 ...
    r"|score__(gte|lte|gt|lt)\s*=\s*[5-9]\b"  # Count(filter=Q(score__gte=9))
    r"|\(\s*(9\s*,\s*10|7\s*,\s*8|0\s*,\s*6)\s*\)"  # (9, 10) ranges
)


def test_nps_categories_are_derived_only_by_scoring_nps():
    sources = _sources(".py", ".html", ".txt", skip=("scoring/nps.py",))
    # relationship health scores are 0-100 with their own bands, not NPS answers
    sources = {k: v for k, v in sources.items() if not k.startswith("relationships/")}
    assert _offending_lines(NPS_THRESHOLD, sources) == []


def test_every_template_filter_is_defined_by_one_library_only():
    engine = engines["django"].engine  # type: ignore[attr-defined]
    owners: dict[str, list[str]] = {}
    for name, module in engine.libraries.items():
        if module.startswith("trustledger."):
            for filter_name in engine.template_libraries[name].filters:
                owners.setdefault(filter_name, []).append(name)
    assert {f: libs for f, libs in owners.items() if len(libs) > 1} == {}


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"\badd:0\b", "add:0 truncates a float to an int: use the score filter"),
        (r"widthratio\s+\S+\s+\S+\s+100\s*%}%", "widthratio rounds ties to even: use |percent"),
        (r"overrun\s*(>=|<=|>|<)\s*0?\.1\b", "the overrun threshold lives in scoring/evm.py"),
        (r"\b(cpi|spi)\s*(>=|<=|>|<)\s*(0?\.9|1)\b", "the performance verdict is scoring/evm.py's"),
    ],
)
def test_templates_do_not_round_or_judge_figures_themselves(pattern, why):
    assert _offending_lines(pattern, _sources(".html", ".txt")) == [], why
