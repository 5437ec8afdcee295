package page

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
)

// FormOf copies the posted form for re-display, leaving out the CSRF token
// and passwords.
func FormOf(r *http.Request) map[string]string {
	m := map[string]string{}
	for k, v := range r.PostForm {
		if k != "csrf_token" && !strings.Contains(k, "password") {
			m[k] = strings.Join(v, ",")
		}
	}
	return m
}

// PathID reads a numeric path value; anything else names no page.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, engage.Errorf(engage.ENOTFOUND, "There is no such page.")
	}
	return id, nil
}

// OptionalPathID reads a numeric path value that a route may not have
// (a form for a new item and for an existing one); 0 when absent.
func OptionalPathID(r *http.Request, name string) (int64, error) {
	if r.PathValue(name) == "" {
		return 0, nil
	}
	return PathID(r, name)
}

// FormID reads an optional numeric form value; blank is 0.
func FormID(r *http.Request, name string, v *engage.Validation) int64 {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 0 {
		v.Add(name, "Choose from the list.")
	}
	return id
}

// QueryInt reads a numeric query parameter; anything else is 0.
func QueryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

// AllPages reads every page of a list a cursor walks through.
func AllPages[T any](page func(cursor string) ([]T, string, error)) ([]T, error) {
	var all []T
	cursor := ""
	for {
		rows, next, err := page(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, rows...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

// RandomString is 32 random bytes as URL-safe text: tokens and form keys.
func RandomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// FormDate reads an optional date field (YYYY-MM-DD); nil when blank, and
// a note against the field when it is not a date.
func FormDate(r *http.Request, field string, v *engage.Validation) *catalog.Date {
	text := strings.TrimSpace(r.PostFormValue(field))
	if text == "" {
		return nil
	}
	d, err := catalog.ParseDate(text)
	if err != nil {
		v.Add(field, "Enter a date as YYYY-MM-DD, for example 2026-04-01.")
		return nil
	}
	return &d
}
