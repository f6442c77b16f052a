//! The Projektbüro's downloads (SPEC §4, §7): CSV files for German Excel (the domain's
//! `csv::Writer`) and an event as iCalendar. They read one consistent snapshot of the store and
//! only live records; labels are the German ones the app shows.

use std::collections::HashMap;

use lotsen_domain::csv::Writer;
use lotsen_domain::ics::{self, CalendarEvent};
use lotsen_domain::matrix::Matrix;
use lotsen_domain::model::{Application, Collection, Event, Lotse, Request, Topic};
use lotsen_domain::normalize::fold;
use serde::de::DeserializeOwned;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use lotsen_domain::protocol::is_uuid;

use crate::actor::Caller;
use crate::api::{blocking, require_buero};
use crate::error::ApiError;
use crate::store::{StoreError, StoreResult, Tx};
use crate::{ops, sync, ServerState};

/// The CSV files there are, by their name in `/api/v1/export/{name}.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvExport {
    Requests,
    Applications,
    Lotsen,
    Matrix,
}

impl CsvExport {
    pub fn parse(name: &str) -> Option<CsvExport> {
        match name {
            "requests" => Some(CsvExport::Requests),
            "applications" => Some(CsvExport::Applications),
            "lotsen" => Some(CsvExport::Lotsen),
            "matrix" => Some(CsvExport::Matrix),
            _ => None,
        }
    }

    /// The German file name stem for the download.
    pub fn file_stem(self) -> &'static str {
        match self {
            CsvExport::Requests => "anliegen",
            CsvExport::Applications => "bewerbungen",
            CsvExport::Lotsen => "lotsen",
            CsvExport::Matrix => "kompetenzmatrix",
        }
    }
}

/// The matrix filters of `/buero/matrix` (`?bereich=…&kategorie=…`): the domain's.
pub use lotsen_domain::matrix::MatrixFilter;

/// Live records of `collection` with their ids, in `seq` order.
fn live<T: DeserializeOwned>(tx: &Tx, collection: Collection) -> StoreResult<Vec<(String, T)>> {
    tx.all(collection.as_str())?
        .into_iter()
        .filter(|r| !r.envelope.deleted)
        .map(|r| {
            let value = serde_json::from_value(r.envelope.data)
                .map_err(|e| StoreError::new(format!("{collection}/{}: {e}", r.envelope.id)))?;
            Ok((r.envelope.id, value))
        })
        .collect()
}

fn names<T>(records: &[(String, T)], name: impl Fn(&T) -> &str) -> HashMap<&str, &str> {
    records
        .iter()
        .map(|(id, r)| (id.as_str(), name(r)))
        .collect()
}

