from django import template

from records.summary import minutes_words

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Minutes in words: '1 hour 30 minutes'."""
    return "" if minutes is None else minutes_words(minutes)
