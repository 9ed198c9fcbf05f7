"""The courses list and the course editor (title, description, ordered chapters)."""
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import ui

from domain import courses
from domain.accounts import Instructor
from domain.changes import Topic
from domain.courses import Chapter, Course
from domain.errors import DomainError, NotFound

from .chapter_section import ChapterSection, icon_button
from .dialogs import ask_text, confirm
from .formatting import format_duration
from .frame import frame, show_error
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    @ui.page('/courses')
    def courses_page() -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')
        owner = instructor.id

        @ui.refreshable
        def course_list() -> None:
            items = courses.list_courses(services.new_uow(), owner_id=owner)
            if not items:
                with ui.column().classes('w-full items-center py-12 text-gray-600').mark('courses-empty'):
                    ui.icon('school', size='3rem')
                    ui.label('No courses yet. Create one, then add chapters and media.')
                return
            with ui.list().props('bordered separator').classes('w-full').mark('course-list'):
                for course in items:
                    _course_row(course)

        def _course_row(course: Course) -> None:
            with ui.item(on_click=lambda c=course: ui.navigate.to(f'/courses/{c.id}')).mark(f'course-{course.title}'):
                with ui.item_section():
                    ui.item_label(course.title).classes('font-medium')
                    if course.description:
                        ui.item_label(course.description).props('caption lines=1')
                with ui.item_section().props('side'), ui.row():
                    icon_button('edit', f'Rename {course.title}', lambda c=course: rename(c),
                                 mark=f'rename-course-{course.title}').props('@click.stop')
                    icon_button('delete', f'Delete {course.title}', lambda c=course: delete(c),
                                 mark=f'delete-course-{course.title}').props('@click.stop')

        async def create() -> None:
            title = await ask_text('New course', label='Course title', action='Create')
            if title is not None and _attempt(courses.create_course, services.new_uow(), owner_id=owner, title=title):
                course_list.refresh()

        async def rename(course: Course) -> None:
            title = await ask_text('Rename course', label='Course title', value=course.title)
            if title is not None and _attempt(courses.update_course, services.new_uow(), owner_id=owner,
                                              course_id=course.id, title=title):
                course_list.refresh()

        async def delete(course: Course) -> None:
            if await confirm(f'Delete "{course.title}"?', 'Its chapters and links are removed. '
                             'The media stays in your library.'):
                _attempt(courses.delete_course, services.new_uow(), owner_id=owner, course_id=course.id)
                course_list.refresh()

        with frame('Courses', instructor):
            ui.button('New course', icon='add', on_click=create).mark('new-course')
            course_list()
        return None

    @ui.page('/courses/{course_id}')
    def course_editor_page(course_id: str) -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')
        try:
            outline = courses.get_outline(services.new_uow(), owner_id=instructor.id, course_id=UUID(course_id))
        except (ValueError, NotFound):
            raise HTTPException(404, 'This course does not exist.') from None  # others' ids look missing
        CourseEditor(services, instructor, outline.course)
        return None


class CourseEditor:
    """Title, description and the ordered chapters with their media; follows changes made in other tabs."""

    def __init__(self, services: Services, instructor: Instructor, course: Course) -> None:
        self._services = services
        self._instructor = instructor
        self._course = course
        self._sections: dict[UUID, ChapterSection] = {}
        actions = {'move': self._move, 'rename': self._rename, 'delete': self._delete}
        self._actions = actions
        with frame(course.title, instructor):
            ui.link('← All courses', '/courses').classes('text-sm')
            with ui.card().classes('w-full'):
                self._title = ui.input('Title', value=course.title).props('outlined').classes('w-full') \
                    .mark('course-title')
                self._description = ui.textarea('Description', value=course.description) \
                    .props('outlined autogrow').classes('w-full').mark('course-description')
                ui.button('Save details', on_click=self._save_details).props('outline').mark('save-details')
            with ui.row().classes('w-full items-baseline justify-between'):
                ui.label('Chapters').classes('text-lg font-semibold')
                self._total = ui.label().classes('text-sm text-gray-600').mark('course-duration')
            self._empty = ui.label('No chapters yet. Add the first one below.').classes('text-gray-600') \
                .mark('chapters-empty')
            self._chapters = ui.column().classes('w-full gap-3').mark('chapter-list')
            with ui.row().classes('w-full items-center'):
                self._new_title = ui.input('New chapter title').props('outlined dense').classes('grow') \
                    .mark('new-chapter-title').on('keydown.enter', self._add)
                ui.button('Add chapter', icon='add', on_click=self._add).mark('add-chapter')
        self.sync()
        for topic in (Topic.LINKS, Topic.MEDIA):
            ui.context.client.on_delete(services.feed.subscribe(instructor.id, topic, self.sync))

    def sync(self) -> None:
        """Bring chapters and their media up to date, keeping each chapter's section (and its uploads) alive."""
        if self._chapters.is_deleted:
            return
        owner = self._instructor.id
        try:
            chapters = courses.get_outline(self._services.new_uow(), owner_id=owner, course_id=self._course.id) \
                .chapters
        except NotFound:
            ui.navigate.to('/courses')  # deleted in another tab
            return
        media = self._services.linking.course_media(owner, self._course)
        for gone in set(self._sections) - {chapter.id for chapter in chapters}:
            self._chapters.remove(self._sections.pop(gone))
        for index, chapter in enumerate(chapters):
            section = self._sections.get(chapter.id)
            if section is None:
                with self._chapters:
                    section = self._sections[chapter.id] = ChapterSection(self._services, owner, chapter,
                                                                          actions=self._actions)
            section.move(self._chapters, target_index=index)
            section.show(chapter, media.get(chapter.id, []), first=index == 0, last=index == len(chapters) - 1)
        self._empty.set_visibility(not chapters)
        total = sum(section.video_seconds for section in self._sections.values())
        self._total.text = f'{format_duration(total)} of video in total' if total else ''

    def _add(self) -> None:
        if _attempt(courses.add_chapter, self._services.new_uow(), owner_id=self._instructor.id,
                    course_id=self._course.id, title=self._new_title.value):
            self._new_title.value = ''
            self.sync()

    def _move(self, chapter: Chapter, step: int) -> None:
        _attempt(courses.move_chapter_by, self._services.new_uow(), owner_id=self._instructor.id,
                 chapter_id=chapter.id, step=step)
        self.sync()

    async def _rename(self, chapter: Chapter) -> None:
        title = await ask_text('Rename chapter', label='Chapter title', value=chapter.title)
        if title is not None and _attempt(courses.rename_chapter, self._services.new_uow(),
                                          owner_id=self._instructor.id, chapter_id=chapter.id, title=title):
            self.sync()

    async def _delete(self, chapter: Chapter) -> None:
        if await confirm(f'Delete chapter "{chapter.title}"?', 'Its media links are removed. '
                         'The media stays in your library.'):
            _attempt(courses.delete_chapter, self._services.new_uow(), owner_id=self._instructor.id,
                     chapter_id=chapter.id)
            self.sync()

    def _save_details(self) -> None:
        if _attempt(courses.update_course, self._services.new_uow(), owner_id=self._instructor.id,
                    course_id=self._course.id, title=self._title.value, description=self._description.value):
            ui.notify('Saved', type='positive')


def _attempt(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run a use case; a broken rule becomes a message, and the caller learns whether it worked."""
    try:
        use_case(*args, **kwargs)
    except DomainError as error:
        show_error(str(error))
        return False
    return True

