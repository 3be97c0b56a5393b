from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from minzheng.regions.models import Division

from .models import Confirmation, Procurement, Provider, ProviderKind, ServiceKind


class ProviderForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    kind = forms.ChoiceField(label="类型", choices=ProviderKind.choices)
    registered_with = forms.CharField(label="登记管理机关", max_length=100, required=False)
    legal_rep = forms.CharField(label="法定代表人", max_length=64, required=False)
    phone = forms.CharField(label="联系电话", max_length=32, required=False)


class RecordForm(forms.Form):
    """The worker's phone form: times, what was done, a photo from the camera, and the confirmation."""

    started_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    content = forms.CharField(label="服务内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label="现场照片", required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    confirmation = forms.ChoiceField(label="确认方式", choices=Confirmation.choices, widget=forms.RadioSelect)
    confirmed_by = forms.CharField(label="确认人（本人或监护人）", max_length=64, required=False)
    signature = forms.ImageField(label="签名照片", required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    code = forms.CharField(label="确认码（服务卡或电话告知）", max_length=6, required=False)
    # The signature drawn on the phone's screen (purchased/signature.js): a PNG data URL, re-encoded on the server.
    signature_drawn = forms.CharField(required=False, max_length=700_000, widget=forms.HiddenInput)


class ComplaintForm(forms.Form):
    provider = forms.ModelChoiceField(label="被投诉的服务机构", queryset=Provider.objects.none())
    village = forms.ModelChoiceField(label="您所在的村(社区)", queryset=Division.objects.none())
    description = forms.CharField(label="投诉内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    reporter_name = forms.CharField(label="您的称呼（可不填）", max_length=64, required=False)
    reporter_phone = forms.CharField(label="联系电话（可不填）", max_length=32, required=False)
    website = forms.CharField(required=False)

    def __init__(self, providers: Any, villages: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["village"].label_from_instance = lambda d: f"{d.parent.name if d.parent else ''} {d.name}"  # type: ignore[attr-defined]


class ContractForm(forms.Form):
    """A new contract: what is bought, from whom, with which fund, for when and where, the service standard as data,
    and the milestones (one a line). Choices are filled by the view from the user's jurisdiction and the ledger."""

    number = forms.CharField(label="合同编号", max_length=64)
    title = forms.CharField(label="项目名称", max_length=200)
    provider = forms.ModelChoiceField(label="承接主体", queryset=Provider.objects.none())
    service = forms.ChoiceField(label="服务类别", choices=ServiceKind.choices)
    procurement = forms.ChoiceField(label="采购方式", choices=Procurement.choices)
    procurement_ref = forms.CharField(label="采购项目编号", max_length=64, required=False)
    fund = forms.ChoiceField(label="资金项目（资金台账）", choices=())
    fund_source = forms.ChoiceField(label="资金来源", choices=())
    budget = forms.DecimalField(label="合同金额(元)", max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    start = forms.DateField(label="服务起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="服务截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    townships = forms.ModelMultipleChoiceField(label="服务区域（乡镇/街道）", queryset=Division.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)
    unit_label = forms.CharField(label="服务单位", max_length=16, initial="次")
    visits_per_month = forms.IntegerField(label="每人每月服务次数", min_value=1, max_value=62)
    min_minutes = forms.IntegerField(label="每次最短时长(分钟)", min_value=1, max_value=720)
    require_photo = forms.BooleanField(label="须有现场照片", required=False, initial=True)
    require_confirmation = forms.BooleanField(label="须有对象或监护人确认", required=False, initial=True)
    unit_price = forms.DecimalField(label="服务单价(元)", max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    deduction_per_failed = forms.DecimalField(label="每条不合格记录扣减(元)", max_digits=10, decimal_places=2,
                                              min_value=Decimal("0"), initial=Decimal("0"))
    milestones = forms.CharField(label="结算节点（每行：名称,起始日期,截止日期,上限金额）", required=False,
                                 max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, providers: Any, townships: Any, funds: dict[str, str], sources: dict[str, str],
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["townships"].queryset = townships  # type: ignore[attr-defined]
        self.fields["fund"].choices = sorted(funds.items())  # type: ignore[attr-defined]
        self.fields["fund_source"].choices = list(sources.items())  # type: ignore[attr-defined]
