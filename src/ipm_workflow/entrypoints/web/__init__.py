"""Web pages for staff: server-rendered templates in the same Litestar app as the API.

See `app.py` for how the pages are mounted, `session.py` for sign-in, sessions and CSRF,
`i18n.py` for the message catalogues and `rendering.py` for the one way a page is rendered.
"""
