"""The README's first command: `yuqing demo` runs the main job end to end."""

import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_demo_crawls_the_test_web_and_prints_a_summary(tmp_path, testweb):
    with urllib.request.urlopen(f"{testweb.url}/manifest.json") as answer:
        expected = json.load(answer)["counts"]["total"]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SEARCH_URL", "MONGO_URL")}
    env["COLUMNS"] = "200"
    # Run from a scratch folder: the demo keeps its services' state in ./.run.
    result = subprocess.run([sys.executable, "-m", "yuqing", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    indexed = re.search(r"documents in index\s*│\s*(\d+)", out)
    assert indexed and int(indexed.group(1)) == expected, out
    assert re.search(r"index failures\s*│\s*0", out)
    assert "top hits for '极光汽车 召回'" in out and "aurora-s7-recall.html" in out
    assert "top hits for 'battery recall'" in out
    assert re.search(r"rule=aurora-recall\s*│\s*[1-9]", out)
    # Services were stopped afterwards (no --keep).
    state = json.loads((tmp_path / ".run" / "services" / "state.json").read_text())
    assert state["services"] == {}
