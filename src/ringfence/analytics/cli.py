"""`ringfence analytics …`: R(t), aberration detection, growth and a baseline forecast from CSV files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ringfence.analytics import methods
from ringfence.analytics.series import SplitIncidence, read_counts, read_incidence, read_si_distribution
from ringfence.core.errors import InvalidInput
from ringfence.terminal import emit_json

if TYPE_CHECKING:
    from ringfence.analytics import reproduction

analytics_app = typer.Typer(help="Epidemiological analytics on count series (CSV).", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]
CsvPath = Annotated[Path, typer.Argument(help="a CSV file with a header row")]


class AberrationMethod(StrEnum):
    ears_c1 = "ears-c1"
    ears_c2 = "ears-c2"
    ears_c3 = "ears-c3"
    farrington_flexible = "farrington-flexible"
    farrington = "farrington"


_EARS = {
    AberrationMethod.ears_c1: methods.EarsMethod.c1,
    AberrationMethod.ears_c2: methods.EarsMethod.c2,
    AberrationMethod.ears_c3: methods.EarsMethod.c3,
}


@analytics_app.command("rt")
def rt(
    csv_path: CsvPath,
    si_mean: Annotated[
        float | None, typer.Option("--si-mean", help="serial interval mean (days, > 1)")
    ] = None,
    si_sd: Annotated[float | None, typer.Option("--si-sd", help="serial interval sd (days)")] = None,
    si_distr: Annotated[
        Path | None, typer.Option("--si-distr", help="CSV of the SI distribution w_0, w_1, … (columns k,w)")
    ] = None,
    window: Annotated[int, typer.Option(help="days per sliding window")] = methods.DEFAULT_WINDOW,
    json_output: JsonFlag = False,
) -> None:
    """Instantaneous reproduction number per sliding window (Cori et al. 2013, as EpiEstim)."""
    parametric = si_mean is not None or si_sd is not None
    if parametric == (si_distr is not None):
        raise InvalidInput("give either --si-mean and --si-sd, or --si-distr")
    if parametric and (si_mean is None or si_sd is None):
        raise InvalidInput("--si-mean and --si-sd go together")
    from ringfence.analytics import reproduction  # SciPy loads only when a command needs it

    data = read_incidence(csv_path)
    if isinstance(data, SplitIncidence):
        incidence = reproduction.incidence_from_split(data.local, data.imported)
    else:
        incidence = reproduction.incidence_from_cases(data.counts)
    windows = reproduction.sliding_windows(incidence.days, window)
    if parametric:
        si = reproduction.parametric_si(si_mean, si_sd, incidence.days)
    else:
        si = reproduction.nonparametric_si(read_si_distribution(si_distr))
    estimates = reproduction.estimate_r(incidence, si, windows)
    document = {
        "si": {
            "kind": "parametric" if parametric else "non_parametric",
            "parametric_mean": si.parametric_mean,
            "parametric_sd": si.parametric_sd,
            "mean": si.mean,
            "sd": si.sd,
            "distribution": [float(w) for w in si.distribution],
        },
        "windows": [_window_row(e, data.labels) for e in estimates],
    }
    if json_output:
        emit_json(document)
        return
    typer.echo(f"serial interval: mean {si.mean:.3f}, sd {si.sd:.3f} days")
    typer.echo(f"{'window':>12}  {'mean':>8}  {'sd':>8}  {'95% CrI':>20}")
    for row in document["windows"]:
        span = f"{row['t_start']}-{row['t_end']}"
        if row["mean"] is None:
            typer.echo(f"{span:>12}  {'not estimable (window ends before the SI mean)'}")
            continue
        interval = f"[{row['q025']:.3f}, {row['q975']:.3f}]"
        typer.echo(f"{span:>12}  {row['mean']:8.3f}  {row['sd']:8.3f}  {interval:>20}")


@analytics_app.command("aberration")
def aberration(
    csv_path: CsvPath,
    method: Annotated[AberrationMethod, typer.Option(help="detection method", case_sensitive=False)],
    alpha: Annotated[
        float | None, typer.Option(help="false-alarm rate (default: 0.001 C1/C2, 0.025 C3, 0.05 Farrington)")
    ] = None,
    range_start: Annotated[
        int | None,
        typer.Option("--range-start", help="first period to judge (1-based; default: first possible)"),
    ] = None,
    baseline: Annotated[
        int, typer.Option(help="EARS: periods in the baseline")
    ] = methods.DEFAULT_BASELINE,
    min_sigma: Annotated[float, typer.Option("--min-sigma", help="EARS: floor of the baseline sd")] = 0.0,
    c3_variant: Annotated[
        methods.C3Variant,
        typer.Option("--c3-variant", help="EARS C3: textbook sum, or surveillance's code"),
    ] = methods.C3Variant.textbook,
    b: Annotated[int | None, typer.Option(help="Farrington: years back")] = None,
    w: Annotated[int | None, typer.Option(help="Farrington: half-window (periods)")] = None,
    no_periods: Annotated[
        int | None, typer.Option("--no-periods", help="Farrington: seasonal levels")
    ] = None,
    weights_threshold: Annotated[
        float | None, typer.Option("--weights-threshold", help="Farrington: Anscombe residual threshold")
    ] = None,
    past_weeks_not_included: Annotated[
        int | None, typer.Option("--past-weeks-not-included", help="Farrington: recent periods left out")
    ] = None,
    threshold_method: Annotated[
        methods.ThresholdMethod | None,
        typer.Option("--threshold-method", help="Farrington threshold"),
    ] = None,
    powertrans: Annotated[
        methods.PowerTransform | None, typer.Option(help="Farrington (delta): power transformation")
    ] = None,
    p_threshold_trend: Annotated[
        float | None,
        typer.Option("--p-threshold-trend", help="Farrington: keep the trend below this p-value"),
    ] = None,
    trend: Annotated[
        bool | None, typer.Option("--trend/--no-trend", help="Farrington: fit a time trend")
    ] = None,
    reweight: Annotated[
        bool | None, typer.Option("--reweight/--no-reweight", help="Farrington: down-weight past outbreaks")
    ] = None,
    freq: Annotated[int, typer.Option(help="Farrington: periods per year")] = 52,
    json_output: JsonFlag = False,
) -> None:
    """Flag periods whose count exceeds what the past predicts (EARS C1–C3, Farrington)."""
    from ringfence.analytics import ears as ears_rules
    from ringfence.analytics import farrington as farrington_rules

    series = read_counts(csv_path)
    if method in _EARS:
        ears_method = _EARS[method]
        verdicts = ears_rules.ears(
            series.counts,
            ears_method,
            alpha=alpha,
            baseline=baseline,
            min_sigma=min_sigma,
            range_start=range_start,
            c3_variant=c3_variant,
        )
        used_alpha = ears_rules.default_alpha(ears_method) if alpha is None else alpha
        periods = [_period_row(v.index, v.observed, v.upperbound, v.alarm, series.labels) for v in verdicts]
        settings: dict[str, Any] = {"baseline": baseline, "min_sigma": min_sigma}
        if ears_method is methods.EarsMethod.c3:
            settings["c3_variant"] = c3_variant.value
    else:
        options = {
            "b": b,
            "w": w,
            "no_periods": no_periods,
            "weights_threshold": weights_threshold,
            "past_weeks_not_included": past_weeks_not_included,
            "threshold_method": threshold_method,
            "powertrans": powertrans,
            "p_threshold_trend": p_threshold_trend,
            "trend": trend,
            "reweight": reweight,
            "alpha": alpha,
        }
        given = {name: value for name, value in options.items() if value is not None}
        if method is AberrationMethod.farrington_flexible:
            control = farrington_rules.FarringtonControl(freq=freq, **given)
            verdicts = farrington_rules.farrington_flexible(series.counts, control, range_start=range_start)
            used_alpha = control.alpha
            settings = {
                "b": control.b,
                "w": control.w,
                "no_periods": control.no_periods,
                "weights_threshold": control.weights_threshold,
                "past_weeks_not_included": control.past_weeks_not_included
                if control.past_weeks_not_included is not None
                else control.w,
                "threshold_method": control.threshold_method.value,
                "powertrans": control.powertrans.value,
                "p_threshold_trend": control.p_threshold_trend,
                "trend": control.trend,
                "reweight": control.reweight,
                "freq": freq,
            }
        else:
            unsupported = set(given) - {"b", "w", "alpha", "powertrans", "trend", "reweight"}
            if unsupported:
                raise InvalidInput(
                    f"the original Farrington method takes no {', '.join(sorted(unsupported))}"
                )
            b_years = b if b is not None else 5
            half = w if w is not None else 3
            start = range_start if range_start is not None else freq * b_years + half + 1
            verdicts = farrington_rules.farrington_original(
                series.counts,
                range_start=start,
                freq=freq,
                **{
                    k: v
                    for k, v in given.items()
                    if k in {"b", "w", "alpha", "powertrans", "trend", "reweight"}
                },
            )
            used_alpha = alpha if alpha is not None else 0.05
            settings = {"b": b_years, "w": half, "two_sided": True, "freq": freq}
        periods = [_period_row(v.index, v.observed, v.upperbound, v.alarm, series.labels) for v in verdicts]
    document = {"method": method.value, "alpha": used_alpha, "settings": settings, "periods": periods}
    if json_output:
        emit_json(document)
        return
    alarms = [p for p in periods if p["alarm"]]
    typer.echo(f"{method.value}: {len(periods)} periods judged, {len(alarms)} alarms (alpha {used_alpha})")
    for row in periods:
        bound = "—" if row["upperbound"] is None else f"{row['upperbound']:.3f}"
        flag = "  ALARM" if row["alarm"] else ""
        typer.echo(f"{row['period']!s:>12}  observed {row['observed']:>8g}  upper bound {bound:>10}{flag}")


@analytics_app.command("growth")
def growth(csv_path: CsvPath, json_output: JsonFlag = False) -> None:
    """Growth rate and doubling (or halving) time with 95 % CIs, from a log-linear fit."""
    from ringfence.analytics import growth as growth_rules

    series = read_counts(csv_path)
    fit = growth_rules.fit_growth(series.counts)
    lower, upper = fit.doubling_time_ci
    document = {
        "r": fit.r,
        "r_ci": [fit.r_lower, fit.r_upper],
        "kind": "doubling" if fit.growing else "halving",
        "time": fit.doubling_time,
        "time_ci": [lower, upper],
        "periods_used": fit.days_used,
        "periods_dropped": fit.days_dropped,
    }
    if json_output:
        emit_json(document)
        return
    shown = ", ".join("unbounded" if v is None else f"{v:.2f}" for v in (lower, upper))
    typer.echo(f"growth rate {fit.r:.4f} per period (95% CI {fit.r_lower:.4f} to {fit.r_upper:.4f})")
    typer.echo(f"{document['kind']} time {fit.doubling_time:.2f} periods (95% CI {shown})")


@analytics_app.command("forecast")
def forecast(
    csv_path: CsvPath,
    horizon: Annotated[int, typer.Option(help="periods ahead")] = 7,
    seed: Annotated[int, typer.Option(help="random seed for horizons beyond 1")] = 0,
    json_output: JsonFlag = False,
) -> None:
    """Flat baseline forecast (COVID-19 Forecast Hub baseline) with quantiles per horizon."""
    from ringfence.analytics import growth as growth_rules

    series = read_counts(csv_path)
    forecasts = growth_rules.baseline_forecast(series.counts, horizon=horizon, seed=seed)
    document = {
        "last_observed": series.counts[-1],
        "forecasts": [
            {"horizon": f.horizon, "quantiles": [{"level": lv, "value": v} for lv, v in f.quantiles.items()]}
            for f in forecasts
        ],
    }
    if json_output:
        emit_json(document)
        return
    levels = list(methods.FORECAST_LEVELS)
    typer.echo("horizon  " + "  ".join(f"{lv:>7}" for lv in levels))
    for f in forecasts:
        typer.echo(f"{f.horizon:>7}  " + "  ".join(f"{f.quantiles[lv]:7.2f}" for lv in levels))


def _window_row(estimate: reproduction.WindowEstimate, labels: list[str] | None) -> dict[str, Any]:
    row: dict[str, Any] = {"t_start": estimate.t_start, "t_end": estimate.t_end}
    if labels is not None:
        row["date_start"], row["date_end"] = labels[estimate.t_start - 1], labels[estimate.t_end - 1]
    row.update(
        mean=estimate.mean,
        sd=estimate.sd,
        q025=estimate.quantile(0.025),
        median=estimate.quantile(0.5),
        q975=estimate.quantile(0.975),
    )
    return row


def _period_row(index: int, observed: float, upperbound: float | None, alarm: bool, labels) -> dict[str, Any]:
    period: int | str = index
    if labels is not None:
        label = labels[index - 1]
        period = int(label) if label.isdigit() else label
    return {"period": period, "observed": observed, "upperbound": upperbound, "alarm": alarm}
