// Package portfolio is the portfolio board's part of the portfolio: the
// strategic objectives the business pursues, the board's ranking of the
// needs waiting for its decision, and budget scenarios built on that
// ranking. It stands above the process register (package process) and the
// front door (package frontdoor), and reads them through their services.
//
// Decisions:
//   - An objective has a ref (its stable handle), a title, an owner (a
//     person: the business leader accountable for it), a horizon (the date
//     by which it should be met; a year alone means its last day), a measure
//     (text) and an optional target, and is linked to processes of the
//     register and to needs (by their reference).
//   - Everyone signed in reads objectives; a need linked to one is shown
//     only to those who may read the need. Enterprise architects (who keep
//     the register), the portfolio board (who decides what to change) and
//     administrators create and change objectives. Creating an objective
//     whose ref exists returns it when what was sent is the same (a repeated
//     request) and is refused otherwise; changes carry the version read.
//   - The ranking is the board's: the portfolio board, finance (who reads
//     every department's needs and money) and administrators read it and the
//     scenarios; the board and administrators change its weights and save
//     scenarios. It ranks the needs waiting for a decision (state
//     "decision") that the reader may read; the formula is in ranking.go.
//   - A budget scenario takes an amount for a year and fills it greedily in
//     ranked order with each need's first-year cost; a need that does not
//     fit is skipped and smaller needs after it may still fit. A saved
//     scenario keeps its weights, its ranking and its result as they were
//     when it was saved: it does not change when needs change later.
//     Scenario names are unique; saving the same scenario again returns the
//     one saved.
package portfolio

import (
	"context"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// Register is the process register as the portfolio uses it
// (process.Service).
type Register interface {
	Refs(ctx context.Context, q db.Querier, ids []int64) (map[int64]process.Ref, error)
	ProcessMap(ctx context.Context, p *access.Principal) (process.RegisterMap, error)
	// Generation moves with every change of the register.
	Generation(ctx context.Context) (int64, error)
}

// Needs is the front door as the portfolio uses it (frontdoor.Service).
type Needs interface {
	List(ctx context.Context, p *access.Principal, lf frontdoor.ListFilter) ([]frontdoor.Need, string, error)
	Get(ctx context.Context, p *access.Principal, ref string) (frontdoor.NeedDetail, error)
	Find(ctx context.Context, p *access.Principal, ref string) (frontdoor.Need, error)
	ReviewsAndOptions(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]frontdoor.NeedReview, map[int64][]frontdoor.NeedOption, error)
	// ProcessesOf returns the processes each need is linked to, which a
	// list of needs leaves out.
	ProcessesOf(ctx context.Context, p *access.Principal, needs []frontdoor.Need) (map[int64][]int64, error)
	// DecisionStamp identifies the needs in decision p may read as they
	// are now: it changes whenever what the ranking reads of them does.
	DecisionStamp(ctx context.Context, p *access.Principal) (string, error)
}

// Service holds the portfolio's rules over its store.
type Service struct {
	DB        *db.DB
	Clock     engage.Clock
	Org       *org.Service
	Processes Register
	Needs     Needs

	rankings rankings
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// MayChangeObjectives reports whether p may create and change objectives:
// enterprise architects, the portfolio board and administrators.
func MayChangeObjectives(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && p.HasAny(access.EnterpriseArchitect, access.PortfolioBoard, access.Admin)
}

// MayReadRanking reports whether p may read the board's ranking and its
// scenarios: the portfolio board, finance and administrators.
func MayReadRanking(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && p.HasAny(access.PortfolioBoard, access.Finance, access.Admin)
}

// MayDecide reports whether p may change the ranking's weights and save
// scenarios: the portfolio board and administrators.
func MayDecide(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && p.HasAny(access.PortfolioBoard, access.Admin)
}

func requireObjectiveWriter(p *access.Principal) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !MayChangeObjectives(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only enterprise architects, the portfolio board and administrators change objectives.")
	}
	return nil
}

func requireRankingReader(p *access.Principal) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !MayReadRanking(p) {
		return engage.Errorf(engage.EFORBIDDEN, "The ranking and budget scenarios are the portfolio board's, finance's and administrators'.")
	}
	return nil
}

func requireDecider(p *access.Principal) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !MayDecide(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only the portfolio board and administrators change the ranking's weights and save budget scenarios.")
	}
	return nil
}

func fieldConflict(field, msg string) error {
	return &engage.Error{Code: engage.ECONFLICT, Message: "Some fields need fixing.", Fields: []engage.FieldError{{Field: field, Message: msg}}}
}
