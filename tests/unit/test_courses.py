"""Course and chapter use cases: validation, ownership and ordering, on in-memory ports."""
from uuid import uuid4

import pytest

from domain import courses
from domain.errors import InvalidInput, NotFound
from tests.unit.fakes import FakeUnitOfWork

OWNER = uuid4()
STRANGER = uuid4()


def titles(uow: FakeUnitOfWork, course_id) -> list[str]:
    return [c.title for c in courses.get_outline(uow, owner_id=OWNER, course_id=course_id).chapters]


def positions(uow: FakeUnitOfWork, course_id) -> list[int]:
    return [c.position for c in courses.get_outline(uow, owner_id=OWNER, course_id=course_id).chapters]


def test_titles_are_trimmed_and_must_not_be_empty(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='  Intro \n to   Film ')
    assert course.title == 'Intro to Film'
    with pytest.raises(InvalidInput, match='cannot be empty'):
        courses.create_course(uow, owner_id=OWNER, title=' \t ')
    with pytest.raises(InvalidInput, match='under 200'):
        courses.create_course(uow, owner_id=OWNER, title='x' * 201)


def test_html_in_titles_is_kept_as_text(uow: FakeUnitOfWork) -> None:
    """Escaping is the UI's job; the domain must not mangle what the instructor typed."""
    course = courses.create_course(uow, owner_id=OWNER, title='<b>Bold</b> & "quoted"')
    assert course.title == '<b>Bold</b> & "quoted"'


def test_chapters_are_appended_in_order(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='C')
    for title in ('One', 'Two', 'Three'):
        courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title=title)
    assert titles(uow, course.id) == ['One', 'Two', 'Three']
    assert positions(uow, course.id) == [0, 1, 2]


def test_moves_and_deletes_keep_positions_dense(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='C')
    chapters = [courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title=t) for t in 'ABCD']
    courses.move_chapter(uow, owner_id=OWNER, chapter_id=chapters[3].id, to_index=0)
    assert titles(uow, course.id) == ['D', 'A', 'B', 'C']
    courses.move_chapter_by(uow, owner_id=OWNER, chapter_id=chapters[0].id, step=1)
    assert titles(uow, course.id) == ['D', 'B', 'A', 'C']
    courses.delete_chapter(uow, owner_id=OWNER, chapter_id=chapters[1].id)
    assert titles(uow, course.id) == ['D', 'A', 'C']
    assert positions(uow, course.id) == [0, 1, 2]


def test_a_full_reorder_is_stored(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='C')
    a, b, c = (courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title=t) for t in 'ABC')
    courses.reorder_chapters(uow, owner_id=OWNER, course_id=course.id, chapter_ids=[c.id, a.id, b.id])
    assert titles(uow, course.id) == ['C', 'A', 'B']


def test_another_instructors_course_looks_missing(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='Mine')
    chapter = courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title='Ch')
    attempts = [
        lambda: courses.get_outline(uow, owner_id=STRANGER, course_id=course.id),
        lambda: courses.update_course(uow, owner_id=STRANGER, course_id=course.id, title='Theirs'),
        lambda: courses.delete_course(uow, owner_id=STRANGER, course_id=course.id),
        lambda: courses.add_chapter(uow, owner_id=STRANGER, course_id=course.id, title='X'),
        lambda: courses.rename_chapter(uow, owner_id=STRANGER, chapter_id=chapter.id, title='X'),
        lambda: courses.move_chapter(uow, owner_id=STRANGER, chapter_id=chapter.id, to_index=0),
        lambda: courses.delete_chapter(uow, owner_id=STRANGER, chapter_id=chapter.id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    assert courses.list_courses(uow, owner_id=STRANGER) == []
    assert titles(uow, course.id) == ['Ch']
    assert courses.get_outline(uow, owner_id=OWNER, course_id=course.id).course.title == 'Mine'


def test_a_broken_rule_changes_nothing(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='Keep')
    with pytest.raises(InvalidInput):
        courses.update_course(uow, owner_id=OWNER, course_id=course.id, title='', description='new')
    outline = courses.get_outline(uow, owner_id=OWNER, course_id=course.id)
    assert (outline.course.title, outline.course.description) == ('Keep', '')


def test_deleting_a_course_removes_its_chapters(uow: FakeUnitOfWork) -> None:
    course = courses.create_course(uow, owner_id=OWNER, title='C')
    courses.add_chapter(uow, owner_id=OWNER, course_id=course.id, title='Ch')
    courses.delete_course(uow, owner_id=OWNER, course_id=course.id)
    assert courses.list_courses(uow, owner_id=OWNER) == []
    assert uow.chapters.rows == {}
