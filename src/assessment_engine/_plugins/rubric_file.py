"""The plugin that serves a rubric file through the hooks, like any other plugin.

::

    from assessment_engine import Engine, rubric_file

    engine = Engine([rubric_file("party.toml")], entry_points=False)

A file's plugin is named after the file as it was given (``"rules/party.toml"``): errors and
``assessment-engine plugins`` show that name, ``--block`` takes it, and two files that register
one id fail with a :class:`~assessment_engine.errors.ConflictError` naming both, as two Python
plugins would. :func:`rubric_files` reads several files together, so that one may select the
fact kinds another declares.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..errors import RubricError
from ..facts import Fact, Record
from ..hookspecs import hookimpl
from ..rubric import (
    Bonus,
    Dimension,
    GradeScale,
    Indicator,
    Penalty,
    Quota,
    Ranking,
    Title,
    Veto,
    Weight,
)
from ..rubric.files import RubricFile, RubricFileError, load_files, load_texts

__all__ = ["RubricFilePlugin", "locate_rubric_error", "rubric_file", "rubric_files", "rubric_text"]


class RubricFilePlugin:
    """A loaded rubric file as a plugin: each hook returns what the file declares for it.

    :ivar rubric_file: the loaded file (objects by hook, and where each one is in the file).
    """

    def __init__(self, loaded: RubricFile, name: str | None = None) -> None:
        self.rubric_file = loaded
        self.__name__ = name or loaded.source

    def __repr__(self) -> str:
        return f"<rubric file {self.__name__!r}>"

    @hookimpl
    def assessment_register_fact_types(self) -> list[type[Record]]:
        """The fact kinds the file declares (``[fact.<kind>]``)."""
        return list(self.rubric_file.fact_types)

    @hookimpl
    def assessment_register_dimensions(self) -> list[Dimension]:
        """The file's ``[[dimension]]`` tables."""
        return list(self.rubric_file.dimensions)

    @hookimpl
    def assessment_register_indicators(self) -> list[Indicator]:
        """The file's ``[[indicator]]`` tables."""
        return list(self.rubric_file.indicators)

    @hookimpl
    def assessment_register_rules(self) -> list[Bonus | Penalty | Veto | Title | Quota]:
        """The file's bonuses, penalties, vetoes, titles and quotas."""
        return list(self.rubric_file.rules)

    @hookimpl
    def assessment_register_grade_scales(self) -> list[GradeScale]:
        """The file's ``[[grade_scale]]`` tables."""
        return list(self.rubric_file.grade_scales)

    @hookimpl
    def assessment_register_weights(self) -> list[Weight]:
        """The file's ``[[weight]]`` tables."""
        return list(self.rubric_file.weights)

    @hookimpl
    def assessment_register_ranking(self) -> list[Ranking]:
        """The file's ``[ranking]``, if it has one."""
        ranking = self.rubric_file.ranking
        return [] if ranking is None else [ranking]


def rubric_files(
    *paths: str | os.PathLike[str], fact_types: Iterable[type[Fact]] = ()
) -> list[RubricFilePlugin]:
    """Read rubric files together and return one plugin per file.

    :param fact_types: fact kinds of Python plugins the files select, for type-checking their
        expressions (kinds of files read together, and the built-in kinds, are known anyway).
    :raises RubricFileError: with every problem of every file, located.
    :raises OSError: when a file cannot be read.
    """
    return [RubricFilePlugin(f) for f in load_files(*paths, fact_types=list(fact_types))]


def rubric_file(
    path: str | os.PathLike[str], *, fact_types: Iterable[type[Fact]] = ()
) -> RubricFilePlugin:
    """Read one rubric file as a plugin (see :func:`rubric_files`)."""
    return rubric_files(path, fact_types=fact_types)[0]


def rubric_text(text: str, *, name: str = "<string>") -> RubricFilePlugin:
    """A plugin for rubric-file text held in memory, named ``name``."""
    return RubricFilePlugin(load_texts([(text, name)])[0])


def locate_rubric_error(error: RubricError, plugins: Sequence[object]) -> RubricError:
    """``error`` located in the rubric file that registered its subject, if one did.

    The rubric's own checks run when the plugins' objects are assembled, and name the object
    and the plugin; for an object from a rubric file this gives the file, line and column too.
    """
    if isinstance(error, RubricFileError):
        return error
    for item in plugins:
        name, plugin = item if isinstance(item, tuple) and len(item) == 2 else (None, item)
        if not isinstance(plugin, RubricFilePlugin):
            continue
        if (name or plugin.__name__) == error.plugin:
            located = plugin.rubric_file.locate(error)
            if located is not None:
                located.subject, located.plugin = error.subject, error.plugin
                return located
    return error
