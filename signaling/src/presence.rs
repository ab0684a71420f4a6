//! Who is in which room: the one owner of room membership. Each room's members (connected
//! sockets, participants expected back after a dropped socket, their microphone/camera
//! state) sit behind that room's lock, and every join and removal makes its SFU call under
//! the same lock, so the SFU's media always matches the members.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, OwnedMutexGuard};
use tokio::task::JoinHandle;
use tracing::info;

use crate::conversation::PhotoStep;
use crate::photo::PhotoConsent;
use crate::protocol::{LeaveReason, ParticipantInfo, Presence, ServerMessage};
use crate::token::RoomClaims;
use sfu::{PeerHandle, Sfu, SfuError, SfuEvent};

/// What a session task is told by the others in its room.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// Send this message.
    Message(ServerMessage),
    /// The same participant connected from elsewhere: this socket must go.
    Replaced,
    /// The clerk took this participant out of the room.
    Removed,
    /// The room moves to another media node: join again.
    Moved,
}

pub(crate) type ConnTx = mpsc::UnboundedSender<Outbound>;

struct Member {
    info: ParticipantInfo,
    /// The live socket: (connection id, its outbound queue). `None` while reconnecting.
    conn: Option<(u64, ConnTx)>,
    /// Removes the member if they do not come back in time.
    grace: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Room {
    members: HashMap<String, Member>,
    /// Whether the clerk may take a photo of a document now (issue 22 item 2).
    photo: PhotoConsent,
    /// Set when the room was emptied and taken off the map; whoever waited for its lock
    /// meanwhile starts over with a fresh room.
    closed: bool,
}

/// A participant who is in the room now.
pub(crate) struct Joined {
    /// The participant was already in the room (reconnect or second tab).
    pub reconnect: bool,
    /// Everybody else in the room.
    pub others: Vec<ParticipantInfo>,
    /// Their new peer connection with the SFU, and its events.
    pub peer: PeerHandle,
    pub sfu_events: mpsc::UnboundedReceiver<SfuEvent>,
}

pub(crate) struct Rooms {
    sfu: Sfu,
    rooms: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Room>>>>,
}

impl Rooms {
    pub fn new(sfu: Sfu) -> Self {
        Self {
            sfu,
            rooms: Mutex::new(HashMap::new()),
        }
    }

    pub fn sfu(&self) -> &Sfu {
        &self.sfu
    }

    /// Locks the room, creating it when `create` is set and it does not exist.
    async fn lock_room(&self, id: &str, create: bool) -> Option<OwnedMutexGuard<Room>> {
        loop {
            let room = {
                let mut rooms = lock(&self.rooms);
                match rooms.get(id) {
                    Some(room) => Arc::clone(room),
                    None if create => Arc::clone(rooms.entry(id.to_owned()).or_default()),
                    None => return None,
                }
            };
            let guard = room.lock_owned().await;
            if !guard.closed {
                return Some(guard);
            }
        }
    }

    /// Takes an empty room off the map. Call before releasing its lock.
    fn close_if_empty(&self, id: &str, room: &mut OwnedMutexGuard<Room>) {
        if !room.members.is_empty() {
            return;
        }
        room.closed = true;
        let mut rooms = lock(&self.rooms);
        if rooms
            .get(id)
            .is_some_and(|r| Arc::ptr_eq(r, OwnedMutexGuard::mutex(room)))
        {
            rooms.remove(id);
        }
    }

