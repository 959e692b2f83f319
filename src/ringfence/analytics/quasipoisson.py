"""A quasi-Poisson log-link GLM fitted the way R's `glm.fit` fits it, on statsmodels.

The Farrington methods read more of the fit than its coefficients (hat values, the working
weights of the last IRLS step, the dispersion `summary.glm` reports), so this module keeps R's
starting values (μ = y + 0.1), its convergence rule (|Δdev|/(|dev| + 0.1) < 1e-8, 25 steps) and
its dispersion Σ wᵢ rᵢ² / df_resid over the working weights and working residuals.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy.stats import t as student_t
from statsmodels.genmod.families import Poisson

R_EPSILON = 1e-8
R_MAXIT = 25


class _RStartPoisson(Poisson):
    """Poisson family starting IRLS where R's `quasipoisson()$initialize` does: μ = y + 0.1."""

    def starting_mu(self, y: np.ndarray) -> np.ndarray:
        return y + 0.1


@dataclass(frozen=True)
class QuasiPoissonFit:
    """What the Farrington methods use of a converged (or not) quasi-Poisson fit."""

    y: np.ndarray
    design: np.ndarray
    params: np.ndarray
    mu: np.ndarray
    working_weights: np.ndarray  # prior weight × μ of the last IRLS step, as glm's `weights`
    unscaled_cov: np.ndarray  # (Xᵀ W X)⁻¹ of the last IRLS step, as summary.glm's cov.unscaled
    converged: bool

    @property
    def df_resid(self) -> int:
        return len(self.y) - self.design.shape[1]

    @property
    def working_residuals(self) -> np.ndarray:
        return (self.y - self.mu) / self.mu

    def dispersion(self, weights: np.ndarray | None = None) -> float:
        """summary.glm's dispersion Σ w r² / df_resid, over `weights` (default the working weights)."""
        w = self.working_weights if weights is None else weights
        if self.df_resid <= 0:
            return float("nan")
        return float(np.sum(w * self.working_residuals**2) / self.df_resid)

    def hat_values(self) -> np.ndarray:
        """Diagonal of the weighted hat matrix, as R's `hatvalues()` of a glm."""
        xw = self.design * np.sqrt(self.working_weights)[:, None]
        return np.einsum("ij,jk,ik->i", xw, self.unscaled_cov, xw)

    def coefficient_p_value(self, column: int, dispersion: float) -> float:
        """Two-sided t-test p-value of one coefficient, as summary.glm for a quasi family."""
        se = np.sqrt(self.unscaled_cov[column, column] * dispersion)
        return float(2 * student_t.sf(abs(self.params[column] / se), self.df_resid))

    def predict_link(self, row: np.ndarray, dispersion: float) -> tuple[float, float]:
        """Linear predictor at `row` and its standard error with the given dispersion."""
        eta = float(row @ self.params)
        se = float(np.sqrt(row @ self.unscaled_cov @ row * dispersion))
        return eta, se


def fit(y: np.ndarray, design: np.ndarray, prior_weights: np.ndarray | None = None) -> QuasiPoissonFit:
    """Fit log E[y] = design·β with variance φ·μ/prior_weight, as `glm(family=quasipoisson)`."""
    y = np.asarray(y, dtype=float)
    model = sm.GLM(y, design, family=_RStartPoisson(), var_weights=prior_weights)
    with warnings.catch_warnings():
        # R warns too (fitted rates numerically 0) and still returns the fit
        warnings.simplefilter("ignore")
        result = model.fit(maxiter=R_MAXIT, tol=R_EPSILON, atol=R_EPSILON * 0.1, rtol=R_EPSILON)
    return QuasiPoissonFit(
        y=y,
        design=design,
        params=np.asarray(result.params, dtype=float),
        mu=np.asarray(result.mu, dtype=float),
        working_weights=np.asarray(model.weights, dtype=float),
        unscaled_cov=np.asarray(result.normalized_cov_params, dtype=float),
        converged=bool(result.converged),
    )
