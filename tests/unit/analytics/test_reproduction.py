"""R(t) against EpiEstim's published examples and the oracle values of ALGORITHMS.md §1."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ringfence.analytics import reproduction as rt
from ringfence.core.errors import InvalidInput

REFERENCE = Path(__file__).parents[2] / "data" / "reference"
RTOL = 1e-6  # EpiEstim's snapshots print 7–8 significant digits


def column(name: str, field: str) -> list[float]:
    with (REFERENCE / name).open() as handle:
        return [float(row[field]) for row in csv.DictReader(handle)]


def epiestim_data(name: str) -> tuple[rt.Incidence, rt.SerialInterval]:
    cases = column(f"epiestim_{name}_incidence.csv", "I")
    return rt.incidence_from_cases(cases), rt.nonparametric_si(column(f"epiestim_{name}_si_distr.csv", "w"))


def weekly(incidence: rt.Incidence, si: rt.SerialInterval) -> dict[tuple[int, int], rt.WindowEstimate]:
    estimates = rt.estimate_r(incidence, si, rt.sliding_windows(incidence.days))
    return {(e.t_start, e.t_end): e for e in estimates}


def assert_matches_snapshot(estimates: list[rt.WindowEstimate], snapshot: str) -> None:
    with (REFERENCE / snapshot).open() as handle:
        expected = list(csv.DictReader(handle))
    assert [(e.t_start, e.t_end) for e in estimates] == [
        (int(r["t_start"]), int(r["t_end"])) for r in expected
    ]
    for estimate, row in zip(estimates, expected, strict=True):
        got = [
            estimate.mean,
            estimate.sd,
            estimate.quantile(0.025),
            estimate.quantile(0.05),
            estimate.quantile(0.25),
            estimate.quantile(0.5),
            estimate.quantile(0.75),
            estimate.quantile(0.95),
            estimate.quantile(0.975),
        ]
        want = [
            float(row[k])
            for k in (
                "Mean(R)",
                "Std(R)",
                "Quantile.0.025(R)",
                "Quantile.0.05(R)",
                "Quantile.0.25(R)",
                "Median(R)",
                "Quantile.0.75(R)",
                "Quantile.0.95(R)",
                "Quantile.0.975(R)",
            )
        ]
        np.testing.assert_allclose(
            got, want, rtol=RTOL, err_msg=f"window {estimate.t_start}-{estimate.t_end}"
        )


def test_discr_si_matches_epiestim_for_mean_2_6_and_sd_1_5():
    expected = [
        0,
        0.233172125408,
        0.358579400316,
        0.198110828540,
        0.103342655428,
        0.052905175248,
        0.026821461952,
        0.013516198089,
        0.006783437815,
        0.003394351359,
        0.001694674110,
    ]
    np.testing.assert_allclose(rt.discr_si(range(11), 2.6, 1.5), expected, rtol=1e-9, atol=1e-12)


def test_the_discretised_si_keeps_the_mean_and_has_epiestims_sd():
    si = rt.parametric_si(2.6, 1.5, 32)
    assert si.mean == pytest.approx(2.6, rel=1e-7)
    assert si.sd == pytest.approx(1.55488, rel=1e-5)  # SI.Moments in EpiEstim's snapshot


def test_overall_infectivity_matches_epyestims_published_case():
    incidence = rt.Incidence(local=np.array([1.0, 3, 4, 7, 10, 3]), imported=np.zeros(6))
    si = rt.SerialInterval(distribution=np.array([0, 0.3, 0.4, 0.2, 0]))
    lam = rt.overall_infectivity(incidence, si)
    assert np.isnan(lam[0])
    np.testing.assert_allclose(lam[1:], [0.3, 1.3, 2.6, 4.3, 6.6])


def test_overall_infectivity_of_flu2009_matches_the_worked_window():
    incidence, si = epiestim_data("Flu2009")
    lam = rt.overall_infectivity(incidence, si)
    np.testing.assert_allclose(lam[1:8], [0.233, 0.592, 0.557, 0.767, 2.039, 2.970, 3.013], atol=5e-4)


def test_flu2009_with_the_published_si_distribution_matches_epiestim_example_1():
    incidence, si = epiestim_data("Flu2009")
    estimates = rt.estimate_r(incidence, si, rt.sliding_windows(incidence.days))
    assert_matches_snapshot(estimates, "epiestim_Example1_Flu2009_nonparametric_R.csv")


def test_flu2009_with_a_parametric_si_matches_epiestim_example_3():
    incidence, _ = epiestim_data("Flu2009")
    estimates = rt.estimate_r(incidence, rt.parametric_si(2.6, 1.5, incidence.days), rt.sliding_windows(32))
    assert_matches_snapshot(estimates, "epiestim_Example3_Flu2009_parametric_2.6_1.5_R.csv")


def test_imported_cases_feed_infectivity_but_not_the_numerator_as_in_epiestim_example_2():
    local = [0, 2, 0, 0, 1, 2, 0, 1] + [0] * 18 + [1]
    imported = [1, 1, 1, 1, 2, 2, 1, 0, 0, 1] + [0] * 17
    incidence = rt.incidence_from_split(local, imported)
    estimates = weekly(incidence, rt.parametric_si(2.6, 1.5, incidence.days))
    published = {
        (2, 8): (0.6413590, 0.2424109, 0.257859602, 0.6110903, 1.1965445),
        (3, 9): (0.3999222, 0.1788506, 0.129853640, 0.3736000, 0.8191677),
        (20, 26): (4.8583931, 4.8583931, 0.123003865, 3.3675815, 17.9220266),
        (21, 27): (9.8571825, 6.9700806, 1.193750537, 8.2718863, 27.4603530),
    }
    for window, values in published.items():
        e = estimates[window]
        got = (e.mean, e.sd, e.quantile(0.025), e.quantile(0.5), e.quantile(0.975))
        np.testing.assert_allclose(got, values, rtol=RTOL, err_msg=str(window))


def test_a_case_series_counts_day_ones_cases_as_imported():
    incidence = rt.incidence_from_cases([4, 2, 3])
    assert incidence.imported.tolist() == [4, 0, 0]
    assert incidence.local.tolist() == [0, 2, 3]


def test_local_cases_on_day_one_are_moved_to_imported():
    incidence = rt.incidence_from_split([2, 1], [1, 0])
    assert incidence.imported.tolist() == [3, 0]
    assert incidence.local.tolist() == [0, 1]


def test_sars2003_window_ending_before_the_si_mean_is_not_estimable():
    estimates = weekly(*epiestim_data("SARS2003"))
    assert not estimates[(2, 8)].estimable
    assert estimates[(2, 8)].mean is None and estimates[(2, 8)].quantile(0.5) is None
    e = estimates[(3, 9)]
    np.testing.assert_allclose(
        [e.mean, e.sd, e.quantile(0.025), e.quantile(0.975)],
        [5.758157390, 2.350757911, 2.113142278, 11.19801543],
        rtol=RTOL,
    )
    assert estimates[(101, 107)].mean == pytest.approx(0.5566157761, rel=RTOL)


def test_flu1918_matches_the_oracle_at_both_ends():
    estimates = weekly(*epiestim_data("Flu1918"))
    e = estimates[(2, 8)]
    np.testing.assert_allclose(
        [e.mean, e.sd, e.quantile(0.025), e.quantile(0.975)],
        [1.414520214, 0.2157123104, 1.0236952930, 1.867554814],
        rtol=RTOL,
    )
    assert estimates[(86, 92)].mean == pytest.approx(0.8744316194, rel=RTOL)


def test_measles_windows_ending_before_the_si_mean_of_14_9_are_not_estimable():
    incidence, si = epiestim_data("Measles1861")
    estimates = weekly(incidence, si)
    assert si.mean == pytest.approx(14.89965)
    # EpiEstim estimates a window only when t_end > mean SI, so 9..15 is the first one
    assert [w for w, e in estimates.items() if not e.estimable] == [(s, s + 6) for s in range(2, 9)]
    assert estimates[(9, 15)].estimable
    assert estimates[(42, 48)].mean == pytest.approx(0.2005503101, rel=RTOL)


def test_smallpox_last_window_matches_the_oracle():
    estimates = weekly(*epiestim_data("Smallpox1972"))
    assert estimates[(51, 57)].mean == pytest.approx(0.1660440017, rel=RTOL)


def test_default_windows_slide_from_day_two():
    assert rt.sliding_windows(10, 7) == [(2, 8), (3, 9), (4, 10)]
    assert rt.sliding_windows(10, 3)[0] == (2, 4)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda: rt.discr_si(range(5), 1.0, 1.0), "greater than 1"),
        (lambda: rt.incidence_from_cases([1, -2, 3]), "negative"),
        (lambda: rt.sliding_windows(7, 7), "at least 8 days"),
        (lambda: rt.nonparametric_si([0, 0.5, 0.3]), "sum to 1"),
        (lambda: rt.nonparametric_si([0.1, 0.5, 0.4]), "day 0"),
        (lambda: rt.incidence_from_split([1, 2], [0]), "differ in length"),
    ],
)
def test_it_refuses_bad_input(action, message):
    with pytest.raises(InvalidInput, match=message):
        action()
