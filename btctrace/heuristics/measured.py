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
    ("Change: script type", "94.9 %", "60.2 %", "same"),
    ("Change: optimal change", "100 %", "23.8 %", "same"),
    ("Change: round amount", "100 %", "58.1 %", "same"),
    ("Change: fresh address", "75.3 %", "37.5 %", "same"),
    ("Change: wallet fingerprint", "99.0 %", "29.6 %", "same"),
    ("Change: peel continuation", "71.1 %", "35.7 %", "same"),
    ("Change combiner (used for --cluster-change)", "98.7 %", "76.2 %", "same"),
)

# (btctrace heuristic, Moeser & Narayanan's heuristic, their TPR, their FPR): single heuristics on
# their ground truth, shares of all ground-truth transactions, as printed by
# maltemoeser/dissertation-code "Address clustering - Analysis/5i) TPR FPR.ipynb" (commit 92b45450;
# correct / all and wrong / all, undecided counting as neither: the definition used here).
PUBLISHED_CHANGE_RATES = (
    ("optimal_change", "optimal_change", 0.305982, 0.026317),
    ("script_type_match", "address_type", 0.236927, 0.030544),
    ("round_value", "power_of_ten_6", 0.211132, 0.004961),
    ("round_value", "power_of_ten_2", 0.467048, 0.011745),
    ("wallet_fingerprint", "fp_locktime", 0.306533, 0.002925),
    ("wallet_fingerprint", "fp_version", 0.245298, 0.003765),
    ("wallet_fingerprint", "fp_rbf", 0.075313, 0.002698),
)

# Held-out generator (btctrace.testing.coordinators), 5 seeds x 40 rounds per variant, same command.
# (transactions, btctrace, graphsense-lib 2.18.1, what it shows)
HELD_OUT_ACCURACY = (
    ("CoinJoins from the coordinators' parameters (2,114)", "98.6 % flagged", "96.6 % flagged",
     "misses: WabiSabi rounds with under 3 repeated tiers (both)"),
    ("Whirlpool mixes of new entrants only (40)", "100 % at confidence 0.6", "0 %",
     "allowed before the coordinator's liquidity-min"),
    ("Wasabi 1.x rounds with mixing levels (600)", "100 % named Wasabi 1.x", "54-94 % named Wasabi 1.x",
     "graphsense-lib counts change near 0.1 BTC as mixed"),
    ("Exchange batch payouts of equal amounts (1,000)", "0 flagged", "17.9 % flagged", "every JoinMarket maker takes change"),
    ("PayJoin, BIP 78 (1,000)", "0 flagged", "0 flagged", "undetectable by design: its inputs are clustered wrongly"),
    ("Stonewall, one wallet (1,000)", "100 % flagged (0.5)", "100 % flagged",
     "looks exactly like STONEWALLx2 (two wallets), also 100 %"),
    ("Precision, single-wallet look-alikes counted false", "67.6 %", "63.4 %", "100 % for btctrace without Stonewall"),
)

# (heuristic, btctrace TPR / FPR on the simulator's two-output ground-truth subset (13,384 txs),
#  published TPR / FPR on 35.3 M real transactions, why they differ)
CHANGE_VS_PUBLISHED = (
    ("optimal change", "0.240 / 0.000", "0.306 / 0.0263",
     "simulated wallets never add an unneeded input (largest-first coin selection); real ones do"),
    ("script type", "0.563 / 0.036", "0.237 / 0.0305", "simulated payees mix script types more than 2013-2021 traffic"),
    ("round amount (multiples of 10^6 sat)", "0.582 / 0.000", "0.211 / 0.0050 (10^6 sat); 0.467 / 0.0117 (100 sat)",
     "60 % of simulated payments are round and no simulated change is; real payments are round far less often"),
    ("wallet fingerprint (version, locktime, RBF)", "0.295 / 0.0022", "0.307 / 0.0029 (locktime); 0.245 / 0.0038 "
     "(version)", "close: the fingerprints are drawn from real wallets' defaults"),
)

METHOD_SOURCES = (
    "Samourai whirlpool-server pool parameters (miner-fee-min 102 sat, must-mix-min, liquidity-min, tx0MaxOutputs 70)",
    "WalletWasabi 1.x CoordinatorRoundConfig (0.1 BTC, anonymity set 100, 0.003 % fee, 11 mixing levels)",
    "WalletWasabi 2.0 standard denominations and 5,000 sat minimum output",
    "JoinMarket (every maker takes change)",
    "graphsense-lib 2.18 heuristics_service (MIT)",
    "Moeser & Narayanan, Resurrecting Address Clustering in Bitcoin, FC 2022; their dissertation-code notebook 5i",
    "Stuetz et al., AFT 2022",
)
