package portfolio

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// ScenarioInput asks which needs a budget for a year would fund.
type ScenarioInput struct {
	Name     string          `json:"name,omitempty" maxLength:"200" doc:"Required to save it"`
	Year     int             `json:"year" minimum:"2000" maximum:"2100" doc:"The budget year"`
	Amount   decimal.Decimal `json:"amount" doc:"The budget for the year: more than 0, below 10^15, with at most the decimal places of the currency's minor unit (2 in EUR, none in JPY)"`
	Currency string          `json:"currency" example:"EUR" doc:"ISO 4217; needs priced in another currency fall outside"`
}

// ScenarioLine is a need of the ranking in a scenario: funded, or outside
// with the reason.
type ScenarioLine struct {
	Rank      int              `json:"rank"`
	Reference string           `json:"reference"`
	Title     string           `json:"title"`
	Score     decimal.Decimal  `json:"score"`
	FirstYear *decimal.Decimal `json:"first_year,omitempty" doc:"What the need costs in the budget year: one-time + 12 × monthly"`
	Currency  string           `json:"currency,omitempty"`
	Remaining *decimal.Decimal `json:"remaining,omitempty" doc:"For a funded need: the budget left after it"`
	Reason    string           `json:"reason,omitempty" doc:"For a need outside: why"`
}

// Scenario is a budget scenario, computed now or saved earlier: a saved
// scenario keeps the weights, ranking and result it was saved with.
type Scenario struct {
	ID        int64           `json:"id,omitempty" doc:"0 until saved"`
	Name      string          `json:"name,omitempty"`
	Year      int             `json:"year"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
	Weights   Weights         `json:"weights"`
	AsOf      string          `json:"as_of" doc:"The day the ranking was made"`
	Funded    []ScenarioLine  `json:"funded" nullable:"false" doc:"The needs that fit, in ranked order"`
	Outside   []ScenarioLine  `json:"outside" nullable:"false" doc:"The needs that do not fit, in ranked order, each with why"`
	Spent     decimal.Decimal `json:"spent"`
	Remaining decimal.Decimal `json:"remaining"`
	Ranking   []RankedNeed    `json:"ranking" nullable:"false" doc:"The ranking it was made from"`
	CreatedBy string          `json:"created_by,omitempty"`
	CreatedAt *time.Time      `json:"created_at,omitempty"`
}

// ScenarioSummary is a saved scenario in a list.
type ScenarioSummary struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Year      int             `json:"year"`
	Amount    decimal.Decimal `json:"amount"`
	Currency  string          `json:"currency"`
	Funded    int             `json:"funded" doc:"How many needs it funds"`
	Spent     decimal.Decimal `json:"spent"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// ScenarioComparison sets two scenarios side by side.
type ScenarioComparison struct {
	A     Scenario       `json:"a"`
	B     Scenario       `json:"b"`
	OnlyA []ScenarioLine `json:"only_a" nullable:"false" doc:"Needs A funds and B does not"`
	OnlyB []ScenarioLine `json:"only_b" nullable:"false" doc:"Needs B funds and A does not"`
	Both  []ScenarioLine `json:"both" nullable:"false" doc:"Needs both fund (as in A)"`
}

// maxAmount bounds budgets: 10^15, as other amounts.
var maxAmount = decimal.New(1, 15)

func (in *ScenarioInput) check(naming bool) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	var v engage.Validation
	if naming {
		v.Text("name", in.Name)
		v.Require("name", in.Name, "a name for the scenario, such as “2027 at 1.2 million”")
		v.MaxLen("name", in.Name, 200)
	}
	if in.Year < 2000 || in.Year > 2100 {
		v.Add("year", "Enter a year from 2000 to 2100.")
	}
	known := rating.IsISO4217(in.Currency)
	// An amount has at most the decimal places of its currency's minor
	// unit: none in JPY, 3 in KWD, 2 when the currency is not known.
	places := int32(2)
	if known {
		places = rating.MinorUnits(in.Currency)
	}
	switch {
	case !in.Amount.IsPositive() || !in.Amount.LessThan(maxAmount):
		v.Add("amount", "Enter an amount above 0 and below 10^15.")
	case !in.Amount.Equal(in.Amount.Round(places)) && places == 0:
		v.Add("amount", "The amount is in %s, which has no decimal places: enter a whole number, such as 1200000.", in.Currency)
	case !in.Amount.Equal(in.Amount.Round(places)) && known:
		v.Add("amount", "The amount has at most %d decimal places in %s.", places, in.Currency)
	case !in.Amount.Equal(in.Amount.Round(places)):
		v.Add("amount", "The amount has at most 2 decimal places.")
	}
	if !known {
		v.Add("currency", "Enter an ISO 4217 currency code of three letters, such as EUR.")
	}
	return v.Err()
}

