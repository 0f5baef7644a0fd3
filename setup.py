"""The project's metadata is in pyproject.toml; this file only adds the compiled tokeniser of the
online engine (``samen.online.engine._tokens``), built by ``make install`` (issue 18)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "samen.online.engine._tokens",
            ["src/samen/online/engine/_tokens.c"],
            extra_compile_args=["-O3"],
        )
    ]
)
