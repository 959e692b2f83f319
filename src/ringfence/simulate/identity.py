"""Identities of synthetic people: names, resident ID numbers, phone numbers, record ids.

Everything is vectorised (numpy digits, Arrow string kernels) so 12.6 M people take seconds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国宇浩然子涵欣怡梓轩一诺雨泽晨阳思远佳琪嘉怡文博志强海燕晓东俊杰")


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids like P00000042: a prefix and a zero-padded number, as an Arrow string array."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def names(rng: np.random.Generator, n: int) -> pa.Array:
    """Chinese names: a surname and one or two given characters."""
    surname = pa.array(SURNAMES).take(pa.array(rng.integers(0, len(SURNAMES), n)))
    first = pa.array(GIVEN).take(pa.array(rng.integers(0, len(GIVEN), n)))
    second_choice = rng.integers(0, len(GIVEN) + len(GIVEN) // 2, n)  # a third of names have one given char
    second = pa.array(GIVEN + [""] * (len(GIVEN) // 2)).take(pa.array(second_choice))
    return pc.binary_join_element_wise(surname, first, second, "")


def check_digit(first17: np.ndarray) -> np.ndarray:
    """ISO 7064 MOD 11-2 check characters (as bytes) of rows of 17 digit values."""
    return CHECK_CHARS[(first17.astype(np.int64) @ ID_WEIGHTS) % 11]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, dtype=np.int64)[:, None] // powers) % 10


def resident_ids(area_codes: np.ndarray, birth_days: np.ndarray, male: np.ndarray) -> pa.Array:
    """Unique 18-character resident ID numbers with valid check digits.

    `area_codes` are 6-digit codes, `birth_days` days since 1970-01-01, `male` booleans; the
    sequence number is odd for men, and ranked within (area, birth date, sex) so numbers
    never collide (at most 500 people per area, day and sex — far above any real city).
    """
    n = len(area_codes)
    order = np.lexsort((male, birth_days, area_codes))
    key = np.stack([area_codes[order], birth_days[order], male[order].astype(np.int64)], axis=1)
    new_group = np.ones(n, dtype=bool)
    if n > 1:
        new_group[1:] = np.any(key[1:] != key[:-1], axis=1)
    starts = np.flatnonzero(new_group)
    group_of = np.cumsum(new_group) - 1
    rank_sorted = np.arange(n) - starts[group_of]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = rank_sorted
    if n and rank.max() >= 500:
        raise ValueError("too many people share an area, birth date and sex for unique ID numbers")
    sequence = rank * 2 + male.astype(np.int64)
    ymd = _yyyymmdd(birth_days)
    first17 = np.concatenate([_digits(area_codes, 6), _digits(ymd, 8), _digits(sequence, 3)], axis=1)
    chars = np.concatenate([(first17 + ord("0")).astype(np.uint8), check_digit(first17)[:, None]], axis=1)
    return fixed_width_strings(chars)


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    dates = np.asarray(days, dtype="datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (dates - months).astype(np.int64) + 1
    return year * 10000 + month * 100 + day


def fixed_width_strings(chars: np.ndarray) -> pa.Array:
    """An Arrow string array from an (n, width) matrix of ASCII bytes."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]).cast(
        pa.string()
    )


# 11-digit numbers 13x…19x: an affine bijection of the index, so numbers are unique and scattered.
_PHONE_BASE = 13_000_000_000
_PHONE_SPAN = 7_000_000_000
_PHONE_MULTIPLIER = 2_654_435_761  # odd and not a multiple of 5 or 7: coprime with the span


def phone_numbers(indices: np.ndarray, seed: int) -> pa.Array:
    """Unique mainland mobile numbers for distinct non-negative indices (the seed shifts them)."""
    idx = np.asarray(indices, dtype=np.int64)
    salt = seed * 7919 + 1_234_567_891
    values = _PHONE_BASE + (idx * _PHONE_MULTIPLIER + salt % _PHONE_SPAN) % _PHONE_SPAN
    return fixed_width_strings((_digits(values, 11) + ord("0")).astype(np.uint8))
