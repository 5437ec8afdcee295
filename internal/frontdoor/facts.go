package frontdoor

import (
	"context"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// ReviewsAndOptions returns the reviews and the options of many needs at
// once, by need id, in three queries whatever their number: for the
// board's ranking, which weighs every need in decision. Needs p may not
// read are left out.
func (f *Service) ReviewsAndOptions(ctx context.Context, p *access.Principal, needs []Need) (map[int64][]NeedReview, map[int64][]NeedOption, error) {
	if len(needs) == 0 {
		return map[int64][]NeedReview{}, map[int64][]NeedOption{}, nil
	}
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return nil, nil, err
	}
	asked := make([]int64, len(needs))
	classes := map[int64]string{}
	for i, n := range needs {
		asked[i] = n.ID
		classes[n.ID] = n.DataClass
	}
	readable, err := db.QueryIDs(ctx, f.DB, "SELECT n.id FROM needs n WHERE n.id IN ("+db.Placeholders(len(asked))+") AND "+cond,
		append(db.Args(asked), args...)...)
	if err != nil || len(readable) == 0 {
		return map[int64][]NeedReview{}, map[int64][]NeedOption{}, err
	}
	mayRead := map[int64]string{}
	for _, id := range readable {
		mayRead[id] = classes[id]
	}
	reviews, err := reviewsOf(ctx, f.DB, readable)
	if err != nil {
		return nil, nil, err
	}
	options, err := optionsOf(ctx, f.DB, mayRead)
	return reviews, options, err
}
