"""Courses and their ordered chapters, and the use cases an instructor runs on them.

Every use case takes the acting instructor's id and looks things up *through* it, so another instructor's
course id is indistinguishable from a missing one.
"""
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from . import ordering
from .clock import utc_now
from .errors import InvalidInput, NotFound
from .ports import UnitOfWork

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000


@dataclass(kw_only=True, slots=True)
class Course:
    owner_id: UUID
    title: str
    description: str = ''
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)
    updated_at: datetime = field(default_factory=utc_now)


@dataclass(kw_only=True, slots=True)
class Chapter:
    course_id: UUID
    title: str
    position: int
    id: UUID = field(default_factory=uuid4)
    created_at: datetime = field(default_factory=utc_now)


@dataclass(kw_only=True, slots=True)
class CourseOutline:
    course: Course
    chapters: list[Chapter]


def clean_title(raw: str, *, what: str = 'title') -> str:
    """Titles are single-line text: whitespace runs fold to one space, and an empty title is refused."""
    title = ' '.join(raw.split())
    if not title:
        raise InvalidInput(f'The {what} cannot be empty.')
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInput(f'Keep the {what} under {MAX_TITLE_LENGTH} characters.')
    return title


def clean_description(raw: str) -> str:
    description = raw.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(f'Keep the description under {MAX_DESCRIPTION_LENGTH} characters.')
    return description


def create_course(uow: UnitOfWork, *, owner_id: UUID, title: str, description: str = '') -> Course:
    course = Course(owner_id=owner_id, title=clean_title(title), description=clean_description(description))
    with uow:
        uow.courses.add(course)
        uow.commit()
    return course


def list_courses(uow: UnitOfWork, *, owner_id: UUID) -> list[Course]:
    with uow:
        return uow.courses.list_for_owner(owner_id)


def get_outline(uow: UnitOfWork, *, owner_id: UUID, course_id: UUID) -> CourseOutline:
    with uow:
        course = _owned_course(uow, owner_id, course_id)
        return CourseOutline(course=course, chapters=uow.chapters.list_for_course(course.id))


def update_course(uow: UnitOfWork, *, owner_id: UUID, course_id: UUID, title: str,
                  description: str | None = None) -> Course:
    with uow:
        course = _owned_course(uow, owner_id, course_id)
        course.title = clean_title(title)
        if description is not None:
            course.description = clean_description(description)
        course.updated_at = utc_now()
        uow.courses.update(course)
        uow.commit()
        return course


def delete_course(uow: UnitOfWork, *, owner_id: UUID, course_id: UUID) -> None:
    """Remove the course, its chapters and their links; the media stays in the library."""
    with uow:
        course = _owned_course(uow, owner_id, course_id)
        uow.courses.delete(course.id)
        uow.commit()


def add_chapter(uow: UnitOfWork, *, owner_id: UUID, course_id: UUID, title: str) -> Chapter:
    """New chapters go to the end, where an instructor building an outline expects them."""
    with uow:
        course = _owned_course(uow, owner_id, course_id)
        chapters = uow.chapters.list_for_course(course.id)
        chapter = Chapter(course_id=course.id, title=clean_title(title, what='chapter title'), position=len(chapters))
        uow.chapters.add(chapter)
        _store_order(uow, [*chapters, chapter])
        _touch(uow, course)
        uow.commit()
        return chapter


def rename_chapter(uow: UnitOfWork, *, owner_id: UUID, chapter_id: UUID, title: str) -> Chapter:
    with uow:
        chapter = _owned_chapter(uow, owner_id, chapter_id)
        chapter.title = clean_title(title, what='chapter title')
        uow.chapters.update(chapter)
        uow.commit()
        return chapter


def move_chapter(uow: UnitOfWork, *, owner_id: UUID, chapter_id: UUID, to_index: int) -> list[Chapter]:
    with uow:
        chapter = _owned_chapter(uow, owner_id, chapter_id)
        chapters = uow.chapters.list_for_course(chapter.course_id)
        order = ordering.moved([c.id for c in chapters], chapter.id, to_index)
        result = _store_order(uow, _in_order(chapters, order))
        uow.commit()
        return result


def move_chapter_by(uow: UnitOfWork, *, owner_id: UUID, chapter_id: UUID, step: int) -> list[Chapter]:
    """Up/down buttons: one step at a time, for keyboard users."""
    with uow:
        chapter = _owned_chapter(uow, owner_id, chapter_id)
        chapters = uow.chapters.list_for_course(chapter.course_id)
        order = ordering.moved_by([c.id for c in chapters], chapter.id, step)
        result = _store_order(uow, _in_order(chapters, order))
        uow.commit()
        return result


def reorder_chapters(uow: UnitOfWork, *, owner_id: UUID, course_id: UUID, chapter_ids: list[UUID]) -> list[Chapter]:
    """Store a whole new order (drag and drop sends one); refused if the tab's list is out of date."""
    with uow:
        course = _owned_course(uow, owner_id, course_id)
        chapters = uow.chapters.list_for_course(course.id)
        order = ordering.reordered([c.id for c in chapters], chapter_ids)
        result = _store_order(uow, _in_order(chapters, order))
        uow.commit()
        return result


def delete_chapter(uow: UnitOfWork, *, owner_id: UUID, chapter_id: UUID) -> None:
    """Remove a chapter and its links (never the media), closing the gap it leaves."""
    with uow:
        chapter = _owned_chapter(uow, owner_id, chapter_id)
        uow.chapters.delete(chapter.id)
        _store_order(uow, [c for c in uow.chapters.list_for_course(chapter.course_id) if c.id != chapter.id])
        uow.commit()


def _owned_course(uow: UnitOfWork, owner_id: UUID, course_id: UUID) -> Course:
    course = uow.courses.get(course_id, lock=True)  # one change to a course's chapters at a time
    if course is None or course.owner_id != owner_id:
        raise NotFound('This course does not exist.')
    return course


def _owned_chapter(uow: UnitOfWork, owner_id: UUID, chapter_id: UUID) -> Chapter:
    chapter = uow.chapters.get(chapter_id)
    if chapter is None:
        raise NotFound('This chapter does not exist.')
    try:
        _owned_course(uow, owner_id, chapter.course_id)
    except NotFound:
        raise NotFound('This chapter does not exist.') from None
    return chapter


def _in_order(chapters: list[Chapter], order: list[UUID]) -> list[Chapter]:
    by_id = {c.id: c for c in chapters}
    return [by_id[chapter_id] for chapter_id in order]


def _store_order(uow: UnitOfWork, chapters: list[Chapter]) -> list[Chapter]:
    """Write dense positions for exactly the chapters whose position changed."""
    for chapter, position in zip(chapters, ordering.dense_positions([c.id for c in chapters]).values(), strict=True):
        if chapter.position != position:
            chapter.position = position
            uow.chapters.update(chapter)
    return chapters


def _touch(uow: UnitOfWork, course: Course) -> None:
    course.updated_at = utc_now()
    uow.courses.update(course)
