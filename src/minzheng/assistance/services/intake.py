"""受理: a written application (本人/委托) or a 主动发现, filed in the household's village and numbered by programme;
assigning the case to an officer; the applicant withdrawing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.policy import services as policy
from minzheng.regions.selectors import township_of
from minzheng.registry.models import Household, Person, Programme, ProgrammeFamily

from .. import workflow
from ..models import Application, Channel, LinshiType, PublicityStatus, RuleSet, Status
from .kinship import flag_kinship
from .publicity import take_down
from .transitions import begin_action, is_case_officer, record_opinion, save_case, workflow_open

# Case-number prefix of each programme handled by this procedure.
PREFIX = {"dibao_urban": "DBC", "dibao_rural": "DBN", "tekun_dispersed": "TKF", "tekun_central": "TKJ",
          "linshi": "LS"}
CASE_PROGRAMMES = tuple(PREFIX)


@transaction.atomic
def create_application(*, actor: Actor, programme_code: str, household: Household, applicant: Person,
                       person: Person | None = None, channel: str = Channel.SELF, entrusted_to: str = "",
                       rule_set: str | None = None, linshi_type: str = "", reason: str = "",
                       declared_kinship: str = "", received_on: dt.date | None = None, single_person: bool = False,
                       expense_amount: Decimal | None = None, months: int | None = None,
                       selfcare_failed: Iterable[str] = ()) -> Application:
    """受理: a written application (本人/委托) or a 主动发现 by a coordinator, filed in the household's village."""
    require_division(actor, household.division, Cap.EDIT_BUSINESS)
    received_on = received_on or dates.today()
    if programme_code not in CASE_PROGRAMMES:
        raise ValidationError({"programme": "该项目不通过本流程办理"})
    programme = Programme.objects.get(code=programme_code)
    if applicant.household_id != household.pk:
        raise ValidationError({"applicant": "申请人不是该家庭成员"})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": "救助对象不是该家庭成员"})
    if programme.family == ProgrammeFamily.TEKUN and person is None:
        person = applicant
    if single_person and person is None:
        raise ValidationError({"person": "单人保须指定保障对象"})
    if channel == Channel.ENTRUSTED and not entrusted_to.strip():
        raise ValidationError({"entrusted_to": "委托申请须填写受委托人"})
    if programme.family == ProgrammeFamily.LINSHI:
        if linshi_type not in LinshiType.values:
            raise ValidationError({"linshi_type": "请选择临时救助类型（急难型/支出型）"})
    else:
        linshi_type = ""
    open_same = Application.objects.filter(household=household, programme=programme, status__in=workflow_open())
    if person is not None:
        open_same = open_same.filter(person=person)
    if open_same.exists():
        raise ValidationError({"household": f"该家庭已有在办的{programme.name}申请：{open_same.first().number}"})
    if rule_set is None:
        rule_set = str(policy.value("dibao.rule_version", on=received_on, division=household.division))
    if rule_set not in RuleSet.values:
        rule_set = RuleSet.R2012 if rule_set < "2021" else RuleSet.R2021
    village = household.division
    township = township_of(village) or village
    app = Application(
        programme=programme, household=household, applicant=applicant, person=person, division=village,
        township=township, channel=channel, entrusted_to=entrusted_to.strip(), rule_set=rule_set,
        linshi_type=linshi_type, reason=reason, declared_kinship=declared_kinship.strip(),
        received_on=received_on, single_person=single_person, expense_amount=expense_amount, months=months,
        selfcare_failed=list(selfcare_failed), created_by=actor if getattr(actor, "pk", None) else None,
        assigned_to=actor if is_case_officer(actor) else None,
    )
    app.step_due = workflow.step_deadline(app, Status.ACCEPTED, received_on)
    app.overall_due = workflow.overall_deadline(app)
    app.save()
    app.number = f"{PREFIX[programme_code]}{received_on:%Y}{app.pk:06d}"
    app.save(update_fields=["number"])
    label = Channel(channel).label
    record_opinion(app, action="accept", from_status="", actor=actor,
                   text=f"{label}受理" + (f"（受委托人：{app.entrusted_to}）" if app.entrusted_to else ""))
    flag_kinship(app)
    return app


@transaction.atomic
def assign(app: Application, *, actor: Actor, to_user: Actor) -> Application:
    require_edit(actor, app, Cap.EDIT_BUSINESS)
    if to_user is not None and not to_user.has_cap(Cap.EDIT_BUSINESS):
        raise PermissionDenied("该用户不能经办案件")
    app.assigned_to = to_user
    app.save(update_fields=["assigned_to", "updated_at"])
    return app


@transaction.atomic
def withdraw(app: Application, *, actor: Actor, text: str = "", version: int | None = None) -> Application:
    app, before = begin_action(app, "withdraw", actor, version)
    app.status = Status.WITHDRAWN
    app.step_due = None
    for pub in app.publicities.filter(status=PublicityStatus.ACTIVE):
        take_down(pub, actor)
    save_case(app)
    record_opinion(app, action="withdraw", from_status=before, actor=actor, text=text or "申请人撤回申请")
    return app
