"""The JSON shapes of the API, as pydantic models: they document the routes in OpenAPI and are what
schemathesis checks every response against."""
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from domain.courses import Chapter, Course
from domain.library import LibraryPage, Usage
from domain.links import LinkedMedia, MediaLink
from domain.media import MediaItem
from domain.uploads import UploadOperation


class ErrorOut(BaseModel):
    error: str
    detail: str


class MediaOut(BaseModel):
    id: UUID
    name: str
    kind: str
    mime_type: str
    size: int
    sha256: str
    status: str
    status_detail: str
    duration_seconds: float | None
    width: int | None
    height: int | None
    content_url: str
    thumbnail_url: str | None
    created_at: datetime

    @classmethod
    def of(cls, item: MediaItem) -> 'MediaOut':
        return cls(id=item.id, name=item.display_name, kind=str(item.kind), mime_type=item.mime_type, size=item.size,
                   sha256=item.sha256, status=str(item.status), status_detail=item.status_detail,
                   duration_seconds=item.duration_seconds, width=item.width, height=item.height,
                   content_url=f'/api/media/{item.id}/content',
                   thumbnail_url=f'/api/media/{item.id}/thumbnail' if item.thumbnail_key else None,
                   created_at=item.created_at)


class MediaPageOut(BaseModel):
    items: list[MediaOut]
    total: int
    page: int
    page_count: int
    page_size: int

    @classmethod
    def of(cls, page: LibraryPage) -> 'MediaPageOut':
        return cls(items=[MediaOut.of(item) for item in page.items], total=page.total, page=page.query.page,
                   page_count=page.page_count, page_size=page.query.page_size)


class UsageOut(BaseModel):
    media_id: UUID
    course_id: UUID
    course_title: str
    chapter_id: UUID
    chapter_title: str

    @classmethod
    def of(cls, usage: Usage) -> 'UsageOut':
        return cls(media_id=usage.media_id, course_id=usage.course_id, course_title=usage.course_title,
                   chapter_id=usage.chapter_id, chapter_title=usage.chapter_title)


class MediaDetailOut(MediaOut):
    used_in: list[UsageOut]


class InUseOut(ErrorOut):
    used_in: list[UsageOut]


class RenameIn(BaseModel):
    name: str = Field(max_length=1000)


class LinkOut(BaseModel):
    id: UUID
    media_id: UUID
    course_id: UUID
    chapter_id: UUID
    order: int
    linked_at: datetime

    @classmethod
    def of(cls, link: MediaLink) -> 'LinkOut':
        return cls(id=link.id, media_id=link.media_id, course_id=link.course_id, chapter_id=link.chapter_id,
                   order=link.position, linked_at=link.linked_at)


class LinkedMediaOut(BaseModel):
    link: LinkOut
    media: MediaOut

    @classmethod
    def of(cls, entry: LinkedMedia) -> 'LinkedMediaOut':
        return cls(link=LinkOut.of(entry.link), media=MediaOut.of(entry.item))


class LinkIn(BaseModel):
    media_id: UUID
    course_id: UUID
    chapter_id: UUID
    order: int | None = Field(default=None, ge=0, le=100_000)


class ChapterOut(BaseModel):
    id: UUID
    title: str
    order: int
    media: list[LinkedMediaOut] = []

    @classmethod
    def of(cls, chapter: Chapter, media: list[LinkedMedia] | None = None) -> 'ChapterOut':
        return cls(id=chapter.id, title=chapter.title, order=chapter.position,
                   media=[LinkedMediaOut.of(entry) for entry in media or []])


class CourseOut(BaseModel):
    id: UUID
    title: str
    description: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, course: Course) -> 'CourseOut':
        return cls(id=course.id, title=course.title, description=course.description, created_at=course.created_at,
                   updated_at=course.updated_at)


class CourseDetailOut(CourseOut):
    chapters: list[ChapterOut]


class CourseIn(BaseModel):
    title: str = Field(max_length=1000)
    description: str = Field(default='', max_length=10_000)


class CourseUpdateIn(BaseModel):
    title: str | None = Field(default=None, max_length=1000)
    description: str | None = Field(default=None, max_length=10_000)


class ChapterIn(BaseModel):
    title: str = Field(max_length=1000)


class ReorderIn(BaseModel):
    ids: list[UUID] = Field(max_length=10_000)


class UploadedOut(MediaOut):
    """The upload route's answer: the item, new or already in the library, and the upload that brought it."""
    duplicate: bool
    operation_id: UUID

    @classmethod
    def of_upload(cls, item: MediaItem, *, duplicate: bool, operation_id: UUID) -> 'UploadedOut':
        return cls(**MediaOut.of(item).model_dump(), duplicate=duplicate, operation_id=operation_id)


class UploadProgressOut(BaseModel):
    """An upload's state as the progress bars show it."""
    id: UUID
    file_name: str
    stage: str
    bytes_done: int
    bytes_total: int | None
    fraction: float
    speed: float | None
    eta_seconds: float | None
    error: str
    media_id: UUID | None
    duplicate: bool

    @classmethod
    def of(cls, operation: UploadOperation) -> 'UploadProgressOut':
        return cls(id=operation.id, file_name=operation.file_name, stage=str(operation.stage),
                   bytes_done=operation.bytes_done, bytes_total=operation.bytes_total, fraction=operation.fraction,
                   speed=operation.speed, eta_seconds=operation.eta_seconds, error=operation.error,
                   media_id=operation.media_id, duplicate=operation.duplicate)


UPLOAD_BODY = {'required': True, 'content': {'multipart/form-data': {'schema': {
    'type': 'object', 'required': ['file'], 'properties': {'file': {'type': 'string', 'format': 'binary'}}}}}}

ERRORS = {status: {'model': ErrorOut} for status in (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)}
FILE_RESPONSES = {  # a stored file's bytes, in its own media type; ranges and validators as browsers use them
    200: {'description': 'The bytes', 'content': {'*/*': {'schema': {'type': 'string', 'format': 'binary'}}}},
    206: {'description': 'The requested range', 'content': {'*/*': {'schema': {'type': 'string', 'format': 'binary'}}}},
    304: {'description': 'Not modified since the copy the client holds'},
    307: {'description': 'Fetch it from the storage bucket (S3 storage), at the address in Location'},
    416: {'description': 'The range lies outside the file'},
}
