//! Who is in which room, as the signalling layer sees it: connected sockets, participants
//! expected back after a dropped socket, and their microphone/camera state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::protocol::{LeaveReason, ParticipantInfo, Presence, ServerMessage};
use crate::token::RoomClaims;

/// What a session task is asked to do by others.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send this message.
    Message(ServerMessage),
    /// Close the socket with this code and reason.
    Close(u16, &'static str),
}

pub(crate) type ConnTx = mpsc::UnboundedSender<Outbound>;

struct Member {
    info: ParticipantInfo,
    /// The live socket: (connection id, its outbound queue). `None` while reconnecting.
    conn: Option<(u64, ConnTx)>,
    /// Removes the member if they do not come back in time.
    grace: Option<JoinHandle<()>>,
}

/// Result of [`Rooms::attach`].
pub(crate) struct Attached {
    /// The participant was already in the room (reconnect or second tab).
    pub reconnect: bool,
    /// Everybody else in the room.
    pub others: Vec<ParticipantInfo>,
}

#[derive(Default)]
pub(crate) struct Rooms {
    rooms: Mutex<HashMap<String, HashMap<String, Member>>>,
    /// Per-room locks that serialise joins and removals across the presence map and the
    /// SFU. Weak, so a lock disappears with the last user.
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl Rooms {
    pub fn room_lock(&self, room: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = lock(&self.locks);
        if let Some(existing) = locks.get(room).and_then(Weak::upgrade) {
            return existing;
        }
        locks.retain(|_, weak| weak.strong_count() > 0);
        let fresh = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(room.to_owned(), Arc::downgrade(&fresh));
        fresh
    }

    /// Registers a live socket for the participant of `claims`, replacing (and closing) a
    /// previous socket of the same participant, and tells the others.
    pub fn attach(&self, claims: &RoomClaims, conn_id: u64, tx: ConnTx) -> Attached {
        let mut rooms = lock(&self.rooms);
        let room = rooms.entry(claims.room.clone()).or_default();
        let others: Vec<ParticipantInfo> = room
            .values()
            .filter(|m| m.info.id != claims.sub)
            .map(|m| m.info.clone())
            .collect();
        let reconnect = match room.get_mut(&claims.sub) {
            Some(member) => {
                if let Some(grace) = member.grace.take() {
                    grace.abort();
                }
                if let Some((_, old)) = member.conn.replace((conn_id, tx)) {
                    let _ = old.send(Outbound::Close(
                        crate::protocol::close::REPLACED,
                        "connected from elsewhere",
                    ));
                }
                member.info.state = Presence::Connected;
                true
            }
            None => {
                room.insert(
                    claims.sub.clone(),
                    Member {
                        info: ParticipantInfo {
                            id: claims.sub.clone(),
                            name: claims.name.clone(),
                            role: claims.role,
                            state: Presence::Connected,
                            audio: true,
                            video: true,
                        },
                        conn: Some((conn_id, tx)),
                        grace: None,
                    },
                );
                false
            }
        };
        let message = match room.get(&claims.sub) {
            Some(member) if !reconnect => ServerMessage::ParticipantJoined {
                participant: member.info.clone(),
            },
            _ => ServerMessage::ParticipantState {
                participant_id: claims.sub.clone(),
                state: Presence::Connected,
            },
        };
        broadcast(room, &claims.sub, &message);
        Attached { reconnect, others }
    }

    /// Marks the participant as reconnecting if `conn_id` is still their socket, and tells
    /// the others. Returns whether it did.
    pub fn mark_reconnecting(&self, room_id: &str, participant: &str, conn_id: u64) -> bool {
        let mut rooms = lock(&self.rooms);
        let Some(room) = rooms.get_mut(room_id) else {
            return false;
        };
        let Some(member) = room.get_mut(participant) else {
            return false;
        };
        if member.conn.as_ref().map(|(id, _)| *id) != Some(conn_id) {
            return false;
        }
        member.conn = None;
        member.info.state = Presence::Reconnecting;
        broadcast(
            room,
            participant,
            &ServerMessage::ParticipantState {
                participant_id: participant.to_owned(),
                state: Presence::Reconnecting,
            },
        );
        true
    }

    pub fn set_grace(&self, room_id: &str, participant: &str, task: JoinHandle<()>) {
        let mut rooms = lock(&self.rooms);
        match rooms
            .get_mut(room_id)
            .and_then(|room| room.get_mut(participant))
        {
            Some(member) if member.conn.is_none() => member.grace = Some(task),
            _ => task.abort(),
        }
    }

    /// Removes the participant if `conn_id` is their socket, or — with `conn_id` `None` — if
    /// they are still reconnecting. Tells the others. Returns whether it removed them.
    pub fn remove(
        &self,
        room_id: &str,
        participant: &str,
        conn_id: Option<u64>,
        reason: LeaveReason,
    ) -> bool {
        let mut rooms = lock(&self.rooms);
        let Some(room) = rooms.get_mut(room_id) else {
            return false;
        };
        let current = room
            .get(participant)
            .map(|m| m.conn.as_ref().map(|(id, _)| *id));
        if current != Some(conn_id) {
            return false;
        }
        room.remove(participant);
        broadcast(
            room,
            participant,
            &ServerMessage::ParticipantLeft {
                participant_id: participant.to_owned(),
                reason,
            },
        );
        if room.is_empty() {
            rooms.remove(room_id);
        }
        true
    }

    pub fn set_media(&self, room_id: &str, participant: &str, audio: bool, video: bool) {
        let mut rooms = lock(&self.rooms);
        let Some(room) = rooms.get_mut(room_id) else {
            return;
        };
        if let Some(member) = room.get_mut(participant) {
            member.info.audio = audio;
            member.info.video = video;
        }
        broadcast(
            room,
            participant,
            &ServerMessage::MediaState {
                participant_id: participant.to_owned(),
                audio,
                video,
            },
        );
    }

    pub fn room_count(&self) -> usize {
        lock(&self.rooms).len()
    }

    pub fn participant_count(&self) -> usize {
        lock(&self.rooms).values().map(HashMap::len).sum()
    }
}

fn broadcast(room: &HashMap<String, Member>, except: &str, message: &ServerMessage) {
    for member in room.values().filter(|m| m.info.id != except) {
        if let Some((_, tx)) = &member.conn {
            let _ = tx.send(Outbound::Message(message.clone()));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
