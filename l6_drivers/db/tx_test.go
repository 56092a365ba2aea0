package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"hoc/l6_drivers/db"
	"hoc/l6_drivers/db/dbtest"
)

var errAbort = errors.New("abort")

func TestInTx_CommitsWhenFnReturnsNil(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		err := d.InTx(ctx, func(ctx context.Context) error {
			if err := insertTenant(ctx, d, "alpha"); err != nil {
				return err
			}
			return insertTenant(ctx, d, "beta")
		})
		if err != nil {
			t.Fatalf("InTx: %v", err)
		}
		if got := tenantSlugs(t, ctx, d); !slices.Equal(got, []string{"alpha", "beta"}) {
			t.Fatalf("tenants = %v, want [alpha beta]", got)
		}
	})
}

func TestInTx_RollsBackWhenFnReturnsError(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		err := d.InTx(ctx, func(ctx context.Context) error {
			if err := insertTenant(ctx, d, "alpha"); err != nil {
				return err
			}
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		if got := tenantSlugs(t, ctx, d); len(got) != 0 {
			t.Fatalf("tenants = %v, want none", got)
		}
	})
}

func TestInTx_RollsBackAndRepanicsWhenFnPanics(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("recovered %v, want the panic to continue as \"boom\"", r)
				}
			}()
			err := d.InTx(ctx, func(ctx context.Context) error {
				if err := insertTenant(ctx, d, "alpha"); err != nil {
					return err
				}
				panic("boom")
			})
			t.Fatalf("InTx returned %v instead of repanicking", err)
		}()
		// On SQLite this also proves the single connection was released.
		if got := tenantSlugs(t, ctx, d); len(got) != 0 {
			t.Fatalf("tenants = %v, want none", got)
		}
	})
}

func TestInTx_NestedJoinsOuterTransaction(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		err := d.InTx(ctx, func(ctx context.Context) error {
			if err := insertTenant(ctx, d, "outer"); err != nil {
				return err
			}
			if err := d.InTx(ctx, func(ctx context.Context) error {
				// The outer, uncommitted row is visible: same transaction.
				if got := tenantSlugs(t, ctx, d); !slices.Equal(got, []string{"outer"}) {
					return fmt.Errorf("inner sees %v, want [outer]", got)
				}
				return insertTenant(ctx, d, "inner")
			}); err != nil {
				return err
			}
			// The inner InTx did not commit on its own: rolling back the
			// outer one must remove both rows.
			return errAbort
		})
		if !errors.Is(err, errAbort) {
			t.Fatalf("InTx = %v, want the outer error", err)
		}
		if got := tenantSlugs(t, ctx, d); len(got) != 0 {
			t.Fatalf("tenants = %v, want none: the nested InTx committed separately", got)
		}
	})
}

func TestInTx_ConcurrentTransactionsAllCommit(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		ctx := dbtest.Context(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				errs[i] = d.InTx(ctx, func(ctx context.Context) error {
					return insertTenant(ctx, d, fmt.Sprintf("tenant-%d", i))
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("concurrent InTx: %v", err)
		}
		if got := tenantSlugs(t, ctx, d); len(got) != n {
			t.Fatalf("got %d tenants, want %d", len(got), n)
		}
	})
}
