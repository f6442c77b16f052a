//! `/buero/auswertung?thema=`: demand against coverage per topic (SPEC §4) — requests per
//! topic and kind, open and closed, the median time to `erledigt`, the requests per month
//! over the last year (of one topic, chosen in the URL), and the ranking "Hier fehlen Lotsen
//! oder Schulungen" of `lotsen_domain::demand`. Figures are aggregated by topic only, never per person
//! (staff-council rule), so nothing here names a Lotse or a colleague.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::demand::{
    duration_de, per_month, Evaluation as Figures, EvaluationLine, MonthCount, RequestFact,
};
use lotsen_domain::model::{Kind, Request};
use lotsen_domain::protocol::{MailStatus, PendingMail};

use lotsen_domain::paging::Portion;
use lotsen_domain::time::months_until;

use super::BueroOnly;
use crate::components::{page_from_query, pager, state};

/// Bars in the chart: the most asked topics (every topic is in the table).
const CHART_TOPICS: usize = 30;
/// Rows per page of the table (at 200 topics all rows were 2,400 cells).
const TABLE_ROWS: usize = 50;
use crate::forms::TopicOptions;
use crate::pages::{page_param, query_string, url_encode};
use crate::state::Records;

const PATH: &str = "/buero/auswertung";

/// How many topics the ranking names: the ones to act on first, not the whole catalogue.
const RANKED: usize = 10;
/// How many months the trend shows, this one included.
const MONTHS: usize = 12;

fn request_fact(r: &Request) -> RequestFact<'_> {
    RequestFact {
        topic: r.topic.as_deref(),
        kind: r.kind,
        status: r.status,
        created_at: r.created_at.as_deref(),
        closed_at: r.closed_at.as_deref(),
    }
}

/// The domain's evaluation ([`Figures`]) of the device's data, topics in the order of the topic list.
fn evaluate(data: &Records) -> Figures {
    let ordered = data.topics_by_category();
    let topics: Vec<(&str, &str)> = ordered
        .iter()
        .flat_map(|(_, list)| list.iter().map(|(id, t)| (id.as_str(), t.name.as_str())))
        .collect();
    let facts: Vec<RequestFact> = data
        .requests
        .values()
        .map(|r| request_fact(&r.data))
        .collect();
    Figures::build(&topics, data.lotsen.values().map(|r| &r.data), &facts)
}

#[component]
pub fn BueroEvaluationPage() -> impl IntoView {
    crate::set_title("Auswertung");
    view! {
        <h1>"Auswertung: Bedarf und Abdeckung"</h1>
        <BueroOnly path=PATH><Evaluation/></BueroOnly>
    }
}

#[component]
fn Evaluation() -> impl IntoView {
    let state = state();
    let stats = Memo::new(move |_| state.data.with(evaluate));
    let page = page_from_query();
    let query = use_query_map();
    view! {
        <p>"Alle Zahlen sind nach Thema zusammengefasst, nie nach Personen."</p>
        <h2 id="downloads">"Herunterladen"</h2>
        <p>"Nur mit Verbindung zum Server. Die CSV-Dateien öffnen sich in Excel."</p>
        <ul class="downloads">
            <li><a href="/api/v1/export/requests.csv" rel="external" download data-testid="requests-csv">"Anliegen (CSV)"</a></li>
            <li><a href="/api/v1/export/applications.csv" rel="external" download>"Bewerbungen (CSV)"</a></li>
            <li><a href="/api/v1/export/lotsen.csv" rel="external" download>"Lotsen (CSV)"</a></li>
            <li>
                <a href="/api/v1/export/backup.json" rel="external" download data-testid="backup">"Sicherung aller Daten (JSON)"</a>
                " – enthält Namen und Kontaktdaten: bitte nur auf Laufwerken der Stadt speichern. Der Betrieb spielt sie mit "
                <code>"lotsen-server import --in …"</code>" zurück."
            </li>
        </ul>
        <MailSection/>
        {move || stats.with(|s| (summary(s), ranking(s), chart(s)))}
        <Trend/>
        {move || {
            let (page, slug) = (page.get(), query.with(|q| q.get("thema").unwrap_or_default()));
            stats.with(|s| table(s, page, slug))
        }}
        <p class="hint" id="fussnote">
            "„Abgeschlossen“ heißt erledigt oder abgelehnt; „offen“ heißt neu, in Bearbeitung oder weitergeleitet. "
            "Die Dauer bis „erledigt“ reicht vom Absenden des Anliegens bis zum Abschließen (Median: die Hälfte der Anliegen war schneller erledigt). "
            "Anliegen aus der Zeit, bevor der Lotsenfinder den Eingang speicherte, fehlen in der Dauer und im Verlauf je Monat; alle anderen Zahlen enthalten sie."
        </p>
    }
}

