"""The follower network of a scenario, as numpy arrays (docs/networks.md, docs/python.md)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _civsim
from ._scenario import Scenario


class Network:
    """A follower network in compressed-sparse-row form, exactly as the simulation uses it.

    Nodes ``0 .. n_citizens-1`` are citizens, the nodes after them the scenario's institutional
    accounts in order. ``followers[offsets[v]:offsets[v+1]]`` are the followers of node v
    (sorted, distinct; an edge u -> v means u follows v, and messages flow v -> u).

    Attributes:
        offsets: uint64 array of ``n_nodes + 1`` entries.
        followers: uint32 array of ``n_edges`` node ids.
        stats: the network statistics under the names of a run file's /network attributes and
            datasets (``mean_followers``, ``reciprocity``, ``leading_eigenvalue``,
            ``follower_bins``, ...).
        account_followers: follower count of each institutional account.
        n_citizens, n_nodes, n_edges.

    The arrays are read-only views of the C++ network (no copy); they keep it alive.
    """

    def __init__(self, data: dict[str, Any]):
        self.offsets: np.ndarray = data["offsets"]
        self.followers: np.ndarray = data["followers"]
        self.stats: dict[str, Any] = data["stats"]
        self.account_followers: list[int] = data["account_followers"]
        self.n_citizens: int = data["n_citizens"]

    @property
    def n_nodes(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_edges(self) -> int:
        return len(self.followers)

    @property
    def account_nodes(self) -> range:
        """Node ids of the institutional accounts."""
        return range(self.n_citizens, self.n_nodes)

    def followers_of(self, node: int) -> np.ndarray:
        """The followers of one node (a view)."""
        return self.followers[self.offsets[node]:self.offsets[node + 1]]

    def follower_counts(self) -> np.ndarray:
        """Followers of every node (in-degree of the follow relation)."""
        return np.diff(self.offsets.astype(np.int64))

    def followee_counts(self) -> np.ndarray:
        """Accounts each node follows (out-degree of the follow relation)."""
        return np.bincount(self.followers, minlength=self.n_nodes)

    def to_scipy(self):
        """The adjacency as a ``scipy.sparse.csr_matrix`` A with A[v, u] = 1 when u follows v
        (row v: who sees what v posts)."""
        from scipy import sparse

        data = np.ones(self.n_edges, dtype=np.int8)
        return sparse.csr_matrix((data, self.followers, self.offsets),
                                 shape=(self.n_nodes, self.n_nodes))

    def __repr__(self) -> str:
        return (f"<civsim.network.Network {self.n_citizens} citizens + "
                f"{self.n_nodes - self.n_citizens} accounts, {self.n_edges} follow edges>")


def generate(scenario: Scenario | str | os.PathLike, threads: int | None = None) -> Network:
    """Builds the network a run of ``scenario`` uses (the same generator and seed: the network
    of ``civsim network export``), or reads it for ``network.generator = "edge_list"``, with its
    statistics (``civsim network stats``). Runs with the GIL released."""
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    if threads is not None and int(threads) < 1:
        raise ValueError(f"threads must be at least 1 (got {threads})")
    return Network(_civsim.generate_network(scenario._core, 0 if threads is None else int(threads)))
