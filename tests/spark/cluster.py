"""Start a Spark standalone cluster (a master and workers on 127.0.0.1) from PySpark's own
``bin/spark-class``, and run jobs on it with ``spark-submit``, as a user would."""
import contextlib
import os
import pathlib
import socket
import subprocess
import sys
import time

import pyspark

from refinery.spark.session import SHORT_LIVED_JVM  # the cluster's JVMs get the jobs' own options

SPARK_HOME = pathlib.Path(pyspark.__file__).parent
REPO = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_env(**extra) -> dict:
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", SPARK_HOME=str(SPARK_HOME),
               PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable, SPARK_NO_DAEMONIZE="1",
               SPARK_CONF_DIR=str(REPO / "conf" / "spark"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Spark process exited with {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@contextlib.contextmanager
def standalone_cluster(work_dir: pathlib.Path, workers: int = 2, cores: int = 1, memory: str = "1g",
                       env: dict | None = None):
    """Yield the master URL of a running cluster; stop every process afterwards."""
    port = free_port()
    env = env or spark_env()
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    procs = []
    log = open(work_dir / "cluster.log", "ab")
    try:
        master = subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
             "--webui-port", str(free_port())], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(master)
        _wait_for_port(port, master)
        url = f"spark://127.0.0.1:{port}"
        for i in range(workers):
            wdir = work_dir / f"worker{i}"
            wdir.mkdir(parents=True, exist_ok=True)
            procs.append(subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", str(cores),
                 "--memory", memory, "--webui-port", str(free_port()), "--work-dir", str(wdir)],
                env=env, stdout=log, stderr=subprocess.STDOUT))
        time.sleep(2)  # workers register with the master
        yield url
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def spark_submit(args: list[str], master: str = "local[2]", conf: dict | None = None, **popen) -> subprocess.Popen:
    """Start ``spark-submit`` on a job of this repository; returns the process."""
    cmd = [str(SPARK_HOME / "bin" / "spark-submit"), "--master", master]
    base = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4", "spark.pyspark.python": sys.executable,
            "spark.driver.extraJavaOptions": SHORT_LIVED_JVM, "spark.executor.extraJavaOptions": SHORT_LIVED_JVM}
    for k, v in dict(base, **(conf or {})).items():
        cmd += ["--conf", f"{k}={v}"]
    return subprocess.Popen(cmd + args, env=spark_env(), cwd=REPO, **popen)
