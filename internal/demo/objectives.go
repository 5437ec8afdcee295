package demo

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/product"
)

//go:embed objectives.yaml
var objectivesFile []byte

type demoObjectives struct {
	Objectives []struct {
		Ref, Title, Owner, Horizon, Measure, Target, Description string
		Processes, Needs                                         []string
	}
	Scenario struct {
		Name, By, Currency string
	}
}

// loadObjectives adds the demo's strategic objectives and a budget
// scenario the board saved: next year, with half of what funding every
// ranked need priced in euros would take.
func loadObjectives(ctx context.Context, s product.Services) error {
	var f demoObjectives
	dec := yaml.NewDecoder(bytes.NewReader(objectivesFile))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("demo objectives.yaml: %w", err)
	}
	loader := access.System("demo data")
	idOf, err := processIDs(ctx, s, loader)
	if err != nil {
		return err
	}
	for _, o := range f.Objectives {
		owner, err := s.Org.FindPersonByEmail(ctx, o.Owner)
		if err != nil {
			return fmt.Errorf("demo objectives.yaml: %s: owner %s: %w", o.Ref, o.Owner, err)
		}
		in := portfolio.ObjectiveInput{Ref: o.Ref, Title: o.Title, Description: o.Description, OwnerPersonID: owner.ID, Horizon: o.Horizon,
			Measure: o.Measure, Target: o.Target}
		for _, ref := range o.Processes {
			id, ok := idOf[ref]
			if !ok {
				return fmt.Errorf("demo objectives.yaml: %s: no process %s in register.yaml", o.Ref, ref)
			}
			in.ProcessIDs = append(in.ProcessIDs, id)
		}
		for _, title := range o.Needs {
			needs, _, err := s.FrontDoor.List(ctx, loader, frontdoor.ListFilter{Query: title, Limit: 5})
			if err != nil {
				return err
			}
			if len(needs) == 0 {
				return fmt.Errorf("demo objectives.yaml: %s: no need titled %q in needs.yaml", o.Ref, title)
			}
			in.NeedRefs = append(in.NeedRefs, needs[0].Reference)
		}
		if _, err := s.Portfolio.CreateObjective(ctx, loader, in); err != nil {
			return fmt.Errorf("demo objective %s: %w", o.Ref, err)
		}
	}
	board, err := demoPrincipal(ctx, s, f.Scenario.By)
	if err != nil {
		return err
	}
	r, err := s.Portfolio.Ranking(ctx, board)
	if err != nil {
		return err
	}
	total := decimal.Zero
	for _, n := range r.Needs {
		if n.FirstYear != nil && n.Currency == f.Scenario.Currency {
			total = total.Add(*n.FirstYear)
		}
	}
	year, _ := strconv.Atoi(r.AsOf[:4])
	if _, err := s.Portfolio.SaveScenario(ctx, board, portfolio.ScenarioInput{Name: f.Scenario.Name, Year: year + 1,
		Amount: total.Div(decimal.NewFromInt(2)).Round(0), Currency: f.Scenario.Currency}); err != nil {
		return fmt.Errorf("demo budget scenario: %w", err)
	}
	return nil
}
