"""Storage keys are generated, unique and validated: no file name ever reaches a path."""
from uuid import uuid4

import pytest

from domain.storage_keys import check_key, new_media_key, thumbnail_key_for


def test_keys_are_unique_and_grouped_by_owner() -> None:
    owner = uuid4()
    first, second = new_media_key(owner), new_media_key(owner)
    assert first != second
    assert first.startswith(f'media/{owner.hex}/')
    assert thumbnail_key_for(first) == first.replace('media/', 'thumbnails/', 1)


@pytest.mark.parametrize('key', ['../etc/passwd', 'media/../../x', f'media/{uuid4().hex}/x.mp4', '/abs', ''])
def test_anything_else_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match='not a storage key'):
        check_key(key)