// plan fills the budget greedily in ranked order: a need whose first-year
// cost fits in what is left is funded; one that does not is skipped, and
// the needs after it may still fit.
func plan(in ScenarioInput, r Ranking) Scenario {
	sc := Scenario{Name: in.Name, Year: in.Year, Amount: in.Amount, Currency: in.Currency, Weights: r.Weights, AsOf: r.AsOf,
		Funded: []ScenarioLine{}, Outside: []ScenarioLine{}, Ranking: r.Needs, Spent: decimal.Zero}
	left := in.Amount
	for _, n := range r.Needs {
		line := ScenarioLine{Rank: n.Rank, Reference: n.Reference, Title: n.Title, Score: n.Score, FirstYear: n.FirstYear, Currency: n.Currency}
		switch {
		case n.FirstYear == nil:
			line.Reason = "No option that can be chosen is priced yet."
		case n.Currency != in.Currency:
			line.Reason = fmt.Sprintf("Priced in %s; the scenario is in %s.", n.Currency, in.Currency)
		case n.FirstYear.GreaterThan(left):
			line.Reason = fmt.Sprintf("Needs %s %s in the year; %s %s is left after the needs ranked above it.",
				n.FirstYear.StringFixed(2), n.Currency, left.StringFixed(2), in.Currency)
		default:
			left = left.Sub(*n.FirstYear)
			rest := left
			line.Remaining = &rest
			sc.Funded = append(sc.Funded, line)
			continue
		}
		sc.Outside = append(sc.Outside, line)
	}
	sc.Spent, sc.Remaining = in.Amount.Sub(left), left
	return sc
}

// PlanScenario says which needs the budget would fund with the ranking as
// it is now, without saving it. The board, finance and administrators may.
func (s *Service) PlanScenario(ctx context.Context, p *access.Principal, in ScenarioInput) (Scenario, error) {
	if err := requireRankingReader(p); err != nil {
		return Scenario{}, err
	}
	if err := in.check(false); err != nil {
		return Scenario{}, err
	}
	r, err := s.Ranking(ctx, p)
	if err != nil {
		return Scenario{}, err
	}
	return plan(in, r), nil
}

// scenarioContent is what a saved scenario keeps of its computation.
type scenarioContent struct {
	Weights   Weights         `json:"weights"`
	AsOf      string          `json:"as_of"`
	Funded    []ScenarioLine  `json:"funded"`
	Outside   []ScenarioLine  `json:"outside"`
	Spent     decimal.Decimal `json:"spent"`
	Remaining decimal.Decimal `json:"remaining"`
	Ranking   []RankedNeed    `json:"ranking"`
}

// SaveScenario computes the scenario with the ranking as it is now and
// saves it under its name. The board and administrators only. Saving the
// same scenario again (same name, budget and result) returns the one saved;
// a name already used for another is refused.
func (s *Service) SaveScenario(ctx context.Context, p *access.Principal, in ScenarioInput) (Scenario, error) {
	if err := requireDecider(p); err != nil {
		return Scenario{}, err
	}
	if err := in.check(true); err != nil {
		return Scenario{}, err
	}
	r, err := s.Ranking(ctx, p)
	if err != nil {
		return Scenario{}, err
	}
	sc := plan(in, r)
	raw, err := json.Marshal(scenarioContent{Weights: sc.Weights, AsOf: sc.AsOf, Funded: sc.Funded, Outside: sc.Outside, Spent: sc.Spent,
		Remaining: sc.Remaining, Ranking: sc.Ranking})
	if err != nil {
		return Scenario{}, err
	}
	var out Scenario
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		if existing, stored, err := findScenario(ctx, tx, "name = ?", in.Name); err == nil {
			if existing.Year == in.Year && existing.Amount.Equal(in.Amount) && existing.Currency == in.Currency && stored == string(raw) {
				out = existing
				return nil
			}
			return fieldConflict("name", fmt.Sprintf("“%s” is already the name of a scenario %s saved: choose another name.", in.Name, existing.CreatedBy))
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return err
		}
		now := s.Clock.Now()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO portfolio_scenarios(name, budget_year, amount, currency, content, created_by_id, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Year, in.Amount.String(), in.Currency, string(raw), db.NullID(p.PersonID),
			p.Name, now).Scan(&id)
		if db.IsUniqueViolation(err) {
			return fieldConflict("name", fmt.Sprintf("“%s” is already the name of a scenario: choose another name.", in.Name))
		} else if err != nil {
			return fmt.Errorf("saving scenario %s: %w", in.Name, err)
		}
		if err := audit.Record(ctx, tx, now, p, "create", "budget_scenario", id, "Budget scenario “"+in.Name+"” saved", nil,
			map[string]any{"input": in, "funded": len(sc.Funded), "spent": sc.Spent}); err != nil {
			return err
		}
		out, _, err = findScenario(ctx, tx, "id = ?", id)
		return err
	})
	return out, err
}

