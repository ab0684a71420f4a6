//! The form markup every page shares: labelled fields with their hint and error, radio
//! buttons, the error summary at the top of a form, and the notice after saving. The ids
//! follow one pattern (`{id}-hint`, `{id}-error`), linked through `aria-describedby`, so the
//! error summary's links and screen readers find each field's words.

use crate::i18n::Tx;
use maud::{html, Markup};

/// A form's mistakes: (id of the field the summary links to, message in the page's language).
pub type Errors = [(String, String)];

/// The message for the field with this id, if any.
pub fn error_for<'a>(errors: &'a Errors, id: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == id)
        .map(|(_, m)| m.as_str())
}

/// The box at the top of a resident's form with mistakes, each linking to its field.
pub fn error_summary(tx: &Tx, errors: &Errors) -> Markup {
    summary(
        tx.t(
            "Er is iets niet goed ingevuld",
            "Something needs to be corrected",
        ),
        errors,
    )
}

/// The error summary of a staff form, which also says that nothing was saved.
pub fn error_summary_unsaved(tx: &Tx, errors: &Errors) -> Markup {
    summary(
        tx.t(
            "Er is iets niet goed ingevuld. Er is niets opgeslagen.",
            "Something needs to be corrected. Nothing was saved.",
        ),
        errors,
    )
}

fn summary(heading: &str, errors: &Errors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" aria-labelledby="error-summary-title" {
                h2 id="error-summary-title" { (heading) }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}

/// A field's error message; `id` is the paragraph's own id (`{field}-error`).
pub fn field_error(tx: &Tx, id: &str, message: &str) -> Markup {
    html! {
        p class="field-error" id=(id) {
            span class="visually-hidden" { (tx.t("Fout: ", "Error: ")) }
            (message)
        }
    }
}

/// The status message after a form was saved or an action done.
pub fn notice(text: &str) -> Markup {
    html! {
        div class="notice" role="status" { p { (text) } }
    }
}

/// What kind of control a field has.
#[derive(Clone, Copy)]
enum Control<'a> {
    /// `<input type=...>`.
    Input(&'a str),
    /// `<textarea rows=...>`.
    TextArea(u32),
}

/// One labelled input or textarea with its hint and error. The id is also the name unless
/// `name` says otherwise.
pub struct Field<'a> {
    id: &'a str,
    name: &'a str,
    label: &'a str,
    value: &'a str,
    control: Control<'a>,
    hint: Option<&'a str>,
    autocomplete: Option<&'a str>,
    inputmode: Option<&'a str>,
    spellcheck_off: bool,
    maxlength: Option<u32>,
    required: bool,
}

impl<'a> Field<'a> {
    /// An `<input type="{kind}">`.
    pub fn input(id: &'a str, kind: &'a str, label: &'a str, value: &'a str) -> Self {
        Self::new(id, Control::Input(kind), label, value)
    }

    /// A `<textarea>` of `rows` lines.
    pub fn textarea(id: &'a str, rows: u32, label: &'a str, value: &'a str) -> Self {
        Self::new(id, Control::TextArea(rows), label, value)
    }

    fn new(id: &'a str, control: Control<'a>, label: &'a str, value: &'a str) -> Self {
        Self {
            id,
            name: id,
            label,
            value,
            control,
            hint: None,
            autocomplete: None,
            inputmode: None,
            spellcheck_off: false,
            maxlength: None,
            required: false,
        }
    }

    pub fn name(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }

