"""The slot layout: how a structured variable (map, record, set, sequence) is flattened into
integer slots, and how slot values are decoded back for traces.
"""
from __future__ import annotations

from mmspec import ir
from mmspec.gexpr import FALSE, GExpr, GIte, GLit, GTable, TRUE, _or_all, gite, gop, make_table
from mmspec.gsystem import GroundSystem, Slot


_SEQ_LEN = "#len"  # a sequence's length in its slot tree (groundseq.LEN)


# --------------------------------------------------------------------------- layout


def _scalar_bounds(t: ir.Type) -> tuple[int, int, str]:
    if isinstance(t, ir.BoolType):
        return 0, 1, "bool"
    if isinstance(t, ir.IntType):
        return t.lo, t.hi, "int"
    if isinstance(t, ir.EnumType):
        return 0, len(t.members) - 1, "int"
    raise TypeError(t)


def _key_name(t: ir.Type, k: int) -> str:
    if isinstance(t, ir.RecordType):  # a product type's value, by its code
        vals = ir.record_decode(t, k)
        return "{" + ", ".join(f"{f}: {_key_name(ft, v)}"
                               for (f, ft), v in zip(t.fields, vals)) + "}"
    if isinstance(t, ir.EnumType):
        return t.members[k]
    if isinstance(t, ir.BoolType):
        return "TRUE" if k else "FALSE"
    return str(k)


class _Layout:
    """Slot allocation: a structured variable is a tree whose leaves are slots."""

    def __init__(self, spec: ir.Spec):
        self.slots: list[Slot] = []
        self.tree: dict[str, object] = {}
        self.types: dict[str, ir.Type] = {}
        for v in spec.variables:
            self.types[v.name] = v.type
            self.tree[v.name] = self._alloc(v.name, v.name, (), v.type)

    def _alloc(self, var: str, name: str, path: tuple[int | str, ...], t: ir.Type) -> object:
        if ir.is_scalar(t):
            lo, hi, sort = _scalar_bounds(t)
            wrap = isinstance(t, ir.IntType) and t.wrap
            sym = t.symmetric if isinstance(t, ir.IntType) else None
            vals = t.values if isinstance(t, ir.IntType) else None
            if vals is not None:
                lo, hi = 0, len(vals) - 1
            self.slots.append(Slot(name, var, path, lo, hi, sort, wrap, sym, vals))
            return len(self.slots) - 1
        if isinstance(t, ir.MapType):
            return {k: self._alloc(var, f"{name}[{_key_name(t.key, k)}]", path + (k,), t.value)
                    for k in ir.domain_values(t.key)}
        if isinstance(t, ir.RecordType):
            return {f: self._alloc(var, f"{name}.{f}", path + (f,), ft) for f, ft in t.fields}
        if isinstance(t, ir.SetType):
            return {k: self._alloc_member(var, f"{name}∋{_key_name(t.elem, k)}", path + (k,))
                    for k in ir.domain_values(t.elem)}
        if isinstance(t, ir.SeqType):
            node: dict[object, object] = {
                _SEQ_LEN: self._alloc(var, f"len({name})", path + (_SEQ_LEN,),
                                      ir.IntType(0, t.cap))}
            for k in range(1, t.cap + 1):
                node[k] = self._alloc(var, f"{name}[{k}]", path + (k,), t.elem)
            return node
        raise TypeError(t)

    def _alloc_member(self, var: str, name: str, path: tuple[int | str, ...]) -> int:
        self.slots.append(Slot(name, var, path, 0, 1, "bool"))
        return len(self.slots) - 1

    def leaves(self, node: object) -> list[int]:
        if isinstance(node, int):
            return [node]
        assert isinstance(node, dict)
        out: list[int] = []
        for sub in node.values():
            out.extend(self.leaves(sub))
        return out


def flatten_value(t: ir.Type, v: ir.Value) -> list[int]:
    """A structured IR value as the list of its slot values (layout order)."""
    if isinstance(t, ir.IntType) and t.values is not None:
        return [t.values.index(int(v))]  # type: ignore[arg-type]
    if ir.is_scalar(t):
        return [int(v)]  # type: ignore[arg-type]
    if isinstance(t, ir.MapType):
        out: list[int] = []
        for x in v:  # type: ignore[union-attr]
            out.extend(flatten_value(t.value, x))
        return out
    if isinstance(t, ir.RecordType):
        out = []
        for (_, ft), x in zip(t.fields, v):  # type: ignore[arg-type]
            out.extend(flatten_value(ft, x))
        return out
    if isinstance(t, ir.SetType):
        return [1 if k in v else 0 for k in ir.domain_values(t.elem)]  # type: ignore[operator]
    if isinstance(t, ir.SeqType):
        items = list(v) + [ir.dead_value(t.elem)] * (t.cap - len(v))  # type: ignore[arg-type]
        out = [len(v)]  # type: ignore[arg-type]
        for x in items:
            out.extend(flatten_value(t.elem, x))
        return out
    raise TypeError(t)


