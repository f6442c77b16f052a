//! E-mail about requests through the city's relay (the transactional outbox pattern):
//! [`after_push`] writes the mails a push causes in the push's own transaction (who and why by
//! ids, from `lotsen_domain::notify`), and [`run`] delivers them with lettre, marks them sent,
//! tries again with growing waits when the relay is down or answers 4xx, and gives up on a 5xx
//! with the reason kept for the Projektbüro. A crash between sending and marking sends a mail a
//! second time with the same Message-ID, never not at all.
//!
//! Without `LOTSEN_SMTP_URL` every mail is written as an `.eml` file into
//! `<data dir>/mail/outbox-sent/` instead.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use lotsen_domain::model::{Collection, Lotse, Note, Request, Topic};
use lotsen_domain::notify::{self, Planned, Reason, Recipient};
use lotsen_domain::protocol::{MailStatus, Mutation, MutationResult, MutationStatus, PendingMail};
use lotsen_domain::validate::is_email;
use serde::de::DeserializeOwned;

use crate::actor::Caller;
use crate::store::{NewMail, OutboxMail, Store, StoreError, StoreResult, StoredRecord, Tx};

/// What the mails need (flags and `LOTSEN_*`, see the README).
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://relay:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`; without
    /// it, `.eml` files in the data directory.
    pub smtp_url: Option<String>,
    /// The sender address; required with a relay.
    pub from: Option<String>,
    /// The Projektbüro's mailbox.
    pub buero: Option<String>,
    /// The address people open, for the links in mails.
    pub public_url: String,
    /// The first wait after a failed attempt; it doubles with each further one, up to a day.
    pub retry_base: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_url: None,
            from: None,
            buero: None,
            public_url: "http://127.0.0.1:8080".into(),
            retry_base: Duration::from_secs(60),
        }
    }
}

/// The longest wait between two attempts.
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);
/// Mails handled per look into the outbox.
const BATCH: usize = 20;
/// How often a process that does not deliver mails asks whether it must take over.
const TAKE_OVER_POLL: Duration = Duration::from_secs(2);
/// How often the sender looks into the outbox without being woken.
const POLL: Duration = Duration::from_secs(30);

enum Transport {
    Relay(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// The configured way out, ready to send.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    buero: Option<Mailbox>,
    public_url: String,
    retry_base: Duration,
    /// Woken after a push that wrote mails, so they go out at once.
    pub wake: tokio::sync::Notify,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the configuration; an error is a German sentence for the operator, and the server
    /// does not start with it.
    pub fn new(config: MailConfig, data_dir: &Path) -> Result<Mailer, String> {
        let mailbox = |what: &str, value: &str| -> Result<Mailbox, String> {
            value
                .trim()
                .parse::<Mailbox>()
                .map_err(|e| format!("{what} „{value}“ ist keine E-Mail-Adresse: {e}"))
        };
        let relay = config
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let transport = match relay {
            Some(url) => Transport::Relay(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        format!(
                            "LOTSEN_SMTP_URL ist keine gültige Adresse eines Mail-Servers (z. B. smtp://relay.stadt.example:25): {e}"
                        )
                    })?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                let dir = data_dir.join("mail").join("outbox-sent");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    format!("Das Verzeichnis {} für Mails ist nicht anlegbar: {e}", dir.display())
                })?;
                Transport::Files(AsyncFileTransport::new(dir))
            }
        };
        let from = match (config.from.as_deref(), relay) {
            (Some(f), _) => mailbox("LOTSEN_MAIL_FROM", f)?,
            (None, Some(_)) => return Err(
                "LOTSEN_MAIL_FROM fehlt: mit einem Mail-Server braucht es eine Absenderadresse."
                    .into(),
            ),
            (None, None) => mailbox("Absender", "Lotsenfinder <lotsenfinder@localhost>")?,
        };
        let buero = match config.buero.as_deref().filter(|b| !b.trim().is_empty()) {
            Some(b) => Some(mailbox("LOTSEN_BUERO_MAIL", b)?),
            // As files (the demo, a first try), the Büro's mails are written too.
            None if relay.is_none() => Some(mailbox(
                "Projektbüro",
                "Projektbüro <projektbuero@localhost>",
            )?),
            None => None,
        };
        let public_url = config.public_url.trim().trim_end_matches('/').to_owned();
        if url::Url::parse(&public_url)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
        {
            return Err(format!(
                "LOTSEN_PUBLIC_URL „{public_url}“ ist keine Adresse wie https://lotsen.stadt.example."
            ));
        }
        Ok(Mailer {
            transport,
            from,
            buero,
            public_url,
            retry_base: config.retry_base,
            wake: tokio::sync::Notify::new(),
        })
    }

    pub fn buero_configured(&self) -> bool {
        self.buero.is_some()
    }

    async fn send(&self, message: Message) -> Result<(), Failure> {
        match &self.transport {
            Transport::Relay(t) => t.send(message).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    Failure::Permanent(e.to_string())
                } else {
                    Failure::Transient(e.to_string())
                }
            }),
            Transport::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Failure::Transient(e.to_string())),
        }
    }

    fn wait_after(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        self.retry_base
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(MAX_WAIT)
    }
}

