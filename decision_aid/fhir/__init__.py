"""FHIR R4 / mCODE in, CDS Hooks cards out: the pure part of the CDS Hooks service.

:func:`read_record` maps a prefetch to a profile (and says what it read and missed);
:func:`build_cards` turns the guide built from that profile into CDS Hooks cards.
"""

from decision_aid.fhir.cards import build_cards
from decision_aid.fhir.reading import RecordReading, read_record

__all__ = ["RecordReading", "build_cards", "read_record"]
