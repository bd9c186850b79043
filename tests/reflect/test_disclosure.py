import pytest

from reflect.disclosure import disclosed


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "*"), (7, "*"), (8, 10), (12, 10), (13, 15), (1000, 1000), (1002, 1000), (1003, 1005)],
)
def test_the_rule_table(count: int, shown: int | str) -> None:
    assert disclosed(count) == shown


def test_a_negative_count_is_a_bug() -> None:
    with pytest.raises(ValueError):
        disclosed(-1)
