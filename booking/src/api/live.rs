//! The queue, live: Server-Sent Events that send a fresh view each time the municipality's queue
//! changes (see `queue_events`). The first event is the current view, so a client (or a
//! browser's `EventSource` reconnecting after a dropped connection) never waits for a change
//! to see where things stand. A view identical to the last one sent is skipped.

use super::queue::{resident_view, staff_queue, QueueEntryView, StaffQueueEntryView};
use super::Path;
use crate::adapters::live_updates::QueueChanged;
use crate::api::problem::Problem;
use crate::auth::Staff;
use crate::domain::ids::TenantId;
use crate::domain::queue::QueueEntryId;
use crate::error::{Error, Result};
use crate::usecases;
use crate::App;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use utoipa::ToSchema;

/// Proxies drop connections that stay silent; a comment line this often keeps them open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Answer deadlines run out without anyone writing; a quiet stream applies them this often
/// (which publishes the change when a call did run out), well within `queue::ANSWER_WITHIN`.
const SETTLE_EVERY: Duration = Duration::from_secs(10);

/// What a clerk's stream sends on each change.
#[derive(Serialize, ToSchema)]
pub struct StaffQueueUpdate {
    /// As `GET /api/v1/staff/queue`: waiting residents in calling order, then those with a clerk.
    pub queue: Vec<StaffQueueEntryView>,
    /// Callback requests nobody handled yet.
    pub open_callbacks: usize,
    /// Every clerk of the municipality with their status now.
    pub team: Vec<super::clerk_status::MemberView>,
    /// The latest hand-over of each open entry: who handed it to whom, with the note.
    pub handovers: Vec<HandoverView>,
}

/// A resident handed to a colleague or to another service's queue.
#[derive(Serialize, ToSchema)]
pub struct HandoverView {
    pub entry_id: QueueEntryId,
    pub from_clerk: crate::domain::ids::ClerkId,
    /// Absent when handed to another service's queue.
    pub to_clerk: Option<crate::domain::ids::ClerkId>,
    pub note: String,
}

pub(super) async fn handover_views(app: &App, tenant: TenantId) -> Result<Vec<HandoverView>> {
    Ok(usecases::worklist::handovers(app, tenant)
        .await?
        .into_iter()
        .map(|h| HandoverView {
            entry_id: h.entry_id,
            from_clerk: h.from_clerk,
            to_clerk: h.to_clerk,
            note: h.note,
        })
        .collect())
}

/// Whose view a stream sends.
enum Follower {
    /// Every clerk of the municipality sees the whole queue, as `GET /api/v1/staff/queue`,
    /// until the session expires (Unix seconds): an open stream is no way around logging in again.
    Clerk {
        session_expires: i64,
    },
    Resident(QueueEntryId),
}

struct Follow {
    app: App,
    tenant: TenantId,
    follower: Follower,
    changes: broadcast::Receiver<QueueChanged>,
    started: bool,
    last_sent: Option<String>,
    /// A resident's place among the streams open on their token; given back when the stream
    /// ends (the client went away).
    _slot: Option<crate::limits::StreamSlot>,
}

impl Follow {
    /// The follower's view now, as the SSE event name and its JSON.
    async fn render(&self) -> Result<(&'static str, String)> {
        let app = &self.app;
        // Re-read every time: the municipality's settings (time zone) may change meanwhile.
        let tenant = usecases::desk::municipality_by_id(app, self.tenant).await?;
        Ok(match &self.follower {
            Follower::Clerk { .. } => {
                let update = StaffQueueUpdate {
                    queue: staff_queue(app, &tenant).await?,
                    open_callbacks: usecases::queue::open_callback_count(app, tenant.id).await?,
                    team: super::clerk_status::team_view(app, &tenant).await?,
                    handovers: handover_views(app, tenant.id).await?,
                };
                ("queue", to_json(&update)?)
            }
            Follower::Resident(id) => {
                let entry = usecases::queue::entry(app, tenant.id, *id).await?;
                (
                    "entry",
                    to_json(&resident_view(app, &tenant, &entry).await?)?,
                )
            }
        })
    }

