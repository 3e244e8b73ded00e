"""The Kibana saved objects shipped in ``docker/kibana/`` (docs/kibana.md):
two data views, the monitoring dashboard and the rules dashboard, as Kibana 8
import NDJSON. The files are generated here, so that every stringified JSON
attribute is valid and every field is one the index templates define (the
test checks both); regenerate after changing a panel::

    python -m yuqing.report.kibana docker/kibana            # prefix yuqing
    python -m yuqing.report.kibana out/ --prefix staging    # another SEARCH_INDEX_PREFIX

Panels are Lens visualizations (plus a Maps map and saved searches), stored
by reference so that each can also be opened and edited on its own. The
``typeMigrationVersion`` of each type is one Kibana 8.9+ knows, so import
runs no migration over objects already in the current shape.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

logger = logging.getLogger(__name__)

CORE_VERSION = "8.8.0"
TYPE_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0", "lens": "8.9.0", "map": "8.1.0", "dashboard": "8.9.0"}
RECORDS = "___records___"
"""Lens's pseudo-field for document counts."""
POSITIVE, NEGATIVE = 'sentiment.label : "positive"', 'sentiment.label : "negative"'
_DURATION = {"id": "duration", "params": {"inputFormat": "seconds", "outputFormat": "humanizePrecise",
                                          "outputPrecision": 1}}


def _obj(kind: str, object_id: str, attributes: dict, references: list[dict] | None = None) -> dict:
    return {"type": kind, "id": object_id, "attributes": attributes, "references": references or [],
            "coreMigrationVersion": CORE_VERSION, "typeMigrationVersion": TYPE_VERSIONS[kind]}


def _ref(kind: str, object_id: str, name: str) -> dict:
    return {"type": kind, "id": object_id, "name": name}


def data_views(prefix: str) -> list[dict]:
    return [
        _obj("index-pattern", f"{prefix}-docs", {
            "title": f"{prefix}-docs", "name": f"{prefix} documents", "timeFieldName": "published_at",
            "fieldAttrs": json.dumps({"published_at": {"customLabel": "发布时间"}, "source": {"customLabel": "来源"},
                                      "channel": {"customLabel": "渠道"},
                                      "sentiment.label": {"customLabel": "情感"}}, ensure_ascii=False),
            "fieldFormatMap": "{}", "runtimeFieldMap": "{}", "sourceFilters": json.dumps(
                [{"value": "seg"}, {"value": "match"}]),  # analysis copies of the text, not for reading
        }),
        _obj("index-pattern", f"{prefix}-alerts", {
            "title": f"{prefix}-alerts", "name": f"{prefix} alerts", "timeFieldName": "detected_at",
            "fieldAttrs": json.dumps({"grade": {"customLabel": "级别"},
                                      "time_to_respond_s": {"customLabel": "处置用时"}}, ensure_ascii=False),
            "fieldFormatMap": json.dumps({name: _DURATION for name in
                                          ("time_to_respond_s", "time_to_ack_s", "detection_delay_s")}),
            "runtimeFieldMap": "{}", "sourceFilters": json.dumps([{"value": "samples"}]),
        }),
    ]


# -- Lens columns ------------------------------------------------------------

def count(label: str, kql: str | None = None) -> dict:
    column = {"label": label, "customLabel": True, "dataType": "number", "operationType": "count",
              "isBucketed": False, "scale": "ratio", "sourceField": RECORDS, "params": {"emptyAsNull": False}}
    if kql:
        column["filter"] = {"query": kql, "language": "kuery"}
    return column


def metric(operation: str, field: str, label: str, data_type: str = "number") -> dict:
    return {"label": label, "customLabel": True, "dataType": data_type, "operationType": operation,
            "isBucketed": False, "scale": "ratio", "sourceField": field, "params": {"emptyAsNull": True}}


def terms(field: str, size: int, order_by: str | None, label: str, *, other: bool = True) -> dict:
    """Top values ordered by the column ``order_by``, or alphabetically without one."""
    order = {"type": "column", "columnId": order_by} if order_by else {"type": "alphabetical", "fallback": False}
    return {"label": label, "customLabel": True, "dataType": "string", "operationType": "terms",
            "sourceField": field, "isBucketed": True, "scale": "ordinal",
            "params": {"size": size, "orderBy": order, "orderDirection": "desc" if order_by else "asc",
                       "otherBucket": other, "missingBucket": False, "parentFormat": {"id": "terms"}}}


