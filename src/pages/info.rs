//! The legal and information pages every public-sector web app needs, and the 404 page.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AccessibilityPage() -> impl IntoView {
    crate::set_title("Erklärung zur Barrierefreiheit");
    view! {
        <article class="prose">
            <h1>"Erklärung zur Barrierefreiheit"</h1>
            <p>
                "Die Stadt Soest ist bemüht, ihre Intranet-Anwendungen im Einklang mit der Barrierefreie-Informationstechnik-Verordnung "
                "Nordrhein-Westfalen (BITV NRW) barrierefrei zugänglich zu machen. Diese Erklärung gilt für den Lotsenfinder."
            </p>
            <h2>"Stand der Vereinbarkeit"</h2>
            <p>
                "Der Lotsenfinder soll die Anforderungen der WCAG 2.1 auf Stufe AA erfüllen. Jede Seite wird bei jeder Änderung "
                "automatisch mit axe-core geprüft; die App ist vollständig mit der Tastatur bedienbar, hat sichtbare Fokusmarkierungen "
                "und lässt sich bis 200 % vergrößern und ab 320 Pixel Breite nutzen."
            </p>
            <h2>"Feedback und Kontakt"</h2>
            <p>
                "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Dann melden Sie sich bitte beim Projektbüro Digitale Modellregion: "
                "Telefon " <a href="tel:029211035227">"02921 103-5227"</a> ", E-Mail "
                <a href="mailto:digital@soest.de?subject=Barrierefreiheit%20Lotsenfinder">"digital@soest.de"</a> "."
            </p>
            <h2>"Schlichtungsverfahren"</h2>
            <p>
                "Wenn Ihre Rückmeldung nicht zufriedenstellend beantwortet wird, können Sie sich an die Ombudsstelle für barrierefreie "
                "Informationstechnik des Landes Nordrhein-Westfalen wenden."
            </p>
        </article>
    }
}

#[component]
pub fn PrivacyPage() -> impl IntoView {
    crate::set_title("Datenschutz");
    view! {
        <article class="prose">
            <h1>"Datenschutz"</h1>
            <p>"Verantwortlich ist die Stadt Soest, Projektbüro Digitale Modellregion, Am Vreithof 8, 59494 Soest."</p>
            <h2>"Was gespeichert wird, und wozu"</h2>
            <ul>
                <li>"Das Verzeichnis der Digitalen Lotsen: Name, Bereich, dienstliche Kontaktdaten, Themen mit Stufe, Lernwünsche, Erreichbarkeit und das Datum der letzten Bestätigung – so, wie die Lotsen es selbst angeben. Zweck: Kolleginnen und Kollegen finden Hilfe."</li>
                <li>"Ihre Anliegen: Art, Thema, Titel, Beschreibung und – wenn Sie es angeben – Ihr Name, Bereich und Kontakt, dazu Status, zuständige Lotsin oder zuständiger Lotse, Notizen sowie wann es einging und wann es abgeschlossen wurde. Zweck: Ihr Anliegen bearbeiten und Ihnen antworten; die Zeitpunkte zeigen dem Projektbüro, wie schnell Anliegen erledigt werden."</li>
                <li>"Bewerbungen über „Ein Digi werden?“: Name, Bereich, Kontakt, Themen und Ihre Nachricht. Nur das Projektbüro sieht sie. Zweck: neue Lotsen gewinnen."</li>
                <li>"Ein zufälliger Geräteschlüssel in Ihrem Browser. Der Server speichert nur eine Prüfsumme davon, um Ihnen Ihre eigenen Anliegen zu zeigen."</li>
                <li>"Für Lotsen und das Projektbüro: Benutzername, Rolle und ein Passwort-Hash (Argon2, das Passwort selbst wird nie gespeichert), die Sitzung als Cookie (endet nach Untätigkeit und spätestens nach einer festen Zeit) und bei jeder Änderung, wer sie gemacht hat."</li>
            </ul>
            <h2>"Wo es gespeichert wird"</h2>
            <p>
                "Auf dem Server der Stadt Soest. Damit der Lotsenfinder auch ohne Netz funktioniert, liegen das Verzeichnis, die Termine und Ihre eigenen Anliegen zusätzlich "
                "im Speicher Ihres Browsers auf diesem Gerät. Anliegen anderer Kolleginnen und Kollegen werden nicht auf Ihr Gerät übertragen – "
                "nur angemeldete Lotsen und das Projektbüro erhalten sie, und beim Abmelden werden sie, ihre Notizen und Bewerbungen vom Gerät gelöscht."
            </p>
            <h2>"Wie lange"</h2>
            <ul>
                <li>"Name, Bereich und Kontakt bei erledigten oder abgelehnten Anliegen werden 365 Tage nach der letzten Änderung automatisch entfernt; die anonymen Angaben (Thema, Art, Status, Eingang und Abschluss) bleiben für die Auswertung nach Thema und Bereich. Auswertungen über einzelne Personen gibt es nicht – mit Ausnahme der Themen, die Lotsen selbst angeben."</li>
                <li>"Gelöschte Einträge hinterlassen eine leere Markierung, damit alle Geräte von der Löschung erfahren; sie wird nach 180 Tagen entfernt."</li>
                <li>"Damit eine Änderung, die wegen einer abgebrochenen Verbindung zweimal ankommt, nicht doppelt gilt, merkt sich der Server 30 Tage lang, dass sie angekommen ist: welcher Eintrag, von welchem Gerät oder Konto (nur als Prüfsumme) und ob sie übernommen wurde – nicht ihren Inhalt."</li>
                <li>"Das Profil einer Lotsin oder eines Lotsen, solange sie oder er mitmacht. Bei Bewerbungen, über die entschieden ist, werden Name, Kontakt und Nachricht 365 Tage nach der letzten Änderung automatisch entfernt (das Projektbüro kann sie früher löschen); Bereich und Themen bleiben für die Auswertung."</li>
            </ul>
            <h2>"Ihre Rechte"</h2>
            <p>"Sie haben das Recht auf Auskunft, Berichtigung und Löschung. Wenden Sie sich an digital@soest.de oder an die behördliche Datenschutzbeauftragte."</p>
        </article>
    }
}

#[component]
pub fn ImprintPage() -> impl IntoView {
    crate::set_title("Impressum");
    view! {
        <article class="prose">
            <h1>"Impressum"</h1>
            <p>"Stadt Soest" <br/> "Projektbüro Digitale Modellregion" <br/> "Am Vreithof 8" <br/> "59494 Soest"</p>
            <p>"Telefon: " <a href="tel:029211035227">"02921 103-5227"</a> <br/> "E-Mail: " <a href="mailto:digital@soest.de">"digital@soest.de"</a></p>
            <p>"Die Stadt Soest ist eine Körperschaft des öffentlichen Rechts. Sie wird vertreten durch den Bürgermeister."</p>
        </article>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    crate::set_title("Seite nicht gefunden");
    view! {
        <h1>"Seite nicht gefunden"</h1>
        <p>"Diese Adresse gibt es im Lotsenfinder nicht. " <A href="/">"Zur Suche"</A> " oder " <A href="/themen">"zu den Themen"</A> "."</p>
    }
}
