"""Room 4: the matchers — which compiled conditions hold for which records.

``base`` is the small language every matcher receives (clusters of rules in negation normal
form over flat records); ``python`` evaluates it directly; ``durable`` runs it in
durable-rules' Rete network inside the safe envelope. Nothing here knows about rubrics,
facts or results.

``make_matcher`` is the one factory: the engine builds its matcher through it, and so does a
scale-out worker (:mod:`assessment_engine.scale`) building its own engine in its own process.
"""

from ._factory import MATCHER_ENV, MatcherName, make_matcher

__all__ = ["MATCHER_ENV", "MatcherName", "make_matcher"]
