"""The exceptions the decision aid raises.

    DecisionAidError
    ├── KnowledgeBaseError   (file, rule_id, location, message)
    └── UnknownDrugError     (value, suggestions)

Each keeps its facts as attributes, so the API and the command line can format the same error
without parsing strings.
"""

from __future__ import annotations

from collections.abc import Sequence


class DecisionAidError(Exception):
    """Base class of every error the decision aid raises on purpose."""


class KnowledgeBaseError(DecisionAidError):
    """Raised when a knowledge-base file is missing, malformed, or refers to something unknown."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        rule_id: str | None = None,
        location: Sequence[str | int] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.rule_id = rule_id
        self.location = tuple(location)
        super().__init__(self.report())

    def report(self) -> str:
        """The error as a breadcrumb from the file down to the bad value.

        Example usage::

            >>> print(KnowledgeBaseError("Unknown source id 'x'.", file="rules/bone.yaml",
            ...       rule_id="bone-x", location=("sources", 0)).report())
            Knowledge base is invalid:
            ==> File rules/bone.yaml
            ==> At Rule(id='bone-x')
            ==> At key: sources
            ==> At index 0
            =====> Unknown source id 'x'.
        """
        lines = ["Knowledge base is invalid:"]
        if self.file:
            lines.append(f"==> File {self.file}")
        if self.rule_id:
            lines.append(f"==> At Rule(id={self.rule_id!r})")
        for part in self.location:
            lines.append(f"==> At index {part}" if isinstance(part, int) else f"==> At key: {part}")
        lines.append(f"=====> {self.message}")
        return "\n".join(lines)


class UnknownDrugError(DecisionAidError):
    """Raised when a treatment names a drug, brand or class the vocabulary does not know."""

    def __init__(self, value: str, suggestions: Sequence[str]) -> None:
        self.value = value
        self.suggestions = tuple(suggestions)
        hint = f" Did you mean {', '.join(repr(s) for s in self.suggestions)}?" if suggestions else ""
        super().__init__(f"{value!r} is not a known drug name, brand name or class.{hint}")
