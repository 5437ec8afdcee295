package demo

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/product"
)

// A year of the demo communities' discussions: questions (most answered
// officially by IT, some late, some never), discussions and ideas, with
// accepted solutions. They are data, in community_discuss.yaml (its header
// describes the fields); this step plays them through package discuss as
// the people who wrote them, each at its own moment before the demo's
// now, so that topics, replies, the audit log and the engagement signals
// carry the time they happened. Like the demo needs, the loading service
// has no publisher: these are past events, not news for anyone's inbox.

//go:embed community_discuss.yaml
var discussFile []byte

type demoTopic struct {
	Community string  `yaml:"community"`
	Kind      string  `yaml:"kind"`
	Ago       float64 `yaml:"ago"`
	By        string  `yaml:"by"`
	Title     string  `yaml:"title"`
	Body      string  `yaml:"body"`
	// FirstBody is the body as first posted, edited EditedAfter hours
	// later to Body.
	FirstBody   string      `yaml:"first_body"`
	EditedAfter float64     `yaml:"edited_after"`
	Replies     []demoReply `yaml:"replies"`
}

type demoReply struct {
	By       string  `yaml:"by"`
	After    float64 `yaml:"after"`
	Body     string  `yaml:"body"`
	Official bool    `yaml:"official"`
	Accepted bool    `yaml:"accepted"`
	// Flags are members' flags on the reply, left for the moderators.
	Flags []demoFlag `yaml:"flags"`
}

type demoFlag struct {
	By     string  `yaml:"by"`
	After  float64 `yaml:"after"`
	Reason string  `yaml:"reason"`
}

// itLead answers officially for IT in the demo ("it" in the file).
const itLead = "admin@example.com"

// demoCommunities are the communities the discussions are in. The
// communities' own step creates them; until it has, this step creates
// those it can with what the organisation and the catalog hold.
var demoCommunities = []demoCommunity{
	{"iphone", "iPhone", "", "", community.KindProduct},
	{"chrome-os", "Chrome OS", "", "", community.KindProduct},
	{"outlook", "Outlook", "", "", community.KindProduct},
	{"collaboration", "Messaging and collaboration", "team-chat", "", community.KindService},
	{"client-computing", "Client computing", "laptops", "", community.KindService},
	{"science", "Science", "", "SCI", community.KindLocal},
}

type demoCommunity struct {
	slug, name, service, function string
	kind                          community.Kind
}

func loadDiscussions(ctx context.Context, d *db.DB, s product.Services) error {
	if s.Discussions == nil || s.Communities == nil {
		return nil
	}
	var topics []demoTopic
	if err := yaml.NewDecoder(bytes.NewReader(discussFile)).Decode(&topics); err != nil {
		return fmt.Errorf("demo discussions: %w", err)
	}
	admin, err := demoPrincipal(ctx, s, itLead)
	if err != nil {
		return err
	}
	communities, err := demoDiscussionCommunities(ctx, s, admin)
	if err != nil {
		return err
	}
	// Human Resources is the demo's population no community reaches (see
	// community_core.go): its people write no topics.
	people, err := db.QueryIDs(ctx, d, `SELECT p.id FROM people p LEFT JOIN departments dep ON dep.id = p.department_id
		WHERE p.active AND COALESCE(dep.code, '') <> 'HR' ORDER BY p.id`)
	if err != nil {
		return err
	}
	now := s.Discussions.Clock.Now()
	clock := &stepClock{t: now}
	loader := &discuss.Service{DB: d, Clock: clock, Communities: s.Communities, Signals: s.Discussions.Signals,
		Limit: discuss.PostLimit{PerHour: 10000, NewFor: time.Hour}}
	w := discussionWriter{s: s, people: people, admin: admin, principals: map[string]*access.Principal{}}
	for _, dt := range topics {
		c, ok := communities[dt.Community]
		if !ok {
			continue // not created yet by the communities' step: see demoDiscussionCommunities
		}
		at := now.Add(-time.Duration(dt.Ago * 24 * float64(time.Hour))).Truncate(time.Minute)
		clock.t = at
		author, err := w.poster(ctx, c, dt.By, false)
		if err != nil {
			return err
		}
		body := cmp.Or(dt.FirstBody, dt.Body)
		t, err := loader.CreateTopic(ctx, author, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Kind(dt.Kind), Title: dt.Title, Body: body})
		if err != nil {
			return fmt.Errorf("demo topic %q: %w", dt.Title, err)
		}
		if body != dt.Body {
			clock.t = at.Add(time.Duration(dt.EditedAfter * float64(time.Hour)))
			if _, err := loader.EditTopic(ctx, author, t.ID, discuss.Edit{Title: dt.Title, Body: dt.Body}); err != nil {
				return fmt.Errorf("demo edit of %q: %w", dt.Title, err)
			}
		}
		for _, dr := range dt.Replies {
			clock.t = at.Add(time.Duration(dr.After * float64(time.Hour)))
			if clock.t.After(now) {
				break
			}
			by, err := w.poster(ctx, c, dr.By, dr.Official)
			if err != nil {
				return err
			}
			r, err := loader.Reply(ctx, by, t.ID, discuss.ReplyInput{Body: dr.Body, Official: dr.Official})
			if err != nil {
				return fmt.Errorf("demo reply to %q: %w", dt.Title, err)
			}
			if dr.Accepted {
				if _, err := loader.Accept(ctx, author, t.ID, r.ID); err != nil {
					return fmt.Errorf("demo solution of %q: %w", dt.Title, err)
				}
			}
			for _, f := range dr.Flags {
				clock.t = at.Add(time.Duration(f.After * float64(time.Hour)))
				if clock.t.After(now) {
					break
				}
				flagger, err := w.poster(ctx, c, f.By, false)
				if err != nil {
					return err
				}
				if err := loader.FlagPost(ctx, flagger, t.ID, r.ID, f.Reason); err != nil {
					return fmt.Errorf("demo flag in %q: %w", dt.Title, err)
				}
			}
		}
	}
	return nil
}

