//! Running an import: the one database transaction, the read → pipeline → apply
//! loop, the map lookup (files in `maps/`, else the embedded maps).

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use super::apply::Applier;
use super::map::{Direction, Map};
use super::pipeline::{Ctx, Outcome, Pipeline};
use super::review::Review;
use super::source::{RawRecord, Source};
use super::summary::{ImportOptions, Rejects, Summary};
use crate::error::Place;
use crate::store::{self, Db};
use crate::{Error, Result};

/// What one import works with besides the database and the input itself: the
/// twin entry points [`import_into`] and [`import_in`] take it whole, so a caller
/// names each part instead of passing ten arguments in order.
pub struct ImportJob<'a> {
    pub map: &'a Map,
    /// How the summary and the batch record name the map.
    pub map_label: &'a str,
    /// How the summary, the batch record and error messages name the input.
    pub label: &'a str,
    pub ctx: Ctx,
    pub opts: &'a ImportOptions,
    pub rejects_path: PathBuf,
    pub review: &'a mut Review,
    pub progress: Option<&'a dyn crate::progress::Progress>,
}

/// Import one input into an open database: one transaction, committed unless this
/// is a dry run or `--strict` met a reject.
pub fn import_into(conn: &mut Db, input: impl Read + Send, job: ImportJob<'_>) -> Result<Summary> {
    let started = Instant::now();
    check_client(conn, job.map, job.map_label, job.opts)?;
    // Query-planner stability and a bigger page cache for the one long transaction:
    // fewer spills of dirty pages into the WAL before the commit (64 MB at most; the
    // peak stays far below 300 MB).
    // `RECOUP_IMPORT_CACHE_KB` overrides it (the crash test uses a small cache so
    // pages reach the WAL early).
    let cache_kb = std::env::var("RECOUP_IMPORT_CACHE_KB")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(65_536);
    store::import_cache::tune_for_import(conn, cache_kb)?;
    let tx = store::begin(conn)?;
    let opts = job.opts;
    let mut summary = import_in(&tx, input, job, started)?;
    let batch = summary.batch;
    let refuse = opts.dry_run || (opts.strict && summary.rejected > 0);
    if refuse {
        tx.rollback()?;
    } else {
        crate::sol::refresh_after_import(&tx)?;
        store::import_cache::set_import_batch_summary(&tx, batch, &summary.to_json().to_string())?;
        tx.commit()?;
        summary.committed = true;
    }
    Ok(summary)
}

/// The client the import files debtors under must be on file: an unknown one is a
/// configuration error (exit 2) before any record is read, not a reject per record.
fn check_client(conn: &Db, map: &Map, map_label: &str, opts: &ImportOptions) -> Result<()> {
    let (client, from) = match (opts.client, map.options.client) {
        (Some(c), _) => (c, "the import's client".to_string()),
        (None, Some(c)) => (c, format!("{map_label}: [options] client")),
        (None, None) => return Ok(()),
    };
    if store::client_exists(conn, client)? {
        return Ok(());
    }
    Err(Error::config(format!(
        "{from}: client {client} is not on file (set it up with `recoup setup apply` or import it first)"
    )))
}

/// The work of one import inside a transaction the caller owns (and commits): the
/// batch record, read → pipeline → apply, the rejects file. `recoup transfer import`
/// runs two of these in one transaction so nothing is half-imported.
pub fn import_in(
    tx: &Db,
    input: impl Read + Send,
    job: ImportJob<'_>,
    started: Instant,
) -> Result<Summary> {
    let ImportJob {
        map,
        map_label,
        label,
        ctx,
        opts,
        rejects_path,
        review,
        progress,
    } = job;
    let batch = store::import_cache::new_import_batch(tx, map_label, label, ctx.today)?;
    let mut rejects = Rejects::new(rejects_path);
    let mut applier = Applier::new(tx, map, ctx, batch)?;
    let mut cancelled = false;
    let mut last_bytes = 0;
    // Reading and the field pipeline run on a second thread, a batch of records
    // ahead of the database writes (the machine has two cores). Records keep
    // their order; an error from the source ends the import like before.
    std::thread::scope(|scope| -> Result<()> {
        let (sender, batches) = std::sync::mpsc::sync_channel::<Result<ParsedBatch>>(4);
        scope.spawn(move || parse_ahead(map, input, ctx, sender));
        'batches: for batch in batches {
            let batch = batch.map_err(|e| e.context(label))?;
            if let Some(pb) = progress {
                pb.advance(batch.bytes_read - last_bytes);
                last_bytes = batch.bytes_read;
            }
            for rec in batch.records {
                if !apply_record(&mut applier, rec, label, &mut rejects, review)? {
                    cancelled = true;
                    break 'batches;
                }
            }
        }
        // Leaving drops the receiver: a reader still running stops at its next send.
        Ok(())
    })?;
    applier.finish().map_err(|e| e.context(label))?;
    let mut summary = std::mem::take(&mut applier.summary);
    drop(applier);
    summary.map = map_label.to_string();
    summary.file = label.to_string();
    summary.cancelled = cancelled;
    summary.dry_run = opts.dry_run;
    summary.rejects_file = rejects.finish()?;
    summary.elapsed_ms = started.elapsed().as_millis();
    summary.batch = batch;
    Ok(summary)
}

