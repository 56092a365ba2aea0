package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	api "hoc/l2_api"
	accountadapter "hoc/l3_adapters/account"
	accountops "hoc/l4_spine/account"
)

// runTenants dispatches `hocd tenants create|get|list`.
func runTenants(cfg Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: hocd tenants create|get|list|lifecycle|onboarding [flags]")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("tenants "+sub, &cfg, stderr)
	var tenants *accountadapter.Tenants
	switch sub {
	case "create":
		var in accountops.CreateTenantInput
		var externalOrgID string
		fs.StringVar(&in.Name, "name", "", "tenant name (required)")
		fs.StringVar(&in.Slug, "slug", "", "slug (default: derived from the name)")
		fs.StringVar(&in.Plan, "plan", "", "free, pro or enterprise (default free)")
		fs.StringVar(&externalOrgID, "external-org-id", "", "the identity provider's organisation id")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if externalOrgID != "" {
			in.ExternalOrgID = &externalOrgID
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			t, err := tenants.Create(ctx, in)
			if err != nil {
				return describe(err)
			}
			return printJSON(stdout, api.ToTenantJSON(t))
		}, &tenants)
	case "get":
		var id string
		fs.StringVar(&id, "id", "", "tenant id (required)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			t, err := tenants.Get(ctx, id)
			if err != nil {
				return describe(err)
			}
			return printJSON(stdout, api.ToTenantJSON(t))
		}, &tenants)
	case "list":
		var limit, offset int
		fs.IntVar(&limit, "limit", 100, "page size (1..1000)")
		fs.IntVar(&offset, "offset", 0, "rows to skip")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			p, err := tenants.List(ctx, limit, offset)
			if err != nil {
				return describe(err)
			}
			items := make([]api.TenantJSON, len(p.Items))
			for i, t := range p.Items {
				items[i] = api.ToTenantJSON(t)
			}
			return printJSON(stdout, map[string]any{"items": items, "total": p.Total, "limit": limit, "offset": offset})
		}, &tenants)
	case "lifecycle":
		var in accountops.ChangeLifecycleInput
		fs.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
		fs.StringVar(&in.Action, "action", "", "suspend, resume, terminate or archive")
		fs.StringVar(&in.Reason, "reason", "", "why (required, recorded)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			t, err := tenants.ChangeLifecycle(ctx, in)
			if err != nil {
				return describe(err)
			}
			return printJSON(stdout, api.ToTenantJSON(t))
		}, &tenants)
	case "onboarding":
		var in accountops.AdvanceOnboardingInput
		fs.StringVar(&in.TenantID, "tenant", "", "tenant id (required)")
		fs.StringVar(&in.TargetState, "target", "", "IDENTITY_VERIFIED, API_KEY_CREATED, SDK_CONNECTED or COMPLETE")
		fs.StringVar(&in.Reason, "reason", "", "why (required, recorded)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return oneShot(cfg, stderr, func(ctx context.Context) error {
			t, err := tenants.AdvanceOnboarding(ctx, in)
			if err != nil {
				return describe(err)
			}
			return printJSON(stdout, api.ToTenantJSON(t))
		}, &tenants)
	}
	return fmt.Errorf("unknown tenants command %q (create, get, list, lifecycle, onboarding)", sub)
}
