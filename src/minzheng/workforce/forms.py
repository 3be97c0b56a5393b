from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from minzheng.accounts.actor import Actor
from minzheng.core.scoping import visible_divisions
from minzheng.regions.models import Division, Level
from minzheng.regions.picker import DivisionField

from .models import Education, Employment, EndReason, NeedCategory, PostKind, TrainingLevel

DATE = forms.DateInput(attrs={"type": "date"})


class DivisionChoiceField(DivisionField):
    pass


def division_field(user: Actor, levels: tuple[str, ...], label: str, **kw: Any) -> DivisionChoiceField:
    qs = visible_divisions(user).filter(level__in=levels).select_related("parent").order_by("code")
    return DivisionChoiceField(qs, label=label, **kw)


class PostForm(forms.Form):
    kind = forms.ChoiceField(label="岗位类别", choices=PostKind.choices)
    title = forms.CharField(label="岗位名称", max_length=64, required=False)
    established = forms.BooleanField(label="在编岗位", required=False, initial=True)
    is_head = forms.BooleanField(label="民政办主任岗", required=False)

    def __init__(self, user: Actor, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"] = division_field(user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), "所在区划")
        self.order_fields(["division", "kind", "title", "established", "is_head"])


class PersonFields(forms.Form):
    """A new person (most coordinators come with nothing but a name and a phone number)."""

    name = forms.CharField(label="姓名", max_length=64, required=False)
    sex = forms.ChoiceField(label="性别", choices=[("", "—"), ("1", "男"), ("2", "女")], required=False)
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE)
    education = forms.ChoiceField(label="文化程度", choices=[("", "—"), *Education.choices], required=False)
    phone = forms.CharField(label="联系电话", max_length=32, required=False)
    other_duties = forms.CharField(label="兼任职务", max_length=100, required=False)


class AppointForm(PersonFields):
    start = forms.DateField(label="到岗日期", widget=DATE)
    employment = forms.ChoiceField(label="专兼职", choices=Employment.choices)
    cohort = forms.IntegerField(label="招录批次(年)", required=False, min_value=1990, max_value=2100)

    def __init__(self, staff_qs: Any, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["existing"] = forms.ModelChoiceField(staff_qs, label="已登记人员", required=False,
                                                         help_text="或在下方登记新人员")
        self.order_fields(["existing"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("existing") and not (data.get("name") or "").strip():
            raise ValidationError("请选择已登记人员或填写新人员姓名")
        return data


class HandoverForm(AppointForm):
    reason = forms.ChoiceField(label="离岗原因", choices=EndReason.choices)
    vacant = forms.BooleanField(label="暂不接任（岗位空缺）", required=False)
    note = forms.CharField(label="交接说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, staff_qs: Any, receivers: Any, *args: Any, **kw: Any) -> None:
        super().__init__(staff_qs, *args, **kw)
        self.fields["start"].label = "交接日期"
        self.fields["receiver"] = forms.ModelChoiceField(receivers, label="事项接收账号", required=False,
                                                         help_text="接任人没有系统账号时，由谁接收离岗人的未办事项")
        self.order_fields(["reason", "start", "vacant", "existing"])

    def clean(self) -> dict[str, Any]:
        forms.Form.clean(self)
        data = self.cleaned_data
        if not data.get("vacant") and not data.get("existing") and not (data.get("name") or "").strip():
            raise ValidationError("请选择接任人，或勾选“暂不接任”")
        return data


class StaffEditForm(PersonFields):
    account = forms.CharField(label="系统账号（用户名）", max_length=150, required=False,
                              help_text="有账号的人员离岗时，其名下未办事项随交接移交；留空表示没有账号")


class SessionForm(forms.Form):
    level = forms.ChoiceField(label="层级", choices=TrainingLevel.choices)
    date = forms.DateField(label="日期", widget=DATE)
    topic = forms.CharField(label="主题", max_length=160)
    place = forms.CharField(label="地点", max_length=120, required=False)
    trainer = forms.CharField(label="授课人", max_length=64, required=False)

    def __init__(self, user: Actor, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"] = division_field(user, (Level.COUNTY, Level.TOWNSHIP), "组织单位")
        self.order_fields(["division"])


class MaterialForm(forms.Form):
    title = forms.CharField(label="资料名称", max_length=160, required=False)
    file = forms.FileField(label="上传文件", required=False)
    link = forms.URLField(label="或链接", required=False, assume_scheme="https")


class NeedForm(forms.Form):
    """Phone first: a category, the village, a few words, a photo."""

    category = forms.ChoiceField(label="类别", choices=NeedCategory.choices, widget=forms.RadioSelect)
    description = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 4, "placeholder": "谁、在哪、什么情况"}),
                                  max_length=2000)
    photo = forms.ImageField(label="照片（可选）", required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    reporter_name = forms.CharField(label="当事人/反映人（可选）", max_length=64, required=False)
    reporter_phone = forms.CharField(label="联系电话（可选）", max_length=32, required=False)

    def __init__(self, villages: Any, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["village"] = DivisionChoiceField(villages, label="村(社区)")
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()
        self.order_fields(["category", "village", "description", "photo"])


class PublicNeedForm(NeedForm):
    # Honeypot: people leave it empty, naive bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "hp", "tabindex": "-1",
                                                                          "autocomplete": "off"}))

    def __init__(self, *args: Any, **kw: Any) -> None:
        villages = Division.objects.filter(level=Level.VILLAGE).select_related("parent").order_by("code")
        super().__init__(villages, *args, **kw)
        self.fields["reporter_phone"].help_text = "留下电话便于乡镇民政办回复您，不会公开"


class CircularForm(forms.Form):
    doc_number = forms.CharField(label="文号", max_length=64, required=False)
    title = forms.CharField(label="标题", max_length=160)
    body = forms.CharField(label="正文/要点", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label="附件", required=False)
    link = forms.URLField(label="链接", required=False, assume_scheme="https")
    include_villages = forms.BooleanField(label="同时下达到所选乡镇的全部村(社区)", required=False)

    def __init__(self, user: Actor, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        mine = user.division
        lower = Level.TOWNSHIP if mine and mine.level == Level.COUNTY else Level.VILLAGE
        qs = visible_divisions(user).filter(level=lower).order_by("code")
        self.fields["recipients"] = forms.ModelMultipleChoiceField(qs, label="接收单位",
                                                                   widget=forms.CheckboxSelectMultiple)


class NoteForm(forms.Form):
    title = forms.CharField(label="事项", max_length=120)
    body = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.DateField(label="跟进日期", required=False, widget=DATE)

    def __init__(self, user: Actor, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"] = division_field(user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), "涉及区划",
                                                 initial=user.division)
