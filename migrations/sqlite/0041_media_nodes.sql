-- Media nodes and where each video room runs, for several instances on one database (issue 19).
-- A node renews heartbeat_ms (Unix milliseconds) every second; a node silent for longer than the
-- lease (domain/media_nodes.rs) has lost its rooms. A room is placed once: the primary key makes
-- two instances placing the same room at once agree on whichever row was written first.
CREATE TABLE media_nodes (
    id TEXT PRIMARY KEY,
    signal_url TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    draining INTEGER NOT NULL DEFAULT 0,
    heartbeat_ms BIGINT NOT NULL
);

CREATE TABLE room_placements (
    room_id TEXT PRIMARY KEY,
    node_id TEXT NOT NULL REFERENCES media_nodes (id) ON DELETE CASCADE,
    placed_ms BIGINT NOT NULL,
    -- When the node last reported the room as running (or when it was placed).
    seen_ms BIGINT NOT NULL
);

CREATE INDEX room_placements_node ON room_placements (node_id);
