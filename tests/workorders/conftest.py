"""Work-order fixtures: `team`, the Crew scenario of tests/workorders/helpers.py (modules needing another
variant — grabbing allowed, an admin — override it)."""
from __future__ import annotations

import pytest

from tests.workorders.helpers import Crew, crew


@pytest.fixture
def team(factories) -> Crew:
    return crew(factories)
