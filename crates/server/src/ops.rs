//! Operator commands (SPEC §8): export and import all records as JSON, backup, purging old
//! tombstones, anonymising closed requests (retention). They work on an opened [`Store`] so
//! that tests can drive them directly.

use std::path::Path;

use lotsen_domain::model::Collection;
use lotsen_domain::protocol::Envelope;
use serde::{Deserialize, Serialize};

use crate::store::{Store, StoreError, StoreResult, StoredRecord};
use crate::sync;

pub const EXPORT_FORMAT: &str = "lotsenfinder-export-v1";

#[derive(Debug, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub epoch: String,
    pub exported_at: String,
    pub records: Vec<ExportRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ExportRecord {
    #[serde(flatten)]
    pub envelope: Envelope,
    /// Kept so that a restored request still belongs to the device that made it.
    #[serde(default)]
    pub owner_hash: Option<String>,
}

pub fn export(store: &Store) -> StoreResult<Export> {
    let records = store.read(|tx| {
        let mut out = Vec::new();
        for c in Collection::ALL {
            out.extend(tx.all(c.as_str())?.into_iter().map(|r| ExportRecord {
                envelope: r.envelope,
                owner_hash: r.owner_hash,
            }));
        }
        Ok(out)
    })?;
    Ok(Export {
        format: EXPORT_FORMAT.into(),
        epoch: store.epoch().into(),
        exported_at: sync::now_utc(),
        records,
    })
}

pub fn export_to_file(store: &Store, out: &Path) -> StoreResult<usize> {
    let e = export(store)?;
    let json = serde_json::to_vec_pretty(&e)?;
    std::fs::write(out, json)
        .map_err(|err| StoreError::new(format!("cannot write {}: {err}", out.display())))?;
    Ok(e.records.len())
}

/// Imports records, validated like pushes, in one transaction: all or nothing. Each record
/// gets a fresh `seq` so that clients pull it.
pub fn import(store: &Store, data: Export) -> StoreResult<usize> {
    if data.format != EXPORT_FORMAT {
        return Err(StoreError::new(format!(
            "unknown export format {:?} (expected {EXPORT_FORMAT})",
            data.format
        )));
    }
    let mut records: Vec<StoredRecord> = data
        .records
        .into_iter()
        .map(|r| StoredRecord {
            envelope: r.envelope,
            owner_hash: r.owner_hash,
        })
        .collect();
    // Referenced records first (topics before the Lotsen that name them, and so on).
    records.sort_by_key(|r| {
        Collection::parse(&r.envelope.collection)
            .and_then(|c| Collection::ALL.iter().position(|x| *x == c))
            .unwrap_or(usize::MAX)
    });
    store.write(|tx| {
        for r in &records {
            sync::import_record(tx, r)?;
        }
        Ok(records.len())
    })
}

pub fn import_from_file(store: &Store, input: &Path) -> StoreResult<usize> {
    let bytes = std::fs::read(input)
        .map_err(|e| StoreError::new(format!("cannot read {}: {e}", input.display())))?;
    import(store, serde_json::from_slice(&bytes)?)
}

/// Purges tombstones older than `days` days; returns how many were removed.
pub fn purge_tombstones(store: &Store, days: u32) -> StoreResult<usize> {
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    store.purge_tombstones(&sync::format_utc(cutoff))
}

/// `updated_by` of the writes retention makes.
pub const RETENTION_ACTOR: &str = "aufbewahrung";

fn days_ago(days: u32) -> String {
    sync::format_utc(time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days)))
}

/// How many records one anonymisation changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Anonymised {
    pub requests: usize,
    pub applications: usize,
}

impl std::fmt::Display for Anonymised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} abgeschlossene Anliegen und {} entschiedene Bewerbungen anonymisiert.",
            self.requests, self.applications
        )
    }
}

/// Anonymises requests closed (`erledigt`, `abgelehnt`) and applications decided
/// (`angenommen`, `abgelehnt`) that are unchanged for more than `days` days. See
/// [`anonymise_before`].
pub fn anonymise(store: &Store, days: u32) -> StoreResult<Anonymised> {
    anonymise_before(store, &days_ago(days), &sync::now_utc())
}

/// What is blanked, and when a record's purpose is over.
struct Personal {
    collection: Collection,
    /// Statuses after which the personal data is no longer needed.
    done: &'static [&'static str],
    /// Where the personal data sits: (field, nested fields or empty for the field itself).
    fields: &'static [(&'static str, &'static [&'static str])],
}

const PERSONAL: [Personal; 2] = [
    // The requester; topic, kind, status, text and times stay for the statistics.
    Personal {
        collection: Collection::Requests,
        done: &["erledigt", "abgelehnt"],
        fields: &[("requester", &["name", "department", "contact"])],
    },
    // Who applied and why; department and topics stay (an accepted applicant has their own
    // Lotse profile by then, made when the application was accepted).
    Personal {
        collection: Collection::Applications,
        done: &["angenommen", "abgelehnt"],
        fields: &[("name", &[]), ("contact", &[]), ("motivation", &[])],
    },
];

