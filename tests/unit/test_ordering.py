"""The ordering rules behind chapters (and, later, media in a chapter): dense, complete, predictable."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import ordering
from domain.errors import InvalidInput, NotFound

ids = st.lists(st.integers(), unique=True, min_size=1, max_size=30)


@given(ids, st.data())
def test_a_move_keeps_every_item_once_and_puts_it_where_asked(items: list[int], data: st.DataObject) -> None:
    item = data.draw(st.sampled_from(items))
    to_index = data.draw(st.integers(-5, len(items) + 5))
    result = ordering.moved(items, item, to_index)
    assert sorted(result) == sorted(items)
    assert result.index(item) == max(0, min(to_index, len(items) - 1))
    assert [i for i in result if i != item] == [i for i in items if i != item]  # the others keep their order


@given(ids, st.data())
def test_up_then_down_is_a_no_op_away_from_the_edges(items: list[int], data: st.DataObject) -> None:
    item = data.draw(st.sampled_from(items))
    index = items.index(item)
    if index > 0:
        assert ordering.moved_by(ordering.moved_by(items, item, -1), item, 1) == items


@given(ids, st.lists(st.tuples(st.integers(0, 29), st.integers(-3, 32), st.booleans()), max_size=40))
def test_positions_stay_dense_after_any_mix_of_moves_and_removals(items: list[int],
                                                                  steps: list[tuple[int, int, bool]]) -> None:
    order = list(items)
    for pick, to_index, remove in steps:
        if not order:
            break
        item = order[pick % len(order)]
        order = [i for i in order if i != item] if remove else ordering.moved(order, item, to_index)
        positions = ordering.dense_positions(order)
        assert sorted(positions.values()) == list(range(len(order)))
        assert sorted(positions, key=positions.__getitem__) == order


def test_the_first_item_cannot_move_further_up() -> None:
    assert ordering.moved_by(['a', 'b'], 'a', -1) == ['a', 'b']


def test_moving_something_that_is_not_there_is_refused() -> None:
    with pytest.raises(NotFound):
        ordering.moved(['a'], 'b', 0)


@given(ids, st.randoms())
def test_a_full_reorder_accepts_any_permutation(items: list[int], random) -> None:
    shuffled = random.sample(items, len(items))
    assert ordering.reordered(items, shuffled) == shuffled


@pytest.mark.parametrize('stale', [['a', 'b'], ['a', 'b', 'c', 'd'], ['a', 'b', 'x']])
def test_a_reorder_from_a_stale_tab_is_refused(stale: list[str]) -> None:
    with pytest.raises(InvalidInput, match='changed in the meantime'):
        ordering.reordered(['a', 'b', 'c'], stale)
