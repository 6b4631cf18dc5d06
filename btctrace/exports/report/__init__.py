"""``report.html`` (:mod:`.html`) and the case documents it presents: what the trace learned from
attributions (:mod:`.attribution`, also in trace.json and the run's summary) with its HTML parts
(:mod:`.attribution_html`), and the subpoena packet (:mod:`.subpoena`, also ``subpoena.csv``)."""

__all__: list[str] = []