/// Apply one record read by the pipeline: write it, reject it to the rejects file or
/// skip it. `false` when the review cancelled the import (the record is not counted).
fn apply_record(
    applier: &mut Applier,
    rec: ParsedRecord,
    label: &str,
    rejects: &mut Rejects,
    review: &mut Review,
) -> Result<bool> {
    applier.summary.read += 1;
    match rec.outcome {
        Outcome::Parsed(parts) => {
            match applier.apply(&parts, rec.line, &rec.raw, rejects, review) {
                Ok(true) => {}
                Ok(false) => {
                    applier.summary.read -= 1;
                    return Ok(false);
                }
                Err(e) => return Err(e.within(Place::line(label, rec.line))),
            }
        }
        Outcome::Rejected(reason) => {
            applier.summary.rejected += 1;
            rejects.write(rec.line, &reason, &String::from_utf8_lossy(&rec.raw))?;
        }
        Outcome::NoMatch => applier.skip("no record definition matches the line"),
    }
    Ok(true)
}

/// Records read ahead: how many go to the database side at a time.
const BATCH: usize = 512;

/// One input record after the field pipeline.
struct ParsedRecord {
    line: u64,
    /// The record as read, for the rejects file and `--review`.
    raw: Vec<u8>,
    outcome: Outcome,
}

struct ParsedBatch {
    records: Vec<ParsedRecord>,
    /// Input bytes consumed so far (the progress bar).
    bytes_read: u64,
}

/// The reading thread: source → pipeline, in batches, until the input ends, an
/// error (sent on) or the database side hangs up.
fn parse_ahead(
    map: &Map,
    input: impl Read + Send,
    ctx: Ctx,
    sender: std::sync::mpsc::SyncSender<Result<ParsedBatch>>,
) {
    let mut pipeline = Pipeline::new(map);
    let mut source = Source::new(map, input);
    let mut rec = RawRecord::default();
    loop {
        let mut records = Vec::with_capacity(BATCH);
        let mut end = false;
        while records.len() < BATCH {
            match source.next_record(&mut rec) {
                Ok(true) => {
                    let mut outcome = pipeline.process(&rec, &ctx);
                    if let (Outcome::Rejected(reason), Some((opened, lines))) =
                        (&mut outcome, rec.quote_span)
                    {
                        reason.push_str(&format!(
                            " (a quoted field opened on line {opened} and took in {lines} lines, to line {})",
                            opened + lines - 1
                        ));
                    }
                    records.push(ParsedRecord {
                        line: rec.line,
                        raw: rec.raw.clone(),
                        outcome,
                    });
                }
                Ok(false) => {
                    end = true;
                    break;
                }
                Err(e) => {
                    let _ = sender.send(Err(e));
                    return;
                }
            }
        }
        let batch = ParsedBatch {
            records,
            bytes_read: source.bytes_read,
        };
        if sender.send(Ok(batch)).is_err() || end {
            return;
        }
    }
}

/// The file an import reads, opened by the caller (a file or standard input).
pub struct ImportInput {
    pub reader: Box<dyn std::io::Read + Send>,
    /// The length when known (a file; not a pipe), for progress.
    pub size: Option<u64>,
    /// How messages and the batch name the input.
    pub label: String,
    /// Where rejects go unless `--rejects` says otherwise.
    pub default_rejects: PathBuf,
}