enum Failure {
    /// Relay down, 4xx, a timeout: tried again later.
    Transient(String),
    /// A 5xx: given up, the reason kept.
    Permanent(String),
}

// ---- Writing mails into the outbox, inside the push's transaction ----

fn parse<T: DeserializeOwned>(rec: &StoredRecord) -> Option<T> {
    (!rec.envelope.deleted)
        .then(|| serde_json::from_value(rec.envelope.data.clone()).ok())
        .flatten()
}

/// What a mutation is about before it is applied: read by [`sync::push`] for [`after_push`].
pub fn before_push(tx: &Tx, m: &Mutation) -> StoreResult<Option<StoredRecord>> {
    if m.collection == Collection::Requests.as_str() || m.collection == Collection::Lotsen.as_str()
    {
        tx.get(&m.collection, &m.id)
    } else {
        Ok(None)
    }
}

/// Writes the mails an applied push of a person causes (a new request, a new status, a public
/// answer) into the outbox, in the push's transaction. Writes of the server itself (demo data,
/// the directory) cause none.
pub fn after_push(
    tx: &Tx,
    caller: &Caller,
    m: &Mutation,
    before: Option<&StoredRecord>,
    result: &MutationResult,
    now: &str,
) -> StoreResult<()> {
    let by_a_person = caller.session.is_some() || caller.device_hash.is_some();
    if result.status != MutationStatus::Applied || !by_a_person || m.deleted {
        return Ok(());
    }
    let planned: Vec<(Planned, String, Option<String>)> =
        if m.collection == Collection::Requests.as_str() {
            let Some(after) = tx
                .get(&m.collection, &m.id)?
                .and_then(|r| parse::<Request>(&r))
            else {
                return Ok(());
            };
            let before = before.and_then(parse::<Request>);
            let mut addressed: Option<(String, Lotse)> = None;
            let mut help = notify::TopicHelp::default();
            if before.is_none() {
                if let Some(id) = &after.lotse {
                    addressed = tx
                        .get(Collection::Lotsen.as_str(), id)?
                        .and_then(|r| parse(&r))
                        .map(|l| (id.clone(), l));
                } else if let Some(topic) = after.topic.as_deref() {
                    help = notify::TopicHelp {
                        helped: tx.topic_helped(topic)?,
                        at_once: tx.topic_helpers_at_once(topic)?,
                    };
                }
            }
            notify::on_request(
                before.as_ref(),
                &after,
                |id| addressed.as_ref().filter(|(i, _)| i == id).map(|(_, l)| l),
                |_| help.clone(),
            )
            .into_iter()
            .map(|p| (p, m.id.clone(), None))
            .collect()
        } else if m.collection == Collection::Lotsen.as_str() {
            // A Lotse who leaves: their new requests addressed to them go to the Projektbüro.
            let was_active = before.and_then(parse::<Lotse>).is_some_and(|l| l.active);
            let is_active = tx
                .get(&m.collection, &m.id)?
                .and_then(|r| parse::<Lotse>(&r))
                .is_some_and(|l| l.active);
            if !was_active || is_active {
                return Ok(());
            }
            tx.new_requests_addressed_to(&m.id)?
                .into_iter()
                .map(|r| {
                    let plan = Planned {
                        to: Recipient::Buero,
                        reason: Reason::Buero,
                    };
                    (plan, r.envelope.id, None)
                })
                .collect()
        } else if m.collection == Collection::Notes.as_str() && m.base_version == 0 {
            let Some(note) = tx
                .get(&m.collection, &m.id)?
                .and_then(|r| parse::<Note>(&r))
            else {
                return Ok(());
            };
            let request = tx
                .get(Collection::Requests.as_str(), &note.request)?
                .and_then(|r| parse::<Request>(&r));
            request
                .and_then(|r| notify::on_note(&note, &r))
                .map(|p| (p, note.request.clone(), Some(m.id.clone())))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
    let now_ms = crate::auth::now_ms();
    for (plan, request, note) in planned {
        let recipient = match plan.to {
            Recipient::Lotse(id) => format!("lotse:{id}"),
            Recipient::Buero => "buero".to_owned(),
            // The address is read from the request when the mail is written, not copied here.
            Recipient::Requester(_) => format!("requester:{request}"),
        };
        tx.enqueue_mail(
            &NewMail {
                message_id: format!("<{}@lotsenfinder>", crate::directory::new_uuid()?),
                recipient,
                reason: reason_name(plan.reason).to_owned(),
                request,
                note,
                digest: Vec::new(),
            },
            now,
            now_ms,
        )?;
    }
    Ok(())
}

fn reason_name(r: Reason) -> &'static str {
    match r {
        Reason::Addressed => "addressed",
        Reason::Topic => "topic",
        Reason::Buero => "buero",
        Reason::Status => "status",
        Reason::Answer => "answer",
    }
}

