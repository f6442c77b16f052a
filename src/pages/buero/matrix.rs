//! `/buero/matrix?bereich=…&kategorie=…&seite=…`: the skills matrix (SPEC §4) — active Lotsen × topics
//! with their levels, topics grouped by category, and below it the coverage per topic and
//! department with the gaps marked. The filters live in the URL, so a view can be bookmarked
//! and the CSV download takes the same filters.
//!
//! At 2,000 Lotsen × 200 topics the whole table would have 400,000 cells and take about ten
//! seconds to appear (measured with `e2e/bench/matrix.mjs`), so it shows a page of Lotsen at a
//! time ([`rows_per_page`]: at most [`MAX_CELLS`] cells), with the page in the URL. The grid is computed once per change of data or filter (a
//! memo), and the cells are plain elements without signals of their own. The coverage table
//! and the CSV download always take every Lotse of the filter.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::coverage::{is_stale, Coverage, MIN_HELPERS};
use lotsen_domain::matrix::{matches, Matrix, MatrixFilter, MatrixRow};
use lotsen_domain::model::Level;

use super::BueroOnly;
use crate::components::focus_soon;
use crate::components::{pager, state};
use crate::pages::{page_param, query_string};
use crate::state::Records;
use lotsen_domain::paging::Portion;

const PATH: &str = "/buero/matrix";

/// Lotsen per page when there are few topics.
const PAGE: usize = 50;
/// Cells per page of the matrix at most: with the coverage table below it, a page stays below
/// the 3,000 DOM nodes a screen may hold (at 200 topics, 50 rows were 16,000 nodes and a task
/// of 170 ms; 1,600 and 1,000 cells were still 3,185).
const MAX_CELLS: usize = 1_400;
/// Cells per page of the coverage table at most (at city scale 200 topics × 24 departments).
const MAX_COVERAGE_CELLS: usize = 800;

/// Rows per page for `topics` columns: 50 up to 32 topics, fewer beyond (7 at 200 topics), at
/// least 5.
fn rows_per_page(topics: usize) -> usize {
    (MAX_CELLS / topics.max(1)).clamp(5, PAGE)
}

/// The query string of both filters (empty ones left out), with its leading `?` if any.
fn query(bereich: &str, kategorie: &str) -> String {
    paged_query(bereich, kategorie, 1, 1)
}

/// [`query`] with the page of the matrix and the page of the coverage table, each left out
/// when it is the first.
fn paged_query(bereich: &str, kategorie: &str, page: usize, coverage_page: usize) -> String {
    query_string(&[
        ("bereich", bereich.trim()),
        ("kategorie", kategorie.trim()),
        ("seite", &page_param(page)),
        ("abdeckung", &page_param(coverage_page)),
    ])
}

#[derive(Clone, Debug, PartialEq)]
struct Grid {
    /// The shown categories, each with its number of topics.
    categories: Vec<(String, usize)>,
    /// Ids and names of the shown topics, by category, then name.
    topics: Vec<(String, String)>,
    /// The rows, each with whether its profile is over a year unconfirmed.
    rows: Vec<(MatrixRow, bool)>,
    coverage: Coverage,
    /// The filters it was built with, for the links to other pages.
    bereich: String,
    kategorie: String,
}

impl Grid {
    /// The domain's [`Matrix`], the very one `matrix.csv` writes, with what the screen adds:
    /// the coverage of the same Lotsen and topics, and the unconfirmed profiles.
    fn build(data: &Records, bereich: &str, kategorie: &str, today: &str) -> Grid {
        let filter = MatrixFilter {
            department: bereich.to_owned(),
            category: kategorie.to_owned(),
        };
        let matrix = Matrix::build(
            data.topics.iter().map(|(id, t)| (id.as_str(), &t.data)),
            data.lotsen.iter().map(|(id, l)| (id.as_str(), &l.data)),
            &filter,
        );
        let topics: Vec<(String, String)> = matrix
            .columns
            .iter()
            .map(|c| (c.topic.clone(), c.name.clone()))
            .collect();
        let coverage = Coverage::compute(
            topics.iter().map(|(id, _)| id.as_str()),
            matrix
                .rows
                .iter()
                .filter_map(|r| data.lotsen.get(&r.lotse).map(|l| &l.data)),
        );
        let categories = matrix.categories();
        let rows = matrix
            .rows
            .into_iter()
            .map(|r| {
                let stale = is_stale(r.confirmed_at.as_deref(), today);
                (r, stale)
            })
            .collect();
        Grid {
            categories,
            topics,
            rows,
            coverage,
            bereich: bereich.to_owned(),
            kategorie: kategorie.to_owned(),
        }
    }
}

/// The cell text for screen readers; static, so that 400,000 cells allocate nothing.
fn level_cell(level: Option<Level>) -> impl IntoView {
    let (digit, label) = match level.map(Level::get) {
        None => return view! { <td></td> }.into_any(),
        Some(1) => ("1", ": kennt sich aus"),
        Some(2) => ("2", ": kann helfen"),
        Some(_) => ("3", ": kann schulen"),
    };
    view! {
        <td class="matrix-level">
            <span class="visually-hidden">"Stufe "</span>{digit}<span class="visually-hidden">{label}</span>
        </td>
    }
    .into_any()
}