def histogram(field: str) -> dict:
    return {"label": field, "dataType": "date", "operationType": "date_histogram", "sourceField": field,
            "isBucketed": True, "scale": "interval",
            "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}}


def net_sentiment(column_id: str) -> dict[str, dict]:
    """The formula (positive − negative) / (positive + negative) and the
    helper columns Lens evaluates it from (``<id>X0``..``<id>X4``)."""
    pos, neg = f"count(kql='{POSITIVE}')", f"count(kql='{NEGATIVE}')"
    difference, total = f"{pos} - {neg}", f"{pos} + {neg}"
    formula = f"({difference}) / ({total})"
    part = "净情感值 net sentiment"
    x = [f"{column_id}X{n}" for n in range(5)]
    ast = {"type": "function", "name": "divide", "text": formula, "location": {"min": 0, "max": len(formula)},
           "args": [
               {"type": "function", "name": "subtract", "args": [x[0], x[1]], "text": difference,
                "location": {"min": 1, "max": 1 + len(difference)}},
               {"type": "function", "name": "add", "args": [x[2], x[3]], "text": total,
                "location": {"min": len(difference) + 6, "max": len(difference) + 6 + len(total)}},
           ]}
    helpers = {x[0]: count(f"Part of {part}", POSITIVE), x[1]: count(f"Part of {part}", NEGATIVE),
               x[2]: count(f"Part of {part}", POSITIVE), x[3]: count(f"Part of {part}", NEGATIVE),
               x[4]: {"label": f"Part of {part}", "customLabel": True, "dataType": "number", "operationType": "math",
                      "isBucketed": False, "scale": "ratio", "params": {"tinymathAst": ast}, "references": x[:4]}}
    main = {"label": part, "customLabel": True, "dataType": "number", "operationType": "formula",
            "isBucketed": False, "scale": "ratio", "references": [x[4]],
            "params": {"formula": formula, "isFormulaBroken": False,
                       "format": {"id": "number", "params": {"decimals": 2}}}}
    return {column_id: main, **helpers}


# -- Lens visualizations -----------------------------------------------------

LAYER = "layer1"
MULTI_LAYER = {"lnsXY", "lnsPie"}
"""Visualizations whose state lists its layers; the others name their one layer."""


def lens(object_id: str, title: str, view: str, kind: str, columns: dict[str, dict], visualization: dict, *,
         description: str = "", query: str = "", ignore_global_filters: bool = False) -> dict:
    """One Lens object with one data layer on data view ``view``."""
    layer = {"columns": columns, "columnOrder": list(columns), "incompleteColumns": {}}
    if ignore_global_filters:
        layer["ignoreGlobalFilters"] = True
    return _obj("lens", object_id, {
        "title": title, "description": description, "visualizationType": kind,
        "state": {"datasourceStates": {"formBased": {"layers": {LAYER: layer}}},
                  "visualization": visualization if kind in MULTI_LAYER
                  else {"layerId": LAYER, "layerType": "data", **visualization},
                  "query": {"query": query, "language": "kuery"}, "filters": [],
                  "internalReferences": [], "adHocDataViews": {}},
    }, [_ref("index-pattern", view, f"indexpattern-datasource-layer-{LAYER}")])


def xy(series: str, x: str, accessors: list[str], split: str | None = None) -> dict:
    layer = {"layerId": LAYER, "layerType": "data", "seriesType": series, "xAccessor": x, "accessors": accessors}
    if split:
        layer["splitAccessor"] = split
    return {"preferredSeriesType": series, "layers": [layer], "legend": {"isVisible": True, "position": "right"},
            "valueLabels": "hide", "fittingFunction": "None"}


# -- other objects -----------------------------------------------------------

def saved_search(object_id: str, title: str, view: str, query: str, columns: list[str], description: str) -> dict:
    index_ref = "kibanaSavedObjectMeta.searchSourceJSON.index"
    source = {"query": {"query": query, "language": "kuery"}, "filter": [], "indexRefName": index_ref}
    return _obj("search", object_id, {
        "title": title, "description": description, "columns": columns, "sort": [["published_at", "desc"]],
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, ensure_ascii=False)},
    }, [_ref("index-pattern", view, index_ref)])


