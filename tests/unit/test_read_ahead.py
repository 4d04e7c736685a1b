"""read_ahead: a stream produced on a thread of its own, in order, errors in their place, stoppable."""
import threading

import pytest

from nyc_taxi.staging.stream_sizes import read_ahead


def test_items_come_in_order():
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))


def test_an_error_comes_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError('line 3 is bad')

    seen = []
    with pytest.raises(ValueError, match='line 3 is bad'):
        for item in read_ahead(items(), depth=8):
            seen.append(item)
    assert seen == [1, 2]


def test_a_consumer_that_stops_early_stops_and_closes_the_producer():
    closed = threading.Event()

    def endless():
        try:
            number = 0
            while True:
                yield number
                number += 1
        finally:
            closed.set()

    stream = read_ahead(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert closed.wait(timeout=5)
