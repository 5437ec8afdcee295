package frontdoor

import (
	"context"
	"fmt"
	"strconv"

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

// DecisionStamp returns what identifies the needs waiting for a decision
// that p may read as they are now: each one's id and version (which move
// with every change of the need, its reviews and its options), its
// department's name and the processes it is linked to (linking does not
// move the version), in one small query. Equal stamps mean nothing the
// board's ranking reads of those needs has changed.
func (f *Service) DecisionStamp(ctx context.Context, p *access.Principal) (string, error) {
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return "", err
	}
	rows, err := f.DB.Query(ctx, `SELECT n.id, n.version, COALESCE(d.name, ''), COALESCE(np.process_id, 0) FROM needs n
		LEFT JOIN departments d ON d.id = n.department_id LEFT JOIN need_processes np ON np.need_id = n.id
		WHERE n.state = ? AND `+cond+` ORDER BY n.id, np.process_id`, append([]any{string(Decision)}, args...)...)
	if err != nil {
		return "", fmt.Errorf("reading the needs in decision: %w", err)
	}
	defer rows.Close()
	var b []byte
	for rows.Next() {
		var id, version, process int64
		var dept string
		if err := rows.Scan(&id, &version, &dept, &process); err != nil {
			return "", err
		}
		b = strconv.AppendInt(b, id, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, version, 10)
		b = append(b, ':')
		b = strconv.AppendQuote(b, dept)
		b = append(b, ':')
		b = strconv.AppendInt(b, process, 10)
		b = append(b, ';')
	}
	return string(b), rows.Err()
}

// ProcessesOf returns the processes of the register each of needs is
// linked to, by need id, in one query: a list of needs leaves them out.
// Needs p may not read are left out.
func (f *Service) ProcessesOf(ctx context.Context, p *access.Principal, needs []Need) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(needs) == 0 {
		return out, nil
	}
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(needs))
	for i, n := range needs {
		ids[i] = n.ID
	}
	rows, err := f.DB.Query(ctx, `SELECT np.need_id, np.process_id FROM need_processes np JOIN needs n ON n.id = np.need_id
		WHERE np.need_id IN (`+db.Placeholders(len(ids))+`) AND `+cond+` ORDER BY np.need_id, np.process_id`, append(db.Args(ids), args...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the needs' processes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var need, process int64
		if err := rows.Scan(&need, &process); err != nil {
			return nil, err
		}
		out[need] = append(out[need], process)
	}
	return out, rows.Err()
}
