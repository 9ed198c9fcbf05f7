"""The use cases in domain/ run against the real SqlUnitOfWork on SQLite and PostgreSQL.

These are the places where the two databases differ (time zones, case, cascades, transactions), so each
test states a promise an instructor relies on and checks it on both.
"""
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, column, table, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, func, select

from db.migrate import alembic_config, upgrade_to_latest
from db.passwords import Argon2PasswordHasher
from db.tables import ChapterRow, CourseRow, MediaFileRow, MediaLinkRow, UserRow
from db.unit_of_work import SqlUnitOfWork
from domain import accounts, courses
from domain.accounts import Instructor
from domain.courses import Course
from domain.errors import Conflict, NotFound
from domain.storage_keys import new_media_key
from tests.integration.conftest import POSTGRES_ONLY, POSTGRES_URL, SQLITE_ONLY, postgres_engine

PASSWORD = 'correct horse battery'
HASHER = Argon2PasswordHasher()


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    return SqlUnitOfWork(engine)


@pytest.fixture(scope='session')
def password_hash() -> str:
    """One real Argon2 hash shared by the fixture accounts: hashing costs ~0.2 s, and the account tests pay it."""
    return HASHER.hash(PASSWORD)


@pytest.fixture
def make_instructor(uow: SqlUnitOfWork, password_hash: str) -> Callable[..., Instructor]:
    def make(email: str, *, admin: bool = False) -> Instructor:
        instructor = Instructor(email=email, display_name=email.split('@')[0], password_hash=password_hash,
                                is_admin=admin)
        with uow:
            uow.instructors.add(instructor)
            uow.commit()
        return instructor
    return make


@pytest.fixture
def ann(make_instructor: Callable[..., Instructor]) -> Instructor:
    return make_instructor('ann@example.org', admin=True)


@pytest.fixture
def bob(make_instructor: Callable[..., Instructor]) -> Instructor:
    return make_instructor('bob@example.org')


