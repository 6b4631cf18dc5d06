"""Common-input clustering of a bitcoin-etl export as Spark DataFrame jobs (``btctrace[spark]``).

The same rule and the same CoinJoin exclusion as :func:`btctrace.scale.etl.cluster_export`,
for exports too large for one machine: transactions are read with ``spark.read`` (JSON lines
or Parquet, local files or ``hdfs://``/``s3a://``/``gs://`` paths); btctrace's CoinJoin
detectors run on the executors as a Python UDF; every input address is linked to the first
input address of its transaction; connected components are found by iterative minimum-label
propagation over the links (no GraphFrames jar needed), with the lineage cut by a checkpoint
every few rounds. Labels are addresses, so the cluster of an address is the alphabetically
first address of its component: the same frame as the in-process backend.

Point it at a cluster by giving a session built for it, e.g.
``SparkSession.builder.master("spark://host:7077").config("spark.executor.memory", "16g")``,
or run it under ``spark-submit``; see the README.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pandas as pd

from btctrace.errors import MissingDependency, UsageProblem
from btctrace.heuristics.coinjoin import detect_coinjoin
from btctrace.scale.etl import tx_from_etl

__all__ = ["spark_session", "cluster_export_spark"]

_CHECKPOINT_EVERY = 4


def _spark():
    try:
        import pyspark.sql.functions as F  # noqa: N812 - Spark's convention
        from pyspark.sql import SparkSession
    except ImportError:
        raise MissingDependency("the Spark backend", "btctrace[spark] (pyspark)") from None
    return SparkSession, F


def spark_session(master: str = "local[2]", checkpoint_dir: str | None = None):
    """A Spark session at *master* (``local[N]``, ``spark://host:7077``, ``yarn``, ...) with a
    checkpoint folder (on a cluster, shared storage such as ``hdfs:///tmp/btctrace``)."""
    SparkSession, _ = _spark()
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers need this interpreter's btctrace
    session = (SparkSession.builder.master(master).appName("btctrace-cioh")
               .config("spark.ui.enabled", "false").getOrCreate())
    if master.startswith("local"):
        session.conf.set("spark.sql.shuffle.partitions", "4")
    if checkpoint_dir:
        session.sparkContext.setCheckpointDir(checkpoint_dir)
    return session


def _is_coinjoin(row_json: str) -> bool:
    row: dict[str, Any] = json.loads(row_json)
    return detect_coinjoin(tx_from_etl(row)) is not None


def _links(spark, path: str):
    """Every spending address (CoinJoin participants too, as they may be clustered elsewhere),
    and the (src, dst) links: each input address to its transaction's first input address,
    outside CoinJoins."""
    _, F = _spark()
    reader = spark.read.parquet if path.endswith(".parquet") else spark.read.json
    txs = reader(path).where(~F.coalesce(F.col("is_coinbase"), F.lit(False)))
    flag = F.udf(_is_coinjoin, "boolean")
    txs = txs.withColumn("coinjoin", flag(F.to_json(F.struct(*[F.col(c) for c in txs.columns]))))
    inputs = (txs.select("hash", "coinjoin", F.posexplode("inputs").alias("position", "input"))
              .select("hash", "coinjoin", "position", F.element_at(F.col("input.addresses"), 1).alias("address"))
              .where(F.col("address").isNotNull()))
    linked = inputs.where(~F.col("coinjoin"))
    first = linked.groupBy("hash").agg(F.min(F.struct("position", "address")).alias("first")) \
        .select("hash", F.col("first.address").alias("root"))
    links = linked.join(first, "hash").where(F.col("address") != F.col("root")).select(
        F.col("address").alias("src"), F.col("root").alias("dst"))
    return inputs.select("address").distinct(), links


def cluster_export_spark(spark, path: str, max_rounds: int = 200) -> pd.DataFrame:
    """``address, cluster`` for every address spending in the export at *path* (see module doc)."""
    _, F = _spark()
    addresses, links = _links(spark, path)
    edges = links.union(links.select(F.col("dst").alias("src"), F.col("src").alias("dst"))).distinct().cache()
    labels = addresses.select(F.col("address"), F.col("address").alias("label")).cache()
    for round_number in range(1, max_rounds + 1):
        offers = edges.join(labels, edges.src == labels.address).select(F.col("dst").alias("address"), "label")
        updated = (labels.union(offers).groupBy("address").agg(F.min("label").alias("label")))
        if round_number % _CHECKPOINT_EVERY == 0 and spark.sparkContext.getCheckpointDir():
            updated = updated.checkpoint()
        updated = updated.cache()
        changed = updated.join(labels.withColumnRenamed("label", "before"), "address") \
            .where(F.col("label") != F.col("before")).limit(1).count()
        labels.unpersist()
        labels = updated
        if not changed:
            break
    else:
        raise UsageProblem(f"connected components did not converge in {max_rounds} rounds",
                           "Raise max_rounds (the longest chain of co-spends sets how many are needed)")
    frame = labels.toPandas().rename(columns={"label": "cluster"})
    return frame.sort_values("address", kind="stable").reset_index(drop=True)[["address", "cluster"]]
