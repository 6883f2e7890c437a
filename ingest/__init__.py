"""The pipeline's domain, without Scrapy or Twisted: from stored documents to stored reports.

Used by the Scrapy pipelines (pipelines/) and by ``yingji reparse``, so a re-parse goes through
exactly the steps of a crawl. Imports storage/, models/ and yingji_parser/ only.

- ``types``: the frozen values the steps hand each other (``Found``: an item's provenance;
  ``StoredDocument``, ``ParseAttempt``, ``Choice``, ``Outcome``)
- ``parsing``: ``parse_stored`` (one document of the files store -> the parser's answer) and
  the one pool policy (bounded workers, a time limit, a dead pool replaced)
- ``choice``: which document of an item is its report (``choose``, ``rank``, ``is_report``)
- ``completion``: what the document leaves out, completed from where it was found
- ``storing``: one item stored in one transaction (``store_parsed``: one Outcome per report);
  for ``yingji reparse`` the same in two halves, ``plan_parsed`` (CPU, in a parse worker) and
  ``store_planned`` (many items to a transaction; a refused item fails alone)
- ``reparse``: the current parser over every stored document, no network, at the parse pool's
  pace
"""
