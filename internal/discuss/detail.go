package discuss

import (
	"context"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
)

// Can is what one person may do with one topic.
type Can struct {
	Reply     bool `json:"reply"`     // post a reply now
	Answer    bool `json:"answer"`    // give (or mark) an official IT answer
	Accept    bool `json:"accept"`    // choose the accepted solution
	Moderate  bool `json:"moderate"`  // pin, lock, hide, move, edit others' posts, read history
	Edit      bool `json:"edit"`      // edit the topic itself
	Following bool `json:"following"` // follows it now
}

// TopicDetail is a topic with what the reader may do with it.
type TopicDetail struct {
	Topic Topic `json:"topic"`
	Can   Can   `json:"can"`
	// Community is the topic's community, as read with the reader's
	// rights in it (without its member count).
	Community community.Community `json:"-"`
}

// Detail returns topic id with what p may do with it.
func (s *Service) Detail(ctx context.Context, p *access.Principal, id int64) (TopicDetail, error) {
	rd, err := s.read(ctx, p, id)
	if err != nil {
		return TopicDetail{}, err
	}
	return detail(p, rd), nil
}

// Thread returns topic id with what p may do with it and a page of its
// replies, as ListReplies pages them: what a topic's page shows.
func (s *Service) Thread(ctx context.Context, p *access.Principal, id int64, cursor string, limit int) (TopicDetail, []Reply, string, error) {
	rd, err := s.read(ctx, p, id)
	if err != nil {
		return TopicDetail{}, nil, "", err
	}
	replies, next, err := s.listReplies(ctx, p, rd.t, rd.r, cursor, limit)
	return detail(p, rd), replies, next, err
}

func detail(p *access.Principal, rd reading) TopicDetail {
	t, r := rd.t, rd.r
	author := t.AuthorID == p.PersonID
	return TopicDetail{Topic: t, Community: rd.c, Can: Can{
		Reply:     r.Post && (!t.Locked || r.Moderate),
		Answer:    r.Answer,
		Accept:    t.Kind == Question && (author || r.Moderate),
		Moderate:  r.Moderate,
		Edit:      author || r.Moderate,
		Following: rd.following,
	}}
}

// Match is a topic found for someone's words, with where it lives.
type Match struct {
	Topic
	CommunityName string `json:"community_name"`
	Path          string `json:"path" doc:"The topic page's URL path"`
}

// Similar returns the topics p may read that resemble text (a new
// topic's or a new need's words), best first: "others asked this".
func (s *Service) Similar(ctx context.Context, p *access.Principal, text string, limit int) ([]Match, error) {
	if limit <= 0 || limit > 20 {
		limit = 5
	}
	if r := []rune(text); len(r) > 500 {
		text = string(r[:500])
	}
	ts, err := s.SearchTopics(ctx, p, text, SearchFilter{Limit: limit})
	if err != nil {
		return nil, err
	}
	return s.Placed(ctx, p, ts)
}

// Placed names the community of each topic and gives its page's path.
func (s *Service) Placed(ctx context.Context, p *access.Principal, ts []Topic) ([]Match, error) {
	out := make([]Match, 0, len(ts))
	if len(ts) == 0 {
		return out, nil
	}
	all, err := s.Communities.List(ctx, p)
	if err != nil {
		return nil, err
	}
	byID := map[int64]community.Community{}
	for _, c := range all {
		byID[c.ID] = c
	}
	for _, t := range ts {
		if c, ok := byID[t.CommunityID]; ok {
			out = append(out, Match{Topic: t, CommunityName: c.Name, Path: TopicPath(c, t.ID)})
		}
	}
	return out, nil
}
