"""Pages of 队伍建设. Thin: parse, call a service, render. Rows are read only through core.scoping.

One module per area: `overview` (overview, staffing, the bureau report), `posts` (posts, staff, hand-overs),
`training`, `assessment` (考核 and the coordinators' meetings and checks), `needs` (民情直通车), `circulars`
(documents sent down) and `notes` (work notes). The public 民情 form without login is in `public_views`.
"""
