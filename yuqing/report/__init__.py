"""Daily, weekly and special reports, and the headline figures of
``yuqing stats``, from aggregations over the search index.

Each section's figures come from one aggregation request
(:mod:`yuqing.report.figures`, :mod:`yuqing.report.alerts`,
:mod:`yuqing.report.special`); :mod:`yuqing.report.build` states them in
sentences, tables and charts (:mod:`yuqing.report.charts`, SVG); the writers
turn the result into a self-contained HTML file and Markdown. Definitions of
volume, change, shares, net sentiment and MTTR: :mod:`yuqing.report.figures`
and :mod:`yuqing.report.alerts`. ``yuqing stats`` uses
:func:`yuqing.report.headline.stats`, which needs no plotting library.
"""
