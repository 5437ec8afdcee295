package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
	"github.com/engagehq/engage/internal/spend"
)

const (
	spendCasesSynopsis = "spend cases [--state open|reached_out|replaced|onboarded|sanctioned|dismissed|all] [--department CODE] [--as EMAIL]"
	spendCaseSynopsis  = "spend case ID reach-out|replace|onboard|sanction|dismiss [--offering ID] [--verdict approve|approve_with_conditions] " +
		"[--review-date YYYY-MM-DD] [--reason TEXT] [--as EMAIL]"
)

// caseActor is who acts on shadow cases from the command line: the person
// --as names (their own rights apply), else the system.
func caseActor(ctx context.Context, a *app.App, email, what string) (*access.Principal, error) {
	via := "engage spend " + what + " (command line)"
	if email == "" {
		return access.System(via), nil
	}
	person, err := a.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	return a.Org.Principal(ctx, person.ID, via)
}

// departmentID finds the department with a cost-centre code.
func departmentID(ctx context.Context, a *app.App, code string) (int64, error) {
	sys := access.System("engage spend cases (command line)")
	for cursor := ""; ; {
		list, next, err := a.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			return 0, err
		}
		if i := slices.IndexFunc(list, func(d org.Department) bool { return strings.EqualFold(d.Code, code) }); i >= 0 {
			return list[i].ID, nil
		}
		if next == "" {
			return 0, usagef("no department has the code %q", code)
		}
		cursor = next
	}
}

// cmdSpendCases lists the BRM's shadow-IT cases: the open ones (open and
// reached out) by default, most annual run rate first.
func cmdSpendCases(ctx context.Context, e env, args []string) error {
	var state, dept, as string
	cfg, pos, err := parse(e, "spend cases", spendCasesSynopsis, args, false, func(fs *flag.FlagSet) {
		fs.StringVar(&state, "state", "", "only cases in this state, or all (by default those still open: open and reached_out)")
		fs.StringVar(&dept, "department", "", "only this department's cases (its cost-centre code)")
		fs.StringVar(&as, "as", "", "list the cases this person (e-mail) may see; by default all")
	})
	if err != nil {
		return err
	}
	if pos.NArg() != 0 {
		pos.usage()
		return usagef("spend cases takes no arguments")
	}
	if _, known := spend.CaseStateLabels[state]; !known && state != "" && state != "all" {
		return usagef("--state is one of open, reached_out, replaced, onboarded, sanctioned, dismissed or all, not %q", state)
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := caseActor(ctx, a, as, "cases")
	if err != nil {
		return err
	}
	f := spend.CaseFilter{All: state != "" && state != spend.CaseOpen && state != spend.CaseReachedOut}
	if dept != "" {
		if f.DepartmentID, err = departmentID(ctx, a, dept); err != nil {
			return err
		}
	}
	cases, err := a.Spend.Cases(ctx, p, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVENDOR\tDEPARTMENT\tSTATE\tA YEAR\tOUTCOME")
	n := 0
	for _, c := range cases {
		if state != "" && state != "all" && c.State != state {
			continue
		}
		n++
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", c.ID, oneLine(c.Vendor), oneLine(c.DepartmentName), c.State,
			c.RunRate.StringFixed(2), c.Currency, caseOutcome(c))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "%d cases.\n", n)
	return nil
}

// caseOutcome says in a few words what a case led to.
func caseOutcome(c spend.ShadowCase) string {
	var parts []string
	if c.Reopened > 0 {
		parts = append(parts, fmt.Sprintf("reappeared %d×", c.Reopened))
	}
	if c.NeedRef != "" {
		parts = append(parts, "need "+c.NeedRef)
	}
	if c.QuoteNumber != "" {
		parts = append(parts, "quote "+c.QuoteNumber)
	}
	if c.ServiceID != 0 {
		parts = append(parts, fmt.Sprintf("draft service %d", c.ServiceID))
	}
	if c.SecurityVerdict != "" {
		parts = append(parts, "security "+c.SecurityVerdict+", review by "+c.ReviewBy)
	}
	if c.Reason != "" {
		parts = append(parts, "dismissed: "+oneLine(c.Reason))
	}
	return strings.Join(parts, "; ")
}

// oneLine keeps a value on its line of the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cmdSpendCase acts on a shadow-IT case through the same service call as
// the API and the case page: audited, and a repeated action changes nothing.
func cmdSpendCase(ctx context.Context, e env, args []string) error {
	var offering int64
	var verdict, reviewBy, reason, as string
	cfg, pos, err := parse(e, "spend case", spendCaseSynopsis, args, false, func(fs *flag.FlagSet) {
		fs.Int64Var(&offering, "offering", 0, "replace: the catalog offering's id (by default the first alternative's per-person offering)")
		fs.StringVar(&verdict, "verdict", "", "sanction: the security review's verdict, approve or approve_with_conditions")
		fs.StringVar(&reviewBy, "review-date", "", "sanction: the date of the next review, YYYY-MM-DD")
		fs.StringVar(&reason, "reason", "", "dismiss: why")
		fs.StringVar(&as, "as", "", "act as this person (e-mail), the department's BRM; by default as the system")
	})
	if err != nil {
		return err
	}
	if pos.NArg() != 2 {
		pos.usage()
		return usagef("give the case's id and the action")
	}
	id, err := strconv.ParseInt(pos.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usagef("the case's id is a number, not %q", pos.Arg(0))
	}
	action := strings.ReplaceAll(pos.Arg(1), "-", "_")
	if !slices.Contains(spend.CaseActions, action) {
		return usagef("the action is reach-out, replace, onboard, sanction or dismiss, not %q", pos.Arg(1))
	}
	a, err := open(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := caseActor(ctx, a, as, "case")
	if err != nil {
		return err
	}
	c, err := a.Spend.ActOnCase(ctx, p, id, action, spend.CaseActionInput{OfferingID: offering, Verdict: verdict, ReviewBy: reviewBy, Reason: reason})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Case %d (%s, %s): %s", c.ID, c.Vendor, c.DepartmentName, spend.CaseStateLabels[c.State])
	if out := caseOutcome(c); out != "" {
		fmt.Fprintf(e.stdout, " — %s", out)
	}
	fmt.Fprintln(e.stdout)
	return nil
}
