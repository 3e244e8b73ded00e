import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings.env import read_env

ROOT = Path(__file__).resolve().parent.parent


def test_our_packages_are_the_ones_imported():
    # An installed package called settings/pipelines/crawlers would shadow ours.
    for name in ("settings", "pipelines", "crawlers", "yuqing"):
        module = importlib.import_module(name)
        assert Path(module.__file__).resolve().is_relative_to(ROOT), (name, module.__file__)


def test_worker_refuses_a_foreign_settings_module(tmp_path):
    fake = tmp_path / "fakesettings.py"
    fake.write_text("BOT_NAME = 'other'\n")
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="fakesettings", PYTHONPATH=str(tmp_path))
    code = "from yuqing.worker import project_settings\nproject_settings()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "not yuqing's" in result.stderr


def test_env_overrides_are_typed():
    overrides = read_env({"REDIS_URL": "redis://h:1/0", "YUQING_MAX_IDLE": "30",
                          "YUQING_ALLOW_PRIVATE_HOSTS": "yes", "YUQING_BULK_INTERVAL": "0.5"})
    assert overrides == {"REDIS_URL": "redis://h:1/0", "MAX_IDLE_TIME_BEFORE_CLOSE": 30,
                         "URLFILTER_ALLOW_PRIVATE": True, "BULK_INDEXER_FLUSH_INTERVAL": 0.5}


def test_bad_env_values_name_the_variable():
    with pytest.raises(ValueError, match="YUQING_MAX_IDLE"):
        read_env({"YUQING_MAX_IDLE": "soon"})
    with pytest.raises(ValueError, match="YUQING_ALLOW_PRIVATE_HOSTS"):
        read_env({"YUQING_ALLOW_PRIVATE_HOSTS": "maybe"})


def test_secret_from_file(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    assert read_env({"SEARCH_PASSWORD_FILE": str(secret)})["SEARCH_PASSWORD"] == "s3cret"


def test_redis_url_switches_to_the_shared_scheduler():
    code = "import settings; print(getattr(settings, 'SCHEDULER', 'local'), settings.DUPEFILTER_CLASS if hasattr(settings, 'DUPEFILTER_CLASS') else '-')"
    with_redis = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                env=dict(os.environ, REDIS_URL="redis://127.0.0.1:1/0"))
    without = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "REDIS_URL"})
    assert with_redis.stdout.split() == ["crawlers.scheduler.Scheduler", "crawlers.dupefilter.RedisDupeFilter"]
    assert without.stdout.split() == ["local", "-"]


def test_scrapy_list_from_the_root():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"})
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {"news", "forum", "social_feed"}
