"""Runs sql/cooccurrence.sql on Apache Spark (local mode) and writes the pair
table `shelfwise build --pairs` encodes.

    python3 spark_pairs.py EVENTS_CSV PARAMS_STATEMENT QUERY_FILE OUT_CSV

EVENTS_CSV has the header session_id,ts,item_id,event_type; PARAMS_STATEMENT
creates the `shelfwise_params` view (`shelfwise learn --sql` prints one). On a
cluster the same three statements run with `spark-submit`, reading the events
from the data lake and writing the table beside them (docs/scaling.md).
"""

import glob
import shutil
import sys
import tempfile

from pyspark.sql import SparkSession


def main(events: str, params: str, query_file: str, out: str) -> None:
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("shelfwise-pairs")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        schema = "session_id STRING, ts BIGINT, item_id STRING, event_type STRING"
        spark.read.csv(events, header=True, schema=schema).createOrReplaceTempView("events")
        spark.sql(params)
        with open(query_file, encoding="utf-8") as f:
            pairs = spark.sql(f.read())
        # One file, in the query's order, as a cluster's job would write it
        # (there, as many files as partitions: `build --pairs` reads them in turn).
        written = tempfile.mkdtemp(prefix="shelfwise-spark-")
        pairs.coalesce(1).write.mode("overwrite").csv(written, header=True)
        (part,) = glob.glob(f"{written}/part-*.csv")
        shutil.move(part, out)
        shutil.rmtree(written)
    finally:
        spark.stop()


if __name__ == "__main__":
    main(*sys.argv[1:5])
