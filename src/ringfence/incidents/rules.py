"""An incident's life: opened → controlling → contained → extinguished. Pure."""

from __future__ import annotations

from enum import StrEnum

from ringfence.core.errors import Conflict


class IncidentStatus(StrEnum):
    opened = "opened"
    controlling = "controlling"  # team on site, measures being put in place
    contained = "contained"  # no new case outside control (社会面清零)
    extinguished = "extinguished"  # 熄灭: every zone lifted, the point is out


_NEXT = {
    IncidentStatus.opened: {IncidentStatus.controlling, IncidentStatus.contained},
    IncidentStatus.controlling: {IncidentStatus.contained},
    # a new case outside control re-ignites a contained point
    IncidentStatus.contained: {IncidentStatus.controlling, IncidentStatus.extinguished},
}


def check_transition(current: IncidentStatus, new: IncidentStatus) -> None:
    """Refuse a step the life of an incident does not allow (nothing follows extinguished)."""
    if new not in _NEXT.get(current, set()):
        raise Conflict(f"an incident {current.value} cannot become {new.value}")
