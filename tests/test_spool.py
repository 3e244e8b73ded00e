"""The indexer's disk spool (yuqing/spool.py): bounded, in order, resumable,
safe against crashes and shared by the workers of a host."""

from __future__ import annotations

import fcntl
import logging

from yuqing.spool import Spool


def docs(start: int, count: int) -> list[dict]:
    return [{"id": f"d{n:04d}", "content": "滨海" * 20} for n in range(start, start + count)]


def test_documents_come_back_in_order_across_segments(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**9, segment_bytes=2000)
    for n in range(0, 100, 10):
        assert spool.append(docs(n, 10))
    assert len(spool.segments()) > 3 and spool.has_data()
    sent: list[str] = []
    assert spool.replay(lambda batch: sent.extend(d["id"] for d in batch) or True, batch_size=7) == 100
    assert sent == [f"d{n:04d}" for n in range(100)]
    assert not spool.has_data() and spool.size() == 0 and list(tmp_path.iterdir()) == []


def test_a_refused_batch_stays_and_the_replay_resumes_with_it(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**9)
    spool.append(docs(0, 30))
    sent: list[str] = []

    def cluster_down_after_two_batches(batch):
        if len(sent) >= 20:
            return False
        sent.extend(d["id"] for d in batch)
        return True

    assert spool.replay(cluster_down_after_two_batches, batch_size=10) == 20
    assert spool.has_data()
    again: list[str] = []
    assert spool.replay(lambda batch: again.extend(d["id"] for d in batch) or True, batch_size=10) == 10
    assert again == [f"d{n:04d}" for n in range(20, 30)]  # nothing sent twice


def test_only_if_busy_appends_only_behind_spooled_documents(tmp_path):
    spool = Spool(tmp_path, max_bytes=10**9)
    assert not spool.append(docs(0, 1), only_if_busy=True)
    spool.append(docs(0, 1))
    assert spool.append(docs(1, 1), only_if_busy=True)


def test_a_record_torn_by_a_crash_ends_its_segment(tmp_path, caplog):
    spool = Spool(tmp_path, max_bytes=10**9)
    spool.append(docs(0, 5))
    spool.close()
    [segment] = spool.segments()
    segment.write_bytes(segment.read_bytes()[:-7])
    sent: list[str] = []
    with caplog.at_level(logging.ERROR):
        assert spool.replay(lambda batch: sent.extend(d["id"] for d in batch) or True, batch_size=10) == 4
    assert sent == [f"d{n:04d}" for n in range(4)] and "damaged record" in caplog.text
    assert not spool.has_data()


def test_a_segment_another_process_holds_is_left_alone(tmp_path):
    writer = Spool(tmp_path, max_bytes=10**9)
    writer.append(docs(0, 3))  # its active segment, locked while it writes
    other = Spool(tmp_path, max_bytes=10**9)
    assert other.has_data()
    assert other.replay(lambda batch: True, batch_size=10) == 0
    writer.close()  # sealed: now anyone may replay it, as after the writer died
    with open(writer.segments()[0], "rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    assert other.replay(lambda batch: True, batch_size=10) == 3


def test_the_spool_is_bounded(tmp_path):
    spool = Spool(tmp_path, max_bytes=1500)
    spool.append(docs(0, 3))
    assert not spool.full()
    spool.append(docs(3, 20))
    assert spool.full()
    spool.replay(lambda batch: True, batch_size=50)
    assert not spool.full()
