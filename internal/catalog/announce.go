package catalog

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// Announcement tells people about a launch, a change or a retirement.
type Announcement struct {
	ID          int64         `json:"id"`
	ServiceID   int64         `json:"service_id,omitempty"`
	ServiceName string        `json:"service_name,omitempty"`
	ServiceSlug string        `json:"service_slug,omitempty"`
	Kind        string        `json:"kind" enum:"launch,change,retirement,news"`
	Title       string        `json:"title"`
	Body        string        `json:"body" doc:"Markdown"`
	AudienceAll bool          `json:"audience_all"`
	Audience    []AudienceRef `json:"audience" nullable:"false"`
	AuthorName  string        `json:"author_name"`
	PublishedAt time.Time     `json:"published_at"`
	Version     int           `json:"version"`
	Reach       *Reach        `json:"reach,omitempty" doc:"For the service's owner and admins"`
}

// Reach counts the people an announcement reached.
type Reach struct {
	Seen    int `json:"seen"`
	Clicked int `json:"went_to_service"`
	Ordered int `json:"ordered"`
}

// AnnouncementInput is what may be set on an announcement.
type AnnouncementInput struct {
	ServiceID   int64         `json:"service_id,omitempty"`
	Kind        string        `json:"kind" enum:"launch,change,retirement,news"`
	Title       string        `json:"title"`
	Body        string        `json:"body,omitempty"`
	AudienceAll bool          `json:"audience_all"`
	Audience    []AudienceRef `json:"audience,omitempty"`
	PublishAt   *time.Time    `json:"publish_at,omitempty" doc:"Now when absent; a later time schedules it"`
}

