"""The process's write gate: SQLite writers get the lock first come, first served."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from app.db import WriteGate


def test_writers_are_served_in_the_order_they_asked() -> None:
    gate = WriteGate(timeout=5)
    gate.acquire()  # a long job holds the lock
    served: list[int] = []

    def writer(n: int) -> None:
        gate.acquire()
        served.append(n)
        gate.release()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        threads.append(thread)
        time.sleep(0.02)  # they queue in this order
    gate.release()
    for thread in threads:
        thread.join(timeout=5)
    assert served == [0, 1, 2, 3, 4]


def test_a_writer_that_gives_up_does_not_block_those_behind_it() -> None:
    gate = WriteGate(timeout=0.2)
    gate.acquire()
    with pytest.raises(OperationalError, match="database is locked"):
        gate.acquire()  # waited its 0.2 s and left the queue
    done = threading.Event()

    def later() -> None:
        gate.acquire()
        done.set()
        gate.release()

    thread = threading.Thread(target=later)
    thread.start()
    gate.release()
    assert done.wait(2)
    thread.join()
