package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
)

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func urlEncode(s string) string { return url.QueryEscape(s) }

func urlDecode(s string) string {
	v, err := url.QueryUnescape(s)
	if err != nil {
		return ""
	}
	return v
}
