"""队伍建设: posts and who holds them, training, assessment, the 民情直通车 and documents sent down.

The bureau's 2018 report is about people: one overloaded assistant per township, coordinators who leave, training and
assessment not done, and nothing passed on when someone goes. Each table here makes one of those visible.

One module per area: `posts` (posts, people, hand-overs, work notes), `training`, `assessment`, `needs`
(民情直通车) and `circulars`. Django finds the models through the imports here; import them from
`minzheng.workforce.models` as before.
"""

from .assessment import (
    AssessmentScheme,
    Award,
    CoordinatorCheck,
    CoordinatorMeeting,
    Indicator,
    IndicatorScore,
    IndicatorSource,
    TownshipResult,
    TownshipTarget,
)
from .circulars import Circular, CircularReceipt
from .needs import NeedCategory, NeedEvent, NeedReport, NeedSource, NeedStatus
from .posts import (
    EDUCATION_BANDS,
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    Education,
    Employment,
    EndReason,
    Handover,
    Post,
    PostHolding,
    PostKind,
    StaffMember,
    WorkNote,
)
from .training import Attendance, TrainingLevel, TrainingMaterial, TrainingPlan, TrainingSession

__all__ = [
    "EDUCATION_BANDS",
    "TOWNSHIP_KINDS",
    "VILLAGE_KINDS",
    "AssessmentScheme",
    "Attendance",
    "Award",
    "Circular",
    "CircularReceipt",
    "CoordinatorCheck",
    "CoordinatorMeeting",
    "Education",
    "Employment",
    "EndReason",
    "Handover",
    "Indicator",
    "IndicatorScore",
    "IndicatorSource",
    "NeedCategory",
    "NeedEvent",
    "NeedReport",
    "NeedSource",
    "NeedStatus",
    "Post",
    "PostHolding",
    "PostKind",
    "StaffMember",
    "TownshipResult",
    "TownshipTarget",
    "TrainingLevel",
    "TrainingMaterial",
    "TrainingPlan",
    "TrainingSession",
    "WorkNote",
]
