//! A room: the participants of one appointment and what they publish.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use crate::forwarder::Publication;
use crate::metrics::{Metrics, RoomSnapshot, RoomStats};
use crate::peer::PeerSession;
use crate::MediaKind;

/// A participant as the room knows them: stable across reconnects, unlike their peer
/// connection.
pub(crate) struct Participant {
    pub id: String,
    /// Audio and video, indexed by [`MediaKind::index`]. Created on join whether or not the
    /// client ever sends that kind, so subscribers get a stable track per participant.
    pub publications: [Arc<Publication>; 2],
    pub session: Mutex<Option<Arc<PeerSession>>>,
}

impl Participant {
    pub fn current_session(&self) -> Option<Arc<PeerSession>> {
        lock(&self.session).clone()
    }
}

/// The media side of a room. Who joins and leaves is decided by the caller of
/// [`crate::Sfu::connect`] and [`crate::Sfu::remove_participant`], which serialises those
/// per room (so every session gets exactly one downlink per other participant's
/// publication); the lock here only guards the map for readers such as forwarders.
pub(crate) struct Room {
    pub id: String,
    participants: Mutex<HashMap<String, Arc<Participant>>>,
    pub stats: Arc<RoomStats>,
    metrics: Arc<Metrics>,
}

impl Room {
    pub fn new(id: String, metrics: Arc<Metrics>) -> Self {
        Self {
            id,
            participants: Mutex::new(HashMap::new()),
            stats: Arc::new(RoomStats::default()),
            metrics,
        }
    }

    pub fn participant(&self, id: &str) -> Option<Arc<Participant>> {
        lock(&self.participants).get(id).cloned()
    }

    /// Everyone but `id`.
    pub fn others(&self, id: &str) -> Vec<Arc<Participant>> {
        lock(&self.participants)
            .values()
            .filter(|p| p.id != id)
            .cloned()
            .collect()
    }

    pub fn participant_ids(&self) -> Vec<String> {
        lock(&self.participants).keys().cloned().collect()
    }

    pub fn len(&self) -> usize {
        lock(&self.participants).len()
    }

    /// Adds a participant, unless the room is full.
    pub fn insert(&self, id: &str, max: usize) -> Option<Arc<Participant>> {
        let mut participants = lock(&self.participants);
        if participants.len() >= max {
            return None;
        }
        let publication = |kind| {
            Arc::new(Publication::new(
                id.to_owned(),
                kind,
                Arc::clone(&self.metrics),
                Arc::clone(&self.stats),
            ))
        };
        let participant = Arc::new(Participant {
            id: id.to_owned(),
            publications: [publication(MediaKind::Audio), publication(MediaKind::Video)],
            session: Mutex::new(None),
        });
        participants.insert(id.to_owned(), Arc::clone(&participant));
        Some(participant)
    }

    pub fn remove(&self, id: &str) -> Option<Arc<Participant>> {
        lock(&self.participants).remove(id)
    }

    pub fn publication(&self, publisher: &str, kind: MediaKind) -> Option<Arc<Publication>> {
        self.participant(publisher)
            .map(|p| Arc::clone(&p.publications[kind.index()]))
    }

    /// Drops every reference the room holds to a closing session: its downlinks in other
    /// participants' publications.
    pub fn detach_session(&self, session_id: u64) {
        for participant in lock(&self.participants).values() {
            for publication in &participant.publications {
                publication.remove_sinks_of_session(session_id);
            }
        }
    }

    /// Lets every subscriber's downlink of `publication` follow the codec its publisher
    /// sends (see [`PeerSession::follow_codec`]).
    pub async fn follow_codec(&self, publication: &Arc<Publication>) {
        for other in self.others(&publication.publisher_id) {
            if let Some(session) = other.current_session() {
                session.follow_codec(publication).await;
            }
        }
    }

    pub fn snapshot(&self) -> RoomSnapshot {
        let participants: Vec<Arc<Participant>> =
            lock(&self.participants).values().cloned().collect();
        let mut packets_lost = 0;
        let mut rtt: Option<f64> = None;
        for participant in &participants {
            if let Some(session) = participant.current_session() {
                let stats = *lock(&session.stats);
                packets_lost += stats.packets_lost;
                rtt = match (rtt, stats.rtt_seconds) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        RoomSnapshot {
            id: self.id.clone(),
            participants: participants.len(),
            packets: self.stats.packets.load(Ordering::Relaxed),
            bytes: self.stats.bytes.load(Ordering::Relaxed),
            packets_lost,
            rtt_seconds: rtt,
        }
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
