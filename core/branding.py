"""The names customers read: brands, the outlet and the call centre (DOMAIN.md, top: settings, never hard-coded).

Every SMS template may use these as `{name}` placeholders without listing them; USSD and page texts format them in.
"""

from django.conf import settings

BRAND_VARIABLES = frozenset({"postpaid_brand", "prime_brand", "outlet_name", "operator_call_centre"})


def brand_context() -> dict[str, str]:
    return {
        "postpaid_brand": settings.BRAND_POSTPAID,
        "prime_brand": settings.BRAND_PRIME,
        "outlet_name": settings.OUTLET_NAME,
        "operator_call_centre": settings.OPERATOR_CALL_CENTRE,
    }
