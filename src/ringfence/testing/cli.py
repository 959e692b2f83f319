"""`ringfence testing …`: commands of the testing (screening) capability."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ringfence.terminal import emit_json
from ringfence.testing import pooling

testing_app = typer.Typer(help="Screening rounds, pooled tests and recalls.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON document and nothing else")]


@testing_app.command("pool-size")
def pool_size(
    prevalence: Annotated[float, typer.Option(help="expected fraction positive, e.g. 0.01 for 1 %")],
    sensitivity: Annotated[float, typer.Option(help="assay sensitivity (pool and single tube)")] = 1.0,
    specificity: Annotated[float, typer.Option(help="assay specificity (pool and single tube)")] = 1.0,
    people: Annotated[int | None, typer.Option(help="people in the round, for the expected lab load")] = None,
    max_size: Annotated[
        int, typer.Option("--max-size", help="largest pool size allowed")
    ] = pooling.DEFAULT_MAX_POOL_SIZE,
    json_output: JsonFlag = False,
) -> None:
    """The Dorfman pool size with the fewest expected tests per person."""
    accuracy = pooling.AssayAccuracy(sensitivity=sensitivity, specificity=specificity)
    size = pooling.optimal_pool_size(prevalence, accuracy, max_size=max_size)
    best = pooling.characteristics(size, prevalence, accuracy)
    document: dict[str, Any] = {
        "pool_size": size,
        "tests_per_person": best.tests_per_person,
        "prevalence": prevalence,
        "sensitivity": sensitivity,
        "specificity": specificity,
        "pool_positive_probability": best.pool_positive_probability,
        "pooled_sensitivity": best.sensitivity,
        "pooled_specificity": best.specificity,
        "ppv": best.ppv,
        "npv": best.npv,
        # past ~31 % prevalence no pool beats testing everyone alone
        "pooling_saves_tests": best.tests_per_person < 1.0,
    }
    if people is not None:
        load = pooling.screening_round(people, size, prevalence, accuracy)
        document["round"] = {
            "people": load.people,
            "pools": load.pools,
            "expected_retests": load.expected_retests,
            "expected_tests": load.expected_tests,
            "expected_positive_pools": load.expected_positive_pools,
            "expected_people_held": load.expected_people_held,
        }
    if json_output:
        emit_json(document)
        return
    typer.echo(
        f"pool size {size}: {best.tests_per_person:.4f} tests per person "
        f"({best.tests_per_person:.1%} of testing everyone alone)"
    )
    if not document["pooling_saves_tests"]:
        typer.echo("at this prevalence pooling costs more than single tubes")
    if people is not None:
        r = document["round"]
        typer.echo(
            f"a round of {people} people: {r['pools']} pooled tubes, ~{r['expected_retests']:.0f} single-tube "
            f"retests, ~{r['expected_tests']:.0f} tests in all"
        )
