from __future__ import annotations

import pytest

from ringfence.core.errors import Conflict
from ringfence.incidents import rules
from ringfence.incidents.models import IncidentStatus as S


@pytest.mark.parametrize(("current", "new"), [
    (S.opened, S.controlling), (S.opened, S.contained), (S.controlling, S.contained),
    (S.contained, S.controlling), (S.contained, S.extinguished),
])
def test_allowed_steps(current, new) -> None:
    rules.check_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [
    (S.opened, S.extinguished), (S.controlling, S.extinguished), (S.extinguished, S.controlling),
    (S.contained, S.opened), (S.opened, S.opened),
])
def test_refused_steps(current, new) -> None:
    with pytest.raises(Conflict):
        rules.check_transition(current, new)