    /// Puts the participant of `claims` in the room with a live socket and a fresh SFU peer
    /// connection, replacing (and closing) a previous socket of theirs, and tells the
    /// others. On an SFU failure a new participant is taken out again. With `room_size` (the
    /// municipality's setting) a newcomer beyond it is refused; one already in the room (a
    /// reconnect or takeover) always gets back in.
    pub async fn join(
        &self,
        claims: &RoomClaims,
        conn_id: u64,
        tx: ConnTx,
        room_size: Option<usize>,
    ) -> Result<Joined, SfuError> {
        let mut room = self
            .lock_room(&claims.room, true)
            .await
            .expect("created when missing");
        if let Some(max) = room_size {
            if !room.members.contains_key(&claims.sub) && room.members.len() >= max {
                self.close_if_empty(&claims.room, &mut room);
                return Err(SfuError::RoomFull { max });
            }
        }
        let others: Vec<ParticipantInfo> = room
            .members
            .values()
            .filter(|m| m.info.id != claims.sub)
            .map(|m| m.info.clone())
            .collect();
        let reconnect = match room.members.get_mut(&claims.sub) {
            Some(member) => {
                if let Some(grace) = member.grace.take() {
                    grace.abort();
                }
                if let Some((_, old)) = member.conn.replace((conn_id, tx)) {
                    let _ = old.send(Outbound::Replaced);
                }
                member.info.state = Presence::Connected;
                true
            }
            None => {
                let info = ParticipantInfo {
                    id: claims.sub.clone(),
                    name: claims.name.clone(),
                    role: claims.role,
                    state: Presence::Connected,
                    audio: true,
                    video: true,
                };
                let member = Member {
                    info,
                    conn: Some((conn_id, tx)),
                    grace: None,
                };
                room.members.insert(claims.sub.clone(), member);
                false
            }
        };
        let message = if reconnect {
            ServerMessage::ParticipantState {
                participant_id: claims.sub.clone(),
                state: Presence::Connected,
            }
        } else {
            ServerMessage::ParticipantJoined {
                participant: room.members[&claims.sub].info.clone(),
            }
        };
        broadcast(&room, &claims.sub, &message);

        match self.sfu.connect(&claims.room, &claims.sub).await {
            Ok((peer, sfu_events)) => Ok(Joined {
                reconnect,
                others,
                peer,
                sfu_events,
            }),
            Err(err) => {
                remove_member(&mut room, &claims.sub, Some(conn_id), LeaveReason::Left);
                self.close_if_empty(&claims.room, &mut room);
                Err(err)
            }
        }
    }

    /// Takes the participant out for good if `conn_id` is still their socket: the others
    /// are told, the SFU drops their media.
    pub async fn leave(&self, claims: &RoomClaims, conn_id: u64, reason: LeaveReason) {
        self.remove(&claims.room, &claims.sub, Some(conn_id), reason)
            .await;
    }

