//! One admin page that sets one whole number of the municipality (people per call, minutes of
//! finishing): the explanation, a numeric field, "Opslaan", and the use case's refusal shown
//! at the field. `room_size.rs` and `finishing.rs` say only what differs.

use super::{admin_page, saved_notice, Errors};
use crate::context::Ctx;
use crate::error::see_other;
use crate::form::{error_summary_unsaved, Field};
use crate::i18n::Tx;
use axum::response::Response;
use booking::domain::tenant::Tenant;
use booking::Error;
use maud::html;

/// Dutch first, then English.
type Words = (&'static str, &'static str);

pub(super) struct NumberSetting {
    pub here: &'static str,
    pub field: &'static str,
    pub title: Words,
    pub explanation: Words,
    pub label: Words,
    pub hint: Words,
}

impl NumberSetting {
    /// The page after a save: back to the page with "Opgeslagen", or the form again with the
    /// typed value and the refusal at the field.
    pub fn after_save(
        &self,
        ctx: &Ctx,
        tenant: &Tenant,
        typed: &str,
        saved: Result<(), Error>,
    ) -> Result<Response, Error> {
        match saved {
            Ok(()) => Ok(see_other(&format!("{}?opgeslagen=1", self.here))),
            Err(Error::Invalid { message, .. }) => {
                let tx = Tx::formal(ctx.lang);
                let errors = vec![(self.field.to_string(), tx.words(&message))];
                Ok(self.form(ctx, tenant, typed, &errors))
            }
            Err(other) => Err(other),
        }
    }

    pub fn form(&self, ctx: &Ctx, tenant: &Tenant, value: &str, errors: &Errors) -> Response {
        let tx = Tx::formal(ctx.lang);
        let t = |(nl, en): Words| tx.t(nl, en);
        let body = html! {
            (saved_notice(ctx, "opgeslagen", tx.t("Opgeslagen.", "Saved.")).unwrap_or_default())
            (error_summary_unsaved(&tx, errors))
            p { (t(self.explanation)) }
            form method="post" action=(self.here) class="staff-form" novalidate {
                (Field::input(self.field, "text", t(self.label), value)
                    .hint(Some(t(self.hint)))
                    .numeric()
                    .render(&tx, errors))
                p { button class="button" type="submit" { (tx.t("Opslaan", "Save")) } }
            }
        };
        admin_page(
            ctx,
            tenant,
            "/beheer",
            t(self.title).to_string(),
            body,
            !errors.is_empty(),
        )
    }
}