/// `recoup import MAP FILE [--client N] [--dry-run] [--strict] [--rejects FILE] [--review]`.
/// `review` asks before updating a debtor when `opts.review` is set; `progress` hears
/// the input's size and the bytes read.
pub fn run(
    env: &crate::Env,
    map_arg: &str,
    input: ImportInput,
    opts: &ImportOptions,
    review: &mut Review,
    progress: Option<&dyn crate::progress::Progress>,
) -> Result<Summary> {
    let (map, map_label) = load_map(env, map_arg)?;
    let size = input.size.unwrap_or(0);
    let mut store = store::Store::open(&env.db)?;
    let ctx = Ctx {
        today: env.today,
        now: env.now,
        client: opts.client.or(map.options.client),
    };
    let rejects = opts.rejects.clone().unwrap_or(input.default_rejects);
    if let Some(p) = progress {
        p.start(size);
    }
    // Only `--review` asks, whatever the caller handed over.
    let mut no_review = Review::off();
    let review = if opts.review { review } else { &mut no_review };
    let label = input.label;
    let job = ImportJob {
        map: &map,
        map_label: &map_label,
        label: &label,
        ctx,
        opts,
        rejects_path: rejects,
        review,
        progress,
    };
    let reader = std::io::BufReader::with_capacity(1 << 16, input.reader);
    let mut summary = import_into(store.conn_mut(), reader, job)?;
    if summary.committed {
        run_new_account_plans(env, store.conn_mut(), &mut summary)?;
    }
    Ok(summary)
}

/// After the commit, each new debtor of the batch runs its new-account plan (the
/// map's, else the client's, written to `de.rp` by the import; S2:716-733), in one
/// transaction; ODBC events of those plans run after it.
pub fn run_new_account_plans(env: &crate::Env, conn: &mut Db, summary: &mut Summary) -> Result<()> {
    let todo = store::debtors::debtors_with_plan_in_batch(conn, summary.batch)?;
    if todo.is_empty() {
        return Ok(());
    }
    let tx = store::begin(conn)?;
    let mut runner = crate::plans::PlanRunner::new(&tx, env)?;
    for (fi, plan) in &todo {
        runner.run(&tx, *fi, plan, env.today)?;
        *summary.plans.entry(plan.clone()).or_default() += 1;
    }
    tx.commit()?;
    crate::sync::run_pending(conn, env, &runner.pending_odbc).into_result()?;
    Ok(())
}

/// A map named by path, or by name under `maps/` (with or without `.toml`).
pub fn resolve_map(env: &crate::Env, arg: &str) -> PathBuf {
    let p = env.home_path("maps", arg);
    if p.is_file() || arg.ends_with(".toml") {
        return p;
    }
    env.home_path("maps", &format!("{arg}.toml"))
}

/// Maps built into the binary, used when `maps/` has no file of that name (README "Using it":
/// the client-transfer maps work from any directory; the NCOA map backs `ncoa import`).
pub const EMBEDDED_MAPS: &[(&str, &str)] = &[
    (
        "client-transfers",
        include_str!("../../maps/client-transfers.toml"),
    ),
    ("client-notes", include_str!("../../maps/client-notes.toml")),
    ("ncoa-return", include_str!("../../maps/ncoa-return.toml")),
];

/// Load a map for import, named by path or by name: the file when it exists, else an
/// embedded map.
pub fn load_map(env: &crate::Env, arg: &str) -> Result<(Map, String)> {
    load_map_for(env, arg, Direction::Import)
}

/// Load a map for one direction (see `load_map`).
pub fn load_map_for(env: &crate::Env, arg: &str, direction: Direction) -> Result<(Map, String)> {
    let path = resolve_map(env, arg);
    if !path.is_file() {
        let name = arg.trim_end_matches(".toml");
        if let Some((n, text)) = EMBEDDED_MAPS.iter().find(|(n, _)| *n == name) {
            let label = format!("<embedded>/maps/{n}.toml");
            return Ok((Map::parse_for(&label, text, direction)?, label));
        }
        // A bare name that matches no map is a typo more often than a missing file.
        if !arg.contains('/') && !arg.contains('\\') {
            let mut known = crate::suggest::names_in(&env.home.join("maps"), "toml");
            known.extend(EMBEDDED_MAPS.iter().map(|(n, _)| n.to_string()));
            return Err(crate::Error::config(format!(
                "{}: no such map{}",
                path.display(),
                crate::suggest::did_you_mean(name, known.iter().map(String::as_str))
            )));
        }
    }
    Ok((Map::load_for(&path, direction)?, path.display().to_string()))
}
