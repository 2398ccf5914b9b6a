//! Tests of the report language: every construct and modifier, positions of errors.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

use super::ast::CcKind;
use super::*;
use crate::catalog::{Form, Value};

fn money(s: &str) -> Value {
    Value::Money(Decimal::from_str(s).unwrap())
}
fn date(s: &str) -> Value {
    Value::Date(crate::dates::parse_iso(s).unwrap())
}
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, 15).unwrap() // a Friday
}

fn data() -> MemorySource {
    let mut m = MemorySource::new();
    m.insert(Record::new(Form::Company, 1).with("na", "Summit Recovery Services"));
    m.insert(
        Record::new(Form::Client, 1001)
            .with("nu", "1001")
            .with("na", "Acme Bank"),
    );
    m.insert(
        Record::new(Form::Client, 1002)
            .with("nu", "1002")
            .with("na", "Beta Credit"),
    );
    m.insert(
        Record::new(Form::Debtor, 1)
            .owned_by(Form::Client, 1001)
            .with("fi", "1")
            .with("cn", "1001")
            .with("na", "Smith, John")
            .with("ow", money("14620.50"))
            .with("pr", money("15000"))
            .with("pa", money("379.50"))
            .with("fe", money("0"))
            .with("st", "CA")
            .with("sta", "ACT")
            .with("li", date("2024-01-15"))
            .with("ok", Value::Flag(true))
            .with("rt", Value::Percent(Decimal::from_str("33.500").unwrap()))
            .with("em", "john@example.com"),
    );
    m.insert(
        Record::new(Form::Debtor, 2)
            .owned_by(Form::Client, 1001)
            .with("fi", "2")
            .with("cn", "1001")
            .with("na", "Adams, Mary")
            .with("ow", money("0"))
            .with("st", "OR")
            .with("sta", "NEW")
            .with("li", date("2024-03-01")),
    );
    m.insert(
        Record::new(Form::Debtor, 3)
            .owned_by(Form::Client, 1002)
            .with("fi", "3")
            .with("cn", "1002")
            .with("na", "Young, Bob")
            .with("ow", money("250.25"))
            .with("st", "CA")
            .with("sta", "ACT")
            .with("li", date("2023-12-01")),
    );
    for (id, ty, tu, pd) in [
        (10, "196", "-15000.00", "2024-01-15"),
        (11, "100", "379.50", "2024-02-01"),
        (12, "100", "20.00", "2024-03-01"),
    ] {
        m.insert(
            Record::new(Form::Transaction, id)
                .owned_by(Form::Debtor, 1)
                .with("ty", ty)
                .with("tu", money(tu))
                .with("pd", date(pd)),
        );
    }
    m.insert(
        Record::new(Form::Note, 20)
            .owned_by(Form::Debtor, 1)
            .with("te", "Called debtor"),
    );
    m.insert(
        Record::new(Form::Note, 21)
            .owned_by(Form::Debtor, 1)
            .with("te", "Left message"),
    );
    m.insert(
        Record::new(Form::Note, 22)
            .owned_by(Form::Client, 1001)
            .with("te", "VIP client"),
    );
    m.add_pick("de.st", "CA", "California");
    m.add_pick("de.st", "OR", "Oregon");
    m
}

fn parse(text: &str) -> Report {
    let r = Report::parse(text, "t.rpt");
    let errs: Vec<String> = r.errors().map(|d| r.describe(d)).collect();
    assert!(errs.is_empty(), "unexpected errors: {errs:?}");
    r
}

fn run_opts(
    text: &str,
    src: &dyn DataSource,
    opts: &RunOptions,
) -> Result<Vec<String>, crate::Error> {
    let rep = parse(text);
    let mut sink = LinesSink::default();
    run(&rep, src, &mut sink, opts)?;
    Ok(sink.lines)
}

fn out(text: &str) -> Vec<String> {
    run_opts(text, &data(), &RunOptions::new(today())).unwrap()
}

fn body(b: &str) -> Vec<String> {
    out(b)
}

