"""What WeasyPrint may read: files in the packet, the templates and the fonts, nothing else."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from packet.layout.fonts import weasyprint


class Fetcher:
    """Lets WeasyPrint read files from the packet, the templates and the fonts only."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(r.resolve() for r in roots)
        self.fetched: list[str] = []
        self.refused: list[tuple[str, str]] = []

    def allowed(self, url: str) -> tuple[Path | None, str]:
        """Return the local file a URL may be read from, or None and why not."""
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme != "file":
            return (
                None,
                f"'{scheme}:' addresses are not allowed; packets may only use their own files",
            )
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None, f"file not found: {path}"
        if not any(real.is_relative_to(root) for root in self.roots):
            return None, f"'{path}' is outside the packet folder"
        return real, ""

    def make(self) -> Any:
        loaded = weasyprint()
        outer = self

        class _Fetcher(loaded.urls.URLFetcher):  # type: ignore[misc, name-defined]
            def __init__(self) -> None:
                super().__init__(allowed_protocols={"file"}, allow_redirects=False)

            def fetch(self, url: str, headers: Any = None) -> Any:
                path, why = outer.allowed(url)
                if why:
                    outer.refused.append((url, why))
                    raise loaded.urls.FatalURLFetchingError(f"{url}: {why}")
                outer.fetched.append(url)
                assert path is not None
                return loaded.urls.URLFetcherResponse(
                    path.as_uri(), body=path.read_bytes(), headers={}
                )

        return _Fetcher()
