"""A plugin whose fact kind brings down the process that reads it (the scale-out fault tests).

The ``fuse`` kind's ``action`` is checked when a record is read, in whichever process loads the
file — a scale-out worker, never the driver (which reads no facts):

* ``"abort"`` calls ``os.abort()``; ``"kill"`` sends the process SIGKILL;
* ``"once:PATH"`` aborts unless PATH exists, creating it first (the retry then succeeds);
* ``"twice:PATH"`` aborts while PATH holds fewer than two lines, adding one each time (the
  partition dies twice; a third reading, the census that names the teams, succeeds);
* anything else does nothing.

Workers load this file by path (``RubricSpec(plugins=(f"{PATH}",))``), as ``--plugin`` does.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import ClassVar

import attrs

from assessment_engine import Record, hookimpl

PATH = Path(__file__).resolve()


def _trip(instance: object, attribute: object, value: str) -> None:
    if value == "abort":
        os.abort()
    if value == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    how, _, where = value.partition(":")
    if how == "once":
        marker = Path(where)
        if not marker.exists():
            marker.touch()
            os.abort()
    elif how == "twice":
        counter = Path(where)
        seen = counter.read_text().count("\n") if counter.exists() else 0
        if seen < 2:
            with counter.open("a") as f:
                f.write("x\n")
            os.abort()


@attrs.frozen(kw_only=True)
class Fuse(Record):
    """A record that trips the process reading it, as its ``action`` says."""

    fact_kind: ClassVar[str] = "fuse"
    fact_label: ClassVar[str] = "fuse"

    action: str = attrs.field(validator=_trip)


@hookimpl
def assessment_register_fact_types() -> list[type[Record]]:
    """The ``fuse`` kind."""
    return [Fuse]
