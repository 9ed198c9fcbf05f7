"""The JSON API for scripts and integrations: media, courses, chapters and links. Documented at /api/docs.

Every route acts as the caller (session or personal token) and looks everything up through them: another
instructor's ids are 404, exactly like ids that never existed. Broken rules become JSON errors (see api_errors).
"""
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from nicegui import app
from starlette.exceptions import HTTPException

from domain import courses
from domain.accounts import Instructor
from domain.errors import AuthenticationFailed, NotFound
from domain.library import PAGE_SIZES, InUse, make_query

from .api_errors import http_error_response
from .api_models import (
    ERRORS,
    ChapterIn,
    ChapterOut,
    CourseDetailOut,
    CourseIn,
    CourseOut,
    CourseUpdateIn,
    InUseOut,
    LinkedMediaOut,
    LinkIn,
    LinkOut,
    MediaDetailOut,
    MediaOut,
    MediaPageOut,
    RenameIn,
    ReorderIn,
    UsageOut,
)
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    def caller(request: Request) -> Instructor:
        instructor = current_instructor(services, request)
        if instructor is None:
            raise AuthenticationFailed('Sign in first, or send a personal API token.')
        return instructor

    Caller = Annotated[Instructor, Depends(caller)]
    router = APIRouter(prefix='/api', responses=ERRORS)  # type: ignore[arg-type]

    @router.get('/media', tags=['media'])
    def list_media(me: Caller, q: Annotated[str, Query(max_length=200)] = '', kind: str | None = None,
                   sort: str = 'newest', page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                   page_size: int = PAGE_SIZES[0]) -> MediaPageOut:
        """Search (case- and accent-insensitive substring), filter by kind, sort (newest, oldest, name, size)."""
        query = make_query(owner_id=me.id, search=q, kind=kind, sort=sort, page=page, page_size=page_size)
        return MediaPageOut.of(services.library.page(query))

    @router.get('/media/{media_id}', tags=['media'])
    def get_media(me: Caller, media_id: UUID) -> MediaDetailOut:
        item = services.library.get(me.id, media_id)
        used_in = [UsageOut.of(usage) for usage in services.library.usages(me.id, [item.id])]
        return MediaDetailOut(**MediaOut.of(item).model_dump(), used_in=used_in)

    @router.patch('/media/{media_id}', tags=['media'])
    def rename_media(me: Caller, media_id: UUID, body: RenameIn) -> MediaOut:
        return MediaOut.of(services.library.rename(me.id, media_id, body.name))

    @router.delete('/media/{media_id}', status_code=204, tags=['media'], responses={409: {'model': InUseOut}})
    async def delete_media(me: Caller, media_id: UUID, force: bool = False) -> Response:
        """Refused with 409 and the places it is used, unless `force`: then its links go too."""
        try:
            await services.library.delete(me.id, [media_id], confirmed=force)
        except InUse as error:
            body = InUseOut(error='in_use', detail=str(error), used_in=[UsageOut.of(u) for u in error.usages])
            return JSONResponse(body.model_dump(mode='json'), status_code=409)
        return Response(status_code=204)

    @router.post('/media/link', status_code=201, tags=['links'])
    def link_media(me: Caller, body: LinkIn) -> LinkOut:
        """Link an item into a chapter (at `order`, or at the end); linking it again returns the existing link."""
        chapter = services.linking.check_chapter(me.id, body.chapter_id)
        if chapter.course_id != body.course_id:
            raise NotFound('This chapter does not exist in that course.')
        services.linking.link(me.id, chapter.id, [body.media_id])
        link = next(e.link for e in services.linking.chapter_media(me.id, chapter.id) if e.item.id == body.media_id)
        if body.order is not None and body.order != link.position:
            services.linking.move(me.id, link.id, body.order)
        return LinkOut.of(services.linking.get_link(me.id, link.id))

    @router.delete('/media/link/{link_id}', status_code=204, tags=['links'])
    def unlink_media(me: Caller, link_id: UUID) -> Response:
        """The media stays in the library."""
        services.linking.unlink(me.id, link_id)
        return Response(status_code=204)

    @router.get('/media/links/{course_id}', tags=['links'])
    def course_links(me: Caller, course_id: UUID) -> list[ChapterOut]:
        """The course's links, chapter by chapter, in order."""
        return _chapters_with_media(me, course_id)

    @router.get('/courses', tags=['courses'])
    def list_courses(me: Caller) -> list[CourseOut]:
        return [CourseOut.of(course) for course in courses.list_courses(services.new_uow(), owner_id=me.id)]

    @router.post('/courses', status_code=201, tags=['courses'])
    def create_course(me: Caller, body: CourseIn) -> CourseOut:
        return CourseOut.of(courses.create_course(services.new_uow(), owner_id=me.id, title=body.title,
                                                  description=body.description))

    @router.get('/courses/{course_id}', tags=['courses'])
    def get_course(me: Caller, course_id: UUID) -> CourseDetailOut:
        outline = courses.get_outline(services.new_uow(), owner_id=me.id, course_id=course_id)
        chapters = _chapters_with_media(me, course_id)
        return CourseDetailOut(**CourseOut.of(outline.course).model_dump(), chapters=chapters)

    @router.patch('/courses/{course_id}', tags=['courses'])
    def update_course(me: Caller, course_id: UUID, body: CourseUpdateIn) -> CourseOut:
        current = courses.get_outline(services.new_uow(), owner_id=me.id, course_id=course_id).course
        return CourseOut.of(courses.update_course(services.new_uow(), owner_id=me.id, course_id=course_id,
                                                  title=current.title if body.title is None else body.title,
                                                  description=body.description))

    @router.delete('/courses/{course_id}', status_code=204, tags=['courses'])
    def delete_course(me: Caller, course_id: UUID) -> Response:
        """Its chapters and links go; the media stays in the library."""
        courses.delete_course(services.new_uow(), owner_id=me.id, course_id=course_id)
        return Response(status_code=204)

    @router.post('/courses/{course_id}/chapters', status_code=201, tags=['courses'])
    def add_chapter(me: Caller, course_id: UUID, body: ChapterIn) -> ChapterOut:
        return ChapterOut.of(courses.add_chapter(services.new_uow(), owner_id=me.id, course_id=course_id,
                                                 title=body.title))

    @router.put('/courses/{course_id}/chapters/order', tags=['courses'])
    def reorder_chapters(me: Caller, course_id: UUID, body: ReorderIn) -> list[ChapterOut]:
        """Send every chapter id once, in the new order."""
        chapters = courses.reorder_chapters(services.new_uow(), owner_id=me.id, course_id=course_id,
                                            chapter_ids=body.ids)
        return [ChapterOut.of(chapter) for chapter in chapters]

    @router.patch('/chapters/{chapter_id}', tags=['courses'])
    def rename_chapter(me: Caller, chapter_id: UUID, body: ChapterIn) -> ChapterOut:
        return ChapterOut.of(courses.rename_chapter(services.new_uow(), owner_id=me.id, chapter_id=chapter_id,
                                                    title=body.title))

    @router.delete('/chapters/{chapter_id}', status_code=204, tags=['courses'])
    def delete_chapter(me: Caller, chapter_id: UUID) -> Response:
        courses.delete_chapter(services.new_uow(), owner_id=me.id, chapter_id=chapter_id)
        return Response(status_code=204)

    @router.put('/chapters/{chapter_id}/media/order', tags=['links'])
    def reorder_chapter_media(me: Caller, chapter_id: UUID, body: ReorderIn) -> list[LinkedMediaOut]:
        """Send every link id of the chapter once, in the new order."""
        services.linking.reorder(me.id, chapter_id, body.ids)
        return [LinkedMediaOut.of(entry) for entry in services.linking.chapter_media(me.id, chapter_id)]

    def _chapters_with_media(me: Instructor, course_id: UUID) -> list[ChapterOut]:
        outline = courses.get_outline(services.new_uow(), owner_id=me.id, course_id=course_id)
        media = services.linking.course_media(me.id, outline.course)
        return [ChapterOut.of(chapter, media.get(chapter.id, [])) for chapter in outline.chapters]

    app.include_router(router)
    app.add_exception_handler(HTTPException, http_error_response)  # NiceGUI's own 404 handler still comes first
