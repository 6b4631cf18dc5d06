"""A thousand seeds (one ransom address per victim): the run stays within 1 GB, the flow chart
keeps a bounded size, and titles and summaries name a few seeds and count the rest."""

import json
import subprocess
import sys
import textwrap

from matplotlib.image import imread

SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from btctrace.runner import TraceJob, run_trace
    from btctrace.testing.synthetic import make_many_seeds_case, record_synthetic
    from btctrace.tracing.result import Seed, TraceLimits
    from btctrace.cli.render import summary_lines
    folder = Path(sys.argv[1])
    store, addresses = make_many_seeds_case(1000)
    seeds = tuple(Seed("address", a) for a in addresses)
    limits = TraceLimits(hops=3, max_transactions=4000)
    cassette = record_synthetic(store, folder / "many.json", seeds, limits)
    outcome = run_trace(TraceJob(seeds=seeds, out_dir=folder / "out", limits=limits, offline=cassette))
    peak = max(resource.getrusage(w).ru_maxrss for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) // 1024
    print(json.dumps({"peak_mib": peak, "txs": len(outcome.result.txs), "summary": summary_lines(outcome)[0]}))
""")


def test_a_thousand_seeds_run_in_bounded_memory_with_a_bounded_chart(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, check=True)
    run = json.loads(done.stdout.strip().splitlines()[-1])
    assert run["txs"] == 2_000 and run["peak_mib"] < 1_024
    assert "1,000 seeds: " in run["summary"] and "and 997 more" in run["summary"] and len(run["summary"]) < 400
    height, width = imread(tmp_path / "out" / "flow.png").shape[:2]
    assert width <= 4_000 and height <= 4_000
    report = (tmp_path / "out" / "report.html").read_text()
    assert "1,000 seeds: " in report and "and 980 more" in report
    misp = json.loads((tmp_path / "out" / "misp_event.json").read_text())
    assert len(misp["Event"]["info"]) < 300
