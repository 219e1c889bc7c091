"""The driver-side union-find against a breadth-first search over the same random graphs."""
import random

from refinery.dedup.components import smallest_node_components


def _bfs_components(edges) -> dict:
    adjacent: dict = {}
    for u, v in edges:
        if u != v:
            adjacent.setdefault(u, set()).add(v)
            adjacent.setdefault(v, set()).add(u)
    label = {}
    for start in adjacent:
        if start in label:
            continue
        seen, frontier = {start}, [start]
        while frontier:
            frontier = [n for x in frontier for n in adjacent[x] if n not in seen]
            seen.update(frontier)
        smallest = min(seen)
        label.update({x: smallest for x in seen})
    return label


def test_union_find_matches_breadth_first_search():
    rng = random.Random(3)
    for trial in range(200):
        n = rng.randint(1, 60)
        names = [f"d{rng.randrange(10 ** 6):06d}" for _ in range(n)]  # string ids, as doc_ids are
        edges = [(rng.choice(names), rng.choice(names)) for _ in range(rng.randint(0, 2 * n))]
        assert smallest_node_components(edges) == _bfs_components(edges), trial


def test_chain_collapses_to_its_smallest_node():
    edges = [(f"n{i:03d}", f"n{i + 1:03d}") for i in range(500)][::-1]  # worst order for naive unions
    assert set(smallest_node_components(edges).values()) == {"n000"}
    assert smallest_node_components([("a", "a")]) == {}
