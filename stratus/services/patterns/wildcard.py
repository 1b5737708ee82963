"""The ``wildcard`` operator: parsing with Event Ruler's rules, matching, complexity.

A wildcard pattern is literal text where ``*`` matches any run of characters, ``\\*`` a
literal star and ``\\\\`` a literal backslash; any other backslash and two consecutive
stars are refused. Positions in the messages count UTF-8 bytes of the pattern wrapped in
its JSON quotes, as Event Ruler reports them ("Consecutive wildcard characters at pos 26").

Matching never uses a regular expression: with stars as the only metacharacter a greedy
left-to-right search for each literal segment is exact and linear-ish (``str.find``), so a
hostile value cannot make a match backtrack.

EventBridge refuses a rule whose wildcards are "too complex": Event Ruler builds one byte
machine per field and measures the largest number of wildcard rule prefixes a single
value could keep alive at once (``MachineComplexityEvaluator``). ``complexity`` runs the
same measure on a small model of that machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stratus.services.patterns.errors import Refusal

_STAR = 256
_QUOTE = ord('"')
_BACKSLASH = ord("\\")
_ASTERISK = ord("*")
_OTHER_BYTE = -1  # stands for every byte no pattern names
_MAX_EXPLORED = 20_000


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A compiled wildcard: the literal segments between its stars."""

    text: str
    segments: tuple[str, ...]
    tokens: tuple[int, ...]  # quoted UTF-8 bytes, _STAR for a wildcard (for complexity)

    def matches(self, value: str) -> bool:
        segments = self.segments
        if len(segments) == 1:
            return value == segments[0]
        first, last = segments[0], segments[-1]
        if len(value) < len(first) + len(last):
            return False
        if not value.startswith(first) or not value.endswith(last):
            return False
        position, end = len(first), len(value) - len(last)
        for middle in segments[1:-1]:
            found = value.find(middle, position, end)
            if found < 0:
                return False
            position = found + len(middle)
        return True


def parse(text: str) -> Wildcard:
    """Compile ``text`` or raise Refusal with Event Ruler's sentence."""
    raw = b'"' + text.encode("utf-8") + b'"'
    tokens: list[int] = []
    segments: list[bytearray] = [bytearray()]
    index = 0
    while index < len(raw):
        byte = raw[index]
        if byte == _ASTERISK:
            if index + 1 < len(raw) and raw[index + 1] == _ASTERISK:
                raise Refusal(f"Consecutive wildcard characters at pos {index}")
            tokens.append(_STAR)
            segments.append(bytearray())
        elif byte == _BACKSLASH:
            following = raw[index + 1] if index + 1 < len(raw) else None
            # The closing quote is ours, not the user's: a trailing backslash is invalid.
            if following in (_ASTERISK, _BACKSLASH) and index + 1 < len(raw) - 1:
                tokens.append(following)
                segments[-1].append(following)
                index += 2
                continue
            raise Refusal(f"Invalid escape character at pos {index}")
        else:
            tokens.append(byte)
            if 0 < index < len(raw) - 1:
                segments[-1].append(byte)
        index += 1
    return Wildcard(
        text=text,
        segments=tuple(bytes(s).decode("utf-8", "surrogatepass") for s in segments),
        tokens=tuple(tokens),
    )


@dataclass(slots=True)
class _State:
    literal: dict[int, list[int]] = field(default_factory=dict)
    any: list[int] = field(default_factory=list)
    trie: dict[int, int] = field(default_factory=dict)
    star: int = 0
    weight: set[int] = field(default_factory=set)


def complexity(wildcards: list[Wildcard], ceiling: int) -> int:
    """The most wildcard rule prefixes one value can keep alive at once (capped).

    The model: patterns share states while they are deterministic (before their first
    star, as Event Ruler's byte machine shares a prefix); a star is a state with a
    self-loop entered on any byte, and the literal after it is reachable both from the
    star and from the state before it (the star matching nothing). A state weighs the
    number of patterns running through it; a set of live states weighs its states plus
    the star states one byte away. The search walks every set of live states reachable
    over the patterns' alphabet and one byte standing for all others.
    """
    if not wildcards:
        return 0
    states = [_State()]
    alphabet: set[int] = set()
    for pattern_id, wildcard in enumerate(wildcards):
        current, before_star = 0, -1
        determinate = True
        tokens = wildcard.tokens
        for position, token in enumerate(tokens):
            if token == _STAR:
                target = states[current].star if determinate else 0
                if target == 0:
                    target = len(states)
                    states.append(_State())
                    if determinate:
                        states[current].star = target
                    states[current].any.append(target)
                    states[target].any.append(target)
                determinate = False
                before_star = current
            else:
                alphabet.add(token)
                target = states[current].trie.get(token, 0) if determinate else 0
                if target == 0:
                    target = len(states)
                    states.append(_State())
                    if determinate:
                        states[current].trie[token] = target
                    states[current].literal.setdefault(token, []).append(target)
                    if position > 0 and tokens[position - 1] == _STAR:
                        states[before_star].literal.setdefault(token, []).append(target)
            states[target].weight.add(pattern_id)
            current = target
    letters = [*alphabet, _OTHER_BYTE]
    start = frozenset({0})
    seen = {start}
    pending = [start]
    worst = 0
    while pending:
        live = pending.pop()
        for letter in letters:
            following: set[int] = set()
            for state_id in live:
                state = states[state_id]
                following.update(state.any)
                if letter != _OTHER_BYTE:
                    following.update(state.literal.get(letter, ()))
            if not following:
                continue
            weight = 0
            for state_id in following:
                weight += len(states[state_id].weight)
                for star in states[state_id].any:
                    if star not in following:
                        weight += len(states[star].weight)
            if weight > ceiling:
                return weight
            worst = max(worst, weight)
            key = frozenset(following)
            if key not in seen:
                if len(seen) >= _MAX_EXPLORED:
                    return ceiling + 1  # a machine this large is complex by any measure
                seen.add(key)
                pending.append(key)
    return worst
