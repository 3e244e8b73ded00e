"""The Kibana saved objects in docker/kibana/: what the generator makes, in
the import API's format, every reference resolving, and every field they use
defined by the index templates with a type Kibana can aggregate on. And
import.sh posts them to a (local stand-in) Kibana the way the import API wants."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from yuqing.cli.rules import kibana_objects
from yuqing.report import kibana
from yuqing.rules.store import RuleSet
from yuqing.store.alerts import alerts_template
from yuqing.store.template import docs_template

ROOT = Path(__file__).resolve().parent.parent
KIBANA_DIR = ROOT / "docker" / "kibana"
AGGREGATABLE = {"keyword", "date", "long", "integer", "short", "byte", "float", "double", "scaled_float",
                "geo_point", "boolean"}
KQL_FIELD = re.compile(r"([A-Za-z_][\w.]*)\s*:")


def _fields(properties: dict, prefix: str = "") -> dict[str, str]:
    """Every field of a mapping (multi-fields included) and its type."""
    out = {}
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if "properties" in spec:
            out.update(_fields(spec["properties"], f"{path}."))
        if "type" in spec:
            out[path] = spec["type"]
        for sub, sub_spec in spec.get("fields", {}).items():
            out[f"{path}.{sub}"] = sub_spec["type"]
    return out


MAPPED = {
    "yuqing-docs": _fields(docs_template("yuqing")["template"]["mappings"]["properties"]),
    "yuqing-alerts": _fields(alerts_template("yuqing")["template"]["mappings"]["properties"]),
}


def _load() -> dict[str, list[dict]]:
    files = {}
    for path in sorted(KIBANA_DIR.glob("*.ndjson")):
        lines = path.read_text(encoding="utf-8").splitlines()
        files[path.name] = [json.loads(line) for line in lines]
    return files


def _objects() -> list[dict]:
    return [o for objects in _load().values() for o in objects]


def test_files_are_what_the_generator_makes(tmp_path):
    kibana.write(tmp_path)
    made = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.ndjson")}
    shipped = {p.name: p.read_text(encoding="utf-8") for p in KIBANA_DIR.glob("*.ndjson")}
    assert made == shipped, "run: python -m yuqing.report.kibana docker/kibana"


def test_import_format_and_references():
    files = _load()
    assert list(files) == ["01-data-views.ndjson", "02-monitoring.ndjson", "03-rules.ndjson"]
    known: set[tuple[str, str]] = set()
    for name, objects in files.items():  # imported in this order: a file may use the ones before
        in_file = {(o["type"], o["id"]) for o in objects}
        for o in objects:
            assert {"type", "id", "attributes", "references"} <= set(o), (name, o.get("id"))
            assert o["typeMigrationVersion"] == kibana.TYPE_VERSIONS[o["type"]]
            assert o["attributes"]["title"]
            names = [r["name"] for r in o["references"]]
            assert len(names) == len(set(names)), o["id"]
            for ref in o["references"]:
                assert (ref["type"], ref["id"]) in in_file | known, (o["id"], ref)
        assert not in_file & known, f"{name} redefines objects"
        known |= in_file
    views = {o["id"] for o in files["01-data-views.ndjson"]}
    assert views == {"yuqing-docs", "yuqing-alerts"}
    for o in files["01-data-views.ndjson"]:
        assert o["attributes"]["timeFieldName"] in MAPPED[o["id"]]
        for attribute in ("fieldAttrs", "fieldFormatMap", "runtimeFieldMap", "sourceFilters"):
            json.loads(o["attributes"][attribute])


def _ref_view(o: dict, name: str) -> str:
    return next(r["id"] for r in o["references"] if r["name"] == name)


def _used_fields(o: dict) -> list[tuple[str, str, str]]:
    """(data view, field, where) for every field the object reads."""
    used = []
    a = o["attributes"]
    if o["type"] == "lens":
        state = a["state"]
        for layer_id, layer in state["datasourceStates"]["formBased"]["layers"].items():
            view = _ref_view(o, f"indexpattern-datasource-layer-{layer_id}")
            for column_id, column in layer["columns"].items():
                if column.get("sourceField") and column["sourceField"] != kibana.RECORDS:
                    used.append((view, column["sourceField"], column_id))
                for field in KQL_FIELD.findall((column.get("filter") or {}).get("query", "")):
                    used.append((view, field, f"{column_id} filter"))
            used += [(view, f, "query") for f in KQL_FIELD.findall(state["query"]["query"])]
    elif o["type"] == "search":
        source = json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"])
        view = _ref_view(o, source["indexRefName"])
        used += [(view, f, "column") for f in a["columns"]]
        used += [(view, f, "sort") for f, _ in a["sort"]]
        used += [(view, f, "query") for f in KQL_FIELD.findall(source["query"]["query"])]
    elif o["type"] == "map":
        for layer in json.loads(a["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "geoField" in source:
                used.append((_ref_view(o, source["indexPatternRefName"]), source["geoField"], layer["id"]))
    elif o["type"] == "dashboard" and "controlGroupInput" in a:
        for control_id, control in json.loads(a["controlGroupInput"]["panelsJSON"]).items():
            view = _ref_view(o, f"controlGroup_{control_id}:optionsListDataView")
            used.append((view, control["explicitInput"]["fieldName"], control_id))
    return used


def test_every_field_exists_and_aggregates():
    used = [(o["id"], *u) for o in _objects() for u in _used_fields(o)]
    assert len(used) > 40
    for object_id, view, field, where in used:
        assert field in MAPPED[view], f"{object_id} ({where}): {field} is not a field of {view}"
        assert MAPPED[view][field] in AGGREGATABLE, \
            f"{object_id} ({where}): {field} is {MAPPED[view][field]}, which Kibana cannot aggregate"
    # The panels the dashboards promise.
    fields = {(view, field) for _, view, field, _ in used}
    for wanted in [("yuqing-docs", f) for f in ("published_at", "channel", "sentiment.label", "source", "keywords",
                                                "region.location", "matched_rules")] + \
                  [("yuqing-alerts", f) for f in ("grade", "time_to_respond_s", "detected_at", "rule.id")]:
        assert wanted in fields, wanted


def test_lens_and_dashboard_internals():
    objects = {(o["type"], o["id"]): o for o in _objects()}
    for o in objects.values():
        a = o["attributes"]
        names = {r["name"] for r in o["references"]}
        if o["type"] == "lens":
            layers = a["state"]["datasourceStates"]["formBased"]["layers"]
            for layer_id, layer in layers.items():
                assert f"indexpattern-datasource-layer-{layer_id}" in names
                assert sorted(layer["columnOrder"]) == sorted(layer["columns"])
                for column in layer["columns"].values():
                    assert set(column.get("references", [])) <= set(layer["columns"]), o["id"]
            vis = a["state"]["visualization"]
            columns = {c for layer in layers.values() for c in layer["columns"]}
            accessors = []
            for layer in vis.get("layers", [vis]):
                assert layer["layerId"] in layers and layer["layerType"] == "data"
                accessors += layer.get("accessors", []) + layer.get("metrics", []) + layer.get("primaryGroups", [])
                accessors += [layer[k] for k in ("xAccessor", "splitAccessor", "metricAccessor", "tagAccessor",
                                                 "valueAccessor") if k in layer]
                accessors += [c["columnId"] for c in layer.get("columns", [])]
            assert accessors and set(accessors) <= columns, o["id"]
        if o["type"] == "dashboard":
            panels = json.loads(a["panelsJSON"])
            assert {p["panelIndex"] for p in panels} == {p["gridData"]["i"] for p in panels}
            for p in panels:
                ref = next(r for r in o["references"] if r["name"] == f"{p['panelIndex']}:{p['panelRefName']}")
                assert ref["type"] == p["type"] and (ref["type"], ref["id"]) in objects
                grid = p["gridData"]
                assert grid["x"] + grid["w"] <= 48
            json.loads(a["optionsJSON"])
            json.loads(a["kibanaSavedObjectMeta"]["searchSourceJSON"])
        if o["type"] == "map":
            json.loads(a["mapStateJSON"])
            for layer in json.loads(a["layerListJSON"]):
                ref = layer["sourceDescriptor"].get("indexPatternRefName")
                assert ref is None or ref in names


def test_rule_saved_searches_from_the_rules_command_use_the_shipped_data_view():
    rules = RuleSet.load(ROOT / "yuqing" / "rules" / "example_rules.yaml").rules
    searches = kibana_objects(rules, "yuqing-docs")
    views = {o["id"] for o in _load()["01-data-views.ndjson"]}
    assert searches and all(r["id"] in views for o in searches for r in o["references"])
    for o in searches:
        source = json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["indexRefName"] in {r["name"] for r in o["references"]}


class _Kibana(BaseHTTPRequestHandler):
    requests: list = []

    def _answer(self, body: dict) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()  # as Kibana answers
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802
        self.requests.append(("GET", self.path, dict(self.headers), b""))
        self._answer({"status": {"overall": {"level": "available"}}})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append(("POST", self.path, dict(self.headers), body))
        self._answer({"success": True, "successCount": body.count(b'"type":')} if "_import" in self.path
                     else {"acknowledged": True})

    def log_message(self, *args):
        pass


def test_import_script_posts_every_file_in_order():
    if not Path("/usr/bin/curl").exists():
        pytest.skip("curl not installed")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Kibana)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Kibana.requests = []
    try:
        env = {**os.environ, "KIBANA_URL": f"http://127.0.0.1:{server.server_address[1]}",
               "ELASTIC_PASSWORD": "secret"}
        result = subprocess.run(["sh", str(KIBANA_DIR / "import.sh"), str(KIBANA_DIR)], env=env,
                                capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    posts = [r for r in _Kibana.requests if r[0] == "POST"]
    imports = [r for r in posts if r[1] == "/api/saved_objects/_import?overwrite=true"]
    assert len(imports) == len(list(KIBANA_DIR.glob("*.ndjson")))
    for (_, _, headers, body), path in zip(imports, sorted(KIBANA_DIR.glob("*.ndjson"))):
        assert headers["kbn-xsrf"] and headers["Authorization"].startswith("Basic ")
        assert headers["Content-Type"].startswith("multipart/form-data")
        assert f'filename="{path.name}"'.encode() in body and path.read_bytes() in body
    assert posts[-1][1] == "/api/data_views/default" and b'"data_view_id":"yuqing-docs"' in posts[-1][3]