def region_map(object_id: str, view: str) -> dict:
    """Documents per region as graduated circles (geotile grid over
    ``region.location``) on the Elastic Maps base map."""
    layers = [
        {"id": "basemap", "type": "EMS_VECTOR_TILE", "label": None, "visible": True, "alpha": 1,
         "minZoom": 0, "maxZoom": 24, "sourceDescriptor": {"type": "EMS_TMS", "isAutoSelect": True},
         "style": {"type": "EMS_VECTOR_TILE", "color": ""}},
        {"id": "regions", "type": "GEOJSON_VECTOR", "label": "文档数 documents", "visible": True, "alpha": 0.8,
         "minZoom": 0, "maxZoom": 24,
         "sourceDescriptor": {"type": "ES_GEO_GRID", "id": "regions-grid", "geoField": "region.location",
                              "requestType": "point", "resolution": "COARSE", "metrics": [{"type": "count"}],
                              "applyGlobalQuery": True, "applyGlobalTime": True, "applyForceRefresh": True,
                              "indexPatternRefName": "layer_1_source_index_pattern"},
         "style": {"type": "VECTOR", "isTimeAware": True, "properties": {
             "fillColor": {"type": "DYNAMIC", "options": {"color": "Yellow to Red",
                                                          "field": {"name": "doc_count", "origin": "source"},
                                                          "fieldMetaOptions": {"isEnabled": True, "sigma": 3}}},
             "iconSize": {"type": "DYNAMIC", "options": {"minSize": 6, "maxSize": 32,
                                                         "field": {"name": "doc_count", "origin": "source"},
                                                         "fieldMetaOptions": {"isEnabled": True, "sigma": 3}}},
             "lineColor": {"type": "STATIC", "options": {"color": "#FFFFFF"}},
             "lineWidth": {"type": "STATIC", "options": {"size": 1}},
             "labelText": {"type": "DYNAMIC", "options": {"field": {"name": "doc_count", "origin": "source"}}},
             "symbolizeAs": {"options": {"value": "circle"}}}}},
    ]
    state = {"zoom": 3.2, "center": {"lon": 105.0, "lat": 35.0}, "timeFilters": {"from": "now-7d", "to": "now"},
             "refreshConfig": {"isPaused": True, "interval": 0}, "query": {"query": "", "language": "kuery"},
             "filters": [], "settings": {"autoFitToDataBounds": False}}
    return _obj("map", object_id, {
        "title": "[yuqing] 地域分布 region map", "description": "Documents per region (region.location)",
        "layerListJSON": json.dumps(layers, ensure_ascii=False), "mapStateJSON": json.dumps(state),
        "uiStateJSON": json.dumps({"isLayerTOCOpen": False, "openTOCDetails": []}),
    }, [_ref("index-pattern", view, "layer_1_source_index_pattern")])


def dashboard(object_id: str, title: str, description: str, panels: list[tuple[dict, tuple[int, int, int, int]]],
              *, controls: list[tuple[str, str, str]] = (), control_view: str | None = None) -> dict:
    """``panels``: (saved object, (x, y, w, h)) on Kibana's 48-column grid;
    ``controls``: (id, field, title) options lists on ``control_view``."""
    entries, references = [], []
    for number, (target, (x, y, w, h)) in enumerate(panels, 1):
        index = f"p{number}"
        entries.append({"version": TYPE_VERSIONS["dashboard"], "type": target["type"], "panelIndex": index,
                        "gridData": {"x": x, "y": y, "w": w, "h": h, "i": index},
                        "embeddableConfig": {"enhancements": {}}, "panelRefName": f"panel_{index}"})
        references.append(_ref(target["type"], target["id"], f"{index}:panel_{index}"))
    attributes = {
        "title": title, "description": description, "version": 1,
        "panelsJSON": json.dumps(entries, ensure_ascii=False),
        "optionsJSON": json.dumps({"useMargins": True, "syncColors": True, "syncCursor": True,
                                   "syncTooltips": False, "hidePanelTitles": False}),
        "timeRestore": True, "timeFrom": "now-7d", "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 60000},
        "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"},
                                                                  "filter": []})},
    }
    if controls:
        attributes["controlGroupInput"] = {
            "controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL",
            "ignoreParentSettingsJSON": json.dumps({"ignoreFilters": False, "ignoreQuery": False,
                                                    "ignoreTimerange": False, "ignoreValidations": False}),
            "panelsJSON": json.dumps({control_id: {
                "order": order, "width": "large", "grow": True, "type": "optionsListControl",
                "explicitInput": {"id": control_id, "fieldName": field, "title": label, "enhancements": {}}}
                for order, (control_id, field, label) in enumerate(controls)}, ensure_ascii=False),
        }
        references += [_ref("index-pattern", control_view, f"controlGroup_{control_id}:optionsListDataView")
                       for control_id, _, _ in controls]
    return _obj("dashboard", object_id, attributes, references)


