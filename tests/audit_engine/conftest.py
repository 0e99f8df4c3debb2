"""One SparkSession for the whole test session (local[2]), for the tests marked ``spark``.

Missing Java or pyspark fails the test with a message saying what to install: these tests are never skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.fail("需要 Java 17 才能运行 Spark 测试 (Java 17 is required for the Spark tests: "
                    "apt-get install openjdk-17-jre-headless)", pytrace=False)  # fmt: skip
    probe = subprocess.run(["java", "-version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail(f"java -version 失败 (Java does not start): {probe.stderr.strip()}", pytrace=False)
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        pytest.fail(f"需要 pyspark 才能运行 Spark 测试 (pyspark is required: pip install -e '.[dev]'): {exc}",
                    pytrace=False)  # fmt: skip
    warehouse: Path = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dae-audit-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
