package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	api "hoc/l2_api"
	integrationsadapter "hoc/l3_adapters/integrations"
	integrationsops "hoc/l4_spine/integrations"
	integrationsengine "hoc/l5_engines/integrations"
)

func newIntegrationsCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	var in integrationsops.NewIntegration
	var model string
	create := &cobra.Command{
		Use:   "create --tenant ID --name N [--provider P] [--default-model M] [--rate-limit-rpm N] [--budget-limit-cents N] [--token-limit-month N]",
		Short: "Create an integration and print its key, once",
		Long: `Create an integration of a tenant and print
{"integration": {...}, "key": "<tenant>:<integration>:<secret>"}. The key is
shown only here: SDKs send it as X-CUS-Integration-Key to report telemetry
for this integration (machine API keys, from hocd apikeys create, go in
X-AOS-Key).`,
		Example: `  hocd integrations create --tenant ID --name prod --provider openai --budget-limit-cents 50000`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if model != "" {
				in.DefaultModel = &model
			}
			var adapter *integrationsadapter.Integrations
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				created, err := adapter.Create(ctx, in)
				if err != nil {
					return describe(err)
				}
				return printJSON(stdout, map[string]any{"integration": api.ToIntegrationJSON(created.Integration), "key": created.Key})
			}, &adapter)
		},
	}
	f := create.Flags()
	f.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
	f.StringVar(&in.Name, "name", "", "integration name, unique in the tenant (required)")
	f.StringVar(&in.ProviderType, "provider", "openai", strings.Join(integrationsengine.ProviderTypes, ", "))
	f.StringVar(&model, "default-model", "", "the model this integration mostly calls, kept with it for people to read (every record still names its own model)")
	f.IntVar(&in.RateLimitRPM, "rate-limit-rpm", 0, "requests per minute for this integration's key (0: no limit)")
	f.Int64Var(&in.BudgetLimitCents, "budget-limit-cents", 0, "monthly budget in cents (0: no limit)")
	f.Int64Var(&in.TokenLimitMonth, "token-limit-month", 0, "monthly tokens in and out (0: no limit)")
	required(create, "tenant", "name")
	return group("integrations", "Create integrations (the API manages them too)", create)
}

func newAPIKeysCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	var in integrationsops.NewAPIKey
	var scopes string
	scopeList := strings.Join(integrationsengine.Grantable(), ", ")
	create := &cobra.Command{
		Use:   "create --tenant ID --name N --scopes a,b [--rate-limit-rpm N]",
		Short: "Create a machine API key and print it, once",
		Long: `Create a machine API key of a tenant and print {"api_key": {...}, "key": "aos_..."}.
The key is shown only here; machines send it as X-AOS-Key.

Scopes: ` + scopeList + `
("x:*" grants every scope of x, "*" all of them.)`,
		Example: `  hocd apikeys create --tenant ID --name ci --scopes telemetry:write,telemetry:read`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			in.Scopes = list(scopes)
			var adapter *integrationsadapter.Integrations
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				created, err := adapter.CreateAPIKey(ctx, in)
				if err != nil {
					return describe(err)
				}
				return printJSON(stdout, map[string]any{"api_key": api.ToAPIKeyJSON(created.APIKey), "key": created.Key})
			}, &adapter)
		},
	}
	f := create.Flags()
	f.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
	f.StringVar(&in.Name, "name", "", "key name (required)")
	f.StringVar(&scopes, "scopes", "", "comma-separated scopes (required): "+scopeList)
	f.IntVar(&in.RateLimitRPM, "rate-limit-rpm", 0, "requests per minute for this key (0: no limit)")
	required(create, "tenant", "name", "scopes")

	change := func(verb, short, long string, apply func(*integrationsadapter.Integrations) func(context.Context, string) error) *cobra.Command {
		return &cobra.Command{
			Use:     verb + " ID",
			Short:   short,
			Long:    long,
			Example: "  hocd apikeys " + verb + " 3f2a…",
			Args:    exactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				var adapter *integrationsadapter.Integrations
				return oneShot(*cfg, stderr, func(ctx context.Context) error {
					if err := apply(adapter)(ctx, args[0]); err != nil {
						return describe(err)
					}
					return printJSON(stdout, map[string]string{"id": args[0], "status": verb + "d"})
				}, &adapter)
			},
		}
	}
	revoke := change("revoke", "Revoke a machine API key for good",
		"Revoke the API key with this id (the id of its JSON, not the key): it is refused from now on.",
		func(a *integrationsadapter.Integrations) func(context.Context, string) error { return a.RevokeAPIKey })
	freeze := change("freeze", "Freeze a machine API key",
		"Freeze the API key with this id (the id of its JSON, not the key): it is refused like a revoked key.",
		func(a *integrationsadapter.Integrations) func(context.Context, string) error { return a.FreezeAPIKey })
	return group("apikeys", "Create, revoke and freeze machine API keys", create, revoke, freeze)
}
