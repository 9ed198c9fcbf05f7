"""The schema. Each table mirrors a domain object; the migrations in db/migrations create exactly this."""
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.clock import utc_now

from .types import UTCDateTime


def _created() -> datetime:
    return Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)


class UserRow(SQLModel, table=True):
    __tablename__ = 'users'

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    library_view: str = Field(default='grid', max_length=8)
    created_at: datetime = _created()


class MediaFileRow(SQLModel, table=True):
    __tablename__ = 'media_files'
    # A library page is chosen from one index alone: each index that serves a sort starts with the owner (and kind),
    # then the sort's column and id, as the repository orders, then what the other filters read. Deep pages and
    # substring searches so step through index entries instead of table rows (see bench/library.py).
    __table_args__ = (
        Index('ix_media_files_owner_created', 'owner_id', 'created_at', 'id', 'search_name'),
        Index('ix_media_files_owner_kind_created', 'owner_id', 'kind', 'created_at', 'id', 'search_name'),
        Index('ix_media_files_owner_sha256', 'owner_id', 'sha256', unique=True),  # one copy of any bytes
        Index('ix_media_files_owner_search_name', 'owner_id', 'search_name', 'id', 'kind'),
        Index('ix_media_files_owner_size', 'owner_id', 'size', 'id', 'search_name'),
        Index('ix_media_files_owner_kind_size', 'owner_id', 'kind', 'size', 'id', 'search_name'),  # and the totals
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    owner_id: UUID = Field(foreign_key='users.id', ondelete='CASCADE')
    display_name: str = Field(max_length=255)
    search_name: str = Field(default='', max_length=255)  # domain.media.search_key(display_name), for search and sort
    original_name: str = Field(max_length=255)
    kind: str = Field(max_length=16)
    mime_type: str = Field(max_length=127)
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=255, unique=True)
    status: str = Field(max_length=16)
    status_detail: str = Field(default='', max_length=500)
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail_key: str | None = Field(default=None, max_length=255)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class CourseRow(SQLModel, table=True):
    __tablename__ = 'courses'

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    owner_id: UUID = Field(foreign_key='users.id', ondelete='CASCADE', index=True)
    title: str = Field(max_length=200)
    description: str = ''
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ChapterRow(SQLModel, table=True):
    __tablename__ = 'chapters'

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    course_id: UUID = Field(foreign_key='courses.id', ondelete='CASCADE', index=True)
    title: str = Field(max_length=200)
    position: int
    created_at: datetime = _created()


class MediaLinkRow(SQLModel, table=True):
    """A media item placed in a chapter; deleting the course or chapter removes the link, never the media."""
    __tablename__ = 'media_links'
    __table_args__ = (
        UniqueConstraint('media_id', 'course_id', 'chapter_id', name='uq_media_links_media_course_chapter'),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    media_id: UUID = Field(foreign_key='media_files.id', ondelete='CASCADE', index=True)
    course_id: UUID = Field(foreign_key='courses.id', ondelete='CASCADE', index=True)
    chapter_id: UUID = Field(foreign_key='chapters.id', ondelete='CASCADE', index=True)
    position: int
    linked_at: datetime = _created()


class UploadOperationRow(SQLModel, table=True):
    __tablename__ = 'upload_operations'

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    owner_id: UUID = Field(foreign_key='users.id', ondelete='CASCADE', index=True)
    file_name: str = Field(max_length=255)
    bytes_total: int | None = Field(default=None, sa_type=BigInteger)
    bytes_done: int = Field(default=0, sa_type=BigInteger)
    stage: str = Field(max_length=16, index=True)
    error: str = Field(default='', max_length=500)
    duplicate: bool = False
    storage_key: str | None = Field(default=None, max_length=255)
    media_id: UUID | None = Field(default=None, foreign_key='media_files.id', ondelete='SET NULL')
    target_chapter_id: UUID | None = Field(default=None, foreign_key='chapters.id', ondelete='SET NULL')
    created_at: datetime = _created()
    updated_at: datetime = _created()


class ApiTokenRow(SQLModel, table=True):
    __tablename__ = 'api_tokens'

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    owner_id: UUID = Field(foreign_key='users.id', ondelete='CASCADE', index=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the secret; the secret itself is never stored
    created_at: datetime = _created()
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
