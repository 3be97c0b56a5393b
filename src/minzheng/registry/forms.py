"""Forms: parse and show errors in Chinese; rules live in services (their ValidationErrors land on the fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from minzheng.regions.picker import DivisionField

from . import validators
from .models import (
    INCOME_CODE_CHOICES,
    AssetKind,
    DisabilityCategory,
    DisabilityGrade,
    Education,
    Ethnicity,
    Health,
    HukouType,
    IncomeCategory,
    Marital,
    Relation,
    WorkCapacity,
)


def _blank(choices: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


class DateInput(forms.DateInput):
    input_type = "date"


class PersonForm(forms.Form):
    name = validators.PersonNameField(label="姓名", max_length=64)
    id_number = forms.CharField(label="公民身份号码", max_length=32,
                                help_text="18 位（15 位旧号码自动升级）；出生日期和性别由号码自动得出",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    relation = forms.ChoiceField(label="与户主关系", choices=[c for c in Relation.choices if c[0] != Relation.HEAD])
    ethnicity = forms.ChoiceField(label="民族", choices=_blank(Ethnicity.choices), required=False,
                                  initial=Ethnicity.HAN)
    phone = forms.CharField(label="联系电话", max_length=32, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    education = forms.ChoiceField(label="文化程度", choices=_blank(Education.choices), required=False)
    marital_status = forms.ChoiceField(label="婚姻状况", choices=_blank(Marital.choices), required=False)
    health = forms.ChoiceField(label="健康状况", choices=_blank(Health.choices), required=False)
    work_capacity = forms.ChoiceField(label="劳动能力", choices=_blank(WorkCapacity.choices), required=False)
    disability_category = forms.ChoiceField(label="残疾类别", choices=_blank(DisabilityCategory.choices),
                                            required=False)
    disability_grade = forms.TypedChoiceField(label="残疾等级", choices=_blank(DisabilityGrade.choices),
                                              required=False, coerce=int, empty_value=None)
    disability_cert_no = forms.CharField(label="残疾证号", max_length=24, required=False)
    bank_name = forms.CharField(label="开户银行", max_length=64, required=False)
    bank_account = forms.CharField(label="银行账号", max_length=40, required=False,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label="备注", max_length=200, required=False)

    FIELDS = ("name", "ethnicity", "education", "marital_status", "health", "work_capacity", "disability_category",
              "disability_grade", "disability_cert_no", "phone", "bank_name", "bank_account", "note")

    def __init__(self, *args: Any, head: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if head:
            # The head's relation is 户主 by definition.
            del self.fields["relation"]

    def person_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.FIELDS if k in self.cleaned_data}


class HouseholdForm(forms.Form):
    division = DivisionField(label="所在村(社区)", queryset=None, empty_label="请选择")  # type: ignore[arg-type]
    hukou_type = forms.ChoiceField(label="户籍性质", choices=_blank(HukouType.choices))
    address = forms.CharField(label="居住地址", max_length=200, required=False)
    hukou_address = forms.CharField(label="户籍地址", max_length=200, required=False)
    phone = forms.CharField(label="家庭联系电话", max_length=32, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, villages: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["division"]
        else:
            self.fields["division"].queryset = villages  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    target = forms.CharField(label="迁入家庭", max_length=32,
                             help_text="填写目标家庭户主的身份证号，或家庭编号（家庭页面标题旁的“编号”）")
    relation = forms.ChoiceField(label="在新家庭中与户主关系", choices=Relation.choices)
    on = forms.DateField(label="迁移日期", widget=DateInput, initial=dt.date.today)
    reason = forms.CharField(label="变动原因", max_length=100, required=False, help_text="如 婚嫁、分户、投靠亲属")


class DeathForm(forms.Form):
    death_date = forms.DateField(label="死亡日期", widget=DateInput)
    note = forms.CharField(label="说明", max_length=100, required=False, help_text="如 死亡证明编号、火化证明")


class HeadForm(forms.Form):
    person = forms.ChoiceField(label="新户主")
    former_head_relation = forms.ChoiceField(label="原户主与新户主的关系",
                                             choices=[c for c in Relation.choices if c[0] != Relation.HEAD])

    def __init__(self, *args: Any, members: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.pk, m.name) for m in members]  # type: ignore[attr-defined]


class IncomeForm(forms.Form):
    code = forms.ChoiceField(label="收入项目", choices=_blank(INCOME_CODE_CHOICES),
                             help_text="从收入项目代码表中选择；是否计入家庭收入由政策参数决定")
    category = forms.ChoiceField(label="收入类别", choices=_blank(IncomeCategory.choices), required=False,
                                 help_text="不选则按收入项目确定")
    item = forms.CharField(label="说明", max_length=64, required=False, help_text="如 在某厂务工")
    person = forms.ChoiceField(label="收入人", required=False)
    monthly_amount = forms.DecimalField(label="月均金额(元)", min_value=0, max_digits=12, decimal_places=2)
    period_start = forms.DateField(label="起始日期", widget=DateInput)
    period_end = forms.DateField(label="截止日期", widget=DateInput, required=False)
    source = forms.CharField(label="来源", max_length=64, required=False, help_text="申报 / 入户调查 / 信息核对")

    def __init__(self, *args: Any, members: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "（家庭）"), *[(m.pk, m.name) for m in members]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period_end") and data.get("period_start") and data["period_end"] < data["period_start"]:
            raise ValidationError({"period_end": "截止日期不能早于起始日期"})
        return data


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label="财产类型", choices=_blank(AssetKind.choices))
    description = forms.CharField(label="说明", max_length=200, required=False, help_text="如 小型轿车 闽H·12345、商品房 80㎡")
    person = forms.ChoiceField(label="所有人", required=False)
    value = forms.DecimalField(label="价值(元)", min_value=0, max_digits=14, decimal_places=2, initial=0)
    acquired_on = forms.DateField(label="取得日期", widget=DateInput, required=False)
    disposed_on = forms.DateField(label="处置日期", widget=DateInput, required=False)

    def __init__(self, *args: Any, members: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "（家庭）"), *[(m.pk, m.name) for m in members]]  # type: ignore[attr-defined]


class EndDateForm(forms.Form):
    on = forms.DateField(label="日期", widget=DateInput)
