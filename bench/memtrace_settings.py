"""The project's settings plus the memory tracer: ``bench_crawl.py --memtrace`` only."""

from crawler.settings import *  # noqa: F403
from crawler.settings import EXTENSIONS as _PROJECT_EXTENSIONS

EXTENSIONS = {**_PROJECT_EXTENSIONS, "bench.memtrace.MemTrace": 0}
