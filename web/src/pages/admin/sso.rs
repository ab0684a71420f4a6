//! `/beheer/inloggen`: the municipality's single sign-on (OpenID Connect) for staff, through
//! `booking::usecases::sso`. The client secret is never shown: the field holds `********`,
//! which keeps the stored secret when saved unchanged.

use super::{admin_page, saved_notice, say, AdminSession, Errors, FormData};
use crate::context::Ctx;
use crate::error::{respond, see_other};
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::extract::State;
use axum::response::Response;
use booking::domain::sso::SsoSettings;
use booking::domain::tenant::Tenant;
use booking::usecases::sso::{self, SsoInput, REDACTED};
use booking::{App, Error};
use maud::html;

pub const HERE: &str = "/beheer/inloggen";

fn input_of(settings: Option<SsoSettings>) -> SsoInput {
    match settings {
        Some(s) => SsoInput {
            provider_name: s.provider_name,
            issuer_url: s.issuer_url,
            client_id: s.client_id,
            client_secret: s.client_secret,
            role_claim: s.roles.claim,
            admin_value: s.roles.admin_value,
            clerk_value: s.roles.clerk_value,
            password_login: s.password_login,
        },
        None => SsoInput {
            provider_name: String::new(),
            issuer_url: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            role_claim: "groups".into(),
            admin_value: String::new(),
            clerk_value: String::new(),
            password_login: true,
        },
    }
}

pub async fn show(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
) -> Response {
    let outcome = async {
        let settings = sso::settings(&app, &claims).await?;
        let set_up = settings.is_some();
        Ok(form(
            &ctx,
            &app,
            &tenant,
            &input_of(settings),
            set_up,
            &Vec::new(),
        ))
    }
    .await;
    respond(&ctx, outcome)
}

pub async fn save(
    State(app): State<App>,
    AdminSession { tenant, claims }: AdminSession,
    ctx: Ctx,
    body: String,
) -> Response {
    let outcome = async {
        let f = FormData::parse(&body);
        let tx = Tx::formal(ctx.lang);
        if f.has("uitzetten") {
            sso::remove(&app, &claims).await?;
            return Ok(see_other(&format!("{HERE}?uitgezet=1")));
        }
        let input = SsoInput {
            provider_name: f.get("provider_name").into(),
            issuer_url: f.get("issuer_url").into(),
            client_id: f.get("client_id").into(),
            client_secret: f.get("client_secret").into(),
            role_claim: f.get("role_claim").into(),
            admin_value: f.get("admin_value").into(),
            clerk_value: f.get("clerk_value").into(),
            password_login: f.has("password_login"),
        };
        let set_up = sso::settings(&app, &claims).await?.is_some();
        match sso::change(&app, &claims, input.clone()).await {
            Ok(_) => Ok(see_other(&format!("{HERE}?opgeslagen=1"))),
            Err(Error::Invalid { field, message }) => {
                let field = field.trim_start_matches('/');
                let errors: Errors = vec![(field.to_string(), dutch(&tx, field, &message.english))];
                // A typed secret is not sent back into the page.
                let mut shown = input;
                if shown.client_secret != REDACTED {
                    shown.client_secret = String::new();
                }
                Ok(form(&ctx, &app, &tenant, &shown, set_up, &errors))
            }
            Err(other) => Err(other),
        }
    }
    .await;
    respond(&ctx, outcome)
}

fn dutch(tx: &Tx, field: &str, message: &str) -> String {
    let nl = match field {
        "provider_name" => "Vul de naam voor de knop in, bijvoorbeeld 'Gemeente-account' (hoogstens 200 tekens).",
        "issuer_url" => "Vul het https://-adres van de uitgever (issuer) in, zonder ? of #, bijvoorbeeld https://login.microsoftonline.com/<tenant>/v2.0.",
        "client_id" => "Vul de client-id in die de inlogdienst aan het videoloket gaf.",
        "client_secret" => "Vul het client-geheim in (hoogstens 1000 tekens).",
        "role_claim" => "Vul de naam van het gegeven (claim) met de rol in, bijvoorbeeld groups of roles.",
        "admin_value" => "Vul de waarde in die iemand beheerder maakt.",
        "clerk_value" => "Vul de waarde in die iemand medewerker maakt; die moet verschillen van de waarde voor beheerder.",
        _ => message,
    };
    say(tx, nl, message)
}

