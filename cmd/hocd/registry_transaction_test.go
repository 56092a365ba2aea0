package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	spine "hoc/l4_spine"
	accountdb "hoc/l6_drivers/account"
	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

type createTwo struct{ Fail bool }

var createTenants = spine.Declare[createTwo, struct{}]("test.tenants.create_two", "Create two tenants, then maybe fail")

// TestRegistry_TransactionalOperationRollsBackOnError runs a transactional
// operation that writes two rows and then fails: neither row may remain. The
// same operation without the failure commits both.
func TestRegistry_TransactionalOperationRollsBackOnError(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		store, err := accountdb.NewStore(d)
		if err != nil {
			t.Fatal(err)
		}
		handler := func(ctx context.Context, in createTwo) (struct{}, error) {
			for _, slug := range []string{"first", "second"} {
				row := accountdb.TenantRow{Name: slug, Slug: slug, Plan: "free", LifecycleState: "ACTIVE"}
				if _, err := store.CreateTenant(ctx, row); err != nil {
					return struct{}{}, err
				}
			}
			if in.Fail {
				return struct{}{}, errors.New("fail after writing")
			}
			return struct{}{}, nil
		}
		reg, err := spine.New(spine.Config{
			Tx:     d,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}, spine.Bind(createTenants, handler, spine.Transactional()))
		if err != nil {
			t.Fatal(err)
		}
		ctx := spine.WithActor(context.Background(), spine.Actor{Type: spine.ActorFounder, ID: "test"})

		if _, err := createTenants.Call(ctx, reg, createTwo{Fail: true}); err == nil {
			t.Fatal("want the handler's error")
		}
		if _, total, err := store.ListTenants(context.Background(), 10, 0); err != nil || total != 0 {
			t.Fatalf("after a failed transactional operation %d tenants remain (%v), want 0", total, err)
		}
		if _, err := createTenants.Call(ctx, reg, createTwo{}); err != nil {
			t.Fatal(err)
		}
		if _, total, err := store.ListTenants(context.Background(), 10, 0); err != nil || total != 2 {
			t.Fatalf("after a successful operation %d tenants (%v), want 2", total, err)
		}
	})
}
