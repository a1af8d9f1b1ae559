from django import template

from core.identifiers import national_msisdn

register = template.Library()


@register.filter
def msisdn_grouped(number) -> str:
    """{{ "+6281324434406"|msisdn_grouped }} → 0813-2443-4406: the national form in groups, as a person reads it.

    The prefix (4 digits), then the rest in two groups (the longer one last): 0813-2443-4406, 0812-3456-78901,
    0812-345-6789. Anything that is not a number is returned as it is. The API keeps the raw E.164 form."""
    if not number:
        return ""
    text = str(number)
    national = national_msisdn(text) if text.startswith("+62") else text
    if not national.isdigit() or len(national) < 8:
        return text
    head, rest = national[:4], national[4:]
    if len(rest) <= 4:
        return f"{head}-{rest}"
    split = len(rest) // 2 if len(rest) < 8 else 4
    return f"{head}-{rest[:split]}-{rest[split:]}"
