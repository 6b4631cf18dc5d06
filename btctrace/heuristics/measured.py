"""Measured accuracy of the heuristics, as printed in every report.

Figures from ``python benchmarks/heuristics_accuracy.py --seeds 1 2 3 4 5 --wallets 200
--payments 3000`` (simulated wallets with known ownership; see the README for their limits).
Rerun the benchmark and update this table when a heuristic changes.
"""

from __future__ import annotations

__all__ = ["BENCHMARK_COMMAND", "MEASURED_ACCURACY", "PUBLISHED_CHANGE_RATES", "HELD_OUT_ACCURACY",
           "CHANGE_VS_PUBLISHED", "METHOD_SOURCES"]

BENCHMARK_COMMAND = "python benchmarks/heuristics_accuracy.py --seeds 1 2 3 4 5 --wallets 200 --payments 3000"

# (heuristic, precision, recall or coverage, what it was measured over)
MEASURED_ACCURACY = (
    ("CoinJoin detectors (Whirlpool Tx0/mix, Wasabi 1.x, Wasabi 2.0, JoinMarket)", "100 %", "100 %",
     "75-150 simulated rounds each; 0 false positives on 15,574 ordinary transactions"),
    ("Common-input clusters, CoinJoins excluded (pairwise)", "100 %", "3.1 %", "21,660 spent addresses"),
    ("Change: address reuse", "100 %", "13.6 %", "15,569 transactions with change"),
    ("Change: script type", "94.9 %", "60.3 %", "same"),
    ("Change: optimal change", "100 %", "23.8 %", "same"),
    ("Change: round amount", "100 %", "58.1 %", "same"),
    ("Change: fresh address", "75.3 %", "37.5 %", "same"),
    ("Change: wallet fingerprint", "99.0 %", "29.6 %", "same"),
    ("Change: peel continuation", "71.1 %", "35.7 %", "same"),
    ("Change combiner (used for --cluster-change)", "98.7 %", "76.2 %", "same"),
)

# (btctrace heuristic, Moeser & Narayanan's heuristic, their TPR, their FPR): single heuristics on
# their ground truth (35.3 M transactions), from the outputs of maltemoeser/dissertation-code
# notebook 5i as gathered in the reference notes; shares of all ground-truth transactions.
PUBLISHED_CHANGE_RATES = (
    ("optimal_change", "optimal_change", 0.306, 0.026),
    ("script_type_match", "address_type", 0.237, 0.031),
    ("round_value", "power_of_ten_2", 0.467, 0.0117),
    ("round_value", "power_of_ten_4", 0.375, 0.0051),
    ("wallet_fingerprint", "locktime fingerprint", 0.307, 0.0029),
    ("wallet_fingerprint", "version fingerprint", 0.245, 0.0038),
)

# Held-out generator (btctrace.testing.coordinators): (transactions, btctrace, graphsense-lib, what it shows)
HELD_OUT_ACCURACY: tuple[tuple[str, str, str, str], ...] = ()

# (heuristic, btctrace TPR / FPR on the simulator's ground-truth subset, published TPR / FPR, why they differ)
CHANGE_VS_PUBLISHED: tuple[tuple[str, str, str, str], ...] = ()

METHOD_SOURCES: tuple[str, ...] = ()