// Announce publishes an announcement. Admins may announce anything; a
// service owner announces about the services they own.
func (c *Catalog) Announce(ctx context.Context, p *access.Principal, in AnnouncementInput) (Announcement, error) {
	if p == nil {
		return Announcement{}, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	in.Title = strings.TrimSpace(in.Title)
	var v engage.Validation
	v.Require("title", in.Title, "a title")
	v.MaxLen("title", in.Title, 200)
	v.MaxLen("body", in.Body, 20000)
	if !valid(AnnouncementKinds, in.Kind) {
		v.Add("kind", "Choose one of: %s.", values(AnnouncementKinds))
	}
	if !in.AudienceAll && len(in.Audience) == 0 {
		v.Add("audience", "Announce to everyone, or name at least one department, location, function or community.")
	}
	if in.AudienceAll {
		in.Audience = nil
	}
	var id int64
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		if in.ServiceID != 0 {
			svc, err := findService(ctx, tx, "s.id = ?", in.ServiceID)
			if engage.ErrorCode(err) == engage.ENOTFOUND {
				v.Add("service_id", "No service with id %d.", in.ServiceID)
			} else if err != nil {
				return err
			} else if !canEdit(p, &svc) {
				return engage.Errorf(engage.EFORBIDDEN, "Only administrators and the owner of %s can announce about it.", svc.Name)
			}
		} else if !p.IsAdmin() {
			return engage.Errorf(engage.EFORBIDDEN, "Only administrators can make announcements that are not about a service.")
		}
		if err := c.checkAnnouncementAudience(ctx, tx, in.Audience, &v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		published := now
		if in.PublishAt != nil && in.PublishAt.After(now) {
			published = in.PublishAt.UTC().Truncate(time.Microsecond)
		}
		err := tx.QueryRow(ctx, `INSERT INTO announcements(service_id, kind, title, body, audience_all, author_id, published_at, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, db.NullID(in.ServiceID), in.Kind, in.Title, in.Body, in.AudienceAll,
			db.NullID(p.PersonID), published, now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("saving announcement: %w", err)
		}
		if err := writeAudience(ctx, tx, "announcement_audience", "announcement_id", id, in.Audience); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "announcement", id, "Announced: "+in.Title, nil, in)
	})
	if err != nil {
		return Announcement{}, err
	}
	c.news.invalidate()
	list, err := c.announcements(ctx, c.DB, "a.id = ?", id)
	if err != nil || len(list) == 0 {
		return Announcement{}, err
	}
	return list[0], nil
}

func (c *Catalog) announcements(ctx context.Context, q db.Querier, where string, args ...any) ([]Announcement, error) {
	rows, err := q.Query(ctx, `SELECT a.id, COALESCE(a.service_id, 0), COALESCE(s.name, ''), COALESCE(s.slug, ''), a.kind, a.title, a.body,
		a.audience_all, COALESCE(p.name, ''), a.published_at, a.version
		FROM announcements a LEFT JOIN services s ON s.id = a.service_id LEFT JOIN people p ON p.id = a.author_id
		WHERE `+where+` ORDER BY a.published_at DESC, a.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading announcements: %w", err)
	}
	var out []Announcement
	for rows.Next() {
		var a Announcement
		if err := rows.Scan(&a.ID, &a.ServiceID, &a.ServiceName, &a.ServiceSlug, &a.Kind, &a.Title, &a.Body, &a.AudienceAll, &a.AuthorName,
			&a.PublishedAt, &a.Version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading announcements: %w", err)
		}
		a.PublishedAt = a.PublishedAt.UTC()
		a.Audience = []AudienceRef{}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, a := range out {
		ids[i] = a.ID
	}
	aud, err := loadAudience(ctx, q, "announcement_audience", "announcement_id", ids)
	if err != nil {
		return nil, err
	}
	if err := c.nameCommunities(ctx, q, aud); err != nil {
		return nil, err
	}
	for i := range out {
		if a := aud[out[i].ID]; a != nil {
			out[i].Audience = a
		}
	}
	return out, nil
}

// AnnouncementFilter narrows announcements.
type AnnouncementFilter struct {
	ServiceID int64
	Limit     int
	// Record marks the listed announcements as seen by the person, for reach.
	Record bool
}

// Announcements lists published announcements meant for the person,
// newest first. Owners of the announced service and admins get reach.
func (c *Catalog) Announcements(ctx context.Context, p *access.Principal, f AnnouncementFilter) ([]Announcement, error) {
	v, err := c.viewerOf(ctx, p)
	if err != nil {
		return nil, err
	}
	now := c.Clock.Now()
	snap, err := c.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	all, err := c.allAnnouncements(ctx, snap)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	out := []Announcement{}
	for _, a := range all {
		if len(out) == limit {
			break
		}
		if a.PublishedAt.After(now) || (f.ServiceID != 0 && a.ServiceID != f.ServiceID) {
			continue
		}
		target := Service{AudienceAll: a.AudienceAll, Audience: a.Audience}
		if !v.all && !v.sees(&target) {
			continue
		}
		// Announcements of a service the person cannot see stay hidden.
		if a.ServiceID != 0 && !v.all {
			if svc := snap.services[a.ServiceID]; svc == nil || !v.sees(svc) {
				continue
			}
		}
		out = append(out, a)
	}
	if err := c.withReach(ctx, p, snap, out); err != nil {
		return nil, err
	}
	if f.Record && p.PersonID != 0 && len(out) > 0 {
		err = c.recordSeen(ctx, p.PersonID, out, now)
	}
	return out, err
}

// announcementCache keeps every announcement, scheduled ones included,
// newest first: the catalog page shows the news at every view. It is read
// again when this replica announces, when the catalog changes (services'
// names and URL names are part of an announcement) and at most checkEvery
// after it was read, so another replica's announcement shows within that
// time, as a catalog change does.
type announcementCache struct {
	mu         sync.Mutex
	list       []Announcement
	generation int64
	at         time.Time
}

func (ac *announcementCache) invalidate() {
	ac.mu.Lock()
	ac.list = nil
	ac.mu.Unlock()
}

// allAnnouncements returns every announcement, newest first; the caller
// must not change them.
func (c *Catalog) allAnnouncements(ctx context.Context, snap *snapshot) ([]Announcement, error) {
	ac := &c.news
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if ac.list != nil && ac.generation == snap.generation && time.Since(ac.at) < checkEvery {
		return ac.list, nil
	}
	at := time.Now()
	list, err := c.announcements(ctx, c.DB, "1 = 1")
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Announcement{}
	}
	ac.list, ac.generation, ac.at = list, snap.generation, at
	return list, nil
}

// seenKey is an announcement seen by a person.
type seenKey struct{ announcement, person int64 }

// recordSeen records that the person saw the announcements: one row per
// person and announcement, written once (INSERT … ON CONFLICT DO NOTHING
// on both engines, so two pages opened together never conflict). What this
// replica already recorded is remembered, so a page view that shows
// nothing new writes nothing.
func (c *Catalog) recordSeen(ctx context.Context, personID int64, list []Announcement, now time.Time) error {
	var todo []int64
	c.seenMu.Lock()
	for _, a := range list {
		if _, ok := c.seen[seenKey{a.ID, personID}]; !ok {
			todo = append(todo, a.ID)
		}
	}
	c.seenMu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		for _, id := range todo {
			if err := insertSeen(ctx, tx, id, personID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.seenMu.Lock()
	if c.seen == nil || len(c.seen) > maxSeenRemembered {
		c.seen = map[seenKey]struct{}{}
	}
	for _, id := range todo {
		c.seen[seenKey{id, personID}] = struct{}{}
	}
	c.seenMu.Unlock()
	return nil
}

// maxSeenRemembered bounds the memory of recorded reach (about 5 MB).
const maxSeenRemembered = 100000

func insertSeen(ctx context.Context, tx db.Querier, announcementID, personID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO announcement_reach(announcement_id, person_id, seen_at) VALUES (?, ?, ?)
		ON CONFLICT (announcement_id, person_id) DO NOTHING`, announcementID, personID, now)
	if err != nil {
		return fmt.Errorf("recording reach: %w", err)
	}
	return nil
}

// withReach adds reach figures to the announcements the person may see
// them for: admins, and owners of the announced service.
func (c *Catalog) withReach(ctx context.Context, p *access.Principal, snap *snapshot, list []Announcement) error {
	for i, a := range list {
		if !p.IsAdmin() {
			if a.ServiceID == 0 {
				continue
			}
			if svc := snap.services[a.ServiceID]; svc == nil || svc.OwnerID != p.PersonID {
				continue
			}
		}
		var r Reach
		err := c.DB.QueryRow(ctx, `SELECT COUNT(*), COUNT(clicked_at), COUNT(ordered_at) FROM announcement_reach WHERE announcement_id = ?`, a.ID).
			Scan(&r.Seen, &r.Clicked, &r.Ordered)
		if err != nil {
			return fmt.Errorf("reading reach: %w", err)
		}
		list[i].Reach = &r
	}
	return nil
}

// FollowAnnouncement records that the person went from an announcement to
// its service, and returns the service's URL name.
func (c *Catalog) FollowAnnouncement(ctx context.Context, p *access.Principal, id int64) (string, error) {
	list, err := c.Announcements(ctx, p, AnnouncementFilter{Limit: 1000})
	if err != nil {
		return "", err
	}
	for _, a := range list {
		if a.ID != id {
			continue
		}
		if a.ServiceSlug == "" {
			return "", engage.Errorf(engage.ENOTFOUND, "This announcement is not about a service.")
		}
		now := c.Clock.Now()
		err := c.DB.Transact(ctx, func(tx *db.Tx) error {
			if err := insertSeen(ctx, tx, id, p.PersonID, now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "UPDATE announcement_reach SET clicked_at = ? WHERE announcement_id = ? AND person_id = ? AND clicked_at IS NULL", now, id, p.PersonID)
			return err
		})
		return a.ServiceSlug, err
	}
	return "", engage.Errorf(engage.ENOTFOUND, "There is no such announcement for you.")
}

// CommunityAudience is what announcements need of communities: which ones
// a person belongs to, and their names. It reads through q and checks no
// access. Package community implements it; the application sets it.
type CommunityAudience interface {
	Of(ctx context.Context, q db.Querier, personID int64) ([]int64, error)
	Names(ctx context.Context, q db.Querier, ids []int64) (map[int64]string, error)
}

// checkAnnouncementAudience checks the kinds of an announcement's
// audience, and that the communities it names exist.
func (c *Catalog) checkAnnouncementAudience(ctx context.Context, q db.Querier, aud []AudienceRef, v *engage.Validation) error {
	var communities []int64
	for i, a := range aud {
		switch {
		case a.Kind == "community" && c.Communities != nil:
			communities = append(communities, a.ID)
		case a.Kind != "department" && a.Kind != "location" && a.Kind != "function":
			kinds := "department, location or function"
			if c.Communities != nil {
				kinds = "department, location, function or community"
			}
			v.Add(fmt.Sprintf("audience[%d].kind", i), "Choose %s.", kinds)
		}
	}
	if len(communities) == 0 {
		return nil
	}
	names, err := c.Communities.Names(ctx, q, communities)
	if err != nil {
		return err
	}
	for i, a := range aud {
		if _, ok := names[a.ID]; a.Kind == "community" && !ok {
			v.Add(fmt.Sprintf("audience[%d].id", i), "No community with id %d.", a.ID)
		}
	}
	return nil
}

// nameCommunities fills in the names of the communities an audience names.
func (c *Catalog) nameCommunities(ctx context.Context, q db.Querier, aud map[int64][]AudienceRef) error {
	if c.Communities == nil {
		return nil
	}
	var ids []int64
	for _, refs := range aud {
		for _, a := range refs {
			if a.Kind == "community" {
				ids = append(ids, a.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	names, err := c.Communities.Names(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, refs := range aud {
		for i := range refs {
			if refs[i].Kind == "community" {
				refs[i].Name = names[refs[i].ID]
			}
		}
	}
	return nil
}
