"""The NB2 models' specification, in one place: parameters, limits, boundaries, start values, quantiles.

Parameters of a fit, in this order: the coefficients ``beta`` (one per design column), ``log theta`` (NB2
``Var = mu + mu^2 / theta``) and, for the random-intercept model, ``log sigma`` (SD of the intercepts). The
optimisers step in ``z = (beta, 1/theta, sigma)`` (see :mod:`mescams.stats.nb2.optimiser`), between the limits
below; a fit ending beyond a boundary is refitted with that parameter pinned at its limit and reported as
infinity (theta: Poisson) or 0 (SD), as glmmTMB's estimates on a boundary read (~1e7 and ~1e-4).
"""

from __future__ import annotations

import math

from scipy import stats

LOG_THETA_LIMITS = (-8.0, 30.0)  # theta = e^30 ~ 1e13: NB2 is then Poisson to ~1e-13
LOG_SIGMA_LIMITS = (-25.0, 3.0)  # sigma = 1.4e-11: the Laplace likelihood is then the NB2 GLM's
THETA_BOUNDARY = 1e5  # theta above this ends on its limit (Poisson)
SIGMA_BOUNDARY = 1e-3  # an SD below this ends on its limit (0)
# A fit that ends on a limit is restarted from here too (the likelihood in theta can have two local maxima).
RESTART_LOG_THETA, RESTART_LOG_SIGMA = 0.0, math.log(0.5)
TOLERANCE = 1e-9  # converged when a Newton step moves no parameter by more than this
FINAL_STEP = 1e-7  # a Newton step this small is taken without another evaluation (error of order step^2)
MAX_ITER = 60
TABLE_CAP = 40  # counts up to this read their lgamma/digamma/trigamma sums from a per-trial table
Z_975 = float(stats.norm.ppf(0.975))
