"""Room 4: the matchers — which compiled conditions hold for which records.

``base`` is the small language every matcher receives (clusters of rules in negation normal
form over flat records); ``python`` evaluates it directly; ``durable`` runs it in
durable-rules' Rete network inside the safe envelope. Nothing here knows about rubrics,
facts or results.
"""