def count_rows(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def add_media(engine: Engine, owner_id: UUID, course_id: UUID, chapter_ids: list[UUID]) -> UUID:
    """A ready video placed in each given chapter, written as rows (the media use cases come later)."""
    media = MediaFileRow(owner_id=owner_id, display_name='Intro', original_name='intro.mp4', kind='video',
                         mime_type='video/mp4', size=1234, sha256=uuid4().hex * 2, storage_key=new_media_key(owner_id),
                         status='ready')
    with Session(engine) as session:
        session.add(media)
        session.flush()
        for chapter_id in chapter_ids:
            session.add(MediaLinkRow(media_id=media.id, course_id=course_id, chapter_id=chapter_id, position=0))
        session.commit()
        return media.id


def links_of(engine: Engine, media_id: UUID) -> list[UUID]:
    with Session(engine) as session:
        return list(session.exec(select(MediaLinkRow.chapter_id).where(MediaLinkRow.media_id == media_id)))


def outline_titles(uow: SqlUnitOfWork, owner: Instructor, course_id: UUID) -> list[str]:
    """Chapter titles in stored order, after checking the positions stored are exactly 0..n-1."""
    chapters = courses.get_outline(uow, owner_id=owner.id, course_id=course_id).chapters
    assert [c.position for c in chapters] == list(range(len(chapters)))
    return [c.title for c in chapters]


# --- schema and migrations ---------------------------------------------------------------------------------------


def test_migrations_create_exactly_the_tables_the_models_describe(engine: Engine) -> None:
    """A model change without its migration would work in tests built from the models and break on upgrade."""
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
        assert connection.execute(text('SELECT version_num FROM alembic_version')).scalars().all() == [
            head_revision(engine)]


def test_upgrade_to_latest_is_idempotent(engine: Engine, ann: Instructor) -> None:
    """Every start runs the migrations; a restart must neither fail nor touch the data already there."""
    upgrade_to_latest(engine)
    upgrade_to_latest(engine)
    with engine.connect() as connection:
        assert connection.execute(text('SELECT version_num FROM alembic_version')).scalars().all() == [
            head_revision(engine)]
    assert accounts.get_instructor(SqlUnitOfWork(engine), ann.id) == ann


@SQLITE_ONLY
def test_sqlite_connections_enforce_foreign_keys_and_use_wal(engine: Engine) -> None:
    """SQLite forgets both per connection: without them a deleted course leaves orphans and readers block."""
    first, second = engine.raw_connection(), engine.raw_connection()  # two pooled connections, each configured
    try:
        for connection in (first, second):
            assert connection.execute('PRAGMA foreign_keys').fetchone()[0] == 1
            assert connection.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'
    finally:
        first.close()
        second.close()
    with Session(engine) as session:
        session.add(ChapterRow(course_id=uuid4(), title='Orphan', position=0))
        with pytest.raises(IntegrityError):
            session.commit()


@POSTGRES_ONLY
def test_postgres_migrations_land_in_the_tests_own_schema(engine: Engine) -> None:
    """Tables and alembic_version in a schema of the test's own are what keeps parallel runs apart."""
    with engine.connect() as connection:
        schema = connection.execute(text('SELECT current_schema()')).scalar_one()
        tables = connection.execute(text('SELECT table_name FROM information_schema.tables WHERE table_schema = :s'),
                                    {'s': schema}).scalars().all()
        version = connection.execute(select(column('version_num')).select_from(
            table('alembic_version', schema=schema))).scalars().all()
    assert schema.startswith('t_')
    assert set(tables) == {*SQLModel.metadata.tables, 'alembic_version'}
    assert version == [head_revision(engine)]


@POSTGRES_ONLY
def test_postgres_schemas_keep_tests_apart_and_are_dropped(engine: Engine, ann: Instructor) -> None:
    """A second test's schema starts empty while this one has rows, and nothing of it outlives the test."""
    with postgres_engine(POSTGRES_URL) as other, other.connect() as connection:
        schema = connection.execute(text('SELECT current_schema()')).scalar_one()
        assert count_rows(other, UserRow) == 0
        assert accounts.needs_setup(SqlUnitOfWork(other))
    assert count_rows(engine, UserRow) == 1
    with engine.connect() as connection:
        assert connection.execute(text('SELECT count(*) FROM pg_namespace WHERE nspname = :s'),
                                  {'s': schema}).scalar_one() == 0


# --- instructors -------------------------------------------------------------------------------------------------


def test_created_instructors_can_sign_in_with_their_password(uow: SqlUnitOfWork) -> None:
    """The whole account path through the database: normalized email, default name, role, working hash."""
    assert accounts.needs_setup(uow)
    admin = accounts.set_up_first_admin(uow, HASHER, email=' Ann@Example.ORG ', password=PASSWORD)
    cat = accounts.add_instructor_as(uow, HASHER, acting=admin, email='cat@example.org', password=PASSWORD,
                                     display_name='  Cat   Smith ')
    assert not accounts.needs_setup(uow)
    assert (admin.email, admin.display_name, admin.is_admin) == ('ann@example.org', 'ann', True)
    assert (cat.display_name, cat.is_admin) == ('Cat Smith', False)
    assert accounts.authenticate(uow, HASHER, email='ANN@example.org', password=PASSWORD) == admin
    assert accounts.list_instructors_as(uow, acting=admin) == [admin, cat]
    with pytest.raises(Conflict):
        accounts.set_up_first_admin(uow, HASHER, email='eve@example.org', password=PASSWORD)


def test_emails_are_unique_whatever_their_case(uow: SqlUnitOfWork, ann: Instructor) -> None:
    """'Ann@Example.org' signing up again must not create a second account for the same inbox."""
    for email in ('ann@example.org', 'ANN@EXAMPLE.ORG', ' Ann@Example.org '):
        with pytest.raises(Conflict):
            accounts.create_instructor(uow, HASHER, email=email, password=PASSWORD)
    with uow:
        assert uow.instructors.count() == 1


def test_the_database_refuses_a_duplicate_email_that_slips_past_the_check(uow: SqlUnitOfWork,
                                                                            ann: Instructor) -> None:
    """Two sign-ups racing each other both pass the use case's look-up; the unique index is the last guard."""
    twin = Instructor(email=ann.email, display_name='Twin', password_hash=ann.password_hash)
    with uow:
        uow.instructors.add(twin)
        with pytest.raises(IntegrityError):
            uow.commit()
    with uow:
        assert uow.instructors.list_all() == [ann]


# --- courses and chapters ----------------------------------------------------------------------------------------


def test_each_instructor_lists_only_their_courses_latest_change_first(uow: SqlUnitOfWork, ann: Instructor,
                                                                       bob: Instructor) -> None:
    """The course list is the home page: someone else's course there would be a leak."""
    first = courses.create_course(uow, owner_id=ann.id, title='First')
    second = courses.create_course(uow, owner_id=ann.id, title='Second')
    courses.create_course(uow, owner_id=bob.id, title="Bob's")
    assert [c.title for c in courses.list_courses(uow, owner_id=ann.id)] == ['Second', 'First']
    courses.update_course(uow, owner_id=ann.id, course_id=first.id, title='First, revised', description=' New ')
    assert courses.list_courses(uow, owner_id=ann.id)[0].id == first.id
    assert [c.id for c in courses.list_courses(uow, owner_id=ann.id)] == [first.id, second.id]
    assert [c.title for c in courses.list_courses(uow, owner_id=bob.id)] == ["Bob's"]
    stored = courses.get_outline(uow, owner_id=ann.id, course_id=first.id).course
    assert (stored.title, stored.description) == ('First, revised', 'New')


INTRUSIONS: dict[str, Callable[[SqlUnitOfWork, UUID, UUID, UUID], object]] = {
    'get_outline': lambda uow, me, course, _: courses.get_outline(uow, owner_id=me, course_id=course),
    'update_course': lambda uow, me, course, _: courses.update_course(uow, owner_id=me, course_id=course,
                                                                      title='Mine now', description='Taken'),
    'delete_course': lambda uow, me, course, _: courses.delete_course(uow, owner_id=me, course_id=course),
    'add_chapter': lambda uow, me, course, _: courses.add_chapter(uow, owner_id=me, course_id=course, title='Extra'),
    'reorder_chapters': lambda uow, me, course, chapter: courses.reorder_chapters(uow, owner_id=me, course_id=course,
                                                                                  chapter_ids=[chapter]),
    'rename_chapter': lambda uow, me, _, chapter: courses.rename_chapter(uow, owner_id=me, chapter_id=chapter,
                                                                         title='Renamed'),
    'move_chapter': lambda uow, me, _, chapter: courses.move_chapter(uow, owner_id=me, chapter_id=chapter, to_index=9),
    'move_chapter_by': lambda uow, me, _, chapter: courses.move_chapter_by(uow, owner_id=me, chapter_id=chapter,
                                                                           step=1),
    'delete_chapter': lambda uow, me, _, chapter: courses.delete_chapter(uow, owner_id=me, chapter_id=chapter),
}


@pytest.mark.parametrize('action', INTRUSIONS.values(), ids=INTRUSIONS.keys())
def test_another_instructors_course_looks_missing_and_stays_untouched(
        uow: SqlUnitOfWork, ann: Instructor, bob: Instructor,
        action: Callable[[SqlUnitOfWork, UUID, UUID, UUID], object]) -> None:
    """Guessing or pasting an id of someone else's course must neither reveal nor change anything."""
    course = courses.create_course(uow, owner_id=ann.id, title='Private', description='Drafts')
    chapter = courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='One')
    courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='Two')
    before = courses.get_outline(uow, owner_id=ann.id, course_id=course.id)
    with pytest.raises(NotFound):
        action(uow, bob.id, course.id, chapter.id)
    assert courses.get_outline(uow, owner_id=ann.id, course_id=course.id) == before


