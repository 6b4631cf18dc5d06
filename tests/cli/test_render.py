"""The progress line: counts, the explorers' answer rate and the ETA of the hop under way."""

from btctrace.cli.render import _ProgressLine
from btctrace.tracing.walk import WalkStatus


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_line_shows_the_rate_and_the_time_left_in_this_hop():
    clock = Clock()
    line = _ProgressLine(clock)
    assert "ETA" not in line.line(WalkStatus(1, 1, 0, 0, 99, 2))  # no rate before a second has passed
    clock.now = 10.0
    text = line.line(WalkStatus(3, 50, 4, 30, 20, 100))
    assert text.startswith("hop 3: 50 transactions, 4 stops, 30 address look-ups; 100 requests")
    # 10 requests/s, 2 requests per transaction: 20 transactions to go take 4 s.
    assert text.endswith("at 10.0/s; this hop: 20 to go, ETA 4 s")
    clock.now = 100.0
    assert line.line(WalkStatus(9, 50, 4, 30, 2_000, 100)).endswith("ETA 1 h 06 min")


def test_proving_shows_its_own_line_after_the_walk(capsys):
    from btctrace.tracing.proving import ProofStatus

    line = _ProgressLine(Clock())
    line(ProofStatus("headers", 40, 250, 40))
    shown = capsys.readouterr().err
    assert shown.startswith("\rproving headers: 40 of 250 blocks; 40 requests")