    /// Waits until the queue changed; `false` when this instance is shutting down.
    async fn wait_for_change(&mut self) -> bool {
        loop {
            match tokio::time::timeout(SETTLE_EVERY, self.changes.recv()).await {
                Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => break,
                Ok(Err(RecvError::Closed)) => return false,
                Err(_quiet) => {
                    if let Ok(tenant) =
                        usecases::desk::municipality_by_id(&self.app, self.tenant).await
                    {
                        if let Err(error) =
                            usecases::queue::settle_unanswered(&self.app, &tenant).await
                        {
                            tracing::warn!(%error, "could not settle unanswered calls");
                        }
                    }
                }
            }
        }
        // A burst of changes (a clerk calling, the resident answering) needs one fresh view.
        loop {
            match self.changes.try_recv() {
                Ok(_) | Err(TryRecvError::Lagged(_)) => continue,
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Closed) => return false,
            }
        }
    }

    async fn next(mut self) -> Option<(std::result::Result<Event, Infallible>, Self)> {
        loop {
            if self.started && !self.wait_for_change().await {
                return None;
            }
            self.started = true;
            if let Follower::Clerk { session_expires } = self.follower {
                if self.app.clock.now().as_second() >= session_expires {
                    // The EventSource reconnects, is refused, and the page asks for a login.
                    return None;
                }
            }
            let (name, json) = match self.render().await {
                Ok(view) => view,
                Err(error) => {
                    // Ending the stream makes an EventSource reconnect, which starts afresh.
                    tracing::warn!(%error, "could not render a live queue view");
                    return None;
                }
            };
            if self.last_sent.as_deref() == Some(json.as_str()) {
                continue;
            }
            self.last_sent = Some(json.clone());
            return Some((Ok(Event::default().event(name).data(json)), self));
        }
    }
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

fn follow(
    app: App,
    tenant: TenantId,
    follower: Follower,
    slot: Option<crate::limits::StreamSlot>,
) -> Sse<impl Stream<Item = std::result::Result<Event, Infallible>>> {
    // Subscribe before the first view is read, so a change between the two is not lost.
    let changes = app.events.subscribe(tenant);
    let state = Follow {
        app,
        tenant,
        follower,
        changes,
        started: false,
        last_sent: None,
        _slot: slot,
    };
    Sse::new(futures::stream::unfold(state, Follow::next))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// Follow the queue live
///
/// Server-Sent Events: the queue now and after every change, until the session ends.
#[utoipa::path(get, path = "/api/v1/staff/queue/events", tag = "queue",
    responses((status = 200, content_type = "text/event-stream", body = StaffQueueUpdate,
        description = "Server-Sent Events named `queue`, one with the current queue and one after every change"),
        (status = 401, body = Problem)))]
pub async fn staff_events(
    State(app): State<App>,
    Staff(claims): Staff,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    // Fails now, as a problem response, for a municipality that no longer exists.
    let tenant = crate::usecases::desk::municipality(&app, &claims).await?.id;
    let follower = Follower::Clerk {
        session_expires: claims.exp,
    };
    Ok(follow(app, tenant, follower, None))
}

/// Follow a queue entry live
///
/// Server-Sent Events: the entry now and after every change of place, expected wait or status.
#[utoipa::path(get, path = "/api/v1/queue-entries/{token}/events", tag = "queue",
    responses((status = 200, content_type = "text/event-stream", body = QueueEntryView,
        description = "Server-Sent Events named `entry`, one with the entry now and one after every change of the place, the expected wait or the status"),
        (status = 404, body = Problem),
        (status = 429, body = Problem, description = "Too many streams open on this token at once; close one first")))]
pub async fn entry_events(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<Sse<impl Stream<Item = std::result::Result<Event, Infallible>>>> {
    let (tenant, entry) = usecases::queue::entry_by_token(&app, &token).await?;
    let slot = app.limits.open_stream(&entry.id.to_string())?;
    Ok(follow(
        app,
        tenant.id,
        Follower::Resident(entry.id),
        Some(slot),
    ))
}
