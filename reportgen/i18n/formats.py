"""The format-string checks ``msgfmt -c`` makes, for entries flagged ``python-format``,
``c-format`` or ``python-brace-format``. Standard library only.

Written from gettext's documented behaviour: the translation must use the same directives as the
English (the same names, or the same number in the same order), each of the same kind (integer,
floating point, character, string); in the forms of a plural entry after the first, a directive
of the English may be left out, none may be added. ``{name}`` placeholders, which every entry of
a reportgen catalog may have, are the ``placeholders`` check; here only the other brace fields
(``{0}``, ``{}``, ``{name!r}``, ``{name:>8}``).
"""

from __future__ import annotations

import re

_PYTHON = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d+))?[hlL]?"
                     r"(?P<conv>[diouxXeEfFgGcrsa%])?")
_PYTHON_KINDS = {**dict.fromkeys("diouxX", "integer"), **dict.fromkeys("eEfFgG", "floating point"),
                 "c": "character", **dict.fromkeys("rsa", "string")}
_C = re.compile(r"%(?:(?P<pos>\d+)\$)?[-+ #0']*(?P<width>\*(?:\d+\$)?|\d+)?(?:\.(?P<prec>\*(?:\d+\$)?|\d+))?"
                r"(?P<size>hh|h|ll|l|L|q|j|z|t)?(?P<conv>[diouxXeEfFgGaAcspn%])?")
_C_KINDS = {**dict.fromkeys("di", "int"), **dict.fromkeys("ouxX", "unsigned int"),
            **dict.fromkeys("eEfFgGaA", "double"), "c": "char", "s": "string", "p": "pointer", "n": "count"}
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Invalid(ValueError):
    pass


def _python(text: str) -> tuple[dict[str, str], list[str]]:
    named: dict[str, str] = {}
    unnamed: list[str] = []
    for m in _PYTHON.finditer(text):
        conv = m.group("conv")
        if conv is None:
            raise _Invalid(f"'{m.group()}' is not a complete directive")
        if conv == "%":
            continue
        kind = _PYTHON_KINDS[conv]
        if m.group("name") is not None:
            named[m.group("name")] = kind
        else:
            unnamed += ["integer"] * [m.group("width"), m.group("prec")].count("*") + [kind]
    if named and unnamed:
        raise _Invalid("named (%(name)s) and unnamed (%s) directives are mixed")
    return named, unnamed


def _c(text: str) -> list[str]:
    found: dict[int, str] = {}
    n = 0
    for m in _C.finditer(text):
        conv = m.group("conv")
        if conv is None:
            raise _Invalid(f"'{m.group()}' is not a complete directive")
        if conv == "%":
            continue
        n += 1
        at = int(m.group("pos")) if m.group("pos") else n
        found[at] = (m.group("size") or "") + _C_KINDS[conv]
    return [found[i] for i in sorted(found)]


def _brace(text: str) -> list[str]:
    out = []
    auto = 0
    for m in _BRACE.finditer(text):
        field = m.group("field")
        if field is None or _SIMPLE.fullmatch(field):
            continue
        name = re.split(r"[!:.\[]", field, maxsplit=1)[0]
        if name == "":
            name, auto = str(auto), auto + 1
        out.append(name)
    return out


def _compare_named(want: dict[str, str], got: dict[str, str], strict: bool) -> list[str]:
    out = [f"the directive for '{k}', as in the translation, is not in the English" for k in got if k not in want]
    if strict:
        out += [f"the directive for '{k}' of the English is not in the translation" for k in want if k not in got]
    out += [f"the directive for '{k}' is {want[k]} in the English, {got[k]} in the translation"
            for k in got if k in want and want[k] != got[k]]
    return out


def _compare_list(want: list[str], got: list[str], strict: bool) -> list[str]:
    if len(want) != len(got) and (strict or len(got) > len(want)):
        return [f"{len(got)} directive{'s' if len(got) != 1 else ''} in the translation, {len(want)} in the English"]
    return [f"directive {i} is {a} in the English, {b} in the translation"
            for i, (a, b) in enumerate(zip(want, got), 1) if a != b]


def problems(flags: frozenset[str] | set[str], english: str, text: str, strict: bool = True) -> list[str]:
    """What msgfmt -c would refuse in ``text`` (a translation of ``english``) given the entry's flags."""
    out: list[str] = []
    try:
        if "python-format" in flags:
            (wn, wu), (gn, gu) = _python(english), _python(text)
            out += _compare_named(wn, gn, strict) + _compare_list(wu, gu, strict) if (wn or gn) \
                else _compare_list(wu, gu, strict)
        if "c-format" in flags:
            out += _compare_list(_c(english), _c(text), strict)
        if "python-brace-format" in flags:
            want, got = _brace(english), _brace(text)
            if sorted(set(want)) != sorted(set(got)):
                out += _compare_named(dict.fromkeys(want, ""), dict.fromkeys(got, ""), strict)
    except _Invalid as exc:
        out.append(f"python-format/c-format directive: {exc}")
    return [f"format: {m} (msgfmt -c refuses this)" for m in out]