# -- the dashboards ----------------------------------------------------------

def monitoring(prefix: str) -> list[dict]:
    docs, alerts = f"{prefix}-docs", f"{prefix}-alerts"
    p = f"{prefix}-monitoring"
    volume = lens(f"{p}-volume", "[yuqing] 声量 volume", docs, "lnsMetric", {"m": count("文档数 documents")},
                  {"metricAccessor": "m"})
    net = lens(f"{p}-net", "[yuqing] 净情感值 net sentiment", docs, "lnsMetric", net_sentiment("n"),
               {"metricAccessor": "n"}, description="(positive − negative) / (positive + negative)")
    alert_count = lens(f"{p}-alerts", "[yuqing] 预警 alerts", alerts, "lnsMetric", {"m": count("预警 alerts")},
                       {"metricAccessor": "m"})
    mttr = lens(f"{p}-mttr", "[yuqing] MTTR", alerts, "lnsMetric",
                {"m": metric("average", "time_to_respond_s", "MTTR (detection → response)")},
                {"metricAccessor": "m"}, description="mean of time_to_respond_s over responded alerts")
    by_channel = lens(f"{p}-volume-by-channel", "[yuqing] 声量趋势（按渠道）volume by channel", docs, "lnsXY",
                      {"t": histogram("published_at"), "c": terms("channel", 6, "n", "渠道 channel"),
                       "n": count("文档数 documents")}, xy("bar_stacked", "t", ["n"], "c"))
    split = lens(f"{p}-sentiment-split", "[yuqing] 情感占比 sentiment split", docs, "lnsPie",
                 {"s": terms("sentiment.label", 3, "n", "情感 sentiment", other=False), "n": count("文档数")},
                 {"shape": "donut", "layers": [{"layerId": LAYER, "layerType": "data", "primaryGroups": ["s"],
                                                "metrics": ["n"], "numberDisplay": "percent",
                                                "categoryDisplay": "default", "legendDisplay": "default",
                                                "nestedLegend": False}]})
    over_time = lens(f"{p}-sentiment-over-time", "[yuqing] 情感走势 sentiment over time", docs, "lnsXY",
                     {"t": histogram("published_at"), "s": terms("sentiment.label", 3, "n", "情感", other=False),
                      "n": count("文档数")}, xy("bar_percentage_stacked", "t", ["n"], "s"))
    net_over_time = lens(f"{p}-net-over-time", "[yuqing] 净情感值走势 net sentiment over time", docs, "lnsXY",
                         {"t": histogram("published_at"), **net_sentiment("n")}, xy("line", "t", ["n"]),
                         description="(positive − negative) / (positive + negative) per interval")
    sources = lens(f"{p}-top-sources", "[yuqing] 主要来源 top sources", docs, "lnsXY",
                   {"s": terms("source", 10, "n", "来源 source", other=False), "n": count("文档数")},
                   xy("bar_horizontal", "s", ["n"]))
    cloud = lens(f"{p}-keywords", "[yuqing] 关键词云 keywords", docs, "lnsTagcloud",
                 {"k": terms("keywords", 50, "n", "关键词 keyword", other=False), "n": count("文档数")},
                 {"tagAccessor": "k", "valueAccessor": "n", "maxFontSize": 64, "minFontSize": 14,
                  "orientation": "single", "showLabel": False})
    regions = region_map(f"{p}-regions", docs)
    negative = saved_search(f"{p}-latest-negative", "[yuqing] 最新负面 latest negative documents", docs, NEGATIVE,
                            ["title.keyword", "source", "channel", "sentiment.score", "url"],
                            "Negative documents, newest first")
    grades = lens(f"{p}-alerts-by-grade", "[yuqing] 预警分级 alerts by grade", alerts, "lnsDatatable",
                  {"g": terms("grade", 4, None, "级别 grade", other=False), "n": count("预警 alerts"),
                   "r": count("已处置 responded", "responded_at : *"),
                   "f": metric("min", "detected_at", "首条发现 first detected", "date"),
                   "m": metric("average", "time_to_respond_s", "MTTR")},
                  {"columns": [{"columnId": c} for c in ("g", "n", "r", "f", "m")]},
                  description="MTTR: mean of time_to_respond_s (response − detection)")
    board = dashboard(p, "[yuqing] 舆情监测 monitoring",
                      "Volume, sentiment, sources, keywords, regions and alerts (docs/kibana.md)", [
                          (volume, (0, 0, 12, 7)), (net, (12, 0, 12, 7)), (alert_count, (24, 0, 12, 7)),
                          (mttr, (36, 0, 12, 7)),
                          (by_channel, (0, 7, 32, 14)), (split, (32, 7, 16, 14)),
                          (over_time, (0, 21, 24, 13)), (net_over_time, (24, 21, 24, 13)),
                          (sources, (0, 34, 16, 15)), (cloud, (16, 34, 16, 15)), (regions, (32, 34, 16, 15)),
                          (negative, (0, 49, 28, 16)), (grades, (28, 49, 20, 16)),
                      ])
    return [volume, net, alert_count, mttr, by_channel, split, over_time, net_over_time, sources, cloud, regions,
            negative, grades, board]


