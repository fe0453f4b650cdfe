"""Federated analysis of trials held at separate nodes: exact pooled NB2 mixed model, two-stage meta-analysis,
disclosure rules. Pure numerics here; the node's endpoint is in :mod:`mescams.edc.federation`, the coordinator's
HTTP client in :mod:`mescams.stats.federated.client`."""
