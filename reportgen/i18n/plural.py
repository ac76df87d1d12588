"""The ``plural=`` expression of a Plural-Forms header: parsed and evaluated as gettext does. Standard library only.

The grammar is C's expression grammar restricted to what gettext accepts (``plural.y`` in GNU
gettext): the variable ``n``, non-negative integers, parentheses, ``! * / % + - < > <= >= == !=
&& || ?:``. Evaluation uses unsigned arithmetic like GNU's; a division by zero is an error.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")
#: binary operators by precedence, lowest first
_LEVELS = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class PluralError(ValueError):
    pass


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise PluralError(f"unexpected {text[pos:].strip()[:10]!r}")
        out.append(m.group(m.lastindex or 0))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens, self.i = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise PluralError(f"expected {want!r}" if want else "unexpected end of the expression")
        self.i += 1
        return tok

    def conditional(self):  # type: ignore[no-untyped-def]
        cond = self.binary(0)
        if self.peek() == "?":
            self.take()
            yes = self.conditional()
            self.take(":")
            return ("?", cond, yes, self.conditional())
        return cond

    def binary(self, level: int):  # type: ignore[no-untyped-def]
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _LEVELS[level]:
            op = self.take()
            left = (op, left, self.binary(level + 1))
        return left

    def unary(self):  # type: ignore[no-untyped-def]
        tok = self.take()
        if tok == "!":
            return ("!", self.unary())
        if tok == "(":
            inner = self.conditional()
            self.take(")")
            return inner
        if tok == "n" or tok.isdigit():
            return tok
        raise PluralError(f"unexpected {tok!r}")


def parse(expression: str):  # type: ignore[no-untyped-def]
    """The expression as a tree, or :class:`PluralError` saying why it is not valid."""
    p = _Parser(_tokens(expression))
    tree = p.conditional()
    if p.peek() is not None:
        raise PluralError(f"unexpected {p.peek()!r}")
    return tree


_OPS = {
    "||": lambda a, b: int(bool(a) or bool(b)), "&&": lambda a, b: int(bool(a) and bool(b)),
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "+": lambda a, b: (a + b) % 2 ** 64, "-": lambda a, b: (a - b) % 2 ** 64, "*": lambda a, b: (a * b) % 2 ** 64,
}


def evaluate(tree, n: int) -> int:  # type: ignore[no-untyped-def]
    if isinstance(tree, str):
        return n if tree == "n" else int(tree)
    op = tree[0]
    if op == "?":
        return evaluate(tree[2], n) if evaluate(tree[1], n) else evaluate(tree[3], n)
    if op == "!":
        return int(not evaluate(tree[1], n))
    a, b = evaluate(tree[1], n), evaluate(tree[2], n)
    if op in ("/", "%"):
        if b == 0:
            raise PluralError(f"division by zero (for n = {n})")
        return a // b if op == "/" else a % b
    return _OPS[op](a, b)


def problem(plural_forms: str) -> str:
    """Why a Plural-Forms value is not what gettext needs ("" if it is): no ``plural=``, an
    expression that does not parse, or one giving a form number >= nplurals (checked for n up to 1000)."""
    params = {}
    for part in plural_forms.split(";"):
        name, eq, value = part.partition("=")
        if eq:
            params[name.strip().lower()] = value.strip()
    if "plural" not in params:
        return "it has no 'plural=' expression"
    try:
        tree = parse(params["plural"])
        nplurals = int(params.get("nplurals", "0"))
        top = max(evaluate(tree, n) for n in range(1001))
    except (PluralError, ValueError) as exc:
        return f"plural={params['plural']!r} is not a valid expression: {exc}"
    if nplurals and top >= nplurals:
        return f"plural={params['plural']!r} gives form {top}, but nplurals={nplurals} (forms 0 to {nplurals - 1})"
    return ""
