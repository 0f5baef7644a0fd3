"""Checking a file of ads before anything of it is kept: suffix, size, gzip, first line."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".csv.gz")

SNIFF_BYTES = 256 * 1024


def _suffix(name: str) -> str:
    lower = name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), "")


def _head(stream: IO[bytes], compressed: bool) -> bytes:
    """The first bytes of the (decompressed) content, to check what kind of file it is."""
    stream.seek(0)
    if compressed:
        try:
            with gzip.GzipFile(fileobj=stream) as unzipped:
                return unzipped.read(SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValidationError(_("The file is not a readable .gz file.")) from exc
    return stream.read(SNIFF_BYTES)


def _check_content(head: bytes, suffix: str) -> None:
    """The file must look like ads: JSON Lines with an object per line, or CSV with a header
    naming at least the ad's id and its text or title."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end inside a character; only a broken start is an error.
        try:
            text = head[: max(len(head) - 4, 0)].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not text in UTF-8.")) from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError(_("The file is empty."))
    if ".csv" in suffix:
        header = {h.strip().lower() for h in next(csv.reader([lines[0]]))}
        if "id" not in header or not header & {"text", "title"}:
            raise ValidationError(
                _("The CSV file needs a header with the columns id and text (or title).")
            )
        return
    first = lines[0]
    try:
        ad = json.loads(first) if len(lines) > 1 or len(first) < SNIFF_BYTES else None
    except (json.JSONDecodeError, RecursionError):
        ad = None
    if not isinstance(ad, dict) or "id" not in ad or not ad.keys() & {"text", "title"}:
        raise ValidationError(
            _("The first line is not an ad: each line must be a JSON object with id and text.")
        )


def validate_upload(upload: UploadedFile) -> str:
    """The suffix of an acceptable upload, or a ValidationError saying what is wrong."""
    suffix = _suffix(upload.name or "")
    if not suffix:
        raise ValidationError(_("Choose a JSON Lines or CSV file (optionally .gz)."))
    if upload.size is not None and upload.size > settings.ONLINE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.ONLINE_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if upload.file is None:
        raise ValidationError(_("The file is empty."))
    _check_content(_head(upload.file, suffix.endswith(".gz")), suffix)
    return suffix


def scan_sources() -> list[tuple[str, Path]]:
    """The ad files in the configured scan directories, by a key the form offers (never a path
    typed by the user)."""
    found = []
    for number, directory in enumerate(settings.ONLINE_SCAN_DIRS):
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).iterdir()):
            if path.is_file() and not path.is_symlink() and _suffix(path.name):
                found.append((f"{number}/{path.name}", path))
    return found


def validate_source(key: str) -> tuple[Path, str]:
    path = dict(scan_sources()).get(key)
    if path is None:
        raise ValidationError(_("This file is no longer in the scan directory."))
    suffix = _suffix(path.name)
    with open(path, "rb") as handle:
        _check_content(_head(handle, suffix.endswith(".gz")), suffix)
    return path, suffix
