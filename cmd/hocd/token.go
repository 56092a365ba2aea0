package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	authadapter "hoc/l3_adapters/auth"
)

// runToken handles `hocd token founder --sub S --reason R [--ttl 1h]`,
// printing the bare token so that scripts can use $(hocd token founder ...).
func runToken(cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "founder" {
		return errors.New("usage: hocd token founder --sub S --reason R [--ttl 1h]")
	}
	fs := flag.NewFlagSet("token founder", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sub, reason string
	ttl := time.Hour
	fs.StringVar(&sub, "sub", "", "who the token is for (required)")
	fs.StringVar(&reason, "reason", "", "why it is needed (required)")
	fs.DurationVar(&ttl, "ttl", ttl, "how long it is valid")
	fs.StringVar(&cfg.FounderSecret, "founder-secret", cfg.FounderSecret, "HS256 secret ($HOC_FOUNDER_SECRET)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var auth *authadapter.Authenticator
	return oneShot(cfg, stderr, func(ctx context.Context) error {
		tok, err := auth.IssueFounderToken(ctx, sub, reason, ttl)
		if err != nil {
			return describe(err)
		}
		_, err = fmt.Fprintln(stdout, tok)
		return err
	}, &auth)
}