#[component]
pub fn BueroMatrixPage() -> impl IntoView {
    crate::set_title("Kompetenzmatrix");
    view! {
        <h1>"Kompetenzmatrix"</h1>
        <BueroOnly path=PATH><Matrix/></BueroOnly>
    }
}

#[component]
fn Matrix() -> impl IntoView {
    let state = state();
    let query_map = use_query_map();
    let navigate = StoredValue::new_local(use_navigate());
    let bereich = Memo::new(move |_| query_map.with(|q| q.get("bereich").unwrap_or_default()));
    let kategorie = Memo::new(move |_| query_map.with(|q| q.get("kategorie").unwrap_or_default()));
    let page = Memo::new(move |_| {
        query_map.with(|q| {
            q.get("seite")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .max(1)
        })
    });
    let coverage_page = Memo::new(move |_| {
        query_map.with(|q| lotsen_domain::paging::parse_page(q.get("abdeckung").as_deref()))
    });
    let today = crate::clock::today();
    let grid = Memo::new(move |_| {
        state
            .data
            .with(|d| Grid::build(d, &bereich.get(), &kategorie.get(), &today))
    });
    // A page link re-renders the table and the link itself may go; the focus moves to the
    // table, so keyboard and screen reader users go on from there.
    // (Only for a new page under the same filters: a filter change keeps the focus on its
    // select.)
    Effect::new(move |before: Option<(String, String, usize)>| {
        let now = (bereich.get(), kategorie.get(), page.get());
        if before.is_some_and(|b| b.0 == now.0 && b.1 == now.1 && b.2 != now.2) {
            focus_soon(|| document().query_selector(".matrix-scroll").ok().flatten());
        }
        now
    });
    let departments = Memo::new(move |_| state.data.with(Records::departments));
    let categories = Memo::new(move |_| {
        state.data.with(|d| {
            d.topics_by_category()
                .into_iter()
                .map(|(c, _)| c)
                .collect::<Vec<_>>()
        })
    });
    let show = move |b: String, k: String| {
        navigate.with_value(|n| n(&format!("{PATH}{}", query(&b, &k)), Default::default()));
    };
    let csv_href = move || {
        format!(
            "/api/v1/export/matrix.csv{}",
            query(&bereich.get(), &kategorie.get())
        )
    };

    view! {
        <p>"Welche aktiven Lotsen kennen sich in welchen Themen aus? Stufe 1: kennt sich aus, Stufe 2: kann helfen, Stufe 3: kann schulen."</p>
        <div class="filters matrix-filters">
            <div class="field">
                <label for="matrix-bereich">"Bereich"</label>
                <select id="matrix-bereich" on:change=move |ev| show(event_target_value(&ev), kategorie.get_untracked())>
                    <option value="" selected=move || bereich.get().trim().is_empty()>"alle Bereiche"</option>
                    {move || departments.get().into_iter().map(|d| {
                        let selected = matches(&bereich.get(), &d) && !bereich.get().trim().is_empty();
                        let label = d.clone();
                        view! { <option value=d selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="matrix-kategorie">"Kategorie"</label>
                <select id="matrix-kategorie" on:change=move |ev| show(bereich.get_untracked(), event_target_value(&ev))>
                    <option value="" selected=move || kategorie.get().trim().is_empty()>"alle Kategorien"</option>
                    {move || categories.get().into_iter().map(|c| {
                        let selected = matches(&kategorie.get(), &c) && !kategorie.get().trim().is_empty();
                        let label = c.clone();
                        view! { <option value=c selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
        </div>
        // A download from the server, not a route of the app: `rel="external"` keeps the router out.
        <p class="matrix-download">
            <a href=csv_href rel="external" download data-testid="matrix-csv">"CSV herunterladen"</a>
            " (Kompetenzmatrix mit den gewählten Filtern, für Excel; nur mit Verbindung zum Server)"
        </p>
        {move || {
            let (page, coverage_page) = (page.get(), coverage_page.get());
            grid.with(|g| (matrix_table(g, page, coverage_page), coverage_table(g, page, coverage_page)))
        }}
    }
}

fn matrix_table(grid: &Grid, page: usize, coverage_page: usize) -> AnyView {
    if grid.rows.is_empty() || grid.topics.is_empty() {
        return view! {
            <p class="notice" data-testid="matrix-empty">"Für diese Auswahl gibt es keine aktiven Lotsen oder keine Themen."</p>
        }
        .into_any();
    }
    let stale = grid.rows.iter().filter(|(_, stale)| *stale).count();
    let total = grid.rows.len();
    let per_page = rows_per_page(grid.topics.len());
    let pages = total.div_ceil(per_page);
    let page = page.min(pages);
    let first = (page - 1) * per_page;
    let shown = &grid.rows[first..(first + per_page).min(total)];
    let mut caption = format!(
        "Kompetenzmatrix: {total} aktive Lotsen, {} Themen",
        grid.topics.len()
    );
    if pages > 1 {
        caption.push_str(&format!(
            " – Seite {page} von {pages}: Lotsen {} bis {}",
            first + 1,
            first + shown.len()
        ));
    }
    let pager = (pages > 1).then(|| {
        let (bereich, kategorie) = (grid.bereich.clone(), grid.kategorie.clone());
        let href = move |p: usize| {
            format!(
                "{PATH}{}",
                paged_query(&bereich, &kategorie, p, coverage_page)
            )
        };
        view! {
            <nav class="pager" aria-label="Seiten der Kompetenzmatrix" data-testid="matrix-pager">
                {(page > 1).then(|| view! { <A href=href(page - 1)>"Vorherige Seite"</A> })}
                <span>{format!("Seite {page} von {pages}")}</span>
                {(page < pages).then(|| view! { <A href=href(page + 1)>"Nächste Seite"</A> })}
            </nav>
        }
    });
    view! {
        {(stale > 0).then(|| view! {
            <p>{format!("{stale} Profile sind seit über 12 Monaten nicht bestätigt; sie sind mit „nicht bestätigt“ markiert.")}</p>
        })}
        <div class="matrix-scroll" role="region" aria-label="Kompetenzmatrix (scrollbar)" tabindex="0">
            <table class="matrix" data-testid="matrix">
                <caption>{caption}</caption>
                <colgroup span="1"></colgroup>
                {grid.categories.iter().map(|(_, n)| view! { <colgroup span=n.to_string()></colgroup> }).collect_view()}
                <thead>
                    <tr class="matrix-categories">
                        <th scope="col" rowspan="2" class="matrix-corner">"Lotse (Bereich)"</th>
                        {grid.categories.iter().map(|(c, n)| view! {
                            <th scope="colgroup" colspan=n.to_string()>{c.clone()}</th>
                        }).collect_view()}
                    </tr>
                    <tr class="matrix-topics">
                        {grid.topics.iter().map(|(_, name)| view! { <th scope="col">{name.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {shown.iter().map(|(r, stale)| view! {
                        <tr>
                            <th scope="row">
                                {r.name.clone()}
                                <span class="matrix-dept">{format!(" ({})", r.department)}</span>
                                {stale.then(|| view! { " " <span class="buero-badge">"nicht bestätigt"</span> })}
                            </th>
                            {r.levels.iter().map(|l| level_cell(*l)).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}

fn coverage_table(grid: &Grid, page: usize, coverage_page: usize) -> AnyView {
    let c = &grid.coverage;
    if c.departments.is_empty() || grid.topics.is_empty() {
        return ().into_any();
    }
    let portion = Portion::of(
        grid.topics.len(),
        coverage_page,
        coverage_rows_per_page(c.departments.len()),
    );
    let (bereich, kategorie) = (grid.bereich.clone(), grid.kategorie.clone());
    let href = move |p: usize| {
        format!(
            "{PATH}{}#abdeckung",
            paged_query(&bereich, &kategorie, page, p)
        )
    };
    let gaps: usize = grid
        .topics
        .iter()
        .map(|(id, _)| c.gap_departments(id))
        .sum();
    view! {
        <h2 id="abdeckung">"Abdeckung nach Thema und Bereich"</h2>
        <p>
            {format!("Ein Thema ist in einem Bereich abgedeckt, wenn mindestens {MIN_HELPERS} aktive Lotsen dort mindestens Stufe 2 (kann helfen) haben. ")}
            <strong data-testid="gap-count">{format!("Lücken: {gaps}")}</strong>
        </p>
        <div class="matrix-scroll" role="region" aria-labelledby="abdeckung" tabindex="0">
            <table class="matrix coverage" data-testid="coverage">
                <caption>
                    "Anzahl der Lotsen mit Stufe 2 oder 3, je Thema und Bereich"
                    {(portion.pages > 1).then(|| format!(" – {}: Themen {} bis {} von {}", portion.page_de(), portion.start + 1, portion.end, portion.total))}
                </caption>
                <thead>
                    <tr>
                        <th scope="col" class="matrix-corner">"Thema"</th>
                        {c.departments.iter().map(|d| view! { <th scope="col">{d.clone()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {portion.slice(&grid.topics).iter().map(|(id, name)| view! {
                        <tr>
                            <th scope="row">{name.clone()}</th>
                            {c.departments.iter().map(|d| {
                                let n = c.helpers(id, d);
                                if n < MIN_HELPERS {
                                    view! { <td class="gap">{format!("Lücke ({n})")}</td> }.into_any()
                                } else {
                                    view! { <td>{n.to_string()}</td> }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager(portion, href, "Seiten der Abdeckung", ".matrix-scroll[aria-labelledby=abdeckung]")}
    }
    .into_any()
}

/// Topics per page of the coverage table: about [`MAX_COVERAGE_CELLS`] cells, 10 to 100 rows.
fn coverage_rows_per_page(departments: usize) -> usize {
    (MAX_COVERAGE_CELLS / departments.max(1)).clamp(10, 100)
}
