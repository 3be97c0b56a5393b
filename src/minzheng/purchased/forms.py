from __future__ import annotations

from typing import Any

from django import forms

from minzheng.regions.models import Division

from .models import Confirmation, Provider, ProviderKind


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
    code = forms.CharField(label="电话确认码", max_length=6, required=False)


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
