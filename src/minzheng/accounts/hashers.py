"""Password hashing: Argon2id at the cost OWASP recommends, sized for the 2-core servers a county runs.

Django's default Argon2 (100 MiB, 2 passes, 8 lanes) takes about 0.4 s of both cores per login on such a machine:
fifty people signing in at 8 a.m. queue every page behind them for twenty seconds. OWASP's Password Storage Cheat
Sheet gives Argon2id with 19 MiB, 2 passes and 1 lane as the minimum that resists GPU cracking; that is used here.
Hashes made with other parameters still verify and are re-hashed at the next successful login (must_update)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class MinzhengArgon2Hasher(Argon2PasswordHasher):
    # algorithm stays "argon2": existing hashes keep verifying
    time_cost = 2
    memory_cost = 19 * 1024   # KiB
    parallelism = 1
