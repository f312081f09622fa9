"""What the mapper tells the reader: the facts it read, the facts it looked for and did not find,
and what it set aside. Each line names the resource it came from, so a clinician can check it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Findings:
    read: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: Resources that could not be used at all (did not parse, another patient, unknown type).
    skipped: list[str] = field(default_factory=list)
    #: Data that was read but left out of the profile, and problems the EHR reported.
    notes: list[str] = field(default_factory=list)
    #: What makes the whole guide doubtful, e.g. a primary cancer that is not breast cancer, or results in
    #: the record that disagree (which one was used is said).
    alerts: list[str] = field(default_factory=list)

    def add_read(self, line: str) -> None:
        self.read.append(line)

    def add_missing(self, line: str) -> None:
        self.missing.append(line)

    def add_skipped(self, line: str) -> None:
        self.skipped.append(line)

    def add_note(self, line: str) -> None:
        self.notes.append(line)

    def add_alert(self, line: str) -> None:
        self.alerts.append(line)
