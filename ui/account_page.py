"""The account page: who you are, and the personal API tokens your scripts use (made, shown once, revoked)."""
from fastapi.responses import RedirectResponse
from nicegui import ui

from domain.errors import DomainError
from domain.tokens import ApiToken

from .dialogs import confirm
from .frame import frame, show_error
from .services import Services
from .session import current_instructor


def register(services: Services) -> None:
    @ui.page('/account')
    def account_page() -> RedirectResponse | None:
        instructor = current_instructor(services)
        if instructor is None:
            return RedirectResponse('/login')
        owner = instructor.id

        @ui.refreshable
        def token_list() -> None:
            tokens = services.tokens.list(owner)
            if not tokens:
                ui.label('No tokens yet.').classes('text-sm text-gray-600').mark('no-tokens')
                return
            with ui.list().props('bordered separator').classes('w-full').mark('tokens'):
                for token in tokens:
                    _token_row(token)

        def _token_row(token: ApiToken) -> None:
            used = token.last_used_at.strftime('%Y-%m-%d %H:%M UTC') if token.last_used_at else 'never used'
            with ui.item():
                with ui.item_section():
                    ui.item_label(token.name).mark('token-name')
                    ui.item_label(f'made {token.created_at:%Y-%m-%d}, {used}').props('caption')
                with ui.item_section().props('side'):
                    ui.button('Revoke', on_click=lambda t=token: revoke(t)).props('flat dense color=negative') \
                        .mark(f'revoke-{token.name}')

        def create() -> None:
            try:
                _, secret = services.tokens.create(owner, name.value or '')
            except DomainError as error:
                show_error(str(error))
                return
            name.value = ''
            shown.clear()
            with shown:
                ui.label('Copy it now: it is not shown again.').classes('text-sm font-medium')
                ui.input(value=secret).props('readonly outlined dense').classes('w-full font-mono') \
                    .mark('new-token')
            token_list.refresh()

        async def revoke(token: ApiToken) -> None:
            if await confirm(f'Revoke "{token.name}"?', 'Scripts using it stop working at once.', action='Revoke'):
                try:
                    services.tokens.revoke(owner, token.id)
                except DomainError as error:
                    show_error(str(error))
                token_list.refresh()

        with frame('Account', instructor):
            ui.label(f'{instructor.display_name} · {instructor.email}').classes('text-gray-700')
            ui.label('Personal API tokens').classes('text-lg font-semibold mt-4')
            ui.label('Scripts send one as "Authorization: Bearer <token>". See the API at /api/docs.') \
                .classes('text-sm text-gray-600')
            token_list()
            with ui.row().classes('w-full items-center'):
                name = ui.input('What is it for?').props('outlined dense').classes('grow').mark('token-purpose')
                ui.button('Create token', on_click=create).mark('create-token')
            shown = ui.column().classes('w-full')
        return None
