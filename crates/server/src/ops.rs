//! Operator commands (SPEC §8): export and import all records as JSON, backup, purging old
//! tombstones. They work on an opened [`Store`] so that tests can drive them directly.

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
        .map_err(|err| StoreError(format!("cannot write {}: {err}", out.display())))?;
    Ok(e.records.len())
}

/// Imports records, validated like pushes, in one transaction: all or nothing. Each record
/// gets a fresh `seq` so that clients pull it.
pub fn import(store: &Store, data: Export) -> StoreResult<usize> {
    if data.format != EXPORT_FORMAT {
        return Err(StoreError(format!(
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
        .map_err(|e| StoreError(format!("cannot read {}: {e}", input.display())))?;
    import(store, serde_json::from_slice(&bytes)?)
}

/// Purges tombstones older than `days` days; returns how many were removed.
pub fn purge_tombstones(store: &Store, days: u32) -> StoreResult<usize> {
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    store.purge_tombstones(&sync::format_utc(cutoff))
}
