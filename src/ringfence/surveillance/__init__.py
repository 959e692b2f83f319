"""Sentinel surveillance: follow-up tests of pharmacy buyers and fever-clinic visitors, daily counts, aberration alarms."""
