"""Self-test of the naive reference implementation (python3 -m unittest).

Every expected number below is derived by hand in the comment next to it, from the
domain rules, never from running the code under test.
"""

import datetime
import json
import copy
import os
import random
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare_bi  # noqa: E402
import naive_pqrflow as naive  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PLAN_PATH = os.path.join(HERE, "plan-2024.json")
PLAN = naive.load_plan(PLAN_PATH)
D = datetime.date


# ----- builders of raw records ---------------------------------------------------------

def record(event_id, type_, at, **fields):
    return json.dumps({"event_id": event_id, "type": type_, "occurred_at": at, **fields})


def filed(eid, ticket, at, kind="peticion", office=None, channel="web"):
    extra = {"office": office} if office else {}
    return record(eid, "pqr.filed", at, ticket_id=ticket, kind=kind, channel=channel, **extra)


def answered(eid, ticket, at, outcome="accede"):
    return record(eid, "pqr.answered", at, ticket_id=ticket, outcome=outcome)


def misfiled(eid, ticket, at):
    return record(eid, "pqr.misfiled", at, ticket_id=ticket)


def visit_requested(eid, visit, at):
    return record(eid, "visit.requested", at, visit_id=visit)


def visit_completed(eid, visit, at):
    return record(eid, "visit.completed", at, visit_id=visit)


def window(eid, turn, office, arrived, started, ended):
    return record(eid, "window.served", ended, turn_id=turn, office=office,
                  arrived_at=arrived, started_at=started)


def bill(eid, bill_id, subscriber, period, amounts, at):
    return record(eid, "bill.issued", at, bill_id=bill_id, subscriber_id=subscriber,
                  period=period, amounts=amounts)


def reform(eid, bill_id, subscriber, service, amount, at):
    return record(eid, "bill.reformed", at, bill_id=bill_id, subscriber_id=subscriber,
                  service=service, amount=amount)


