"""The payments API router, shared by api.py (rosters, funds, allowances) and api_fixes.py (pre-flight, holds,
supplements, payees, spending, fund report), so the whole app mounts as one router under /api/payments/."""

from ninja import Router

router = Router(tags=["资金发放"])
