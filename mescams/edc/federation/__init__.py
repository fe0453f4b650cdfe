"""The node side of federated analysis: coordinators' tokens, the unblinded statistician's approvals, and the
endpoint that answers a coordinator with aggregates only (:mod:`mescams.stats.federated` does the numerics)."""