/// Blanks the personal data of every live, finished request and application last changed
/// before `cutoff` (DSGVO Art. 5 (1) e: personal data no longer than necessary). Each change is
/// an ordinary new version with a new `seq`, by [`RETENTION_ACTOR`], so every client that holds
/// the record receives the blanked one with its next pull. The device owner hash stays: the
/// colleague still sees what became of the request, just without the name.
pub fn anonymise_before(store: &Store, cutoff: &str, now: &str) -> StoreResult<Anonymised> {
    store.write(|tx| {
        let mut changed = Anonymised::default();
        for personal in &PERSONAL {
            for mut rec in tx.all(personal.collection.as_str())? {
                let e = &mut rec.envelope;
                let done = e
                    .data
                    .get("status")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|s| personal.done.contains(&s));
                if e.deleted || !done || e.updated_at.as_str() >= cutoff {
                    continue;
                }
                let mut blanked = false;
                for (field, nested) in personal.fields {
                    let Some(value) = e.data.get_mut(*field) else {
                        continue;
                    };
                    let targets: Vec<&mut serde_json::Value> = if nested.is_empty() {
                        vec![value]
                    } else {
                        match value.as_object_mut() {
                            Some(o) => o
                                .iter_mut()
                                .filter(|(k, _)| nested.contains(&k.as_str()))
                                .map(|(_, v)| v)
                                .collect(),
                            None => Vec::new(),
                        }
                    };
                    for v in targets {
                        if v.as_str().is_some_and(|s| !s.is_empty()) {
                            *v = serde_json::Value::String(String::new());
                            blanked = true;
                        }
                    }
                }
                if !blanked {
                    continue;
                }
                e.version += 1;
                e.seq = tx.next_seq()?;
                e.updated_at = now.to_owned();
                e.updated_by = RETENTION_ACTOR.to_owned();
                tx.put(&rec)?;
                match personal.collection {
                    Collection::Requests => changed.requests += 1,
                    _ => changed.applications += 1,
                }
            }
        }
        Ok(changed)
    })
}

/// What the daily retention run of `serve` does; `None` leaves a part out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Anonymise requests closed more than this many days ago.
    pub anonymise_after_days: Option<u32>,
    /// Purge tombstones older than this many days.
    pub purge_tombstones_after_days: Option<u32>,
    /// Forget logged mutations (the idempotency cache of pushes) after this many days.
    pub mutation_log_days: u32,
}

/// How long a logged mutation answers retries: a device offline for longer than this retries
/// into a compare-and-swap, which is safe.
pub const MUTATION_LOG_DAYS: u32 = 30;

impl Default for Retention {
    fn default() -> Self {
        Retention {
            anonymise_after_days: Some(365),
            purge_tombstones_after_days: Some(180),
            mutation_log_days: MUTATION_LOG_DAYS,
        }
    }
}

/// What one retention run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub anonymised: Anonymised,
    pub tombstones_purged: usize,
    pub mutations_expired: usize,
    pub mails_expired: usize,
}

/// Sent mails stay in the outbox this long (for the Büro's figures), then they are forgotten.
pub const SENT_MAIL_DAYS: u32 = 14;

/// Forgets mutations logged more than `days` days ago; returns how many.
pub fn expire_mutations(store: &Store, days: u32) -> StoreResult<usize> {
    store.expire_mutations(&days_ago(days))
}

/// The scheduled retention run: once per UTC day across every server process on the database
/// (the first to claim the day runs it); `None` when the day's run was already done.
pub fn daily_retention(store: &Store, r: Retention) -> StoreResult<Option<RetentionReport>> {
    let today = crate::sync::now_utc().chars().take(10).collect::<String>();
    if !store.write(|tx| tx.claim("retention", &today))? {
        return Ok(None);
    }
    retention_run(store, r).map(Some)
}

/// One retention run.
pub fn retention_run(store: &Store, r: Retention) -> StoreResult<RetentionReport> {
    let anonymised = match r.anonymise_after_days {
        Some(days) => anonymise(store, days)?,
        None => Anonymised::default(),
    };
    let tombstones_purged = match r.purge_tombstones_after_days {
        Some(days) => purge_tombstones(store, days)?,
        None => 0,
    };
    Ok(RetentionReport {
        anonymised,
        tombstones_purged,
        mutations_expired: expire_mutations(store, r.mutation_log_days)?,
        mails_expired: store.write(|tx| tx.expire_sent_mails(&days_ago(SENT_MAIL_DAYS)))?,
    })
}
