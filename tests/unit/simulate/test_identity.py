from __future__ import annotations

import numpy as np

from ringfence.simulate import identity

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def test_it_gives_resident_ids_with_valid_check_digits_and_birth_dates() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    codes = rng.choice([410102, 410105, 410185], n)
    days = rng.integers(-20000, 15000, n)
    male = rng.random(n) < 0.5
    ids = identity.resident_ids(codes, days, male).to_pylist()
    assert len(set(ids)) == n
    for number, code, day, is_male in zip(ids[:500], codes, days, male):
        assert len(number) == 18
        assert number[17] == _check_char(number[:17])
        assert number[:6] == str(code)
        assert number[6:14] == str(np.datetime64(int(day), "D")).replace("-", "")
        assert int(number[16]) % 2 == int(is_male)


def test_it_keeps_id_numbers_unique_when_many_share_a_birth_date() -> None:
    n = 900
    ids = identity.resident_ids(np.full(n, 410102), np.full(n, 7000), np.arange(n) % 2 == 0).to_pylist()
    assert len(set(ids)) == n


def test_phone_numbers_are_unique_mainland_mobiles() -> None:
    phones = identity.phone_numbers(np.arange(200_000), seed=5).to_pylist()
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and p.isdigit() and "13" <= p[:2] <= "19" for p in phones)


def test_prefixed_ids_are_zero_padded() -> None:
    assert identity.prefixed_ids("P", np.array([0, 42]), 8).to_pylist() == ["P00000000", "P00000042"]
