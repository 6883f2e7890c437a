"""Scrapy settings of the yingji crawler, alphabetised; each says why it has its value.

Defaults are for real government sites: polite (robots.txt, AutoThrottle, one request at a time
per site), bounded (page, template and depth caps, size caps) and patient with slow servers.
Tests override the delays and caps on the command line (``-s NAME=VALUE``).
"""

from __future__ import annotations

# The bundles that only work together, as Scrapy add-ons (crawler/addons.py): the resume journal
# (inert without -s JOBDIR=…) and the revalidating HTTP cache (on with YINGJI_INCREMENTAL).
ADDONS = {
    "crawler.addons.ResumeJournal": 100,
    "crawler.addons.RevalidatingCache": 200,
}

# Polite by default: AutoThrottle adapts the delay to each server's latency.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0  # county servers are small; one request in flight each

BOT_NAME = "yingji"

CONCURRENT_REQUESTS = 16  # many sites at once …
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # … but one request at a time per site (slot = site)

# Navigation hops (home -> 信息公开 -> 部门 -> 应急管理局 -> 年报 is 4) are capped by
# YINGJI_MAX_HOPS; DEPTH_LIMIT is only a backstop for long pagination chains.
DEPTH_LIMIT = 60
DEPTH_PRIORITY = 0

DOWNLOADER_MIDDLEWARES = {
    # before RobotsTxtMiddleware (100): an off-site link (a spam mirror) gets no request at all,
    # not even one for its robots.txt
    "crawler.middlewares.SiteGuardMiddleware": 60,
    # after the site guard (off-site links need no DNS lookup), before robots.txt, and again on
    # every redirect hop: no request to a loopback, private, link-local, CGNAT or multicast
    # address, or to a name resolving to one (SSRF from inside the operator's network)
    "crawler.netguard.AddressGuardMiddleware": 70,
    # after RobotsTxtMiddleware (100): a site's robots.txt Crawl-delay holds its slot's delay
    "crawler.crawldelay.CrawlDelayMiddleware": 110,
    # on responses before RedirectMiddleware (600): a redirect back into its own chain is a loop
    # with a cause, not a duplicate the dupe filter drops without a word
    "crawler.middlewares.RedirectLoopMiddleware": 610,
}

# Never 0, even in tests: Scrapy 2.19's downloader starts a slot's downloads as tasks, so with no
# delay its queue loop sees capacity that is already taken and sends a site's whole queue at once,
# ignoring CONCURRENT_REQUESTS_PER_DOMAIN; any delay > 0 makes it send one and wait.
DOWNLOAD_DELAY = 1.0
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024  # no report is larger; a decoy archive is cut off here
DOWNLOAD_TIMEOUT = 60  # county servers are slow; a timeout is retried (RETRY_TIMES)
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024

# The run record: per-site status, progress lines, the final table (crawler/runrecord.py);
# its heartbeat tells a running crawl from a killed one in the database (crawler/heartbeat.py).
EXTENSIONS = {"crawler.runrecord.RunRecord": 500, "crawler.heartbeat.RunHeartbeat": 510}

# `scrapy crawl` is yingji's own subclass: its exit code also fails on reports the database
# refused and on feed errors (crawler/commands/crawl.py); Scrapy's counts only bootstrap errors.
COMMANDS_MODULE = "crawler.commands"

FEED_EXPORT_ENCODING = "utf-8"
# -O/-o and FEEDS write one record per stored report, the object `yingji export` writes
# (storage/export.py), never the pipeline's internal item (bytes, parse attempts).
FEED_EXPORTERS = {
    "csv": "pipelines.feeds.CsvRecordExporter",
    "json": "pipelines.feeds.JsonRecordExporter",
    "jsonl": "pipelines.feeds.JsonLinesRecordExporter",
    "jsonlines": "pipelines.feeds.JsonLinesRecordExporter",
    "xml": "pipelines.feeds.XmlRecordExporter",
}

# The HTTP cache of incremental recrawls is switched on by the scheduled command
# (YINGJI_INCREMENTAL, the RevalidatingCache add-on), not here: a one-off crawl must see the
# sites as they are.

