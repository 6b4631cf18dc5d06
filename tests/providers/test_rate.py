"""The adaptive request rate of one explorer, with a fake clock."""

import pytest

from btctrace.providers.rate import MIN_RATE, AdaptiveRate


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _accepting(limiter, clock, per_second, seconds):
    """Answers at *per_second* for *seconds* (each taking its slot)."""
    for _ in range(int(per_second * seconds)):
        clock.now += 1.0 / per_second
        limiter.reserve()
        limiter.succeeded()


def test_unpaced_until_the_first_429_then_paced_just_under_the_accepted_rate():
    clock = Clock()
    limiter = AdaptiveRate(None, clock=clock)
    assert limiter.reserve() == 0 and limiter.reserve() == 0  # no pacing yet
    _accepting(limiter, clock, 40, 3)
    limiter.throttled_by(None)
    assert limiter.rate == pytest.approx(0.9 * 40, rel=0.05)
    assert limiter.snapshot()["throttled"] == 1


def test_429s_of_requests_already_in_flight_cut_once():
    clock = Clock()
    limiter = AdaptiveRate(None, clock=clock)
    _accepting(limiter, clock, 40, 3)
    for _ in range(4):  # four workers' requests refused together
        limiter.throttled_by(None)
    assert limiter.rate == pytest.approx(0.9 * 40, rel=0.05) and limiter.slowdowns == 1


def test_a_refusing_explorer_backs_off_exponentially_to_the_floor():
    clock = Clock()
    limiter = AdaptiveRate(8.0, clock=clock)
    rates = []
    for _ in range(12):
        clock.now += max(1.0, 3.0 / limiter.rate)  # each retry waits its (ever longer) slot
        limiter.throttled_by(None)
        rates.append(limiter.rate)
    assert rates[1] == pytest.approx(rates[0] / 2) and rates[-1] == MIN_RATE


def test_retry_after_holds_every_request():
    clock = Clock()
    limiter = AdaptiveRate(None, clock=clock)
    limiter.throttled_by(7.0)
    assert limiter.reserve() == pytest.approx(7.0)


def test_the_rate_creeps_back_up_but_never_above_the_configured_ceiling():
    clock = Clock()
    limiter = AdaptiveRate(5.0, clock=clock)
    _accepting(limiter, clock, 5, 3)
    limiter.throttled_by(None)
    low = limiter.rate
    for _ in range(200):
        clock.now += 1.0
        limiter.succeeded()
    assert low < 5.0 and limiter.rate == 5.0


def test_replay_never_paces():
    clock = Clock()
    limiter = AdaptiveRate(None, clock=clock, adapts=False)
    limiter.throttled_by(30.0)
    limiter.rest()
    assert limiter.rate is None and limiter.reserve() == 0


def test_a_failed_explorer_rests_longer_each_time_until_it_answers():
    clock = Clock()
    limiter = AdaptiveRate(None, clock=clock)
    limiter.rest()
    assert limiter.next_free() == pytest.approx(clock.now + 30)
    limiter.rest()
    assert limiter.next_free() == pytest.approx(clock.now + 60)
    clock.now += 61
    limiter.succeeded()
    limiter.rest()
    assert limiter.next_free() == pytest.approx(clock.now + 30)
