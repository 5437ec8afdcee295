package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters of new password hashes.
// The zero value means the production cost, which follows the OWASP
// recommendation (19 MiB, 2 passes, 1 lane); tests pass a cheaper one.
type Argon2Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// orDefault returns p, or the production cost when p is the zero value.
func (p Argon2Params) orDefault() Argon2Params {
	if p == (Argon2Params{}) {
		return Argon2Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}
	}
	return p
}

// CheapArgon2 is a cost low enough for tests, which create many accounts;
// never for real ones.
func CheapArgon2() Argon2Params { return Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1} }

// HashPassword returns an argon2id hash at cost p (zero: the production
// cost) in the PHC string format, which records its own parameters so that
// they can be raised later.
func HashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading random salt: %w", err)
	}
	p = p.orDefault()
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, in constant time.
func VerifyPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordStrength returns a message when password is too weak.
func CheckPasswordStrength(password, email string) string {
	switch {
	case len([]rune(password)) < 12:
		return "Use at least 12 characters; a few unrelated words make a good password."
	case len(password) > 512:
		return "Use at most 512 characters."
	case strings.EqualFold(password, email):
		return "Do not use your e-mail address as your password."
	}
	return ""
}