fn errors(text: &str) -> Vec<(u32, u32, String)> {
    let r = Report::parse(text, "t.rpt");
    r.errors()
        .map(|d| (d.span.line, d.span.col, d.message.clone()))
        .collect()
}

#[test]
fn listing_with_totals_per_client() {
    let lines = out("+++\nname = \"L\"\nstart_on = \"client\"\n+++\n@cl.na\n@cl.de\n@de.na<12> @de.ow<12.2>\n@cl.de\n");
    assert_eq!(
        lines,
        vec![
            "Acme Bank".to_string(),
            "Smith, John    $14,620.50".into(),
            format!("Adams, Mary  {}", " ".repeat(12)),
            format!("{}  $14,620.50", " ".repeat(13)),
            "Beta Credit".into(),
            "Young, Bob        $250.25".into(),
            format!("{}     $250.25", " ".repeat(13)),
        ]
    );
}

#[test]
fn inner_sums_roll_into_outer_total_and_no_total() {
    let text = "@cl\n@cl.de\n@de.fi<3> | @de.ow<12.2> |\n@cl.de\n@cl\n";
    let lines = body(text);
    // per client: debtor lines, client total; then the grand total from the outer loop.
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[2], format!("{} |   $14,620.50 |", " ".repeat(3)));
    assert_eq!(
        lines.last().unwrap(),
        &format!("{} |   $14,870.75 |", " ".repeat(3))
    );
    let lines = body("@cl no total\n@cl.de no total\n@de.fi<3> @de.ow<12.2>\n@cl.de\n@cl\n");
    assert_eq!(lines.len(), 3);
}

#[test]
fn total_line_keeps_text_and_blanks_other_codes() {
    let lines = body("@de where (@de.sta = ACT)\n[@de.na<6>] @de.li [@de.ow<10.2>]\n@de\n");
    assert_eq!(lines[2], "[      ]  [$14,870.75]");
}

#[test]
fn counter_max_where_orderby() {
    assert_eq!(
        body("@de orderby @de.na asc\n@N. @de.na<\n@de\n"),
        vec!["1. Adams, Mary", "2. Smith, John", "3. Young, Bob"]
    );
    assert_eq!(
        body("@de no total orderby @de.ow desc, @de.na\n@de.fi\n@de\n"),
        vec!["1", "3", "2"]
    );
    assert_eq!(body("@de max = 2\n@de.fi\n@de\n"), vec!["1", "2"]);
    assert_eq!(
        body("@de where (@de.fi = 2 .. 3)\n@de.fi\n@de\n"),
        vec!["2", "3"]
    );
    assert_eq!(
        body("@de where (@de.fi <> 2 .. 3)\n@de.fi\n@de\n"),
        vec!["1"]
    );
    assert_eq!(
        body("@de where (@de.na = A .. S)\n@de.fi\n@de\n"),
        vec!["1", "2"],
        "text range includes names starting with the upper bound"
    );
    assert_eq!(
        body("@de no total where (@de.ow > 100) where (@de.li >= 01/01/2024)\n@de.fi\n@de\n"),
        vec!["1"]
    );
    assert_eq!(
        body("@de where (@de.em < !)\n@de.fi\n@de\n"),
        vec!["2", "3"]
    );
    assert_eq!(
        body("@de where (@de.st = California)\n@de.fi\n@de\n"),
        vec!["1", "3"]
    );
    assert_eq!(body("@de where (@de.st = or)\n@de.fi\n@de\n"), vec!["2"]);
    assert_eq!(
        body("@de where (@de.li = @m .. @d)\n@de.fi\n@de\n"),
        vec!["2"]
    );
    assert_eq!(body("@de where (@de.ok = Yes)\n@de.fi\n@de\n"), vec!["1"]);
}

