package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
)

// errGateClosed makes `engage gate check` exit 1 without an error line: the
// answer has been printed.
type gateClosed struct{}

func (gateClosed) Error() string { return "" }

// cmdGate answers whether delivery work for a need may proceed: exit 0 when
// allowed, 1 when not, 2 on a usage error. With --url (or ENGAGE_URL) and
// --token (or ENGAGE_TOKEN) it asks a running Engage over its API, as a
// delivery pipeline would; otherwise it reads the database directly.
func cmdGate(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprint(e.stdout, "Usage: engage gate check REFERENCE [--url URL --token TOKEN | --data DIR | --database-url URL]\n\nExit status 0 when work for the need may proceed, 1 when not.\n")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("say: gate check REFERENCE")
	}
	var server, token string
	var asJSON bool
	cfg, pos, err := parse(e, "gate check", "gate check REFERENCE", args[1:], false, func(fs *flag.FlagSet) {
		fs.StringVar(&server, "url", os.Getenv("ENGAGE_URL"), "ask this Engage over its API, such as https://engage.example.com (env ENGAGE_URL)")
		fs.StringVar(&token, "token", "", "API token for --url (env ENGAGE_TOKEN; prefer the variable: flags show in the process list)")
		fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	})
	if err != nil {
		return err
	}
	if pos.NArg() != 1 {
		return usagef("give exactly one reference, such as NEED-2026-0042")
	}
	if token == "" {
		token = os.Getenv("ENGAGE_TOKEN")
	}
	var ans frontdoor.GateAnswer
	if server != "" {
		if ans, err = gateOverAPI(ctx, server, token, pos.Arg(0)); err != nil {
			return err
		}
	} else {
		a, err := open(ctx, e, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		if ans, err = a.FrontDoor.Gate(ctx, access.System("engage gate (command line)"), pos.Arg(0)); err != nil {
			return err
		}
	}
	if asJSON {
		_ = json.NewEncoder(e.stdout).Encode(ans)
	} else {
		verdict := "NOT ALLOWED"
		if ans.Allowed {
			verdict = "ALLOWED"
		}
		fmt.Fprintf(e.stdout, "%s %s: %s\n", ans.Reference, verdict, ans.Reason)
	}
	if !ans.Allowed {
		return gateClosed{}
	}
	return nil
}

func gateOverAPI(ctx context.Context, server, token, ref string) (frontdoor.GateAnswer, error) {
	var ans frontdoor.GateAnswer
	if token == "" {
		return ans, usagef("--url needs an API token: set ENGAGE_TOKEN")
	}
	u := strings.TrimSuffix(server, "/") + "/api/v1/gate/" + url.PathEscape(ref)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return ans, usagef("--url: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return ans, fmt.Errorf("asking %s: %w", server, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var problem struct {
			Detail string `json:"detail"`
		}
		_ = json.NewDecoder(res.Body).Decode(&problem)
		return ans, fmt.Errorf("%s answered %d: %s", server, res.StatusCode, problem.Detail)
	}
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil {
		return ans, fmt.Errorf("reading the answer of %s: %w", server, err)
	}
	return ans, nil
}
