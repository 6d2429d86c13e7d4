"""Facts from plain data already in memory (a scenario file's records), each with its location."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..facts import Fact
from ..factset import FactSet
from ._converter import converter_for
from ._problems import Loaded, finish

__all__ = ["facts_from_data"]


def facts_from_data(
    records: Sequence[tuple[object, str]],
    *,
    source: str,
    fact_types: Mapping[str, type[Fact]] | None = None,
) -> FactSet:
    """A validated fact set from records written as a JSON facts file holds them.

    Each record is a mapping naming its kind under ``"fact"`` (values as JSON or TOML give
    them: exact numbers, text, true/false, dates), paired with where it is (``"line 12"``), so
    that every problem names the record as its reader would find it.

    :param source: the name of the file the records came from.
    :param fact_types: the kinds to accept; ``None`` means the built-in kinds.
    :raises InputError: with every problem found, as :func:`load_facts` does.
    """
    converter, _ = converter_for(fact_types)
    loaded = Loaded(source)
    for raw, location in records:
        loaded.add(converter, raw, location)
    return finish([loaded])
