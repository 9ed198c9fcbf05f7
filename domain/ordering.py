"""Ordering rules shared by chapters in a course and media in a chapter.

Positions are always dense (0..n-1) after every operation, so the stored order can be rebuilt from any
list of ids without gaps or ties, whatever sequence of moves and removals came before.
"""
from collections.abc import Hashable, Sequence
from typing import TypeVar

from .errors import InvalidInput, NotFound

T = TypeVar('T', bound=Hashable)


def moved(ids: Sequence[T], item: T, to_index: int) -> list[T]:
    """Return the order with `item` placed at `to_index` (clamped into range) and everything else kept."""
    if item not in ids:
        raise NotFound('That item is not in this list.')
    rest = [other for other in ids if other != item]
    index = max(0, min(to_index, len(rest)))
    return [*rest[:index], item, *rest[index:]]


def moved_by(ids: Sequence[T], item: T, step: int) -> list[T]:
    """Move `item` up (negative step) or down (positive step), as the keyboard buttons do."""
    if item not in ids:
        raise NotFound('That item is not in this list.')
    return moved(ids, item, list(ids).index(item) + step)


def reordered(ids: Sequence[T], new_order: Sequence[T]) -> list[T]:
    """Accept a full new order only if it is a permutation of the current one (a stale tab sends a different set)."""
    if len(new_order) != len(ids) or set(new_order) != set(ids):
        raise InvalidInput('The list changed in the meantime; reload and try again.')
    return list(new_order)


def dense_positions(ids: Sequence[T]) -> dict[T, int]:
    """Positions 0..n-1 in list order: the only positions ever stored."""
    return {item: position for position, item in enumerate(ids)}
