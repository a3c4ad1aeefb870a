#!/usr/bin/env python3
"""Naive, independent reference implementation of pqrflow's indicators.

    naive_pqrflow.py --plan-json PLAN.json [--as-of T] [--rejects FILE] FILE.jsonl...

Reads raw JSONL records (design.md §4), keeps one deterministic event per entity
(docs/semantics.md "Identity and duplicates"), and prints the BI rows of design.md §5
(one JSON object per line) for every month and year-to-date period, then the
plan_score row. A summary of rejected lines goes to stderr as {"reason": count}.

Written to be *read*: standard library only, every period recomputed from the entity
lists with plain loops, every number an exact int or Fraction until it is printed.
It shares no code with the C++ core on purpose: disagreements between the two are
what this file exists to find.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

# --------------------------------------------------------------------------------------
# Calendar (domain.md "Calendar")
# --------------------------------------------------------------------------------------

LOCAL_OFFSET_US = -5 * 3600 * 10**6  # America/Bogota is UTC-5 all year, no DST
US_PER_DAY = 86400 * 10**6
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
FIRST_LOCAL_DATE = datetime.date(1984, 1, 1)  # semantics.md: the calendar's range
LAST_LOCAL_DATE = datetime.date(2200, 12, 31)


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter (the anonymous "Meeus/Jones/Butcher" computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def next_monday_unless_monday(day: datetime.date) -> datetime.date:
    """Ley 51 de 1983 ("Ley Emiliani"): the holiday is observed on the next Monday."""
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


_holiday_cache: dict[int, frozenset[datetime.date]] = {}


def holidays(year: int) -> frozenset[datetime.date]:
    """Colombian national holidays of `year` (a set: two holidays may share a date)."""
    if year in _holiday_cache:
        return _holiday_cache[year]
    d = datetime.date
    easter = easter_sunday(year)
    days = set()
    # Fixed dates, observed where they fall.
    for month, day in [(1, 1), (5, 1), (7, 20), (8, 7), (12, 8), (12, 25)]:
        days.add(d(year, month, day))
    days.add(easter - datetime.timedelta(days=3))  # Holy Thursday
    days.add(easter - datetime.timedelta(days=2))  # Good Friday
    # Moved to the next Monday unless already a Monday.
    for month, day in [(1, 6), (3, 19), (6, 29), (8, 15), (10, 12), (11, 1), (11, 11)]:
        days.add(next_monday_unless_monday(d(year, month, day)))
    # Easter-based; Easter + 43/64/71 are always Mondays.
    for offset in (43, 64, 71):  # Ascension, Corpus Christi, Sacred Heart
        days.add(easter + datetime.timedelta(days=offset))
    _holiday_cache[year] = frozenset(days)
    return _holiday_cache[year]


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in holidays(day.year)


@functools.lru_cache(maxsize=None)
def due_date(filing_local_date: datetime.date, business_days: int) -> datetime.date:
    """The N-th business day counted from the day after the local filing date."""
    day = filing_local_date
    counted = 0
    while counted < business_days:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return day


# --------------------------------------------------------------------------------------
# Time: instants are integer microseconds since 1970-01-01T00:00:00Z
# --------------------------------------------------------------------------------------

_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))",
    re.ASCII,
)


class TimestampError(ValueError):
    """`reason` is the rejection reason: bad_timestamp or timestamp_out_of_range."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_instant(text: str) -> int:
    """RFC 3339 with a mandatory offset -> microseconds (extra digits truncated)."""
    match = _RFC3339.fullmatch(text)
    if not match:
        raise TimestampError("bad_timestamp")
    year, month, day, hour, minute, second = map(int, match.group(1, 2, 3, 4, 5, 6))
    fraction, zulu, sign, off_h, off_m = match.group(7, 8, 9, 10, 11)
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise TimestampError("bad_timestamp") from None
    if hour > 23 or minute > 59 or second > 59:  # no leap second: not a real instant
        raise TimestampError("bad_timestamp")
    offset_seconds = 0
    if not zulu:
        if int(off_h) > 23 or int(off_m) > 59:
            raise TimestampError("bad_timestamp")
        offset_seconds = (int(off_h) * 3600 + int(off_m) * 60) * (1 if sign == "+" else -1)
    micros = int((fraction or "").ljust(6, "0")[:6])
    seconds = (date.toordinal() - EPOCH_ORDINAL) * 86400 + hour * 3600 + minute * 60 + second
    instant = (seconds - offset_seconds) * 10**6 + micros
    if not FIRST_LOCAL_DATE <= local_date(instant) <= LAST_LOCAL_DATE:
        raise TimestampError("timestamp_out_of_range")
    return instant


