"""A tiny, safe arithmetic language for computed fields: ``sales * 3 + unsold``.

Numbers, field names, ``+ - * /`` and parentheses; nothing else. Parsed once at load into a
tree, evaluated with exact fractions. No ``eval``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(.))")


class ExprError(ValueError):
    """The expression text is not valid."""


@dataclass(frozen=True, slots=True)
class Expr:
    """A parsed expression: (op, left, right), a number, or a name."""

    op: str  # "num", "name", "+", "-", "*", "/", "neg"
    value: Fraction | str | None = None
    left: Expr | None = None
    right: Expr | None = None

    def names(self) -> set[str]:
        if self.op == "name":
            return {str(self.value)}
        out: set[str] = set()
        for child in (self.left, self.right):
            if child is not None:
                out |= child.names()
        return out

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction | None:
        """The value, or None when a name is missing or a division is by zero."""
        if self.op == "num":
            assert isinstance(self.value, Fraction)
            return self.value
        if self.op == "name":
            return env.get(str(self.value))
        assert self.left is not None
        a = self.left.evaluate(env)
        if self.op == "neg":
            return None if a is None else -a
        assert self.right is not None
        b = self.right.evaluate(env)
        if a is None or b is None:
            return None
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return None if b == 0 else a / b


def parse_expr(text: str) -> Expr:
    """Parse an expression; raises :class:`ExprError` with a Chinese message."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        num, name, other = m.groups()
        if num is not None:
            tokens.append(("num", num))
        elif name is not None:
            tokens.append(("name", name))
        elif other in "+-*/()":
            tokens.append((other, other))
        else:
            raise ExprError(f"表达式中有不允许的字符“{other}”")
        pos = m.end()
    parser = _Parser(tokens)
    tree = parser.sum()
    if parser.i != len(tokens):
        raise ExprError(f"表达式“{text}”无法解析")
    return tree


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise ExprError("表达式不完整")
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def sum(self) -> Expr:
        node = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()[0]
            node = Expr(op, left=node, right=self.product())
        return node

    def product(self) -> Expr:
        node = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[0]
            node = Expr(op, left=node, right=self.unary())
        return node

    def unary(self) -> Expr:
        if self.peek() == "-":
            self.take()
            return Expr("neg", left=self.unary())
        kind, text = self.take()
        if kind == "num":
            return Expr("num", Fraction(Decimal(text)))
        if kind == "name":
            return Expr("name", text)
        if kind == "(":
            node = self.sum()
            if self.take()[0] != ")":
                raise ExprError("括号不配对")
            return node
        raise ExprError(f"表达式中此处不应出现“{text}”")