def unflatten_value(t: ir.Type, vals: list[int], pos: int = 0) -> tuple[object, int]:
    """Inverse of flatten_value, producing display-friendly Python data.

    bool -> bool, enum -> member name (str), int -> int, map -> dict keyed by display key
    (int, bool or enum name), record -> dict, set -> frozenset of display elements.
    """
    if isinstance(t, ir.BoolType):
        return bool(vals[pos]), pos + 1
    if isinstance(t, ir.IntType):
        if t.values is not None:
            return decode_index(t.values, vals[pos]), pos + 1
        return vals[pos], pos + 1
    if isinstance(t, ir.EnumType):
        return t.members[vals[pos]], pos + 1
    if isinstance(t, ir.MapType):
        d = {}
        for k in ir.domain_values(t.key):
            d[display_scalar(t.key, k)], pos = unflatten_value(t.value, vals, pos)
        return d, pos
    if isinstance(t, ir.RecordType):
        d = {}
        for f, ft in t.fields:
            d[f], pos = unflatten_value(ft, vals, pos)
        return d, pos
    if isinstance(t, ir.SetType):
        s = set()
        for k in ir.domain_values(t.elem):
            if vals[pos]:
                s.add(display_scalar(t.elem, k))
            pos += 1
        return frozenset(s), pos
    if isinstance(t, ir.SeqType):  # a list of its live elements
        n, pos = vals[pos], pos + 1
        items = []
        for k in range(t.cap):
            x, pos = unflatten_value(t.elem, vals, pos)
            if k < n:
                items.append(x)
        return items, pos
    raise TypeError(t)


class RecordElement(dict):  # type: ignore[type-arg]
    """A record shown as a set element: a dict (renderers treat it as any record) that can
    sit in a frozenset."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))


def decode_index(values: tuple[int, ...], i: int) -> int:
    """The value a compact slot's index stands for (an index out of range, which no state
    holds, shows as itself)."""
    return values[i] if 0 <= i < len(values) else i


def decode_read(slot: int, values: tuple[int, ...]) -> GExpr:
    """A compact slot read as its value: a table over the index (values ascending)."""
    return make_table(slot, values, "int")


def encode_write(value: GExpr, values: tuple[int, ...]) -> tuple[GExpr, GExpr]:
    """(the index a compact slot stores for `value`, whether `value` is a declared value).
    A value outside the set encodes as index 0; the check reports it first. Tables (values
    of one compact slot) encode per index, ifs branch by branch, so copying a compact value
    (`old := pte`, a cmpxchg) stays a copy of the index."""
    if isinstance(value, GLit):
        ok = value.value in values
        return GLit(values.index(value.value) if ok else 0), (TRUE if ok else FALSE)
    if isinstance(value, GTable):
        return (make_table(value.slot, tuple(values.index(v) if v in values else 0
                                              for v in value.outs), "int"),
                make_table(value.slot, tuple(int(v in values) for v in value.outs), "bool"))
    if isinstance(value, GIte):
        ia, ma = encode_write(value.then, values)
        ib, mb = encode_write(value.other, values)
        return gite(value.cond, ia, ib), gite(value.cond, ma, mb)
    member = _or_all([gop("eq", value, GLit(v)) for v in values])
    out: GExpr = GLit(0)
    for i in range(len(values) - 1, 0, -1):
        out = gite(gop("eq", value, GLit(values[i])), GLit(i), out)
    return out, member


def display_scalar(t: ir.Type, k: int) -> object:
    if isinstance(t, ir.RecordType):  # a product type's value, by its code
        return RecordElement((f, display_scalar(ft, v))
                             for (f, ft), v in zip(t.fields, ir.record_decode(t, k)))
    if isinstance(t, ir.BoolType):
        return bool(k)
    if isinstance(t, ir.EnumType):
        return t.members[k]
    return k


def decode_state(system: GroundSystem, state: tuple[int, ...]) -> dict[str, object]:
    """The state as {variable: display value}, in declaration order."""
    out: dict[str, object] = {}
    for v in system.spec.variables:
        idx = system.var_slots[v.name]
        out[v.name], _ = unflatten_value(v.type, [state[i] for i in idx])
    return out
