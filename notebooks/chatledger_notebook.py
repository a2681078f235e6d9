"""chatledger from a notebook: starts the project's JVM (Spark + Delta) in-process through JPype,
opens a warehouse by name and answers SQL as pandas DataFrames.

    from chatledger_notebook import sql_df, explain
    sql_df("SELECT market, sum(revenue) AS revenue FROM gold.revenue_daily GROUP BY market")

Which warehouse: $CHATLEDGER_WAREHOUSE, else the demo warehouse (demo-data/warehouse, written by
`./chatledger demo`). The classpath is the build's (jobs/target/classes + jobs/target/classpath.txt,
written by `mvn -DskipTests install` or by `./chatledger`); no PySpark needed.
"""
import json
import os
import pathlib

import jpype
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "jobs" / "target"
# Debian's JPype finds its Java half only when this jar comes first on the classpath.
JPYPE_JAR = "/usr/share/java/org.jpype.jar"
MAX_ROWS = 200_000  # results come to the notebook's memory: aggregate in SQL, not in pandas

_session = None
_warehouse = None


def warehouse_path():
    return os.environ.get("CHATLEDGER_WAREHOUSE") or str(ROOT / "demo-data" / "warehouse")


def _start_jvm():
    classpath_file = TARGET / "classpath.txt"
    if not classpath_file.exists() or not (TARGET / "classes").exists():
        raise RuntimeError(f"{classpath_file} is missing: build first (mvn -q -DskipTests install, from {ROOT})")
    classpath = [JPYPE_JAR, str(TARGET / "classes")] + classpath_file.read_text().strip().split(os.pathsep)
    options = (TARGET / "jvm.options").read_text().split()  # Spark's Java 17 module options
    options += [
        os.environ.get("CHATLEDGER_NOTEBOOK_HEAP", "-Xmx2g"),
        "-Dlog4j2.configurationFile=" + str(ROOT / "notebooks" / "log4j2-notebook.properties"),
        "-Dderby.stream.error.file=/dev/null",
        "-Dspark.ui.showConsoleProgress=false",  # progress bars would fill the cells' stderr
    ]
    jpype.startJVM(*options, classpath=classpath, convertStrings=True)


def session():
    """The notebook's SparkSession (Java object), with the warehouse's tables registered by name."""
    global _session, _warehouse
    if _session is None:
        if not jpype.isJVMStarted():
            _start_jvm()
        spark = jpype.JClass("dev.chatledger.jobs.config.SparkSessions").getOrCreate("chatledger-notebook")
        _warehouse = jpype.JClass("dev.chatledger.jobs.tables.Warehouse").open(spark, warehouse_path())
        _session = spark
    return _session


def _convert(frame, fields):
    for f in fields:
        kind = f["type"] if isinstance(f["type"], str) else f["type"].get("type")
        name = f["name"]
        if kind in ("date", "timestamp", "timestamp_ntz"):
            frame[name] = pd.to_datetime(frame[name])
        elif kind.startswith("decimal") or kind in ("double", "float"):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")  # DECIMAL(18,6) money as float for plots
    return frame


def sql_df(query, max_rows=MAX_ROWS):
    """Runs Spark SQL over the warehouse and returns the result as a pandas DataFrame."""
    rows = session().sql(query)
    fields = json.loads(str(rows.schema().json()))["fields"]
    lines = rows.limit(max_rows + 1).toJSON().collectAsList()
    if len(lines) > max_rows:
        raise ValueError(f"more than {max_rows} rows: aggregate or filter in SQL first")
    frame = pd.DataFrame([json.loads(str(line)) for line in lines], columns=[f["name"] for f in fields])
    return _convert(frame, fields)


def explain(message_id):
    """The rating trace of one message (what `chatledger explain --message-id` prints)."""
    session()
    out = jpype.JClass("java.io.ByteArrayOutputStream")()
    printer = jpype.JClass("java.io.PrintStream")(out, True, "UTF-8")
    jpype.JClass("dev.chatledger.jobs.cli.ExplainCommand").explain(_warehouse, message_id, printer)
    return str(out.toString("UTF-8"))
