from types import SimpleNamespace

from django import template
from django.conf import settings

from sharewise.organisations.single_sign_on import PROBLEM, is_configured

register = template.Library()


@register.simple_tag(takes_context=True)
def single_sign_on(context):
    """For the sign-in page: whether to offer single sign-on, its button's words, and
    why the last attempt was refused (shown once)."""
    request = context["request"]
    if not hasattr(request, "single_sign_on"):  # the title and the page ask alike
        request.single_sign_on = SimpleNamespace(
            enabled=is_configured(),
            button=settings.SHAREWISE_SSO_BUTTON,
            problem=request.session.pop(PROBLEM, None),
        )
    return request.single_sign_on