# The pipelines, one concern each: download -> parse -> store.
ITEM_PIPELINES = {
    "pipelines.download.DownloadPipeline": 100,
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

LOG_LEVEL = "INFO"

NEWSPIDER_MODULE = "crawler.spiders"

# URLs differing only in tracking parameters are one request (dupe filter, cache, job dir).
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalRequestFingerprinter"

# 5xx, gateway timeouts and 429 recover on retry often enough; timeouts are retried as well.
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_TIMES = 3

ROBOTSTXT_OBEY = True

# Responses (bytes) whose callbacks and items are still being processed before Scrapy sends no
# new requests (Scrapy's default: 5 MB). Their items wait for the parse pool, which is slower
# than a fast network; with 5 MB of article pages ~130 items piled up at 600 sites (their pages,
# text and documents held) and the crawl's peak RSS grew with the number of sites (issue 12).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000

SPIDER_MODULES = ["crawler.spiders"]

TELNETCONSOLE_ENABLED = False

USER_AGENT = "yingji/0.1 (+collects annual government-information-disclosure reports)"

# --- yingji's own settings: declared here once; components read them without defaults ---
# Networks (CIDRs) the address guard lets through although they are not public, for intranet
# deployments, e.g. ["10.20.0.0/16"]; the seeds' own hosts are always allowed (crawler/netguard.py)
YINGJI_ALLOWED_NETWORKS: list[str] = []
# Days a stored document is reused without asking its server, when the article page linking it
# revalidated unchanged (304): download endpoints without ETag/Last-Modified (Hanweb's
# downfile.jsp) cannot be revalidated themselves; past this age they are fetched again, which
# catches a file replaced behind an unchanged page (0: every document is asked for every time)
YINGJI_DOCUMENT_MAX_AGE = 90.0
YINGJI_DOCUMENT_MAXSIZE = 0  # bytes per document (0: only DOWNLOAD_MAXSIZE bounds it)
YINGJI_FILES_STORE = ""  # raw-file store; empty: beside the database (storage/config.py)
# With the RevalidatingCache add-on: the HTTP cache on, every page revalidated (scheduled crawls).
YINGJI_INCREMENTAL = False
YINGJI_MAX_ATTACHMENTS = 10  # documents fetched per report page: a page linking 200 is a list
# A robots.txt Crawl-delay is honoured up to this many seconds (AUTOTHROTTLE_MAX_DELAY's bound).
YINGJI_MAX_CRAWL_DELAY = 30.0
YINGJI_MAX_HOPS = 6  # column links followed from a start URL (pagination is free)
YINGJI_MAX_PAGES_PER_SITE = 400  # requests per site, all kinds; a capped site is flagged
YINGJI_MAX_PER_TEMPLATE = 60  # requests per URL shape (digits as N) per site: bounds traps
YINGJI_PAGE_MAXSIZE = 5 * 1024 * 1024  # an HTML page larger than this is not a page (never 0)
# Memory per parse worker in MB (resident, watched; address space, RLIMIT_AS): None takes
# $YINGJI_PARSE_MAX_VM_MB / $YINGJI_PARSE_MEMORY_MB or 3072 / 1024, 0 switches a limit off.
YINGJI_PARSE_MAX_VM_MB = None
YINGJI_PARSE_MEMORY_MB = None
YINGJI_PARSE_POOL = "process"  # parsing runs in worker processes: a hung parser can be killed
YINGJI_PARSE_TIMEOUT = 120.0  # seconds per document before its parse is abandoned
YINGJI_PARSE_WORKERS = 0  # 0: min(4, CPUs)
YINGJI_PRINT_TABLE = True  # the per-site table at the end of a crawl
YINGJI_PROGRESS_INTERVAL = 30.0  # seconds between progress lines
YINGJI_RECORD_RUNS = True  # the run and its per-site states go into the database
YINGJI_SITES_FILE = ""  # when set, the spider writes its per-site states there as JSON at close
# Sites whose requests wait in the scheduler at once: the next seed starts when fewer do, so what
# the crawl holds is bounded by this, not by the seed list (crawler/spiders/yingji.py, start);
# 4 x CONCURRENT_REQUESTS keeps every request slot busy with polite per-site delays. 0: no bound.
YINGJI_SITES_IN_PROGRESS = 64
# a store is retried for this long: a PostgreSQL restart or failover takes up to a minute, and a
# report given up on sooner is lost to this run (pipelines/store.py keeps it for a resume)
YINGJI_STORE_RETRY_SECONDS = 60.0
