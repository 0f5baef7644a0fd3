# The browser fixtures of the web app's walks: one chromium, the demo world, fresh contexts.
from samen.web.tests.conftest import (  # noqa: F401
    chromium,
    live_demo_world,
    new_page,
    sign_in,
)
