//! The queue, live: Server-Sent Events that send a fresh view each time the municipality's queue
//! changes (see `queue_events`). The first event is the current view, so a client (or a
//! browser's `EventSource` reconnecting after a dropped connection) never waits for a change
//! to see where things stand. A view identical to the last one sent is skipped.

use super::queue::{entry_view, staff_view, QueueEntryView, StaffQueueEntryView};
use super::Path;
use crate::adapters::live_updates::QueueChanged;
use crate::api::problem::Problem;
use crate::auth::Staff;
use crate::domain::ids::TenantId;
use crate::domain::queue::{EntryStatus, QueueEntry, QueueEntryId};
use crate::error::{Error, Result};
use crate::usecases;
use crate::App;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::Serialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use utoipa::ToSchema;

/// How many waiting residents a clerk's live event lists (in calling order); the rest are
/// counted. A clerk calls from the front, and `GET /api/v1/staff/queue` has them all.
pub const LIVE_WAITING_ROWS: usize = 50;

/// Proxies drop connections that stay silent; a comment line this often keeps them open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Answer deadlines run out without anyone writing; a quiet stream applies them this often
/// (which publishes the change when a call did run out), well within `queue::ANSWER_WITHIN`.
const SETTLE_EVERY: Duration = Duration::from_secs(10);

/// What a clerk's stream sends on each change.
#[derive(Serialize, ToSchema)]
pub struct StaffQueueUpdate {
    /// As `GET /api/v1/staff/queue`, shortened: the first 50 waiting residents in calling
    /// order, then everyone with a clerk. `waiting` counts all who wait.
    pub queue: Vec<StaffQueueEntryView>,
    /// How many residents wait, also those past the first 50 in `queue`.
    pub waiting: usize,
    /// Callback requests nobody handled yet.
    pub open_callbacks: usize,
    /// Every clerk of the municipality with their status now.
    pub team: Vec<super::clerk_status::MemberView>,
    /// The latest hand-over of each open entry: who handed it to whom, with the note.
    pub handovers: Vec<HandoverView>,
}

/// A resident handed to a colleague or to another service's queue.
#[derive(Clone, Serialize, ToSchema)]
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

/// A snapshot older than this is read afresh for a new stream even without a change: places
/// and lateness move with the clock.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// One municipality's queue as last read, shared by every stream of it on this instance.
struct Shared {
    /// `QueueEvents::heard` before the read began: the snapshot includes every change up to it.
    heard: u64,
    read_at: std::time::Instant,
    snapshot: usecases::queue::QueueSnapshot,
    /// The team's statuses and the open hand-overs, read with the snapshot.
    team: Vec<super::clerk_status::MemberView>,
    handovers: Vec<HandoverView>,
    /// The clerks' event, the same for every clerk of the municipality; made once.
    staff_json: OnceLock<std::result::Result<String, String>>,
}

impl Shared {
    fn staff_json(&self) -> Result<String> {
        self.staff_json
            .get_or_init(|| {
                let snap = &self.snapshot;
                // The first waiting residents and everyone with a clerk: the whole queue to
                // every clerk on every change was the load test's bottleneck (2,000 waiting,
                // 200 clerks: about 100 MB per change, docs/benchmarks.md). `clerk_queue` has
                // the waiting first, in calling order.
                let waits = |e: &&QueueEntry| e.status == EntryStatus::Waiting;
                let waiting = snap.clerk_queue.iter().filter(waits).count();
                let queue = snap
                    .clerk_queue
                    .iter()
                    .filter(waits)
                    .take(LIVE_WAITING_ROWS)
                    .chain(snap.clerk_queue.iter().filter(|e| !waits(e)))
                    .map(|e| staff_view(&snap.tenant, &snap.services, e, snap.now))
                    .collect::<Result<Vec<_>>>()
                    .map_err(|e| e.to_string())?;
                let update = StaffQueueUpdate {
                    queue,
                    waiting,
                    open_callbacks: snap.open_callbacks,
                    team: self.team.clone(),
                    handovers: self.handovers.clone(),
                };
                to_json(&update).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(Error::Internal)
    }
}

/// The latest snapshot per municipality (issue 20): after a change the first stream that wakes
/// reads the queue, the others wait for it and share that read, so a change costs one read
/// and one clerk view, however many follow.
#[derive(Default)]
pub struct SharedViews {
    tenants: Mutex<HashMap<TenantId, Arc<Latest>>>,
}

/// A municipality's latest snapshot; held while one stream reads a fresh one.
type Latest = tokio::sync::Mutex<Option<Arc<Shared>>>;

impl SharedViews {
    /// A snapshot that includes every change up to `heard`.
    async fn at_least(&self, app: &App, tenant: TenantId, heard: u64) -> Result<Arc<Shared>> {
        let slot = self
            .tenants
            .lock()
            .expect("shared views lock")
            .entry(tenant)
            .or_default()
            .clone();
        let mut latest = slot.lock().await;
        if let Some(shared) = latest
            .as_ref()
            .filter(|s| s.heard >= heard && s.read_at.elapsed() < FRESH_FOR)
        {
            return Ok(shared.clone());
        }
        let heard = app.events.heard();
        let read_at = std::time::Instant::now();
        let snapshot = usecases::queue::snapshot(app, tenant).await?;
        let team = super::clerk_status::team_view(app, &snapshot.tenant).await?;
        let handovers = handover_views(app, snapshot.tenant.id).await?;
        let shared = Arc::new(Shared {
            heard,
            read_at,
            snapshot,
            team,
            handovers,
            staff_json: OnceLock::new(),
        });
        *latest = Some(shared.clone());
        Ok(shared)
    }
}

impl Follow {
    /// The follower's view once every change up to `heard` is in, as the SSE event name and
    /// its JSON.
    async fn render(&self, heard: u64) -> Result<(&'static str, String)> {
        let app = &self.app;
        let shared = app.live_views.at_least(app, self.tenant, heard).await?;
        let snap = &shared.snapshot;
        Ok(match &self.follower {
            Follower::Clerk { .. } => ("queue", shared.staff_json()?),
            Follower::Resident(id) => {
                let entry = match snap.open_entry(*id) {
                    Some(entry) => entry.clone(),
                    // Done, missed or left: no longer in the shared snapshot.
                    None => usecases::queue::entry(app, self.tenant, *id).await?,
                };
                let service = snap
                    .services
                    .iter()
                    .find(|s| s.id == entry.service_id)
                    .ok_or(Error::NotFound("service"))?;
                let place = snap.place(entry.id);
                (
                    "entry",
                    to_json(&entry_view(&snap.tenant, &entry, service, place))?,
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
                            usecases::queue::settle_overdue(&self.app, &tenant).await
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
            // Read after waking: the view must include the change that woke this stream.
            let heard = self.app.events.heard();
            if let Follower::Clerk { session_expires } = self.follower {
                if self.app.clock.now().as_second() >= session_expires {
                    // The EventSource reconnects, is refused, and the page asks for a login.
                    return None;
                }
            }
            let (name, json) = match self.render(heard).await {
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