/// Writes the file `which` from the store.
pub fn csv(tx: &Tx, which: CsvExport, filter: &MatrixFilter) -> StoreResult<String> {
    let topics: Vec<(String, Topic)> = live(tx, Collection::Topics)?;
    let topic_names = names(&topics, |t| t.name.as_str());
    let topic_list = |ids: &mut dyn Iterator<Item = &String>| {
        ids.map(|id| {
            topic_names
                .get(id.as_str())
                .copied()
                .unwrap_or("(gelöscht)")
        })
        .collect::<Vec<_>>()
        .join(", ")
    };
    let mut w = Writer::new();
    match which {
        CsvExport::Requests => {
            let lotsen: Vec<(String, Lotse)> = live(tx, Collection::Lotsen)?;
            let lotse_names = names(&lotsen, |l| l.name.as_str());
            w.row([
                "ID",
                "Zuletzt geändert",
                "Art",
                "Thema",
                "Titel",
                "Beschreibung",
                "Status",
                "Zuständig",
                "Name",
                "Bereich",
                "Kontakt",
            ]);
            for r in tx
                .all(Collection::Requests.as_str())?
                .into_iter()
                .filter(|r| !r.envelope.deleted)
            {
                let e = r.envelope;
                let q: Request = serde_json::from_value(e.data)
                    .map_err(|err| StoreError::new(format!("requests/{}: {err}", e.id)))?;
                let topic = q
                    .topic
                    .as_deref()
                    .map_or("", |t| topic_names.get(t).copied().unwrap_or("(gelöscht)"));
                let assignee = q
                    .assignee
                    .as_deref()
                    .map_or("", |a| lotse_names.get(a).copied().unwrap_or("(gelöscht)"));
                w.row([
                    e.id.as_str(),
                    &e.updated_at,
                    q.kind.label(),
                    topic,
                    &q.title,
                    &q.description,
                    q.status.label(),
                    assignee,
                    &q.requester.name,
                    &q.requester.department,
                    &q.requester.contact,
                ]);
            }
        }
        CsvExport::Applications => {
            w.row([
                "ID",
                "Name",
                "Bereich",
                "Kontakt",
                "Themen",
                "Motivation",
                "Status",
            ]);
            for (id, a) in live::<Application>(tx, Collection::Applications)? {
                w.row([
                    id.as_str(),
                    &a.name,
                    &a.department,
                    &a.contact,
                    &topic_list(&mut a.topics.iter()),
                    &a.motivation,
                    a.status.label(),
                ]);
            }
        }
        CsvExport::Lotsen => {
            w.row([
                "ID",
                "Name",
                "Bereich",
                "Telefon",
                "E-Mail",
                "Ort",
                "Erreichbarkeit",
                "Aktiv",
                "Profil bestätigt am",
                "Themen",
                "Möchte lernen",
            ]);
            for (id, l) in live::<Lotse>(tx, Collection::Lotsen)? {
                let skills = l
                    .skills
                    .iter()
                    .map(|s| {
                        let name = topic_names
                            .get(s.topic.as_str())
                            .copied()
                            .unwrap_or("(gelöscht)");
                        format!("{name}: {}", s.level.label())
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                w.row([
                    id.as_str(),
                    &l.name,
                    &l.department,
                    &l.phone,
                    &l.email,
                    &l.location,
                    &l.availability,
                    if l.active { "ja" } else { "nein" },
                    l.confirmed_at.as_deref().unwrap_or(""),
                    &skills,
                    &topic_list(&mut l.learning.iter()),
                ]);
            }
        }
        CsvExport::Matrix => matrix(&mut w, &topics, &live(tx, Collection::Lotsen)?, filter),
    }
    Ok(w.finish())
}

/// Lotsen × topics with the level (1–3) in each cell, topics grouped by category as on the
/// screen, Lotsen by department.
/// The skills matrix as the screen shows it (`lotsen_domain::matrix`): a column per topic
/// ("Name (Kategorie)"), a row per active Lotse.
fn matrix(
    w: &mut Writer,
    topics: &[(String, Topic)],
    lotsen: &[(String, Lotse)],
    filter: &MatrixFilter,
) {
    let m = Matrix::build(
        topics.iter().map(|(id, t)| (id.as_str(), t)),
        lotsen.iter().map(|(id, l)| (id.as_str(), l)),
        filter,
    );
    let mut header = vec!["Name".to_owned(), "Bereich".into()];
    header.extend(
        m.columns
            .iter()
            .map(|c| format!("{} ({})", c.name, c.category)),
    );
    w.row(&header);
    for r in &m.rows {
        let mut line = vec![r.name.clone(), r.department.clone()];
        line.extend(
            r.levels
                .iter()
                .map(|l| l.map_or(String::new(), |l| l.get().to_string())),
        );
        w.row(&line);
    }
}

/// An ASCII file name stem from a title ("DMS-Schulung für alle" → "dms-schulung-fur-alle").
pub fn file_stem(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in fold(title).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_owned()
    } else {
        out.to_owned()
    }
}

/// The event `id` as an iCalendar file and a file name, or None if there is no live event.
pub fn event_ics(tx: &Tx, id: &str) -> StoreResult<Option<(String, String)>> {
    let Some(rec) = tx.get(Collection::Events.as_str(), id)? else {
        return Ok(None);
    };
    if rec.envelope.deleted {
        return Ok(None);
    }
    let e = rec.envelope;
    let event: Event = serde_json::from_value(e.data)
        .map_err(|err| StoreError::new(format!("events/{id}: {err}")))?;
    let uid = format!("{id}@lotsenfinder");
    let file = ics::calendar(&CalendarEvent {
        uid: &uid,
        sequence: e.version,
        stamp: &e.updated_at,
        starts_at: &event.starts_at,
        ends_at: &event.ends_at,
        title: &event.title,
        location: &event.location,
        description: &event.description,
    })
    .ok_or_else(|| StoreError::new(format!("events/{id}: times not in the stored format")))?;
    Ok(Some((file, file_stem(&event.title, "termin"))))
}

/// The routes of the downloads: the Büro's exports and an event's calendar file.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/api/v1/export/{name}", get(export))
        .route("/api/v1/events/{name}", get(event_ics_file))
}

