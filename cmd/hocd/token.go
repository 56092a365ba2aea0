package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	authadapter "hoc/l3_adapters/auth"
)

func newTokenCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	var sub, reason string
	ttl := time.Hour
	founder := &cobra.Command{
		Use:   "founder --sub S --reason R [--ttl 1h]",
		Short: "Mint a founder token (printed bare, for $(...))",
		Long: `Mint a founder (platform operator) JWT signed with HOC_FOUNDER_SECRET and
print it bare, so that scripts can use TOKEN=$(hocd token founder ...).`,
		Example: `  TOKEN=$(hocd token founder --sub alice --reason "support ticket 42")
  curl -H "Authorization: Bearer $TOKEN" localhost:8080/api/v1/fdr/tenants`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			var auth *authadapter.Authenticator
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				tok, err := auth.IssueFounderToken(ctx, sub, reason, ttl)
				if err != nil {
					return describe(err)
				}
				_, err = fmt.Fprintln(stdout, tok)
				return err
			}, &auth)
		},
	}
	f := founder.Flags()
	f.StringVar(&sub, "sub", "", "who the token is for (required)")
	f.StringVar(&reason, "reason", "", "why it is needed; every request it makes is logged with it (required)")
	f.DurationVar(&ttl, "ttl", ttl, "how long it is valid")
	f.StringVar(&cfg.FounderSecret, "founder-secret", "", "HS256 secret ($HOC_FOUNDER_SECRET)")
	required(founder, "sub", "reason")
	return group("token", "Mint tokens", founder)
}
