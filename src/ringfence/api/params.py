"""Parameters every list and record view shares: pages (`?page=&size=` in,
`{"items", "total", "page", "size"}` out) and register ids in paths."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel

from ringfence.areas.schemas import ID_PATTERN

T = TypeVar("T")

MAX_PAGE_SIZE = 500

# a register id (person, area, building, venue…): printable, as the feeds give it
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]


class PageParams(BaseModel):
    page: int
    size: int


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page")] = 50,
) -> PageParams:
    return PageParams(page=page, size=size)


Paging = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @classmethod
    def of(cls, items: list[T], total: int, paging: PageParams) -> Page[T]:
        return cls(items=items, total=total, page=paging.page, size=paging.size)
