"""The projector counters are coalesced: at most one ``counts`` emit per second per meetup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from meetup.realtime.throttle import Throttle


class FakeTime:
    """A clock that moves only when the code under test sleeps; spawned tasks queue up."""

    def __init__(self) -> None:
        self.now = 0.0
        self.tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def spawn(self, target: Callable[..., Any], *args: Any) -> None:
        self.tasks.append((target, args))

    def run_tasks(self) -> None:
        tasks, self.tasks = self.tasks, []
        for target, args in tasks:
            target(*args)


def make() -> tuple[Throttle, FakeTime, list[tuple[str, float]]]:
    fake = FakeTime()
    throttle = Throttle(interval=1.0, clock=fake.clock, sleep=fake.sleep, spawn=fake.spawn)
    return throttle, fake, []


def test_a_burst_of_requests_gives_one_emit() -> None:
    throttle, fake, fired = make()
    for _ in range(200):
        throttle.request("m1", lambda: fired.append(("m1", fake.now)))
    assert len(fake.tasks) == 1
    fake.run_tasks()
    assert fired == [("m1", 0.0)]


def test_emits_of_one_meetup_are_at_least_a_second_apart_and_none_is_lost() -> None:
    throttle, fake, fired = make()
    throttle.request("m1", lambda: fired.append(("first", fake.now)))
    fake.run_tasks()
    fake.now = 0.3
    # Two writes shortly after the first emit: one more emit, a second after the first.
    throttle.request("m1", lambda: fired.append(("second", fake.now)))
    assert throttle.request("m1", lambda: fired.append(("third", fake.now))) is False
    fake.run_tasks()
    assert fired == [("first", 0.0), ("second", 1.0)]
    # Much later: no waiting at all.
    fake.now = 10.0
    throttle.request("m1", lambda: fired.append(("later", fake.now)))
    fake.run_tasks()
    assert fired[-1] == ("later", 10.0)


def test_meetups_are_throttled_independently() -> None:
    throttle, fake, fired = make()
    throttle.request("m1", lambda: fired.append(("m1", fake.now)))
    throttle.request("m2", lambda: fired.append(("m2", fake.now)))
    fake.run_tasks()
    assert sorted(name for name, _ in fired) == ["m1", "m2"]


def test_a_failing_count_does_not_block_the_next_one() -> None:
    throttle, fake, fired = make()

    def broken() -> None:
        raise RuntimeError("database went away")

    throttle.request("m1", broken)
    fake.run_tasks()
    assert not throttle.pending("m1")
    fake.now = 5.0
    throttle.request("m1", lambda: fired.append(("m1", fake.now)))
    fake.run_tasks()
    assert fired == [("m1", 5.0)]


def test_the_write_allowance_refills_over_time() -> None:
    from meetup.realtime.throttle import TokenBucket

    fake = FakeTime()
    bucket = TokenBucket(burst=3, rate=2, clock=fake.clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    fake.now = 0.5  # one write back
    assert [bucket.take() for _ in range(2)] == [True, False]
    fake.now = 100.0  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_a_reset_drops_runs_still_waiting_and_starts_afresh() -> None:
    throttle, fake, fired = make()
    throttle.request("m1", lambda: fired.append(("old", fake.now)))
    throttle.reset()  # the app is torn down before its run fires
    fake.run_tasks()
    assert fired == []
    assert throttle.request("m1", lambda: fired.append(("new", fake.now)))
    fake.run_tasks()
    assert [name for name, _ in fired] == ["new"]