#[test]
fn relations() {
    let text = "@de no total where (@de.fi = 1)\n@de.cl\n  client @cl.na\n@de.cl\n@de.tr no total\n@tr.ty @tr.tu<10.2> @tr.pd<YYYYMMDD>\n@de.tr\n@de.no\n> @no.te\n@de.no\n@de\n";
    assert_eq!(
        body(text),
        vec![
            "  client Acme Bank",
            "196 -$15,000.00 20240115",
            "100    $379.50 20240201",
            "100     $20.00 20240301",
            "> Called debtor",
            "> Left message",
        ]
    );
    assert_eq!(
        body("@cl\n@cl.no\n@cl.na: @no.te\n@cl.no\n@cl\n"),
        vec!["Acme Bank: VIP client"]
    );
    // contacts: none recorded, so the body never prints
    assert!(body("@de\n@de.con\nx\n@de.con\n@de\n").is_empty());
}

#[test]
fn start_on_debtor_resolves_client_and_company() {
    let text = "+++\nstart_on = \"debtor\"\n+++\n@cd.na / @cl.na / @de.na<\n";
    let lines = out(text);
    assert_eq!(
        lines[0],
        "Summit Recovery Services / Acme Bank / Smith, John"
    );
    assert_eq!(lines.len(), 3);
    let mut o = RunOptions::new(today());
    o.ids = vec![3];
    assert_eq!(
        run_opts(text, &data(), &o).unwrap(),
        vec!["Summit Recovery Services / Beta Credit / Young, Bob"]
    );
    o.ids = vec![99];
    let e = run_opts(text, &data(), &o).unwrap_err();
    assert!(e.message.contains("debtor 99 not found"), "{e}");
    // A plain @de loop in a debtor report iterates the start record only.
    let lines = out("+++\nstart_on = \"debtor\"\n+++\n@de no total\n@de.fi\n@de\n");
    assert_eq!(lines, vec!["1", "2", "3"]);
    let mut o = RunOptions::new(today());
    o.filter = Some(parse_condition("@de.sta = ACT and @de.ow > 1000").unwrap());
    assert_eq!(run_opts(text, &data(), &o).unwrap().len(), 1);
}

#[test]
fn missing_related_record_is_a_clear_error() {
    let mut m = data();
    m.insert(
        Record::new(Form::Debtor, 9)
            .owned_by(Form::Client, 4242)
            .with("na", "Orphan"),
    );
    let e = run_opts("@de\n@cl.na\n@de\n", &m, &RunOptions::new(today())).unwrap_err();
    assert!(
        e.to_string()
            .contains("t.rpt:2:1: debtor 9: its client 4242 does not exist"),
        "{e}"
    );
    let e = run_opts("@cl.na\n", &data(), &RunOptions::new(today())).unwrap_err();
    assert!(
        e.to_string()
            .contains("t.rpt:1:1: no current Client record"),
        "{e}"
    );
}

#[test]
fn date_codes() {
    let lines =
        body("@d|@d-30|@m|@m-1|@m+1-1|@m-1d|@w|@w-1+1|@y-1|@d<YYYYMMDD>|@t|@m-2<MMM DD, YYYY>\n");
    assert_eq!(
        lines[0],
        "03/15/2024|02/14/2024|03/01/2024|02/01/2024|03/31/2024|02/29/2024|03/10/2024|03/04/2024|01/01/2023|20240315|12:00:00|Jan 01, 2024"
    );
}

#[test]
fn field_formats_and_modifiers() {
    let lines = body("@de where (@de.fi = 1)\n@de.ow|@de.ow<13.2>|@de.ow<15<|@de.pr<t>|@de.ow<.>|@de.ow<!>|@de.ow<.04>|@de.ow<!03>|@de.ow<010>|@de.fe<8>|@de.fe<8.0>|@de.fe<05>|@de.rt|@de.ok|@de.st|@de.li|@de.na<5>|@de.fi<4>\n@de\n");
    assert_eq!(
        lines[0],
        "$14,620.50|   $14,620.50|$14,620.50     |Fifteen Thousand and 00/100|50|14620|  50|620|0001462050|        |   $0.00|00000|33.5|Yes|California|01/15/2024|Smith|   1"
    );
    // a bare zero amount prints $0.00
    assert_eq!(body("@de where (@de.fi = 2)\n@de.ow\n@de\n")[0], "$0.00");
}

