"""Connected components of an edge DataFrame, distributed: large-star / small-star.

Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii, "Connected Components in MapReduce
and Beyond" (SoCC 2014). Each round is two joins and two group-bys over the edge set,
so no task ever holds more than one node's neighbourhood, and the driver sees only
counts. It converges in O(log² n) rounds to stars: every node pointing at the smallest
node of its component. Lineage is cut every round by checkpointing the edge set.
"""
from __future__ import annotations

from typing import Callable


def _large_star(edges):
    """Connect every neighbour larger than u to the smallest node of u's neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.select("a", "b").union(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))
    mins = both.groupBy("a").agg(F.min("b").alias("m")).withColumn("m", F.least("m", "a"))
    return both.join(mins, "a").where(F.col("b") > F.col("a")).select(F.col("b").alias("a"), F.col("m").alias("b")).distinct()


def _small_star(edges):
    """Connect u and every neighbour smaller than u to the smallest of them."""
    from pyspark.sql import functions as F

    down = edges.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
    mins = down.groupBy("a").agg(F.min("b").alias("m"))
    spokes = down.join(mins, "a").where(F.col("b") != F.col("m")).select(F.col("b").alias("a"), F.col("m").alias("b"))
    return spokes.union(mins.select("a", F.col("m").alias("b"))).distinct()


def connected_components(edges, checkpoint: Callable, max_iterations: int = 60, log=print):
    """``edges`` (columns ``u``, ``v``; any comparable type) → (``node``, ``component``)
    for every node on an edge; ``component`` is the component's smallest node.

    ``checkpoint(df)`` materialises a DataFrame and cuts its lineage (``localCheckpoint``
    or ``checkpoint`` with a checkpoint directory). Returns (components, rounds).
    """
    from pyspark.sql import functions as F

    current = checkpoint(
        edges.where(F.col("u") != F.col("v"))
        .select(F.greatest("u", "v").alias("a"), F.least("u", "v").alias("b"))
        .distinct()
    )
    size = current.count()
    if size == 0:  # nothing to join: no round, no checkpoint (small inputs often have no edges)
        empty = current.select(F.col("a").alias("node"), F.col("b").alias("component"))
        return empty, 0
    rounds = 0
    while True:
        rounds += 1
        if rounds > max_iterations:
            raise RuntimeError(f"connected components did not converge in {max_iterations} rounds")
        nxt = checkpoint(_small_star(_large_star(current)))
        nxt_size = nxt.count()
        # the edge sets are equal when they have the same size and nothing new appeared
        changed = nxt_size != size or nxt.join(current, ["a", "b"], "left_anti").limit(1).count() > 0
        log(f"connected components: round {rounds}: {nxt_size:,} edges{'' if changed else ' (converged)'}")
        current, size = nxt, nxt_size
        if not changed:
            break
    roots = current.select(F.col("b").alias("node")).distinct().withColumn("component", F.col("node"))
    return current.select(F.col("a").alias("node"), F.col("b").alias("component")).union(roots), rounds
