package web

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// referencePattern matches the references people copy from e-mails and
// statements: NEED-2026-0043, ORD-2026-000012, Q-2026-000007 (any case,
// the number with or without its leading zeros).
var referencePattern = regexp.MustCompile(`(?i)^(NEED|ORD|Q)-(\d{4})-(\d{1,9})$`)

// referencePage returns the page of the need, order or quote that q names,
// when p may read it. Whether a record exists that p may not read is not
// told apart from one that does not exist: both answer found false.
func (s *Server) referencePage(ctx context.Context, p *access.Principal, q string) (page string, found bool, err error) {
	m := referencePattern.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return "", false, nil
	}
	n, _ := strconv.Atoi(m[3])
	switch strings.ToUpper(m[1]) {
	case "NEED":
		if s.FrontDoor == nil {
			return "", false, nil
		}
		ref := fmt.Sprintf("NEED-%s-%04d", m[2], n)
		_, err = s.FrontDoor.Get(ctx, p, ref)
		page = "/needs/" + ref
	case "ORD":
		number := fmt.Sprintf("ORD-%s-%06d", m[2], n)
		_, err = s.Catalog.FindOrder(ctx, p, number)
		page = "/orders/" + number
	case "Q":
		number := fmt.Sprintf("Q-%s-%06d", m[2], n)
		_, err = s.Catalog.FindQuote(ctx, p, number)
		page = "/quotes/" + number
	}
	switch engage.ErrorCode(err) {
	case "":
		return page, true, nil
	case engage.ENOTFOUND, engage.EFORBIDDEN:
		return "", false, nil
	}
	return "", false, err
}