#[test]
fn variables_and_arithmetic() {
    let text = "+++\nstart_on = \"debtor\"\n+++\n@varTotal$ = 0.00\n@varName* = \" \"\n@varN#\n@tvarRun$ = 0\n@varTotal = @(de.pa+de.ow)\n@varTotal += 100\n@tvarRun += @de.ow\n@varN = @(7/2)\n@varName = Dear @de.na<\n@varHalf = @(de.ow/2)\n@varName / @varTotal<12.2> / @varN / @tvarRun / @varHalf<10.2>\n";
    let lines = out(text);
    assert_eq!(
        lines[0],
        "Dear Smith, John /   $15,100.00 / 3 / $14,620.50 /  $7,310.25"
    );
    assert_eq!(
        lines[2],
        "Dear Young, Bob /      $350.25 / 3 / $14,870.75 /    $125.13"
    );
    let lines = body("@varA[2][3] = 0\n@varA[2][3] = 5\n@varI# = 2\n@varA[@varI][3] += 1\n@varA[2][3] @varA[1][1]\n@vars* = abc\n@vars += def\n@vars\n@varD% = 03/01/2024\n@varE = @(varD+30)\n@varE @(varE-varD)\n");
    assert_eq!(lines, vec!["6 0", "abcdef", "03/31/2024 30"]);
}

#[test]
fn runtime_errors_name_the_place() {
    let e = run_opts(
        "x\n@varZ# = 0\n@varQ = @(de.ow/varZ)\n",
        &data(),
        &RunOptions::new(today()),
    );
    // no current debtor is reported before the division
    assert!(e.unwrap_err().to_string().contains("t.rpt:3:1"));
    let e = run_opts(
        "@varZ# = 0\n@varQ = @(10/varZ)\n",
        &data(),
        &RunOptions::new(today()),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "t.rpt:2:1: division by zero");
    assert_eq!(e.message, "division by zero");
    assert_eq!(e.place, Some(crate::error::Place::at("t.rpt", 2, 1)));
    assert_eq!(e.kind, crate::error::ErrorKind::Runtime);
    assert_eq!(e.exit_code(), 1);
    let e = run_opts(
        "@varA[2] = 0\n@varA[3] = 1\n",
        &data(),
        &RunOptions::new(today()),
    )
    .unwrap_err();
    assert!(e.message.contains("index 3 is outside"), "{e}");
    let e = run_opts("@varM$ = abc\n", &data(), &RunOptions::new(today())).unwrap_err();
    assert!(e.message.contains("'abc' is not a number"), "{e}");
}

#[test]
fn tvar_persists_var_resets() {
    let text = "+++\nstart_on = \"client\"\n+++\n@tvarC# = 0\n@varC# = 0\n@tvarC += 1\n@varC += 1\n@tvarC @varC\n";
    assert_eq!(out(text), vec!["1 1", "2 1"]);
    let mut o = RunOptions::new(today());
    o.vars = vec![("Greeting".into(), "Hi".into())];
    assert_eq!(
        run_opts("@varGreeting there\n", &data(), &o).unwrap(),
        vec!["Hi there"]
    );
}

#[test]
fn conditionals() {
    let text = "@de no total\n@IF (@de.ow > 10000 and @de.st = CA)\n@de.fi big CA\n@elseif (@de.ow = 0 or @de.sta = NEW)\n@de.fi nothing\n@Else\n@de.fi other\n@endif\n@de\n";
    assert_eq!(body(text), vec!["1 big CA", "2 nothing", "3 other"]);
    assert_eq!(
        body("@de no total\n@if ((@de.st = California) and @de.fi >= 3)\n@de.fi\n@endif\n@de\n"),
        vec!["3"]
    );
    assert_eq!(
        body("@if (@d = 03/15/2024)\ntoday\n@endif\n"),
        vec!["today"]
    );
}

#[test]
fn pick_lists_and_contact_controls() {
    let mut m = data();
    m.set_contact_ok(CcKind::Call, 2, false);
    let lines = run_opts(
        "@de no total\n@varK* = @PV(@de.st)\n@de.fi @de.st @varK @PT(@de.st, OR) @CCCALLOK @CCLETTEROK\n@if (@CCCALLOK = 1)\ncall @de.fi\n@endif\n@de\n",
        &m,
        &RunOptions::new(today()),
    )
    .unwrap();
    assert_eq!(
        lines,
        vec![
            "1 California CA Oregon 1 1",
            "call 1",
            "2 Oregon OR Oregon 0 1",
            "3 California CA Oregon 1 1",
            "call 3"
        ]
    );
}

