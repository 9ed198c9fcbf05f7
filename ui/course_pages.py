"""The courses list and the course editor (title, description, ordered chapters)."""
from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import HTTPException
from fastapi.responses import RedirectResponse
from nicegui import ui

from domain import courses
from domain.courses import Chapter, Course
from domain.errors import DomainError, NotFound

from .dialogs import ask_text, confirm
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
                    _icon_button('edit', f'Rename {course.title}', lambda c=course: rename(c),
                                 mark=f'rename-course-{course.title}').props('@click.stop')
                    _icon_button('delete', f'Delete {course.title}', lambda c=course: delete(c),
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
        owner = instructor.id
        try:
            outline = courses.get_outline(services.new_uow(), owner_id=owner, course_id=UUID(course_id))
        except (ValueError, NotFound):
            raise HTTPException(404, 'This course does not exist.') from None  # others' ids look missing
        course = outline.course

        @ui.refreshable
        def chapter_list() -> None:
            chapters = courses.get_outline(services.new_uow(), owner_id=owner, course_id=course.id).chapters
            if not chapters:
                ui.label('No chapters yet. Add the first one below.').classes('text-gray-600').mark('chapters-empty')
                return
            with ui.list().props('bordered separator').classes('w-full').mark('chapter-list'):
                for index, chapter in enumerate(chapters):
                    _chapter_row(chapter, first=index == 0, last=index == len(chapters) - 1)

        def _chapter_row(chapter: Chapter, *, first: bool, last: bool) -> None:
            with ui.item().mark('chapter'):
                with ui.item_section().props('avatar'):
                    ui.label(f'{chapter.position + 1}.').classes('text-gray-500')
                with ui.item_section():
                    ui.item_label(chapter.title).classes('chapter-title').mark('chapter-title')
                with ui.item_section().props('side'), ui.row().classes('gap-0'):
                    _icon_button('arrow_upward', f'Move {chapter.title} up', lambda c=chapter: move(c, -1),
                                 mark=f'up-{chapter.title}').set_enabled(not first)
                    _icon_button('arrow_downward', f'Move {chapter.title} down', lambda c=chapter: move(c, 1),
                                 mark=f'down-{chapter.title}').set_enabled(not last)
                    _icon_button('edit', f'Rename {chapter.title}', lambda c=chapter: rename(c),
                                 mark=f'rename-{chapter.title}')
                    _icon_button('delete', f'Delete {chapter.title}', lambda c=chapter: delete(c),
                                 mark=f'delete-{chapter.title}')

        def add() -> None:
            if _attempt(courses.add_chapter, services.new_uow(), owner_id=owner, course_id=course.id,
                        title=new_title.value):
                new_title.value = ''
                chapter_list.refresh()

        def move(chapter: Chapter, step: int) -> None:
            _attempt(courses.move_chapter_by, services.new_uow(), owner_id=owner, chapter_id=chapter.id, step=step)
            chapter_list.refresh()

        async def rename(chapter: Chapter) -> None:
            title = await ask_text('Rename chapter', label='Chapter title', value=chapter.title)
            if title is not None and _attempt(courses.rename_chapter, services.new_uow(), owner_id=owner,
                                              chapter_id=chapter.id, title=title):
                chapter_list.refresh()

        async def delete(chapter: Chapter) -> None:
            if await confirm(f'Delete chapter "{chapter.title}"?', 'Its media links are removed. '
                             'The media stays in your library.'):
                _attempt(courses.delete_chapter, services.new_uow(), owner_id=owner, chapter_id=chapter.id)
                chapter_list.refresh()

        def save_details() -> None:
            if _attempt(courses.update_course, services.new_uow(), owner_id=owner, course_id=course.id,
                        title=title.value, description=description.value):
                ui.notify('Saved', type='positive')

        with frame(course.title, instructor):
            ui.link('← All courses', '/courses').classes('text-sm')
            with ui.card().classes('w-full'):
                title = ui.input('Title', value=course.title).props('outlined').classes('w-full').mark('course-title')
                description = ui.textarea('Description', value=course.description).props('outlined autogrow') \
                    .classes('w-full').mark('course-description')
                ui.button('Save details', on_click=save_details).props('outline').mark('save-details')
            ui.label('Chapters').classes('text-lg font-semibold')
            chapter_list()
            with ui.row().classes('w-full items-center'):
                new_title = ui.input('New chapter title').props('outlined dense').classes('grow') \
                    .mark('new-chapter-title').on('keydown.enter', add)
                ui.button('Add chapter', icon='add', on_click=add).mark('add-chapter')
        return None


def _icon_button(icon: str, label: str, on_click: Callable[[], Any], *, mark: str) -> ui.button:
    """A compact icon button with a spoken name (aria-label) and a tooltip, for keyboard and screen-reader users."""
    button = ui.button(icon=icon, on_click=on_click).props('flat round dense').tooltip(label).mark(mark)
    button.props['aria-label'] = label
    return button


def _attempt(use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run a use case; a broken rule becomes a message, and the caller learns whether it worked."""
    try:
        use_case(*args, **kwargs)
    except DomainError as error:
        show_error(str(error))
        return False
    return True

