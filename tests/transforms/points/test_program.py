"""The partner program file: versions, rates and tiers, checked at load."""

from __future__ import annotations

import re

import pytest

from tests.transforms.partner_fixtures import TIERS, version
from transforms.points.program import parse_program


def test_program_rules_are_checked_at_load():
    from transforms.points.program import ProgramError

    with pytest.raises(ProgramError, match=re.escape("p.yaml: (top): versions must be listed by strictly increasing effective_from")):
        parse_program({"versions": [version("2026-01-01"), version("2025-01-01")]}, "p.yaml")
    with pytest.raises(ProgramError, match=re.escape("p.yaml: versions[0]: tiers must ascend: platinum is not above gold")):
        parse_program({"versions": [version("2026-01-01", tiers=[TIERS[0], {**TIERS[1], "min_total": 50}])]}, "p.yaml")
    with pytest.raises(ProgramError, match=re.escape("versions[0].points_per_100_usd_mrr.sourced: Input should be greater than 0")):
        parse_program({"versions": [version("2026-01-01", sourced=0)]}, "p.yaml")