func demoPrincipal(ctx context.Context, s product.Services, email string) (*access.Principal, error) {
	p, err := s.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("demo discussions: %s: %w", email, err)
	}
	return s.Org.Principal(ctx, p.ID, "demo")
}

// demoDiscussionCommunities finds the demo communities by slug, creating
// those the communities' step has not (yet) made.
func demoDiscussionCommunities(ctx context.Context, s product.Services, admin *access.Principal) (map[string]community.Community, error) {
	out := map[string]community.Community{}
	for _, slug := range []string{"iphone", "chrome-os", "outlook", "collaboration", "client-computing", "mexico-site", "maine-site", "science"} {
		c, err := s.Communities.FindBySlug(ctx, admin, slug)
		if err == nil {
			out[slug] = c
			continue
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return nil, err
		}
		i := slices.IndexFunc(demoCommunities, func(dc demoCommunity) bool { return dc.slug == slug })
		if i < 0 {
			continue // a place the organisation does not have yet
		}
		dc := demoCommunities[i]
		in := community.Input{Slug: dc.slug, Name: dc.name, Kind: dc.kind}
		if dc.service != "" {
			svc, err := s.Catalog.FindService(ctx, admin, dc.service)
			if err != nil {
				return nil, fmt.Errorf("demo community %s: %w", slug, err)
			}
			in.ServiceID = svc.Service.ID
		}
		if dc.function != "" {
			if err := s.Communities.DB.QueryRow(ctx, "SELECT id FROM functions WHERE code = ?", dc.function).Scan(&in.FunctionID); err != nil {
				return nil, fmt.Errorf("demo community %s: function %s: %w", slug, dc.function, err)
			}
		}
		if c, err = s.Communities.Create(ctx, admin, in); err != nil {
			return nil, fmt.Errorf("demo community %s: %w", slug, err)
		}
		out[slug] = c
	}
	return out, nil
}

// discussionWriter finds who writes each demo post.
type discussionWriter struct {
	s          product.Services
	people     []int64
	admin      *access.Principal
	principals map[string]*access.Principal
}

// poster returns the person "by" names, made a member of c when they may
// join it; when they may not post there (a closed community they are not
// in) one of its members writes instead, and an official answer comes from
// the IT lead when "by" may not give one.
func (w *discussionWriter) poster(ctx context.Context, c community.Community, by string, official bool) (*access.Principal, error) {
	p, err := w.person(ctx, by)
	if err != nil {
		return nil, err
	}
	r, err := w.s.Communities.Rights(ctx, p, c.ID)
	if err != nil {
		return nil, err
	}
	if official && !r.Answer {
		return w.admin, nil
	}
	if r.Post {
		return p, nil
	}
	if r.Join {
		if r, err = w.s.Communities.Join(ctx, p, c.ID); err != nil {
			return nil, err
		}
		if r.Post {
			return p, nil
		}
	}
	members, err := w.s.Communities.MemberIDs(ctx, w.s.Communities.DB, c.ID)
	if err != nil || len(members) == 0 {
		return w.admin, err
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(by, "#"))
	return w.person(ctx, "id:"+strconv.FormatInt(members[n%len(members)], 10))
}

func (w *discussionWriter) person(ctx context.Context, by string) (*access.Principal, error) {
	if by == "it" {
		return w.admin, nil
	}
	if p, ok := w.principals[by]; ok {
		return p, nil
	}
	var id int64
	switch {
	case strings.HasPrefix(by, "#"):
		n, err := strconv.Atoi(by[1:])
		if err != nil || len(w.people) == 0 {
			return nil, fmt.Errorf("demo discussions: bad author %q", by)
		}
		id = w.people[n%len(w.people)]
	case strings.HasPrefix(by, "id:"):
		id, _ = strconv.ParseInt(by[3:], 10, 64)
	default:
		p, err := w.s.Org.FindPersonByEmail(ctx, by)
		if err != nil {
			return nil, fmt.Errorf("demo discussions: %s: %w", by, err)
		}
		id = p.ID
	}
	p, err := w.s.Org.Principal(ctx, id, "demo")
	if err != nil {
		return nil, err
	}
	w.principals[by] = p
	return p, nil
}
