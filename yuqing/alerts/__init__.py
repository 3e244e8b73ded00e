"""Alerts: rule hits graded Ⅰ-Ⅳ, deduplicated per story, delivered without spam.

Flow (``docs/alerts.md`` has the whole story)::

    worker: RulesPipeline -> AlertsPipeline --(Lua: record + XADD)--> Redis  yuqing:alerts (stream)
                                                                             yuqing:alerts:doc:<id>
    yuqing alerts deliver: consumer groups -> webhooks, <prefix>-alerts index
    yuqing alerts list | ack | respond | close: the incident workflow

Modules: :mod:`.grading` (the grade table), :mod:`.velocity` (hit rates in
Redis), :mod:`.model` (the alert record and its states), :mod:`.book` (alerts
in Redis), :mod:`.webhooks` (bodies and POST), :mod:`.delivery` (the
deliverer), :mod:`.config` (typed settings).
"""
