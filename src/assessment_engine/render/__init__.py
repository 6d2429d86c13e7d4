"""Room 8: the report's output formats, one module per format, each with ``render(report, ...)``.

``json`` (canonical JSON), ``csv`` (the ranking table), ``xlsx`` (the results workbook) and
``html`` (the self-contained page, with its charts in ``_svg`` and its assets in ``_assets``).
"""