def run_lines(lines, as_of=None, plan=PLAN):
    """Runs the reference over `lines`; returns (printed rows, ReadResult)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "in.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        instant = naive.parse_instant(as_of) if as_of else None
        return naive.run(plan, [path], instant)


def by_key(rows):
    """Printed rows -> {(indicator, scope, period): row}, numbers kept as printed text."""
    result = {}
    for line in rows:
        row = json.loads(line, parse_int=str, parse_float=str)
        result[(row["indicator"], row["scope"], row["period"])] = row
    return result


# ----- calendar -------------------------------------------------------------------------

class CalendarTest(unittest.TestCase):
    def test_holidays_2024_match_domain_md(self):
        expected = ["01-01", "01-08", "03-25", "03-28", "03-29", "05-01", "05-13", "06-03",
                    "06-10", "07-01", "07-20", "08-07", "08-19", "10-14", "11-04", "11-11",
                    "12-08", "12-25"]
        self.assertEqual(sorted(d.strftime("%m-%d") for d in naive.holidays(2024)), expected)

    def test_holidays_2025_with_the_double_holiday(self):
        # Easter 2025-04-20. Sacred Heart = Easter+71 = 06-30, and San Pedro (06-29, a
        # Sunday) moves to Monday 06-30 too: 18 holidays on 17 dates.
        expected = ["01-01", "01-06", "03-24", "04-17", "04-18", "05-01", "06-02", "06-23",
                    "06-30", "07-20", "08-07", "08-18", "10-13", "11-03", "11-17", "12-08",
                    "12-25"]
        self.assertEqual(sorted(d.strftime("%m-%d") for d in naive.holidays(2025)), expected)
        self.assertFalse(naive.is_business_day(D(2025, 6, 30)))
        self.assertTrue(naive.is_business_day(D(2025, 7, 1)))

    def test_easter(self):
        for year, day in [(2023, D(2023, 4, 9)), (2024, D(2024, 3, 31)),
                          (2025, D(2025, 4, 20)), (2000, D(2000, 4, 23)),
                          (2038, D(2038, 4, 25)), (1984, D(1984, 4, 22))]:
            self.assertEqual(naive.easter_sunday(year), day)

    def test_due_dates_of_domain_md(self):
        # 2024-03-19 (Tue): 20,21,22 | 25 holiday | 26,27 | 28,29 holy days | Apr 1-5, 8-12
        # -> the 15th business day is 2024-04-12.
        self.assertEqual(naive.due_date(D(2024, 3, 19), 15), D(2024, 4, 12))
        # 2024-12-20 (Fri): Dec 23,24,26,27,30,31 (25 off) | Jan 1 off | 2,3 | 6 off |
        # 7,8,9,10,13,14,15 -> 2025-01-15.
        self.assertEqual(naive.due_date(D(2024, 12, 20), 15), D(2025, 1, 15))

    def test_due_date_with_a_shorter_term_and_a_weekend_filing(self):
        # 10 days from 2024-03-19: 20,21,22,26,27,Apr 1,2,3,4,5.
        self.assertEqual(naive.due_date(D(2024, 3, 19), 10), D(2024, 4, 5))
        # Filed Saturday 2024-02-10: counting starts Sunday, first business day Mon 12.
        self.assertEqual(naive.due_date(D(2024, 2, 10), 1), D(2024, 2, 12))


# ----- time and numbers --------------------------------------------------------------------

class TimeAndNumberTest(unittest.TestCase):
    def test_local_month_of_an_instant(self):
        # 02:00 UTC on March 1 is 21:00 on February 29 in Bogota.
        instant = naive.parse_instant("2024-03-01T02:00:00Z")
        self.assertEqual(naive.local_date(instant), D(2024, 2, 29))
        self.assertEqual(naive.month_label(naive.month_of(instant)), "2024-02")
        self.assertEqual(naive.month_of(naive.parse_instant("2024-03-01T05:00:00Z")),
                         2024 * 12 + 2)  # exactly local midnight: March

    def test_offsets_and_truncation(self):
        a = naive.parse_instant("2024-03-01T00:00:00.1234569-05:00")
        b = naive.parse_instant("2024-03-01T05:00:00.123456Z")
        self.assertEqual(a, b)  # same instant; the 7th fraction digit is truncated
        self.assertEqual(naive.format_local(b), "2024-03-01T00:00:00.123456-05:00")
        self.assertEqual(naive.format_local(naive.parse_instant("2024-12-31T23:59:59-05:00")),
                         "2024-12-31T23:59:59-05:00")

    def test_rejected_timestamps(self):
        for text in ["2024-03-01T00:00:00", "2024-02-30T00:00:00Z", "2024-03-01 00:00:00Z",
                     "2024-03-01T24:00:00Z", "2024-03-01T23:59:60Z", "2024-3-01T00:00:00Z",
                     "2024-03-01T00:00:00+05", "2024-03-01T00:00:00+24:00"]:
            with self.assertRaises(naive.TimestampError, msg=text) as ctx:
                naive.parse_instant(text)
            self.assertEqual(ctx.exception.reason, "bad_timestamp", text)
        for text in ["1984-01-01T04:59:59Z", "2201-01-01T05:00:00Z"]:
            with self.assertRaises(naive.TimestampError) as ctx:
                naive.parse_instant(text)
            self.assertEqual(ctx.exception.reason, "timestamp_out_of_range", text)
        naive.parse_instant("1984-01-01T05:00:00Z")  # local midnight 1984-01-01: accepted

    def test_format_number_rounds_half_away_from_zero(self):
        cases = [(Fraction(1, 3), "0.333333"), (Fraction(2, 3), "0.666667"),
                 (Fraction(1, 2 * 10**6), "0.000001"), (Fraction(-1, 2 * 10**6), "-0.000001"),
                 (Fraction(1, 4 * 10**6), "0"), (Fraction(-1, 4 * 10**6), "0"),
                 (Fraction(100), "100"), (Fraction(1, 10), "0.1"), (Fraction(0), "0"),
                 (Fraction(12345678901234, 100), "123456789012.34"), (None, "null")]
        for value, text in cases:
            self.assertEqual(naive.format_number(value), text, value)


# ----- validation -------------------------------------------------------------------------------

class ValidationTest(unittest.TestCase):
    def reason(self, line):
        try:
            naive.validate(naive.parse_line(line.encode("utf-8")))
        except naive.Reject as r:
            return r.reason
        return None

    def test_valid_records_pass_and_extra_fields_are_ignored(self):
        ok = [filed("e", "T", "2024-01-02T10:00:00-05:00", office="Centro"),
              record("e", "pqr.filed", "2024-01-02T10:00:00Z", ticket_id="T", kind="queja",
                     channel="otro", unknown_field={"x": 1}, source="crm"),
              bill("e", "B", "S", "2024-01", {"acueducto": "1.500", "alcantarillado": 0},
                   "2024-01-02T10:00:00Z"),
              bill("e", "B", "S", "2024-01", {}, "2024-01-02T10:00:00Z"),
              reform("e", "B", "S", "acueducto", "0.01", "2024-01-02T10:00:00Z"),
              '{"event_id":"e","type":"bill.reformed","occurred_at":"2024-01-02T10:00:00Z",'
              '"bill_id":"B","subscriber_id":"S","service":"acueducto","amount":1.5e2}',
              window("e", "W", "Centro", "2024-01-02T10:00:00Z", "2024-01-02T10:00:00Z",
                     "2024-01-02T10:00:00Z")]
        for line in ok:
            self.assertIsNone(self.reason(line), line)

    def test_rejections(self):
        t = "2024-01-02T10:00:00-05:00"
        cases = [
            ("not json", "invalid_json"),
            ("[1, 2]", "not_an_object"),
            ('{"event_id":"e","event_id":"f"}', "duplicate_key"),
            (record("", "pqr.filed", t), "bad_length:event_id"),
            (record("x" * 129, "pqr.filed", t), "bad_length:event_id"),
            (record("e", "pqr.closed", t), "unknown_type"),
            (record("e", "pqr.misfiled", "2024-01-02T10:00:00"), "bad_timestamp:occurred_at"),
            (record("e", "pqr.misfiled", t), "missing:ticket_id"),
            (record("e", "pqr.misfiled", t, ticket_id=7), "not_a_string:ticket_id"),
            (filed("e", "T", t, kind="tutela"), "unknown_value:kind"),
            (answered("e", "T", t, outcome="maybe"), "unknown_value:outcome"),
            (window("e", "W", "C", "2024-01-02T10:05:00Z", "2024-01-02T10:00:00Z",
                    "2024-01-02T10:10:00Z"), "out_of_order:arrived_started_occurred"),
            (bill("e", "B", "S", "2024-13", {"acueducto": 1}, t), "bad_period"),
            (bill("e", "B", "S", "2024-01", {"gas": 1}, t), "unknown_value:amounts"),
            (bill("e", "B", "S", "2024-01", {"acueducto": "1.005"}, t), "bad_amount:amounts"),
            (bill("e", "B", "S", "2024-01", {"acueducto": -1}, t), "bad_amount:amounts"),
            (bill("e", "B", "S", "2024-01", {"acueducto": True}, t), "bad_amount:amounts"),
            (bill("e", "B", "S", "2024-01", {"acueducto": " 1"}, t), "bad_amount:amounts"),
            (bill("e", "B", "S", "2024-01", {"acueducto": 10**13}, t), "bad_amount:amounts"),
            (reform("e", "B", "S", "acueducto", 0, t), "bad_amount:amount"),
            ('{"event_id":"e","type":"bill.reformed","occurred_at":"2024-01-02T10:00:00Z",'
             '"bill_id":"B","subscriber_id":"S","service":"acueducto","amount":NaN}',
             "invalid_json"),
        ]
        for line, reason in cases:
            self.assertEqual(self.reason(line), reason, line)

    def test_invalid_utf8(self):
        with self.assertRaises(naive.Reject) as ctx:
            naive.parse_line(b'{"event_id":"\xff"}')
        self.assertEqual(ctx.exception.reason, "invalid_utf8")


# ----- the main hand-computed scenario ---------------------------------------------------

# Tickets (local times, -05:00). Plan terms: 15 business days.
#   A Centro peticion filed 2023-12-01, answered 2023-12-05            on time
#   B Centro reclamo  filed 2023-12-04, misfiled, answered 2024-01-10  due 2023-12-27: late
#   C Norte  reclamo  filed 2024-01-15, answered 2024-02-01 and again 2024-03-20
#                     due 2024-02-05: the first answer (Feb 1) counts, on time, in Feb
#   E (no office) queja filed 2024-02-29 23:30, answered 2024-03-01T02:00:00Z, which is
#                     2024-02-29 21:00 local: before its filing -> on time, in February
#   F Centro peticion filed Sat 2024-02-10, misfiled, answered 2024-03-15
#                     due 2024-03-01 (counting starts Sun 11): late
#   D Centro peticion filed 2024-03-19; its answer on 2024-04-12 is after as-of
#   Z answer without filing, Y misfiling without filing: orphans, in no indicator
# Bills (period: subscriber {service: pesos}):
#   2023-12: S1 {acu 1000, alc 500}, S2 {acu 1000}           users 2 (acu 2, alc 1)
#   2024-01: S1 {acu 1200.50, alc 0}, S2 {acu 1000}, S3 {alc 300}  users 3 (acu 2, alc 2)
#   2024-02: S1 {acu 1000} and S1 {alc 200} (two bills)       users 1 (acu 1, alc 1)
#   2024-03: none                                             users 0
#   2024-04: S1, issued 2024-03-30: its month has not begun by as-of -> no effect
# Reforms: 2023-12-10 acu 100; 2024-01-20 acu 50.25; 2024-02-05 alc 20 (sent twice);
#   2024-03-31 23:00 local acu 10; 2024-04-01 00:00 local acu 99 (after as-of)
# Visits: V0 2023-12-01 08:00 -> 20:00 (12 h); V1 2024-01-30 08:00 -> 2024-02-01 08:00
#   (48 h); V2 2024-02-10 10:00 -> 13:30 (3.5 h; a later duplicate completion ignored);
#   V3 completed without request; V4 requested only.
# Window: W1 Centro arrived 08:00, ended 08:25:30 on 2024-03-04 (25.5 min; a second
#   record of W1 ending later is the same turn); W2 Norte 09:00 -> 09:04:30 (4.5 min).
AS_OF = "2024-03-31T23:59:59-05:00"
SCENARIO = [
    filed("fA", "A", "2023-12-01T10:00:00-05:00", office="Centro"),
    answered("aA", "A", "2023-12-05T10:00:00-05:00"),
    filed("fB", "B", "2023-12-04T10:00:00-05:00", kind="reclamo", office="Centro"),
    misfiled("mB", "B", "2023-12-05T10:00:00-05:00"),
    answered("aB", "B", "2024-01-10T10:00:00-05:00"),
    filed("fC", "C", "2024-01-15T09:00:00-05:00", kind="reclamo", office="Norte"),
    answered("aC1", "C", "2024-02-01T09:00:00-05:00"),
    answered("aC2", "C", "2024-03-20T09:00:00-05:00", outcome="no_accede"),
    filed("fE", "E", "2024-02-29T23:30:00-05:00", kind="queja"),
    answered("aE", "E", "2024-03-01T02:00:00Z"),
    filed("fF", "F", "2024-02-10T10:00:00-05:00", office="Centro"),
    misfiled("mF", "F", "2024-02-12T10:00:00-05:00"),
    answered("aF", "F", "2024-03-15T10:00:00-05:00"),
    filed("fD", "D", "2024-03-19T10:00:00-05:00", office="Centro"),
    answered("aD", "D", "2024-04-12T10:00:00-05:00"),
    answered("aZ", "Z", "2024-03-10T10:00:00-05:00"),
    misfiled("mY", "Y", "2024-03-10T10:00:00-05:00"),
    bill("b1", "B-S1-2312", "S1", "2023-12", {"acueducto": 1000, "alcantarillado": 500},
         "2023-12-01T06:00:00-05:00"),
    bill("b2", "B-S2-2312", "S2", "2023-12", {"acueducto": 1000}, "2023-12-01T06:00:00-05:00"),
    bill("b3", "B-S1-2401", "S1", "2024-01", {"acueducto": "1200.50", "alcantarillado": 0},
         "2024-01-02T06:00:00-05:00"),
    bill("b4", "B-S2-2401", "S2", "2024-01", {"acueducto": 1000}, "2024-01-02T06:00:00-05:00"),
    bill("b5", "B-S3-2401", "S3", "2024-01", {"alcantarillado": 300}, "2024-01-02T06:00:00-05:00"),
    bill("b6", "B-S1-2402a", "S1", "2024-02", {"acueducto": 1000}, "2024-02-01T06:00:00-05:00"),
    bill("b7", "B-S1-2402b", "S1", "2024-02", {"alcantarillado": 200},
         "2024-02-01T06:00:00-05:00"),
    bill("b8", "B-S1-2404", "S1", "2024-04", {"acueducto": 5000}, "2024-03-30T06:00:00-05:00"),
    reform("r0", "B-S1-2312", "S1", "acueducto", 100, "2023-12-10T10:00:00-05:00"),
    reform("r1", "B-S1-2401", "S1", "acueducto", "50.25", "2024-01-20T10:00:00-05:00"),
    reform("r2", "B-S1-2402b", "S1", "alcantarillado", 20, "2024-02-05T10:00:00-05:00"),
    reform("r2", "B-S1-2402b", "S1", "alcantarillado", 20, "2024-02-05T10:00:00-05:00"),
    reform("r3", "B-S2-2401", "S2", "acueducto", 10, "2024-04-01T04:00:00Z"),
    reform("r4", "B-S2-2401", "S2", "acueducto", 99, "2024-04-01T05:00:00Z"),
    visit_requested("vr0", "V0", "2023-12-01T08:00:00-05:00"),
    visit_completed("vc0", "V0", "2023-12-01T20:00:00-05:00"),
    visit_requested("vr1", "V1", "2024-01-30T08:00:00-05:00"),
    visit_completed("vc1", "V1", "2024-02-01T08:00:00-05:00"),
    visit_requested("vr2", "V2", "2024-02-10T10:00:00-05:00"),
    visit_completed("vc2", "V2", "2024-02-10T13:30:00-05:00"),
    visit_completed("vc2b", "V2", "2024-02-11T13:30:00-05:00"),
    visit_completed("vc3", "V3", "2024-03-05T10:00:00-05:00"),
    visit_requested("vr4", "V4", "2024-03-05T10:00:00-05:00"),
    window("w1", "W1", "Centro", "2024-03-04T08:00:00-05:00", "2024-03-04T08:10:00-05:00",
           "2024-03-04T08:25:30-05:00"),
    window("w1b", "W1", "Centro", "2024-03-04T08:00:00-05:00", "2024-03-04T08:10:00-05:00",
           "2024-03-04T08:40:00-05:00"),
    window("w2", "W2", "Norte", "2024-03-04T09:00:00-05:00", "2024-03-04T09:00:00-05:00",
           "2024-03-04T09:04:30-05:00"),
]


class ScenarioTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.printed, cls.read = run_lines(SCENARIO, as_of=AS_OF)
        cls.rows = by_key(cls.printed)

    def check(self, indicator, scope, period, value, numerator, denominator, **more):
        row = self.rows[(indicator, scope, period)]
        got = {"value": row["value"], "numerator": row["numerator"],
               "denominator": row["denominator"]}
        want = {"value": value, "numerator": numerator, "denominator": denominator}
        for field, expected in more.items():
            got[field], want[field] = row[field], expected
        self.assertEqual(got, want, (indicator, scope, period))

    def test_row_set_and_order(self):
        # Years 2023 and 2024; periods 2023, 2023-01..12, 2024, 2024-01..03 = 17.
        # Scopes: 3 + 1 + 3 + 3 + 3 + 3 + 1 + 3 = 20 -> 340 rows, plus plan_score.
        self.assertEqual(len(self.printed), 341)
        keys = [json.loads(r)["indicator"] + "|" + json.loads(r)["scope"] + "|"
                + json.loads(r)["period"] for r in self.printed]
        self.assertEqual(keys[:3], ["oportunidad_respuesta|all|2023",
                                    "oportunidad_respuesta|all|2023-01",
                                    "oportunidad_respuesta|all|2023-02"])
        self.assertEqual(keys[13:18], ["oportunidad_respuesta|all|2024",
                                       "oportunidad_respuesta|all|2024-01",
                                       "oportunidad_respuesta|all|2024-02",
                                       "oportunidad_respuesta|all|2024-03",
                                       "oportunidad_respuesta|office:Centro|2023"])
        self.assertEqual(keys[-1], "plan_score|all|2024")
        scopes = sorted({(k.split("|")[0], k.split("|")[1]) for k in keys})
        self.assertIn(("tiempo_atencion_ventanilla", "office:Norte"), scopes)
        self.assertNotIn(("indice_reclamacion", "office:Centro"), scopes)
        self.assertNotIn(("oportunidad_respuesta", "office:None"), scopes)  # E has no office
        self.assertNotIn(("pqr_pendientes", "all", "2024-04"), self.rows)  # April not begun

    def test_exact_row_format(self):
        self.assertEqual(
            self.printed[0],
            '{"plan":"F.PCO.021-2024","indicator":"oportunidad_respuesta","scope":"all",'
            '"period":"2023","value":100,"numerator":1,"denominator":1,"unit":"%",'
            '"baseline":100,"target":101,"achievement":0,"weight":0.3,"weighted_score":0,'
            '"status":"en_curso","as_of":"2024-03-31T23:59:59-05:00","version":1}')

    def test_orphans_are_counted_not_used(self):
        entities = naive.entities_as_of(self.read.store, naive.parse_instant(AS_OF))
        self.assertEqual(entities.orphan_tickets, 2)  # Z (answer) and Y (misfiling)
        self.assertEqual(sorted(t.ticket_id for t in entities.tickets),
                         ["A", "B", "C", "D", "E", "F"])

    def test_oportunidad_respuesta(self):
        # 2023: A on time -> 1/1. Jan: B late -> 0/1. Feb: C, E on time -> 2/2 (C's 2nd
        # answer in March changes nothing). Mar: F late -> 0/1. 2024: 2/4 = 50%.
        self.check("oportunidad_respuesta", "all", "2023", "100", "1", "1")
        self.check("oportunidad_respuesta", "all", "2024-01", "0", "0", "1")
        self.check("oportunidad_respuesta", "all", "2024-02", "100", "2", "2")
        self.check("oportunidad_respuesta", "all", "2024-03", "0", "0", "1")
        self.check("oportunidad_respuesta", "all", "2023-06", None, "0", "0")
        # Increase by 1 point: b 100, t 101, v 50 -> (50-100)/1 clamps to 0; worse: en_riesgo.
        self.check("oportunidad_respuesta", "all", "2024", "50", "2", "4",
                   baseline="100", target="101", achievement="0", weighted_score="0",
                   status="en_riesgo")
        # Centro: A (2023); B late (Jan); F late (Mar). Norte: C on time (Feb), no 2023.
        self.check("oportunidad_respuesta", "office:Centro", "2024", "0", "0", "2")
        self.check("oportunidad_respuesta", "office:Centro", "2024-02", None, "0", "0")
        self.check("oportunidad_respuesta", "office:Norte", "2024", "100", "1", "1",
                   baseline=None, target=None, achievement=None, status="sin_datos")

    def test_indice_reclamacion(self):
        # Reclamos: B (2023-12), C (2024-01). users: 2023-12: 2; Jan 3; Feb 1; Mar 0.
        # 2023: (1/12) / avgUsers 2 * 100 = 100/24 = 4.1666.. -> 4.166667
        self.check("indice_reclamacion", "all", "2023", "4.166667", "0.083333", "2")
        self.check("indice_reclamacion", "all", "2024-01", "33.333333", "1", "3")
        self.check("indice_reclamacion", "all", "2024-02", "0", "0", "1")
        self.check("indice_reclamacion", "all", "2024-03", None, "0", "0")
        # 2024: 1 reclamo / 3 begun months = 1/3; avgUsers over Jan, Feb = (3+1)/2 = 2;
        # (1/3)/2*100 = 16.6666.. ; target = (25/6)*0.95 = 3.958333; worse -> 0, en_riesgo
        self.check("indice_reclamacion", "all", "2024", "16.666667", "0.333333", "2",
                   baseline="4.166667", target="3.958333", achievement="0",
                   status="en_riesgo")

    def test_pqr_pendientes_across_months(self):
        # end 2023: B pending of A, B filed -> 1/2. end Jan: C pending (B answered Jan 10)
        # / C filed -> 1/1. end Feb: F pending / E, F filed -> 1/2. end Mar (as-of): D
        # pending (its answer is after as-of) / D -> 1/1. 2024: D / C, E, F, D -> 25%.
        self.check("pqr_pendientes", "all", "2023", "50", "1", "2")
        self.check("pqr_pendientes", "all", "2024-01", "100", "1", "1")
        self.check("pqr_pendientes", "all", "2024-02", "50", "1", "2")
        self.check("pqr_pendientes", "all", "2024-03", "100", "1", "1")
        # Decrease 40%: t = 30; (50-25)/(50-30) = 1.25 clamps to 1 -> cumplida, 0.1 weighted.
        self.check("pqr_pendientes", "all", "2024", "25", "1", "4", baseline="50",
                   target="30", achievement="1", weighted_score="0.1", status="cumplida")
        # Centro: end Jan nothing pending and nothing filed in Jan -> null over 0/0.
        self.check("pqr_pendientes", "office:Centro", "2024-01", None, "0", "0")
        # Centro 2024: D pending / F, D filed = 50 = baseline -> achievement 0, en_curso.
        self.check("pqr_pendientes", "office:Centro", "2024", "50", "1", "2",
                   achievement="0", status="en_curso")
        # Norte: C pending at end of Jan only.
        self.check("pqr_pendientes", "office:Norte", "2024-01", "100", "1", "1")
        self.check("pqr_pendientes", "office:Norte", "2024-02", None, "0", "0")
        self.check("pqr_pendientes", "office:Norte", "2024", "0", "0", "1")

    def test_peticiones_mal_ingresadas(self):
        # Misfiled: B (2023), F (Feb). 2023 1/2; Feb 1/2 (E, F); 2024 1/4.
        self.check("peticiones_mal_ingresadas", "all", "2023", "50", "1", "2")
        self.check("peticiones_mal_ingresadas", "all", "2024-02", "50", "1", "2")
        # Decrease 2.5%: t = 48.75; (50-25)/1.25 = 20 -> 1, cumplida.
        self.check("peticiones_mal_ingresadas", "all", "2024", "25", "1", "4",
                   target="48.75", achievement="1", status="cumplida")
        self.check("peticiones_mal_ingresadas", "office:Centro", "2024", "50", "1", "2")

    def test_reformados_valor_by_service(self):
        # 2023: 100 / (1000+500+1000) = 4%.
        self.check("reformados_valor", "all", "2023", "4", "100", "2500")
        # Jan: 50.25 / (1200.50+0+1000+300 = 2500.50) = 2.0095980.. %
        self.check("reformados_valor", "all", "2024-01", "2.009598", "50.25", "2500.5")
        # Feb: 20 / 1200 = 1.666..%; Mar: 10 (23:00 local on the 31st) over no bill -> null.
        self.check("reformados_valor", "all", "2024-02", "1.666667", "20", "1200")
        self.check("reformados_valor", "all", "2024-03", None, "10", "0")
        # 2024: 80.25 / 3700.50 = 2.168626%; target 4*0.97 = 3.88 -> met: cumplida.
        self.check("reformados_valor", "all", "2024", "2.168626", "80.25", "3700.5",
                   target="3.88", achievement="1", status="cumplida")
        # acueducto: 2023 100/2000 = 5%; 2024 60.25 / 3200.50 = 1.882518%.
        self.check("reformados_valor", "service:acueducto", "2023", "5", "100", "2000")
        self.check("reformados_valor", "service:acueducto", "2024", "1.882518", "60.25",
                   "3200.5")
        # alcantarillado: 2023 0/500 = 0% is the baseline, so t = b = 0; 2024 is 20/500 = 4%:
        # target not met -> achievement 0; worse than baseline -> en_riesgo.
        self.check("reformados_valor", "service:alcantarillado", "2024", "4", "20", "500",
                   baseline="0", target="0", achievement="0", status="en_riesgo")

    def test_reformados_cantidad_and_avg_users(self):
        # 2023: 1 / 2 users = 50%. Jan 1/3; Feb 1/1 (r2 twice counts once); Mar 1/0 null.
        self.check("reformados_cantidad", "all", "2023", "50", "1", "2")
        self.check("reformados_cantidad", "all", "2024-01", "33.333333", "1", "3")
        self.check("reformados_cantidad", "all", "2024-02", "100", "1", "1")
        self.check("reformados_cantidad", "all", "2024-03", None, "1", "0")
        # 2024: 3 reforms / avgUsers over months with users (Jan 3, Feb 1) = 2 -> 150%.
        self.check("reformados_cantidad", "all", "2024", "150", "3", "2",
                   target="47.5", achievement="0", status="en_riesgo")
        # acueducto users: Jan S1, S2 = 2; Feb S1 = 1 -> 1.5; reforms r1, r3 -> 133.33..%
        self.check("reformados_cantidad", "service:acueducto", "2024", "133.333333", "2",
                   "1.5")
        # alcantarillado users: Jan S1 (a 0 line counts), S3 = 2; Feb S1 = 1 -> 1.5; r2.
        self.check("reformados_cantidad", "service:alcantarillado", "2024-01", "0", "0", "2")
        self.check("reformados_cantidad", "service:alcantarillado", "2024", "66.666667", "1",
                   "1.5")

    def test_tiempo_atencion_visitas(self):
        # Feb: V1 48 h + V2 3.5 h = 51.5 h over 2 visits = 25.75 h. V3, V4 incomplete.
        self.check("tiempo_atencion_visitas", "all", "2024-02", "25.75", "51.5", "2")
        self.check("tiempo_atencion_visitas", "all", "2024-03", None, "0", "0")
        # Baseline 12 h (V0); t = 11.7; worse -> 0; weight 0 -> weighted 0.
        self.check("tiempo_atencion_visitas", "all", "2024", "25.75", "51.5", "2",
                   baseline="12", target="11.7", achievement="0", weight="0",
                   weighted_score="0", status="en_riesgo", unit="hours")

    def test_tiempo_atencion_ventanilla(self):
        # W1 25.5 min (the later record of W1 is the same turn), W2 4.5 min.
        self.check("tiempo_atencion_ventanilla", "all", "2024-03", "15", "30", "2",
                   unit="minutes")
        self.check("tiempo_atencion_ventanilla", "office:Centro", "2024", "25.5", "25.5", "1")
        self.check("tiempo_atencion_ventanilla", "office:Norte", "2024", "4.5", "4.5", "1",
                   baseline=None, target=None, achievement=None, weight="0",
                   weighted_score=None, status="sin_datos")

    def test_plan_score(self):
        # Weighted: oportunidad 0.30 (0), indice 0.20 (0), pendientes 0.10 (1), mal 0.10
        # (1), valor 0.15 (1), cantidad 0.15 (0). Covered 1; sum 0.35 -> 35; at risk.
        self.check("plan_score", "all", "2024", "35", "0.35", "1", achievement="0.35",
                   weight="1", weighted_score="0.35", status="en_riesgo",
                   baseline=None, target=None, unit="%")

    def test_default_as_of_is_the_latest_valid_event(self):
        printed, _ = run_lines(SCENARIO)
        rows = by_key(printed)
        # Latest valid event: D's answer at 2024-04-12 10:00 local -> April has begun.
        self.assertEqual(rows[("plan_score", "all", "2024")]["as_of"],
                         "2024-04-12T10:00:00-05:00")
        # r4 (99, April 1 00:00 local) now counts in April; the April bill (5000) too.
        self.check_row(rows, "reformados_valor", "all", "2024-04", "1.98", "99", "5000")

    def check_row(self, rows, indicator, scope, period, value, numerator, denominator):
        row = rows[(indicator, scope, period)]
        self.assertEqual((row["value"], row["numerator"], row["denominator"]),
                         (value, numerator, denominator))


# ----- idempotency and order -------------------------------------------------------------------

class IdempotencyTest(unittest.TestCase):
    def test_duplicates_change_nothing(self):
        reference, _ = run_lines(SCENARIO, as_of=AS_OF)
        doubled, _ = run_lines(SCENARIO + SCENARIO + SCENARIO[:10], as_of=AS_OF)
        self.assertEqual(doubled, reference)

    def test_shuffled_input_gives_identical_output(self):
        reference, _ = run_lines(SCENARIO, as_of=AS_OF)
        for seed in range(5):
            lines = SCENARIO + SCENARIO[::3]
            random.Random(seed).shuffle(lines)
            self.assertEqual(run_lines(lines, as_of=AS_OF)[0], reference, seed)

    def test_competing_filings_keep_the_smallest(self):
        # Two filings of T at the same instant: the smaller kind (peticion < reclamo) wins;
        # with an earlier reclamo filing, the reclamo wins.
        t = "2024-01-10T10:00:00-05:00"
        same_instant = [filed("f1", "T", t, kind="reclamo"), filed("f2", "T", t, kind="peticion")]
        rows = by_key(run_lines(same_instant)[0])
        self.assertEqual(rows[("indice_reclamacion", "all", "2024-01")]["numerator"], "0")
        earlier = same_instant + [filed("f3", "T", "2024-01-10T09:00:00-05:00", kind="reclamo")]
        rows = by_key(run_lines(earlier, as_of=t)[0])
        self.assertEqual(rows[("indice_reclamacion", "all", "2024-01")]["numerator"], "1")


# ----- due-date edges through the indicator ----------------------------------------------------

class OnTimeTest(unittest.TestCase):
    def test_on_time_boundaries_and_terms(self):
        # Filed 2024-03-20T03:00:00Z = 2024-03-19 22:00 local: due 2024-04-12 (15 days).
        #   P1 answered 2024-04-12 23:59:59 local -> on time
        #   P2 answered 2024-04-13 00:00:00 local -> late
        #   S1 solicitud_informacion (10 days, due 2024-04-05) answered 2024-04-08 -> late
        # April: 1 of 3 on time = 33.333333%.
        lines = [
            filed("f1", "P1", "2024-03-20T03:00:00Z"),
            answered("a1", "P1", "2024-04-12T23:59:59-05:00"),
            filed("f2", "P2", "2024-03-20T03:00:00Z"),
            answered("a2", "P2", "2024-04-13T05:00:00Z"),
            filed("f3", "S1", "2024-03-19T10:00:00-05:00", kind="solicitud_informacion"),
            answered("a3", "S1", "2024-04-08T10:00:00-05:00"),
        ]
        # The committed plan gives every kind 15 days; Ley 1755's 10 days for
        # solicitud_informacion is a plan setting, exercised here with a copy of the plan.
        plan = copy.deepcopy(PLAN)
        plan.legal_terms["solicitud_informacion"] = 10
        rows = by_key(run_lines(lines, plan=plan)[0])
        row = rows[("oportunidad_respuesta", "all", "2024-04")]
        self.assertEqual((row["value"], row["numerator"], row["denominator"]),
                         ("33.333333", "1", "3"))
        # With the plan's 15 days S1 (due 2024-04-12) is on time: 2 of 3.
        row = by_key(run_lines(lines)[0])[("oportunidad_respuesta", "all", "2024-04")]
        self.assertEqual((row["value"], row["numerator"]), ("66.666667", "2"))


# ----- compliance -------------------------------------------------------------------------------

class ComplianceTest(unittest.TestCase):
    def spec(self, direction, mode, size, weight="0.2"):
        return naive.PlanIndicator(Fraction(weight), naive.Goal(direction, mode, Fraction(size)),
                                   None, None)

    def test_decrease_relative(self):
        # b 10, c 5% -> t 9.5; v 9.75 -> (10-9.75)/(10-9.5) = 0.5; weighted 0.5*0.2 = 0.1
        c = naive.compliance(self.spec("decrease", "relative", "0.05"), Fraction(39, 4),
                             Fraction(10))
        self.assertEqual((c.target, c.achievement, c.weighted_score, c.status),
                         (Fraction(19, 2), Fraction(1, 2), Fraction(1, 10), "en_curso"))

    def test_increase_points(self):
        # b 90, +1 point -> t 91; v 90.25 -> 0.25
        c = naive.compliance(self.spec("increase", "points", "1"), Fraction(361, 4),
                             Fraction(90))
        self.assertEqual((c.target, c.achievement, c.status), (91, Fraction(1, 4), "en_curso"))

    def test_increase_relative_and_decrease_points(self):
        c = naive.compliance(self.spec("increase", "relative", "0.1"), Fraction(55),
                             Fraction(50))
        self.assertEqual((c.target, c.achievement, c.status), (55, 1, "cumplida"))
        c = naive.compliance(self.spec("decrease", "points", "2"), Fraction(9), Fraction(10))
        self.assertEqual((c.target, c.achievement, c.status), (8, Fraction(1, 2), "en_curso"))

    def test_clamping(self):
        spec = self.spec("decrease", "relative", "0.5")  # b 10 -> t 5
        self.assertEqual(naive.compliance(spec, Fraction(2), Fraction(10)).achievement, 1)
        worse = naive.compliance(spec, Fraction(12), Fraction(10))
        self.assertEqual((worse.achievement, worse.status), (0, "en_riesgo"))
        equal = naive.compliance(spec, Fraction(10), Fraction(10))
        self.assertEqual((equal.achievement, equal.status), (0, "en_curso"))

    def test_baseline_equal_to_target(self):
        spec = self.spec("decrease", "relative", "0.05")  # b 0 -> t 0
        self.assertEqual(naive.compliance(spec, Fraction(0), Fraction(0)).status, "cumplida")
        self.assertEqual(naive.compliance(spec, Fraction(1), Fraction(0)).achievement, 0)

    def test_sin_datos(self):
        spec = self.spec("decrease", "relative", "0.05")
        for value, baseline in [(None, Fraction(1)), (Fraction(1), None), (None, None)]:
            c = naive.compliance(spec, value, baseline)
            self.assertEqual((c.achievement, c.weighted_score, c.status),
                             (None, None, "sin_datos"))
        no_goal = naive.PlanIndicator(Fraction(0), None, None, None)
        self.assertEqual(naive.compliance(no_goal, Fraction(1), Fraction(1)).status,
                         "sin_datos")

    def test_baseline_value_from_the_plan_and_partial_coverage(self):
        # Plan: pendientes baseline value 80 (not a period). Only tickets exist, so
        # oportunidad (no 2023 baseline), indice, valor, cantidad have no achievement.
        # 2024: T1 filed Jan, pending at as-of -> pendientes 1/2 = 50%; T2 answered.
        # t = 80*0.6 = 48; (80-50)/(80-48) = 30/32 = 0.9375; weighted 0.09375.
        # mal_ingresadas: 0/2 = 0% vs 2023 baseline: no 2023 tickets -> sin_datos.
        # plan_score: covered 0.10; sum 0.09375 -> value 9.375, achievement 0.9375.
        with open(PLAN_PATH) as f:
            raw = json.load(f)
        for entry in raw["indicators"]:
            if entry["id"] == "pqr_pendientes":
                entry["baseline"] = {"value": "80"}
        with tempfile.TemporaryDirectory() as tmp:
            plan_path = os.path.join(tmp, "plan.json")
            with open(plan_path, "w") as f:
                json.dump(raw, f)
            plan = naive.load_plan(plan_path)
        lines = [filed("f1", "T1", "2024-01-10T10:00:00-05:00"),
                 filed("f2", "T2", "2024-01-11T10:00:00-05:00"),
                 answered("a2", "T2", "2024-01-12T10:00:00-05:00")]
        rows = by_key(run_lines(lines, plan=plan)[0])
        pend = rows[("pqr_pendientes", "all", "2024")]
        self.assertEqual((pend["value"], pend["baseline"], pend["target"], pend["achievement"],
                          pend["weighted_score"], pend["status"]),
                         ("50", "80", "48", "0.9375", "0.09375", "en_curso"))
        score = rows[("plan_score", "all", "2024")]
        self.assertEqual((score["value"], score["numerator"], score["denominator"],
                          score["achievement"], score["weight"], score["status"]),
                         ("9.375", "0.09375", "0.1", "0.9375", "0.1", "en_curso"))

    def test_plan_score_without_data(self):
        # Only a 2023 ticket: the 2024 plan year has no rows and nothing covered.
        lines = [filed("f1", "T1", "2023-05-10T10:00:00-05:00")]
        rows = by_key(run_lines(lines, as_of="2024-02-01T00:00:00-05:00")[0])
        score = rows[("plan_score", "all", "2024")]
        self.assertEqual((score["value"], score["numerator"], score["denominator"],
                          score["achievement"], score["status"]),
                         (None, "0", "0", None, "sin_datos"))
        self.assertNotIn(("pqr_pendientes", "all", "2024"), rows)
        self.assertIn(("pqr_pendientes", "all", "2023-12"), rows)


# ----- command lines -------------------------------------------------------------------------

class CommandLineTest(unittest.TestCase):
    def test_naive_cli_and_compare(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "in.jsonl")
            with open(data, "w") as f:
                f.write("\n".join(SCENARIO + ["{broken", '{"event_id":"x"}', ""]) + "\n")
            rejects = os.path.join(tmp, "rejects.jsonl")
            out = subprocess.run(
                [sys.executable, os.path.join(HERE, "naive_pqrflow.py"), "--plan-json",
                 PLAN_PATH, "--as-of", AS_OF, "--rejects", rejects, data],
                capture_output=True, text=True, check=True)
            self.assertEqual(json.loads(out.stderr), {"invalid_json": 1, "missing:type": 1})
            with open(rejects) as f:
                self.assertEqual(f.read(), '{broken\n{"event_id":"x"}\n')
            self.assertEqual(out.stdout.splitlines(), run_lines(SCENARIO, as_of=AS_OF)[0])

            expected = os.path.join(tmp, "expected.jsonl")
            with open(expected, "w") as f:
                f.write(out.stdout)
            actual = os.path.join(tmp, "actual.jsonl")
            with open(actual, "w") as f:
                f.write(out.stdout.replace('"weight":0.3,', '"weight":0.30,')
                        .replace('"version":1', '"version":2'))
            compare = [sys.executable, os.path.join(HERE, "compare_bi.py"), expected]
            equal = subprocess.run(compare + [expected], capture_output=True)
            self.assertEqual(equal.returncode, 0)
            differ = subprocess.run(compare + [actual], capture_output=True, text=True)
            self.assertEqual(differ.returncode, 1)
            self.assertIn("weight expected 0.3 got 0.30", differ.stdout)
            tolerant = subprocess.run(compare + [actual, "--tolerance", "1e-6", "--ignore",
                                                 "version"], capture_output=True)
            self.assertEqual(tolerant.returncode, 0)


class CompareTest(unittest.TestCase):
    def test_missing_extra_and_field_differences(self):
        def rows(*lines):
            return {f"{r['indicator']}|{r['scope']}|{r['period']}": r for r in (
                json.loads(l, parse_int=compare_bi.Number, parse_float=compare_bi.Number)
                for l in lines)}
        e = rows('{"indicator":"a","scope":"all","period":"2024","value":1.5,"status":"x"}',
                 '{"indicator":"b","scope":"all","period":"2024","value":null}')
        a = rows('{"indicator":"a","scope":"all","period":"2024","value":1.5000001,"status":"x"}',
                 '{"indicator":"c","scope":"all","period":"2024","value":null}')
        diffs, counts = compare_bi.compare(e, a, set(), None)
        self.assertEqual((counts["missing"], counts["extra"], counts["fields_differing"]),
                         (1, 1, 1))
        from decimal import Decimal
        _, counts = compare_bi.compare(e, a, set(), Decimal("1e-6"))
        self.assertEqual(counts["fields_differing"], 0)


if __name__ == "__main__":
    unittest.main()
