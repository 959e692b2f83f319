"""An incident's life: opened → controlling → contained → extinguished. Pure."""

from __future__ import annotations

from ringfence.core.errors import Conflict
from ringfence.incidents.models import IncidentStatus

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


def is_open(status: IncidentStatus) -> bool:
    return status is not IncidentStatus.extinguished
