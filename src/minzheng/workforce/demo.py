"""Demo workforce: staff for all 21 townships and a sample of villages, training with attendance, an assessment
year, 民情 items in every state and documents sent down.

Generated so that the bureau report reproduces the 2018 report's own tables exactly: the 21 office heads by
education (大专以上 8, 中专 8, 初中 5) and age (50 and over 8, 40–50 9, under 40 4) on the day the demo is loaded
and after, and the 2015 助老协理员 cohort with 70% gone within three years (14 of 20). Deterministic and idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from minzheng.accounts.models import User
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division, Level

from . import assessment, needs, staff
from .models import (
    Attendance,
    Award,
    CoordinatorCheck,
    CoordinatorMeeting,
    Education,
    Employment,
    EndReason,
    NeedCategory,
    NeedReport,
    NeedSource,
    PostHolding,
    PostKind,
    StaffMember,
    TrainingLevel,
    TrainingMaterial,
    TrainingPlan,
    TrainingSession,
    WorkNote,
)

# Demo populations (sum 504,000 = 全区总人口50.4万); the real per-township figures are not in the report.
POPULATIONS = {
    "梅山街道": 62000, "黄墩街道": 45000, "紫云街道": 50000, "四鹤街道": 42000, "水南街道": 52000, "水东街道": 28000,
    "来舟镇": 14000, "樟湖镇": 18000, "夏道镇": 24000, "西芹镇": 26000, "峡阳镇": 16000, "南山镇": 21000,
    "大横镇": 17000, "王台镇": 15000, "太平镇": 12000, "塔前镇": 11000, "茫荡镇": 8000, "洋后镇": 9000,
    "炉下镇": 19000, "巨口乡": 7000, "赤门乡": 8000,
}
# The report's tables (21 民政办主任): education and age groups.
HEAD_EDUCATION = [Education.BACHELOR] * 3 + [Education.COLLEGE] * 5 + [Education.SECONDARY] * 8 + \
    [Education.JUNIOR] * 5
HEAD_AGE_BANDS = [(50, 58)] * 8 + [(40, 49)] * 9 + [(28, 39)] * 4
COHORT_2015_SIZE, COHORT_2015_GONE = 20, 14

SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢洪郭邱曾廖赖徐周叶苏庄吕江何罗高潘朱游"
GIVEN = "志伟建华秀英丽明国强海燕小红玉兰文杰春梅金福荣德宝珍桂芳永清晓东丽娟俊辉雪梅冬生长荣卫平彬彬"

NEED_TEXTS = {
    NeedCategory.HARDSHIP: ["独居老人家中无人照料，生活困难，建议入户核查低保条件", "家庭主要劳动力患重病住院，子女上学，收入骤减",
                            "残疾人家庭房屋漏雨，生活拮据"],
    NeedCategory.RISK: ["村道旁危房有倒塌风险，住户仍在居住", "连日降雨，后山出现裂缝，附近三户需转移", "留守老人用电线路老化"],
    NeedCategory.COMPLAINT: ["反映本村低保评议未公示", "高龄津贴连续两个月未到账", "临时救助申请提交后无人答复"],
    NeedCategory.REQUEST: ["希望开展老年人助餐服务", "申请为残疾人家庭办理护理补贴", "询问特困供养如何申请"],
    NeedCategory.CHILD: ["留守儿童父母均外出，祖母年老体弱无力照料", "困境儿童辍学在家"],
    NeedCategory.OTHER: ["村民咨询婚姻登记办理地点", "反映公墓管理问题"],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))


def _birth(rng: random.Random, today: dt.date, age: int) -> dt.date:
    """A birth date making the person exactly `age` today (birthday 1–300 days ago)."""
    try:
        anniversary = today.replace(year=today.year - age)
    except ValueError:
        anniversary = today.replace(year=today.year - age, day=28)
    return anniversary - dt.timedelta(days=rng.randint(1, 300))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load(out: TextIO, *, scale: float) -> None:
    if StaffMember.objects.filter(is_demo=True).exists():
        out.write("队伍建设演示数据已存在，跳过\n")
        return
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    if county is None:
        return
    rng = random.Random(8)
    today = dates.today()
    with audit.batched():  # one transaction, its audit entries chained at its end
        towns = list(Division.objects.filter(level=Level.TOWNSHIP, path__startswith=county.path).order_by("code"))
        _populations(towns)
        heads = _township_staff(rng, county, towns, today)
        villages = _village_staff(rng, towns, today, scale)
        _training(rng, county, towns, today)
        _needs(rng, villages, today)
        _coordinator_assessment(rng, towns, today)
        _assessment(rng, county, today)
        _circulars(rng, county, towns)
        _notes(today)
    out.write(f"队伍建设演示数据：{StaffMember.objects.count()} 名工作人员、{len(heads)} 名民政办主任、"
              f"{NeedReport.objects.count()} 件民情、{TrainingSession.objects.count()} 期培训\n")


def _populations(towns: list[Division]) -> None:
    changed = []
    for t in towns:
        if t.population is None and t.name in POPULATIONS:
            t.population, t.population_is_demo = POPULATIONS[t.name], True
            changed.append(t)
    if changed:
        Division.objects.bulk_update(changed, ["population", "population_is_demo"])
        audit.record("workforce.demo.population", summary=f"填入演示人口 {len(changed)} 个乡镇(街道)",
                     detail={t.code: t.population for t in changed})


def _township_staff(rng: random.Random, county: Division, towns: list[Division], today: dt.date) -> list[Any]:
    # District bureau staff.
    for title in ("社会救助股", "基层政权和社区建设股", "人事股"):
        p = staff.create_post(division=county, kind=PostKind.DISTRICT, title=title)
        s = staff.create_staff(division=county, name=_name(rng), sex=rng.choice("12"), is_demo=True,
                               birth_date=_birth(rng, today, rng.randint(28, 52)), education=Education.BACHELOR)
        staff.appoint(post=p, staff=s, start=dt.date(rng.randint(2010, 2020), 3, 1))
    edu = HEAD_EDUCATION[:]
    ages = HEAD_AGE_BANDS[:]
    rng.shuffle(edu)
    rng.shuffle(ages)
    accounts = {"梅山街道": _user("meishan"), "夏道镇": _user("xiadao")}
    heads = []
    for i, t in enumerate(towns):
        head_post = staff.create_post(division=t, kind=PostKind.TOWNSHIP_ASSISTANT, title="民政办主任", is_head=True)
        # Earlier heads: "有的乡镇一两年就换一个".
        start = dt.date(rng.randint(2008, 2012), rng.randint(1, 12), 1)
        for _ in range(rng.randint(0, 3)):
            prev = staff.create_staff(division=t, name=_name(rng), is_demo=True, education=rng.choice(Education.values),
                                      birth_date=_birth(rng, today, rng.randint(45, 70)))
            staff.appoint(post=head_post, staff=prev, start=start, employment=rng.choice(Employment.values))
            start = start + dt.timedelta(days=rng.randint(400, 1300))
            staff.hand_over(post=head_post, on=start, reason=rng.choice([EndReason.TRANSFERRED, EndReason.RETIRED,
                                                                         EndReason.RESIGNED]))
        lo, hi = ages[i]
        head = staff.create_staff(division=t, name=_name(rng), sex=rng.choice("12"), is_demo=True, education=edu[i],
                                  birth_date=_birth(rng, today, rng.randint(lo, hi)), user=accounts.get(t.name),
                                  phone=f"0599-{rng.randint(8300000, 8899999)}",
                                  other_duties="" if rng.random() < 0.6 else "乡镇事业干部（兼）")
        employment = Employment.FULL if not head.other_duties else Employment.PART
        staff.appoint(post=head_post, staff=head, start=min(start, today - dt.timedelta(days=30)),
                      employment=employment)
        heads.append(head)
        # A second 民政助理员 only in the biggest offices: the report finds most have one.
        if (t.population or 0) >= 45000:
            p2 = staff.create_post(division=t, kind=PostKind.TOWNSHIP_ASSISTANT)
            s2 = staff.create_staff(division=t, name=_name(rng), is_demo=True, education=Education.COLLEGE,
                                    birth_date=_birth(rng, today, rng.randint(25, 45)))
            staff.appoint(post=p2, staff=s2, start=dt.date(rng.randint(2016, 2023), 9, 1))
    # 助老协理员: one per township; the first batch (2015) in 20 of them, 14 gone within three years.
    gone = set(rng.sample(range(COHORT_2015_SIZE), COHORT_2015_GONE))
    for i, t in enumerate(towns):
        p = staff.create_post(division=t, kind=PostKind.ELDERLY_ASSISTANT, established=False)
        cohort = 2015 if i < COHORT_2015_SIZE else 2016
        start = dt.date(cohort, 7, 1)
        s = staff.create_staff(division=t, name=_name(rng), is_demo=True, education=rng.choice(
            [Education.COLLEGE, Education.SECONDARY, Education.BACHELOR]), birth_date=_birth(rng, today,
                                                                                              rng.randint(22, 35)))
        staff.appoint(post=p, staff=s, start=start, employment=Employment.FULL, cohort=cohort)
        if i in gone:
            end = start + dt.timedelta(days=rng.randint(150, 1000))
            while end <= today - dt.timedelta(days=200):
                nxt = staff.create_staff(division=t, name=_name(rng), is_demo=True, education=Education.COLLEGE,
                                         birth_date=_birth(rng, today, rng.randint(22, 35)))
                staff.hand_over(post=p, on=end, reason=EndReason.RESIGNED, successor=nxt, cohort=end.year,
                                note="待遇偏低辞职（演示）")
                end = end + dt.timedelta(days=rng.randint(500, 2400))
    return heads


def _village_staff(rng: random.Random, towns: list[Division], today: dt.date, scale: float) -> list[Division]:
    accounts = {"中山社区居委会": _user("zhongshan")}
    sample: list[Division] = []
    for t in towns:
        vs = list(Division.objects.filter(parent=t, level=Level.VILLAGE).order_by("code"))
        if scale >= 0.5 or t.name in ("梅山街道", "夏道镇"):
            sample += vs
        else:
            sample += vs[:max(2, int(len(vs) * min(1.0, scale * 2)))]
    for v in sample:
        for kind, since in ((PostKind.VILLAGE_COORDINATOR, 2016), (PostKind.CHILD_DIRECTOR, 2020)):
            p = staff.create_post(division=v, kind=kind)
            user = accounts.pop(v.name, None) if kind == PostKind.VILLAGE_COORDINATOR else None
            s = staff.create_staff(division=v, name=_name(rng), sex="2" if kind == PostKind.CHILD_DIRECTOR else
                                   rng.choice("12"), is_demo=True, user=user,
                                   education=rng.choice([Education.SECONDARY, Education.JUNIOR, Education.COLLEGE]),
                                   birth_date=_birth(rng, today, rng.randint(26, 60)),
                                   other_duties=rng.choice(["村委会委员", "村妇联主席", "村党支部委员", "村文书"]))
            start = dt.date(rng.randint(since, since + 4), rng.randint(1, 12), 1)
            staff.appoint(post=p, staff=s, start=start, employment=Employment.PART, cohort=start.year)
            if user is None and rng.random() < 0.3 and start < today - dt.timedelta(days=500):
                nxt = staff.create_staff(division=v, name=_name(rng), is_demo=True, education=Education.SECONDARY,
                                         birth_date=_birth(rng, today, rng.randint(26, 55)), other_duties="村委会委员")
                on = start + dt.timedelta(days=rng.randint(200, 480))
                staff.hand_over(post=p, on=on, reason=EndReason.RESIGNED, successor=nxt,
                                employment=Employment.PART, cohort=on.year)
    return sample


def _training(rng: random.Random, county: Division, towns: list[Division], today: dt.date) -> None:
    for year in (today.year - 1, today.year):
        plan = TrainingPlan.objects.create(division=county, year=year, level=TrainingLevel.DISTRICT,
                                           title=f"{year}年乡镇民政干部业务培训计划", planned_sessions=3,
                                           content="社会救助政策、灾情统计、民政资金管理、职业道德")
        for month, topic in ((3, "社会救助审核确认办法解读"), (7, "自然灾害情况统计制度与灾情报送"),
                             (11, "民政资金使用管理与廉政教育")):
            day = dt.date(year, month, 18)
            if day > today:
                continue
            s = TrainingSession.objects.create(division=county, plan=plan, level=TrainingLevel.DISTRICT, date=day,
                                               topic=topic, place="区民政局三楼会议室", trainer="区民政局业务股")
            TrainingMaterial.objects.create(session=s, title=f"{topic}（课件）",
                                            link="https://www.mca.gov.cn/")
            held = PostHolding.objects.filter(post__kind__in=[PostKind.TOWNSHIP_ASSISTANT, PostKind.ELDERLY_ASSISTANT],
                                              start__lte=day).exclude(end__lt=day)
            Attendance.objects.bulk_create([Attendance(session=s, staff_id=h.staff_id, present=rng.random() < 0.78)
                                            for h in held])
        for t in towns:
            coords = PostHolding.objects.filter(post__division__parent=t, post__kind__in=[
                PostKind.VILLAGE_COORDINATOR, PostKind.CHILD_DIRECTOR])
            if not coords.exists():
                continue
            tplan = TrainingPlan.objects.create(division=t, year=year, level=TrainingLevel.TOWNSHIP,
                                                title=f"{year}年{t.name}村(居)协管员培训", planned_sessions=3)
            for month in rng.sample([2, 4, 5, 6, 8, 9, 10, 12], rng.choice([2, 3, 4])):
                day = dt.date(year, month, rng.randint(5, 25))
                if day > today:
                    continue
                s = TrainingSession.objects.create(division=t, plan=tplan, level=TrainingLevel.TOWNSHIP, date=day,
                                                   topic=rng.choice(["低保入户调查要点", "民情直通车上报规范",
                                                                     "留守儿童关爱服务", "高龄津贴申报"]),
                                                   place=f"{t.name}便民服务中心")
                held = coords.filter(start__lte=day).exclude(end__lt=day)
                Attendance.objects.bulk_create([Attendance(session=s, staff_id=h.staff_id,
                                                           present=rng.random() < 0.75) for h in held])
    audit.record("workforce.demo.training", summary="演示培训签到（批量）")


def _needs(rng: random.Random, villages: list[Division], today: dt.date) -> None:
    if not villages:
        return
    coordinator = _user("zhongshan")
    zhongshan = Division.objects.filter(name="中山社区居委会").first()
    now = dates.now()
    for i in range(60):
        v = zhongshan if (i % 6 == 0 and zhongshan is not None) else rng.choice(villages)
        cat = rng.choice(list(NEED_TEXTS))
        when = now - dt.timedelta(days=rng.choice([rng.randint(0, 20), rng.randint(0, 420)]), hours=rng.randint(0, 8))
        public = rng.random() < 0.35
        by_coord = v == zhongshan and coordinator is not None and not public
        r = needs.submit(village=v, category=cat, description=f"{v.name}：{rng.choice(NEED_TEXTS[cat])}",
                         source=NeedSource.PUBLIC if public else NeedSource.COORDINATOR,
                         actor=coordinator if by_coord else None, trusted=not by_coord,
                         reporter_name=_name(rng), reporter_phone=f"13{rng.randint(100000000, 999999999)}",
                         ip=f"10.0.{i}.1", now=when)
        age = (today - dates.local_date(when)).days
        fate = rng.random()
        # Old items are mostly done (a few left to escalate); recent ones are in every state.
        if (age > 20 and fate < 0.9) or (3 < age <= 20 and fate < 0.5):
            needs.accept(actor=None, report=r)
            late = rng.random() < 0.2
            done = r.deadline + dt.timedelta(days=rng.randint(1, 10)) if late else \
                dates.local_date(when) + dt.timedelta(days=rng.randint(1, 6))
            if done < today:
                needs.resolve(actor=None, report=r, at=dates.aware(dt.datetime.combine(done, dt.time(16))),
                              resolution=rng.choice(["已入户核查，符合条件，已指导申请低保", "已协调村委会落实临时救助",
                                                     "已转交相关部门处理并回复反映人", "已安排人员排除隐患"]))
        elif age <= 20 and fate < 0.8:
            needs.accept(actor=None, report=r)
    needs.escalate_overdue(today)


def _coordinator_assessment(rng: random.Random, towns: list[Division], today: dt.date) -> None:
    for t in [x for x in towns if x.name in ("梅山街道", "夏道镇", "西芹镇", "太平镇")]:
        members = list(StaffMember.objects.filter(division__parent=t, holdings__end__isnull=True,
                                                  holdings__post__kind=PostKind.VILLAGE_COORDINATOR).distinct())
        if not members:
            continue
        for year in (today.year - 1, today.year):
            for month in range(1, 13):
                day = dt.date(year, month, 10)
                if day > today:
                    break
                m = CoordinatorMeeting.objects.create(township=t, date=day, topic=f"{month}月协管员例会",
                                                      minutes="传达上级文件精神，通报民情办理情况，布置本月工作")
                m.attendees.set([s for s in members if rng.random() < 0.8])
                if month % 3 == 0:
                    for s in members:
                        CoordinatorCheck.objects.create(staff=s, year=year, quarter=month // 3, date=day,
                                                        score=Decimal(rng.randint(62, 98)), checked_by="乡镇民政办",
                                                        findings=rng.choice(["台账齐全", "入户走访记录不全", "民情上报及时"]))


def _assessment(rng: random.Random, county: Division, today: dt.date) -> None:
    last = assessment.create_scheme(year=today.year - 1, division=county, published_on=dt.date(today.year - 1, 1, 20))
    manual = last.indicators.get(source="manual")
    for t in Division.objects.filter(level=Level.TOWNSHIP, path__startswith=county.path):
        assessment.set_manual_score(actor=None, indicator=manual, township=t, score=Decimal(rng.randint(70, 98)),
                                    note="年终检查评分（演示）")
    results = assessment.score_scheme(scheme=last, on=dt.date(today.year, 1, 10))
    assessment.finalize(scheme=last)
    for r in sorted([x for x in results if x.rank], key=lambda x: x.rank or 99)[:3]:
        Award.objects.create(division=r.township, year=last.year, title="民政工作先进集体", reward="荣誉证书及办公设备",
                             date=dt.date(today.year, 1, 25))
    for s in StaffMember.objects.filter(checks__year=last.year, checks__score__gte=95).distinct()[:3]:
        Award.objects.create(division=s.division, year=last.year, staff=s, title="优秀村(居)民政协管员",
                             reward="荣誉证书", date=dt.date(today.year, 1, 25))
    assessment.create_scheme(year=today.year, division=county, published_on=dt.date(today.year, 1, 20))


def _circulars(rng: random.Random, county: Division, towns: list[Division]) -> None:
    now = dates.now()
    docs = [("延民〔{y}〕12号", "关于做好困难群众基本生活保障工作的通知"), ("延民〔{y}〕18号", "关于开展低保专项治理的通知"),
            ("延民〔{y}〕25号", "关于汛期灾情信息报送工作的通知"), ("", "关于召开全区民政工作会议的通知")]
    for k, (num, title) in enumerate(docs):
        when = now - dt.timedelta(days=90 - k * 25)
        c = _publish_as_system(county, title, num.format(y=when.year), towns, when)
        for rc in c.receipts.all():
            if rng.random() < 0.8:
                rc.read_at = when + dt.timedelta(hours=rng.randint(1, 72))
                rc.read_by = f"{rc.recipient.name}民政办"
                rc.save(update_fields=["read_at", "read_by"])
    meishan = next((t for t in towns if t.name == "梅山街道"), None)
    if meishan is not None:
        vs = list(Division.objects.filter(parent=meishan))
        _publish_as_system(meishan, "关于开展高龄老人入户走访的通知", "", vs, now - dt.timedelta(days=7))


def _publish_as_system(issuer: Division, title: str, number: str, recipients: list[Division],
                       when: dt.datetime) -> Any:
    from .models import Circular, CircularReceipt

    c = Circular.objects.create(issuer=issuer, title=title, doc_number=number, published_at=when,
                                published_by=f"{issuer.name}民政", body="请各单位认真贯彻落实，按要求做好相关工作。")
    CircularReceipt.objects.bulk_create([CircularReceipt(circular=c, recipient=d) for d in recipients])
    return c


def _notes(today: dt.date) -> None:
    u = _user("meishan")
    if u is None:
        return
    for title, days in (("回访中山社区独居老人陈某", 3), ("核实水南片区危房户", -2), ("整理协管员季度检查材料", 10)):
        WorkNote.objects.create(division=u.division, owner=u, title=title, follow_up=today + dt.timedelta(days=days))

