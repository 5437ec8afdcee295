package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// Secret returns the signing secret kept in the settings table under key,
// generating 32 random bytes on first use. Another replica may create it at
// the same moment; the insert keeps whichever came first and every replica
// reads that one, so all of them sign and verify alike.
func Secret(ctx context.Context, q Querier, key string) ([]byte, error) {
	read := func() (string, bool, error) {
		var v string
		err := q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("reading the setting %s: %w", key, err)
		}
		return v, true, nil
	}
	v, ok, err := read()
	if err != nil {
		return nil, err
	}
	if !ok {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("generating the secret %s: %w", key, err)
		}
		if _, err := q.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, hex.EncodeToString(buf)); err != nil {
			return nil, fmt.Errorf("saving the secret %s: %w", key, err)
		}
		if v, _, err = read(); err != nil {
			return nil, err
		}
	}
	secret, err := hex.DecodeString(v)
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("the setting %s is not a valid secret", key)
	}
	return secret, nil
}
