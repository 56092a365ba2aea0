package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	api "hoc/l2_api"
	integrationsadapter "hoc/l3_adapters/integrations"
	integrationops "hoc/l4_spine/integrations"
)

// runIntegrations handles `hocd integrations create`, printing
// {"integration": {...}, "key": "<tenant>:<integration>:<secret>"}.
func runIntegrations(cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: hocd integrations create --tenant ID --name N [--provider openai] [--rate-limit-rpm N] [--budget-limit-cents N]")
	}
	fs := newFlags("integrations create", &cfg, stderr)
	var in integrationops.CreateIntegrationInput
	var model string
	fs.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
	fs.StringVar(&in.Name, "name", "", "integration name (required)")
	fs.StringVar(&in.ProviderType, "provider", "openai", "openai, anthropic, azure_openai, bedrock or custom")
	fs.StringVar(&model, "default-model", "", "default model")
	fs.IntVar(&in.RateLimitRPM, "rate-limit-rpm", 0, "requests per minute for this integration's key (0: none)")
	fs.Int64Var(&in.BudgetLimitCents, "budget-limit-cents", 0, "monthly budget in cents (0: none)")
	fs.Int64Var(&in.TokenLimitMonth, "token-limit-month", 0, "monthly tokens (0: none)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if model != "" {
		in.DefaultModel = &model
	}
	var adapter *integrationsadapter.Integrations
	return oneShot(cfg, stderr, func(ctx context.Context) error {
		created, err := adapter.Create(ctx, in)
		if err != nil {
			return describe(err)
		}
		return printJSON(stdout, map[string]any{"integration": api.ToIntegrationJSON(created.Integration), "key": created.Key})
	}, &adapter)
}

// runAPIKeys handles `hocd apikeys create|revoke|freeze`.
func runAPIKeys(cfg Config, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: hocd apikeys create --tenant ID --name N --scopes a,b [--rate-limit-rpm N] | revoke ID | freeze ID"
	if len(args) == 0 {
		return errors.New(usage)
	}
	var adapter *integrationsadapter.Integrations
	switch sub := args[0]; sub {
	case "create":
		fs := newFlags("apikeys create", &cfg, stderr)
		var in integrationops.CreateAPIKeyInput
		var scopes string
		fs.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
		fs.StringVar(&in.Name, "name", "", "key name (required)")
		fs.StringVar(&scopes, "scopes", "", "comma-separated scopes (none when empty)")
		fs.IntVar(&in.RateLimitRPM, "rate-limit-rpm", 0, "requests per minute for this key (0: none)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if scopes != "" {
			in.Scopes = strings.Split(scopes, ",")
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			created, err := adapter.CreateAPIKey(ctx, in)
			if err != nil {
				return describe(err)
			}
			return printJSON(stdout, map[string]any{"api_key": api.ToAPIKeyJSON(created.APIKey), "key": created.Key})
		}, &adapter)
	case "revoke", "freeze":
		fs := newFlags("apikeys "+sub, &cfg, stderr)
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New(usage)
		}
		id := fs.Arg(0)
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			change := adapter.RevokeAPIKey
			if sub == "freeze" {
				change = adapter.FreezeAPIKey
			}
			if err := change(ctx, id); err != nil {
				return describe(err)
			}
			return printJSON(stdout, map[string]string{"id": id, "status": sub + "d"})
		}, &adapter)
	default:
		return fmt.Errorf("unknown apikeys command %q (create, revoke, freeze)", sub)
	}
}
