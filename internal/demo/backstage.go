package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/product"
)

// backstageFS holds Backstage's own example descriptor files (Apache 2.0,
// see backstage/README.md), with annotations that map their groups to the
// demo's departments.
//
//go:embed backstage/*.yaml
var backstageFS embed.FS

// BackstageFiles are the demo's Backstage descriptor files, by name.
func BackstageFiles() backstage.Files {
	files := backstage.Files{}
	names, _ := fs.Glob(backstageFS, "backstage/*.yaml")
	for _, n := range names {
		b, err := backstageFS.ReadFile(n)
		if err != nil {
			panic(fmt.Sprintf("demo Backstage file %s: %v", n, err))
		}
		files[path.Base(n)] = b
	}
	return files
}

// loadBackstage imports the demo's Backstage files: the organisation and
// its infrastructure department become Corporate Services and Information
// Technology, the Systems and Components applications of the portfolio.
func loadBackstage(ctx context.Context, s product.Services) error {
	set, err := backstage.ReadFiles(BackstageFiles())
	if err != nil {
		return fmt.Errorf("demo Backstage files: %w", err)
	}
	if _, err := s.Backstage.Import(ctx, access.System("demo data"), set, false); err != nil {
		return fmt.Errorf("demo Backstage files: %w", err)
	}
	return nil
}
