"""Sign-in, one-time setup, optional sign-up, sign-out and the admin's instructor list."""
from collections.abc import Callable

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from domain import accounts
from domain.accounts import MIN_PASSWORD_LENGTH, Instructor
from domain.errors import DomainError

from .frame import frame, show_error
from .services import Services
from .session import current_instructor, sign_in, sign_out


def register(services: Services) -> None:
    @ui.page('/setup', title='Set up · Mediashelf')
    def setup_page() -> RedirectResponse | None:
        if not accounts.needs_setup(services.new_uow()):
            return RedirectResponse('/login')

        def create(email: str, password: str, name: str) -> Instructor:
            return accounts.set_up_first_admin(services.new_uow(), services.hasher, email=email, password=password,
                                               display_name=name)

        with _card('Welcome to Mediashelf', 'Create the first account. It can add other instructors later.'):
            _account_form('Create account', create, _sign_in_and_open_courses)
        return None

    @ui.page('/signup', title='Sign up · Mediashelf')
    def signup_page() -> RedirectResponse | None:
        if not services.open_signup or accounts.needs_setup(services.new_uow()):
            return RedirectResponse('/login')

        def create(email: str, password: str, name: str) -> Instructor:
            return accounts.create_instructor(services.new_uow(), services.hasher, email=email, password=password,
                                              display_name=name)

        with _card('Create your account', 'Your library and courses are private to you.'):
            _account_form('Sign up', create, _sign_in_and_open_courses)
        return None

    @ui.page('/login', title='Sign in · Mediashelf')
    def login_page(next: str = '/library') -> RedirectResponse | None:  # noqa: A002  (the query parameter's name)
        if accounts.needs_setup(services.new_uow()):
            return RedirectResponse('/setup')
        target = next if next.startswith('/') and not next.startswith('//') else '/library'
        address = ui.context.client.ip or 'unknown'

        async def attempt() -> None:
            try:
                instructor = await run.io_bound(accounts.sign_in, services.new_uow(), services.hasher,
                                                services.throttle, email=email.value, password=password.value,
                                                address=address)
            except DomainError as error:
                password.value = ''
                show_error(str(error))
                return
            sign_in(instructor)
            ui.navigate.to(target)

        with _card('Sign in', 'Welcome back.'):
            email = ui.input('Email').props('type=email autocomplete=username autofocus outlined').classes('w-full') \
                .mark('email')
            password = ui.input('Password', password=True).props('autocomplete=current-password outlined') \
                .classes('w-full').mark('password').on('keydown.enter', attempt)
            ui.button('Sign in', on_click=attempt).classes('w-full').mark('sign-in')
            if services.open_signup:
                ui.link('No account yet? Sign up', '/signup').classes('text-sm')
        return None

    @ui.page('/logout')
    def logout_page() -> RedirectResponse:
        sign_out()
        return RedirectResponse('/login')

    @ui.page('/admin/instructors')
    def instructors_page() -> RedirectResponse | None:
        acting = current_instructor(services)
        if acting is None:
            return RedirectResponse('/login')
        if not acting.is_admin:
            return RedirectResponse('/library')

        @ui.refreshable
        def instructor_list() -> None:
            with ui.list().props('bordered separator').classes('w-full').mark('instructors'):
                for instructor in accounts.list_instructors_as(services.new_uow(), acting=acting):
                    with ui.item():
                        with ui.item_section():
                            ui.item_label(instructor.display_name)
                            ui.item_label(instructor.email).props('caption')
                        if instructor.is_admin:
                            with ui.item_section().props('side'):
                                ui.badge('admin')

        def create(email: str, password: str, name: str) -> Instructor:
            return accounts.add_instructor_as(services.new_uow(), services.hasher, acting=acting, email=email,
                                              password=password, display_name=name)

        def added(instructor: Instructor) -> None:
            ui.notify(f'Added {instructor.email}', type='positive')
            instructor_list.refresh()

        with frame('Instructors', acting):
            instructor_list()
            ui.label('Add an instructor').classes('text-lg mt-4')
            with ui.card().classes('w-full max-w-md'):
                _account_form('Add instructor', create, added)
        return None


def _card(title: str, subtitle: str) -> ui.card:
    with ui.column().classes('w-full items-center mt-16'):
        card = ui.card().classes('w-full max-w-sm p-6 gap-3')
        with card:
            ui.label(title).classes('text-2xl font-semibold')
            ui.label(subtitle).classes('text-sm text-gray-600')
    return card


def _sign_in_and_open_courses(instructor: Instructor) -> None:
    sign_in(instructor)
    ui.navigate.to('/courses')


def _account_form(action: str, create: Callable[[str, str, str], Instructor],
                  on_created: Callable[[Instructor], None]) -> None:
    """Name, email and a password typed twice. Hashing runs in a thread: argon2 is slow on purpose."""
    name = ui.input('Display name (optional)').props('outlined').classes('w-full').mark('name')
    email = ui.input('Email').props('type=email autocomplete=username outlined').classes('w-full').mark('email')
    password = ui.input('Password', password=True, password_toggle_button=True) \
        .props(f'autocomplete=new-password outlined hint="At least {MIN_PASSWORD_LENGTH} characters"') \
        .classes('w-full').mark('password')
    repeat = ui.input('Repeat password', password=True).props('autocomplete=new-password outlined') \
        .classes('w-full').mark('repeat-password')

    async def submit() -> None:
        if password.value != repeat.value:
            show_error('The two passwords differ.')
            return
        try:
            instructor = await run.io_bound(create, email.value, password.value, name.value)
        except DomainError as error:
            show_error(str(error))
            return
        for field in (name, email, password, repeat):
            field.value = ''
        on_created(instructor)

    ui.button(action, on_click=submit).classes('w-full').mark('submit')
