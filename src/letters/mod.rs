//! Letters (docs/plans-and-letters.md; S2:5777-6002): the Letter contacts due in a date range, printed
//! in-house through their reports or written to a letter-service file for a mail
//! house (Ontario or CSV format, NCOA segments), and NCOA returns applied.

pub mod ncoa;
pub mod print;
pub mod service;

use std::collections::HashMap;
use std::rc::Rc;

use crate::report::sink::LineBuf;
use crate::report::{Report, RunOptions, Sink};
use crate::store::report_source::SqliteSource;
use crate::store::Db;
use crate::{Env, Result};

pub use crate::store::contacts::{due_letters, DueLetter};

/// Shipped letters, used when `reports/` has no file of that name.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "collection-letter",
        include_str!("../../reports/collection-letter.rpt"),
    ),
    (
        "collection-letter-service",
        include_str!("../../reports/collection-letter-service.rpt"),
    ),
];

/// Every report that can be a letter, by its name (case-insensitive): the reports
/// in `HOME/reports/`, then the shipped ones not overridden there.
pub struct Letters {
    by_name: HashMap<String, Rc<Report>>,
}

impl Letters {
    pub fn load(env: &Env) -> Result<Letters> {
        let mut by_name = HashMap::new();
        let dir = env.home.join("reports");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rpt"))
                .collect();
            paths.sort();
            for p in paths {
                let rep = Report::load(&p)?;
                by_name.insert(rep.front.name.to_lowercase(), Rc::new(rep));
            }
        }
        for (file, text) in EMBEDDED {
            let rep = Report::parse(text, &format!("(embedded) reports/{file}.rpt"));
            by_name
                .entry(rep.front.name.to_lowercase())
                .or_insert_with(|| Rc::new(rep));
        }
        Ok(Letters { by_name })
    }

    pub fn get(&self, name: &str) -> Option<Rc<Report>> {
        self.by_name.get(&name.trim().to_lowercase()).cloned()
    }
}

/// A letter body's output: its lines, with loop output grouped (the Ontario format
/// wraps a loop's lines in `{ }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyItem {
    Line(String),
    Loop(Vec<String>),
}

#[derive(Default)]
struct BodySink {
    items: Vec<BodyItem>,
    depth: usize,
    current: Vec<String>,
}

impl Sink for BodySink {
    fn line(&mut self, line: &LineBuf) -> Result<()> {
        if self.depth > 0 {
            self.current.push(line.text.clone());
        } else {
            self.items.push(BodyItem::Line(line.text.clone()));
        }
        Ok(())
    }
    fn loop_open(&mut self, _code: &str) -> Result<()> {
        self.depth += 1;
        Ok(())
    }
    fn loop_close(&mut self, _code: &str) -> Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 && !self.current.is_empty() {
            self.items
                .push(BodyItem::Loop(std::mem::take(&mut self.current)));
        }
        Ok(())
    }
}

/// Run a letter for one debtor and collect its output.
pub fn letter_body(env: &Env, conn: &Db, report: &Report, fi: i64) -> Result<Vec<BodyItem>> {
    let src = SqliteSource::new(conn);
    let mut sink = BodySink::default();
    let mut opts = RunOptions::new(env.today);
    opts.now = env.now;
    opts.ids = vec![fi];
    crate::report::run(report, &src, &mut sink, &opts).map_err(|e| {
        e.context(format_args!(
            "letter '{}' for debtor {fi}",
            report.front.name
        ))
    })?;
    Ok(sink.items)
}
