"""``python -m assessment_engine.cli``: the same as the ``assessment-engine`` command."""

from . import main

main(prog_name="assessment-engine")
