"""Situation figures (the read side) and the daily report: HTML, PDF, charts as Vega-Lite specs."""
