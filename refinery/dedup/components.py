"""Connected components of a small edge list in one process (union-find).

A dedup graph of a small input has a few thousand edges; the distributed large-star /
small-star rounds (``refinery.spark.connected_components``) cost seconds of scheduling
each for work a dictionary does in milliseconds. The answer is the same: every node on an
edge, labelled with the smallest node of its component.
"""
from __future__ import annotations

from typing import Iterable


def smallest_node_components(edges: Iterable[tuple]) -> dict:
    """``{node: smallest node of its component}`` for every node on an edge of ``edges``
    ((u, v) pairs of comparable values; self-loops are ignored, as the distributed version does)."""
    parent: dict = {}

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for u, v in edges:
        if u == v:
            continue
        parent.setdefault(u, u)
        parent.setdefault(v, v)
        ru, rv = find(u), find(v)
        if ru != rv:  # the smaller root wins, so each root is its component's minimum
            if rv < ru:
                ru, rv = rv, ru
            parent[rv] = ru
    return {x: find(x) for x in parent}