#[test]
fn sql_into_array() {
    let mut m = data();
    m.set_sql(
        "select fi, ow from de where ow > 100",
        vec![
            vec![Value::Text("1".into()), money("14620.50")],
            vec![Value::Text("3".into()), money("250.25")],
        ],
    );
    assert_eq!(
        run_opts(
            "@varR = @SQL(select fi, ow from de where ow > 100)\n@varR[2][1] @varR[2][2]\n",
            &m,
            &RunOptions::new(today())
        )
        .unwrap(),
        vec!["3 $250.25"]
    );
}

#[test]
fn lexical_rules() {
    let lines = body("// a comment\nmail@@example.com 50%% mail@example.com @@de.na\n@!Bold@! and @%under@%\n@!\n@f\nend @P|\n");
    assert_eq!(
        lines,
        vec![
            "mail@example.com 50% mail@example.com @de.na",
            "Bold and under",
            "end |"
        ]
    );
    let r = Report::parse("x mail@example.com\n", "t.rpt");
    assert_eq!(r.errors().count(), 0);
    assert_eq!(r.diags.len(), 1);
    assert!(r.diags[0].warning && r.diags[0].message.contains("'@example'"));
    assert_eq!((r.diags[0].span.line, r.diags[0].span.col), (1, 7));
    // Non-printing lines print nothing: declarations, assignments, markers.
    assert_eq!(body("@varX# = 1\n@if (1 = 1)\n@endif\nA\n"), vec!["A"]);
}

#[test]
fn error_positions() {
    let front = "+++\nname = \"x\"\n+++\n";
    assert_eq!(
        errors(&format!("{front}Name @de.zz<5> and @xx.na\n")),
        vec![(
            4,
            6,
            "unknown field code 'de.zz': did you mean de.zi?".to_string()
        )]
    );
    assert_eq!(
        errors(&format!("{front}@de\n@de.na\n")),
        vec![(4, 1, "loop '@de' is never closed".to_string())]
    );
    let e = errors(&format!("{front}@de\n@if (@de.ow > 1)\n@de\n"));
    assert_eq!(e[0].0, 6);
    assert!(
        e[0].2.contains("'@if' opened at 5:1 is not closed"),
        "{e:?}"
    );
    assert_eq!(
        errors("@endif\n"),
        vec![(1, 1, "'@endif' without '@if'".to_string())]
    );
    assert_eq!(errors("@if (1 = 1)\n@else\n@else\n@endif\n")[0].0, 3);
    assert_eq!(
        errors("  @de.na<1x2>\n"),
        vec![(1, 9, "bad modifier '<1x2>'".to_string())]
    );
    // a width beyond 1000 is a bad modifier, left-justified too (found by fuzzing:
    // `<2222…<` asked for gigabytes of padding)
    assert_eq!(errors("@de.na<2222222222222222224<\n").len(), 1);
    assert_eq!(errors("@de.na<1001>\n").len(), 1);
    assert!(errors("@de.na<1000<\n").is_empty());
    assert_eq!(
        errors("@de.na<t>\n")[0].2,
        "modifier is for numbers; this field is Text AN"
    );
    assert_eq!(
        errors("@de.ow<YYYY>\n")[0].2,
        "a date pattern modifier needs a Date field"
    );
    assert_eq!(
        errors("x @cl.de y\n")[0].2,
        "loop code '@cl.de' must stand on its own line"
    );
    assert_eq!(
        errors("@de where (@de.qq = 1)\n@de\n"),
        vec![(
            1,
            12,
            "unknown field code 'de.qq': did you mean de.dq?".to_string()
        )]
    );
    assert_eq!(errors("@de max = x\n@de\n")[0].0, 1);
    assert_eq!(
        errors("@de orderby @de.na, @de.zz\n@de\n")[0],
        (
            1,
            21,
            "unknown field code 'de.zz' in orderby: did you mean de.zi?".to_string()
        )
    );
    assert_eq!(errors("+++\nname = 1\n+++\nx\n")[0].0, 2);
    assert_eq!(errors("+++\nbogus = 1\n+++\nx\n")[0].0, 2);
    assert_eq!(
        errors("+++\nname = \"x\"\n")[0].2,
        "front matter opened with '+++' is never closed"
    );
    assert_eq!(errors("@varX = @(1 + )\n").len(), 1);
    assert_eq!(
        errors("@if (@de.li > tomorrow)\n@endif\n"),
        vec![(
            1,
            6,
            "'tomorrow' cannot be compared with de.li (Date)".to_string()
        )]
    );
    assert_eq!(errors("@de where (@de.ow = 1 .. lots)\n@de\n").len(), 1);
    assert_eq!(errors("@de where (@de.ok = maybe)\n@de\n").len(), 1);
    // natural width stays natural when the `<` is followed by text
    assert!(errors("\"@de.na<\",\"@de.ad<\"\n").is_empty());
}

