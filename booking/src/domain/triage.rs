//! Questions before booking (issue 16, "triage per service"): a municipality asks a few
//! questions per service, and each answer says whether the resident can go on to book a video
//! call, must come to the counter, should call, or first needs to read something.
//!
//! The resident's answers travel through the booking steps as one short text, the index of the
//! chosen answer per question in order (`0-1-0`); they are checked against the questions as
//! they are when the booking is made, and stored as the words the resident saw, so a later
//! change to a question does not change what the clerk reads.

use crate::domain::ids::TriageQuestionId;
use crate::domain::text::{FreeText, Lines, TextProblem};
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// At most this many questions per service: triage is a few questions, not a form.
pub const MAX_QUESTIONS: usize = 5;
/// A question has two answers (yes/no) up to this many choices.
pub const MAX_ANSWERS: usize = 5;
const MAX_QUESTION_CHARS: usize = 200;
const MAX_LABEL_CHARS: usize = 80;
const MAX_TEXT_CHARS: usize = 600;

/// What an answer leads to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Go on to choose a time.
    Continue,
    /// Not by video: come to the counter; `place` says where (and what to bring).
    Counter { place: String },
    /// Not by video and not at the counter yet: phone the municipality first.
    CallUs,
    /// Go on, after reading `text` (e.g. "bring your current passport to the call").
    Inform { text: String },
}

/// An answer the resident can choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub label: String,
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// A question of a service, with its answers in the order shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub id: TriageQuestionId,
    pub text: String,
    pub answers: Vec<Answer>,
}

/// A question and the answer chosen, as the resident saw them; stored with the appointment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Given {
    pub question: String,
    pub answer: String,
}

/// Where a resident's answers lead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Book: with the texts of any `Inform` answers to show on the way.
    Book {
        notes: Vec<String>,
        given: Vec<Given>,
    },
    /// The first answer that stops the booking, in question order.
    Counter {
        place: String,
    },
    CallUs,
}

/// Why the answers as sent cannot be used (a tampered or outdated address, or a question left
/// open): the page asks the questions again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unanswered {
    Missing,
    Malformed,
}

impl Unanswered {
    pub fn error(&self) -> Error {
        Error::invalid(
            "/triage",
            "Beantwoord eerst de vragen over uw afspraak.",
            "First answer the questions about your appointment.",
        )
    }
}

/// The chosen answers, `0-1-0`, against the questions in order. No questions: nothing to answer.
pub fn outcome(questions: &[Question], encoded: Option<&str>) -> Result<Outcome, Unanswered> {
    if questions.is_empty() {
        return Ok(Outcome::Book {
            notes: vec![],
            given: vec![],
        });
    }
    let encoded = encoded
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or(Unanswered::Missing)?;
    let chosen: Vec<usize> = encoded
        .split('-')
        .map(|part| part.parse::<usize>().map_err(|_| Unanswered::Malformed))
        .collect::<Result<_, _>>()?;
    if chosen.len() != questions.len() {
        return Err(Unanswered::Malformed);
    }
    let mut notes = Vec::new();
    let mut given = Vec::new();
    for (question, &index) in questions.iter().zip(&chosen) {
        let answer = question.answers.get(index).ok_or(Unanswered::Malformed)?;
        match &answer.verdict {
            Verdict::Continue => {}
            Verdict::Inform { text } => notes.push(text.clone()),
            Verdict::Counter { place } => {
                return Ok(Outcome::Counter {
                    place: place.clone(),
                })
            }
            Verdict::CallUs => return Ok(Outcome::CallUs),
        }
        given.push(Given {
            question: question.text.clone(),
            answer: answer.label.clone(),
        });
    }
    Ok(Outcome::Book { notes, given })
}

/// The chosen indexes as carried between the steps.
pub fn encode(chosen: &[usize]) -> String {
    chosen
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("-")
}

/// A question as an admin writes it, parsed: text, and 2..=5 answers each with a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewQuestion {
    pub text: String,
    pub answers: Vec<Answer>,
}

/// An answer as typed in the admin form: a label, the verdict's name and its text.
pub struct AnswerInput<'a> {
    pub label: &'a str,
    pub verdict: &'a str,
    pub text: &'a str,
}

