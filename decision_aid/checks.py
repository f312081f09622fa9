"""Checks of the knowledge base's own content: every rule's examples, run through the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from decision_aid.facts import Facts
from decision_aid.knowledge_base import KnowledgeBase, Rule
from decision_aid.profile import parse_profile


@dataclass(frozen=True)
class ExampleCase:
    rule: Rule
    kind: str  # "triggers" or "does_not_trigger"
    index: int
    profile: dict[str, Any]

    @property
    def case_id(self) -> str:
        return f"{self.rule.id}/{self.kind}/{self.index}"

    def failure(self, kb: KnowledgeBase) -> str | None:
        """None when the example behaves as written, else a sentence saying how it did not."""
        profile = parse_profile(self.profile, kb.drugs)
        fired = self.rule.when.matches(Facts.of(profile, kb.drugs))
        expected = self.kind == "triggers"
        if fired == expected:
            return None
        verb = "did not trigger" if expected else "unexpectedly triggered"
        return f"{self.rule.id}: examples.{self.kind}[{self.index}] {verb}; profile = {self.profile!r}"


def example_cases(kb: KnowledgeBase) -> Iterator[ExampleCase]:
    for rule in kb.rules:
        for kind in ("triggers", "does_not_trigger"):
            for index, profile in enumerate(getattr(rule.examples, kind)):
                yield ExampleCase(rule, kind, index, profile)


def example_failures(kb: KnowledgeBase) -> list[str]:
    """Every example that does not behave as its rule says.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> example_failures(load_knowledge_base())
        []
    """
    return [f for case in example_cases(kb) if (f := case.failure(kb)) is not None]