#[test]
fn header_footer_paginate_in_pdf_mode() {
    struct Paged(Vec<String>, u32);
    impl Sink for Paged {
        fn line(&mut self, l: &LineBuf) -> crate::Result<()> {
            self.0.push(l.text.clone());
            Ok(())
        }
        fn page_break(&mut self) -> crate::Result<()> {
            self.0.push("<<break>>".into());
            Ok(())
        }
        fn page_length(&self) -> Option<u32> {
            Some(self.1)
        }
    }
    let rep = parse("+++\nheader = \"HEAD @P\"\nfooter = \"-- page @P --\"\n+++\n@de no total\n@de.fi\n@de\n@f\nafter\n");
    let mut s = Paged(vec![], 3);
    let stats = run(&rep, &data(), &mut s, &RunOptions::new(today())).unwrap();
    assert_eq!(
        s.0,
        vec![
            "1",
            "2",
            "-- page 1 --",
            "<<break>>",
            "HEAD 2",
            "3",
            "-- page 2 --",
            "<<break>>",
            "HEAD 3",
            "after",
            "-- page 3 --"
        ]
    );
    assert_eq!(stats.pages, 3);
}

#[test]
fn parser_never_panics_on_odd_input() {
    for s in [
        "@",
        "@(",
        "@(1",
        "@de.na<",
        "@de.na<<",
        "@varA[",
        "@varA[1",
        "@if (",
        "@if",
        "@de where (",
        "@de where (@de.fi = 1 ..",
        "@PT(@de.st",
        "@SQL(",
        "@d-",
        "@m+99999999999",
        "é@é",
        "%%%",
        "@de orderby",
        "+++\n+++",
        "@varX = @SQL(x",
        "@( 1 / (2 )",
    ] {
        let _ = Report::parse(s, "t");
    }
}