fn reason_of(s: &str) -> Option<Reason> {
    [
        Reason::Addressed,
        Reason::Topic,
        Reason::Buero,
        Reason::Status,
        Reason::Answer,
    ]
    .into_iter()
    .find(|r| reason_name(*r) == s)
}

// ---- The daily summary ----

const DIGEST: &str = "digest";

/// At `now` (Unix seconds): if the daily summary is due (working days from 7:00 in Soest, once),
/// writes one mail per Lotse who chose it and has something new and still `neu` in their
/// topics since the last one. Returns how many; the time is passed in so tests can set it.
pub fn digest(store: &Store, now: i64) -> StoreResult<usize> {
    let local = lotsen_domain::time::soest_time(now);
    store.write(|tx| {
        let last = tx.meta_text("digest_date")?;
        if !notify::digest_due(&local, Some(last.as_str()).filter(|l| !l.is_empty())) {
            return Ok(0);
        }
        let since = match tx.meta_text("digest_at")? {
            at if at.is_empty() => lotsen_domain::time::utc_stamp(now - 24 * 60 * 60),
            at => at,
        };
        let stamp = lotsen_domain::time::utc_stamp(now);
        let requests: Vec<(String, Request)> = tx
            .new_requests_since(&since)?
            .into_iter()
            .filter_map(|r| parse::<Request>(&r).map(|q| (r.envelope.id, q)))
            .filter(|(_, q)| q.created_at.as_deref().is_some_and(|c| c <= stamp.as_str()))
            .collect();
        let mut written = 0;
        if !requests.is_empty() {
            // Due at once by the real clock, whatever time the caller passed in.
            let due_ms = crate::auth::now_ms();
            for rec in tx.lotsen_with_digest()? {
                let Some(lotse) = parse::<Lotse>(&rec) else {
                    continue;
                };
                let topics: Vec<String> = lotse.skills.iter().map(|s| s.topic.clone()).collect();
                let ids: Vec<String> = requests
                    .iter()
                    .filter(|(_, q)| notify::in_digest(q, &topics))
                    .map(|(id, _)| id.clone())
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                tx.enqueue_mail(
                    &NewMail {
                        message_id: format!("<{}@lotsenfinder>", crate::directory::new_uuid()?),
                        recipient: format!("lotse:{}", rec.envelope.id),
                        reason: DIGEST.to_owned(),
                        request: String::new(),
                        note: None,
                        digest: ids,
                    },
                    &stamp,
                    due_ms,
                )?;
                written += 1;
            }
        }
        tx.set_meta_text("digest_date", &local.date)?;
        tx.set_meta_text("digest_at", &stamp)?;
        Ok(written)
    })
}

/// Looks every minute whether the daily summary is due; wakes the sender when it wrote mails.
pub async fn digest_schedule(store: Arc<Store>, mailer: Arc<Mailer>) {
    let mut minute = tokio::time::interval(Duration::from_secs(60));
    minute.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        minute.tick().await;
        let s = store.clone();
        let now = crate::auth::now_ms() / 1000;
        match blocking(move || digest(&s, now)).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(mails = n, "daily summaries written");
                mailer.wake.notify_one();
            }
            Err(e) => tracing::error!(error = %e, "daily summary failed; tried again in a minute"),
        }
    }
}

