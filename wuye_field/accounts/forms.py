"""Login form (the contract: fields `username`, `password`, `csrf_token`)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("工号或手机号"), validators=[DataRequired(_l("请填写工号或手机号。")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。")), Length(max=128)])
    remember = BooleanField(_l("在本机保持登录（30 天）"), default=True)
