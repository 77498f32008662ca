"""Hostile and careless edits of real input files, as hypothesis strategies.

A mutation is one of: flip a byte, delete a span, insert a nasty token (control characters,
bad UTF-8, anchors and aliases, explicit tags, deep nesting, huge numbers, NaN), duplicate a
span, or truncate. A fuzz input is 1-4 mutations of a shipped campaign or example file.
"""

from __future__ import annotations

from hypothesis import strategies as st

NASTY: tuple[bytes, ...] = (
    b"\x00",
    b"\x1b",
    b"\x7f",
    "\uffff".encode(),
    "\u2028".encode(),
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\t",
    b"\r",
    b"\n",
    b": ",
    b"- ",
    b'"',
    b"'",
    b"#",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b"&a ",
    b"*a",
    b"&a [*a]",
    b"<<: *a",
    b"!!binary aGVsbG8= ",
    b"!!bool maybe ",
    b"!!timestamp x ",
    b"!!python/object:os.system ",
    b"!!set ",
    b"!!omap ",
    b"!!int 0x ",
    b"!!float ",
    b"[" * 80 + b"]" * 80,
    b"{a: " * 70 + b"}" * 70,
    b"- " * 70,
    b"not: " * 40,
    b"9" * 5000,
    b"-" + b"9" * 400,
    b"1e400",
    b".nan",
    b"-.inf",
    b"NaN",
    b"Infinity",
    b"2019-W52-7",
    b"20191231",
    "١٢٣".encode(),
    b"1_000",
    b"true",
    b"null",
    b"~",
    b"x" * 10_000,
    b"a: 1\na: 2\n",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
)


@st.composite
def mutated(draw: st.DrawFn, bases: list[bytes]) -> bytes:
    """One base file with 1-4 mutations applied."""
    data = bytearray(draw(st.sampled_from(bases)))
    for _ in range(draw(st.integers(1, 4))):
        size = len(data)
        kind = draw(
            st.sampled_from(["flip", "delete", "insert", "insert", "duplicate", "truncate"])
        )
        at = draw(st.integers(0, max(size - 1, 0)))
        if kind == "flip" and size:
            data[at] = draw(st.integers(0, 255))
        elif kind == "delete" and size:
            data[at : at + draw(st.integers(1, 64))] = b""
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif kind == "duplicate" and size:
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
    return bytes(data)
