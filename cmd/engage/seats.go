package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/spend"
)

// cmdImportSeats imports a single-sign-on export of seats.
func cmdImportSeats(ctx context.Context, e env, args []string) error {
	cfg, pos, err := parse(e, "import seats", "import seats FILE.csv   (columns: "+strings.Join(spend.SeatColumns, ",")+")", args, false, nil)
	if err != nil {
		return err
	}
	if pos.NArg() != 1 {
		pos.usage()
		return usagef("give one CSV file")
	}
	return withFileAndApp(ctx, e, cfg, pos.Arg(0), func(a *app.App, f *os.File) error {
		rep, err := a.Seats.ImportSeats(ctx, access.System("engage import seats (command line)"), f)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "seats: %d applications read, %d added, %d updated, %d unchanged.\n", rep.Lines, rep.Added, rep.Updated, rep.Unchanged)
		return nil
	})
}