/// "2026-11" → ("Nov.", "2026").
fn month_label(month: &str) -> (&'static str, &str) {
    const NAMES: [&str; 12] = [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ];
    let m: usize = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    (NAMES[m.clamp(1, 12) - 1], month.get(0..4).unwrap_or(""))
}

/// The colours of the kinds in the trend chart, in the order of [`Kind::ALL`]; each at least
/// 3:1 against white, told apart by the legend and the white gaps between the parts of a bar.
const KIND_CLASSES: [&str; 4] = ["kind-frage", "kind-wunsch", "kind-anregung", "kind-problem"];

/// Requests per month over the last year, of all topics or of the one in `?thema=` (a slug).
#[component]
fn Trend() -> impl IntoView {
    let state = state();
    let query_map = use_query_map();
    let navigate = StoredValue::new_local(use_navigate());
    let slug = Memo::new(move |_| query_map.with(|q| q.get("thema").unwrap_or_default()));
    let months = months_until(&crate::clock::this_month(), MONTHS);
    let counts = Memo::new(move |_| {
        let slug = slug.get();
        state.data.with(|d| {
            let topic = d
                .topic_by_slug(&slug)
                .map(|(id, t)| (id.clone(), t.name.clone()));
            let facts: Vec<RequestFact> =
                d.requests.values().map(|r| request_fact(&r.data)).collect();
            let counts = per_month(&facts, &months, topic.as_ref().map(|(id, _)| id.as_str()));
            (topic.map(|(_, name)| name), counts)
        })
    });
    let show_trend = move |slug: String| {
        let href = if slug.is_empty() {
            PATH.to_owned()
        } else {
            format!("{PATH}?thema={}", url_encode(&slug))
        };
        navigate.with_value(|n| n(&href, Default::default()));
    };
    view! {
        <h2 id="verlauf">"Anliegen im Lauf der Zeit"</h2>
        <div class="filters">
            <div class="field">
                <label for="trend-thema">"Thema"</label>
                <select id="trend-thema" on:change=move |ev| show_trend(event_target_value(&ev))>
                    <TopicOptions none="alle Themen" by_slug=true selected=slug/>
                </select>
            </div>
        </div>
        {move || counts.with(|(topic, counts)| trend_view(topic.as_deref(), counts))}
    }
}

