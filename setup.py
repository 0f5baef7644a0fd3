"""The project's metadata is in pyproject.toml; this file only adds the compiled parts, built by
``make install``: the online engine's tokeniser (``samen.online.engine._tokens``, issue 18), the
coordinator's clustering kernels (``samen.online.engine._clusterc``, ADR 0076) and the audit
verify walk's per-entry checks (``samen.core._chainwalk``, issue 20, ADR 0068), which
links OpenSSL's libcrypto (Debian: ``libssl-dev`` to build, ``libssl3`` to run)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "samen.online.engine._tokens",
            ["src/samen/online/engine/_tokens.c"],
            extra_compile_args=["-O3"],
        ),
        Extension(
            "samen.online.engine._clusterc",
            ["src/samen/online/engine/_clusterc.c"],
            extra_compile_args=["-O3"],
        ),
        Extension(
            "samen.core._chainwalk",
            ["src/samen/core/_chainwalk.c"],
            extra_compile_args=["-O3"],
            libraries=["crypto"],
        ),
    ]
)