def rules(prefix: str) -> list[dict]:
    docs, alerts = f"{prefix}-docs", f"{prefix}-alerts"
    p = f"{prefix}-rules"
    matched = "matched_rules : *"
    over_time = lens(f"{p}-volume", "[yuqing] 规则命中走势 rule hits over time", docs, "lnsXY",
                     {"t": histogram("published_at"), "r": terms("matched_rules", 10, "n", "规则 rule"),
                      "n": count("文档数")}, xy("bar_stacked", "t", ["n"], "r"), query=matched)
    compare = lens(f"{p}-comparison", "[yuqing] 规则 / 竞品对比 rules by sentiment", docs, "lnsXY",
                   {"r": terms("matched_rules", 20, "n", "规则 rule", other=False),
                    "s": terms("sentiment.label", 3, "n", "情感", other=False), "n": count("文档数")},
                   xy("bar_horizontal_stacked", "r", ["n"], "s"), query=matched)
    table = lens(f"{p}-table", "[yuqing] 规则声量与净情感 rule volume and net sentiment", docs, "lnsDatatable",
                 {"r": terms("matched_rules", 50, "n", "规则 rule", other=False), "n": count("文档数"),
                  "neg": count("负面 negative", NEGATIVE), **net_sentiment("net")},
                 {"columns": [{"columnId": c} for c in ("r", "n", "neg", "net")]}, query=matched)
    # The rule control filters documents by matched_rules: the alerts panel keeps all rules.
    rule_alerts = lens(f"{p}-alerts", "[yuqing] 规则预警与处置 alerts per rule", alerts, "lnsDatatable",
                       {"r": terms("rule.id", 50, "n", "规则 rule", other=False), "n": count("预警 alerts"),
                        "r1": count("Ⅰ/Ⅱ 级", "grade : (I or II)"),
                        "m": metric("average", "time_to_respond_s", "MTTR")},
                       {"columns": [{"columnId": c} for c in ("r", "n", "r1", "m")]}, ignore_global_filters=True)
    latest = saved_search(f"{p}-latest", "[yuqing] 规则命中文档 rule-matched documents", docs, matched,
                          ["title.keyword", "matched_rules", "sentiment.label", "source", "url"],
                          "Documents that matched any analyst rule, newest first")
    board = dashboard(p, "[yuqing] 规则与竞品 rules", "Per-rule volume, sentiment and alerts; pick rules above",
                      [(over_time, (0, 0, 48, 13)), (compare, (0, 13, 24, 16)), (table, (24, 13, 24, 16)),
                       (rule_alerts, (0, 29, 20, 15)), (latest, (20, 29, 28, 15))],
                      controls=[(f"{p}-rule", "matched_rules", "规则 rule")], control_view=docs)
    return [over_time, compare, table, rule_alerts, latest, board]


FILES = {"01-data-views.ndjson": data_views, "02-monitoring.ndjson": monitoring, "03-rules.ndjson": rules}


def ndjson(objects: list[dict]) -> str:
    return "".join(json.dumps(o, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
                   for o in objects)


def write(out: Path, prefix: str = "yuqing") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in FILES.items():
        path = out / name
        path.write_text(ndjson(build(prefix)), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yuqing.report.kibana", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="directory of the NDJSON files (docker/kibana)")
    parser.add_argument("--prefix", default="yuqing", help="SEARCH_INDEX_PREFIX of the indices (default: yuqing)")
    args = parser.parse_args(argv)
    for path in write(args.out, args.prefix):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