// ---- Delivering ----

/// Delivers due mails whenever woken (after a push), when the next waiting one is due, and at
/// least every half minute; never ends. With several processes on one database only one of
/// them delivers (`Store::is_mail_sender`); the others look every few seconds whether they
/// must take over, and mails of their pushes go out with the deliverer's next look.
pub async fn run(store: Arc<Store>, mailer: Arc<Mailer>) {
    loop {
        let s = store.clone();
        match blocking(move || s.is_mail_sender()).await {
            Ok(true) => {
                if let Err(e) = deliver_due(&store, &mailer).await {
                    tracing::error!(error = %e, "mail delivery failed; tried again shortly");
                }
            }
            Ok(false) => {
                tokio::time::sleep(TAKE_OVER_POLL).await;
                continue;
            }
            Err(e) => tracing::error!(error = %e, "mail delivery failed; tried again shortly"),
        }
        let s = store.clone();
        let next = blocking(move || s.read(|tx| tx.next_mail_due()))
            .await
            .ok()
            .flatten();
        let pause = next.map_or(POLL, |due| {
            let wait = due.saturating_sub(crate::auth::now_ms()).max(0);
            Duration::from_millis(u64::try_from(wait).unwrap_or(0)).min(POLL)
        });
        tokio::select! {
            _ = mailer.wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    crate::store::blocking(f)
        .await
        .map_err(|e| StoreError::new(format!("mail task: {e}")))?
}

/// Sends every mail that is due now; returns how many were sent.
pub async fn deliver_due(store: &Arc<Store>, mailer: &Arc<Mailer>) -> StoreResult<usize> {
    let mut sent = 0;
    loop {
        let now_ms = crate::auth::now_ms();
        let s = store.clone();
        let due = blocking(move || s.read(|tx| tx.due_mails(now_ms, BATCH))).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for mail in due {
            let (s, m) = (store.clone(), mailer.clone());
            let mail_copy = mail.clone();
            let message = blocking(move || s.read(|tx| Ok(compose(tx, &m, &mail_copy)))).await?;
            let outcome = match message {
                Ok(message) => mailer.send(message).await,
                Err(reason) => Err(Failure::Permanent(reason)),
            };
            let now_ms = crate::auth::now_ms();
            let next = now_ms.saturating_add(
                i64::try_from(mailer.wait_after(mail.attempts).as_millis()).unwrap_or(i64::MAX),
            );
            let s = store.clone();
            match outcome {
                Ok(()) => {
                    sent += 1;
                    let now = crate::sync::now_utc();
                    blocking(move || s.write(|tx| tx.mail_sent(mail.id, &now))).await?;
                }
                Err(Failure::Transient(e)) => {
                    tracing::warn!(mail = mail.id, error = %e, "mail not delivered; tried again later");
                    blocking(move || s.write(|tx| tx.mail_attempt_failed(mail.id, &e, next, None)))
                        .await?;
                }
                Err(Failure::Permanent(e)) => {
                    tracing::warn!(mail = mail.id, error = %e, "mail given up");
                    blocking(move || {
                        s.write(|tx| tx.mail_attempt_failed(mail.id, &e, next, Some(&e)))
                    })
                    .await?;
                }
            }
        }
    }
}

/// The List-Unsubscribe header: where people change what they get.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The mail as it goes out now, or why it cannot go out at all (kept for the Büro).
fn compose(tx: &Tx, mailer: &Mailer, mail: &OutboxMail) -> Result<Message, String> {
    let read = |collection: Collection, id: &str| tx.get(collection.as_str(), id).ok().flatten();
    let m = &mail.mail;
    if m.reason == DIGEST {
        return compose_digest(tx, mailer, mail);
    }
    let reason = reason_of(&m.reason).ok_or_else(|| format!("unbekannter Anlass {}", m.reason))?;
    let request: Request = read(Collection::Requests, &m.request)
        .and_then(|r| parse(&r))
        .ok_or("Das Anliegen gibt es nicht mehr.")?;
    let topic: Option<Topic> = request
        .topic
        .as_deref()
        .and_then(|t| read(Collection::Topics, t))
        .and_then(|r| parse(&r));
    let answer: Option<Note> = m
        .note
        .as_deref()
        .and_then(|n| read(Collection::Notes, n))
        .and_then(|r| parse(&r))
        .filter(|n: &Note| !n.internal);
    if reason == Reason::Answer && answer.is_none() {
        return Err("Die Antwort gibt es nicht mehr.".into());
    }
    let workplace = format!("{}/arbeitsplatz/{}", mailer.public_url, m.request);
    let (to, link) = if let Some(id) = m.recipient.strip_prefix("lotse:") {
        (lotse_mailbox(tx, id)?.0, workplace)
    } else if m.recipient == "buero" {
        let to = mailer
            .buero
            .clone()
            .ok_or("Für das Projektbüro ist keine Adresse eingestellt (LOTSEN_BUERO_MAIL).")?;
        (to, workplace)
    } else if m.recipient.starts_with("requester:") {
        let address = notify::requester_address(&request)
            .ok_or("Keine E-Mail-Adresse mehr beim Anliegen (abbestellt oder anonymisiert).")?;
        let to = Mailbox::new(
            None,
            address
                .parse()
                .map_err(|e| format!("Die E-Mail-Adresse ist unbrauchbar: {e}"))?,
        );
        (to, format!("{}/anliegen", mailer.public_url))
    } else {
        return Err(format!("unbekannter Empfänger {}", m.recipient));
    };
    let text = notify::text(
        reason,
        &request,
        topic.as_ref(),
        &link,
        answer.as_ref().map(|n| n.text.as_str()),
    );
    build(mailer, to, &m.message_id, text)
}

/// A Lotse's mailbox and profile, or why there is none.
fn lotse_mailbox(tx: &Tx, id: &str) -> Result<(Mailbox, Lotse), String> {
    let lotse: Lotse = tx
        .get(Collection::Lotsen.as_str(), id)
        .ok()
        .flatten()
        .and_then(|r| parse(&r))
        .ok_or("Das Lotsen-Profil gibt es nicht mehr.")?;
    if !is_email(lotse.email.trim()) {
        return Err(format!(
            "Im Profil von {} steht keine E-Mail-Adresse.",
            lotse.name
        ));
    }
    let address = lotse
        .email
        .trim()
        .parse()
        .map_err(|e| format!("Die E-Mail-Adresse von {} ist unbrauchbar: {e}", lotse.name))?;
    Ok((Mailbox::new(Some(lotse.name.clone()), address), lotse))
}

/// A daily summary, with the requests that are still `neu` when it goes out.
fn compose_digest(tx: &Tx, mailer: &Mailer, mail: &OutboxMail) -> Result<Message, String> {
    let m = &mail.mail;
    let id = m
        .recipient
        .strip_prefix("lotse:")
        .ok_or("Eine Übersicht geht nur an Lotsen.")?;
    let (to, _) = lotse_mailbox(tx, id)?;
    let read = |collection: Collection, id: &str| tx.get(collection.as_str(), id).ok().flatten();
    let requests: Vec<(String, Request, Option<Topic>)> = m
        .digest
        .iter()
        .filter_map(|id| {
            let r: Request = read(Collection::Requests, id).and_then(|r| parse(&r))?;
            let topic = r
                .topic
                .as_deref()
                .and_then(|t| read(Collection::Topics, t))
                .and_then(|t| parse(&t));
            Some((id.clone(), r, topic))
        })
        .filter(|(_, r, _)| r.status == lotsen_domain::model::Status::Neu)
        .collect();
    if requests.is_empty() {
        return Err("Alle Anliegen der Übersicht sind inzwischen übernommen.".into());
    }
    let items: Vec<(&Request, Option<&Topic>, String)> = requests
        .iter()
        .map(|(id, r, t)| {
            (
                r,
                t.as_ref(),
                format!("{}/arbeitsplatz/{id}", mailer.public_url),
            )
        })
        .collect();
    let text = notify::digest_text(&items, &format!("{}/arbeitsplatz", mailer.public_url));
    build(mailer, to, &m.message_id, text)
}

fn build(
    mailer: &Mailer,
    to: Mailbox,
    message_id: &str,
    text: notify::Text,
) -> Result<Message, String> {
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(text.subject)
        .message_id(Some(message_id.to_owned()))
        .header(ListUnsubscribe(format!("<{}/profil>", mailer.public_url)))
        .header(ContentType::TEXT_PLAIN)
        // Quoted-printable: readable in any mail program's source view, and safe for a relay
        // without 8BITMIME.
        .body(
            Body::new_with_encoding(text.body, ContentTransferEncoding::QuotedPrintable)
                .map_err(|_| "Die Mail ließ sich nicht kodieren.".to_owned())?,
        )
        .map_err(|e| format!("Die Mail ließ sich nicht zusammensetzen: {e}"))
}

// ---- The Projektbüro's view ----

fn describe_recipient(tx: &Tx, recipient: &str) -> String {
    if let Some(id) = recipient.strip_prefix("lotse:") {
        let name = tx
            .get(Collection::Lotsen.as_str(), id)
            .ok()
            .flatten()
            .and_then(|r| parse::<Lotse>(&r))
            .map(|l| l.name);
        format!("Lotse {}", name.unwrap_or_else(|| "(gelöscht)".into()))
    } else if recipient == "buero" {
        "Projektbüro".into()
    } else {
        "Antragsteller/in".into()
    }
}

fn reason_label(reason: &str) -> &'static str {
    if reason == DIGEST {
        return "tägliche Übersicht";
    }
    match reason_of(reason) {
        Some(Reason::Addressed) => "Anliegen an eine Lotsin oder einen Lotsen",
        Some(Reason::Topic) => "neues Anliegen im Thema",
        Some(Reason::Buero) => "Anliegen für das Projektbüro",
        Some(Reason::Status) => "neuer Status",
        Some(Reason::Answer) => "Antwort",
        None => "unbekannt",
    }
}

/// What waits in the outbox and what was given up.
pub fn status(store: &Store) -> StoreResult<MailStatus> {
    store.read(|tx| {
        // Counted apart from the list: the list is the newest only, the counts are all.
        let (waiting, failed) = tx.mail_counts()?;
        let unsent = tx.unsent_mails(STATUS_LIST)?;
        Ok(MailStatus {
            waiting,
            failed,
            mails: unsent
                .into_iter()
                .map(|m| PendingMail {
                    id: m.id,
                    recipient: describe_recipient(tx, &m.mail.recipient),
                    reason: reason_label(&m.mail.reason).to_owned(),
                    request: m.mail.request,
                    created_at: m.created_at,
                    attempts: m.attempts,
                    failed: m.failed,
                    last_error: m.last_error,
                })
                .collect(),
        })
    })
}

/// Mails listed for the Büro (the newest); the counts cover all.
const STATUS_LIST: usize = 100;

const MAIL_REFUSAL: &str = "Den Versand der Mails sieht das Projektbüro.";

pub fn router() -> axum::Router<crate::ServerState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/mail", get(status_handler))
        .route("/api/v1/mail/{id}/retry", post(retry_handler))
}