def test_chapters_stay_densely_ordered_through_adds_moves_and_deletes(uow: SqlUnitOfWork, ann: Instructor) -> None:
    """Gaps or ties in stored positions would make the outline jump around after a few edits."""
    course = courses.create_course(uow, owner_id=ann.id, title='Course')
    ids = {title: courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title=title).id
           for title in 'ABCDE'}
    assert outline_titles(uow, ann, course.id) == list('ABCDE')

    moved = courses.move_chapter(uow, owner_id=ann.id, chapter_id=ids['E'], to_index=0)
    assert [c.title for c in moved] == list('EABCD')
    assert outline_titles(uow, ann, course.id) == list('EABCD')
    courses.move_chapter(uow, owner_id=ann.id, chapter_id=ids['A'], to_index=99)  # past the end: goes last
    assert outline_titles(uow, ann, course.id) == list('EBCDA')
    courses.move_chapter_by(uow, owner_id=ann.id, chapter_id=ids['C'], step=-1)
    assert outline_titles(uow, ann, course.id) == list('ECBDA')
    courses.delete_chapter(uow, owner_id=ann.id, chapter_id=ids['B'])
    assert outline_titles(uow, ann, course.id) == list('ECDA')
    courses.delete_chapter(uow, owner_id=ann.id, chapter_id=ids['E'])
    assert outline_titles(uow, ann, course.id) == list('CDA')
    ids['F'] = courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='F').id
    assert outline_titles(uow, ann, course.id) == list('CDAF')
    courses.reorder_chapters(uow, owner_id=ann.id, course_id=course.id,
                             chapter_ids=[ids['F'], ids['A'], ids['D'], ids['C']])
    assert outline_titles(uow, ann, course.id) == list('FADC')
    courses.move_chapter_by(uow, owner_id=ann.id, chapter_id=ids['C'], step=1)  # already last: stays
    courses.delete_chapter(uow, owner_id=ann.id, chapter_id=ids['C'])
    assert outline_titles(uow, ann, course.id) == list('FAD')


