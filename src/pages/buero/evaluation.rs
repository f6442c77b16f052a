//! `/buero/auswertung`: demand against coverage per topic (SPEC §4) — requests per topic and
//! kind, open and closed, and the ranking "Hier fehlen Lotsen oder Schulungen" of
//! `lotsen_domain::demand`. Figures are aggregated by topic only, never per person
//! (staff-council rule), so nothing here names a Lotse or a colleague.

use leptos::prelude::*;
use lotsen_domain::coverage::Coverage;
use lotsen_domain::demand::{is_open, rank, RequestFact, TopicDemand};
use lotsen_domain::model::Kind;

use super::BueroOnly;
use crate::components::state;
use crate::state::Data;

const PATH: &str = "/buero/auswertung";

/// How many topics the ranking names: the ones to act on first, not the whole catalogue.
const RANKED: usize = 10;

#[derive(Clone, Debug, PartialEq)]
struct Line {
    name: String,
    demand: TopicDemand,
}

#[derive(Clone, Debug, PartialEq)]
struct Stats {
    /// Every topic, most needed first.
    lines: Vec<Line>,
    departments: usize,
    requests: usize,
    open: usize,
}

impl Stats {
    fn build(data: &Data) -> Stats {
        let topic_ids: Vec<String> = data
            .topics_by_category()
            .into_iter()
            .flat_map(|(_, list)| list.into_iter().map(|(id, _)| id))
            .collect();
        let coverage = Coverage::compute(
            topic_ids.iter().map(String::as_str),
            data.lotsen.values().map(|r| &r.data),
        );
        // The times stay unknown: a request does not record when it was handed in, so the
        // time to `erledigt` cannot be measured (see the footnote on the screen).
        let facts: Vec<RequestFact> = data
            .requests
            .values()
            .map(|r| RequestFact {
                topic: r.data.topic.as_deref(),
                kind: r.data.kind,
                status: r.data.status,
                created_at: None,
                closed_at: None,
            })
            .collect();
        let lines = rank(&facts, &coverage)
            .into_iter()
            .map(|demand| Line {
                name: data
                    .topic_name(&demand.topic)
                    .unwrap_or(&demand.topic)
                    .to_owned(),
                demand,
            })
            .collect();
        Stats {
            lines,
            departments: coverage.departments.len(),
            requests: facts.len(),
            open: facts.iter().filter(|f| is_open(f.status)).count(),
        }
    }
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
    let stats = Memo::new(move |_| state.data.with(Stats::build));
    view! {
        <p>"Alle Zahlen sind nach Thema zusammengefasst, nie nach Personen."</p>
        <p>
            <a href="/api/v1/export/requests.csv" rel="external" download data-testid="requests-csv">"Anliegen als CSV herunterladen"</a>
            " (für Excel; nur mit Verbindung zum Server)"
        </p>
        {move || stats.with(|s| (summary(s), ranking(s), chart(s), table(s)))}
        <p class="hint" id="fussnote">
            "Die Dauer bis „erledigt“ lässt sich noch nicht angeben: Beim Anliegen wird bisher nur der Zeitpunkt der letzten Änderung gespeichert, nicht der Eingang. "
            "„Abgeschlossen“ heißt erledigt oder abgelehnt; „offen“ heißt neu, in Bearbeitung oder weitergeleitet."
        </p>
    }
}

fn summary(s: &Stats) -> impl IntoView {
    view! {
        <p data-testid="summary">
            {format!(
                "{} Anliegen, davon {} offen und {} abgeschlossen.",
                s.requests,
                s.open,
                s.requests - s.open
            )}
        </p>
    }
}

fn ranking(s: &Stats) -> impl IntoView {
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
fn chart(s: &Stats) -> AnyView {
    let mut asked: Vec<&Line> = s.lines.iter().filter(|l| l.demand.requests > 0).collect();
    if asked.is_empty() {
        return view! { <p data-testid="no-requests">"Es gibt noch keine Anliegen zu Themen."</p> }
            .into_any();
    }
    asked.sort_by_key(|l| std::cmp::Reverse(l.demand.requests));
    let max = asked.first().map_or(1, |l| l.demand.requests.max(1));
    const LABEL: usize = 220;
    const BAR: usize = 320;
    const ROW: usize = 26;
    let height = asked.len() * ROW + 8;
    let width = LABEL + BAR + 50;
    view! {
        <h2 id="chart-heading">"Anliegen je Thema"</h2>
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

fn table(s: &Stats) -> impl IntoView {
    view! {
        <h2 id="tabelle">"Bedarf und Abdeckung je Thema"</h2>
        <div class="stats-scroll" role="region" aria-labelledby="tabelle" tabindex="0">
            <table class="stats-table" data-testid="stats-table">
                <caption>"Anliegen nach Art und Stand, Lotsen mit Stufe 2 oder 3 und Bereiche mit Lücke, je Thema"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Thema"</th>
                        <th scope="col">"Anliegen"</th>
                        {Kind::ALL.iter().map(|k| view! { <th scope="col">{k.label()}</th> }).collect_view()}
                        <th scope="col">"offen"</th>
                        <th scope="col">"abgeschlossen"</th>
                        <th scope="col">"Lotsen (Stufe 2–3)"</th>
                        <th scope="col">"Bereiche mit Lücke"</th>
                    </tr>
                </thead>
                <tbody>
                    {s.lines.iter().map(|l| {
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
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
