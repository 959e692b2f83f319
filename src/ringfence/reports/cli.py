"""`ringfence report daily`: the morning report of one day, as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

report_app = typer.Typer(help="Situation reports.", no_args_is_help=True)


@report_app.command("daily")
def daily(
    day: Annotated[str, typer.Option("--date", help="the day reported on (figures as of its end)")],
    out: Annotated[Path, typer.Option("--out", help="file to write")],
    report_format: Annotated[str, typer.Option("--format", help="html or pdf")] = "html",
    lang: Annotated[str, typer.Option("--lang", help="zh or en")] = "zh",
) -> None:
    """The daily situation report: headline figures, epidemic curve, R(t), map, sentinel alarms, overdue tasks."""
    from ringfence.config import get_settings
    from ringfence.core import clock
    from ringfence.core.errors import InvalidInput
    from ringfence.eventlog.store import open_store
    from ringfence.protocols import service as protocols
    from ringfence.reports import service
    from ringfence.reports.schemas import ReportLanguage
    from ringfence.terminal import unit_of_work

    if report_format not in ("html", "pdf"):
        raise InvalidInput(f"--format must be html or pdf (got {report_format!r})")
    if lang not in tuple(ReportLanguage):
        raise InvalidInput(f"--lang must be zh or en (got {lang!r})")
    if not out.parent.is_dir():
        raise InvalidInput(f"no folder {out.parent} to write {out.name} in")
    reported = clock.parse_date(day)
    settings = get_settings()
    protocol = protocols.load(settings.protocol)
    with unit_of_work(settings) as session, open_store(settings) as store:
        report = service.daily(session=session, store=store, protocol=protocol, day=reported, tz=settings.tz,
                               lang=lang)
    if report_format == "pdf":
        out.write_bytes(service.render_pdf(report))
    else:
        out.write_text(service.render_html(report), encoding="utf-8")
    typer.echo(f"Wrote the {reported} report ({report_format}, {lang}) to {out}")