/// A download: the body with its type and an attachment file name.
fn attachment(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    file: &str,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                // File names are built from ASCII letters, digits and dashes only.
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /api/v1/export/{name}` (Büro): `requests.csv`, `applications.csv`, `lotsen.csv`,
/// `matrix.csv` (with `?bereich=` and `?kategorie=`) and `backup.json` (the format of the
/// `export` command, for `import`).
async fn export(
    State(state): State<ServerState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let acting = require_buero(&caller, "Exporte sind dem Projektbüro vorbehalten.")?;
    let unknown = || {
        ApiError::Missing(
            "unknown_export",
            "Diesen Export gibt es nicht (requests.csv, applications.csv, lotsen.csv, matrix.csv, backup.json)."
                .into(),
        )
    };
    let today = sync::now_utc()[..10].to_owned();
    if name == "backup.json" {
        let body = blocking(move || {
            let backup = ops::export(&state.store)?;
            serde_json::to_vec_pretty(&backup).map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
        tracing::info!(by = %acting, "backup downloaded");
        return Ok(attachment(
            body,
            "application/json",
            &format!("lotsenfinder-sicherung-{today}.json"),
        ));
    }
    let which = name
        .strip_suffix(".csv")
        .and_then(CsvExport::parse)
        .ok_or_else(unknown)?;
    let filter = MatrixFilter {
        department: query.get("bereich").cloned().unwrap_or_default(),
        category: query.get("kategorie").cloned().unwrap_or_default(),
    };
    let body = blocking(move || Ok(state.store.read(|tx| csv(tx, which, &filter))?)).await?;
    tracing::info!(by = %acting, export = %name, "export downloaded");
    Ok(attachment(
        body,
        "text/csv; charset=utf-8",
        &format!("lotsenfinder-{}-{today}.csv", which.file_stem()),
    ))
}

/// `GET /api/v1/events/{id}.ics` (everyone, like events themselves): the event for a calendar.
async fn event_ics_file(
    State(state): State<ServerState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let unknown = || ApiError::Missing("unknown_event", "Diesen Termin gibt es nicht.".into());
    let id = name
        .strip_suffix(".ics")
        .filter(|id| is_uuid(id))
        .ok_or_else(unknown)?
        .to_owned();
    let (body, stem) = blocking(move || Ok(state.store.read(|tx| event_ics(tx, &id))?))
        .await?
        .ok_or_else(unknown)?;
    Ok(attachment(
        body,
        "text/calendar; charset=utf-8",
        &format!("{stem}.ics"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems() {
        assert_eq!(
            file_stem("DMS-Schulung: E-Akte für Einsteiger", "x"),
            "dms-schulung-e-akte-fur-einsteiger"
        );
        assert_eq!(file_stem("  ?? ", "termin"), "termin");
        assert!(file_stem(&"a ".repeat(100), "x").len() <= 60);
    }
}
