from django import template

from core.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount):
    """{{ 1234567|rupiah }} → Rp 1.234.567"""
    return format_rupiah(amount)
