//! One module per thing a person does (a resident books, a clerk calls the next resident, an
//! admin changes a setting). The JSON API and the pages call these functions and nothing else:
//! this layer is the only door to the database, so a rule (and its access-log entry) is
//! written once whichever way a person comes in.

pub mod accounts;
pub mod admin;
pub mod booking;
pub mod callbacks;
pub mod clerk_status;
pub mod consent;
pub mod delivery;
pub mod desk;
pub mod documents;
pub mod feedback;
pub mod find_appointment;
pub mod for_caller;
pub mod logo;
pub mod media_nodes;
pub mod messages;
pub mod operator;
pub mod outcome;
pub mod privacy;
pub mod queue;
pub mod retention;
pub mod rooms;
pub mod sso;
pub mod triage;
// Issue 15 item 4: companions and interpreters in the call.
pub mod companions;
pub mod worklist;