fn trend_view(topic: Option<&str>, counts: &[MonthCount]) -> impl IntoView {
    let what = match topic {
        Some(name) => format!("Anliegen zum Thema {name} je Monat"),
        None => "Anliegen je Monat".to_owned(),
    };
    let total: usize = counts.iter().map(MonthCount::total).sum();
    let max = counts
        .iter()
        .map(MonthCount::total)
        .max()
        .unwrap_or(0)
        .max(1);
    const AXIS: usize = 34;
    const COLUMN: usize = 46;
    const BAR: usize = 30;
    const PLOT: usize = 180;
    let width = AXIS + counts.len() * COLUMN;
    let height = PLOT + 46;
    let desc = counts
        .iter()
        .map(|c| {
            let (m, y) = month_label(&c.month);
            let kinds: Vec<String> = Kind::ALL
                .iter()
                .zip(c.by_kind)
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{n} {}", k.label()))
                .collect();
            if kinds.is_empty() {
                format!("{m} {y}: keine")
            } else {
                format!("{m} {y}: {} ({})", c.total(), kinds.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <p data-testid="trend-total">{format!("{what}, letzte {MONTHS} Monate: {total} insgesamt.")}</p>
        <svg class="chart trend" role="img" aria-labelledby="trend-title trend-desc" data-testid="trend-chart"
            viewBox=format!("0 0 {width} {height}") width=width.to_string() height=height.to_string()>
            <title id="trend-title">{format!("{what} (gestapeltes Säulendiagramm nach Art)")}</title>
            <desc id="trend-desc">{desc}</desc>
            <g aria-hidden="true">
                <line class="axis" x1=AXIS.to_string() x2=width.to_string() y1=PLOT.to_string() y2=PLOT.to_string()></line>
                <text x=(AXIS - 6).to_string() y=PLOT.to_string() text-anchor="end">"0"</text>
                <text x=(AXIS - 6).to_string() y="14" text-anchor="end">{max.to_string()}</text>
                {counts.iter().enumerate().map(|(i, c)| {
                    let x = AXIS + i * COLUMN + (COLUMN - BAR) / 2;
                    let mut top = PLOT;
                    let parts = Kind::ALL.iter().enumerate().filter(|(k, _)| c.by_kind[*k] > 0).map(|(k, _)| {
                        let h = (c.by_kind[k] * (PLOT - 20) / max).max(2);
                        top -= h;
                        view! { <rect class=format!("bar {}", KIND_CLASSES[k]) x=x.to_string() y=top.to_string() width=BAR.to_string() height=h.to_string()></rect> }
                    }).collect_view();
                    let (m, y) = month_label(&c.month);
                    let cx = (x + BAR / 2).to_string();
                    // The year under the first month and under every January.
                    let year = (i == 0 || m == "Jan.").then(|| view! { <text x=cx.clone() y=(PLOT + 32).to_string() text-anchor="middle">{y.to_owned()}</text> });
                    view! {
                        {parts}
                        {(c.total() > 0).then(|| view! { <text x=cx.clone() y=(top - 4).to_string() text-anchor="middle">{c.total().to_string()}</text> })}
                        <text x=cx.clone() y=(PLOT + 16).to_string() text-anchor="middle">{m}</text>
                        {year}
                    }
                }).collect_view()}
            </g>
        </svg>
        <ul class="legend" aria-hidden="true">
            {Kind::ALL.iter().enumerate().map(|(k, kind)| view! {
                <li><span class=format!("swatch {}", KIND_CLASSES[k])></span>{kind.label()}</li>
            }).collect_view()}
        </ul>
        <div class="stats-scroll" role="region" aria-labelledby="trend-caption" tabindex="0">
            <table class="stats-table" data-testid="trend-table">
                <caption id="trend-caption">{format!("{what} nach Art")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Monat"</th>
                        {Kind::ALL.iter().map(|k| view! { <th scope="col">{k.label()}</th> }).collect_view()}
                        <th scope="col">"zusammen"</th>
                    </tr>
                </thead>
                <tbody>
                    {counts.iter().map(|c| {
                        let (m, y) = month_label(&c.month);
                        view! {
                            <tr>
                                <th scope="row">{format!("{m} {y}")}</th>
                                {c.by_kind.iter().map(|n| view! { <td class="num">{n.to_string()}</td> }).collect_view()}
                                <td class="num">{c.total().to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn summary(s: &Figures) -> impl IntoView {
    view! {
        <p data-testid="summary">
            {format!(
                "{} Anliegen, davon {} offen und {} abgeschlossen.",
                s.requests,
                s.open,
                s.requests - s.open
            )}
        </p>
        <p data-testid="median">
            {match s.median {
                Some(m) => format!(
                    "Bis „erledigt“ vergehen im Median {} (über {} erledigte Anliegen).",
                    duration_de(m.seconds),
                    m.count
                ),
                None => "Die Dauer bis „erledigt“ lässt sich noch nicht angeben: Es gibt noch kein erledigtes Anliegen mit bekanntem Eingang.".to_owned(),
            }}
        </p>
    }
}

fn ranking(s: &Figures) -> impl IntoView {
    let departments = s.departments;
    view! {
        <h2>"Hier fehlen Lotsen oder Schulungen"</h2>
        <p>"Zuerst die Themen, zu denen viele (besonders offene) Anliegen kommen, während in vielen Bereichen weniger als zwei Lotsen helfen können."</p>
        <ol class="need-list" data-testid="need-list">
            {s.lines.iter().take(RANKED).map(|l| {
                let d = &l.demand;
                let helpers = match d.helpers {
                    1 => "1 Lotse kann helfen".to_owned(),
                    n => format!("{n} Lotsen können helfen"),
                };
                view! {
                    <li>
                        <strong>{l.name.clone()}</strong>
                        {format!(
                            ": {} Anliegen ({} offen), {helpers}, Lücke in {} von {departments} Bereichen",
                            d.requests, d.open, d.gap_departments
                        )}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// Requests per topic as a horizontal bar chart; the same numbers stand in the table below.
fn chart(s: &Figures) -> AnyView {
    let mut asked: Vec<&EvaluationLine> =
        s.lines.iter().filter(|l| l.demand.requests > 0).collect();
    if asked.is_empty() {
        return view! { <p data-testid="no-requests">"Es gibt noch keine Anliegen zu Themen."</p> }
            .into_any();
    }
    asked.sort_by_key(|l| std::cmp::Reverse(l.demand.requests));
    let more = asked.len().saturating_sub(CHART_TOPICS);
    asked.truncate(CHART_TOPICS);
    let max = asked.first().map_or(1, |l| l.demand.requests.max(1));
    const LABEL: usize = 220;
    const BAR: usize = 320;
    const ROW: usize = 26;
    let height = asked.len() * ROW + 8;
    let width = LABEL + BAR + 50;
    view! {
        <h2 id="chart-heading">"Anliegen je Thema"</h2>
        {(more > 0).then(|| view! {
            <p>{format!("Die {CHART_TOPICS} meistgefragten Themen; {more} weitere stehen in der Tabelle unten.")}</p>
        })}
        <svg class="chart" role="img" aria-labelledby="chart-title chart-desc" data-testid="chart"
            viewBox=format!("0 0 {width} {height}") width=width.to_string() height=height.to_string()>
            <title id="chart-title">"Anliegen je Thema (Balkendiagramm)"</title>
            <desc id="chart-desc">
                {asked.iter().map(|l| format!("{}: {}", l.name, l.demand.requests)).collect::<Vec<_>>().join("; ")}
            </desc>
            {asked.iter().enumerate().map(|(i, l)| {
                let y = i * ROW + 4;
                let w = (l.demand.requests * BAR / max).max(2);
                // Long names are shortened in the picture only; the table has them in full.
                let label: String = if l.name.chars().count() > 30 {
                    l.name.chars().take(29).chain(['…']).collect()
                } else {
                    l.name.clone()
                };
                view! {
                    <g aria-hidden="true">
                        <text x="0" y=(y + 16).to_string()>{label}</text>
                        <rect class="bar" x=LABEL.to_string() y=y.to_string() width=w.to_string() height="20"></rect>
                        <text x=(LABEL + w + 6).to_string() y=(y + 16).to_string()>{l.demand.requests.to_string()}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
    .into_any()
}

fn table(s: &Figures, page: usize, slug: String) -> impl IntoView {
    let portion = Portion::of(s.lines.len(), page, TABLE_ROWS);
    view! {
        <h2 id="tabelle">"Bedarf und Abdeckung je Thema"</h2>
        <div class="stats-scroll" role="region" aria-labelledby="tabelle" tabindex="0">
            <table class="stats-table" data-testid="stats-table">
                <caption>
                    "Anliegen nach Art und Stand, Lotsen mit Stufe 2 oder 3, Bereiche mit Lücke und Dauer bis erledigt, je Thema"
                    {(portion.pages > 1).then(|| format!(" – {}: Themen {} bis {} von {}", portion.page_de(), portion.start + 1, portion.end, portion.total))}
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Thema"</th>
                        <th scope="col">"Anliegen"</th>
                        {Kind::ALL.iter().map(|k| view! { <th scope="col">{k.label()}</th> }).collect_view()}
                        <th scope="col">"offen"</th>
                        <th scope="col">"abgeschlossen"</th>
                        <th scope="col">"Lotsen (Stufe 2–3)"</th>
                        <th scope="col">"Bereiche mit Lücke"</th>
                        <th scope="col">"Median bis erledigt"</th>
                    </tr>
                </thead>
                <tbody>
                    {portion.slice(&s.lines).iter().map(|l| {
                        let d = &l.demand;
                        view! {
                            <tr>
                                <th scope="row">{l.name.clone()}</th>
                                <td class="num">{d.requests.to_string()}</td>
                                {d.by_kind.iter().map(|n| view! { <td class="num">{n.to_string()}</td> }).collect_view()}
                                <td class="num">{d.open.to_string()}</td>
                                <td class="num">{(d.requests - d.open).to_string()}</td>
                                <td class="num">{d.helpers.to_string()}</td>
                                <td class="num">{d.gap_departments.to_string()}</td>
                                <td class="num">{l.median.map_or_else(|| "–".to_owned(), duration_de)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager(portion, move |p| table_url(&slug, p), "Seiten der Tabelle", ".stats-scroll[aria-labelledby=tabelle]")}
    }
}

/// The address of a page of the table, keeping the topic of the trend.
fn table_url(slug: &str, page: usize) -> String {
    let query = query_string(&[("thema", slug), ("seite", &page_param(page))]);
    format!("{PATH}{query}#tabelle")
}

/// The server's mail outbox: how many mails wait, which could not be delivered and why, and a
/// way to send one again. Read from the server when the screen opens (online only).
#[component]
fn MailSection() -> impl IntoView {
    let state = state();
    let status = RwSignal::new(None::<Result<MailStatus, String>>);
    let load = move || {
        spawn_local(async move {
            let api = state.services.api.get_value();
            let result = match api {
                Some(api) => api.mail_status().await.map_err(|e| e.message()),
                None => Err("Der Lotsenfinder startet noch.".to_owned()),
            };
            status.set(Some(result));
        });
    };
    let online = Memo::new(move |_| state.sync.with(|s| s.online));
    Effect::new(move |_| {
        if online.get() {
            load();
        }
    });
    // The button pressed goes with the failed mail it stood at: the notice says what became of
    // it and takes the focus, so keyboard and screen-reader users are not left at the page's top.
    let notice = super::Notice::new();
    let retry = move |id: i64, recipient: String| {
        spawn_local(async move {
            let Some(api) = state.services.api.get_value() else {
                return;
            };
            match api.retry_mail(id).await {
                Ok(()) => notice.say(format!("Die Mail an {recipient} wird erneut gesendet.")),
                Err(e) => notice.warn(format!(
                    "Die Mail an {recipient} konnte nicht erneut gesendet werden: {}",
                    e.message()
                )),
            }
            notice.focus();
            load();
        });
    };
    view! {
        <h2 id="mails">"Benachrichtigungen per E-Mail"</h2>
        {notice.view()}
        <div role="status" data-testid="mail-status">
            {move || match status.get() {
                None => view! { <p class="loading">"Wird vom Server gelesen …"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="notice warning">{message}</p> }.into_any(),
                Some(Ok(s)) => view! {
                    <p>{mail_counts(s.waiting, s.failed)}</p>
                }.into_any(),
            }}
        </div>
        {move || {
            let failed: Vec<PendingMail> = status.with(|s| match s {
                // The newest; the count above says how many there are.
                Some(Ok(s)) => s.mails.iter().filter(|m| m.failed.is_some()).take(20).cloned().collect(),
                _ => Vec::new(),
            });
            (!failed.is_empty()).then(|| view! {
                <ul class="buero-list" aria-label="Nicht zugestellte Mails">
                    {failed.into_iter().map(|m| {
                        let (id, recipient) = (m.id, m.recipient.clone());
                        view! {
                            <li class="buero-item" data-testid="failed-mail">
                                <p>
                                    <strong>{m.recipient.clone()}</strong> " · " {m.reason.clone()}
                                    " · " {crate::clock::german_date(&m.created_at)}
                                    {(!m.request.is_empty()).then(|| view! { " · " <A href=format!("/arbeitsplatz/{}", m.request)>"zum Anliegen"</A> })}
                                </p>
                                <p class="muted">"Grund: " {m.failed.clone().unwrap_or_default()}</p>
                                <button type="button" class="link-button" on:click=move |_| retry(id, recipient.clone())>
                                    "Erneut senden" <span class="visually-hidden">" an " {m.recipient.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })
        }}
    }
}

fn mail_counts(waiting: usize, failed: usize) -> String {
    let waiting = match waiting {
        0 => "Keine Mail wartet auf den Versand".to_owned(),
        1 => "1 Mail wartet auf den Versand".to_owned(),
        n => format!("{n} Mails warten auf den Versand"),
    };
    let failed = match failed {
        0 => "alle anderen sind zugestellt.".to_owned(),
        1 => "1 Mail konnte nicht zugestellt werden.".to_owned(),
        n => format!("{n} Mails konnten nicht zugestellt werden."),
    };
    format!("{waiting}; {failed}")
}
