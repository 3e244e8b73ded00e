"""A bounded, append-only disk spool of documents, replayed in order.

The indexer writes here what the search cluster cannot take now. Records go
to segment files ``<time_ns>-<pid>.seg`` in one directory per spider; each
record is ``length (4 bytes) | crc32 (4 bytes) | JSON``, and every append is
fsync'd before the indexer reports its documents stored. A segment is
*active* while its writer holds an exclusive ``flock`` on it, and *sealed*
once the writer closes it (it got large, or a replay began). A replay takes
sealed segments oldest first, each under its own lock, sends them in batches,
remembers its position in ``<segment>.pos`` after each batch, and deletes a
segment once it is sent. The kernel drops the locks of a process that dies,
so another worker on the host replays what a dead one left behind; a record
torn by the crash fails its checksum and ends its segment (its documents were
never reported stored, so their requests run again).

``max_bytes`` bounds the spool: the indexer stops taking documents while it
is full rather than dropping any, which slows the crawl down.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import struct
import threading
import time
import zlib
from pathlib import Path
from typing import Callable

logger = logging.getLogger(__name__)

_HEADER = struct.Struct(">II")


class Spool:
    def __init__(self, directory: str | Path, max_bytes: int, segment_bytes: int = 8 * 1024 * 1024):
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.lock = threading.Lock()
        self._active = None
        self._active_path: Path | None = None
        self._active_size = 0
        self._size_cache: tuple[float, int] = (0.0, 0)

    # -- writing ---------------------------------------------------------------
    def append(self, docs: list[dict], only_if_busy: bool = False) -> bool:
        """Write documents and fsync them. With ``only_if_busy``, only when the
        spool already holds something (checked and written in one step against
        a replay finishing): returns whether they were written."""
        data = b"".join(_record(doc) for doc in docs)
        with self.lock:
            if only_if_busy and not self.has_data():
                return False
            if self._active is None:
                self._open_segment()
            self._active.write(data)
            self._active.flush()
            os.fsync(self._active.fileno())
            self._active_size += len(data)
            if self._active_size >= self.segment_bytes:
                self._seal()
        self._size_cache = (0.0, 0)
        return True

    def _open_segment(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{time.time_ns():020d}-{os.getpid()}.seg"
        handle = open(path, "ab")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        self._active, self._active_path, self._active_size = handle, path, 0

    def _seal(self) -> None:
        if self._active is not None:
            self._active.close()  # releases the lock: replayable from now on
            self._active = None

    def close(self) -> None:
        with self.lock:
            self._seal()

    # -- state -----------------------------------------------------------------
    def segments(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.seg"))

    def size(self) -> int:
        """Bytes not yet replayed, in every segment of the directory (cached for a second)."""
        checked, size = self._size_cache
        if time.monotonic() - checked < 1.0:
            return size
        size = 0
        for path in self.segments():
            try:
                size += path.stat().st_size - _position(path)
            except FileNotFoundError:
                continue  # replayed and deleted meanwhile
        self._size_cache = (time.monotonic(), size)
        return size

    def full(self) -> bool:
        return self.size() >= self.max_bytes

    def has_data(self) -> bool:
        """True while anything is spooled: new documents must queue behind it."""
        return self._active is not None or bool(self.segments())

    # -- replaying -------------------------------------------------------------
    def replay(self, send: Callable[[list[dict]], bool], batch_size: int) -> int:
        """Send every spooled document, oldest first, ``batch_size`` at a time.

        ``send`` returns True once a batch is stored and False (or raises) to
        stop: the batch stays spooled and the next replay starts with it.
        Returns the number of documents sent."""
        sent = 0
        while True:
            with self.lock:
                self._seal()
                segments = self.segments()
            progressed = False
            for path in segments:
                done, count = self._replay_segment(path, send, batch_size)
                sent += count
                if not done:
                    return sent
                progressed = progressed or count > 0
            with self.lock:
                if self._active is None and not self.segments():
                    self._size_cache = (0.0, 0)
                    return sent
            if not progressed:
                return sent  # only segments other processes hold

    def _replay_segment(self, path: Path, send, batch_size: int) -> tuple[bool, int]:
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            return True, 0
        sent = 0
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True, 0  # a live writer's segment, or another replay has it
            if not path.exists():
                return True, 0  # replayed and deleted while we waited for the lock
            handle.seek(_position(path))
            while True:
                batch, offset, torn = _read_batch(handle, batch_size)
                if batch:
                    if not send(batch):
                        return False, sent
                    sent += len(batch)
                    _save_position(path, offset)
                    self._size_cache = (0.0, 0)
                if torn:
                    logger.error("spool segment %s ends in a damaged record at byte %d (a crash while "
                                 "writing): the rest of it is dropped", path, offset)
                if torn or not batch:
                    break
        path.unlink(missing_ok=True)
        path.with_suffix(".pos").unlink(missing_ok=True)
        return True, sent


def _record(doc: dict) -> bytes:
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(data), zlib.crc32(data)) + data


def _read_batch(handle, batch_size: int) -> tuple[list[dict], int, bool]:
    """Up to ``batch_size`` records: (docs, offset after them, torn record found)."""
    docs: list[dict] = []
    offset = handle.tell()
    while len(docs) < batch_size:
        header = handle.read(_HEADER.size)
        if not header:
            return docs, offset, False
        if len(header) < _HEADER.size:
            return docs, offset, True
        length, crc = _HEADER.unpack(header)
        data = handle.read(length)
        if len(data) < length or zlib.crc32(data) != crc:
            return docs, offset, True
        docs.append(json.loads(data))
        offset = handle.tell()
    return docs, offset, False


def _position(path: Path) -> int:
    try:
        return int(path.with_suffix(".pos").read_text())
    except (FileNotFoundError, ValueError):
        return 0


def _save_position(path: Path, offset: int) -> None:
    tmp = path.with_suffix(".pos.tmp")
    tmp.write_text(str(offset))
    os.replace(tmp, path.with_suffix(".pos"))