def local_date(instant: int) -> datetime.date:
    return datetime.date.fromordinal(EPOCH_ORDINAL + (instant + LOCAL_OFFSET_US) // US_PER_DAY)


# A month is the integer year*12 + (month-1): consecutive months are consecutive ints.
def month_of(instant: int) -> int:
    day = local_date(instant)
    return day.year * 12 + day.month - 1


def month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_start(month: int) -> int:
    """First local microsecond of `month`."""
    first_day = datetime.date(month // 12, month % 12 + 1, 1)
    return (first_day.toordinal() - EPOCH_ORDINAL) * US_PER_DAY - LOCAL_OFFSET_US


def month_end(month: int) -> int:
    """Last local microsecond of `month`."""
    return month_start(month + 1) - 1


def format_local(instant: int) -> str:
    """The instant in local time with its -05:00 offset; microseconds only when non-zero."""
    day = local_date(instant)
    local_us = (instant + LOCAL_OFFSET_US) % US_PER_DAY
    seconds, micros = divmod(local_us, 10**6)
    text = f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if micros:
        text += f".{micros:06d}"
    return text + "-05:00"


# --------------------------------------------------------------------------------------
# Validation of raw records (design.md §4)
# --------------------------------------------------------------------------------------

KINDS = {"peticion", "queja", "reclamo", "denuncia", "recurso_reposicion",
         "recurso_apelacion", "solicitud_informacion"}
CHANNELS = {"ventanilla", "telefono", "escrito", "web", "correo", "redes_sociales", "otro"}
SERVICES = {"acueducto", "alcantarillado"}
OUTCOMES = {"accede", "accede_parcialmente", "no_accede", "confirma", "modifica", "revoca",
            "rechaza", "traslada_competencia", "archiva"}
TYPES = {"pqr.filed", "pqr.answered", "pqr.misfiled", "window.served", "visit.requested",
         "visit.completed", "bill.issued", "bill.reformed"}
AMOUNT_LIMIT_CENTS = 10**13 * 100  # amounts are below 10^13 pesos
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_DECIMAL_STRING = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


class Reject(Exception):
    """A record breaks the raw contract; `reason` is what the summary counts."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _reject_constant(name: str):
    raise Reject("invalid_json")  # NaN, Infinity, -Infinity are not JSON


def _object_without_duplicate_keys(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise Reject("duplicate_key")
    return obj


def _has_lone_surrogate(value) -> bool:
    """JSON escapes can spell lone surrogates (\\ud800), which are not Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


# Exact decimals (never binary floats), no NaN/Infinity, no repeated keys.
_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant,
                            object_pairs_hook=_object_without_duplicate_keys)


def parse_line(raw: bytes):
    """Raw bytes of one line -> a JSON object (dict), or raise Reject."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("invalid_utf8") from None
    try:
        obj = _DECODER.decode(text)
    except Reject:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise Reject("invalid_json") from None
    if not isinstance(obj, dict):
        raise Reject("not_an_object")
    if "\\u" in text and _has_lone_surrogate(obj):
        raise Reject("invalid_json")
    return obj


# Field helpers. A field whose value is JSON null is treated as absent.

def _required_string(obj: dict, field: str) -> str:
    value = obj.get(field)
    if value is None:
        raise Reject(f"missing:{field}")
    if not isinstance(value, str):
        raise Reject(f"not_a_string:{field}")
    if value == "":
        raise Reject(f"empty:{field}")
    return value


def _optional_string(obj: dict, field: str, allow_empty: bool = False) -> str | None:
    value = obj.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Reject(f"not_a_string:{field}")
    if value == "" and not allow_empty:
        return None  # semantics.md: an optional string given as "" counts as absent
    return value


def _required_enum(obj: dict, field: str, allowed: set[str]) -> str:
    value = _required_string(obj, field)
    if value not in allowed:
        raise Reject(f"unknown_value:{field}")
    return value


def _optional_enum(obj: dict, field: str, allowed: set[str]) -> str | None:
    value = _optional_string(obj, field)
    if value is not None and value not in allowed:
        raise Reject(f"unknown_value:{field}")
    return value


def _instant(obj: dict, field: str, required: bool = True) -> int | None:
    value = obj.get(field)
    if value is None:
        if required:
            raise Reject(f"missing:{field}")
        return None
    if not isinstance(value, str):
        raise Reject(f"not_a_string:{field}")
    try:
        return parse_instant(value)
    except TimestampError as error:
        raise Reject(f"{error.reason}:{field}") from None


def parse_amount_cents(value) -> int | None:
    """A JSON number or decimal string, >= 0, at most 2 decimals, < 10^13 -> cents.

    Returns None when the value breaks the rule. Exact: JSON fractions arrive as
    Decimal (parse_float=Decimal), never as binary floats.
    """
    if isinstance(value, bool):  # bool is an int subclass in Python
        return None
    if isinstance(value, int):
        return value * 100 if 0 <= value * 100 < AMOUNT_LIMIT_CENTS else None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str) and _DECIMAL_STRING.fullmatch(value):
        number = Decimal(value)
    else:
        return None
    if not number.is_finite():
        return None
    sign, digits, exponent = number.as_tuple()
    if all(digit == 0 for digit in digits):
        return 0  # also covers -0 and 0E+999
    if sign == 1:
        return None
    if number.adjusted() >= 13:  # >= 10^13 (checked before 10**exponent can get huge)
        return None
    # value = coefficient * 10^exponent, so cents = coefficient * 10^(exponent + 2).
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    if shift >= 0:
        return coefficient * 10**shift
    # "1.500" is fine, "1.005" is not: the digits past the 2nd decimal must all be 0.
    cents, rest = divmod(coefficient, 10**-shift)
    return cents if rest == 0 else None


def _amount(obj: dict, field: str, positive: bool) -> int:
    value = obj.get(field)
    if value is None:
        raise Reject(f"missing:{field}")
    cents = parse_amount_cents(value)
    if cents is None or (positive and cents == 0):
        raise Reject(f"bad_amount:{field}")
    return cents


def validate(obj: dict) -> dict:
    """Checks one raw record against design.md §4; returns the fields that matter.

    The returned dict always has "type" and "at" (occurred_at in microseconds).
    """
    event_id = obj.get("event_id")
    if event_id is None:
        raise Reject("missing:event_id")
    if not isinstance(event_id, str):
        raise Reject("not_a_string:event_id")
    if not 1 <= len(event_id) <= 128:
        raise Reject("bad_length:event_id")
    kind_of_event = _required_string(obj, "type")
    if kind_of_event not in TYPES:
        raise Reject("unknown_type")
    at = _instant(obj, "occurred_at")
    _optional_string(obj, "source", allow_empty=True)
    event = {"type": kind_of_event, "at": at, "event_id": event_id}

    if kind_of_event == "pqr.filed":
        event["ticket_id"] = _required_string(obj, "ticket_id")
        event["kind"] = _required_enum(obj, "kind", KINDS)
        event["channel"] = _required_enum(obj, "channel", CHANNELS)
        event["subscriber_id"] = _optional_string(obj, "subscriber_id")
        event["service"] = _optional_enum(obj, "service", SERVICES)
        event["causal"] = _optional_string(obj, "causal", allow_empty=True)
        event["office"] = _optional_string(obj, "office")
    elif kind_of_event == "pqr.answered":
        event["ticket_id"] = _required_string(obj, "ticket_id")
        event["outcome"] = _required_enum(obj, "outcome", OUTCOMES)
        internal_error = obj.get("internal_error")
        if internal_error is not None and not isinstance(internal_error, bool):
            raise Reject("not_a_bool:internal_error")
    elif kind_of_event == "pqr.misfiled":
        event["ticket_id"] = _required_string(obj, "ticket_id")
        _optional_string(obj, "reason", allow_empty=True)
    elif kind_of_event == "window.served":
        event["turn_id"] = _required_string(obj, "turn_id")
        event["office"] = _required_string(obj, "office")
        event["arrived_at"] = _instant(obj, "arrived_at")
        event["started_at"] = _instant(obj, "started_at")
        if not event["arrived_at"] <= event["started_at"] <= at:
            raise Reject("out_of_order:arrived_started_occurred")
    elif kind_of_event == "visit.requested":
        event["visit_id"] = _required_string(obj, "visit_id")
        _optional_string(obj, "ticket_id")
    elif kind_of_event == "visit.completed":
        event["visit_id"] = _required_string(obj, "visit_id")
        _optional_string(obj, "ticket_id")
        started_at = _instant(obj, "started_at", required=False)
        if started_at is not None and started_at > at:
            raise Reject("out_of_order:started_occurred")
    elif kind_of_event == "bill.issued":
        event["bill_id"] = _required_string(obj, "bill_id")
        event["subscriber_id"] = _required_string(obj, "subscriber_id")
        period = _required_string(obj, "period")
        match = _PERIOD.fullmatch(period)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise Reject("bad_period")
        year = int(match.group(1))
        if not FIRST_LOCAL_DATE.year <= year <= LAST_LOCAL_DATE.year:
            raise Reject("bad_period")
        event["period"] = year * 12 + int(match.group(2)) - 1
        amounts = obj.get("amounts")
        if amounts is None:
            raise Reject("missing:amounts")
        if not isinstance(amounts, dict):
            raise Reject("not_an_object:amounts")
        lines = {}
        for service, value in amounts.items():
            if service not in SERVICES:
                raise Reject("unknown_value:amounts")
            cents = parse_amount_cents(value)
            if cents is None:
                raise Reject("bad_amount:amounts")
            lines[service] = cents
        event["amounts"] = tuple(sorted(lines.items()))  # ((service, cents), ...)
    elif kind_of_event == "bill.reformed":
        event["bill_id"] = _required_string(obj, "bill_id")
        event["subscriber_id"] = _required_string(obj, "subscriber_id")
        event["service"] = _required_enum(obj, "service", SERVICES)
        event["amount"] = _amount(obj, "amount", positive=True)
        event["ticket_id"] = _optional_string(obj, "ticket_id")
        event["reason"] = _optional_string(obj, "reason", allow_empty=True)
    return event


# --------------------------------------------------------------------------------------
# Entities: one deterministic choice per key (semantics.md "Identity and duplicates")
# --------------------------------------------------------------------------------------

def _opt(value: str | None) -> tuple:
    """Sort key for an optional string: absent sorts before any present value."""
    return (0, "") if value is None else (1, value)


def _unopt(key: tuple) -> str | None:
    """Inverse of _opt."""
    return key[1] if key[0] else None


def _keep_smallest(table: dict, key, candidate: tuple) -> None:
    if key not in table or candidate < table[key]:
        table[key] = candidate


class EventStore:
    """Keeps, per entity, the smallest candidate tuple seen so far.

    Every kept choice starts with occurred_at, so choosing among all events and then
    dropping the choice if it is after as-of gives exactly the choice among the events
    at or before as-of: if the smallest is after as-of, every candidate is. This lets
    one pass over the input serve any as-of.
    """

    def __init__(self):
        # ticket_id -> (at, kind, channel, office?, service?, subscriber_id?, causal?)
        self.filings = {}
        self.answers = {}       # ticket_id -> (at, outcome)
        self.misfilings = {}    # ticket_id -> earliest at (any misfiling <= as-of counts)
        self.visit_requests = {}     # visit_id -> earliest at
        self.visit_completions = {}  # visit_id -> earliest at
        self.windows = {}       # turn_id -> (at, office, arrived_at, started_at)
        self.bills = {}         # bill_id -> (at, subscriber_id, period, amounts)
        # event_id -> (at, bill_id, subscriber_id, service, cents, ticket_id?, reason?)
        self.reforms = {}
        self.latest = None      # latest occurred_at of any valid event (default as-of)

    def add(self, e: dict) -> None:
        at = e["at"]
        if self.latest is None or at > self.latest:
            self.latest = at
        t = e["type"]
        if t == "pqr.filed":
            _keep_smallest(self.filings, e["ticket_id"],
                           (at, e["kind"], e["channel"], _opt(e["office"]), _opt(e["service"]),
                            _opt(e["subscriber_id"]), _opt(e["causal"])))
        elif t == "pqr.answered":
            _keep_smallest(self.answers, e["ticket_id"], (at, e["outcome"]))
        elif t == "pqr.misfiled":
            _keep_smallest(self.misfilings, e["ticket_id"], at)
        elif t == "visit.requested":
            _keep_smallest(self.visit_requests, e["visit_id"], at)
        elif t == "visit.completed":
            _keep_smallest(self.visit_completions, e["visit_id"], at)
        elif t == "window.served":
            _keep_smallest(self.windows, e["turn_id"],
                           (at, e["office"], e["arrived_at"], e["started_at"]))
        elif t == "bill.issued":
            _keep_smallest(self.bills, e["bill_id"],
                           (at, e["subscriber_id"], e["period"], e["amounts"]))
        elif t == "bill.reformed":
            _keep_smallest(self.reforms, e["event_id"],
                           (at, e["bill_id"], e["subscriber_id"], e["service"], e["amount"],
                            _opt(e["ticket_id"]), _opt(e["reason"])))


@dataclass
class Ticket:
    ticket_id: str
    filed_at: int
    kind: str
    office: str | None
    answered_at: int | None  # first answer at or before as-of
    misfiled: bool


@dataclass
class Visit:
    requested_at: int
    completed_at: int


@dataclass
class WindowService:
    office: str
    arrived_at: int
    ended_at: int


@dataclass
class Bill:
    subscriber_id: str
    period: int                 # month index
    amounts: dict[str, int]     # service -> cents


@dataclass
class Reform:
    at: int
    service: str
    cents: int


@dataclass
class Entities:
    """What the indicators read: the kept events at or before as-of."""
    as_of: int
    tickets: list[Ticket]
    orphan_tickets: int
    visits: list[Visit]
    windows: list[WindowService]
    bills: list[Bill]
    reforms: list[Reform]


def entities_as_of(store: EventStore, as_of: int) -> Entities:
    tickets = []
    for ticket_id, (filed_at, kind, _channel, office, *_others) in store.filings.items():
        if filed_at > as_of:
            continue
        answer = store.answers.get(ticket_id)
        answered_at = answer[0] if answer is not None and answer[0] <= as_of else None
        misfiled_at = store.misfilings.get(ticket_id)
        tickets.append(Ticket(ticket_id, filed_at, kind, _unopt(office), answered_at,
                              misfiled_at is not None and misfiled_at <= as_of))
    filed_ids = {t.ticket_id for t in tickets}
    orphan_ids = {ticket_id for ticket_id, (at, _outcome) in store.answers.items()
                  if at <= as_of and ticket_id not in filed_ids}
    orphan_ids |= {ticket_id for ticket_id, at in store.misfilings.items()
                   if at <= as_of and ticket_id not in filed_ids}
    visits = []
    for visit_id, requested_at in store.visit_requests.items():
        completed_at = store.visit_completions.get(visit_id)
        if requested_at <= as_of and completed_at is not None and completed_at <= as_of:
            visits.append(Visit(requested_at, completed_at))
    windows = [WindowService(office, arrived, at)
               for at, office, arrived, _started in store.windows.values() if at <= as_of]
    bills = [Bill(subscriber, period, dict(amounts))
             for at, subscriber, period, amounts in store.bills.values() if at <= as_of]
    reforms = [Reform(at, service, cents)
               for at, _bill, _subscriber, service, cents, *_others in store.reforms.values()
               if at <= as_of]
    return Entities(as_of, tickets, len(orphan_ids), visits, windows, bills, reforms)


# --------------------------------------------------------------------------------------
# Plan (JSON form of the plan file, see README.md)
# --------------------------------------------------------------------------------------

INDICATORS = ["oportunidad_respuesta", "indice_reclamacion", "pqr_pendientes",
              "peticiones_mal_ingresadas", "reformados_valor", "reformados_cantidad",
              "tiempo_atencion_visitas", "tiempo_atencion_ventanilla"]
UNITS = {"tiempo_atencion_visitas": "hours", "tiempo_atencion_ventanilla": "minutes"}
OFFICE_SCOPED = {"oportunidad_respuesta", "pqr_pendientes", "peticiones_mal_ingresadas",
                 "tiempo_atencion_ventanilla"}
SERVICE_SCOPED = {"reformados_valor", "reformados_cantidad"}
DEFAULT_LEGAL_TERM = 15


@dataclass
class Goal:
    direction: str  # increase | decrease
    mode: str       # relative | points
    size: Fraction


@dataclass
class PlanIndicator:
    weight: Fraction
    goal: Goal | None
    baseline_value: Fraction | None
    baseline_period: str | None


@dataclass
class Plan:
    plan_id: str
    year: int
    legal_terms: dict[str, int]
    indicators: dict[str, PlanIndicator]


def _exact(value, what: str) -> Fraction:
    """A plan number ("0.30", 0.3 read as Decimal, or 1) -> exact Fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise ValueError(f"{what}: expected a number or decimal string, got {value!r}")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{what}: not a decimal number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what}: not finite: {value!r}")
    return Fraction(number)