const scenarioColumns = "id, name, budget_year, amount, currency, content, created_by_name, created_at FROM portfolio_scenarios"

func scanScenario(row db.Scanner) (Scenario, string, error) {
	var sc Scenario
	var raw string
	var at time.Time
	if err := row.Scan(&sc.ID, &sc.Name, &sc.Year, &sc.Amount, &sc.Currency, &raw, &sc.CreatedBy, &at); err != nil {
		return Scenario{}, "", err
	}
	at = at.UTC()
	sc.CreatedAt = &at
	var c scenarioContent
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Scenario{}, "", fmt.Errorf("reading scenario %d: %w", sc.ID, err)
	}
	sc.Weights, sc.AsOf, sc.Funded, sc.Outside, sc.Spent, sc.Remaining, sc.Ranking = c.Weights, c.AsOf, c.Funded, c.Outside, c.Spent, c.Remaining, c.Ranking
	return sc, raw, nil
}

func findScenario(ctx context.Context, q db.Querier, where string, args ...any) (Scenario, string, error) {
	sc, raw, err := scanScenario(q.QueryRow(ctx, "SELECT "+scenarioColumns+" WHERE "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Scenario{}, "", engage.Errorf(engage.ENOTFOUND, "No such budget scenario.")
	} else if err != nil {
		return Scenario{}, "", fmt.Errorf("reading a budget scenario: %w", err)
	}
	return sc, raw, nil
}

// GetScenario returns a saved scenario as it was saved. The board, finance
// and administrators may.
func (s *Service) GetScenario(ctx context.Context, p *access.Principal, id int64) (Scenario, error) {
	if err := requireRankingReader(p); err != nil {
		return Scenario{}, err
	}
	sc, _, err := findScenario(ctx, s.DB, "id = ?", id)
	return sc, err
}

// ListScenarios returns the saved scenarios, the latest first. The board,
// finance and administrators may.
func (s *Service) ListScenarios(ctx context.Context, p *access.Principal) ([]ScenarioSummary, error) {
	if err := requireRankingReader(p); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+scenarioColumns+" ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("listing budget scenarios: %w", err)
	}
	defer rows.Close()
	out := []ScenarioSummary{}
	for rows.Next() {
		sc, _, err := scanScenario(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ScenarioSummary{ID: sc.ID, Name: sc.Name, Year: sc.Year, Amount: sc.Amount, Currency: sc.Currency, Funded: len(sc.Funded),
			Spent: sc.Spent, CreatedBy: sc.CreatedBy, CreatedAt: *sc.CreatedAt})
	}
	return out, rows.Err()
}

// CompareScenarios sets two saved scenarios side by side: the needs one
// funds and the other does not, and those both fund. The board, finance
// and administrators may.
func (s *Service) CompareScenarios(ctx context.Context, p *access.Principal, a, b int64) (ScenarioComparison, error) {
	sa, err := s.GetScenario(ctx, p, a)
	if err != nil {
		return ScenarioComparison{}, err
	}
	sb, err := s.GetScenario(ctx, p, b)
	if err != nil {
		return ScenarioComparison{}, err
	}
	c := ScenarioComparison{A: sa, B: sb, OnlyA: []ScenarioLine{}, OnlyB: []ScenarioLine{}, Both: []ScenarioLine{}}
	inB := map[string]bool{}
	for _, l := range sb.Funded {
		inB[l.Reference] = true
	}
	inA := map[string]bool{}
	for _, l := range sa.Funded {
		inA[l.Reference] = true
		if inB[l.Reference] {
			c.Both = append(c.Both, l)
		} else {
			c.OnlyA = append(c.OnlyA, l)
		}
	}
	for _, l := range sb.Funded {
		if !inA[l.Reference] {
			c.OnlyB = append(c.OnlyB, l)
		}
	}
	return c, nil
}
