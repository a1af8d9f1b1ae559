"""Read supervisor-editable rule parameters, with the DOMAIN.md default when a row is missing."""

from core.models import Parameter

# code: (value, unit, rule, description); each app registers its own in its AppConfig.ready().
DEFAULTS: dict[str, tuple] = {}


def parameter(code: str) -> int:
    value = Parameter.objects.filter(code=code).values_list("value", flat=True).first()
    if value is None:
        return DEFAULTS[code][0]
    return value


def register_defaults(defaults: dict) -> None:
    """Apps add their parameters here so that seeding and lookups know their defaults."""
    DEFAULTS.update(defaults)


def seed_parameters() -> int:
    created = 0
    for code, (value, unit, rule, description) in DEFAULTS.items():
        _, was_created = Parameter.objects.get_or_create(
            code=code, defaults={"value": value, "unit": unit, "rule": rule, "description": description}
        )
        created += was_created
    return created
