"""The request journal's file format: plain functions over bytes and one append-only file.

No Scrapy here: ``yingji crawl`` reads a job directory's journal (is its crawl unfinished,
which run does it continue) before it starts the crawl, and the records are tested as bytes.
crawler/resume.py has the Scrapy components that write it and says why it exists.

Records, one line each, fields separated by tabs, payloads base64:

* ``S <fingerprint> <request>`` a request was scheduled (the request serialised);
* ``D <fingerprint>`` it is *done*: its page went through the spider and its items left the
  pipelines;
* ``N <fingerprint> <key> <payload>`` a note about what processing that request did (the run
  record's outcomes and site states, crawler/runresume.py). A note counts only once its request
  is done: a page processed again after a kill writes its notes again, so the notes of the
  processing cut short are dropped, never counted twice. An empty fingerprint is a note that
  counts at once. Notes with an empty key accumulate; of the notes with one key, the last of a
  done request wins (a site's latest state);
* ``R <payload>`` the run this crawl records (the run record's id for it); the last one wins;
* ``F`` the crawl finished: the next crawl with this job directory starts afresh.

Each record is one ``write(2)`` on an ``O_APPEND`` descriptor, which a killed process cannot
leave half-done; a torn last line (power loss) is ignored.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

logger = logging.getLogger(__name__)

JOURNAL_NAME = "requests.journal"
FINISHED_RECORD = b"F\n"


@dataclass
class JournalState:
    """What a journal says: fingerprints done, requests scheduled but not done, the notes of
    done requests (``(key, payload)``, in order, one per key for keyed notes), the run, and
    whether the crawl finished."""

    done: set[str] = field(default_factory=set)
    pending: dict[str, bytes] = field(default_factory=dict)  # fingerprint -> serialised request
    notes: list[tuple[str, bytes]] = field(default_factory=list)
    run: bytes | None = None
    finished: bool = False


class _Notes:
    """Notes while a journal is read: tentative per fingerprint until its ``D``."""

    def __init__(self) -> None:
        self.tentative: dict[str, list[tuple[str, bytes]]] = {}
        self.keyed: dict[str, bytes] = {}
        self.order: list[tuple[str, bytes] | str] = []  # an unkeyed note, or a key's place

    def add(self, fp: str, key: str, payload: bytes) -> None:
        if fp:
            self.tentative.setdefault(fp, []).append((key, payload))
        else:
            self._commit(key, payload)

    def done(self, fp: str) -> None:
        for key, payload in self.tentative.pop(fp, ()):
            self._commit(key, payload)

    def _commit(self, key: str, payload: bytes) -> None:
        if not key:
            self.order.append((key, payload))
            return
        if key not in self.keyed:
            self.order.append(key)
        self.keyed[key] = payload

    def committed(self) -> list[tuple[str, bytes]]:
        return [n if isinstance(n, tuple) else (n, self.keyed[n]) for n in self.order]


def _b64(value: bytes) -> bytes:
    return base64.b64encode(value)


def _unb64(value: bytes) -> bytes:
    return base64.b64decode(value, validate=True)


def parse_journal(data: bytes) -> JournalState:
    """Read journal bytes; a torn last line or a garbled line is skipped, never fatal."""
    state, notes = JournalState(), _Notes()
    lines = data.split(b"\n")
    for line in lines[:-1]:  # the last element is b"" or a line the writer never finished
        parts = line.split(b"\t")
        try:
            kind = parts[0]
            if kind == b"S" and len(parts) == 3:
                fp = parts[1].decode("ascii")
                if fp not in state.done:
                    state.pending[fp] = _unb64(parts[2])
            elif kind == b"D" and len(parts) == 2:
                fp = parts[1].decode("ascii")
                state.done.add(fp)
                state.pending.pop(fp, None)
                notes.done(fp)
            elif kind == b"N" and len(parts) == 4:
                key = _unb64(parts[2]).decode("utf-8")
                notes.add(parts[1].decode("ascii"), key, _unb64(parts[3]))
            elif kind == b"R" and len(parts) == 2:
                state.run = _unb64(parts[1])
            elif kind == b"F":
                state.finished = True
            elif line:
                logger.warning("request journal: skipping an unreadable line")
        except (UnicodeDecodeError, ValueError):
            logger.warning("request journal: skipping an unreadable line")
    state.notes = notes.committed()
    return state


def scheduled_record(fp: str, payload: bytes) -> bytes:
    return b"S\t" + fp.encode("ascii") + b"\t" + _b64(payload) + b"\n"


def done_record(fp: str) -> bytes:
    return b"D\t" + fp.encode("ascii") + b"\n"


def note_record(fp: str, key: str, payload: bytes) -> bytes:
    return b"N\t%s\t%s\t%s\n" % (fp.encode("ascii"), _b64(key.encode("utf-8")), _b64(payload))


def run_record(payload: bytes) -> bytes:
    return b"R\t" + _b64(payload) + b"\n"


class RequestJournal:
    """The journal file of one job directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def open(self) -> JournalState:
        """Load the journal and rewrite it compactly (drops done payloads, the notes of
        requests not done, superseded keyed notes and any torn line).

        A journal of a finished crawl is discarded: this is a new crawl.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            state = parse_journal(self.path.read_bytes())
        except FileNotFoundError:
            state = JournalState()
        if state.finished:
            state = JournalState()
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as fh:
            if state.run is not None:
                fh.write(run_record(state.run))
            fh.writelines(done_record(fp) for fp in sorted(state.done))
            fh.writelines(note_record("", key, payload) for key, payload in state.notes)
            fh.writelines(scheduled_record(fp, p) for fp, p in state.pending.items())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        return state

    def _write(self, record: bytes) -> None:
        if self._fd is not None:
            os.write(self._fd, record)

    def scheduled(self, fp: str, payload: bytes) -> None:
        self._write(scheduled_record(fp, payload))

    def done(self, fp: str) -> None:
        self._write(done_record(fp))

    def note(self, fp: str, key: str, payload: bytes) -> None:
        self._write(note_record(fp, key, payload))

    def run(self, payload: bytes) -> None:
        self._write(run_record(payload))

    def finish(self) -> None:
        self._write(FINISHED_RECORD)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def journal_unfinished(jobdir: str | os.PathLike[str]) -> bool:
    """Whether the job directory holds a crawl that began and did not finish (cheap: the tail)."""
    path = Path(jobdir) / JOURNAL_NAME
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return False
            fh.seek(max(0, size - 256))
            tail = fh.read()
    except FileNotFoundError:
        return False
    complete = tail.split(b"\n")[:-1]  # the last element is b"" or a torn line
    return not complete or complete[-1] != FINISHED_RECORD.rstrip(b"\n")


def run_payload(run_id: int, started_at: datetime) -> bytes:
    """The ``R`` payload: the run's id and when it began (which tells it from a run of the same
    id in another database)."""
    return json.dumps({"run_id": run_id, "started_at": started_at.isoformat()}).encode()


def run_of(payload: bytes | None) -> tuple[int, datetime] | None:
    """The run id and start of an ``R`` payload; None if there is none or it is unreadable."""
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        return int(data["run_id"]), datetime.fromisoformat(data["started_at"])
    except (ValueError, KeyError, TypeError):
        logger.warning("request journal: the run record is unreadable")
        return None


def journal_run(jobdir: str | os.PathLike[str]) -> int | None:
    """The id of the run an unfinished crawl in the job directory records, else None.

    For ``yingji crawl``, once, before a resumed crawl starts: only the last ``R`` line is
    read (base64 has no tab or newline, so ``\nR\t`` is only ever a record's start), not the
    requests — a national crawl's journal holds hundreds of thousands.
    """
    if not journal_unfinished(jobdir):
        return None
    try:
        data = (Path(jobdir) / JOURNAL_NAME).read_bytes()
    except OSError:
        return None
    at = data.rfind(b"\nR\t")
    start = at + 1 if at >= 0 else (0 if data.startswith(b"R\t") else -1)
    end = data.find(b"\n", start) if start >= 0 else -1
    if end < 0:
        return None
    found = run_of(parse_journal(data[start : end + 1]).run)
    return found[0] if found else None