async fn status_handler(
    axum::extract::State(state): axum::extract::State<crate::ServerState>,
    caller: Caller,
) -> Result<axum::Json<MailStatus>, crate::error::ApiError> {
    crate::api::require_buero(&caller, MAIL_REFUSAL)?;
    let store = state.store.clone();
    Ok(axum::Json(
        crate::api::blocking(move || Ok(status(&store)?)).await?,
    ))
}

/// `POST /api/v1/mail/{id}/retry` (Büro): a given-up mail is sent again at once.
async fn retry_handler(
    axum::extract::State(state): axum::extract::State<crate::ServerState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::http::StatusCode, crate::error::ApiError> {
    crate::api::require_buero(&caller, MAIL_REFUSAL)?;
    let Ok(id) = id.parse::<i64>() else {
        return Err(crate::error::ApiError::Missing(
            "unknown_mail",
            "Diese Mail gibt es nicht (mehr).".into(),
        ));
    };
    let store = state.store.clone();
    let now_ms = crate::auth::now_ms();
    let found =
        crate::api::blocking(move || Ok(store.write(|tx| tx.retry_mail(id, now_ms))?)).await?;
    if !found {
        return Err(crate::error::ApiError::Missing(
            "unknown_mail",
            "Diese Mail gibt es nicht (mehr) oder sie ist schon versandt.".into(),
        ));
    }
    if let Some(mailer) = &state.mailer {
        mailer.wake.notify_one();
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}
