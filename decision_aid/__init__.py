"""An open, non-prescriptive decision aid for metastatic breast cancer.

A profile goes in; a discussion guide comes out::

    from decision_aid import build_guide, load_knowledge_base, parse_profile
    guide = build_guide(parse_profile({"sites": ["bone"]}), load_knowledge_base())
"""

from decision_aid.engine import build_guide
from decision_aid.guide import Guide
from decision_aid.knowledge_base import KnowledgeBase, load_knowledge_base
from decision_aid.profile import Profile, parse_profile

__all__ = ["Guide", "KnowledgeBase", "Profile", "build_guide", "load_knowledge_base", "parse_profile"]