    pub fn hint(mut self, hint: Option<&'a str>) -> Self {
        self.hint = hint;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'a str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }

    /// `inputmode="numeric"`: a number typed as text, so a wrong value comes back as typed.
    pub fn numeric(mut self) -> Self {
        self.inputmode = Some("numeric");
        self
    }

    /// For codes and colours, which are no words.
    pub fn spellcheck_off(mut self) -> Self {
        self.spellcheck_off = true;
        self
    }

    pub fn maxlength(mut self, maxlength: u32) -> Self {
        self.maxlength = Some(maxlength);
        self
    }

    /// Marks the field required for assistive technology; the forms say `novalidate`, so the
    /// server's messages, not the browser's, tell what is missing.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The field, with the error from `errors` for its id.
    pub fn render(&self, tx: &Tx, errors: &Errors) -> Markup {
        let id = self.id;
        let error = error_for(errors, id);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let described: Vec<&str> = [
            self.hint.map(|_| hint_id.as_str()),
            error.map(|_| error_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let described = (!described.is_empty()).then(|| described.join(" "));
        let invalid = error.map(|_| "true");
        let class = if error.is_some() {
            "field field--error"
        } else {
            "field"
        };
        let spellcheck = self.spellcheck_off.then_some("false");
        html! {
            div class=(class) {
                label for=(id) { (self.label) }
                @if let Some(hint) = self.hint {
                    p class="hint" id=(hint_id) { (hint) }
                }
                @if let Some(error) = error {
                    (field_error(tx, &error_id, error))
                }
                @match self.control {
                    Control::TextArea(rows) => {
                        textarea id=(id) name=(self.name) rows=(rows) aria-describedby=[&described]
                            aria-invalid=[invalid] spellcheck=[spellcheck] { (self.value) }
                    }
                    Control::Input(kind) => {
                        input type=(kind) id=(id) name=(self.name) value=(self.value)
                            autocomplete=[self.autocomplete] aria-describedby=[&described]
                            aria-invalid=[invalid] inputmode=[self.inputmode]
                            spellcheck=[spellcheck] maxlength=[self.maxlength] required[self.required];
                    }
                }
            }
        }
    }
}

/// One radio button with its label, in the `radio` box the stylesheet makes large.
pub struct Radio<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub value: &'a str,
    pub label: &'a str,
    pub checked: bool,
    /// Set when the group has an error.
    pub invalid: bool,
    pub required: bool,
    pub described_by: Option<&'a str>,
}

impl Radio<'_> {
    pub fn render(&self) -> Markup {
        html! {
            div class="radio" {
                input type="radio" id=(self.id) name=(self.name) value=(self.value)
                    checked[self.checked] required[self.required]
                    aria-invalid=[self.invalid.then_some("true")]
                    aria-describedby=[self.described_by];
                label for=(self.id) { (self.label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn errors() -> Vec<(String, String)> {
        vec![("email".to_string(), "Vul <b>iets</b> in.".to_string())]
    }

    #[test]
    fn a_field_links_its_hint_and_error_and_escapes_what_was_typed() {
        let tx = Tx::formal(Lang::Nl);
        let html = Field::input("email", "email", "E-mailadres", r#""><script>"#)
            .hint(Some("Voor de bevestiging."))
            .autocomplete("email")
            .render(&tx, &errors())
            .into_string();
        assert_eq!(
            html,
            concat!(
                r#"<div class="field field--error"><label for="email">E-mailadres</label>"#,
                r#"<p class="hint" id="email-hint">Voor de bevestiging.</p>"#,
                r#"<p class="field-error" id="email-error"><span class="visually-hidden">Fout: </span>Vul &lt;b&gt;iets&lt;/b&gt; in.</p>"#,
                r#"<input type="email" id="email" name="email" value="&quot;&gt;&lt;script&gt;" autocomplete="email" aria-describedby="email-hint email-error" aria-invalid="true">"#,
                r#"</div>"#
            )
        );
    }

    #[test]
    fn a_field_without_hint_or_error_has_no_description() {
        let tx = Tx::formal(Lang::En);
        let html = Field::textarea("note", 4, "Note", "a & b")
            .name("opmerking")
            .render(&tx, &[])
            .into_string();
        assert_eq!(
            html,
            r#"<div class="field"><label for="note">Note</label><textarea id="note" name="opmerking" rows="4">a &amp; b</textarea></div>"#
        );
    }

    #[test]
    fn the_summary_links_each_mistake_and_is_absent_without_mistakes() {
        let tx = Tx::formal(Lang::Nl);
        assert_eq!(error_summary(&tx, &[]).into_string(), "");
        let html = error_summary_unsaved(&tx, &errors()).into_string();
        assert!(html.contains(r##"<li><a href="#email">Vul &lt;b&gt;iets&lt;/b&gt; in.</a></li>"##));
        assert!(html.contains("Er is niets opgeslagen."));
    }
}
