"""Forms of the staff console (Flask-WTF: every POST carries a CSRF token)."""
from __future__ import annotations

from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..formatting import number as format_number
from ..i18n import _l
from ..models import Channel, Role
from ..models._types import MAX_ID
from ..services.surveys import start_problem
from ..services.units import MAX_HOUSEHOLDS_PER_VILLAGE
from ..survey_templates import SurveyTemplate


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


UNIT_CODE = Regexp(r"^\s*(\d{2}|\d{5})\s*$", message=_l("Mã đơn vị gồm 2 chữ số (tỉnh) hoặc 5 chữ số (xã)."))
REQUIRED = _l("Vui lòng điền ô này.")
HOUSEHOLDS = NumberRange(min=0, max=MAX_HOUSEHOLDS_PER_VILLAGE, message=_l(
    "Số hộ không được âm và không quá %(max)s.", max=LazyString(format_number, MAX_HOUSEHOLDS_PER_VILLAGE)))


def longest(limit: int) -> Length:
    """At most ``limit`` characters, said in the user's language (WTForms has no Vietnamese catalogue)."""
    return Length(max=limit, message=_l("Tối đa %(max)d ký tự.", max=limit))


class WTFormsMessages:
    """WTForms' own messages in our words, through our catalog (WTForms has no Vietnamese catalogue): the
    translations every staff form's Meta gives its fields. A message not listed stays as WTForms wrote it."""

    MESSAGES = {
        "Not a valid choice.": _l("Lựa chọn không hợp lệ."),
        "Invalid Choice: could not coerce.": _l("Lựa chọn không hợp lệ."),
        "Not a valid integer value.": _l("Phải là số nguyên."),
        "Not a valid decimal value.": _l("Phải là một số."),
        "Not a valid date value.": _l("Ngày phải theo dạng năm-tháng-ngày."),
        "Not a valid time value.": _l("Giờ phải theo dạng giờ:phút, ví dụ 19:30."),
    }

    def gettext(self, string: str) -> str:
        message = self.MESSAGES.get(string)
        return string if message is None else str(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class _Meta:
    def get_translations(self, form) -> WTFormsMessages:
        return WTFormsMessages()


class StaffForm(FlaskForm):
    """A staff console form: CSRF-protected, WTForms' messages in the user's language."""

    Meta = _Meta


class StaffSubform(Form):
    """A row of a staff form (inside FormField / FieldList), with the same messages."""

    Meta = _Meta


class ActionForm(StaffForm):
    """A button that changes something: only the CSRF token."""


class LoginForm(StaffForm):
    """Username and password."""

    username = StringField(_l("Tên đăng nhập"), validators=[InputRequired(REQUIRED), longest(80)])
    password = PasswordField(_l("Mật khẩu"), validators=[InputRequired(REQUIRED), longest(200)])
    next = HiddenField()


class PasswordForm(StaffForm):
    """A new password, typed twice."""

    password = PasswordField(_l("Mật khẩu mới"), validators=[InputRequired(REQUIRED), longest(200)])
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        InputRequired(REQUIRED), EqualTo("password", message=_l("Hai mật khẩu không giống nhau."))])


class OwnPasswordForm(PasswordForm):
    """A user's own new password: the current one first, so that an unattended session cannot take the account."""

    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[InputRequired(REQUIRED), longest(200)])


class UserForm(PasswordForm):
    """A new account."""

    username = StringField(_l("Tên đăng nhập"), validators=[InputRequired(REQUIRED), longest(80)])
    full_name = StringField(_l("Họ tên, chức vụ"), validators=[Optional(), longest(160)])
    role = SelectField(_l("Vai trò"), choices=options([
        (Role.STAFF.value, _l("Cán bộ (chạy đợt khảo sát)")),
        (Role.AUDITOR.value, _l("Kiểm tra (chỉ xem)")),
        (Role.ADMIN.value, _l("Quản trị")),
    ]))
    unit_code = StringField(_l("Mã tỉnh hoặc xã phụ trách"), validators=[Optional(), UNIT_CODE])


class UnitsImportForm(StaffForm):
    """CSV files of provinces and communes."""

    files = MultipleFileField(_l("Tệp CSV (provinces.csv, communes.csv)"))


class FrameFileForm(StaffForm):
    """A CSV of villages: village_code, village_name, households."""

    frame = FileField(_l("Tệp danh sách thôn (CSV)"))


class VillageForm(StaffForm):
    """One village added by hand."""

    code = StringField(_l("Mã thôn"), validators=[InputRequired(REQUIRED), longest(20)])
    name = StringField(_l("Tên thôn"), validators=[InputRequired(REQUIRED), longest(120)])
    households = IntegerField(_l("Số hộ"), validators=[
        InputRequired(_l("Số hộ phải là số nguyên.")), HOUSEHOLDS])


class VillageRow(StaffSubform):
    """One row of the villages table (no CSRF of its own)."""

    village_id = HiddenField()
    name = StringField(validators=[InputRequired(REQUIRED), longest(120)])
    households = IntegerField(validators=[InputRequired(_l("Số hộ phải là số nguyên.")),
                                          HOUSEHOLDS])


