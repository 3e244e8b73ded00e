"""Scrapy settings module for yuqing (``scrapy.cfg`` points here).

Defaults live in the grouped modules below, each setting documented once
there; ``env.read_env`` applies deployment overrides from the environment.
"""

from .crawl import *  # noqa: F401,F403
from .distributed import *  # noqa: F401,F403
from .storage import *  # noqa: F401,F403
from .browser import *  # noqa: F401,F403
from .pipelines import *  # noqa: F401,F403
from .operations import *  # noqa: F401,F403
from .env import read_env

globals().update(read_env())

if REDIS_URL:  # noqa: F405 - set by the star imports or the environment
    SCHEDULER = "crawlers.scheduler.Scheduler"
    DUPEFILTER_CLASS = "crawlers.dupefilter.RedisDupeFilter"

PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": PLAYWRIGHT_CHROMIUM_PATH,  # noqa: F405
    "args": PLAYWRIGHT_CHROMIUM_ARGS,  # noqa: F405
    "headless": True,
}

# Marks this package as the project's, so a test can tell it from an installed
# package that happens to be called `settings`.
YUQING_SETTINGS = True
