"""What a node returns for one evaluation: its log-likelihood, gradient and Hessian (numpy only, so the
coordinator, which only adds them up, loads no SciPy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["NodePart"]


@dataclass(frozen=True)
class NodePart:
    """A node's Laplace log-likelihood, its gradient and Hessian in ``(beta, log theta, log sigma)``."""

    loglik: float
    gradient: NDArray[np.float64]
    hessian: NDArray[np.float64]
