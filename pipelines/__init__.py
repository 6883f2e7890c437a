"""The item pipelines: thin Scrapy adapters, one concern each — download, parse, store.

Each adapter takes the frozen crawler.items.ReportItem, does its step through ingest/ or
storage/ off the reactor thread (offload.py bridges concurrent.futures to Twisted) and returns
``dataclasses.replace(item, ...)`` with its own field. feeds.py makes Scrapy's feeds write the
export records of what the store step stored (``FEED_EXPORTERS``). The domain itself (choosing
the report, completing it, storing it in one transaction) is ingest/'s, shared with
``yingji reparse``. Imports crawler/, ingest/, storage/ and models/ below it.
"""
