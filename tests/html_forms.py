"""The POST forms of a page as a browser would submit them: for tests that post real forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PostForm:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type / select / textarea
    choices: dict[str, list[str]] = field(default_factory=dict)  # select name -> option values

    def data(self, **overrides: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in self.fields:
            out.setdefault(name, []).append(value)
        return out | {name: [value] for name, value in overrides.items()}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PostForm] = []
        self._form: PostForm | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            post = a.get("method", "get").lower() == "post"
            self._form = PostForm(action=a.get("action", "")) if post else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or not (a.get("name") or tag == "option"):
            if tag == "option" and self._select is not None:
                pass
            else:
                return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            form.kinds[a["name"]] = kind
            if kind not in ("checkbox", "radio") or "checked" in a:
                default = "on" if kind in ("checkbox", "radio") else ""
                form.fields.append((a["name"], a.get("value", default)))
        elif tag == "select":
            form.kinds[a["name"]] = "select"
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "textarea":
            form.kinds[a["name"]] = "textarea"
            self._textarea = (a["name"], [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            chosen = selected or [next((o for o in options if o), "")]
            self._form.fields += [(name, value) for value in chosen]
            self._form.choices[name] = options
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).lstrip("\n")))
            self._textarea = None


def post_forms(html: str) -> list[PostForm]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
