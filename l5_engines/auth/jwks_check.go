package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// CheckJWKS reads the customer token keys of cfg once — the file, or one
// fetch of the URL — and parses them as verification would, returning how
// many usable signature keys they hold. It is `hocd doctor`'s check; the
// server itself fetches a URL in the background and keeps refreshing it.
func CheckJWKS(ctx context.Context, cfg CustomerConfig) (int, error) {
	var raw []byte
	var err error
	switch {
	case cfg.JWKSFile != "":
		raw, err = os.ReadFile(cfg.JWKSFile)
	case cfg.JWKSURL != "":
		client := cfg.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: defaultJWKSTimeout}
		}
		raw, err = getJWKS(ctx, client, cfg.JWKSURL)
	default:
		return 0, errors.New("no JWKS URL or file is configured")
	}
	if err != nil {
		return 0, err
	}
	set, err := parseJWKS(raw)
	if err != nil {
		return 0, fmt.Errorf("parse: %w", err)
	}
	return set.keys, nil
}