fn form(
    ctx: &Ctx,
    app: &App,
    tenant: &Tenant,
    values: &SsoInput,
    set_up: bool,
    errors: &Errors,
) -> Response {
    let tx = Tx::formal(ctx.lang);
    let redirect = sso::redirect_uri(app, tenant);
    let text = |id: &'static str, label: &'static str, hint: Option<&'static str>, value: &str| {
        Field::input(id, "text", label, value)
            .hint(hint)
            .autocomplete("off")
            .spellcheck_off()
            .render(&tx, errors)
    };
    let body = html! {
        (saved_notice(ctx, "opgeslagen", tx.t("De instellingen voor inloggen zijn opgeslagen.", "The login settings have been saved.")).unwrap_or_default())
        (saved_notice(ctx, "uitgezet", tx.t("Inloggen via de eigen inlogdienst staat uit; iedereen logt in met een wachtwoord.", "Single sign-on is off; everyone logs in with a password.")).unwrap_or_default())
        (error_summary_unsaved(&tx, errors))
        p {
            (tx.t(
                "Medewerkers kunnen inloggen via de inlogdienst van de gemeente (OpenID Connect, bijvoorbeeld Entra ID, ADFS of Keycloak). Het e-mailadres moet dat van een medewerker hier zijn; de rol komt uit het gegeven hieronder. Meld bij de inlogdienst dit adres aan als redirect-URI:",
                "Staff can log in through the municipality's login service (OpenID Connect, for example Entra ID, ADFS or Keycloak). The email address must be that of a clerk here; the role comes from the claim below. Register this address at the login service as the redirect URI:",
            ))
            " " code id="redirect-uri" { (redirect) }
        }
        form method="post" action=(HERE) class="staff-form" novalidate {
            (text("provider_name", tx.t("Naam op de knop", "Name on the button"),
                Some(tx.t("De knop heet dan 'Inloggen met <naam>'.", "The button then reads 'Log in with <name>'.")), &values.provider_name))
            (text("issuer_url", tx.t("Uitgever (issuer)", "Issuer"),
                Some(tx.t("Het https://-adres van de inlogdienst.", "The login service's https:// address.")), &values.issuer_url))
            (text("client_id", tx.t("Client-id", "Client id"), None, &values.client_id))
            (Field::input("client_secret", "password", tx.t("Client-geheim", "Client secret"), &values.client_secret)
                .hint(Some(tx.t("Wordt nooit getoond. Laat ******** staan om het opgeslagen geheim te houden.",
                    "Never shown. Leave ******** to keep the stored secret.")))
                .autocomplete("new-password")
                .render(&tx, errors))
            (text("role_claim", tx.t("Gegeven (claim) met de rol", "Claim with the role"),
                Some(tx.t("Bijvoorbeeld groups of roles; een tekst of een lijst.", "For example groups or roles; a text or a list.")), &values.role_claim))
            (text("admin_value", tx.t("Waarde voor beheerder", "Value for administrator"), None, &values.admin_value))
            (text("clerk_value", tx.t("Waarde voor medewerker", "Value for clerk"), None, &values.clerk_value))
            fieldset {
                legend { (tx.t("Inloggen met wachtwoord", "Password login")) }
                div class="checkbox" {
                    input type="checkbox" id="password_login" name="password_login" value="1" checked[values.password_login];
                    label for="password_login" {
                        (tx.t("Medewerkers mogen ook met e-mailadres en wachtwoord inloggen",
                            "Staff may also log in with email address and password"))
                    }
                }
            }
            p { button type="submit" class="button" { (tx.t("Opslaan", "Save")) } }
        }
        @if set_up {
            form method="post" action=(HERE) {
                input type="hidden" name="uitzetten" value="1";
                p { button type="submit" class="button button--danger" { (tx.t("Inloggen via de inlogdienst uitzetten", "Switch single sign-on off")) } }
            }
        }
    };
    admin_page(
        ctx,
        tenant,
        HERE,
        tx.t("Inloggen voor medewerkers", "Staff login").to_string(),
        body,
        !errors.is_empty(),
    )
}
