//! `/lotsen/{id}`: one Lotse, with all topics and how to reach them.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::{all_skills, level_badge, mailto_href, state, tel_href, Loading};

#[component]
pub fn LotsePage() -> impl IntoView {
    let state = state();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let lotse = Memo::new(move |_| {
        let id = id.get();
        state.data.with(|d| {
            d.lotsen
                .get(&id)
                .filter(|l| l.data.active)
                .map(|l| l.data.clone())
        })
    });
    Effect::new(move |_| {
        crate::set_title(
            &lotse
                .with(|l| l.as_ref().map(|l| l.name.clone()))
                .unwrap_or_else(|| "Lotse".to_owned()),
        );
    });
    move || {
        if !state.directory.get() {
            return view! { <Loading/> }.into_any();
        }
        let Some(l) = lotse.get() else {
            return view! {
                <h1>"Lotse nicht gefunden"</h1>
                <p>"Dieses Profil gibt es nicht oder es ist nicht mehr aktiv. " <A href="/">"Zur Suche"</A></p>
            }
            .into_any();
        };
        let skills = all_skills(&l, &state);
        let id_for_links = crate::url_encode(&id.get_untracked());
        let first = skills.first().map(|s| s.name.clone()).unwrap_or_default();
        let learning: Vec<(String, String)> = state.data.with(|d| {
            l.learning
                .iter()
                .filter_map(|t| {
                    d.topics
                        .get(t)
                        .map(|t| (t.data.slug.clone(), t.data.name.clone()))
                })
                .collect()
        });
        view! {
            <article class="lotse">
                <h1>{l.name.clone()}</h1>
                <p class="lead">{l.department.clone()}</p>
                <section>
                    <h2>"Kontakt"</h2>
                    <dl class="contact">
                        {(!l.phone.is_empty()).then(|| view! { <dt>"Telefon"</dt><dd><a href=tel_href(&l.phone)>{l.phone.clone()}</a></dd> })}
                        {(!l.email.is_empty()).then(|| view! {
                            <dt>"E-Mail"</dt>
                            <dd><a href=mailto_href(&l.email, &format!("Digitale Lotsen: Frage zu {first}"))>{l.email.clone()}</a></dd>
                        })}
                        {(!l.location.is_empty()).then(|| view! { <dt>"Ort"</dt><dd>{l.location.clone()}</dd> })}
                        {(!l.availability.is_empty()).then(|| view! { <dt>"Erreichbar"</dt><dd>{l.availability.clone()}</dd> })}
                    </dl>
                </section>
                <section>
                    <h2>"Hilft bei"</h2>
                    <ul class="skills">
                        {skills.into_iter().map(|s| {
                            let name = s.name.clone();
                            view! {
                            <li>
                                <A href=format!("/themen/{}", s.slug)>{s.name.clone()}</A> " " {level_badge(s.level)} " "
                                <A href=format!("/anliegen/neu?lotse={}&thema={}", id_for_links.clone(), s.slug) attr:class="small-link">
                                    "Anliegen senden" <span class="visually-hidden">" zu " {name}</span>
                                </A>
                            </li>
                        }}).collect_view()}
                    </ul>
                </section>
                {(!learning.is_empty()).then(|| view! {
                    <section>
                        <h2>"Arbeitet sich gerade ein in"</h2>
                        <ul>
                            {learning.into_iter().map(|(slug, name)| view! { <li><A href=format!("/themen/{slug}")>{name}</A></li> }).collect_view()}
                        </ul>
                    </section>
                })}
                {l.confirmed_at.clone().map(|d| view! { <p class="muted">"Profil zuletzt bestätigt: " {d}</p> })}
            </article>
        }
        .into_any()
    }
}
