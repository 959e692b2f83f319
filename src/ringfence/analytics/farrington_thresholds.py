"""The thresholds of the Farrington methods: Farrington's power-transformed normal ("delta") and
Noufaily's negative binomial ("nbPlugin", "muan"), as `surveillance` computes them."""

from __future__ import annotations

import numpy as np
from scipy.stats import nbinom, norm, poisson

from ringfence.analytics.methods import PowerTransform, ThresholdMethod

_EXPONENT = {PowerTransform.two_thirds: 2 / 3, PowerTransform.half: 1 / 2, PowerTransform.none: 1.0}


def farrington_threshold(
    pred_fit: float, pred_se: float, phi: float, powertrans: PowerTransform, alpha: float, y: float
) -> tuple[float, float, float, float]:
    """algo.farrington.threshold.farrington: (lower, upper, P(Y ≥ y), score), one-sided."""
    exponent = _EXPONENT[PowerTransform(powertrans)]
    tau = phi + pred_se**2 / pred_fit
    se = _transformed_se(pred_fit, tau, exponent)
    z = float(norm.ppf(1 - alpha))
    bounds = [pred_fit**exponent - z * se, pred_fit**exponent + z * se]
    if bounds[0] >= 0 or exponent == 0.5:
        lower = max(0.0, bounds[0] ** (1 / exponent))  # R squares a negative root too
    else:
        lower = 0.0  # R's NaN from a negative base, floored to 0
    upper = bounds[1] ** (1 / exponent)
    prob = float(norm.sf(y**exponent, loc=pred_fit**exponent, scale=se))
    return lower, upper, prob, (y - pred_fit) / (upper - pred_fit)


def noufaily_threshold(
    pred_fit: float, pred_se: float, phi: float, alpha: float, method: ThresholdMethod, y: float
) -> tuple[float, float, float, float]:
    """algo.farrington.threshold.noufaily: (lower, upper, P(Y ≥ y), score) with the link-scale fit."""
    mu = _noufaily_mean(pred_fit, pred_se, alpha, method)
    if phi > 1:
        size, prob_ = mu / (phi - 1), 1 / phi
        lower, upper = nbinom.ppf(alpha, size, prob_), nbinom.ppf(1 - alpha, size, prob_)
    else:
        lower, upper = poisson.ppf(alpha, mu), poisson.ppf(1 - alpha, mu)
    prob = nbinom.sf(y - 1, mu / (phi - 1), 1 / phi) if phi != 1 else poisson.sf(y - 1, mu)
    return max(0.0, float(lower)), float(upper), float(prob), (y - pred_fit) / (float(upper) - pred_fit)


def noufaily_upper(
    pred_fit: float, pred_se: float, phi: float, alpha: float, method: ThresholdMethod
) -> float:
    """The (1 − α) quantile of the negative binomial (Poisson when φ ≤ 1) around the plug-in mean."""
    mu = _noufaily_mean(pred_fit, pred_se, alpha, method)
    if not np.isfinite(mu):
        return float("nan")
    if phi > 1:
        return float(nbinom.ppf(1 - alpha, mu / (phi - 1), 1 / phi))
    return float(poisson.ppf(1 - alpha, mu))


def _noufaily_mean(pred_fit: float, pred_se: float, alpha: float, method: ThresholdMethod) -> float:
    if ThresholdMethod(method) is ThresholdMethod.nb_plugin:
        return float(np.exp(pred_fit))
    return float(np.exp(norm.ppf(1 - alpha, loc=pred_fit, scale=pred_se)))


def delta_upper(mu0: float, se_response: float, phi: float, powertrans: PowerTransform, z: float) -> float:
    exponent = _EXPONENT[PowerTransform(powertrans)]
    se = _transformed_se(mu0, phi + se_response**2 / mu0, exponent)
    return float((mu0**exponent + z * se) ** (1 / exponent))


def _transformed_se(mu0: float, tau: float, exponent: float) -> float:
    if exponent == 1.0:
        return float(np.sqrt(mu0 * tau))
    if exponent == 0.5:
        return float(np.sqrt(tau / 4))
    return float(np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau))
