"""``btctrace cluster``: common-input clusters of a whole bitcoin-etl export, in process or on Spark."""

from __future__ import annotations

from pathlib import Path

import click

from btctrace.cli.terminal import say
from btctrace.errors import OutputError
from btctrace.scale.etl import cluster_export
from btctrace.exports.interchange.tables import write_csv

__all__ = ["cluster_command"]


@click.command("cluster")
@click.argument("export")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV to write: address, cluster (the alphabetically first address of its cluster).")
@click.option("--backend", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: pandas + scipy in this process; spark: Spark DataFrame jobs (btctrace[spark]).")
@click.option("--master", default="local[2]", show_default=True, help="Spark master URL (with --backend spark).")
@click.option("--checkpoint-dir", help="Spark checkpoint folder (shared storage on a cluster).")
@click.option("--force", is_flag=True, help="Overwrite --out.")
def cluster_command(export: str, out_file: Path, backend: str, master: str, checkpoint_dir: str | None,
                    force: bool) -> None:
    """Cluster the addresses spending in EXPORT (bitcoin-etl / BigQuery transactions as JSON lines
    or Parquet) by the multi-input heuristic, CoinJoins excluded by btctrace's detectors.

    \b
    Examples:
      btctrace cluster transactions.json --out clusters.csv
      btctrace cluster 'hdfs:///btc/transactions/*.json' --backend spark --master spark://head:7077 \\
          --checkpoint-dir hdfs:///tmp/btctrace --out clusters.csv
    """
    if out_file.exists() and not force:
        raise OutputError(str(out_file), "it exists", "Add --force to overwrite it")
    if backend == "spark":
        from btctrace.scale.spark import cluster_export_spark, spark_session

        spark = spark_session(master, checkpoint_dir)
        try:
            frame = cluster_export_spark(spark, export)
        finally:
            spark.stop()
    else:
        frame = cluster_export(Path(export))
    write_csv(frame, out_file)
    say(f"{len(frame):,} addresses in {frame['cluster'].nunique():,} clusters -> {out_file}")