    /// The socket `conn_id` dropped: if it is still the participant's, they are shown as
    /// reconnecting and keep their place (and media path) for `grace`, then are removed.
    pub async fn dropped(self: &Arc<Self>, claims: &RoomClaims, conn_id: u64, grace: Duration) {
        let Some(mut room) = self.lock_room(&claims.room, false).await else {
            return;
        };
        let Some(member) = room.members.get_mut(&claims.sub) else {
            return;
        };
        if member.conn.as_ref().map(|(id, _)| *id) != Some(conn_id) {
            return;
        }
        member.conn = None;
        member.info.state = Presence::Reconnecting;
        let rooms = Arc::clone(self);
        let (room_id, participant) = (claims.room.clone(), claims.sub.clone());
        member.grace = Some(tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            if rooms
                .remove(&room_id, &participant, None, LeaveReason::Timeout)
                .await
            {
                info!(room = %room_id, %participant, "did not come back in time");
            }
        }));
        broadcast(
            &room,
            &claims.sub,
            &ServerMessage::ParticipantState {
                participant_id: claims.sub.clone(),
                state: Presence::Reconnecting,
            },
        );
    }

    /// Removes the participant if `conn_id` is their socket, or — with `conn_id` `None` — if
    /// they are still reconnecting. Returns whether it removed them.
    async fn remove(
        &self,
        room_id: &str,
        participant: &str,
        conn_id: Option<u64>,
        reason: LeaveReason,
    ) -> bool {
        let Some(mut room) = self.lock_room(room_id, false).await else {
            return false;
        };
        if !remove_member(&mut room, participant, conn_id, reason) {
            return false;
        }
        self.sfu.remove_participant(room_id, participant).await;
        self.close_if_empty(room_id, &mut room);
        true
    }

    /// The clerk takes `participant` out: their socket is told (`Outbound::Removed`), the
    /// others see them leave with `removed`, the SFU drops their media. Returns whether they
    /// were in the room.
    pub async fn remove_by_clerk(&self, room_id: &str, participant: &str) -> bool {
        let Some(mut room) = self.lock_room(room_id, false).await else {
            return false;
        };
        let Some(member) = room.members.get_mut(participant) else {
            return false;
        };
        if let Some(grace) = member.grace.take() {
            grace.abort();
        }
        let conn = member.conn.as_ref().map(|(id, tx)| (*id, tx.clone()));
        if let Some((_, tx)) = &conn {
            let _ = tx.send(Outbound::Removed);
        }
        remove_member(
            &mut room,
            participant,
            conn.map(|(id, _)| id),
            LeaveReason::Removed,
        );
        self.sfu.remove_participant(room_id, participant).await;
        self.close_if_empty(room_id, &mut room);
        info!(room = %room_id, %participant, "removed by the clerk");
        true
    }

    /// Ids of the rooms with anyone in them (connected or reconnecting).
    pub fn room_ids(&self) -> Vec<String> {
        lock(&self.rooms).keys().cloned().collect()
    }

    /// The room was placed on another node (this one was thought gone): everyone's socket is
    /// told to join again, which brings them to that node, and the room ends here.
    pub async fn evict(&self, room_id: &str) -> usize {
        let Some(mut room) = self.lock_room(room_id, false).await else {
            return 0;
        };
        let evicted = room.members.len();
        for (_, member) in room.members.drain() {
            if let Some(grace) = member.grace {
                grace.abort();
            }
            if let Some((_, tx)) = member.conn {
                let _ = tx.send(Outbound::Moved);
            }
        }
        self.sfu.close_room(room_id).await;
        self.close_if_empty(room_id, &mut room);
        evicted
    }

    /// Records the participant's microphone/camera state and tells the others
    /// (`weak_network`: the camera is off because the network is too weak for video).
    pub async fn set_media(
        &self,
        claims: &RoomClaims,
        audio: bool,
        video: bool,
        weak_network: bool,
        screen: bool,
    ) {
        let Some(mut room) = self.lock_room(&claims.room, false).await else {
            return;
        };
        if let Some(member) = room.members.get_mut(&claims.sub) {
            member.info.audio = audio;
            member.info.video = video;
        }
        broadcast(
            &room,
            &claims.sub,
            &ServerMessage::MediaState {
                participant_id: claims.sub.clone(),
                audio,
                video,
                weak_network,
                screen,
            },
        );
    }

    /// A step of asking for a photo: checked against the room's `PhotoConsent`, then told to
    /// the others; a step that does not fit now is refused to its sender only.
    pub async fn photo(&self, claims: &RoomClaims, step: PhotoStep) {
        let Some(mut room) = self.lock_room(&claims.room, false).await else {
            return;
        };
        let me = claims.sub.clone();
        let result = match step {
            PhotoStep::Request => {
                room.photo.request(&me);
                Ok(ServerMessage::PhotoRequested { participant_id: me })
            }
            PhotoStep::Answer { accepted } => {
                room.photo
                    .answer(accepted)
                    .map(|_| ServerMessage::PhotoAnswered {
                        participant_id: me,
                        accepted,
                    })
            }
            PhotoStep::Taken => room
                .photo
                .taken(&me)
                .map(|()| ServerMessage::PhotoTaken { participant_id: me }),
        };
        match result {
            Ok(message) => {
                info!(room = %claims.room, participant = %claims.sub, ?step, "photo step");
                broadcast(&room, &claims.sub, &message);
            }
            Err(refusal) => {
                if let Some((_, tx)) = room.members.get(&claims.sub).and_then(|m| m.conn.as_ref()) {
                    let _ = tx.send(Outbound::Message(ServerMessage::Error {
                        code: crate::protocol::ErrorCode::Unexpected,
                        message: refusal.message().into(),
                    }));
                }
            }
        }
    }
}

/// Removes the member if `conn_id` matches their socket (`None`: reconnecting) and tells
/// the others. Returns whether it did.
fn remove_member(
    room: &mut Room,
    participant: &str,
    conn_id: Option<u64>,
    reason: LeaveReason,
) -> bool {
    let current = room
        .members
        .get(participant)
        .map(|m| m.conn.as_ref().map(|(id, _)| *id));
    if current != Some(conn_id) {
        return false;
    }
    room.members.remove(participant);
    room.photo.left();
    broadcast(
        room,
        participant,
        &ServerMessage::ParticipantLeft {
            participant_id: participant.to_owned(),
            reason,
        },
    );
    true
}

fn broadcast(room: &Room, except: &str, message: &ServerMessage) {
    for member in room.members.values().filter(|m| m.info.id != except) {
        if let Some((_, tx)) = &member.conn {
            let _ = tx.send(Outbound::Message(message.clone()));
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
