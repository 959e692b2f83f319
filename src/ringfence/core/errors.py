"""Errors the faces translate: the CLI to exit 2 with one line, the API to a JSON status."""

from __future__ import annotations


class RingfenceError(Exception):
    """Base of every error a user may see; its message is one line meant for them."""

    status_code = 400


class InvalidInput(RingfenceError):
    status_code = 422


class NotFound(RingfenceError):
    """Missing, or outside the caller's jurisdiction: the two are never told apart."""

    status_code = 404


class Forbidden(RingfenceError):
    status_code = 403


class NotAuthenticated(RingfenceError):
    status_code = 401


class Conflict(RingfenceError):
    status_code = 409


class Throttled(RingfenceError):
    status_code = 429


class RefusedFile(InvalidInput):
    """A feed file refused whole (e.g. a required column is missing); nothing was written."""
