"""Reading the Range header the way a video player sends it: which bytes it gets, and when it gets them all."""
import pytest

from ui.http_ranges import ByteRange, RangeNotSatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(('header', 'expected'), [
    ('bytes=0-99', ByteRange(0, 100)),  # the first hundred bytes
    ('bytes=0-0', ByteRange(0, 1)),  # a single byte
    ('bytes=500-599', ByteRange(500, 600)),  # from the middle
    ('bytes=999-999', ByteRange(999, 1000)),  # the very last byte, by position
    ('bytes=-500', ByteRange(500, 1000)),  # suffix: the last 500 bytes
    ('bytes=-1', ByteRange(999, 1000)),
    ('bytes=100-', ByteRange(100, 1000)),  # open end: from 100 to the end, how players start and seek
    ('bytes=0-', ByteRange(0, 1000)),
    ('bytes=900-5000', ByteRange(900, 1000)),  # an end beyond the file is clamped to it
    ('bytes=0-99999999999999999999', ByteRange(0, 1000)),
    ('bytes=-5000', ByteRange(0, 1000)),  # a suffix longer than the file is the whole file
    (' bytes=0-99 ', ByteRange(0, 100)),  # surrounding whitespace is not a reason to refuse
    ('Bytes=0-99', ByteRange(0, 100)),  # range units are case-insensitive (RFC 9110 §14.1)
])
def test_a_single_range_selects_those_bytes(header: str, expected: ByteRange) -> None:
    assert parse_range(header, SIZE) == expected


def test_the_range_describes_itself_for_the_content_range_header() -> None:
    wanted = parse_range('bytes=100-199', SIZE)
    assert wanted is not None
    assert (wanted.length, wanted.content_range(SIZE)) == (100, 'bytes 100-199/1000')
    suffix = parse_range('bytes=-500', SIZE)
    assert suffix is not None
    assert suffix.content_range(SIZE) == 'bytes 500-999/1000'
    clamped = parse_range('bytes=900-5000', SIZE)
    assert clamped is not None
    assert (clamped.length, clamped.content_range(SIZE)) == (100, 'bytes 900-999/1000')


@pytest.mark.parametrize('header', [
    None,
    '',
    'bytes=0-99,200-299',  # several ranges: we answer with the whole file instead of multipart
    'bytes=0-99, 200-299',
    'bytes=-',  # neither end
    'bytes=abc-def',
    'bytes=1.5-2',
    'bytes=-5-10',
    'bytes 0-99',  # missing '='
    'items=0-99',  # a unit we do not know
    'bytes=0-99;',
    'garbage',
    'bytes=200-100',  # last before first: invalid, so ignored rather than refused
    'bytes=5000-10',  # invalid too, even though the start is beyond the file
])
def test_a_header_we_cannot_use_means_the_whole_file(header: str | None) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize('header', [
    'bytes=1000-',  # starts exactly at the end
    'bytes=1000-1999',
    'bytes=5000-',
    'bytes=-0',  # a suffix of nothing
])
def test_a_well_formed_range_that_misses_the_file_is_not_satisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


def test_an_empty_file_has_no_byte_to_give() -> None:
    assert parse_range(None, 0) is None  # asked for as a whole, it is served (empty)
    assert parse_range('bytes=0-99,5-6', 0) is None
    for header in ('bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-500'):
        with pytest.raises(RangeNotSatisfiable):
            parse_range(header, 0)