impl NewQuestion {
    /// Answers with an empty label are rows the admin left blank and are skipped.
    pub fn parse(text: &str, answers: &[AnswerInput<'_>]) -> Result<Self, Error> {
        let text = FreeText::parse(text, Lines::One, MAX_QUESTION_CHARS)
            .map_err(|p| p.at("/text"))?
            .into_string();
        let mut parsed = Vec::new();
        for (i, input) in answers.iter().enumerate() {
            let pointer = format!("/answers/{i}");
            let Some(label) = FreeText::optional(input.label, Lines::One, MAX_LABEL_CHARS)
                .map_err(|p| p.at(&format!("{pointer}/label")))?
            else {
                continue;
            };
            let words = |p: TextProblem| p.at(&format!("{pointer}/text"));
            let needs_text = |raw: &str| -> Result<String, Error> {
                FreeText::parse(raw, Lines::Many, MAX_TEXT_CHARS)
                    .map(FreeText::into_string)
                    .map_err(words)
            };
            let verdict = match input.verdict {
                "continue" => Verdict::Continue,
                "call_us" => Verdict::CallUs,
                "counter" => Verdict::Counter {
                    place: needs_text(input.text)?,
                },
                "inform" => Verdict::Inform {
                    text: needs_text(input.text)?,
                },
                _ => {
                    return Err(Error::invalid(
                        format!("{pointer}/verdict"),
                        "Kies wat er na dit antwoord gebeurt.",
                        "Choose what happens after this answer.",
                    ))
                }
            };
            parsed.push(Answer {
                label: label.into_string(),
                verdict,
            });
        }
        if !(2..=MAX_ANSWERS).contains(&parsed.len()) {
            return Err(Error::invalid(
                "/answers",
                format!("Geef een vraag 2 tot {MAX_ANSWERS} antwoorden."),
                format!("Give a question 2 to {MAX_ANSWERS} answers."),
            ));
        }
        if !parsed
            .iter()
            .any(|a| matches!(a.verdict, Verdict::Continue | Verdict::Inform { .. }))
        {
            return Err(Error::invalid(
                "/answers",
                "Ten minste één antwoord moet verder gaan naar het maken van de afspraak.",
                "At least one answer must go on to making the appointment.",
            ));
        }
        Ok(Self {
            text,
            answers: parsed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yes_no(no: Verdict) -> Question {
        Question {
            id: TriageQuestionId::new(),
            text: "Woont u in de gemeente?".into(),
            answers: vec![
                Answer {
                    label: "Ja".into(),
                    verdict: Verdict::Continue,
                },
                Answer {
                    label: "Nee".into(),
                    verdict: no,
                },
            ],
        }
    }

    #[test]
    fn no_questions_books_without_answers() {
        assert_eq!(
            outcome(&[], None),
            Ok(Outcome::Book {
                notes: vec![],
                given: vec![]
            })
        );
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let qs = [yes_no(Verdict::CallUs), yes_no(Verdict::CallUs)];
        assert_eq!(outcome(&qs, None), Err(Unanswered::Missing));
        assert_eq!(outcome(&qs, Some(" ")), Err(Unanswered::Missing));
        assert_eq!(outcome(&qs, Some("0")), Err(Unanswered::Malformed));
        assert_eq!(outcome(&qs, Some("0-0-0")), Err(Unanswered::Malformed));
        assert_eq!(outcome(&qs, Some("0-2")), Err(Unanswered::Malformed));
        assert_eq!(outcome(&qs, Some("0-x")), Err(Unanswered::Malformed));
        assert_eq!(outcome(&qs, Some("-1-0")), Err(Unanswered::Malformed));
        let Ok(Outcome::Book { given, .. }) = outcome(&qs, Some("0-0")) else {
            panic!("two yeses book");
        };
        assert_eq!(given.len(), 2);
        assert_eq!(given[0].answer, "Ja");
    }

    #[test]
    fn the_first_stopping_answer_decides() {
        let counter = Verdict::Counter {
            place: "Stadhuis, balie 3".into(),
        };
        let qs = [yes_no(counter), yes_no(Verdict::CallUs)];
        assert_eq!(
            outcome(&qs, Some("1-1")),
            Ok(Outcome::Counter {
                place: "Stadhuis, balie 3".into()
            })
        );
        assert_eq!(outcome(&qs, Some("0-1")), Ok(Outcome::CallUs));
    }

    #[test]
    fn information_is_shown_and_booking_goes_on() {
        let qs = [yes_no(Verdict::Inform {
            text: "Neem uw oude paspoort mee.".into(),
        })];
        let Ok(Outcome::Book { notes, given }) = outcome(&qs, Some("1")) else {
            panic!("inform books");
        };
        assert_eq!(notes, ["Neem uw oude paspoort mee."]);
        assert_eq!(given[0].answer, "Nee");
    }

    #[test]
    fn an_admins_question_needs_two_answers_one_of_which_goes_on() {
        let a = |label, verdict, text| AnswerInput {
            label,
            verdict,
            text,
        };
        let ok = NewQuestion::parse(
            "Verhuist u naar het buitenland?",
            &[
                a("Ja", "counter", "Kom naar de balie."),
                a("Nee", "continue", ""),
                a("", "continue", ""),
            ],
        )
        .unwrap();
        assert_eq!(ok.answers.len(), 2);
        assert!(NewQuestion::parse("Vraag?", &[a("Ja", "continue", "")]).is_err());
        assert!(
            NewQuestion::parse("Vraag?", &[a("Ja", "call_us", ""), a("Nee", "call_us", "")])
                .is_err()
        );
        // A counter answer must say where to go.
        assert!(NewQuestion::parse(
            "Vraag?",
            &[a("Ja", "counter", " "), a("Nee", "continue", "")]
        )
        .is_err());
        assert!(NewQuestion::parse(
            "Vraag?",
            &[a("Ja", "teleport", ""), a("Nee", "continue", "")]
        )
        .is_err());
        assert!(
            NewQuestion::parse("", &[a("Ja", "continue", ""), a("Nee", "continue", "")]).is_err()
        );
    }
}