def test_deleting_a_chapter_removes_its_links_but_keeps_the_media(engine: Engine, uow: SqlUnitOfWork,
                                                                   ann: Instructor) -> None:
    """Media is the instructor's library: tidying an outline must never throw an upload away."""
    course = courses.create_course(uow, owner_id=ann.id, title='Course')
    doomed = courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='Doomed')
    kept = courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='Kept')
    media_id = add_media(engine, ann.id, course.id, [doomed.id, kept.id])

    courses.delete_chapter(uow, owner_id=ann.id, chapter_id=doomed.id)

    assert links_of(engine, media_id) == [kept.id]
    assert count_rows(engine, MediaFileRow) == 1


def test_deleting_a_course_removes_its_chapters_and_links_but_keeps_the_media(engine: Engine, uow: SqlUnitOfWork,
                                                                              ann: Instructor) -> None:
    """Deleting a course cascades through chapters and links in the database, and stops at the media."""
    course = courses.create_course(uow, owner_id=ann.id, title='Old course')
    other = courses.create_course(uow, owner_id=ann.id, title='Other course')
    chapters = [courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title=t).id for t in ('One', 'Two')]
    other_chapter = courses.add_chapter(uow, owner_id=ann.id, course_id=other.id, title='Elsewhere')
    media_id = add_media(engine, ann.id, course.id, chapters)
    add_media(engine, ann.id, other.id, [other_chapter.id])

    courses.delete_course(uow, owner_id=ann.id, course_id=course.id)

    with pytest.raises(NotFound):
        courses.get_outline(uow, owner_id=ann.id, course_id=course.id)
    assert links_of(engine, media_id) == []
    assert count_rows(engine, ChapterRow) == 1
    assert count_rows(engine, MediaLinkRow) == 1
    assert count_rows(engine, MediaFileRow) == 2
    assert [c.title for c in courses.get_outline(uow, owner_id=ann.id, course_id=other.id).chapters] == ['Elsewhere']


# --- time and transactions ---------------------------------------------------------------------------------------


def test_timestamps_come_back_as_the_same_instant_in_utc(uow: SqlUnitOfWork, ann: Instructor) -> None:
    """SQLite keeps no zone; a naive or shifted time read back would show wrong dates and sort wrongly."""
    berlin_summer = timezone(timedelta(hours=2))
    course = Course(owner_id=ann.id, title='Zoned', created_at=datetime(2026, 7, 1, 12, 30, 15, 123456, berlin_summer))
    with uow:
        uow.courses.add(course)
        uow.commit()
    chapter = courses.add_chapter(uow, owner_id=ann.id, course_id=course.id, title='One')

    outline = courses.get_outline(uow, owner_id=ann.id, course_id=course.id)
    stored_ann = accounts.get_instructor(uow, ann.id)
    assert stored_ann is not None
    read_back = [stored_ann.created_at, outline.course.created_at, outline.course.updated_at,
                 outline.chapters[0].created_at]
    for moment in read_back:
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
    assert outline.course.created_at == datetime(2026, 7, 1, 10, 30, 15, 123456, UTC)
    assert stored_ann.created_at == ann.created_at
    assert outline.chapters[0].created_at == chapter.created_at


def test_a_naive_timestamp_is_refused_rather_than_guessed(uow: SqlUnitOfWork, ann: Instructor) -> None:
    """A time without a zone is a bug upstream; storing it would silently shift by the server's offset."""
    with uow:
        uow.courses.add(Course(owner_id=ann.id, title='Naive', created_at=datetime(2026, 1, 1, 12, 0)))
        with pytest.raises(StatementError, match='naive datetime'):
            uow.commit()
    assert courses.list_courses(uow, owner_id=ann.id) == []


def test_leaving_a_unit_of_work_without_commit_keeps_nothing(engine: Engine, uow: SqlUnitOfWork) -> None:
    """Only an explicit commit stores anything: a use case that returns early must not leave half a change."""
    with uow:
        uow.instructors.add(Instructor(email='ann@example.org', display_name='Ann', password_hash='x'))
    assert count_rows(engine, UserRow) == 0


def test_an_error_inside_a_unit_of_work_rolls_back_what_was_already_written(engine: Engine, uow: SqlUnitOfWork,
                                                                             ann: Instructor) -> None:
    """Rows already flushed to the database inside the transaction vanish when the use case fails."""
    course = courses.create_course(uow, owner_id=ann.id, title='Course')

    def fail_halfway() -> None:
        with uow:
            uow.chapters.add(courses.Chapter(course_id=course.id, title='Half done', position=0))  # flushes
            assert len(uow.chapters.list_for_course(course.id)) == 1
            uow.courses.delete(course.id)
            raise RuntimeError('disk full')

    with pytest.raises(RuntimeError, match='disk full'):
        fail_halfway()
    assert count_rows(engine, ChapterRow) == 0
    assert count_rows(engine, CourseRow) == 1
    assert courses.get_outline(uow, owner_id=ann.id, course_id=course.id).chapters == []