class VillagesForm(StaffForm):
    """Every village of a commune, edited at once."""

    villages = FieldList(FormField(VillageRow))


class FrameRowForm(StaffSubform):
    """One village offered for a survey's frame."""

    village_id = HiddenField()
    include = BooleanField()
    households = IntegerField(validators=[Optional(), HOUSEHOLDS])


def _start_in_range(_form, field) -> None:
    if field.data is not None and (problem := start_problem(field.data)) is not None:
        raise ValidationError(problem)


class SurveyForm(StaffForm):
    """A new survey: template, unit, start date, frame of villages."""

    template = SelectField(_l("Mẫu phiếu"), validators=[InputRequired(REQUIRED)])
    unit_code = HiddenField(validators=[InputRequired(REQUIRED), UNIT_CODE])
    start = DateField(_l("Ngày bắt đầu"),
                      validators=[InputRequired(_l("Ngày phải theo dạng năm-tháng-ngày.")), _start_in_range])
    #: Guidance 90/HD leaves out Saturdays and Sundays only; leaving out public holidays too is a choice.
    skip_holidays = BooleanField(_l("Không tính cả ngày nghỉ lễ, Tết (ngoài thứ Bảy, Chủ nhật)"))
    margin = SelectField(_l("Sai số mong muốn khi lập kế hoạch mẫu"), default="0.05",
                         choices=options([("0.03", "± 3 %"), ("0.05", "± 5 %"), ("0.1", "± 10 %")]))
    villages = FieldList(FormField(FrameRowForm))
    frame = FileField(_l("Hoặc tải tệp danh sách thôn (CSV)"))
    #: The attached file kept across previews (the browser sends a file once), and its name.
    frame_data = HiddenField()
    frame_name = HiddenField()


class RuleRow(StaffSubform):
    """One rule of a survey, editable."""

    threshold = StringField(_l("Ngưỡng"), validators=[InputRequired(REQUIRED), longest(12)])
    source = StringField(_l("Căn cứ"), validators=[Optional(), longest(300)])
    verified = BooleanField(_l("Đã kiểm chứng"))
    note = StringField(_l("Ghi chú"), validators=[Optional(), longest(500)])


class RulesForm(StaffForm):
    """The survey's rules and why they change."""

    rules = FieldList(FormField(RuleRow))
    justification = TextAreaField(_l("Lý do thay đổi (bắt buộc, sẽ ghi vào nhật ký)"),
                                  validators=[InputRequired(REQUIRED), longest(2000)])


class IssueForm(StaffForm):
    """How many spare slips to add per village."""

    spare_percent = DecimalField(_l("Phiếu dự phòng mỗi thôn (%)"), places=None, validators=[
        InputRequired(_l("Nhập một số từ 0 đến 100.")),
        NumberRange(min=0, max=100, message=_l("Nhập một số từ 0 đến 100."))])


class VoidForm(StaffForm):
    """A lost slip to void and replace."""

    serial = IntegerField(_l("Số phiếu bị mất"), validators=[
        InputRequired(_l("Số phiếu phải là số nguyên.")),
        NumberRange(min=1, max=MAX_ID, message=_l("Không có phiếu số này."))])
    reason = StringField(_l("Lý do"), validators=[InputRequired(REQUIRED), longest(300)])


class BatchForm(StaffForm):
    """A new bundle of paper phiếu to key."""

    village = SelectField(_l("Thôn"), coerce=int, validators=[InputRequired(REQUIRED)])
    channel = SelectField(_l("Cách thu phiếu"), choices=options([
        (Channel.PAPER.value, _l("Phát phiếu đến hộ")), (Channel.MEETING.value, _l("Họp thôn"))]))
    label = StringField(_l("Ghi chú tập phiếu"), validators=[Optional(), longest(120)])


class PaperForm(StaffForm):
    """One keyed paper phiếu: slip, answers as a string of 1/2/0, opinion (reasons added per survey)."""

    slip = StringField(_l("Số phiếu hoặc mã hộ"), validators=[InputRequired(REQUIRED), longest(30)])
    answers = StringField(_l("Trả lời"), validators=[InputRequired(REQUIRED), longest(200)])
    opinion = StringField(_l("Ý kiến khác"), validators=[Optional(), longest(2000)])


class CorrectionForm(PaperForm):
    """A corrected phiếu and why."""

    slip = HiddenField()
    change_reason = StringField(_l("Lý do sửa (bắt buộc)"),
                                validators=[InputRequired(REQUIRED), longest(500)])


def paper_form(template: SurveyTemplate, base: type[PaperForm] = PaperForm, **kwargs) -> PaperForm:
    """The keying form of a survey: one optional reason field per item."""

    class Keyed(base):
        pass

    for number, item in enumerate(template.items, 1):
        setattr(Keyed, f"reason_{item.key}", StringField(
            _l("Lý do câu %(n)s", n=number), validators=[Optional(), longest(500)]))
    return Keyed(**kwargs)
