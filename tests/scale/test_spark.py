"""The Spark backend (``btctrace[spark]``) in local mode gives exactly the in-process clusters.
Skipped where pyspark or Java is missing."""

import shutil

import pytest

from btctrace.scale.etl import cluster_export
from btctrace.testing.etl import write_etl_export

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)


def test_spark_and_in_process_backends_give_identical_clusters(demo, tmp_path):
    from btctrace.scale.spark import cluster_export_spark, spark_session

    export = write_etl_export(demo.store, tmp_path / "transactions.json")
    spark = spark_session("local[2]", str(tmp_path / "checkpoints"))
    try:
        frame = cluster_export_spark(spark, str(export))
    finally:
        spark.stop()
    expected = cluster_export(export)
    assert frame.to_dict("list") == expected.to_dict("list")
    assert frame["cluster"].nunique() < len(frame)  # some addresses were clustered
