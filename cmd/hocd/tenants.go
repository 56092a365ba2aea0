package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	api "hoc/l2_api"
	accountadapter "hoc/l3_adapters/account"
	accountops "hoc/l4_spine/account"
)

func newTenantsCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	// tenantCmd runs one adapter call and prints the tenant it returns.
	tenantCmd := func(c *cobra.Command, call func(context.Context, *accountadapter.Tenants) (accountops.Tenant, error)) *cobra.Command {
		c.Args = noArgs
		c.RunE = func(*cobra.Command, []string) error {
			var tenants *accountadapter.Tenants
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				t, err := call(ctx, tenants)
				if err != nil {
					return describe(err)
				}
				return printJSON(stdout, api.ToTenantJSON(t))
			}, &tenants)
		}
		return c
	}

	var create accountops.NewTenant
	var externalOrgID string
	createCmd := tenantCmd(&cobra.Command{
		Use:     "create --name N [--slug S] [--plan free|pro|enterprise] [--external-org-id O]",
		Short:   "Create a tenant and print it",
		Example: `  hocd tenants create --name "Acme Inc" --plan pro`,
	}, func(ctx context.Context, t *accountadapter.Tenants) (accountops.Tenant, error) {
		if externalOrgID != "" {
			create.ExternalOrgID = &externalOrgID
		}
		return t.Create(ctx, create)
	})
	createCmd.Flags().StringVar(&create.Name, "name", "", "tenant name (required)")
	createCmd.Flags().StringVar(&create.Slug, "slug", "", "URL-safe short name (default: derived from the name)")
	createCmd.Flags().StringVar(&create.Plan, "plan", "", "free, pro or enterprise (default free)")
	createCmd.Flags().StringVar(&externalOrgID, "external-org-id", "", "the identity provider's organisation id, which customer tokens carry")
	required(createCmd, "name")

	var id string
	getCmd := tenantCmd(&cobra.Command{
		Use:     "get --id ID",
		Short:   "Print one tenant",
		Example: `  hocd tenants get --id 0b6f6c1e-...`,
	}, func(ctx context.Context, t *accountadapter.Tenants) (accountops.Tenant, error) {
		return t.Get(ctx, id)
	})
	getCmd.Flags().StringVar(&id, "id", "", "tenant id (required)")
	required(getCmd, "id")

	var lifecycle accountops.ChangeLifecycleInput
	lifecycleCmd := tenantCmd(&cobra.Command{
		Use:   "lifecycle --tenant ID --action suspend|resume|terminate|archive --reason R",
		Short: "Suspend, resume, terminate or archive a tenant",
		Long: `Change a tenant's lifecycle state and print the tenant. ACTIVE tenants can be
suspended (reads only) or terminated; SUSPENDED ones resumed or terminated;
TERMINATED ones archived. An illegal transition is a CONFLICT.`,
		Example: `  hocd tenants lifecycle --tenant ID --action suspend --reason "invoice overdue"`,
	}, func(ctx context.Context, t *accountadapter.Tenants) (accountops.Tenant, error) {
		return t.ChangeLifecycle(ctx, lifecycle)
	})
	lifecycleCmd.Flags().StringVar(&lifecycle.TenantID, "tenant", "", "tenant id (required)")
	lifecycleCmd.Flags().StringVar(&lifecycle.Action, "action", "", "suspend, resume, terminate or archive (required)")
	lifecycleCmd.Flags().StringVar(&lifecycle.Reason, "reason", "", "why; recorded with the change (required)")
	required(lifecycleCmd, "tenant", "action", "reason")

	var onboarding accountops.AdvanceOnboardingInput
	onboardingCmd := tenantCmd(&cobra.Command{
		Use:   "onboarding --tenant ID --target STATE --reason R",
		Short: "Advance a tenant's onboarding",
		Long: `Advance a tenant's onboarding to STATE (IDENTITY_VERIFIED, API_KEY_CREATED,
SDK_CONNECTED or COMPLETE) and print the tenant; a target at or below the
current state changes nothing.`,
		Example: `  hocd tenants onboarding --tenant ID --target COMPLETE --reason "migrated from v1"`,
	}, func(ctx context.Context, t *accountadapter.Tenants) (accountops.Tenant, error) {
		return t.AdvanceOnboarding(ctx, onboarding)
	})
	onboardingCmd.Flags().StringVar(&onboarding.TenantID, "tenant", "", "tenant id (required)")
	onboardingCmd.Flags().StringVar(&onboarding.TargetState, "target", "", "IDENTITY_VERIFIED, API_KEY_CREATED, SDK_CONNECTED or COMPLETE (required)")
	onboardingCmd.Flags().StringVar(&onboarding.Reason, "reason", "", "why; recorded with the change (required)")
	required(onboardingCmd, "tenant", "target", "reason")

	return group("tenants", "Create, read and change tenants",
		createCmd, getCmd, newTenantsListCmd(cfg, stdout, stderr), lifecycleCmd, onboardingCmd)
}

func newTenantsListCmd(cfg *Config, stdout, stderr io.Writer) *cobra.Command {
	var limit, offset int
	c := &cobra.Command{
		Use:     "list [--limit 1..1000] [--offset N]",
		Short:   "Print one page of tenants, oldest first",
		Long:    `Print one page of tenants as {"data": [...], "meta": {total, page, page_size, has_more}}, like the API's list.`,
		Example: `  hocd tenants list --limit 20 --offset 40`,
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := inRange("limit", limit, 1, 1000); err != nil {
				return err
			}
			if err := inRange("offset", offset, 0, int(^uint(0)>>1)); err != nil {
				return err
			}
			var tenants *accountadapter.Tenants
			return oneShot(*cfg, stderr, func(ctx context.Context) error {
				p, err := tenants.List(ctx, limit, offset)
				if err != nil {
					return describe(err)
				}
				items := make([]api.TenantJSON, len(p.Items))
				for i, t := range p.Items {
					items[i] = api.ToTenantJSON(t)
				}
				return printJSON(stdout, newListDocument(items, p.Total, limit, offset))
			}, &tenants)
		},
	}
	c.Flags().IntVar(&limit, "limit", 100, "page size, 1..1000")
	c.Flags().IntVar(&offset, "offset", 0, "tenants to skip")
	return c
}

// listDocument is how the CLI prints one page of a list: data and meta as
// the API's envelope carries them, without the request's timestamp and id.
type listDocument struct {
	Data any      `json:"data"`
	Meta listMeta `json:"meta"`
}

type listMeta struct {
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	HasMore  bool  `json:"has_more"`
}

func newListDocument[T any](items []T, total int64, limit, offset int) listDocument {
	return listDocument{Data: items, Meta: listMeta{
		Total: total, Page: offset/limit + 1, PageSize: limit, HasMore: int64(offset+len(items)) < total,
	}}
}