#[test]
fn sqlite_source_end_to_end() {
    use crate::catalog::by_code;
    use crate::store::contacts::{self, NewContact};
    use crate::store::report_source::SqliteSource;
    use crate::store::types::{self, ContactControl, PickList};
    use crate::store::{notes, Store};
    let store = Store::open_in_memory().unwrap();
    let c = store.conn();
    let field = |code: &str| by_code(code).unwrap();
    crate::store::create_client(c, 1001, &[(field("cl.na"), "Acme Bank".into())]).unwrap();
    for (name, owed, state, listed) in [
        ("Smith, John", "14620.50", "CA", "2024-01-15"),
        ("Adams, Mary", "0.25", "OR", "2024-03-01"),
    ] {
        let values = [
            (field("de.na"), name.into()),
            (field("de.ow"), money(owed)),
            (field("de.st"), state.into()),
            (field("de.li"), date(listed)),
        ];
        crate::store::create_debtor(c, 1001, &values, today(), false).unwrap();
    }
    notes::insert_note(c, 1, "hello", today(), chrono::NaiveTime::MIN).unwrap();
    let states = PickList {
        field: "de.st".into(),
        entries: vec![("CA".into(), "California".into())],
    };
    types::replace_pick_lists(c, &[states]).unwrap();
    let control = ContactControl {
        kind: "letter".into(),
        description: String::new(),
        state: String::new(),
        country: String::new(),
        max_times: 1,
        period_days: 7,
    };
    types::replace_contact_controls(c, &[control]).unwrap();
    let done = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
    let letter = NewContact {
        fi: 2,
        kind: "Letter",
        description: "",
        due: done,
        time: None,
        priority: String::new(),
        operator: "",
        attachment: "",
        amount: None,
        done_on: Some(done),
    };
    contacts::insert_contact(c, &letter).unwrap();
    let src = SqliteSource::new(c);
    let lines = run_opts(
        "@cl\n@cl.na\n@cl.de\n@de.na<12> @de.ow<11.2> @de.st @CCLETTEROK\n@de.no no total\n  @no.te\n@de.no\n@cl.de\n@cl\n@varR = @SQL(select fi, ow from de where ow > 100 order by fi)\n@varR[1][1] @varR[1][2]\n",
        &src,
        &RunOptions::new(today()),
    )
    .unwrap();
    assert_eq!(
        lines,
        vec![
            "Acme Bank",
            "Smith, John   $14,620.50 California 1",
            "  hello",
            "Adams, Mary        $0.25 OR 0",
            "              $14,620.75  ",
            "              $14,620.75  ",
            "1 $14,620.50",
        ]
    );
    assert!(src.sql("delete from debtor").is_err());
    assert!(
        src.sql("select 1; delete from debtor").is_err()
            || src.get(Form::Debtor, 1, &[]).unwrap().is_some()
    );
    assert!(src.get(Form::Debtor, 1, &[]).unwrap().is_some());
}

#[test]
fn pdf_output_has_the_text() {
    let rep = parse("+++\nname = \"P\"\nheader = \"Listing page @P\"\npage_length = 3\n+++\n@!Debtors@!\n@de no total\n@%@de.na<@% @de.ow<12.2>\n@de\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    let f = std::fs::File::create(&path).unwrap();
    let mut sink = pdf::PdfSink::new(f, "P", rep.front.page_length);
    let stats = run(&rep, &data(), &mut sink, &RunOptions::new(today())).unwrap();
    assert_eq!(stats.pages, 2);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let Ok(o) = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
    else {
        // pdftotext is missing: the text check cannot run here. CI installs it
        // (.ci/run, poppler-utils), where a missing tool fails the check instead.
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext is needed for the PDF text check"
        );
        return;
    };
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Debtors"), "{text}");
    assert!(
        text.contains("Smith, John") && text.contains("$14,620.50"),
        "{text}"
    );
    assert!(text.contains("Listing page 2"), "{text}");
    assert!(text.contains("Young, Bob"), "{text}");
}

#[test]
fn relation_codes_are_never_field_codes() {
    // `@cl.st` is the client's state, so it cannot also be a loop.
    for (code, ..) in lexer::RELATIONS {
        assert!(
            crate::catalog::by_code(code).is_none(),
            "{code} is both a loop and a field"
        );
    }
    assert_eq!(
        body("@cl where (@cl.nu = 1001)\n@cl.na<\n@cl\n"),
        vec!["Acme Bank"]
    );
}

#[test]
fn statements_and_loop_events() {
    let mut m = data();
    m.insert(
        Record::new(Form::Statement, 7)
            .owned_by(Form::Client, 1001)
            .with("nu", "7")
            .with("du", money("125.00")),
    );
    for (id, fi, tu) in [(1, "1", "100.00"), (2, "2", "50.00")] {
        m.insert(
            Record::new(Form::InvoiceLine, id)
                .owned_by(Form::Statement, 7)
                .with("fi", fi)
                .with("tu", money(tu)),
        );
    }
    struct Events(Vec<String>);
    impl Sink for Events {
        fn line(&mut self, l: &LineBuf) -> crate::Result<()> {
            self.0.push(l.text.clone());
            Ok(())
        }
        fn loop_open(&mut self, c: &str) -> crate::Result<()> {
            self.0.push(format!("{{{c}"));
            Ok(())
        }
        fn loop_close(&mut self, c: &str) -> crate::Result<()> {
            self.0.push(format!("{c}}}"));
            Ok(())
        }
    }
    let rep = parse("+++\nstart_on = \"statement\"\n+++\nStatement @st.nu for @cl.na\n@st.il\n@il.fi<3>@il.tu<9.2>\n@st.il\nDue @st.du\n");
    let mut s = Events(vec![]);
    run(&rep, &m, &mut s, &RunOptions::new(today())).unwrap();
    assert_eq!(
        s.0,
        vec![
            "Statement 7 for Acme Bank",
            "{st.il",
            "  1  $100.00",
            "  2   $50.00",
            "     $150.00",
            "st.il}",
            "Due $125.00",
        ]
    );
}

