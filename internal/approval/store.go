package approval

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// The SQL below is the same text for SQLite and PostgreSQL; db rewrites the
// placeholders.

func encodeIDs(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func decodeIDs(s string) ([]int64, error) {
	out := []int64{}
	if s == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decoding id list: %w", err)
	}
	return out, nil
}

// --- policies ---

const policyColumns = "id, name, description, active, priority, conditions_json, version, created_at, updated_at FROM approval_policies"

func scanPolicy(row db.Scanner) (Policy, error) {
	var p Policy
	var cond string
	if err := row.Scan(&p.ID, &p.Name, &p.Description, &p.Active, &p.Priority, &cond, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(cond), &p.Conditions); err != nil {
		return p, fmt.Errorf("decoding conditions of approval policy %d: %w", p.ID, err)
	}
	return p, nil
}

func findPolicy(ctx context.Context, q db.Querier, id int64) (Policy, error) {
	p, err := scanPolicy(q.QueryRow(ctx, "SELECT "+policyColumns+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("approval policy", id)
	} else if err != nil {
		return p, fmt.Errorf("reading approval policy %d: %w", id, err)
	}
	list := []Policy{p}
	if err := loadPolicyStages(ctx, q, list); err != nil {
		return p, err
	}
	return list[0], nil
}

// listPolicies lists policies in evaluation order (priority, then id).
func listPolicies(ctx context.Context, q db.Querier, cursor string, limit int) ([]Policy, string, error) {
	cur, err := paging.Decode(cursor)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{"1=1"}, []any{}
	if cur != nil {
		var prio int
		if prio, err = strconv.Atoi(cur.Key); err != nil {
			_, err = paging.Decode("?") // the standard "cursor is not valid" error
			return nil, "", err
		}
		where = append(where, "(priority > ? OR (priority = ? AND id > ?))")
		args = append(args, prio, prio, cur.ID)
	}
	limit = paging.Limit(limit)
	out, err := queryPolicies(ctx, q, strings.Join(where, " AND ")+" ORDER BY priority, id LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	out, next := paging.Trim(out, limit, func(p Policy) paging.Cursor { return paging.Cursor{Key: strconv.Itoa(p.Priority), ID: p.ID} })
	if err := loadPolicyStages(ctx, q, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// activePolicies returns every active policy in evaluation order.
func activePolicies(ctx context.Context, q db.Querier) ([]Policy, error) {
	out, err := queryPolicies(ctx, q, "active = ? ORDER BY priority, id", true)
	if err != nil {
		return nil, err
	}
	return out, loadPolicyStages(ctx, q, out)
}

func queryPolicies(ctx context.Context, q db.Querier, where string, args ...any) ([]Policy, error) {
	rows, err := q.Query(ctx, "SELECT "+policyColumns+" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("listing approval policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("reading approval policies: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func loadPolicyStages(ctx context.Context, q db.Querier, list []Policy) error {
	if len(list) == 0 {
		return nil
	}
	index := map[int64]int{}
	ids := make([]int64, len(list))
	for i, p := range list {
		index[p.ID] = i
		ids[i] = p.ID
		list[i].Stages = []Stage{}
	}
	rows, err := q.Query(ctx, "SELECT policy_id, name, quorum, quorum_n, approvers_json FROM approval_policy_stages WHERE policy_id IN ("+
		db.Placeholders(len(ids))+") ORDER BY policy_id, position", db.Args(ids)...)
	if err != nil {
		return fmt.Errorf("reading approval policy stages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st Stage
		var approvers string
		if err := rows.Scan(&id, &st.Name, &st.Quorum, &st.QuorumN, &approvers); err != nil {
			return fmt.Errorf("reading approval policy stages: %w", err)
		}
		if err := json.Unmarshal([]byte(approvers), &st.Approvers); err != nil {
			return fmt.Errorf("decoding approvers of approval policy %d: %w", id, err)
		}
		i := index[id]
		list[i].Stages = append(list[i].Stages, st)
	}
	return rows.Err()
}

func insertPolicy(ctx context.Context, q db.Querier, in PolicyInput, now time.Time) (int64, error) {
	cond, err := json.Marshal(in.Conditions)
	if err != nil {
		return 0, fmt.Errorf("encoding conditions: %w", err)
	}
	var id int64
	err = q.QueryRow(ctx, `INSERT INTO approval_policies(name, description, active, priority, conditions_json, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, in.Name, in.Description, in.Active, in.Priority, string(cond), now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting approval policy %q: %w", in.Name, err)
	}
	return id, insertPolicyStages(ctx, q, id, in.Stages)
}

func updatePolicy(ctx context.Context, q db.Querier, id int64, version int, in PolicyInput, now time.Time) (int64, error) {
	cond, err := json.Marshal(in.Conditions)
	if err != nil {
		return 0, fmt.Errorf("encoding conditions: %w", err)
	}
	res, err := q.Exec(ctx, `UPDATE approval_policies SET name = ?, description = ?, active = ?, priority = ?, conditions_json = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		in.Name, in.Description, in.Active, in.Priority, string(cond), now, id, version)
	if err != nil {
		return 0, fmt.Errorf("updating approval policy %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	if _, err := q.Exec(ctx, "DELETE FROM approval_policy_stages WHERE policy_id = ?", id); err != nil {
		return 0, fmt.Errorf("replacing stages of approval policy %d: %w", id, err)
	}
	return n, insertPolicyStages(ctx, q, id, in.Stages)
}

func insertPolicyStages(ctx context.Context, q db.Querier, id int64, stages []Stage) error {
	for i, st := range stages {
		approvers, err := json.Marshal(st.Approvers)
		if err != nil {
			return fmt.Errorf("encoding approvers: %w", err)
		}
		if _, err := q.Exec(ctx, `INSERT INTO approval_policy_stages(policy_id, position, name, quorum, quorum_n, approvers_json)
			VALUES (?, ?, ?, ?, ?, ?)`, id, i+1, st.Name, st.Quorum, st.QuorumN, string(approvers)); err != nil {
			return fmt.Errorf("inserting stage %d of approval policy %d: %w", i+1, id, err)
		}
	}
	return nil
}

// --- the organisation, as approvals need it ---

// orgView is the department tree with each department's head and BRM.
type orgView struct {
	parent, head, brm map[int64]int64
	name              map[int64]string
}

func loadOrg(ctx context.Context, q db.Querier) (orgView, error) {
	o := orgView{parent: map[int64]int64{}, head: map[int64]int64{}, brm: map[int64]int64{}, name: map[int64]string{}}
	rows, err := q.Query(ctx, "SELECT id, COALESCE(parent_id, 0), COALESCE(head_id, 0), COALESCE(brm_id, 0), name FROM departments")
	if err != nil {
		return o, fmt.Errorf("reading department tree: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, head, brm int64
		var name string
		if err := rows.Scan(&id, &parent, &head, &brm, &name); err != nil {
			return o, fmt.Errorf("reading department tree: %w", err)
		}
		o.parent[id], o.head[id], o.brm[id], o.name[id] = parent, head, brm, name
	}
	return o, rows.Err()
}

// within reports whether department id is one of roots or below one.
func (o orgView) within(id int64, roots []int64) bool {
	for seen := map[int64]bool{}; id != 0 && !seen[id]; id = o.parent[id] {
		seen[id] = true
		for _, r := range roots {
			if r == id {
				return true
			}
		}
	}
	return false
}

// up returns the first non-zero value of pick on the way from department id
// to the top of the tree.
func (o orgView) up(id int64, pick map[int64]int64) int64 {
	v, _, _ := o.upExcept(id, pick, 0)
	return v
}

// upExcept is up that passes over the person except: it returns the first
// other person found on the way up, the department where they were found,
// and the department where except was passed over (0 when they were not).
func (o orgView) upExcept(id int64, pick map[int64]int64, except int64) (person, at, passed int64) {
	for seen := map[int64]bool{}; id != 0 && !seen[id]; id = o.parent[id] {
		seen[id] = true
		switch v := pick[id]; {
		case v == 0:
		case v == except && except != 0:
			if passed == 0 {
				passed = id
			}
		default:
			return v, id, passed
		}
	}
	return 0, 0, passed
}

type personInfo struct {
	ID           int64
	Name         string
	Email        string
	DepartmentID int64
	ManagerID    int64
	Active       bool
}

func findPersonInfo(ctx context.Context, q db.Querier, id int64) (personInfo, error) {
	p := personInfo{ID: id}
	err := q.QueryRow(ctx, "SELECT name, email, COALESCE(department_id, 0), COALESCE(manager_id, 0), active FROM people WHERE id = ?", id).
		Scan(&p.Name, &p.Email, &p.DepartmentID, &p.ManagerID, &p.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("person", id)
	} else if err != nil {
		return p, fmt.Errorf("reading person %d: %w", id, err)
	}
	return p, nil
}

// activeNames returns the names of the active people among ids.
func activeNames(ctx context.Context, q db.Querier, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, "SELECT id, name FROM people WHERE active = ? AND id IN ("+db.Placeholders(len(ids))+")",
		append([]any{true}, db.Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("reading people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("reading people: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// existingPeople reports which of ids are people, active or not: a policy
// may keep naming someone who left (submission then skips them).
func existingPeople(ctx context.Context, q db.Querier, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := db.QueryIDs(ctx, q, "SELECT id FROM people WHERE id IN ("+db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, fmt.Errorf("reading people: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

func peopleWithRole(ctx context.Context, q db.Querier, role access.Role) ([]int64, error) {
	out, err := db.QueryIDs(ctx, q, "SELECT person_id FROM person_roles WHERE role = ? ORDER BY person_id", string(role))
	if err != nil {
		return nil, fmt.Errorf("reading people with role %s: %w", role, err)
	}
	return out, nil
}

// principalOf builds the principal of a person who acts through a signed
// link, without a session.
func principalOf(ctx context.Context, q db.Querier, id int64) (*access.Principal, error) {
	p, err := findPersonInfo(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.Active {
		return nil, engage.Errorf(engage.EFORBIDDEN, "This account is deactivated, so it cannot decide.")
	}
	rows, err := q.Query(ctx, "SELECT role FROM person_roles WHERE person_id = ? ORDER BY role", id)
	if err != nil {
		return nil, fmt.Errorf("reading roles: %w", err)
	}
	defer rows.Close()
	pr := &access.Principal{PersonID: p.ID, Email: p.Email, Name: p.Name, DepartmentID: p.DepartmentID, Via: ViaLink}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("reading roles: %w", err)
		}
		pr.Roles = append(pr.Roles, access.Role(r))
	}
	return pr, rows.Err()
}

// --- requests ---

const requestFields = `r.id, r.subject_type, r.subject_id, r.title, r.summary, r.link, r.requester_id, COALESCE(rq.name, ''),
	COALESCE(r.department_id, 0), COALESCE(dp.name, ''), r.amount, r.currency, r.offering_ids, r.service_ids, r.data_class,
	COALESCE(r.policy_id, 0), r.policy_name, r.status, r.current_stage, r.outcome, r.decided_at, r.version, r.created_at, r.updated_at`

const requestFrom = `
	FROM approval_requests r
	LEFT JOIN people rq ON rq.id = r.requester_id
	LEFT JOIN departments dp ON dp.id = r.department_id`

const requestColumns = requestFields + requestFrom

// withExtra scans one more column after a request's.
type withExtra struct {
	row   db.Scanner
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra)...) }

func scanRequest(row db.Scanner) (Request, error) {
	var r Request
	var offerings, services string
	var decided sql.NullTime
	err := row.Scan(&r.ID, &r.SubjectType, &r.SubjectID, &r.Title, &r.Summary, &r.Link, &r.RequesterID, &r.RequesterName,
		&r.DepartmentID, &r.DepartmentName, &r.Amount, &r.Currency, &offerings, &services, &r.DataClass,
		&r.PolicyID, &r.PolicyName, &r.Status, &r.CurrentStage, &r.Outcome, &decided, &r.Version, &r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return r, err
	}
	r.CreatedAt, r.UpdatedAt, r.DecidedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC(), db.TimePtr(decided)
	if r.OfferingIDs, err = decodeIDs(offerings); err != nil {
		return r, err
	}
	r.ServiceIDs, err = decodeIDs(services)
	return r, err
}

func findRequest(ctx context.Context, q db.Querier, id int64) (Request, error) {
	r, err := scanRequest(q.QueryRow(ctx, "SELECT "+requestColumns+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("approval request", id)
	} else if err != nil {
		return r, fmt.Errorf("reading approval request %d: %w", id, err)
	}
	return r, nil
}

// findRequestFull reads a request with its stages, approvers and decisions.
func findRequestFull(ctx context.Context, q db.Querier, id int64) (Request, error) {
	r, err := findRequest(ctx, q, id)
	if err != nil {
		return r, err
	}
	return r, loadRequestDetails(ctx, q, &r)
}

func loadRequestDetails(ctx context.Context, q db.Querier, r *Request) error {
	rows, err := q.Query(ctx, "SELECT position, name, quorum, quorum_n, status, decided_at FROM approval_request_stages WHERE request_id = ? ORDER BY position", r.ID)
	if err != nil {
		return fmt.Errorf("reading stages of approval request %d: %w", r.ID, err)
	}
	r.Stages = []RequestStage{}
	for rows.Next() {
		var st RequestStage
		var decided sql.NullTime
		if err := rows.Scan(&st.Position, &st.Name, &st.Quorum, &st.QuorumN, &st.Status, &decided); err != nil {
			rows.Close()
			return fmt.Errorf("reading stages of approval request %d: %w", r.ID, err)
		}
		st.DecidedAt = db.TimePtr(decided)
		st.Approvers = []Approver{}
		r.Stages = append(r.Stages, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading stages of approval request %d: %w", r.ID, err)
	}
	rows, err = q.Query(ctx, `SELECT a.stage, a.person_id, COALESCE(p.name, ''), a.rule, a.note FROM approval_request_approvers a
		LEFT JOIN people p ON p.id = a.person_id WHERE a.request_id = ? ORDER BY a.stage, p.name, a.person_id`, r.ID)
	if err != nil {
		return fmt.Errorf("reading approvers of approval request %d: %w", r.ID, err)
	}
	for rows.Next() {
		var stage int
		var a Approver
		if err := rows.Scan(&stage, &a.PersonID, &a.Name, &a.Rule, &a.Note); err != nil {
			rows.Close()
			return fmt.Errorf("reading approvers of approval request %d: %w", r.ID, err)
		}
		if stage >= 1 && stage <= len(r.Stages) {
			r.Stages[stage-1].Approvers = append(r.Stages[stage-1].Approvers, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading approvers of approval request %d: %w", r.ID, err)
	}
	r.Decisions, err = listDecisions(ctx, q, r.ID)
	return err
}

func listDecisions(ctx context.Context, q db.Querier, requestID int64) ([]Decision, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.request_id, d.stage, d.verdict, COALESCE(d.decider_id, 0), d.decider_name,
		COALESCE(d.approver_id, 0), COALESCE(a.name, ''), d.reason, d.via, d.at
		FROM approval_decisions d LEFT JOIN people a ON a.id = d.approver_id
		WHERE d.request_id = ? ORDER BY d.at, d.id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("reading decisions of approval request %d: %w", requestID, err)
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.RequestID, &d.Stage, &d.Verdict, &d.DeciderID, &d.DeciderName, &d.ApproverID,
			&d.ApproverName, &d.Reason, &d.Via, &d.At); err != nil {
			return nil, fmt.Errorf("reading decisions of approval request %d: %w", requestID, err)
		}
		d.At = d.At.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

func insertRequest(ctx context.Context, q db.Querier, in SubmitInput, pol *Policy, status, outcome string, now time.Time) (int64, error) {
	var policyID int64
	var policyName string
	stage := 0
	var decided any
	if pol != nil {
		policyID, policyName, stage = pol.ID, pol.Name, 1
	}
	if status != Pending {
		decided = now
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO approval_requests(subject_type, subject_id, title, summary, link, requester_id, department_id,
		amount, currency, offering_ids, service_ids, data_class, policy_id, policy_name, status, current_stage, outcome, decided_at,
		version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.SubjectType, in.SubjectID, in.Title, in.Summary, in.Link, in.RequesterID, db.NullID(in.DepartmentID),
		in.Amount.String(), in.Currency, encodeIDs(in.OfferingIDs), encodeIDs(in.ServiceIDs), in.DataClass,
		db.NullID(policyID), policyName, status, stage, outcome, decided, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting approval request for %s %d: %w", in.SubjectType, in.SubjectID, err)
	}
	return id, nil
}

func insertRequestStage(ctx context.Context, q db.Querier, requestID int64, position int, st Stage, status string, approvers []Approver) error {
	if _, err := q.Exec(ctx, `INSERT INTO approval_request_stages(request_id, position, name, quorum, quorum_n, status)
		VALUES (?, ?, ?, ?, ?, ?)`, requestID, position, st.Name, st.Quorum, st.QuorumN, status); err != nil {
		return fmt.Errorf("inserting stage %d of approval request %d: %w", position, requestID, err)
	}
	for _, a := range approvers {
		if _, err := q.Exec(ctx, "INSERT INTO approval_request_approvers(request_id, stage, person_id, rule, note) VALUES (?, ?, ?, ?, ?)",
			requestID, position, a.PersonID, a.Rule, a.Note); err != nil {
			return fmt.Errorf("inserting approver of approval request %d: %w", requestID, err)
		}
	}
	return nil
}

// lockRequest takes the request's row lock before it is read for a
// decision, so that two approvers deciding at once are serialised (a no-op
// update locks the row on PostgreSQL; SQLite has one writer anyway).
func lockRequest(ctx context.Context, tx *db.Tx, id int64) error {
	if _, err := tx.Exec(ctx, "UPDATE approval_requests SET version = version WHERE id = ?", id); err != nil {
		return fmt.Errorf("locking approval request %d: %w", id, err)
	}
	return nil
}

func insertDecision(ctx context.Context, q db.Querier, d Decision) error {
	_, err := q.Exec(ctx, `INSERT INTO approval_decisions(request_id, stage, verdict, decider_id, decider_name, approver_id, reason, via, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.RequestID, d.Stage, d.Verdict, db.NullID(d.DeciderID), d.DeciderName, db.NullID(d.ApproverID),
		d.Reason, d.Via, d.At)
	if db.IsUniqueViolation(err) {
		return engage.Errorf(engage.ECONFLICT, "A decision for %s on this stage has already been recorded.", d.ApproverName)
	} else if err != nil {
		return fmt.Errorf("recording decision on approval request %d: %w", d.RequestID, err)
	}
	return nil
}

func updateStage(ctx context.Context, q db.Querier, requestID int64, position int, status string, decidedAt any) error {
	if _, err := q.Exec(ctx, "UPDATE approval_request_stages SET status = ?, decided_at = ? WHERE request_id = ? AND position = ?",
		status, decidedAt, requestID, position); err != nil {
		return fmt.Errorf("updating stage %d of approval request %d: %w", position, requestID, err)
	}
	return nil
}

func updateRequestState(ctx context.Context, q db.Querier, r Request, now time.Time) error {
	var decided any
	if r.DecidedAt != nil {
		decided = *r.DecidedAt
	}
	res, err := q.Exec(ctx, `UPDATE approval_requests SET status = ?, current_stage = ?, outcome = ?, decided_at = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ?`, r.Status, r.CurrentStage, r.Outcome, decided, now, r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("updating approval request %d: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("updating approval request %d: %w", r.ID, err)
	} else if n == 0 {
		return engage.Errorf(engage.ECONFLICT, "Someone else acted on this request at the same moment. Reload it and decide again.")
	}
	return nil
}

// requestScope restricts a request query to what a non-administrator may
// read: their own requests, those they approve or stand in for, and those
// they decided on.
func requestScope(where []string, args []any, personID int64, actingFor []int64) ([]string, []any) {
	asked, more := askedOn("r", personID, actingFor)
	where = append(where, "(r.requester_id = ? OR "+asked+")")
	return where, append(append(args, personID), more...)
}

// askedOn is the condition "personID, or someone in actingFor, is an
// approver of the request aliased alias, or personID decided on it".
func askedOn(alias string, personID int64, actingFor []int64) (string, []any) {
	ids := append([]int64{personID}, actingFor...)
	cond := "(EXISTS (SELECT 1 FROM approval_request_approvers a WHERE a.request_id = " + alias + ".id AND a.person_id IN (" +
		db.Placeholders(len(ids)) + ")) OR EXISTS (SELECT 1 FROM approval_decisions d WHERE d.request_id = " + alias + ".id AND d.decider_id = ?))"
	return cond, append(db.Args(ids), personID)
}

func listRequests(ctx context.Context, q db.Querier, where []string, args []any, cursor string, limit int) ([]Request, string, error) {
	cur, err := paging.Decode(cursor)
	if err != nil {
		return nil, "", err
	}
	if cur != nil {
		where = append(where, "r.id < ?")
		args = append(args, cur.ID)
	}
	limit = paging.Limit(limit)
	rows, err := q.Query(ctx, "SELECT "+requestColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY r.id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing approval requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading approval requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading approval requests: %w", err)
	}
	out, next := paging.Trim(out, limit, func(r Request) paging.Cursor { return paging.Cursor{ID: r.ID} })
	return out, next, nil
}

// waitingSlots lists, oldest request first, the pending requests whose
// current stage has an undecided approver among approverIDs.
func waitingSlots(ctx context.Context, q db.Querier, approverIDs []int64, requesterID int64) ([]Request, [][]int64, error) {
	rows, err := q.Query(ctx, "SELECT "+requestFields+", a.person_id"+requestFrom+`
		JOIN approval_request_approvers a ON a.request_id = r.id AND a.stage = r.current_stage
		WHERE r.status = ? AND r.requester_id <> ? AND a.person_id IN (`+db.Placeholders(len(approverIDs))+`)
		AND NOT EXISTS (SELECT 1 FROM approval_decisions d WHERE d.request_id = r.id AND d.stage = r.current_stage AND d.approver_id = a.person_id)
		ORDER BY r.created_at, r.id, a.person_id LIMIT ?`,
		append(append([]any{Pending, requesterID}, db.Args(approverIDs)...), paging.MaxLimit)...)
	if err != nil {
		return nil, nil, fmt.Errorf("reading approvals waiting: %w", err)
	}
	defer rows.Close()
	var reqs []Request
	var slots [][]int64
	for rows.Next() {
		var approver int64
		r, err := scanRequest(withExtra{rows, &approver})
		if err != nil {
			return nil, nil, fmt.Errorf("reading approvals waiting: %w", err)
		}
		if n := len(reqs); n > 0 && reqs[n-1].ID == r.ID {
			slots[n-1] = append(slots[n-1], approver)
			continue
		}
		reqs = append(reqs, r)
		slots = append(slots, []int64{approver})
	}
	return reqs, slots, rows.Err()
}

// --- delegations ---

const delegationColumns = `g.id, g.delegator_id, COALESCE(a.name, ''), g.delegate_id, COALESCE(b.name, ''), g.starts_on, g.ends_on, g.note, g.created_at
	FROM approval_delegations g
	LEFT JOIN people a ON a.id = g.delegator_id
	LEFT JOIN people b ON b.id = g.delegate_id`

func scanDelegation(row db.Scanner) (Delegation, error) {
	var d Delegation
	var from, to time.Time
	err := row.Scan(&d.ID, &d.DelegatorID, &d.DelegatorName, &d.DelegateID, &d.DelegateName, &from, &to, &d.Note, &d.CreatedAt)
	d.From, d.To, d.CreatedAt = from.UTC().Format(dateLayout), to.UTC().Format(dateLayout), d.CreatedAt.UTC()
	return d, err
}

func findDelegation(ctx context.Context, q db.Querier, id int64) (Delegation, error) {
	d, err := scanDelegation(q.QueryRow(ctx, "SELECT "+delegationColumns+" WHERE g.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("delegation", id)
	} else if err != nil {
		return d, fmt.Errorf("reading delegation %d: %w", id, err)
	}
	return d, nil
}

func queryDelegations(ctx context.Context, q db.Querier, where string, args ...any) ([]Delegation, error) {
	rows, err := q.Query(ctx, "SELECT "+delegationColumns+" WHERE "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("listing delegations: %w", err)
	}
	defer rows.Close()
	var out []Delegation
	for rows.Next() {
		d, err := scanDelegation(rows)
		if err != nil {
			return nil, fmt.Errorf("reading delegations: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// delegatorsOf returns who has delegated to personID on the UTC day of now.
func delegatorsOf(ctx context.Context, q db.Querier, personID int64, now time.Time) ([]Delegation, error) {
	all, err := queryDelegations(ctx, q, "g.delegate_id = ? ORDER BY g.delegator_id, g.id", personID)
	if err != nil {
		return nil, err
	}
	var out []Delegation
	for _, d := range all {
		if d.ActiveOn(now) {
			out = append(out, d)
		}
	}
	return out, nil
}

func insertDelegation(ctx context.Context, q db.Querier, in DelegationInput, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO approval_delegations(delegator_id, delegate_id, starts_on, ends_on, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, in.DelegatorID, in.DelegateID, in.From, in.To, in.Note, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inserting delegation: %w", err)
	}
	return id, nil
}

// --- settings ---

func readSetting(ctx context.Context, q db.Querier, key string) (string, bool, error) {
	var v string
	err := q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("reading setting %s: %w", key, err)
	}
	return v, true, nil
}