def load_plan(path: str) -> Plan:
    with open(path, encoding="utf-8") as f:
        raw = json.load(f, parse_float=Decimal)
    terms = {}
    for kind, days in (raw.get("legal_terms") or {}).items():
        if kind not in KINDS or isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ValueError(f"legal_terms: bad entry {kind!r}: {days!r}")
        terms[kind] = days
    indicators = {}
    for entry in raw["indicators"]:
        ident = entry["id"]
        if ident not in INDICATORS:
            raise ValueError(f"unknown indicator id {ident!r}")
        if ident in indicators:
            raise ValueError(f"indicator {ident!r} listed twice")
        goal = None
        if entry.get("goal") is not None:
            g = entry["goal"]
            if (g["direction"] not in ("increase", "decrease")
                    or g["mode"] not in ("relative", "points")):
                raise ValueError(f"{ident}: bad goal {g!r}")
            goal = Goal(g["direction"], g["mode"], _exact(g["size"], f"{ident}.goal.size"))
        baseline = entry.get("baseline") or {}
        baseline_value = baseline_period = None
        if baseline.get("value") is not None:
            baseline_value = _exact(baseline["value"], f"{ident}.baseline.value")
        elif baseline.get("period") is not None:
            baseline_period = str(baseline["period"])
            if not re.fullmatch(r"[0-9]{4}(-(0[1-9]|1[0-2]))?", baseline_period, re.ASCII):
                raise ValueError(f"{ident}: bad baseline period {baseline_period!r}")
        indicators[ident] = PlanIndicator(_exact(entry["weight"], f"{ident}.weight"), goal,
                                          baseline_value, baseline_period)
    year = raw["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError("year must be an integer")
    return Plan(str(raw["id"]), year, terms, indicators)


# --------------------------------------------------------------------------------------
# Indicators (domain.md "Indicators", semantics.md "Values of a period P")
# --------------------------------------------------------------------------------------

@dataclass
class Figures:
    numerator: Fraction
    denominator: Fraction
    value: Fraction | None


US_PER_HOUR = 3600 * 10**6
US_PER_MINUTE = 60 * 10**6


class Indicators:
    """Computes every indicator for any (scope, period), naively, from Entities."""

    def __init__(self, entities: Entities, plan: Plan):
        self.e = entities
        self.plan = plan
        self.as_of_month = month_of(entities.as_of)
        # Month indexes keep the loops short while staying obviously correct: each is a
        # plain "which entities fall in month m" list, built once.
        self.tickets_of_office = _group(entities.tickets, lambda t: t.office)
        self.tickets_filed_in = _group(entities.tickets, lambda t: month_of(t.filed_at))
        self.tickets_answered_in = _group(
            [t for t in entities.tickets if t.answered_at is not None],
            lambda t: month_of(t.answered_at))
        self.bills_of_period = _group(entities.bills, lambda b: b.period)
        self.reforms_in = _group(entities.reforms, lambda r: month_of(r.at))
        self.visits_completed_in = _group(entities.visits, lambda v: month_of(v.completed_at))
        self.windows_ended_in = _group(entities.windows, lambda w: month_of(w.ended_at))
        self._users_cache = {}

    # ----- periods ---------------------------------------------------------------------

    def months_of(self, period: str) -> list[int]:
        """months(P): the months of P that have begun by as-of."""
        if len(period) == 4:
            year = int(period)
            months = [year * 12 + i for i in range(12)]
        else:
            months = [int(period[:4]) * 12 + int(period[5:]) - 1]
        return [m for m in months if m <= self.as_of_month]

    def end_of(self, months: list[int]) -> int:
        """end(P): the earlier of P's last instant and as-of."""
        return min(month_end(max(months)), self.e.as_of)

    # ----- helpers ---------------------------------------------------------------------

    def legal_term(self, kind: str) -> int:
        return self.plan.legal_terms.get(kind, DEFAULT_LEGAL_TERM)

    def on_time(self, t: Ticket) -> bool:
        due = due_date(local_date(t.filed_at), self.legal_term(t.kind))
        return local_date(t.answered_at) <= due

    def users(self, month: int, service: str | None) -> int:
        """users(m): distinct subscribers with a bill of period m (with a line for service)."""
        key = (month, service)
        if key not in self._users_cache:
            subscribers = set()
            for bill in self.bills_of_period.get(month, []):
                if service is None or service in bill.amounts:
                    subscribers.add(bill.subscriber_id)
            self._users_cache[key] = len(subscribers)
        return self._users_cache[key]

    def avg_users(self, months: list[int], service: str | None) -> Fraction:
        """Mean of users(m) over the months with users(m) > 0; 0 when there are none."""
        counts = [self.users(m, service) for m in months if self.users(m, service) > 0]
        return Fraction(sum(counts), len(counts)) if counts else Fraction(0)

    # ----- the indicators --------------------------------------------------------------

    def figures(self, indicator: str, scope: str, period: str) -> Figures:
        months = self.months_of(period)
        office = scope[len("office:"):] if scope.startswith("office:") else None
        service = scope[len("service:"):] if scope.startswith("service:") else None

        def in_office(office_of_item: str | None) -> bool:
            return office is None or office_of_item == office

        if indicator == "oportunidad_respuesta":
            answered = [t for m in months for t in self.tickets_answered_in.get(m, [])
                        if in_office(t.office)]
            return _percent(sum(1 for t in answered if self.on_time(t)), len(answered))

        if indicator == "indice_reclamacion":
            if not months:
                return _percent(0, 0)
            reclamos = sum(1 for m in months for t in self.tickets_filed_in.get(m, [])
                           if t.kind == "reclamo")
            return _percent(Fraction(reclamos, len(months)), self.avg_users(months, None))

        if indicator == "pqr_pendientes":
            filed_in_period = sum(1 for m in months for t in self.tickets_filed_in.get(m, [])
                                  if in_office(t.office))
            pending = 0
            if months:
                end = self.end_of(months)
                if office is None:
                    candidates = self.e.tickets
                else:
                    candidates = self.tickets_of_office.get(office, [])
                for t in candidates:  # any filing date, any kind
                    if t.filed_at <= end and (t.answered_at is None or t.answered_at > end):
                        pending += 1
            return _percent(pending, filed_in_period)

        if indicator == "peticiones_mal_ingresadas":
            filed = [t for m in months for t in self.tickets_filed_in.get(m, [])
                     if in_office(t.office)]
            return _percent(sum(1 for t in filed if t.misfiled), len(filed))

        if indicator == "reformados_valor":
            reformed_cents = sum(r.cents for m in months for r in self.reforms_in.get(m, [])
                                 if service is None or r.service == service)
            billed_cents = 0
            for m in months:
                for bill in self.bills_of_period.get(m, []):
                    for line_service, cents in bill.amounts.items():
                        if service is None or line_service == service:
                            billed_cents += cents
            return _percent(Fraction(reformed_cents, 100), Fraction(billed_cents, 100))

        if indicator == "reformados_cantidad":
            reforms = sum(1 for m in months for r in self.reforms_in.get(m, [])
                          if service is None or r.service == service)
            return _percent(reforms, self.avg_users(months, service))

        if indicator == "tiempo_atencion_visitas":
            visits = [v for m in months for v in self.visits_completed_in.get(m, [])]
            total_us = sum(v.completed_at - v.requested_at for v in visits)
            return _mean(Fraction(total_us, US_PER_HOUR), len(visits))

        if indicator == "tiempo_atencion_ventanilla":
            services = [w for m in months for w in self.windows_ended_in.get(m, [])
                        if in_office(w.office)]
            total_us = sum(w.ended_at - w.arrived_at for w in services)
            return _mean(Fraction(total_us, US_PER_MINUTE), len(services))

        raise ValueError(f"unknown indicator {indicator}")

    # ----- which rows exist (semantics.md "Rows") -------------------------------------

    def years(self) -> list[int]:
        """Years with a non-zero component (scope all) in a month <= the as-of month.

        Every component of every indicator is non-zero only in a month that holds a
        filing, a first answer, a bill period with users, a reform, a completed visit or
        a window service; the pending +1/-1 fall on a filing or first-answer month.
        """
        months = set()
        months.update(self.tickets_filed_in)
        months.update(self.tickets_answered_in)
        months.update(m for m, bills in self.bills_of_period.items() if bills)
        months.update(self.reforms_in)
        months.update(self.visits_completed_in)
        months.update(self.windows_ended_in)
        return sorted({m // 12 for m in months if m <= self.as_of_month})

    def scopes(self, indicator: str) -> list[str]:
        """`all`, then every scope with a non-zero component in a month <= as-of month."""
        found = set()
        if indicator == "oportunidad_respuesta":
            found = {t.office for m, ts in self.tickets_answered_in.items()
                     if m <= self.as_of_month for t in ts}
        elif indicator in ("pqr_pendientes", "peticiones_mal_ingresadas"):
            found = {t.office for m, ts in self.tickets_filed_in.items()
                     if m <= self.as_of_month for t in ts}
        elif indicator == "tiempo_atencion_ventanilla":
            found = {w.office for m, ws in self.windows_ended_in.items()
                     if m <= self.as_of_month for w in ws}
        if indicator in OFFICE_SCOPED:
            return ["all"] + sorted(f"office:{o}" for o in found if o is not None)
        if indicator in SERVICE_SCOPED:
            for m, reforms in self.reforms_in.items():
                if m <= self.as_of_month:
                    found.update(r.service for r in reforms)
            for m, bills in self.bills_of_period.items():
                if m > self.as_of_month:
                    continue
                for bill in bills:
                    for line_service, cents in bill.amounts.items():
                        # A 0-peso line is a zero value component but still a user.
                        if cents > 0 or indicator == "reformados_cantidad":
                            found.add(line_service)
            return ["all"] + sorted(f"service:{s}" for s in found)
        return ["all"]

    def periods(self) -> list[str]:
        """For each year: the year (year to date) first, then its months begun by as-of."""
        result = []
        for year in self.years():
            result.append(f"{year:04d}")
            result.extend(month_label(m) for m in range(year * 12, year * 12 + 12)
                          if m <= self.as_of_month)
        return result


def _group(items, key) -> dict:
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _percent(numerator, denominator) -> Figures:
    numerator, denominator = Fraction(numerator), Fraction(denominator)
    value = numerator / denominator * 100 if denominator else None
    return Figures(numerator, denominator, value)


def _mean(total, count) -> Figures:
    total, count = Fraction(total), Fraction(count)
    return Figures(total, count, total / count if count else None)


# --------------------------------------------------------------------------------------
# Compliance (domain.md "Compliance", semantics.md "Compliance columns")
# --------------------------------------------------------------------------------------

@dataclass
class Compliance:
    baseline: Fraction | None
    target: Fraction | None
    achievement: Fraction | None
    weight: Fraction | None
    weighted_score: Fraction | None
    status: str


def target_of(goal: Goal, baseline: Fraction) -> Fraction:
    sign = 1 if goal.direction == "increase" else -1
    if goal.mode == "relative":
        return baseline * (1 + sign * goal.size)
    return baseline + sign * goal.size


def compliance(spec: PlanIndicator | None, value: Fraction | None,
               baseline: Fraction | None) -> Compliance:
    if spec is None:  # indicator not in the plan
        return Compliance(None, None, None, None, None, "sin_datos")
    target = achievement = None
    if spec.goal is not None and baseline is not None:
        target = target_of(spec.goal, baseline)
    decrease = spec.goal is not None and spec.goal.direction == "decrease"
    if target is not None and value is not None:
        b, t, v = baseline, target, value
        if b == t:
            met = v <= t if decrease else v >= t
            achievement = Fraction(1 if met else 0)
        else:
            raw = (b - v) / (b - t) if decrease else (v - b) / (t - b)
            achievement = min(max(raw, Fraction(0)), Fraction(1))
    if achievement is None:
        status = "sin_datos"
    elif achievement == 1:
        status = "cumplida"
    elif (value > baseline) if decrease else (value < baseline):
        status = "en_riesgo"
    else:
        status = "en_curso"
    weighted = achievement * spec.weight if achievement is not None else None
    return Compliance(baseline, target, achievement, spec.weight, weighted, status)


# --------------------------------------------------------------------------------------
# BI rows (design.md §5)
# --------------------------------------------------------------------------------------

def format_number(q: Fraction | None) -> str:
    """Rounded half away from zero to 6 decimals, trailing zeros removed; null for None."""
    if q is None:
        return "null"
    scaled = Fraction(q) * 10**6
    magnitude = abs(scaled)
    # floor(x + 1/2) on the magnitude = round half away from zero.
    rounded = (2 * magnitude.numerator + magnitude.denominator) // (2 * magnitude.denominator)
    whole, fraction = divmod(rounded, 10**6)
    text = str(whole)
    if fraction:
        text += "." + f"{fraction:06d}".rstrip("0")
    if scaled < 0 and rounded != 0:
        text = "-" + text
    return text


def bi_row(plan_id: str, indicator: str, scope: str, period: str, figures: Figures,
           unit: str, c: Compliance, as_of: int) -> str:
    fields = [
        ("plan", json.dumps(plan_id, ensure_ascii=False)),
        ("indicator", json.dumps(indicator, ensure_ascii=False)),
        ("scope", json.dumps(scope, ensure_ascii=False)),
        ("period", json.dumps(period)),
        ("value", format_number(figures.value)),
        ("numerator", format_number(figures.numerator)),
        ("denominator", format_number(figures.denominator)),
        ("unit", json.dumps(unit)),
        ("baseline", format_number(c.baseline)),
        ("target", format_number(c.target)),
        ("achievement", format_number(c.achievement)),
        ("weight", format_number(c.weight)),
        ("weighted_score", format_number(c.weighted_score)),
        ("status", json.dumps(c.status)),
        ("as_of", json.dumps(format_local(as_of))),
        ("version", "1"),
    ]
    return "{" + ",".join(f'"{name}":{text}' for name, text in fields) + "}"


def compute_rows(entities: Entities, plan: Plan) -> list[str]:
    ind = Indicators(entities, plan)
    baselines = {}

    def baseline_of(indicator: str, scope: str) -> Fraction | None:
        spec = plan.indicators.get(indicator)
        if spec is None:
            return None
        if spec.baseline_value is not None:
            return spec.baseline_value
        if spec.baseline_period is None:
            return None
        key = (indicator, scope)
        if key not in baselines:
            baselines[key] = ind.figures(indicator, scope, spec.baseline_period).value
        return baselines[key]

    rows = []
    periods = ind.periods()
    for indicator in INDICATORS:
        spec = plan.indicators.get(indicator)
        unit = UNITS.get(indicator, "%")
        for scope in ind.scopes(indicator):
            for period in periods:
                figures = ind.figures(indicator, scope, period)
                c = compliance(spec, figures.value, baseline_of(indicator, scope))
                rows.append(bi_row(plan.plan_id, indicator, scope, period, figures, unit,
                                   c, entities.as_of))
    rows.append(plan_score_row(ind, plan, baseline_of, entities.as_of))
    return rows


def plan_score_row(ind: Indicators, plan: Plan, baseline_of, as_of: int) -> str:
    """Weighted compliance of the plan year's year-to-date rows (scope all)."""
    period = f"{plan.year:04d}"
    covered = Fraction(0)
    score = Fraction(0)
    statuses = []
    for indicator in INDICATORS:
        spec = plan.indicators.get(indicator)
        if spec is None or spec.weight <= 0:
            continue  # only weighted indicators take part
        value = ind.figures(indicator, "all", period).value
        c = compliance(spec, value, baseline_of(indicator, "all"))
        statuses.append(c.status)
        if c.achievement is not None:
            covered += spec.weight
            score += c.weighted_score
    if covered == 0:
        status = "sin_datos"
    elif all(s == "cumplida" for s in statuses):
        status = "cumplida"
    elif any(s == "en_riesgo" for s in statuses):
        status = "en_riesgo"
    else:
        status = "en_curso"
    value = score * 100 if covered else None
    figures = Figures(score, covered, value)
    c = Compliance(None, None, score / covered if covered else None, covered, score, status)
    return bi_row(plan.plan_id, "plan_score", "all", period, figures, "%", c, as_of)


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

@dataclass
class ReadResult:
    store: EventStore
    rejects: dict[str, int]
    rejected_lines: list[bytes]


def read_records(paths: list[str], keep_rejected_lines: bool = False) -> ReadResult:
    store = EventStore()
    rejects: dict[str, int] = {}
    rejected_lines: list[bytes] = []
    for path in paths:
        with open(path, "rb") as f:
            for raw in f:
                raw = raw.rstrip(b"\n")
                if not raw.strip():
                    continue  # blank lines are not records
                try:
                    store.add(validate(parse_line(raw)))
                except Reject as r:
                    rejects[r.reason] = rejects.get(r.reason, 0) + 1
                    if keep_rejected_lines:
                        rejected_lines.append(raw)
    return ReadResult(store, rejects, rejected_lines)


def run(plan: Plan, paths: list[str], as_of: int | None = None) -> tuple[list[str], ReadResult]:
    """BI rows for the files (empty when there is no valid event and no as-of)."""
    result = read_records(paths)
    if as_of is None:
        as_of = result.store.latest
    if as_of is None:
        return [], result
    return compute_rows(entities_as_of(result.store, as_of), plan), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan-json", required=True, help="plan in JSON (see README.md)")
    parser.add_argument("--as-of", help="RFC 3339 instant; default: latest valid occurred_at")
    parser.add_argument("--rejects", help="write every rejected line to this file")
    parser.add_argument("files", nargs="+", help="raw JSONL files")
    args = parser.parse_args(argv)

    try:
        plan = load_plan(args.plan_json)
    except (OSError, ValueError, KeyError, TypeError) as error:
        parser.error(f"--plan-json {args.plan_json}: {error!r}")
    as_of = None
    if args.as_of is not None:
        try:
            as_of = parse_instant(args.as_of)
        except TimestampError as error:
            parser.error(f"--as-of {args.as_of!r}: {error.reason}")

    result = read_records(args.files, keep_rejected_lines=bool(args.rejects))
    if args.rejects:
        with open(args.rejects, "wb") as f:
            for line in result.rejected_lines:
                f.write(line + b"\n")
    if as_of is None:
        as_of = result.store.latest
    if as_of is not None:
        rows = compute_rows(entities_as_of(result.store, as_of), plan)
        sys.stdout.write("".join(row + "\n" for row in rows))
    sys.stderr.write(json.dumps(dict(sorted(result.rejects.items()))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
