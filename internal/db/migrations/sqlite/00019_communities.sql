-- +goose Up
-- Communities (package community): product, service and local communities,
-- their staff, their membership rules and their members.
CREATE TABLE communities (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('product', 'service', 'local')),
    visibility  TEXT NOT NULL DEFAULT 'open' CHECK (visibility IN ('open', 'closed', 'announcement')),
    description TEXT NOT NULL DEFAULT '',
    service_id  INTEGER REFERENCES services(id),
    location_id INTEGER REFERENCES locations(id),
    function_id INTEGER REFERENCES functions(id),
    sponsor_id  INTEGER REFERENCES people(id),
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX communities_service ON communities(service_id);

-- Who runs a community besides its sponsor: moderators, the IT staff who
-- give official answers, and a local community's support contacts.
CREATE TABLE community_staff (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    role         TEXT NOT NULL CHECK (role IN ('moderator', 'it_staff', 'support')),
    PRIMARY KEY (community_id, person_id, role)
);
CREATE INDEX community_staff_person ON community_staff(person_id);

-- Membership rules: everyone at a location, in a function, in a department
-- (and those below it), holding a role, or whose department subscribes to a
-- service or an offering.
CREATE TABLE community_rules (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('location', 'function', 'department', 'role', 'service', 'offering')),
    ref_id       INTEGER NOT NULL DEFAULT 0,
    role         TEXT NOT NULL DEFAULT '',
    UNIQUE (community_id, kind, ref_id, role)
);

-- Members: joined by hand, matched by a rule, or both; an opt-out is kept
-- until the person joins again; a request waits for a moderator of a
-- closed community.
CREATE TABLE community_members (
    community_id INTEGER NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    by_hand      BOOLEAN NOT NULL DEFAULT FALSE,
    by_rule      BOOLEAN NOT NULL DEFAULT FALSE,
    opted_out    BOOLEAN NOT NULL DEFAULT FALSE,
    requested    BOOLEAN NOT NULL DEFAULT FALSE,
    since        TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, person_id)
);
CREATE INDEX community_members_person ON community_members(person_id, community_id);

-- +goose Down
DROP TABLE community_members;
DROP TABLE community_rules;
DROP TABLE community_staff;
DROP TABLE communities;