#[test]
fn compound_assignments_and_more_relations() {
    let lines = body("@varF! = 10\n@varF /= 4\n@varF *= 3\n@varF -= 0.5\n@varI# = 7\n@varI /= 2\n@varF @varI @varF<8.2>\n");
    assert_eq!(lines, vec!["7 3     7.00"]);
    let mut m = data();
    m.insert(
        Record::new(Form::Phone, 30)
            .owned_by(Form::Debtor, 1)
            .with("nu", "916-555-0101"),
    );
    m.insert(
        Record::new(Form::Cosigner, 40)
            .owned_by(Form::Debtor, 1)
            .with("na", "Smith, Jane"),
    );
    m.set_contact_ok(CcKind::Email, 1, false);
    m.set_contact_ok(CcKind::Text, 1, false);
    let lines = run_opts(
        "@de where (@de.fi = 1)\n@de.ph\nphone @ph.nu\n@de.ph\n@de.cs\ncosigner @cs.na @CCEMAILOK@CCTEXTOK\n@de.cs\n@de\n",
        &m,
        &RunOptions::new(today()),
    )
    .unwrap();
    assert_eq!(lines, vec!["phone 916-555-0101", "cosigner Smith, Jane 00"]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
    /// Any text parses without panicking; what parses cleanly runs without panicking.
    #[test]
    fn any_text_parses_and_runs_without_panic(s in "([@<>()\\[\\]\"=.,!%#$*/+ \\n-]|de|cl|na|ow|fi|var|if|endif|sql|PV|é|ü|[0-9]|[a-z]){0,60}") {
        let rep = Report::parse(&s, "p.rpt");
        if rep.errors().next().is_none() {
            let mut sink = LinesSink::default();
            let _ = run(&rep, &data(), &mut sink, &RunOptions::new(today()));
        }
    }
}

#[test]
fn crlf_line_endings_on_request() {
    let rep = parse("+++\nline_ending = \"crlf\"\n+++\nA\nB\n");
    assert_eq!(rep.front.line_ending, front::LineEnding::Crlf);
    let mut buf = Vec::new();
    {
        let mut sink = TextSink::new(&mut buf).crlf(true);
        run(&rep, &data(), &mut sink, &RunOptions::new(today())).unwrap();
    }
    assert_eq!(buf, b"A\r\nB\r\n");
    assert_eq!(errors("+++\nline_ending = \"cr\"\n+++\nA\n")[0].0, 2);
}

#[test]
fn a_report_that_does_not_parse_fails_with_every_error_in_fields() {
    let rep = Report::parse("@endif\n  @de.na<1x2>\n", "t.rpt");
    let e = rep.ensure_valid().unwrap_err();
    assert_eq!(e.kind, crate::error::ErrorKind::Config);
    assert_eq!(e.place, Some(crate::error::Place::at("t.rpt", 1, 1)));
    assert_eq!(e.message, "'@endif' without '@if'");
    assert_eq!(e.more.len(), 1);
    let second = e.more[0].place.as_ref().expect("a place");
    assert_eq!((second.line, second.column), (Some(2), Some(9)));
    assert_eq!(
        e.to_string(),
        "t.rpt:1:1: '@endif' without '@if'\nerror: t.rpt:2:9: bad modifier '<1x2>'"
    );
}
