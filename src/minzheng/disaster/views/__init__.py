"""Pages for township and village staff (phone-width friendly) and the district. Thin: parse, call a service,
render. Reads go through core.scoping only.

One module per area: `events` (灾害过程 and the summary table), `reports` (灾情报告 and the rule book), `registers`
(per-person registers), `stock` (warehouses and allocations), `distributions` (发放 to households) and `winter`
(冬春救助). The 公示 pages without login are in `disaster.public`.
"""
